"""Date-sorted deep pages found through date histograms equal tantivy's own offset pages."""
from __future__ import annotations

import random

import pytest

from search.backends import tantivy_backend, tantivy_seek
from search.backends.tantivy_backend import TantivyBackend
from search.backends.tantivy_query import compile_clause
from search.model import SearchRequest, StoredDocument
from search.query import parse
from search.query.plan import build_plan
from segmented_index import segmented_index, tied_date

WORDS = ["داعش", "الموصل", "بغداد", "الرمادي", "تكريت"]


def _docs(n: int, seed: int, prefix: str) -> list[StoredDocument]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        date = tied_date(rng, 0.08)
        out.append(StoredDocument(id=f"{prefix}{i}", body=f"خبر عن {rng.choice(WORDS)} و{rng.choice(WORDS)}",
                                  date=date, source=rng.choice(["a", "b"])))
    return out


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    # More segments, replaced and deleted documents.
    return segmented_index(tmp_path_factory.mktemp("seek"), _docs(300, 1, "x"),
                           [_docs(80, 10 + k, f"s{k}-") + _docs(10, 99, "x") for k in range(3)],
                           [f"x{i}" for i in range(20, 40)])


@pytest.mark.parametrize("q", ["", "داعش", "الموصل -بغداد"])
def test_every_page_equals_the_offset_page(index, q, monkeypatch):
    monkeypatch.setattr(tantivy_seek, "CROWDED", 15)  # exercise the hour level too
    backend = TantivyBackend(index)
    searcher = backend._index().searcher()
    plan = build_plan(SearchRequest(parse(q).tree))
    query = compile_clause(backend.schema, plan.full())
    total = searcher.search(query, limit=1, count=True).count
    assert searcher.num_segments > 1 and total > 50
    full = [(a.segment_ord, a.doc) for _, a in
            searcher.search(query, limit=total, count=False, order_by_field="date").hits]
    seek = tantivy_seek.DateSeek(backend.schema)
    for offset in [0, 1, 7, 10, 33, total - 10, total - 3, total - 1, total, total + 5] + list(range(0, total, 17)):
        for limit in (1, 10):
            got = [(a.segment_ord, a.doc) for a in seek.page(searcher, query, ("k", q), offset, limit, eager=True)]
            assert got == full[offset:offset + limit], (q, offset, limit)


def test_backend_search_uses_it_for_deep_date_pages(index, monkeypatch):
    # Pages of every version (versions=all); one hit per story walks the ranked hits instead.
    backend = TantivyBackend(index)
    reference = [backend.search(SearchRequest(parse("").tree, sort="date", collapse=False, page=p, page_size=10))
                 for p in range(1, 40)]
    monkeypatch.setattr(tantivy_backend, "SEEK_FROM", 0)
    calls = []
    real = backend._seek.page
    backend._seek.page = lambda *a, **kw: calls.append(a[3]) or real(*a, **kw)
    for p, ref in enumerate(reference, start=1):
        got = backend.search(SearchRequest(parse("").tree, sort="date", collapse=False, page=p, page_size=10))
        assert got.total == ref.total and [h.id for h in got.hits] == [h.id for h in ref.hits], p
        assert all(h.score is None for h in got.hits)
    assert len(calls) == sum(1 for r in reference if r.hits) and calls[0] == 0


def test_a_querys_first_deep_page_uses_the_offset_then_the_histogram(index, monkeypatch):
    backend = TantivyBackend(index)
    monkeypatch.setattr(tantivy_backend, "SEEK_FROM", 0)
    histograms = []
    real = backend._seek._histogram
    backend._seek._histogram = lambda *a: histograms.append(a[3][0]) or real(*a)
    request = SearchRequest(parse("داعش").tree, sort="date", collapse=False, page=2, page_size=10)
    first = backend.search(request)
    assert histograms == []  # declined: tantivy's offset ranked it
    second = backend.search(request)
    assert histograms == ["1d"] and [h.id for h in first.hits] == [h.id for h in second.hits]
    backend.search(SearchRequest(parse("").tree, sort="date", collapse=False, page=3, page_size=10))
    assert histograms[-1] == "1d"  # the whole archive's: at once
