"""Records handed to the indexer (SourceDocument) and reports about skipped input (Problem)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Callable

PROBLEM_KINDS = frozenset({
    "not_found", "unreadable", "empty", "binary", "undecodable", "malformed_json",
    "malformed_sgml", "missing_body", "duplicate", "duplicate_id",
    "too_large", "unsupported", "corrupt", "not_article",
})
# Reported for information only: nothing a journalist meant to index was lost
# (a repeated body indexed once, a clashing id kept under a new id, a README beside archives).
NOTE_KINDS = frozenset({"duplicate", "duplicate_id", "not_article"})


@dataclass(frozen=True)
class SourceDocument:
    """One article as read from a source file, before any analysis."""

    id: str
    title: str | None
    body: str
    date: str | None
    source: str | None
    url: str | None
    author: str | None
    origin: str
    # Set by `indexer reindex` for documents the live index already holds (indexer.arrivals).
    arrived: str | None = None
    digest: int | None = None


@dataclass(frozen=True)
class Problem:
    """Something in the input that could not be indexed as it is."""

    path: str
    line: int | None
    reason: str
    kind: str

    def __post_init__(self):
        if self.kind not in PROBLEM_KINDS:
            raise ValueError(f"unknown problem kind {self.kind!r}")

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


OnProblem = Callable[[Problem], None]


@dataclass(frozen=True)
class Entry:
    """One readable file (on disk, in a zip, or gunzipped) handed to a format reader."""

    path: str                        # shown in origins and problems
    rel: tuple[str, ...]             # path parts below the source root, for derived ids
    head: bytes                      # first HEAD_BYTES of the content, for sniffing
    open: Callable[[], BinaryIO]     # a fresh binary stream over the whole content
