"""Index settings, mappings and documents generated for Elasticsearch from the shared definitions."""
from __future__ import annotations

from dataclasses import replace

import json

from search.analysis import (ANALYZER_VERSION, CHAINS, ES_ANALYZER_NAMES, NATIVE_CHAINS, elasticsearch_analysis_settings,
                             joined_terms)
from search.backends.common import GAP
from search.backends.elasticsearch_mapping import (GAP_TOKEN, PRE_ANALYZED, analysis_settings, es_date, es_id,
                                                   from_source, index_settings, live_settings, mappings,
                                                   pre_analyzed_fields, to_action, to_source)
from search.backends.tantivy_backend import TantivyBackend
from search.fields import TEXT_SCOPES, text_field
from search.lead import lead_text
from search.model import StoredDocument
from search.query.plan import build_plan

DOC = StoredDocument(id="a1", title="داعش في الموصل", body="قال مسؤول إن تنظيم داعش انسحب.",
                     date="2014-06-10T08:30:00+03:00", source="aawsat", url="https://example.org/a1",
                     author="مراسل", origin="seeds/a1.txt", countries=["IQ", "SY"], orgs=["داعش"],
                     troops=[500, 1200], troops_max=1200, extraction={"body": {"countries": [{"code": "IQ"}]}})


def test_settings_carry_the_native_chain_and_the_pre_analyzed_analyzer():
    s = index_settings(shards=3, replicas=2)
    shared = elasticsearch_analysis_settings()
    assert NATIVE_CHAINS == ("arabic",)
    base = ES_ANALYZER_NAMES["arabic"]
    assert s["analysis"]["analyzer"][base] == shared["analyzer"][base]
    # Whitespace split, the gap marker dropped (its position increment kept), nothing else.
    assert s["analysis"]["analyzer"][PRE_ANALYZED] == {"type": "custom", "tokenizer": "pre_analyzed_whitespace",
                                                      "filter": ["pre_analyzed_gap"]}
    assert s["analysis"]["tokenizer"]["pre_analyzed_whitespace"] == {"type": "whitespace", "max_token_length": 4096}
    assert s["analysis"]["filter"]["pre_analyzed_gap"] == {"type": "stop", "stopwords": [GAP], "ignore_case": False}
    assert GAP_TOKEN == GAP
    assert set(s["analysis"]["analyzer"]) == {base, PRE_ANALYZED}  # no analyzer for the Python-only chains
    assert s["index"] == {"number_of_shards": 3, "number_of_replicas": 2, "refresh_interval": "1s",
                          "max_result_window": 10000, "highlight": {"max_analyzed_offset": 10_000_000}}
    assert PRE_ANALYZED not in elasticsearch_analysis_settings()["analyzer"]


def test_settings_while_building_and_after():
    building = index_settings(shards=2, replicas=1, building=True)["index"]
    assert building["number_of_replicas"] == 0 and building["refresh_interval"] == "-1"
    assert building["number_of_shards"] == 2
    assert live_settings(1) == {"index": {"number_of_replicas": 1, "refresh_interval": "1s"}}


def test_no_decompounder_runs_in_elasticsearch():
    text = json.dumps(analysis_settings())
    assert "dictionary_decompounder" not in text and "word_list" not in text


def test_mappings_pin_every_field():
    m = mappings({"state": "building"})
    p = m["properties"]
    assert m["dynamic"] == "strict"
    assert m["_meta"] == {"analyzer_version": ANALYZER_VERSION, "state": "building"}
    base = ES_ANALYZER_NAMES["arabic"]
    for scope in TEXT_SCOPES:
        assert p[scope] == {"type": "text", "analyzer": base}
        for chain in ("arabic_plus", "arabic_exact"):
            assert p[text_field(scope, chain)] == {"type": "text", "analyzer": PRE_ANALYZED}
    # The pre-analyzed strings are indexed, not stored: _source keeps the original text only.
    assert m["_source"] == {"excludes": ["title_plus", "title_exact", "body_plus", "body_exact", "lead_plus"]}
    assert set(pre_analyzed_fields()) == {text_field(s, c) for s in TEXT_SCOPES for c in CHAINS if c != "arabic"} | {
        "lead_plus"}
    # The lead (headline and first lines, search/lead.py): plus-chain terms, for ranking only.
    assert p["lead_plus"] == {"type": "text", "analyzer": PRE_ANALYZED}
    for name in ("id", "country", "org", "source", "month"):
        assert p[name] == {"type": "keyword"}
    assert p["troops"] == {"type": "integer"} and p["troops_max"] == {"type": "integer"}
    assert p["date"] == {"type": "date"}
    assert p["arrived"] == {"type": "date"} and p["digest"] == {"type": "unsigned_long", "index": False}
    assert p["extraction"] == {"type": "object", "enabled": False}
    assert p["meta"] == {"type": "object", "enabled": False}
    json.dumps(m)  # plain JSON all the way down


def test_every_field_a_plan_can_name_is_mapped():
    from search.model import Range, SearchRequest
    from search.query import parse
    from search.query.plan import Bool

    props = mappings()["properties"]
    request = SearchRequest(parse('داعش "الدولة الإسلامية" امريك* -سوريا country:IQ org:داعش source:x').tree,
                            ranges={"troops": Range(1, 2), "date": Range("2014-01-01", None)},
                            filters={"month": ("2014-06",)})
    plan = build_plan(request)

    def fields(c):
        if isinstance(c, Bool):
            for sub in c.must + c.should + c.must_not + c.filter:
                yield from fields(sub)
        elif hasattr(c, "field"):
            yield c.field

    named = set(fields(plan.full()))
    assert named and named <= set(props), named - set(props)


def test_source_keeps_the_original_text_once_and_round_trips():
    src = to_source(DOC)
    assert src["title"] == DOC.title and src["body"] == DOC.body
    assert not any(k.endswith(("_plus", "_exact")) for k in src)
    assert src["date"] == "2014-06-10T05:30:00.000Z" and src["month"] == "2014-06"
    assert src["country"] == ["IQ", "SY"] and src["troops"] == [500, 1200] and src["troops_max"] == 1200
    assert src["extraction"] == DOC.extraction
    assert set(src) <= set(mappings()["properties"])
    assert src["story"] == "a1" and src["day"] == "2014-06-10"  # alone in its story: its own id
    assert from_source(src) == replace(DOC, story="a1")
    assert "arrived" not in src and "digest" not in src  # the build or upsert stamps the arrival
    stamped = to_source(replace(DOC, arrived="2026-11-21T14:05:03.120Z", digest=2**64 - 1))
    assert stamped["arrived"] == "2026-11-21T14:05:03.120Z" and stamped["digest"] == 2**64 - 1
    back = from_source(stamped)
    assert (back.arrived, back.digest) == ("2026-11-21T14:05:03.120Z", 2**64 - 1)
    assert set(stamped) <= set(mappings()["properties"])


def test_actions_carry_every_python_chain_the_cluster_does_not_run():
    action = to_action(DOC)
    assert action["_id"] == "a1"
    sent = action["_source"]
    assert {k: v for k, v in sent.items() if k in to_source(DOC)} == to_source(DOC)
    for scope, text in (("title", DOC.title), ("body", DOC.body)):
        for chain in ("arabic_plus", "arabic_exact"):
            assert sent[text_field(scope, chain)] == joined_terms(chain, text, GAP)
    assert sent["lead_plus"] == joined_terms("arabic_plus", lead_text(DOC.title, DOC.body), GAP)
    assert set(sent) <= set(mappings()["properties"])
    # The title's stop word في is a gap in the plus chain, a term in the exact chain.
    assert sent["title_plus"].split(" ")[1] == GAP and GAP not in sent["title_exact"]
    no_title = to_action(StoredDocument(id="n", body="نص"))["_source"]
    assert "title_plus" not in no_title and "body_plus" in no_title


def test_long_ids_are_bounded_stably():
    long = "z" * 513
    assert es_id(long) == es_id(long) and len(es_id(long).encode()) <= 512 and es_id(long).startswith("z" * 400)
    assert es_id("ب" * 300) != es_id("ب" * 301) and len(es_id("ب" * 300).encode()) <= 512
    assert to_action(StoredDocument(id=long, body="x"))["_source"]["id"] == long


def test_prepare_runs_in_worker_processes():
    import pickle

    from search.backends.elasticsearch_backend import ElasticsearchBackend

    action = ElasticsearchBackend.prepare(DOC)
    assert pickle.loads(pickle.dumps(action)) == action
    assert TantivyBackend.prepare is not ElasticsearchBackend.prepare


def test_unparsable_dates_are_left_out_of_the_date_field_but_kept():
    doc = StoredDocument(id="x", body="b", date="sometime in 2014")
    src = to_source(doc)
    assert "date" not in src and from_source(src).date == "sometime in 2014"
    assert es_date(None) is None and es_date("2014-06-10") == "2014-06-10T00:00:00.000Z"
    minimal = StoredDocument(id="m", body="")
    assert from_source(to_source(minimal)) == replace(minimal, story="m")


def test_casualties_flags_and_troop_mentions_are_mapped_and_round_trip():
    props = mappings()["properties"]
    assert props["casualties"] == {"type": "integer"} and props["casualties_max"] == {"type": "integer"}
    assert props["flags"] == {"type": "keyword"}
    assert props["troop_mentions"] == {"type": "object", "enabled": False}   # stored for hits, not indexed
    mention = {"value": 42, "upper": None, "bound": None, "kind": "casualties", "casualty": "killed",
               "noun": "members", "word": "عنصر", "flags": []}
    doc = StoredDocument(id="c", body="قتل 42 من عناصر داعش", casualties=[42], casualties_max=42,
                         flags=["rhetorical"], troop_mentions=[mention])
    src = to_source(doc)
    assert src["casualties"] == [42] and src["casualties_max"] == 42 and src["flags"] == ["rhetorical"]
    assert set(src) <= set(props) and from_source(src) == replace(doc, story="c")
    # the casualty range filter and sort name mapped fields
    from search.backends.elasticsearch_query import sort_spec
    from search.model import Range, SearchRequest
    from search.query import parse

    plan = build_plan(SearchRequest(parse("").tree, ranges={"casualties": Range(10, None)}))
    assert plan.facet_filters["casualties"].field == "casualties_max"
    assert sort_spec("casualties")[0] == {"casualties_max": {"order": "desc", "missing": "_last"}}
