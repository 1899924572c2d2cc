"""The tantivy backend on small real-text documents: search, facets, sort, pages, swaps."""
import pytest

from search.backends.base import BackendError
from search.backends.tantivy_backend import TantivyBackend
from search.model import Range, SearchRequest, StoredDocument
from search.query import parse

DOCS = [
    StoredDocument(id="a", title="داعش في الموصل", body="قال مسؤول إن تنظيم داعش انسحب من الموصل.",
                   date="2014-06-10", source="aawsat", countries=["IQ"], orgs=["داعش"], troops=[500], troops_max=500),
    StoredDocument(id="b", title="سوريا", body="أرسلت الحكومة 5000 جندي إلى حلب لمواجهة داعش في سوريا.",
                   date="2014-07-01", source="alriyadh", countries=["SY"], orgs=["داعش"], troops=[5000], troops_max=5000),
    StoredDocument(id="c", title=None, body="اجتماع وزراء الخارجية العرب في القاهرة لبحث الأزمة.",
                   date="2015-01-20", source="aawsat", countries=["EG"], orgs=[]),
    StoredDocument(id="d", title="العراق وسوريا", body="الجيش العراقي يتقدم نحو الحدود مع سوريا بمشاركة 20000 مقاتل.",
                   date=None, source="aawsat", countries=["IQ", "SY"], orgs=["الجيش العراقي"], troops=[20000], troops_max=20000),
]


@pytest.fixture()
def be(tmp_path):
    backend = TantivyBackend(tmp_path / "idx")
    with backend.new_build() as build:
        for d in DOCS:
            build.add(d)
        build.commit({"sources": ["test"]})
    return backend


def req(q="", **kw):
    return SearchRequest(query=parse(q).tree, **kw)


def ids(result):
    return sorted(h.id for h in result.hits)


def test_word_search_finds_and_highlights(be):
    res = be.search(req("داعش"))
    assert res.total == 2 and ids(res) == ["a", "b"]
    assert all("<mark>داعش</mark>" in h.snippet for h in res.hits)


def test_and_or_not(be):
    # Every word is required; the articles lacking one are the continuation (MATCH_PARTIAL).
    assert ids(be.search(req("داعش سوريا"))) == ["b"]
    assert ids(be.search(req("داعش سوريا", match="partial"))) == ["a", "d"]
    assert ids(be.search(req("داعش", match="partial"))) == []  # one word: no continuation
    assert ids(be.search(req('"داعش" "سوريا"'))) == ["b"]
    assert ids(be.search(req("الموصل OR القاهرة"))) == ["a", "c"]
    assert ids(be.search(req("داعش -سوريا"))) == ["a"]
    assert ids(be.search(req("-داعش"))) == ["c", "d"]


def test_empty_query_browses_everything(be):
    assert be.search(req("")).total == 4


def test_filters_and_disjunctive_facet_counts(be):
    res = be.search(req("", filters={"country": ("IQ",)}))
    assert ids(res) == ["a", "d"]
    country = {b.value: (b.count, b.selected) for b in res.facets["country"].buckets}
    # Counts for country ignore the country filter itself (what selecting SY would add).
    assert country["IQ"] == (2, True) and country["SY"] == (2, False) and country["EG"] == (1, False)
    source = {b.value: b.count for b in res.facets["source"].buckets}
    assert source == {"aawsat": 2}
    both = be.search(req("", filters={"country": ("IQ", "SY")}))
    assert ids(both) == ["a", "b", "d"]


def test_troop_ranges_and_date_ranges(be):
    res = be.search(req("", ranges={"troops": Range(1000, None)}))
    assert ids(res) == ["b", "d"]
    troops = {b.value: b.count for b in be.search(req("")).facets["troops"].buckets}
    assert troops == {"100-999": 1, "1000-9999": 1, "10000-": 1}
    res = be.search(req("", ranges={"date": Range("2014-06-01", "2014-12-31T23:59:59")}))
    assert ids(res) == ["a", "b"]
    months = [b.value for b in be.search(req("")).facets["month"].buckets]
    assert months == sorted(months) and "2014-06" in months


def test_sort_and_pagination(be):
    by_troops = be.search(req("", sort="troops"))
    assert [h.id for h in by_troops.hits][:3] == ["d", "b", "a"]
    by_date = be.search(req("", sort="date"))
    assert [h.id for h in by_date.hits][:3] == ["c", "b", "a"]
    page1 = be.search(req("", sort="date", page_size=2, page=1))
    page2 = be.search(req("", sort="date", page_size=2, page=2))
    assert len(page1.hits) == 2 and len(page2.hits) == 2
    assert not {h.id for h in page1.hits} & {h.id for h in page2.hits}


def test_get_and_iter_matches(be):
    doc = be.get("b")
    assert doc.body.startswith("أرسلت") and doc.troops == [5000] and doc.date == "2014-07-01"
    assert be.get("nope") is None
    assert sorted(d.id for d in be.iter_matches(req(""), batch=3)) == ["a", "b", "c", "d"]


def test_upsert_and_delete(be):
    be.upsert([StoredDocument(id="c", body="نص جديد عن الموصل", countries=["IQ"])])
    assert be.get("c").body == "نص جديد عن الموصل"
    assert be.search(req("")).total == 4
    assert be.delete(["a", "zzz"]) == 1
    assert be.get("a") is None and be.search(req("")).total == 3


def test_rebuild_switches_atomically_and_abort_keeps_live_index(be):
    before = be.stats()["generation"]
    build = be.new_build()
    build.add(StoredDocument(id="only", body="وثيقة واحدة"))
    # Readers still see the old index while the new one is being built.
    assert be.search(req("")).total == 4
    build.abort()
    assert be.stats()["generation"] == before and be.search(req("")).total == 4
    with be.new_build() as build:
        build.add(StoredDocument(id="only", body="وثيقة واحدة"))
        build.commit({})
    assert be.search(req("")).total == 1 and be.stats()["generation"] != before


def test_missing_index_is_a_backend_error(tmp_path):
    with pytest.raises(BackendError):
        TantivyBackend(tmp_path / "none").search(req("x"))


def test_joined_terms_carry_the_analyzer_terms_and_position_gaps():
    from search.analysis import CHAINS, analyze_field, joined_terms, joined_terms_all
    from search.backends.tantivy_schema import GAP

    for text in ('قال إن "داعش" في الولاياتالمتحدة ـــ و1,200 جندي من العراق',
                 "وصل 500 جندي إلى قاعدة عين الأسد في الأنبار"):
        together = dict(zip(CHAINS, joined_terms_all(CHAINS, text, GAP)))
        for chain in CHAINS:
            tokens = analyze_field(chain, text)
            assert together[chain] == joined_terms(chain, text, GAP)
            words = together[chain].split(" ")
            # Dropping trailing gaps, the i-th word is the term at position i (or a gap).
            expected = [GAP] * (tokens[-1].position + 1)
            for t in tokens:
                expected[t.position] = t.term or GAP
            assert words[:len(expected)] == expected and set(words[len(expected):]) <= {GAP}


def test_phrase_across_a_stopword_gap_needs_the_gap(be, tmp_path):
    # "الجيش في العراق": في is a stopword, so the Lucene chain has a gap between the two.
    from search.backends.tantivy_query import compile_clause
    from search.query.plan import PhraseTerms
    from search.analysis import analyze

    backend = TantivyBackend(tmp_path / "gap")
    with backend.new_build() as build:
        build.add(StoredDocument(id="g", body="تقدم الجيش في العراق"))
        build.commit({})
    a, b = [t.term for t in analyze("الجيش العراق")]
    searcher = backend._index().searcher()
    with_gap = compile_clause(backend.schema, PhraseTerms("body", (a, b), (0, 2)))
    dense = compile_clause(backend.schema, PhraseTerms("body", (a, b), (0, 1)))
    assert searcher.search(with_gap, 10).count == 1
    assert searcher.search(dense, 10).count == 0


def test_index_of_another_layout_asks_for_a_reindex(be):
    import json

    info_path = be.gens.current_path() / "build.json"
    info = json.loads(info_path.read_text())
    info["layout"] = 1
    info_path.write_text(json.dumps(info))
    fresh = TantivyBackend(be.root)
    with pytest.raises(BackendError, match="reindex"):
        fresh.search(req("داعش"))
