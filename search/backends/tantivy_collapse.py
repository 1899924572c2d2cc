"""One hit per story for tantivy: exact pages of stories, each query walked once per generation.

A collapsed page N holds stories (N-1)*size+1 .. N*size in rank order, each represented by
its best-ranked matching version. tantivy has no collapsing collector, so the ranked hits
are walked in order, reading each hit's story from a fast field (no stored document), and
the first hit of every story is kept. The walk is the definition of the order (the same
as Elasticsearch's ``collapse``: the first hit of each story in the sorted hits).

What makes it affordable on large archives:

- **Resumable walks, memoized per index generation, query and sort** (``Walk``): the
  stories found so far, how many hits were read and the total. The next page of the same
  query continues where the last one stopped (tantivy's ``offset``: only the new hits are
  read in Python); an earlier page is a slice.
- **Batches sized by what the walk has seen**: the number of hits per story so far (and,
  for a new walk, across recent walks) says how deep the next batch must reach, with a
  margin; a batch that falls short is followed by another, so the size is a cost, never a
  correctness matter.
- **Date-sorted walks read deep batches through ``DateSeek``** (per-day histograms: only
  the days holding the batch are ranked), not one ever larger top-k over every match.
- The whole archive's walks (no query, no filter: browse) are kept apart from per-query
  ones, like the pinned archive-wide facet counts: ``forget_queries()`` keeps them.

tantivy ranks equal scores (and equal dates) by document address, in every batch as in one
search, so the walk is the same whatever the batch sizes (tests/test_collapse_exact.py
compares it with a brute-force grouping of every hit).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from search.fields import STORY_KEY_FIELD

FIRST_BATCH = 64  # hits read at least by a new walk
MARGIN = 1.25  # the next batch reaches 25% beyond what the hits per story seen so far call for
SEEK_BATCH = 20_000  # date-sorted batches at least this large go through the day histograms
MEMO_WALKS = 48  # per-query walks kept (each holds at most MAX stories found: ~1 MB)


class Walk:
    """The stories of one query's ranked hits found so far (first hit of each, in order)."""

    __slots__ = ("reps", "seen", "scanned", "total", "done", "lock", "check", "estimate")

    def __init__(self, check: tuple):
        self.reps: list = []  # (score or sort value, DocAddress) of each story's first hit
        self.seen: set = set()
        self.scanned = 0  # hits read, in rank order
        self.total: int | None = None  # matching articles
        self.done = False  # every hit read: len(reps) is the exact number of stories
        self.lock = threading.Lock()
        self.check = check  # (documents, segments) of the searcher it was walked with
        self.estimate: int | None = None  # the engine's estimate of the number of stories

    def take(self, hits, keys) -> None:
        seen, reps = self.seen, self.reps
        for hit, key in zip(hits, keys):
            if key is None:  # a document without a story key is a story of its own
                key = (hit[1].segment_ord, hit[1].doc)
            if key not in seen:
                seen.add(key)
                reps.append(hit)
        self.scanned += len(hits)


class Collapser:
    """Collapsed pages over tantivy searchers, with the walks memoized per key."""

    def __init__(self, seek=None):
        self.seek = seek  # a DateSeek: deep date-sorted batches by day
        self._lock = threading.Lock()
        self._walks: OrderedDict = OrderedDict()  # key -> Walk (per query)
        self._archive: dict = {}  # key -> Walk (no query, no filter), replaced with the generation
        self._per_story = 4.0  # hits per story in recent walks: sizes a new walk's first batch

    def walk(self, searcher, key, archive: bool = False) -> Walk:
        """The memoized walk for ``key`` (a fresh one when None or walked on another searcher)."""
        check = (searcher.num_docs, searcher.num_segments)
        if key is None:
            return Walk(check)
        with self._lock:
            store = self._archive if archive else self._walks
            walk = store.get(key)
            if walk is None or walk.check != check:
                walk = Walk(check)
                if archive:
                    stamp = key[0]
                    for old in [k for k in store if k[0] != stamp]:  # an older generation's
                        del store[old]
                store[key] = walk
                if not archive:
                    while len(store) > MEMO_WALKS:
                        store.popitem(last=False)
            elif not archive:
                store.move_to_end(key)
            return walk

    def page(self, searcher, query, walk: Walk, order_field: str | None, offset: int, size: int,
             seek_key=None) -> list:
        """(score or None, DocAddress) of stories ``offset .. offset+size-1``; extends ``walk``
        as far as needed (the caller holds ``walk.lock``)."""
        need = offset + size
        while (len(walk.reps) < need or walk.total is None) and not walk.done:
            self._extend(searcher, query, walk, order_field, need, seek_key)
        return walk.reps[offset:need]

    def _extend(self, searcher, query, walk: Walk, order_field, need: int, seek_key) -> None:
        found = len(walk.reps)
        per_story = walk.scanned / found if found else self._per_story
        limit = int(max(need - found, 1) * per_story * MARGIN) + 16
        if walk.scanned == 0:
            limit = max(limit, FIRST_BATCH)
        if walk.total is not None:
            limit = min(limit, walk.total - walk.scanned)
        hits = None
        if (order_field == "date" and self.seek is not None and seek_key is not None and walk.total is not None
                and limit >= SEEK_BATCH):
            addrs = self.seek.page(searcher, query, seek_key, walk.scanned, limit, eager=True)
            if addrs is not None:
                hits = [(None, a) for a in addrs]
        if hits is None:
            kwargs = {"order_by_field": order_field} if order_field else {}
            res = searcher.search(query, limit=max(limit, 1), offset=walk.scanned, count=walk.total is None,
                                  **kwargs)
            if walk.total is None:
                walk.total = res.count
            hits = res.hits
        walk.take(hits, searcher.fast_field_values(STORY_KEY_FIELD, [addr for _, addr in hits]))
        if walk.scanned >= walk.total or len(hits) < limit:
            walk.done = True
        if walk.reps:
            # Remember how deep stories lie, for the first batch of the next new walk.
            self._per_story = min(max(walk.scanned / len(walk.reps), 1.0), 64.0)

    def forget_queries(self) -> None:
        """Drop the per-query walks (the archive's stay: they serve every browse page)."""
        with self._lock:
            self._walks.clear()
