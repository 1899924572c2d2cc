"""search.cache on a real tantivy index: cached answers equal fresh ones, and writes invalidate them."""
from __future__ import annotations

import dataclasses

import pytest

from search.backends.tantivy_backend import TantivyBackend
from search.cache import CachedBackend, facet_key, is_archive_wide
from search.model import Range, SearchRequest, StoredDocument
from search.query import parse
from search.query.plan import build_plan
from test_web_corpus import build_index, corpus

DAESH = "داعش"


def _req(q: str = "", **kw) -> SearchRequest:
    return SearchRequest(parse(q).tree, **kw)


REQUESTS = [
    _req(),
    _req(sort="date", page=2, page_size=5),
    _req(DAESH),
    _req(DAESH, filters={"country": ("IQ",)}),
    _req(DAESH, filters={"country": ("IQ", "SY")}, sort="date"),
    _req(filters={"country": ("US",)}),
    _req(filters={"country": ("US",)}, page=2, page_size=3),
    _req(filters={"source": ("aawsat",), "org": (DAESH,)}),
    _req(ranges={"date": Range("2014-06-01", "2014-08-31")}),
    _req(ranges={"troops": Range(1000, 9999)}, filters={"country": ("IQ",)}),
    _req("العراق OR سوريا", filters={"country": ("ZZ",)}),  # a selected value without matches
    _req(filters={"org": (DAESH,)}, facets=("org",), facet_size=1000, page_size=1, highlight=False),
    _req("كلمةغيرموجودة"),
]


@pytest.fixture
def fresh_index(tmp_path):
    return build_index(tmp_path / "idx")


def _same(a, b) -> None:
    assert a.total == b.total
    assert [(h.id, h.snippet, h.title_html, h.score) for h in a.hits] == \
           [(h.id, h.snippet, h.title_html, h.score) for h in b.hits]
    assert list(a.facets) == list(b.facets)
    for name in a.facets:
        assert a.facets[name] == b.facets[name], name


def test_cached_answers_equal_fresh_ones_in_any_order(fresh_index):
    raw = TantivyBackend(fresh_index)
    cached = CachedBackend(TantivyBackend(fresh_index))
    for rounds in range(2):  # cold, then warm (facets and whole results from the cache)
        for request in REQUESTS + REQUESTS[::-1]:
            _same(cached.search(request), raw.search(request))
    assert cached.hits > len(REQUESTS)


def test_facet_counts_are_shared_across_pages_sorts_and_values_of_the_same_facet(fresh_index):
    raw = TantivyBackend(fresh_index)
    cached = CachedBackend(raw)
    calls = []
    real = raw.search

    def counting(request):
        calls.append(request.facets)
        return real(request)

    raw.search = counting
    everything = SearchRequest(parse("").tree).facets
    cached.search(_req())  # browse: every facet counted over the archive
    assert calls[-1] == everything
    cached.search(_req(sort="date", page=3, page_size=2))
    assert calls[-1] == ()  # same counts, another page and sort: only the hits are fetched
    others = tuple(f for f in everything if f != "country")
    us = cached.search(_req(filters={"country": ("US",)}))
    assert calls[-1] == others  # the country counts are archive-wide
    iq = cached.search(_req(filters={"country": ("IQ",)}))
    assert calls[-1] == others
    fresh_iq = real(_req(filters={"country": ("IQ",)}))
    assert iq.facets == fresh_iq.facets and us.facets["country"] != iq.facets["country"]  # selection differs
    assert [b.value for b in iq.facets["country"].buckets if b.selected] == ["IQ"]


def test_archive_wide_counts_are_only_the_unfiltered_ones():
    browse = _req(filters={"country": ("US",)})
    plan = build_plan(browse)
    assert is_archive_wide(facet_key(plan, browse, "country"))
    assert not is_archive_wide(facet_key(plan, browse, "org"))
    word = _req(DAESH)
    assert not is_archive_wide(facet_key(build_plan(word), word, "country"))
    # A query filter typed in the search box is part of the query, not a facet selection.
    typed = _req("country:IQ")
    assert not is_archive_wide(facet_key(build_plan(typed), typed, "country"))


def test_new_request_fields_are_part_of_the_facet_key():
    @dataclasses.dataclass(frozen=True)
    class Extended(SearchRequest):
        collapse: bool = False

    a, b = Extended(parse("").tree), Extended(parse("").tree, collapse=True)
    assert facet_key(build_plan(a), a, "org") != facet_key(build_plan(b), b, "org")
    assert facet_key(build_plan(a), a, "org") == facet_key(build_plan(a), dataclasses.replace(a, page=4), "org")


def test_add_delete_and_reindex_invalidate(fresh_index):
    cached = CachedBackend(TantivyBackend(fresh_index))
    before = cached.search(_req("الموصل"))
    browse = cached.search(_req())
    stamp = cached.generation_stamp()

    new = StoredDocument(id="new-1", body="افتتاح جسر جديد فوق نهر دجلة في الموصل.", title="جسر الموصل",
                         date="2014-07-02", source="newsource", countries=["IQ"])
    TantivyBackend(fresh_index).upsert([new])  # what `indexer add` does, in another backend object
    assert cached.generation_stamp() != stamp
    after = cached.search(_req("الموصل"))
    assert after.total == before.total + 1 and "new-1" in {h.id for h in after.hits}
    browse2 = cached.search(_req())
    assert browse2.total == browse.total + 1
    assert {b.value: b.count for b in browse2.facets["source"].buckets}["newsource"] == 1

    TantivyBackend(fresh_index).delete(["new-1"])
    assert cached.search(_req("الموصل")).total == before.total
    assert "newsource" not in {b.value for b in cached.search(_req()).facets["source"].buckets}

    backend = TantivyBackend(fresh_index)  # a reindex: a new generation with fewer documents
    with backend.new_build() as build:
        for d in corpus()[:5]:
            build.add(d)
        build.commit({"sources": ["test"]})
    assert cached.search(_req()).total == 5


def test_coverage_over_time_is_kept_per_generation(fresh_index):
    """date_span / period_counts (the small chart, /trend): equal to the backend's, computed
    once per request and generation (the archive's pinned), renewed by a write."""
    raw = TantivyBackend(fresh_index)
    cached = CachedBackend(raw)
    calls = []
    for name in ("date_span", "period_counts"):
        real = getattr(raw, name)
        setattr(raw, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    requests = [_req(facets=(), highlight=False, collapse=False),
                _req(DAESH, filters={"country": ("IQ",)}, facets=(), highlight=False, collapse=False)]
    for rounds in range(2):
        for request in requests:
            assert cached.date_span(request) == TantivyBackend(fresh_index).date_span(request)
            assert cached.period_counts(request, "day", 400) == \
                TantivyBackend(fresh_index).period_counts(request, "day", 400)
    assert calls == ["date_span", "period_counts"] * 2
    # Page, sort and collapse do not change the matches: the same entries answer.
    other_page = _req(DAESH, filters={"country": ("IQ",)}, facets=(), page=3, sort="date")
    assert cached.date_span(other_page) == cached.date_span(requests[1])
    assert len(calls) == 4
    cached.forget_urls()  # the archive's stay; the query's are computed again
    for request in requests:
        cached.date_span(request)
    assert calls[4:] == ["date_span"]
    total, first, last = cached.date_span(requests[0])
    TantivyBackend(fresh_index).upsert([StoredDocument(id="late", body="خبر", date="2016-01-02", source="s")])
    assert cached.date_span(requests[0]) == (total + 1, first, "2016-01-02")
    assert cached.period_counts(requests[0], "day", 400)["2016-01-02"] == 1


def test_cli_add_and_delete_invalidate_a_running_app(fresh_index, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from app import create_app

    client = create_app({"SEARCH_INDEX": str(fresh_index), "SECRET_KEY": "x"}).test_client()
    first = client.get("/api/search?q=" + "دجلة").get_json()["total"]
    src = tmp_path / "gamma.txt"
    src.write_text("افتتاح جسر جديد فوق نهر دجلة في الموصل.", encoding="utf-8")
    indexer = str(Path(sys.executable).with_name("indexer"))
    done = subprocess.run([indexer, "add", str(src), "--index", str(fresh_index)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert client.get("/api/search?q=" + "دجلة").get_json()["total"] == first + 1
    done = subprocess.run([indexer, "delete", "gamma", "--index", str(fresh_index)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert client.get("/api/search?q=" + "دجلة").get_json()["total"] == first


def test_memory_is_bounded(fresh_index):
    cached = CachedBackend(TantivyBackend(fresh_index), max_bytes=40_000)
    for page in range(1, 30):
        cached.search(_req(page=page, page_size=2))
    assert 0 < cached._lru.currsize <= 40_000
    off = CachedBackend(TantivyBackend(fresh_index), max_bytes=0)
    off.search(_req())
    assert off.hits == off.misses == 0 and off._lru.currsize == 0


def test_html_page_and_json_twin_share_one_entry(fresh_index):
    from app import create_app

    app = create_app({"SEARCH_INDEX": str(fresh_index), "SECRET_KEY": "x"})
    cached = app.extensions["search_cached"]
    client = app.test_client()
    assert client.get("/search?q=" + DAESH).status_code == 200
    hits = cached.hits
    data = client.get("/api/search?q=" + DAESH).get_json()
    assert cached.hits == hits + 1 and data["total"] > 0


# ---- Elasticsearch: the same layer in front of the fake cluster (tests/test_es_backend.py) ----
def test_elasticsearch_results_are_cached_per_refresh_and_send_only_missing_aggregations(monkeypatch):
    from search.backends import elasticsearch_backend
    from test_es_backend import FakeCluster, build, fake_client
    from search.backends.elasticsearch_backend import ElasticsearchBackend, EsConfig

    monkeypatch.setattr(elasticsearch_backend, "STAMP_SECONDS", 0.0)
    cluster = FakeCluster()
    es = ElasticsearchBackend(fake_client(cluster), EsConfig(prefix="news"))
    build(es)
    cached = CachedBackend(es)

    def searches():
        return [body for method, path, body in cluster.calls if path.endswith("/_search")]

    everything = set(SearchRequest(parse("").tree).facets)
    first = cached.search(_req())
    assert (set(searches()[-1]["aggs"]) - {"_stories"}) == everything
    n = len(searches())
    assert cached.search(_req()).total == first.total == 3 and len(searches()) == n  # from memory
    cached.search(_req(filters={"country": ("IQ",)}))
    # The country counts are archive-wide, already known: only the others are asked for.
    assert (set(searches()[-1]["aggs"]) - {"_stories"}) == everything - {"country"}

    es.upsert([StoredDocument(id="d", body="نص جديد", source="newsource")])  # refreshes: a new stamp
    again = cached.search(_req())
    assert again.total == 4 and len(searches()) == n + 2
    # The fake node does not aggregate; what matters is that the new generation's counts are asked for.
    assert (set(searches()[-1]["aggs"]) - {"_stories"}) == everything


def test_elasticsearch_stamp_is_none_when_the_cluster_cannot_say():
    from test_es_backend import FakeCluster, fake_client
    from search.backends.elasticsearch_backend import ElasticsearchBackend, EsConfig

    es = ElasticsearchBackend(fake_client(FakeCluster()), EsConfig(prefix="news"))
    assert es.generation_stamp() is None  # no index yet: not cached, search() reports the error


def test_the_complete_matches_story_ids_are_kept_per_generation(fresh_index):
    """story_ids (what the continuation leaves out): the backend's answer, aggregated once
    per query and generation, whatever the page; renewed by a write."""
    raw = TantivyBackend(fresh_index)
    cached = CachedBackend(raw)
    calls = []
    real = raw.story_ids
    raw.story_ids = lambda *a: calls.append(a) or real(*a)
    request = _req(DAESH, facets=(), highlight=False, collapse=False)
    expected = TantivyBackend(fresh_index).story_ids(request, 100)
    assert expected and cached.story_ids(request, 100) == expected
    assert cached.story_ids(_req(DAESH, facets=(), highlight=False, collapse=False, page=2), 100) == expected
    assert len(calls) == 1
    TantivyBackend(fresh_index).upsert([StoredDocument(id="late", body="داعش في الموصل", date="2016-01-02", source="s")])
    assert "late" in cached.story_ids(request, 100) and len(calls) == 2
