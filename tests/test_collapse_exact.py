"""Collapsed pages (one hit per story) equal a brute-force grouping of every ranked hit.

A small real tantivy index with many versions per story (up to 14), many equal dates and
scores, undated versions, several segments, replaced and deleted documents. The reference
takes every hit in tantivy's own order (``collapse=False``), reads each one's story from
the stored document and keeps the first hit per story: pages of N stories must be its
consecutive slices, whatever order the pages are asked in, the batch sizes of the walk,
the sort, the filters, and after ``upsert``/``delete`` (what ``indexer add``/``delete`` do).
"""
from __future__ import annotations

import random

import pytest

from search.backends import tantivy_collapse, tantivy_seek
from search.backends.tantivy_backend import TantivyBackend
from search.model import Range, SearchRequest, StoredDocument
from search.query import parse
from segmented_index import segmented_index, tied_date

WORDS = ["داعش", "الموصل", "بغداد", "الرمادي", "تكريت", "الفلوجة"]


def _story_docs(n_stories: int, seed: int, prefix: str) -> list[StoredDocument]:
    rng = random.Random(seed)
    out = []
    for s in range(n_stories):
        words = rng.sample(WORDS, 3)
        for v in range(rng.choice([1, 1, 2, 3, 5, 9, 14])):
            date = tied_date(rng, 0.07)  # ties between versions and between stories
            body = " ".join(words + rng.sample(WORDS, rng.randrange(3)) + ["خبر"] * rng.randrange(3))
            troops = rng.randrange(1, 5) * 100  # few values: ties in the troops sort
            out.append(StoredDocument(id=f"{prefix}{s}-{v}", body=body, date=date, story=f"{prefix}{s}",
                                      source=rng.choice(["a", "b", "c"]), troops=[troops], troops_max=troops))
    rng.shuffle(out)  # versions of a story spread over the index
    return out


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    # More segments; versions joining existing stories; replaced and deleted documents.
    return segmented_index(tmp_path_factory.mktemp("collapse"), _story_docs(60, 1, "s"),
                           [_story_docs(12, 20 + k, f"n{k}-") + _story_docs(5, 1, "s") for k in range(2)],
                           [f"s{i}-0" for i in range(0, 60, 4)])


def _req(q: str = "", **kw) -> SearchRequest:
    return SearchRequest(parse(q).tree, facets=(), highlight=False, **kw)


def reference(backend: TantivyBackend, request: SearchRequest) -> list[str]:
    """Ids of each story's first hit in tantivy's full order of every hit."""
    every = backend.search(SearchRequest(request.query, filters=request.filters, ranges=request.ranges,
                                         sort=request.sort, page_size=100_000, collapse=False, facets=(),
                                         highlight=False))
    assert len(every.hits) == every.total
    out, seen = [], set()
    for h in every.hits:
        story = backend.get(h.id).story  # from the stored document, not the fast field
        if story not in seen:
            seen.add(story)
            out.append(h.id)
    return out


CASES = [("", {}), ("داعش", {}), ("داعش OR الموصل OR خبر", {}), ("بغداد -تكريت", {}),
         ("", {"filters": {"source": ("a", "c")}}), ("خبر", {"ranges": {"troops": Range(200, 400)}})]


@pytest.mark.parametrize("sort", ["relevance", "date", "troops"])
@pytest.mark.parametrize("q,extra", CASES)
def test_pages_are_slices_of_the_brute_force_grouping(index, q, extra, sort, monkeypatch):
    monkeypatch.setattr(tantivy_collapse, "FIRST_BATCH", 3)  # many small batches
    monkeypatch.setattr(tantivy_collapse, "SEEK_BATCH", 4)  # date walks through the day histograms
    monkeypatch.setattr(tantivy_seek, "CROWDED", 6)  # and their hour level
    backend = TantivyBackend(index)
    expected = reference(backend, _req(q, sort=sort, **extra))
    assert len(expected) > 8
    for size in (1, 3, 10):
        got, page = [], 1
        while True:
            res = backend.search(_req(q, sort=sort, page=page, page_size=size, **extra))
            assert res.stories_exact or res.stories >= len(got) + len(res.hits)
            if not res.hits:
                break
            got += [h.id for h in res.hits]
            page += 1
        assert got == expected, (q, sort, size)
        assert res.stories == len(expected) and res.stories_exact
    # Pages asked out of order, by a fresh backend (a new walk that must reach deep at once)
    # and by the same one (slices of the memoized walk).
    fresh = TantivyBackend(index)
    for page in (5, 2, 7, 1, 3):
        want = expected[(page - 1) * 3:page * 3]
        assert [h.id for h in fresh.search(_req(q, sort=sort, page=page, page_size=3, **extra)).hits] == want


def test_the_memoized_walk_follows_add_and_delete(tmp_path):
    backend = TantivyBackend(tmp_path)
    with backend.new_build() as build:
        for d in _story_docs(30, 5, "s"):
            build.add(d)
        build.commit({"sources": ["test"]})
    request = _req("داعش OR بغداد", sort="date", page=2, page_size=4)
    before = [h.id for h in backend.search(request).hits]
    assert before == reference(backend, request)[4:8]
    # A new version (dated after everything) of a story further down, a new story, a deletion.
    backend.upsert([StoredDocument(id="late", body="داعش بغداد", date="2015-07-30T00:00:00Z", story="s29"),
                    StoredDocument(id="alone", body="داعش", date="2015-07-29T00:00:00Z")])
    backend.delete(before[:1])
    after = reference(backend, request)
    assert after[:2] == ["late", "alone"]
    assert [h.id for h in backend.search(request).hits] == after[4:8]
    res = backend.search(_req("داعش OR بغداد", sort="date", page_size=100))
    assert [h.id for h in res.hits] == after and res.stories == len(after)


def test_forgetting_queries_keeps_results_the_same(index):
    backend = TantivyBackend(index)
    request = _req("داعش OR خبر", page=3, page_size=5)
    first = [h.id for h in backend.search(request).hits]
    backend.forget_queries()
    assert [h.id for h in backend.search(request).hits] == first == reference(backend, request)[10:15]


@pytest.mark.parametrize("q", ["داعش", "داعش OR الموصل OR خبر", "بغداد -تكريت"])
@pytest.mark.parametrize("at_once", [1_000, 0])  # one search for the page's stories, or one per story
def test_versions_under_each_hit_are_the_earliest_matching_ones(index, q, at_once, monkeypatch):
    from search.backends import tantivy_backend

    monkeypatch.setattr(tantivy_backend, "VERSIONS_AT_ONCE", at_once)
    backend = TantivyBackend(index)
    request = SearchRequest(parse(q).tree, facets=(), highlight=False, page_size=30)
    every = backend.search(SearchRequest(request.query, page_size=100_000, collapse=False, facets=(), highlight=False))
    matching: dict[str, list] = {}
    for h in every.hits:
        doc = backend.get(h.id)
        matching.setdefault(doc.story, []).append(doc)
    one = backend.search(request).hits
    assert sum(1 for h in one if h.version_count > 1) > 5
    for h in one:
        versions = matching[h.story]
        assert h.version_count == len(versions)
        others = [v for v in versions if v.id != h.id]
        listed = [v.id for v in h.versions]
        assert len(listed) == min(len(others), tantivy_backend.SHOWN_VERSIONS) and set(listed) <= {v.id for v in others}
        # earliest first: no unlisted version is older than the last listed one (undated last)
        dates = {v.id: v.date or "9999" for v in others}
        if listed and len(others) > len(listed):
            assert max(dates[i] for i in listed) <= min(dates[v.id] for v in others if v.id not in listed)
