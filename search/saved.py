"""Saved searches: a name and a canonical query string behind a short, stable slug."""
from __future__ import annotations

import hashlib
import sqlite3
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SavedSearch:
    slug: str
    name: str
    query_string: str  # canonical, versioned search URL parameters (web.params)
    created_at: str


def make_slug(query_string: str, attempt: int = 0) -> str:
    """Short slug derived from the query string, so saving the same search twice gives one link."""
    digest = hashlib.blake2b(f"{query_string}\x00{attempt}".encode(), digest_size=8).hexdigest()
    return digest[:8]


class SavedSearchStore(ABC):
    @abstractmethod
    def save(self, name: str, query_string: str) -> SavedSearch: ...

    @abstractmethod
    def get(self, slug: str) -> SavedSearch | None: ...

    @abstractmethod
    def list(self, limit: int = 200) -> list[SavedSearch]: ...


class SqliteSavedSearches(SavedSearchStore):
    """Durable store in a SQLite file beside the embedded index (survives reindexing)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS saved_search (slug TEXT PRIMARY KEY, name TEXT NOT NULL,"
                       " query_string TEXT NOT NULL, created_at TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def save(self, name: str, query_string: str) -> SavedSearch:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._connect() as db:
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
        with self._connect() as db:
            row = db.execute("SELECT slug, name, query_string, created_at FROM saved_search WHERE slug=?",
                             (slug,)).fetchone()
        return SavedSearch(*row) if row else None

    def list(self, limit: int = 200) -> list[SavedSearch]:
        with self._connect() as db:
            rows = db.execute("SELECT slug, name, query_string, created_at FROM saved_search"
                              " ORDER BY created_at DESC, slug LIMIT ?", (limit,)).fetchall()
        return [SavedSearch(*r) for r in rows]
