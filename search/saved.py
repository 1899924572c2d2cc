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
# A batch (kind "batch") keeps its lines as repeated q= parameters: up to 1,000 of them.
MAX_BATCH_CHARS = 2_000_000
KINDS = ("search", "batch")


@dataclass(frozen=True)
class SavedSearch:
    slug: str
    name: str
    query_string: str  # canonical, versioned search URL parameters (web.params)
    created_at: str
    kind: str = "search"  # or "batch": the query string holds one q= per line (web.batch)

    def to_dict(self) -> dict:
        return {"slug": self.slug, "name": self.name, "query_string": self.query_string,
                "created_at": self.created_at, "kind": self.kind}


def make_slug(query_string: str, attempt: int = 0, kind: str = "search") -> str:
    """Short slug derived from the query string, so saving the same search twice gives one link."""
    key = query_string if kind == "search" else f"{kind}\x00{query_string}"  # a batch of one line is no search
    digest = hashlib.blake2b(f"{key}\x00{attempt}".encode(), digest_size=8).hexdigest()
    return digest[:8]


def check(name: str, query_string: str, kind: str = "search") -> None:
    """Reject what no store should keep (the web layer shows its own Arabic messages first)."""
    if not name or len(name) > MAX_NAME_CHARS:
        raise ValueError(f"name must be 1..{MAX_NAME_CHARS} characters")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if len(query_string) > (MAX_QUERY_STRING_CHARS if kind == "search" else MAX_BATCH_CHARS):
        raise ValueError("query string too long")


class SavedSearchStore(ABC):
    @abstractmethod
    def save(self, name: str, query_string: str, kind: str = "search") -> SavedSearch:
        """Store (or rename) the search; the same query string always gets the same slug."""

    @abstractmethod
    def get(self, slug: str) -> SavedSearch | None: ...

    @abstractmethod
    def list(self, limit: int = 200) -> list[SavedSearch]:
        """Newest first, every kind."""


_COLUMNS = "slug, name, query_string, created_at, kind"


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
            # Added with batches; stores made before get the column with every row a search.
            columns = {row[1] for row in db.execute("PRAGMA table_info(saved_search)")}
            if "kind" not in columns:
                db.execute("ALTER TABLE saved_search ADD COLUMN kind TEXT NOT NULL DEFAULT 'search'")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def _tx(self):
        return _Tx(self._connect())

    def save(self, name: str, query_string: str, kind: str = "search") -> SavedSearch:
        check(name, query_string, kind)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._write, self._tx() as db:
            for attempt in range(20):
                slug = make_slug(query_string, attempt, kind)
                row = db.execute(f"SELECT {_COLUMNS} FROM saved_search WHERE slug=?", (slug,)).fetchone()
                if row is None:
                    db.execute("INSERT INTO saved_search (slug, name, query_string, created_at, kind)"
                               " VALUES (?,?,?,?,?)", (slug, name, query_string, now, kind))
                    return SavedSearch(slug, name, query_string, now, kind)
                if row[2] == query_string and row[4] == kind:  # saved again: same link, newest name
                    db.execute("UPDATE saved_search SET name=? WHERE slug=?", (name, slug))
                    return SavedSearch(slug, name, query_string, row[3], kind)
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
