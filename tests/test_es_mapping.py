"""Index settings, mappings and documents generated for Elasticsearch from the shared definitions."""
from __future__ import annotations

import json

from search.analysis import ANALYZER_VERSION, ES_ANALYZER_NAMES, elasticsearch_analysis_settings
from search.backends.elasticsearch_mapping import (GAP_TOKEN, PLAN_ANALYZER, analysis_settings, es_date,
                                                   from_source, index_settings, live_settings, mappings,
                                                   to_action, to_source)
from search.backends.tantivy_backend import TantivyBackend
from search.fields import TEXT_SCOPES, text_field
from search.model import StoredDocument
from search.query.plan import build_plan

DOC = StoredDocument(id="a1", title="داعش في الموصل", body="قال مسؤول إن تنظيم داعش انسحب.",
                     date="2014-06-10T08:30:00+03:00", source="aawsat", url="https://example.org/a1",
                     author="مراسل", origin="seeds/a1.txt", countries=["IQ", "SY"], orgs=["داعش"],
                     troops=[500, 1200], troops_max=1200, extraction={"body": {"countries": [{"code": "IQ"}]}})


def test_settings_carry_the_shared_analysis_chains_and_the_plan_analyzer():
    s = index_settings(shards=3, replicas=2)
    shared = elasticsearch_analysis_settings()
    for name in ES_ANALYZER_NAMES.values():
        assert s["analysis"]["analyzer"][name] == shared["analyzer"][name]
    assert s["analysis"]["filter"].items() >= {k: v for k, v in shared["filter"].items()}.items()
    assert s["analysis"]["analyzer"][PLAN_ANALYZER] == {"type": "custom", "tokenizer": "whitespace",
                                                        "filter": ["plan_gap"]}
    assert s["analysis"]["filter"]["plan_gap"] == {"type": "stop", "stopwords": [GAP_TOKEN]}
    assert s["index"] == {"number_of_shards": 3, "number_of_replicas": 2, "refresh_interval": "1s",
                          "max_result_window": 10000}
    # The shared definition is not modified by adding the plan analyzer.
    assert PLAN_ANALYZER not in elasticsearch_analysis_settings()["analyzer"]


def test_settings_while_building_and_after():
    building = index_settings(shards=2, replicas=1, building=True)["index"]
    assert building["number_of_replicas"] == 0 and building["refresh_interval"] == "-1"
    assert building["number_of_shards"] == 2
    assert live_settings(1) == {"index": {"number_of_replicas": 1, "refresh_interval": "1s"}}


def test_decompound_word_list_can_live_on_the_nodes():
    s = analysis_settings("analysis/decompound_words.txt")
    decompounders = [f for f in s["filter"].values() if f.get("type") == "dictionary_decompounder"]
    assert decompounders and all(f.get("word_list_path") == "analysis/decompound_words.txt" and "word_list" not in f
                                 for f in decompounders)


def test_mappings_pin_every_field():
    m = mappings({"state": "building"})
    p = m["properties"]
    assert m["dynamic"] == "strict"
    assert m["_meta"] == {"analyzer_version": ANALYZER_VERSION, "state": "building"}
    base, plus, exact = (ES_ANALYZER_NAMES[c] for c in ("arabic", "arabic_plus", "arabic_exact"))
    for scope in TEXT_SCOPES:
        assert p[scope] == {"type": "text", "analyzer": base, "fields": {
            "plus": {"type": "text", "analyzer": plus}, "exact": {"type": "text", "analyzer": exact}}}
        # The plan's field names work unchanged: aliases of the multi-fields.
        assert p[text_field(scope, "arabic_plus")] == {"type": "alias", "path": f"{scope}.plus"}
        assert p[text_field(scope, "arabic_exact")] == {"type": "alias", "path": f"{scope}.exact"}
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
    assert not any(k.endswith(("_plus", "_exact")) for k in src)  # the analyzers derive those
    assert src["date"] == "2014-06-10T05:30:00.000Z" and src["month"] == "2014-06"
    assert src["country"] == ["IQ", "SY"] and src["troops"] == [500, 1200] and src["troops_max"] == 1200
    assert src["extraction"] == DOC.extraction
    assert set(src) <= set(mappings()["properties"])
    assert from_source(src) == DOC
    assert to_action(DOC) == {"_id": "a1", "_source": src}
    assert "arrived" not in src and "digest" not in src  # the build or upsert stamps the arrival
    from dataclasses import replace

    stamped = to_source(replace(DOC, arrived="2026-11-21T14:05:03.120Z", digest=2**64 - 1))
    assert stamped["arrived"] == "2026-11-21T14:05:03.120Z" and stamped["digest"] == 2**64 - 1
    back = from_source(stamped)
    assert (back.arrived, back.digest) == ("2026-11-21T14:05:03.120Z", 2**64 - 1)
    assert set(stamped) <= set(mappings()["properties"])


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
    assert from_source(to_source(minimal)) == minimal


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
    assert set(src) <= set(props) and from_source(src) == doc
    # the casualty range filter and sort name mapped fields
    from search.backends.elasticsearch_query import sort_spec
    from search.model import Range, SearchRequest
    from search.query import parse

    plan = build_plan(SearchRequest(parse("").tree, ranges={"casualties": Range(10, None)}))
    assert plan.facet_filters["casualties"].field == "casualties_max"
    assert sort_spec("casualties")[0] == {"casualties_max": {"order": "desc", "missing": "_last"}}
