"""Saved searches: a name and a canonical query string behind a short, stable slug.

The store interface (``SavedSearchStore``) is what both deployments implement (SQLite beside
the embedded index, an Elasticsearch index on a cluster): save, get, list, rename, delete.
Saving a search that is already stored never renames it silently: the store raises
``AlreadySaved`` with the stored one, and the caller asks the user.
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

MAX_NAME_CHARS = 120
MAX_SAVED_BY_CHARS = 80
MAX_QUERY_STRING_CHARS = 8000
# A batch (kind "batch") keeps its lines as repeated q= parameters: up to 1,000 of them.
MAX_BATCH_CHARS = 2_000_000
KINDS = ("search", "batch")


@dataclass(frozen=True)
class SavedSearch:
    slug: str
    name: str
    query_string: str  # canonical, versioned search URL parameters (web.params)
    created_at: str
    saved_by: str | None = None  # optional name of who saved it, shown in the list
    kind: str = "search"  # or "batch": the query string holds one q= per line (web.batch)

    def to_dict(self) -> dict:
        return {"slug": self.slug, "name": self.name, "query_string": self.query_string,
                "created_at": self.created_at, "saved_by": self.saved_by, "kind": self.kind}


class AlreadySaved(Exception):
    """The same search is already saved under another name: ask before renaming it."""

    def __init__(self, existing: SavedSearch):
        super().__init__(f"already saved as {existing.name!r} ({existing.slug})")
        self.existing = existing


def make_slug(query_string: str, attempt: int = 0, kind: str = "search") -> str:
    """Short slug derived from the query string, so saving the same search twice gives one link."""
    key = query_string if kind == "search" else f"{kind}\x00{query_string}"  # a batch of one line is no search
    digest = hashlib.blake2b(f"{key}\x00{attempt}".encode(), digest_size=8).hexdigest()
    return digest[:8]


def check_name(name: str) -> None:
    if not name or len(name) > MAX_NAME_CHARS:
        raise ValueError(f"name must be 1..{MAX_NAME_CHARS} characters")


def check(name: str, query_string: str, saved_by: str | None = None, kind: str = "search") -> None:
    """Reject what no store should keep (the web layer shows its own Arabic messages first)."""
    check_name(name)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if len(query_string) > (MAX_QUERY_STRING_CHARS if kind == "search" else MAX_BATCH_CHARS):
        raise ValueError("query string too long")
    if saved_by is not None and len(saved_by) > MAX_SAVED_BY_CHARS:
        raise ValueError(f"saved_by must be at most {MAX_SAVED_BY_CHARS} characters")


class SavedSearchStore(ABC):
    @abstractmethod
    def save(self, name: str, query_string: str, saved_by: str | None = None,
             kind: str = "search") -> SavedSearch:
        """Store a new search (or, ``kind="batch"``, a batch); the same query string always gets the same slug.

        Saving one already stored returns it unchanged under the same name, and raises
        ``AlreadySaved`` under another (renaming is ``rename``, after asking).
        """

    @abstractmethod
    def get(self, slug: str) -> SavedSearch | None: ...

    @abstractmethod
    def list(self, limit: int = 200) -> list[SavedSearch]:
        """Newest first."""

    @abstractmethod
    def rename(self, slug: str, name: str) -> SavedSearch | None:
        """Give a stored search a new name (its link stays); None if there is no such slug."""

    @abstractmethod
    def delete(self, slug: str) -> bool:
        """Remove a stored search (its short link stops working); False if there was none."""


class SqliteSavedSearches(SavedSearchStore):
    """Durable store in a SQLite file beside the embedded index (survives reindexing)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write = threading.Lock()  # one writer per process; SQLite serialises processes
        with self._tx() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS saved_search (slug TEXT PRIMARY KEY, name TEXT NOT NULL,"
                       " query_string TEXT NOT NULL, created_at TEXT NOT NULL, saved_by TEXT)")
            columns = {row[1] for row in db.execute("PRAGMA table_info(saved_search)")}
            if "saved_by" not in columns:  # a store from before saved_by: add the column, keep the rows
                db.execute("ALTER TABLE saved_search ADD COLUMN saved_by TEXT")
            if "kind" not in columns:  # added with batches: every older row is a search
                db.execute("ALTER TABLE saved_search ADD COLUMN kind TEXT NOT NULL DEFAULT 'search'")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def _tx(self):
        return _Tx(self._connect())

    def save(self, name: str, query_string: str, saved_by: str | None = None,
             kind: str = "search") -> SavedSearch:
        check(name, query_string, saved_by, kind)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._write, self._tx() as db:
            for attempt in range(20):
                slug = make_slug(query_string, attempt, kind)
                row = db.execute(f"SELECT {_COLUMNS} FROM saved_search WHERE slug=?", (slug,)).fetchone()
                if row is None:
                    db.execute(f"INSERT INTO saved_search ({_COLUMNS}) VALUES (?,?,?,?,?,?)",
                               (slug, name, query_string, now, saved_by, kind))
                    return SavedSearch(slug, name, query_string, now, saved_by, kind)
                if row[2] == query_string and row[5] == kind:  # the same: same link, and no silent rename
                    existing = SavedSearch(*row)
                    if existing.name != name:
                        raise AlreadySaved(existing)
                    return existing
        raise RuntimeError("could not allocate a slug")

    def get(self, slug: str) -> SavedSearch | None:
        with closing(self._connect()) as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM saved_search WHERE slug=?", (slug,)).fetchone()
        return SavedSearch(*row) if row else None

    def list(self, limit: int = 200) -> list[SavedSearch]:
        with closing(self._connect()) as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM saved_search"
                              " ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        return [SavedSearch(*r) for r in rows]

    def rename(self, slug: str, name: str) -> SavedSearch | None:
        check_name(name)
        with self._write, self._tx() as db:
            if db.execute("UPDATE saved_search SET name=? WHERE slug=?", (name, slug)).rowcount == 0:
                return None
        return self.get(slug)

    def delete(self, slug: str) -> bool:
        with self._write, self._tx() as db:
            return db.execute("DELETE FROM saved_search WHERE slug=?", (slug,)).rowcount > 0


_COLUMNS = "slug, name, query_string, created_at, saved_by, kind"


class _Tx:
    """A transaction that also closes its connection (sqlite3's own context manager does not)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.db.commit()
            else:
                self.db.rollback()
        finally:
            self.db.close()
        return False
