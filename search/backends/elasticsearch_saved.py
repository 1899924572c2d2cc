"""Saved searches in an Elasticsearch index (``<prefix>-saved``), with SQLite's slug semantics."""
from __future__ import annotations

import time

from search.saved import AlreadySaved, SavedSearch, SavedSearchStore, check, check_name, make_slug

MAX_SLUG_ATTEMPTS = 20

SAVED_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "slug": {"type": "keyword"},
        "name": {"type": "keyword", "index": False},
        "query_string": {"type": "keyword", "index": False, "doc_values": False},
        "created_at": {"type": "date"},
        "saved_by": {"type": "keyword", "index": False, "doc_values": False},
        "kind": {"type": "keyword"},  # "search" (absent in stores made before batches) or "batch"
        # Orders searches saved within the same second, newest first (SQLite uses its rowid).
        "saved_ns": {"type": "long"},
    },
}
# Tiny and long-lived: one shard, a replica whenever the cluster has a second node.
SAVED_SETTINGS = {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}}


class ElasticsearchSavedSearches(SavedSearchStore):
    """One document per slug; its own index, so reindexing the articles never touches it."""

    def __init__(self, client, index: str):
        self.client = client
        self.index = index
        self._ready = False

    def _ensure_index(self) -> None:
        if self._ready:
            return
        from elasticsearch import ApiError

        if not self.client.indices.exists(index=self.index):
            try:
                self.client.indices.create(index=self.index, settings=SAVED_SETTINGS, mappings=SAVED_MAPPINGS)
            except ApiError as e:
                if _error_type(e) != "resource_already_exists_exception":  # another process won the race
                    raise
        else:  # an index from an earlier version: add new fields (mappings only ever grow)
            self.client.indices.put_mapping(index=self.index, properties=SAVED_MAPPINGS["properties"])
        self._ready = True

    def save(self, name: str, query_string: str, saved_by: str | None = None,
             kind: str = "search") -> SavedSearch:
        from elasticsearch import ConflictError

        check(name, query_string, saved_by, kind)
        self._ensure_index()
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for attempt in range(MAX_SLUG_ATTEMPTS):
            slug = make_slug(query_string, attempt, kind)
            doc = {"slug": slug, "name": name, "query_string": query_string, "created_at": now,
                   "saved_ns": time.time_ns(), "saved_by": saved_by, "kind": kind}
            try:
                # create fails if the slug is taken: two savers can never overwrite each other.
                self.client.create(index=self.index, id=slug, document=doc, refresh="wait_for")
                return SavedSearch(slug, name, query_string, now, saved_by, kind)
            except ConflictError:
                existing = self.get(slug)
                if existing is not None and existing.query_string == query_string and existing.kind == kind:
                    # The same search: same link, and no silent rename.
                    if existing.name != name:
                        raise AlreadySaved(existing) from None
                    return existing
        raise RuntimeError("could not allocate a slug")

    def rename(self, slug: str, name: str) -> SavedSearch | None:
        from elasticsearch import NotFoundError

        check_name(name)
        try:
            self.client.update(index=self.index, id=slug, doc={"name": name}, refresh="wait_for")
        except NotFoundError:
            return None
        return self.get(slug)

    def delete(self, slug: str) -> bool:
        from elasticsearch import NotFoundError

        try:
            self.client.delete(index=self.index, id=slug, refresh="wait_for")
        except NotFoundError:
            return False
        return True

    def get(self, slug: str) -> SavedSearch | None:
        from elasticsearch import NotFoundError

        try:
            resp = self.client.get(index=self.index, id=slug)
        except NotFoundError:
            return None
        return _saved(resp["_source"])

    def list(self, limit: int = 200) -> list[SavedSearch]:
        from elasticsearch import NotFoundError

        try:
            resp = self.client.search(index=self.index, size=limit, query={"match_all": {}},
                                      sort=[{"created_at": {"order": "desc"}}, {"saved_ns": {"order": "desc"}}])
        except NotFoundError:  # nothing saved yet
            return []
        return [_saved(h["_source"]) for h in resp["hits"]["hits"]]


def _saved(src: dict) -> SavedSearch:
    return SavedSearch(src["slug"], src["name"], src["query_string"], src["created_at"], src.get("saved_by"),
                       src.get("kind", "search"))


def _error_type(err) -> str | None:
    body = getattr(err, "body", None)
    if isinstance(body, dict):
        return (body.get("error") or {}).get("type")
    return None
