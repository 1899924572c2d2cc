"""The interface every search backend implements; nothing here assumes a particular engine."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterable, Iterator

from search.model import SearchRequest, SearchResult, StoredDocument, Summary


class BackendError(Exception):
    """The engine is unreachable, the index is missing or unwritable: not the user's fault."""


class IndexBuild(ABC):
    """A new index being built beside the live one; ``commit`` switches to it atomically."""

    @abstractmethod
    def add(self, doc: StoredDocument) -> None: ...

    @abstractmethod
    def commit(self, info: dict) -> None:
        """Make the new index live (readers switch over) and record ``info`` as build metadata."""

    @abstractmethod
    def abort(self) -> None:
        """Drop the partial index; the live index is untouched."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.abort()
        return False


class Backend(ABC):
    name: str = "abstract"

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """Hits for one page with highlighted snippets, the total, and facet counts."""

    @abstractmethod
    def get(self, doc_id: str) -> StoredDocument | None:
        """One stored document by id, or None."""

    @abstractmethod
    def iter_matches(self, request: SearchRequest, batch: int = 500) -> Iterator[StoredDocument]:
        """Every document matching the request, in its sort order, without a depth limit."""

    @abstractmethod
    def new_build(self) -> IndexBuild:
        """Start building a replacement index (the live one keeps serving)."""

    @abstractmethod
    def upsert(self, docs: Iterable[StoredDocument]) -> int:
        """Add or replace documents in the live index; returns how many were written."""

    @abstractmethod
    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by id from the live index; returns how many ids were found."""

    @abstractmethod
    def stats(self) -> dict:
        """Document count, size, build metadata (when, from what, analyzer version)."""

    @abstractmethod
    def saved_searches(self):
        """The durable store of saved searches for this deployment (search.saved.SavedSearchStore)."""

    @abstractmethod
    def facet_values(self, name: str) -> tuple[str, ...]:
        """Every distinct value of a terms facet in the live index, sorted (cached per index
        version): search-within-facet filters these, then counts the matches exactly."""

    @abstractmethod
    def summarize(self, request: SearchRequest, top: int = 3) -> Summary:
        """Count-only search for a batch row: the total (as ``search`` gives it), the ``top``
        countries and organizations among the matches, and their first and last dates."""

    @abstractmethod
    def iter_arrivals(self) -> Iterator[tuple[str, int | None, int]]:
        """(id, content digest or None, arrival ms) of every live document, streamed (nothing
        if there is no readable live index); a rebuild keeps these times."""

    @abstractmethod
    def newest_arrival(self) -> str | None:
        """The latest arrival time in the live index (search.arrival form)."""

    @abstractmethod
    def generation(self) -> str:
        """A token that changes whenever the live index may have changed (feeds' ETags)."""

    def exists(self) -> bool:
        """Whether a live index is there to search."""
        return True

    def date_span(self, request: SearchRequest) -> tuple[int, str | None, str | None]:
        """(matching articles, first day, last day) of a request's matches (dated ones for the days)."""
        raise NotImplementedError

    def story_ids(self, request: SearchRequest, limit: int) -> tuple[str, ...] | None:
        """The distinct story ids of a request's matches, sorted; None when there are more
        than ``limit`` (search/continuation.py leaves these stories out of the continuation)."""
        raise NotImplementedError

    def period_counts(self, request: SearchRequest, field: str, size: int) -> dict[str, int]:
        """Matching articles per ``day`` or ``month`` (keys ``YYYY-MM-DD`` / ``YYYY-MM``)."""
        raise NotImplementedError

    def build_info(self) -> dict:
        """The live index's build information ({} when there is none); see ``IndexBuild.commit``."""
        return (self.stats().get("build") or {}) if self.exists() else {}

    def generation_stamp(self) -> str | None:
        """A cheap token that changes whenever the searchable documents change (reindex,
        add, delete); ``search.cache`` keys results with it. None: do not cache."""
        return None

    def vocabulary(self):
        """The live index's terms with document frequencies (search.vocabulary.Vocabulary), or None."""
        return None

    def close(self) -> None:
        pass
