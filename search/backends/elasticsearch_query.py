"""Compile the engine-neutral plan into Elasticsearch query DSL and search bodies.

The plan's terms are already analyzed in Python, so nothing here lets Elasticsearch
interpret user text: words become ``term`` queries on the analyzed fields, phrases a
``match_phrase`` through the whitespace-only ``pre_analyzed`` analyzer (positions, gaps
included, are the plan's), prefixes a constant-score ``prefix`` query. No highlighting is
asked of Elasticsearch: the backend highlights the stored text in Python, as tantivy's does.
"""
from __future__ import annotations

from search.backends.elasticsearch_mapping import GAP_TOKEN, PRE_ANALYZED, es_date
from search.backends.common import date_span_spec, facet_agg_spec, gap_text, period_counts_spec
from search.fields import STORY_FIELD
from search.model import SearchRequest
from search.query.plan import (All, AtLeast, Bool, Clause, DisMax, Keyword, Nothing, NumRange, PhraseTerms, Plan,
                               PrefixTerm, Rank, Term)

SORT_FIELDS = {"date": "date", "troops": "troops_max", "casualties": "casualties_max", "arrived": "arrived"}
SHOWN_VERSIONS = 5  # other versions listed under a collapsed hit (as the embedded engine)
STORIES_PRECISION = 40_000  # cardinality counts below this are close to exact (Elasticsearch's maximum)
TIEBREAK = {"id": {"order": "asc"}}  # a unique key: pages never overlap, search_after can resume


def compile_clause(clause: Clause) -> dict:
    """The query DSL equivalent of one plan clause."""
    if isinstance(clause, All):
        return {"match_all": {}}
    if isinstance(clause, Nothing):
        return {"match_none": {}}
    if isinstance(clause, Term):
        return {"term": {clause.field: _boosted({"value": clause.term}, clause.boost)}}
    if isinstance(clause, PhraseTerms):
        return {"match_phrase": {clause.field: _boosted(
            {"query": phrase_text(clause.terms, clause.positions), "analyzer": PRE_ANALYZED, "slop": clause.slop},
            clause.boost)}}
    if isinstance(clause, PrefixTerm):
        # constant_score rewrite: every match scores its boost, like tantivy's const-score regex.
        return {"prefix": {clause.field: _boosted(
            {"value": clause.prefix, "rewrite": "constant_score"}, clause.boost)}}
    if isinstance(clause, Keyword):
        if len(clause.values) == 1:
            return {"term": {clause.field: {"value": clause.values[0]}}}
        return {"terms": {clause.field: list(clause.values)}}
    if isinstance(clause, NumRange):
        bounds = {}
        low, high = clause.low, clause.high
        if clause.is_date:
            low, high = es_date(low) if low else None, es_date(high) if high else None
        else:
            low = None if low is None else int(low)
            high = None if high is None else int(high)
        if low is not None:
            bounds["gte"] = low
        if high is not None:
            bounds["lte"] = high
        return {"range": {clause.field: bounds}} if bounds else {"match_all": {}}
    if isinstance(clause, DisMax):
        return {"dis_max": {"queries": [compile_clause(c) for c in clause.options],
                            "tie_breaker": clause.tie_breaker}}
    if isinstance(clause, AtLeast):
        return {"bool": {"should": [compile_clause(c) for c in clause.clauses],
                         "minimum_should_match": clause.minimum}}
    if isinstance(clause, Rank):
        # Beside must, a should without minimum_should_match is optional: it only scores.
        return {"bool": {"must": [compile_clause(clause.match)],
                         "should": [compile_clause(c) for c in clause.bonus]}}
    if isinstance(clause, Bool):
        return _compile_bool(clause)
    raise TypeError(f"cannot compile {clause!r}")


def _compile_bool(clause: Bool) -> dict:
    body: dict = {}
    if clause.must:
        body["must"] = [compile_clause(c) for c in clause.must]
    if clause.filter:
        body["filter"] = [compile_clause(c) for c in clause.filter]
    if clause.must_not:
        body["must_not"] = [compile_clause(c) for c in clause.must_not]
    if clause.should:
        body["should"] = [compile_clause(c) for c in clause.should]
        if len(body) > 1:
            # Beside must/filter, Elasticsearch's should is optional; the plan's is not.
            body["minimum_should_match"] = 1
    if not body:
        return {"match_all": {}}
    return {"bool": body}


def _boosted(params: dict, boost: float) -> dict:
    if boost != 1.0:
        params["boost"] = boost
    return params


def phrase_text(terms: tuple[str, ...], positions: tuple[int, ...]) -> str:
    """Terms at their relative positions, with GAP_TOKEN wherever a position is empty."""
    if any(b < a for a, b in zip(positions, positions[1:])):
        raise ValueError(f"phrase positions must increase: {positions}")
    return gap_text(terms, positions, GAP_TOKEN)


def filter_clause(clauses: list[Clause]) -> dict:
    """Unscored conjunction of facet filters."""
    if not clauses:
        return {"match_all": {}}
    return {"bool": {"filter": [compile_clause(c) for c in clauses]}}


def facet_aggs(plan: Plan, request: SearchRequest) -> dict:
    """One aggregation per requested facet, with disjunctive counts.

    The hits are narrowed by ``post_filter`` (every facet filter); each facet's counts are
    taken under every filter except its own, so they tell what selecting another value of
    that facet would add.
    """
    aggs = {}
    for name in request.facets:
        spec = facet_agg_spec(name, request.facet_size, request.facet_include.get(name))
        scope = plan.facet_scope([name])
        if plan.facet_filters or scope:
            aggs[name] = {"filter": filter_clause(plan.filters_except(plan.own_filter(name)) + scope),
                          "aggs": {"values": spec}}
        else:
            aggs[name] = spec
    return aggs


def collapse_spec() -> dict:
    """One hit per story (its best by the sort), with the story's other matching versions."""
    return {"field": STORY_FIELD,
            "inner_hits": {"name": "versions", "size": SHOWN_VERSIONS + 1,
                           "sort": [{"date": {"order": "asc", "missing": "_last"}}, TIEBREAK],
                           "_source": {"includes": ["id", "source", "meta.date"]}}}


def stories_agg(plan: Plan) -> dict:
    """Distinct stories among the hits (under every filter, like the hits themselves)."""
    spec = {"cardinality": {"field": STORY_FIELD, "precision_threshold": STORIES_PRECISION}}
    if plan.facet_filters:
        return {"filter": filter_clause(plan.filters_except(None)), "aggs": {"values": spec}}
    return spec


def sort_spec(sort: str) -> list:
    """Sort keys with a unique tiebreaker (documents without the field come last)."""
    field = SORT_FIELDS.get(sort)
    if field is None:
        return [{"_score": {"order": "desc"}}, TIEBREAK]
    return [{field: {"order": "desc", "missing": "_last"}}, TIEBREAK]


def search_body(request: SearchRequest, plan: Plan, *, timeout: str | None = None) -> dict:
    """The body of the one request that serves a results page: hits, total and facets."""
    body: dict = {"query": compile_clause(plan.query)}
    if plan.facet_filters:
        body["post_filter"] = filter_clause(plan.filters_except(None))
    aggs = facet_aggs(plan, request)
    if request.collapse:
        aggs["_stories"] = stories_agg(plan)
        if request.page_size:  # a count-only request (the continuation's count) needs no groups
            body["collapse"] = collapse_spec()
    if aggs:
        body["aggs"] = aggs
    body["sort"] = sort_spec(request.sort)
    body["from"] = request.offset
    body["size"] = request.page_size
    body["track_total_hits"] = True
    body["_source"] = {"excludes": ["extraction"]}
    if timeout:
        body["timeout"] = timeout  # the cluster stops collecting hits after this (see the backend)
    return body


def scan_body(plan: Plan, sort: str, size: int) -> dict:
    """The body of one search_after page over every match (export, deep pages)."""
    return {"query": compile_clause(plan.full()), "sort": sort_spec(sort), "size": size,
            "track_total_hits": False}


def span_body(plan: Plan) -> dict:
    """Matches counted, and their first and last date (coverage over time: web/trend.py)."""
    return {"query": compile_clause(plan.full()), "size": 0, "track_total_hits": True, "aggs": date_span_spec()}


def period_body(plan: Plan, field: str, size: int) -> dict:
    """Matches per day or month (the ``day`` / ``month`` keyword fields)."""
    return {"query": compile_clause(plan.full()), "size": 0, "track_total_hits": False,
            "aggs": {"p": period_counts_spec(field, size)}}


def story_ids_body(plan: Plan, limit: int) -> dict:
    """The distinct story ids of the matches (at most ``limit`` + 1: more means "too many")."""
    from search.backends.common import story_ids_spec

    return {"query": compile_clause(plan.full()), "size": 0, "track_total_hits": False,
            "aggs": {"s": story_ids_spec(limit)}}


def summary_body(plan: Plan, top: int) -> dict:
    """A batch row: the count and a few aggregations, no hits, filters in the query itself
    (the aggregations count within the row's matches, not disjunctively)."""
    from search.backends.common import summary_aggs

    return {"query": compile_clause(plan.full()), "size": 0, "track_total_hits": True,
            "aggs": summary_aggs(top)}


def arrival_scan_body(size: int) -> dict:
    """One search_after page of (id, arrival, digest) over every document: the rebuild's scan."""
    return {"query": {"match_all": {}}, "sort": [TIEBREAK], "size": size, "track_total_hits": False,
            "_source": ["id", "arrived", "digest"]}


NEWEST_ARRIVAL_BODY = {"size": 0, "track_total_hits": False, "aggs": {"newest": {"max": {"field": "arrived"}}}}
