"""Query DSL compiled from the shared plan, pinned and checked against the client's typed DSL.

Each expected body is built a second time with ``elasticsearch.dsl`` (``Q``, ``A``,
``Search``) so that what we send has the shape the official client itself produces.
"""
from __future__ import annotations

import json

import pytest
from elasticsearch.dsl import A, Q, Search

from search.analysis import analyze_field
from search.backends.common import GAP
from search.fields import LEAD_FIELD
from search.backends.elasticsearch_query import (compile_clause, facet_aggs, phrase_text, scan_body, search_body,
                                                 sort_spec)
from search.model import Range, SearchRequest
from search.query import parse
from search.query.plan import (All, AtLeast, Bool, DisMax, Keyword, Nothing, NumRange, PhraseTerms, PrefixTerm,
                               Rank, Term, build_plan)
from search.query.ranking import RANKING


def req(q="", **kw):
    return SearchRequest(query=parse(q).tree, **kw)


def term(chain: str, word: str) -> str:
    (tok,) = analyze_field(chain, word)
    return tok.term


def word_opts(word: str, scopes=("title", "body"), scale: float = 1.0) -> list[Q]:
    """A term per scope and chain, with the ranking's boosts."""
    opts = []
    for scope in scopes:
        for chain, suffix in (("arabic", ""), ("arabic_plus", "_plus")):
            boost = RANKING.scope_weight(scope) * RANKING.chain_weight(chain) * scale
            params = {"value": term(chain, word)}
            if boost != 1.0:
                params["boost"] = boost
            opts.append(Q("term", **{scope + suffix: params}))
    return opts


def word_q(word: str, scopes=("title", "body"), scale: float = 1.0) -> Q:
    """What one search word must become: its best (scope, chain) match (dis_max), or with
    ``combine="sum"`` every match added up."""
    opts = word_opts(word, scopes, scale)
    if RANKING.combine == "sum":
        return Q("bool", should=opts)
    return Q("dis_max", queries=opts, tie_breaker=RANKING.tie_breaker)


def boost(value: float) -> dict:
    """The boost parameter as the compiler writes it (none for 1.0)."""
    return {"boost": value} if value != 1.0 else {}


def ranked_word_q(word: str) -> Q:
    """A one-word query as the planner sends it: the word, and its lead bonus term."""
    if not RANKING.lead:
        return word_q(word)
    return Q("bool", must=[word_q(word)], should=[Q("term", **{LEAD_FIELD: {"value": term("arabic_plus", word),
                                                                              **boost(RANKING.lead)}})])


def options(body: dict) -> list[dict]:
    return body["dis_max"]["queries"] if "dis_max" in body else body["bool"]["should"]


def compiled(q: str, **kw) -> dict:
    """The compiled query without the lead bonus (its own test below), so that each test
    pins the part it is about."""
    return strip_lead(compile_clause(build_plan(req(q, **kw)).query))


def is_lead_term(clause: dict) -> bool:
    return set(clause) == {"term"} and set(clause["term"]) == {LEAD_FIELD}


def strip_lead(body: dict) -> dict:
    """``body`` without the lead bonus terms the planner adds to the top-level query."""
    inner = body.get("bool")
    if not inner or not any(is_lead_term(c) for c in inner.get("should", [])):
        return body
    should = [c for c in inner["should"] if not is_lead_term(c)]
    rest = {k: v for k, v in inner.items() if k != "should"}
    if not should and set(rest) == {"must"} and len(rest["must"]) == 1:
        return rest["must"][0]
    return {"bool": {**rest, **({"should": should} if should else {})}}


def test_every_query_word_adds_a_lead_bonus_term_and_never_decides_what_matches():
    body = compile_clause(build_plan(req('الموصل "الدولة الإسلامية" -حلب')).query)
    lead = [c["term"][LEAD_FIELD] for c in body["bool"]["should"] if is_lead_term(c)]
    words = [term("arabic_plus", w) for w in ("الموصل", "الدولة", "الإسلامية")]
    assert lead == [{"value": w, **boost(RANKING.lead)} for w in words]
    # A bonus: optional, next to the required query (no minimum_should_match).
    assert "must" in body["bool"] and "minimum_should_match" not in body["bool"]
    assert LEAD_FIELD not in json.dumps(body["bool"]["must"])


def test_a_word_is_term_queries_on_the_analyzed_fields_never_query_string():
    assert compiled("داعش") == word_q("داعش").to_dict()
    body = compiled("الموصل")
    # The analyzed form (stemmed, normalized) is what reaches Elasticsearch.
    assert options(body)[0] == {"term": {"title": {"value": term("arabic", "الموصل"), **boost(RANKING.title)}}}


def test_a_word_with_a_stopword_inside_is_a_phrase_with_the_exact_gap():
    # "الدولة-في-العراق" is one word to the parser; the base chain drops في and keeps its position.
    body = compiled("الدولة-في-العراق")
    first = options(body)[0]
    dawla, iraq = term("arabic", "الدولة"), term("arabic", "العراق")
    expected = Q("match_phrase", title={"query": f"{dawla} {GAP} {iraq}", "analyzer": "pre_analyzed",
                                        "slop": 0, **boost(RANKING.title)})
    assert first == expected.to_dict()


def test_phrase_text_writes_one_gap_token_per_missing_position():
    assert phrase_text(("a", "b", "c"), (0, 1, 2)) == "a b c"
    assert phrase_text(("a", "b", "c"), (0, 2, 5)) == f"a {GAP} b {GAP} {GAP} c"
    with pytest.raises(ValueError):
        phrase_text(("a", "b"), (1, 0))


def phrase_q(field: str, words: list[str], boost: float, slop: int = 0) -> Q:
    params = {"query": " ".join(words), "analyzer": "pre_analyzed", "slop": slop}
    if boost != 1.0:
        params["boost"] = boost
    return Q("match_phrase", **{field: params})


def test_a_quoted_phrase_is_exact_and_also_clitic_forgiving_at_a_lower_weight():
    body = compiled('"الدولة الإسلامية"')
    exact = [term("arabic_exact", w) for w in ("الدولة", "الإسلامية")]
    norm = 2 ** -RANKING.phrase_norm  # a phrase of two words weighs as one unit
    opts = [phrase_q("title_exact", exact, RANKING.title * norm), phrase_q("body_exact", exact, norm)]
    if RANKING.phrase_plus:
        plus = [term("arabic_plus", w) for w in ("الدولة", "الإسلامية")]
        opts += [phrase_q("title_plus", plus, RANKING.title * RANKING.phrase_plus * norm),
                 phrase_q("body_plus", plus, RANKING.phrase_plus * norm)]
    expected = Q("bool", should=opts) if RANKING.combine == "sum" else \
        Q("dis_max", queries=opts, tie_breaker=RANKING.tie_breaker)
    assert body == expected.to_dict()


def test_a_phrase_typed_with_clitics_gives_the_same_plus_chain_phrase():
    """بمسجد الإمام الصادق and مسجد الإمام الصادق: the plus-chain phrase is the same, so each
    finds the other (the exact phrase still prefers the typed form)."""
    if not RANKING.phrase_plus:
        pytest.skip("clitic-forgiving phrases are off")
    a = options(compiled('"بمسجد الإمام الصادق"'))
    b = options(compiled('"مسجد الإمام الصادق"'))
    assert [x for x in a if "body_plus" in json.dumps(x)] == [x for x in b if "body_plus" in json.dumps(x)]
    assert [x for x in a if "body_exact" in json.dumps(x)] != [x for x in b if "body_exact" in json.dumps(x)]


def test_a_spaced_compound_name_is_a_phrase_that_also_matches_the_joined_spelling():
    def terms(chain, text):
        return " ".join(t.term for t in analyze_field(chain, text))

    spaced_base, spaced_plus = terms("arabic", "عبد ربه"), terms("arabic_plus", "عبد ربه")
    joined_base = terms("arabic", "عبدربه")
    assert " " not in joined_base and terms("arabic_plus", "عبدربه") == spaced_plus  # the plus chain splits
    body = json.dumps(compiled("عبد ربه"), ensure_ascii=False)
    # the pair as a phrase in both word chains, and the joined عبدربه as one Lucene-chain term
    assert f'"title": {{"query": "{spaced_base}"' in body and f'"body_plus": {{"query": "{spaced_plus}"' in body
    assert f'"body": {{"value": "{joined_base}"' in body
    # typed joined: one Lucene-chain term, split into the pair by the plus chain, and the spaced phrase
    joined = json.dumps(compiled("عبدربه"), ensure_ascii=False)
    assert f'"body": {{"value": "{joined_base}"' in joined and f'"body_plus": {{"query": "{spaced_plus}"' in joined
    assert f'"body": {{"query": "{spaced_base}"' in joined
    # أبو بكر also as أبي بكر / أبا بكر
    kunya = json.dumps(compiled("أبو بكر"), ensure_ascii=False)
    for form in ("أبي بكر", "أبا بكر"):
        assert f'"body": {{"query": "{terms("arabic", form)}"' in kunya, form


def test_new_plan_clauses_compile_to_dis_max_minimum_should_match_and_optional_should():
    a, b = Term("body", "a"), Term("title", "b", 2.0)
    assert compile_clause(DisMax((a, b), 0.1)) == \
        Q("dis_max", queries=[Q("term", body={"value": "a"}), Q("term", title={"value": "b", "boost": 2.0})],
          tie_breaker=0.1).to_dict()
    assert compile_clause(AtLeast((a, b, Term("body", "c")), 2)) == \
        Q("bool", should=[Q("term", body={"value": "a"}), Q("term", title={"value": "b", "boost": 2.0}),
                          Q("term", body={"value": "c"})], minimum_should_match=2).to_dict()
    near = PhraseTerms("body_plus", ("a", "b"), (0, 1), 0.5, slop=1)
    assert compile_clause(Rank(a, (near,))) == \
        Q("bool", must=[Q("term", body={"value": "a"})],
          should=[phrase_q("body_plus", ["a", "b"], 0.5, slop=1)]).to_dict()


def test_every_word_is_required_and_the_continuation_lacks_exactly_one():
    words = ("تحرير", "عدن", "المقاومة", "الشعبية")
    if not RANKING.relax_from or RANKING.relax_from > 4:
        pytest.skip("questions without a continuation")
    # The result set: every word (scored as a complete match of the relaxed ranking: the
    # words' weights times 1 + coverage), then the proximity bonus of adjacent words.
    body = compiled(" ".join(words))
    core = body["bool"]["must"][0]
    assert [json.dumps(q, ensure_ascii=False) for q in core["bool"]["must"]] == \
        [json.dumps(word_q(w, scale=1 + RANKING.coverage).to_dict(), ensure_ascii=False) for w in words]
    scopes = 2 if RANKING.proximity_title else 1  # a phrase per adjacent pair: body, and title if on
    assert len(body["bool"]["should"]) == scopes * (len(words) - 1)
    # The continuation: at least three of the four words, and not all four; no bonus.
    partial = compiled(" ".join(words), match="partial")
    assert partial == Q("bool", must=[Q("bool", should=[word_q(w) for w in words], minimum_should_match=3)],
                        must_not=[Q("bool", must=[word_q(w) for w in words])]).to_dict()
    # Stories already shown among complete matches, and a lookup of a few ids, narrow the query.
    request = req("تحرير عدن", match="partial", exclude_stories=("s1", "s2"), ids=("a",))
    narrowed = compile_clause(build_plan(request).query)
    assert narrowed["bool"]["filter"] == [Q("term", id={"value": "a"}).to_dict()]
    assert narrowed["bool"]["must_not"] == [Q("terms", story=["s1", "s2"]).to_dict()]
    # One word, a quoted word, an OR: no continuation.
    for q in ("تحرير", '"تحرير"', "تحرير OR عدن"):
        assert compiled(q, match="partial") == Q("match_none").to_dict(), q


def test_a_loosened_phrase_needs_its_words_and_not_the_phrase():
    body = compiled('"تحرير عدن"', match="partial")
    (core,) = body["bool"]["must"]
    # Both words anywhere, and not the phrase as the result set matches it.
    assert core == Q("bool", must=[Q("bool", must=[word_q("تحرير"), word_q("عدن")])],
                     must_not=[Q(compiled('"تحرير عدن"'))]).to_dict()
    # The words near each other (plus chain, slop 4) rank first: a bonus, never required.
    plus = " ".join(term("arabic_plus", w) for w in ("تحرير", "عدن"))
    assert body["bool"]["should"] == [phrase_q(f"{scope}_plus", [plus], RANKING.proximity * RANKING.scope_weight(scope),
                                               4).to_dict() for scope in ("title", "body")]


def test_a_loosened_phrase_of_three_words_may_lack_one_and_all_three_rank_first():
    words = ("تحرير", "مدينة", "عدن")
    body = compiled('"تحرير مدينة عدن"', match="partial")
    (core,) = body["bool"]["must"]
    assert core == Q("bool", must=[Q("bool", should=[word_q(w) for w in words], minimum_should_match=2)],
                     must_not=[Q(compiled('"تحرير مدينة عدن"'))]).to_dict()
    # Every word there adds their score again times the coverage weight, then the near bonus.
    plus = " ".join(term("arabic_plus", w) for w in words)
    assert body["bool"]["should"] == [
        Q("bool", must=[word_q(w, scale=RANKING.coverage) for w in words]).to_dict(),
        *(phrase_q(f"{scope}_plus", [plus], RANKING.proximity * RANKING.scope_weight(scope), 4).to_dict()
          for scope in ("title", "body"))]


def test_the_continuation_count_counts_stories_without_collapsing_an_empty_page():
    request = req("تحرير عدن", match="partial", exclude_stories=("s1",), page_size=0, facets=())
    body = search_body(request, build_plan(request))
    assert "collapse" not in body and body["size"] == 0 and body["aggs"]["_stories"]["cardinality"]["field"] == "story"
    assert body["query"]["bool"]["must_not"] == [Q("term", story={"value": "s1"}).to_dict()]
    shown = req("تحرير عدن", match="partial", exclude_stories=("s1",), start=7, page_size=3)
    body = search_body(shown, build_plan(shown))
    assert body["collapse"]["field"] == "story" and body["from"] == 7 and body["size"] == 3


def test_the_story_ids_of_the_complete_matches_are_one_terms_aggregation():
    from search.backends.elasticsearch_query import story_ids_body

    request = req("تحرير عدن", filters={"source": ("okaz",)}, collapse=False, facets=())
    full = Q("bool", must=[compile_clause(build_plan(request).query)], filter=[Q("term", source={"value": "okaz"})])
    s = Search().query(full).extra(size=0, track_total_hits=False)
    s.aggs.bucket("s", "terms", field="story", size=10_001)
    assert story_ids_body(build_plan(request), 10_000) == s.to_dict()


def test_a_prefix_is_a_constant_score_prefix_query_on_the_exact_fields():
    body = compiled("امريك*")
    expected = Q("bool", should=[
        Q("prefix", title_exact={"value": "امريك", "rewrite": "constant_score", **boost(RANKING.title)}),
        Q("prefix", body_exact={"value": "امريك", "rewrite": "constant_score"})])
    assert body == expected.to_dict()


def test_negation_and_or():
    assert compiled("داعش -سوريا") == Q("bool", must=[word_q("داعش")], must_not=[word_q("سوريا")]).to_dict()
    assert compiled("-سوريا") == Q("bool", must=[Q("match_all")], must_not=[word_q("سوريا")]).to_dict()
    assert compiled("الموصل OR حلب") == Q("bool", should=[word_q("الموصل"), word_q("حلب")]).to_dict()


def test_field_filters_and_scoped_words():
    expected = Q("bool", must=[Q("term", country={"value": "IQ"}), word_q("داعش", scopes=("title",))])
    assert compiled("country:iq title:داعش") == expected.to_dict()


def test_should_beside_must_needs_at_least_one_match():
    clause = Bool(must=(Term("body", "a"),), should=(Term("body", "b"), Term("body", "c")))
    expected = Q("bool", must=[Q("term", body={"value": "a"})],
                 should=[Q("term", body={"value": "b"}), Q("term", body={"value": "c"})], minimum_should_match=1)
    assert compile_clause(clause) == expected.to_dict()
    assert "minimum_should_match" not in compile_clause(Bool(should=(Term("body", "b"),)))["bool"]


def test_leaf_clauses():
    assert compile_clause(All()) == Q("match_all").to_dict()
    assert compile_clause(Nothing()) == Q("match_none").to_dict()
    assert compile_clause(Bool()) == Q("match_all").to_dict()
    assert compile_clause(Keyword("org", ("داعش", "النصرة"))) == Q("terms", org=["داعش", "النصرة"]).to_dict()
    assert compile_clause(NumRange("troops_max", 1000, None)) == Q("range", troops_max={"gte": 1000}).to_dict()
    assert compile_clause(NumRange("troops_max", None, 99)) == Q("range", troops_max={"lte": 99}).to_dict()
    # Unparsable bounds are open, as in the tantivy backend (both read dates with one function).
    assert compile_clause(NumRange("date", "June", None, is_date=True)) == Q("match_all").to_dict()
    assert compile_clause(NumRange("date", "2014-06-01", "2014-06-30T23:59:59+03:00", is_date=True)) == \
        Q("range", date={"gte": "2014-06-01T00:00:00.000Z", "lte": "2014-06-30T20:59:59.000Z"}).to_dict()
    assert compile_clause(PrefixTerm("body_exact", "x")) == \
        Q("prefix", body_exact={"value": "x", "rewrite": "constant_score"}).to_dict()
    assert compile_clause(PhraseTerms("body_exact", ("a", "b"), (0, 1), 3.0)) == \
        Q("match_phrase", body_exact={"query": "a b", "analyzer": "pre_analyzed", "slop": 0, "boost": 3.0}).to_dict()


def test_two_active_facet_filters_give_a_post_filter_and_per_facet_filtered_aggregations():
    request = req("داعش", filters={"country": ("IQ", "SY")}, ranges={"troops": Range(1000, None)})
    plan = build_plan(request)
    body = search_body(request, plan, timeout="20s")

    country_f = Q("terms", country=["IQ", "SY"])
    troops_f = Q("range", troops_max={"gte": 1000})
    troop_ranges = [{"key": "1-99", "from": 1, "to": 100}, {"key": "100-999", "from": 100, "to": 1000},
                    {"key": "1000-9999", "from": 1000, "to": 10000}, {"key": "10000-", "from": 10000}]
    s = Search().query(ranked_word_q("داعش")).post_filter(Q("bool", filter=[country_f, troops_f]))
    # Each facet is counted under every filter but its own (disjunctive counts).
    s.aggs.bucket("country", A("filter", filter=Q("bool", filter=[troops_f]))) \
        .bucket("values", "terms", field="country", size=50)
    s.aggs.bucket("org", A("filter", filter=Q("bool", filter=[country_f, troops_f]))) \
        .bucket("values", "terms", field="org", size=50)
    s.aggs.bucket("troops", A("filter", filter=Q("bool", filter=[country_f]))) \
        .bucket("values", "range", field="troops_max", ranges=troop_ranges)
    casualty_ranges = [{"key": "1-9", "from": 1, "to": 10}, {"key": "10-99", "from": 10, "to": 100},
                       {"key": "100-999", "from": 100, "to": 1000}, {"key": "1000-", "from": 1000}]
    s.aggs.bucket("casualties", A("filter", filter=Q("bool", filter=[country_f, troops_f]))) \
        .bucket("values", "range", field="casualties_max", ranges=casualty_ranges)
    s.aggs.bucket("month", A("filter", filter=Q("bool", filter=[country_f, troops_f]))) \
        .bucket("values", "terms", field="month", size=1000, order={"_key": "asc"})
    s.aggs.bucket("source", A("filter", filter=Q("bool", filter=[country_f, troops_f]))) \
        .bucket("values", "terms", field="source", size=50)
    # Stories among the hits: counted under every filter, like the hits (docs/stories.md).
    s.aggs.bucket("_stories", A("filter", filter=Q("bool", filter=[country_f, troops_f]))) \
        .metric("values", "cardinality", field="story", precision_threshold=40000)
    s = s.collapse("story", inner_hits={"name": "versions", "size": 6,
                                        "sort": [{"date": {"order": "asc", "missing": "_last"}}, {"id": {"order": "asc"}}],
                                        "_source": {"includes": ["id", "source", "meta.date"]}})
    s = s.sort({"_score": {"order": "desc"}}, {"id": {"order": "asc"}}) \
        .extra(from_=0, size=10, track_total_hits=True).source(excludes=["extraction"])
    s = s.extra(timeout="20s")
    assert body == s.to_dict()


def test_the_date_range_filters_month_counts_like_its_own_facet():
    request = req("", ranges={"date": Range("2014-06-01", None)}, facets=("month", "source"))
    aggs = facet_aggs(build_plan(request), request)
    assert aggs["month"]["filter"] == {"match_all": {}}  # the month facet ignores the date filter
    assert aggs["source"]["filter"] == {"bool": {"filter": [{"range": {"date": {"gte": "2014-06-01T00:00:00.000Z"}}}]}}


def test_without_filters_aggregations_are_plain_and_there_is_no_post_filter():
    request = req("داعش", facets=("country",))
    body = search_body(request, build_plan(request), timeout=None)
    assert "post_filter" not in body and "highlight" not in body
    assert body["aggs"] == {"country": A("terms", field="country", size=50).to_dict(),
                            "_stories": A("cardinality", field="story", precision_threshold=40000).to_dict()}
    every = req("داعش", facets=("country",), collapse=False)
    body = search_body(every, build_plan(every), timeout=None)
    assert "collapse" not in body and body["aggs"] == {"country": A("terms", field="country", size=50).to_dict()}


def test_sorts_have_a_unique_tiebreaker_and_put_missing_values_last():
    assert sort_spec("relevance") == [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    assert sort_spec("date") == [{"date": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}]
    assert sort_spec("troops") == [{"troops_max": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}]
    page2 = search_body(req("", sort="date", page=3, page_size=20), build_plan(req("")), timeout=None)
    assert (page2["from"], page2["size"]) == (40, 20)


def test_scan_body_for_date_sort_with_search_after():
    request = req("داعش", filters={"source": ("aawsat",)}, sort="date")
    plan = build_plan(request)
    body = {**scan_body(plan, request.sort, 500), "search_after": ["2014-06-10T00:00:00.000Z", "a"]}
    s = Search().query(Q("bool", must=[ranked_word_q("داعش")], filter=[Q("term", source={"value": "aawsat"})])) \
        .sort({"date": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}) \
        .extra(size=500, track_total_hits=False, search_after=["2014-06-10T00:00:00.000Z", "a"])
    assert body == s.to_dict()


@pytest.mark.parametrize("q", ['title:"x y" OR (z* -w)', 'a:b "c', "\\*:* AND OR", "_exists_:title", "(((",
                               "body:* \\\" ~2 ^3", "<script>alert(1)</script>"])
def test_no_user_text_ever_reaches_a_query_parser(q):
    request = req(q, filters={"org": ("a\"b",)})
    text = json.dumps(search_body(request, build_plan(request), timeout="20s"))
    assert "query_string" not in text and "simple_query_string" not in text


def test_collapse_on_the_story_with_its_versions_as_inner_hits():
    from search.backends.elasticsearch_query import collapse_spec

    s = Search().collapse("story", inner_hits={
        "name": "versions", "size": 6, "sort": [{"date": {"order": "asc", "missing": "_last"}}, {"id": {"order": "asc"}}],
        "_source": {"includes": ["id", "source", "meta.date"]}})
    assert {"collapse": collapse_spec()} == s.to_dict()


def test_the_day_facet_is_counted_within_the_month_drilled_into():
    request = req("", ranges={"date": Range("2015-07-01", "2015-07-31T23:59:59")}, facets=("month", "day"))
    aggs = facet_aggs(build_plan(request), request)
    assert aggs["month"]["filter"] == {"match_all": {}}
    s = Search()
    s.aggs.bucket("day", A("filter", filter=Q("bool", filter=[Q("term", month={"value": "2015-07"})]))) \
        .bucket("values", "terms", field="day", size=1000, order={"_key": "asc"})
    assert aggs["day"] == s.to_dict()["aggs"]["day"]


def test_trend_bodies_count_matches_per_period_without_hits():
    from search.backends.elasticsearch_query import period_body, span_body

    request = req("داعش", filters={"source": ("okaz",)}, collapse=False, facets=())
    plan = build_plan(request)
    full = Q("bool", must=[ranked_word_q("داعش")], filter=[Q("term", source={"value": "okaz"})])
    s = Search().query(full).extra(size=0, track_total_hits=True)
    s.aggs.metric("first", "min", field="date")
    s.aggs.metric("last", "max", field="date")
    assert span_body(plan) == s.to_dict()
    s = Search().query(full).extra(size=0, track_total_hits=False)
    s.aggs.bucket("p", "terms", field="month", size=24, order={"_key": "asc"})
    assert period_body(plan, "month", 24) == s.to_dict()
    with pytest.raises(ValueError):
        period_body(plan, "title", 5)


def test_a_batch_row_is_a_count_with_a_few_aggregations_and_the_filters_in_the_query():
    from search.backends.elasticsearch_query import summary_body

    request = req("داعش", filters={"country": ("IQ",)}, ranges={"date": Range("2014-06-01", None)})
    plan = build_plan(request)
    body = summary_body(plan, 3)
    s = Search().query(Q("bool", must=[ranked_word_q("داعش")], filter=[
        Q("term", country={"value": "IQ"}), Q("range", date={"gte": "2014-06-01T00:00:00.000Z"})]))
    s.aggs.bucket("country", "terms", field="country", size=3)
    s.aggs.bucket("org", "terms", field="org", size=3)
    s.aggs.metric("date_min", "min", field="date")
    s.aggs.metric("date_max", "max", field="date")
    assert body == s.extra(size=0, track_total_hits=True).to_dict()
    # The same matches as the results page: its query plus its post_filter.
    page = search_body(request, plan)
    assert body["query"]["bool"]["must"] == [page["query"]]
    assert body["query"]["bool"]["filter"] == page["post_filter"]["bool"]["filter"]


def test_arrival_sort_and_since_filter():
    assert sort_spec("arrived") == [{"arrived": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}]
    request = req("", ranges={"arrived": Range("2026-11-21T14:05:03.121Z", None)}, facets=("source",))
    body = search_body(request, build_plan(request))
    since = Q("range", arrived={"gte": "2026-11-21T14:05:03.121Z"})
    assert body["post_filter"] == Q("bool", filter=[since]).to_dict()
    # Not a facet: every facet's counts are narrowed by it.
    assert body["aggs"]["source"]["filter"] == Q("bool", filter=[since]).to_dict()


def test_the_arrival_scan_reads_three_fields_in_id_order():
    from search.backends.elasticsearch_query import arrival_scan_body

    assert arrival_scan_body(5000) == Search().query(Q("match_all")).sort({"id": {"order": "asc"}}).extra(
        size=5000, track_total_hits=False).source(["id", "arrived", "digest"]).to_dict()


# ---- forgiving queries (issue 10): the parser's repairs reach Elasticsearch as plain plan clauses ----

def test_forgiving_operators_compile_like_their_strict_forms():
    assert compiled("داعش AND الموصل") == compiled("داعش الموصل")
    assert compiled("داعش NOT سوريا") == compiled("داعش -سوريا")
    assert compiled("داعش or الدولة") == compiled("داعش OR الدولة")
    assert compiled("«الدولة الإسلامية»") == compiled('"الدولة الإسلامية"')
    assert compiled("🔥 داعش^5") == compiled("داعش")


def test_nothing_searchable_is_match_none_and_stopwords_are_exact_terms():
    assert compiled("!!!") == {"match_none": {}}
    body = json.dumps(compiled("في"), ensure_ascii=False)
    # Searched as written: exact-chain terms (the stopword kept), never match_all.
    assert '"title_exact": {' in body and '"body_exact": {' in body and '"value": "في"' in body
    assert "match_all" not in body
    assert compiled("في") == compile_clause(build_plan(req('"في"')).query)


def test_latin_names_expand_in_the_plan_as_arabic_words():
    from search.query.names import expand

    tree, _ = expand(parse("Mosul").tree)
    body = strip_lead(compile_clause(build_plan(SearchRequest(query=tree)).query))
    arabic = compiled("الموصل")
    assert arabic in body["bool"]["should"]  # the Arabic word, compiled as if typed
    assert "query_string" not in json.dumps(body)


def test_a_compound_name_inside_a_loosened_phrase_stays_one_unit():
    def core(q):
        (found,) = compiled(q, match="partial")["bool"]["must"]
        return found["bool"]["must"][0]["bool"]

    from search.query.plan import _Lowering
    from search.query.tree import Word

    name = compile_clause(_Lowering(RANKING).name_pair(Word("عبد"), Word("ربه")))  # as a typed name
    # Two units (the name, منصور): both required, the name never split into عبد and ربه.
    two = core('"عبد ربه منصور"')
    assert "minimum_should_match" not in two and two["must"][0] == name and len(two["must"]) == 2
    # Three units: any two of them, the name counting as one.
    three = core('"عبد ربه منصور هادي"')
    assert three["minimum_should_match"] == 2 and len(three["should"]) == 3 and three["should"][0] == name


def test_al_typed_without_its_madda_is_the_name_word():
    # "ال جابر" is آل جابر typed the quick way: the same compound name, one unit.
    assert compiled("محمد ال جابر") == compiled("محمد آل جابر")
    assert compiled("محمد ال جابر", match="partial") == compiled("محمد آل جابر", match="partial")
    from search.query.plan import continuation_units, unit_text

    assert [unit_text(u) for u in continuation_units(parse("محمد ال جابر").tree)] == ["محمد", "ال جابر"]
    # A lone ال with nothing after it stays a word; ال never ends a name.
    assert [unit_text(u) for u in continuation_units(parse("حكم ال").tree)] == ["حكم", "ال"]
