"""Search results and facet counts kept per index generation, for any backend.

``CachedBackend`` wraps a backend and answers ``search()`` from memory when it can:

- whole results, keyed by every field of the request (the HTML page and its JSON twin,
  which ask for the same request, share one entry);
- each facet's counts on their own, keyed by what they depend on: the query clause and
  every filter except the facet's own (counts are disjunctive). Paging, changing the sort
  or choosing another value of the same facet reuse them. The counts over the whole
  archive (no query, no other filter) are pinned: computed once per generation, never
  evicted.

The coverage-over-time calls (``date_span``, ``period_counts``: the small chart of every
first results page and ``/trend``) and the complete matches' story ids (``story_ids``: what
the continuation leaves out) are kept the same way, keyed by the plan's full clause (query
and filters) and generation; the whole archive's (no query, no filter) are pinned too.

Every key starts with the backend's ``generation_stamp()``, which changes whenever the
searchable documents change (a reindex switches generations; ``indexer add``/``delete``
commit). A new stamp makes every older entry unreachable; they age out of the LRU. A
backend whose stamp is None is not cached.

Memory is bounded: one LRU over an estimate of each entry's size (``max_bytes``).
Cached results are shared between requests: callers must treat them as read-only.
"""
from __future__ import annotations

import dataclasses
import hashlib
import sys
import threading
import time
from typing import Hashable

from cachetools import LRUCache

from search.backends.common import with_selection, without_selection
from search.model import FacetResult, SearchRequest, SearchResult
from search.query.plan import All, Plan, build_plan

DEFAULT_MAX_MB = 64
# Request fields that never change facet counts; any other field (including ones added
# later) is part of a facet's key.
_NOT_FOR_COUNTS = {"query", "filters", "ranges", "sort", "page", "page_size", "facets", "highlight"}


_LONG = 64  # longer lists of strings are keyed by a digest


def _freeze(value) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        if len(value) > _LONG and all(isinstance(v, str) for v in value):
            # Long id lists (a continuation's excluded stories, up to 10,000): a digest, so
            # the keys, which the size bound does not count, stay small.
            return ("sha256", len(value), hashlib.sha256("\0".join(value).encode()).hexdigest())
        return tuple(_freeze(v) for v in value)
    return value


def request_key(request: SearchRequest) -> tuple:
    """Every field of the request, hashable (query trees and ranges are frozen dataclasses)."""
    return tuple((f.name, _freeze(getattr(request, f.name))) for f in dataclasses.fields(request))


def facet_key(plan: Plan, request: SearchRequest, name: str) -> tuple:
    """What facet ``name``'s counts depend on: the scored query, every filter but its own,
    any scope the plan counts it under, and request fields this module does not know."""
    # A plan may name a facet's own filter differently or scope its counts (e.g. a day
    # facet inside the month drilled into): ask the plan when it can say.
    own = plan.own_filter(name) if hasattr(plan, "own_filter") else name
    scope = tuple(plan.facet_scope([name])) if hasattr(plan, "facet_scope") else ()
    others = frozenset((k, c) for k, c in plan.facet_filters.items() if k != own)
    extra = tuple((f.name, _freeze(getattr(request, f.name))) for f in dataclasses.fields(request)
                  if f.name not in _NOT_FOR_COUNTS)
    return ("facet", name, plan.query, others, scope, extra)


def is_archive_wide(key: tuple) -> bool:
    """Counts over every document: no query, no other filter (the browse page's sidebar)."""
    _, _, query, others, scope, _ = key
    return isinstance(query, All) and not others and not scope


def _size(value) -> int:
    """A rough size in bytes of a cached value (Python objects, not just their text)."""
    if isinstance(value, FacetResult):
        return 200 + sum(160 + sys.getsizeof(b.value) + sys.getsizeof(b.label or "") for b in value.buckets)
    if isinstance(value, dict):  # period counts
        return 200 + 120 * len(value)
    if isinstance(value, tuple) and value and isinstance(value[0], str):  # story ids
        return 200 + sum(80 + len(v) * 2 for v in value)
    if isinstance(value, SearchResult):
        hits = sum(600 + len(h.snippet) * 2 + len(h.title or "") * 4 + len(h.lead or "") * 2
                   + 60 * (len(h.countries) + len(h.orgs) + len(h.troops)) for h in value.hits)
        return 300 + hits + sum(_size(f) for f in value.facets.values())
    return 200


class CachedBackend:
    """A backend whose ``search()`` is served from a bounded per-generation cache.

    Everything else (``get``, ``iter_matches``, writes, ``stats``...) goes to the wrapped
    backend unchanged.
    """

    def __init__(self, backend, max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024):
        self.backend = backend
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._lru = LRUCache(maxsize=max(max_bytes, 1), getsizeof=_size)
        self._archive: dict[tuple, object] = {}  # pinned facet counts, spans, period counts
        self._archive_stamp = None
        self.hits = self.misses = 0  # of search results and facet counts
        self.kept_hits = 0  # of date spans and period counts

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()
            self._archive.clear()

    def search(self, request: SearchRequest) -> SearchResult:
        if self.max_bytes <= 0:
            return self.backend.search(request)
        started = time.perf_counter()
        stamp = self.backend.generation_stamp()
        if stamp is None:
            return self.backend.search(request)
        key = (stamp, "result", request_key(request))
        cached = self._get(key)
        if cached is not None:
            return dataclasses.replace(cached, took_ms=(time.perf_counter() - started) * 1000)
        plan = build_plan(request)
        keys = {name: (stamp, *facet_key(plan, request, name)) for name in request.facets}
        counted = {name: self._get_facet(k) for name, k in keys.items()}
        missing = tuple(name for name in request.facets if counted[name] is None)
        fresh = self.backend.search(dataclasses.replace(request, facets=missing) if len(missing) < len(request.facets)
                                    else request)
        for name in missing:
            counted[name] = without_selection(fresh.facets[name])
            self._put_facet(keys[name], counted[name])
        # replace(): any other field of the result (added by a backend) is kept as it came.
        result = dataclasses.replace(
            fresh, facets={name: with_selection(counted[name], request) for name in request.facets},
            took_ms=(time.perf_counter() - started) * 1000)
        self._put(key, result)
        return result

    def date_span(self, request: SearchRequest) -> tuple[int, str | None, str | None]:
        return self._kept("span", request, (), lambda: self.backend.date_span(request))

    def period_counts(self, request: SearchRequest, field: str, size: int) -> dict[str, int]:
        return self._kept("periods", request, (field, size), lambda: self.backend.period_counts(request, field, size))

    def story_ids(self, request: SearchRequest, limit: int) -> tuple[str, ...] | None:
        """The complete matches' story ids (the continuation leaves them out), kept like
        the chart's counts: a repeated or paged URL does not aggregate them again."""
        return self._kept("story_ids", request, (limit,), lambda: self.backend.story_ids(request, limit))

    def forget_urls(self) -> None:
        """Drop everything kept per URL, and what the backend memoizes per query (when it
        does), as if every later request were a new one; the pinned archive-wide entries
        stay. For benchmarks of a warm server answering new URLs."""
        with self._lock:
            self._lru.clear()
        forget = getattr(self.backend, "forget_queries", None)
        if forget is not None:
            forget()

    def _kept(self, kind: str, request: SearchRequest, extra: tuple, compute):
        """A value computed by ``compute`` for ``request``, kept per generation (pinned when
        it covers the whole archive). The returned value is shared: read-only."""
        if self.max_bytes <= 0:
            return compute()
        stamp = self.backend.generation_stamp()
        if stamp is None:
            return compute()
        # Both backends compute these from the plan's full clause alone (query and every
        # filter): page, sort, facets or collapse=... share one entry.
        clause = build_plan(request).full()
        key = (stamp, kind, clause, extra)
        archive = isinstance(clause, All)  # the whole archive: the same for every user
        if archive:
            value = self._get_pinned(key)
        else:
            with self._lock:
                value = self._lru.get(key)
        if value is not None:
            self.kept_hits += 1
            return value
        value = compute()
        if archive:
            self._put_pinned(key, value)
        else:
            self._put(key, value)
        return value

    # ---- the store -----------------------------------------------------------------------
    def _get(self, key):
        with self._lock:
            value = self._lru.get(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def _put(self, key, value) -> None:
        with self._lock:
            try:
                self._lru[key] = value
            except ValueError:  # larger than the whole cache
                pass

    def _get_facet(self, key):
        return self._get_pinned(key) if is_archive_wide(key[1:]) else self._get(key)

    def _put_facet(self, key, value: FacetResult) -> None:
        if is_archive_wide(key[1:]):
            self._put_pinned(key, value)
        else:
            self._put(key, value)

    def _get_pinned(self, key):
        with self._lock:
            return self._archive.get(key)

    def _put_pinned(self, key, value) -> None:
        """Keep a whole-archive entry for its generation (``key[0]``, the stamp), never evicted."""
        with self._lock:
            if self._archive_stamp != key[0]:  # a new generation: the old entries are stale
                self._archive.clear()
                self._archive_stamp = key[0]
            self._archive[key] = value
