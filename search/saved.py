"""Saved searches: a name and a canonical query string behind a short, stable slug."""
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
MAX_QUERY_STRING_CHARS = 8000


@dataclass(frozen=True)
class SavedSearch:
    slug: str
    name: str
    query_string: str  # canonical, versioned search URL parameters (web.params)
    created_at: str

    def to_dict(self) -> dict:
        return {"slug": self.slug, "name": self.name, "query_string": self.query_string,
                "created_at": self.created_at}


def make_slug(query_string: str, attempt: int = 0) -> str:
    """Short slug derived from the query string, so saving the same search twice gives one link."""
    digest = hashlib.blake2b(f"{query_string}\x00{attempt}".encode(), digest_size=8).hexdigest()
    return digest[:8]


def check(name: str, query_string: str) -> None:
    """Reject what no store should keep (the web layer shows its own Arabic messages first)."""
    if not name or len(name) > MAX_NAME_CHARS:
        raise ValueError(f"name must be 1..{MAX_NAME_CHARS} characters")
    if len(query_string) > MAX_QUERY_STRING_CHARS:
        raise ValueError("query string too long")


class SavedSearchStore(ABC):
    @abstractmethod
    def save(self, name: str, query_string: str) -> SavedSearch:
        """Store (or rename) the search; the same query string always gets the same slug."""

    @abstractmethod
    def get(self, slug: str) -> SavedSearch | None: ...

    @abstractmethod
    def list(self, limit: int = 200) -> list[SavedSearch]:
        """Newest first."""


class SqliteSavedSearches(SavedSearchStore):
    """Durable store in a SQLite file beside the embedded index (survives reindexing)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write = threading.Lock()  # one writer per process; SQLite serialises processes
        with self._tx() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS saved_search (slug TEXT PRIMARY KEY, name TEXT NOT NULL,"
                       " query_string TEXT NOT NULL, created_at TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def _tx(self):
        return _Tx(self._connect())

    def save(self, name: str, query_string: str) -> SavedSearch:
        check(name, query_string)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._write, self._tx() as db:
            for attempt in range(20):
                slug = make_slug(query_string, attempt)
                row = db.execute("SELECT slug, name, query_string, created_at FROM saved_search WHERE slug=?",
                                 (slug,)).fetchone()
                if row is None:
                    db.execute("INSERT INTO saved_search VALUES (?,?,?,?)", (slug, name, query_string, now))
                    return SavedSearch(slug, name, query_string, now)
                if row[2] == query_string:  # same search saved again: same link, newest name
                    db.execute("UPDATE saved_search SET name=? WHERE slug=?", (name, slug))
                    return SavedSearch(slug, name, query_string, row[3])
        raise RuntimeError("could not allocate a slug")

    def get(self, slug: str) -> SavedSearch | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT slug, name, query_string, created_at FROM saved_search WHERE slug=?",
                             (slug,)).fetchone()
        return SavedSearch(*row) if row else None

    def list(self, limit: int = 200) -> list[SavedSearch]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT slug, name, query_string, created_at FROM saved_search"
                              " ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        return [SavedSearch(*r) for r in rows]


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
