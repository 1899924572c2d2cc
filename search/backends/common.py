"""Pieces every backend shares: facet aggregation specs and results, hits, dates, gap text.

tantivy's aggregation language follows Elasticsearch's, so one spec serves both engines.
"""
from __future__ import annotations

import datetime as dt

from search.facets import FACETS, RangeFacet
from search.highlight import Highlighter, highlight_all, snippet
from search.model import MATCH_PARTIAL, FacetBucket, FacetResult, Hit, SearchRequest, StoredDocument, lead_of

# Marks an empty position in pre-analyzed text (terms joined by spaces), for both engines.
# A private-use character: never a term of any chain (UAX#29 skips it). It also stands for
# the empty term Lucene keeps for a word of only tatweel, which whitespace cannot carry.
GAP = "\ue000"


def gap_text(terms, positions, gap: str) -> str:
    """Terms joined by spaces with one ``gap`` marker per empty position between them."""
    out: list[str] = []
    last = None
    for term, pos in zip(terms, positions, strict=True):
        if last is not None and pos > last + 1:
            out.extend([gap] * (pos - last - 1))
        out.append(term)
        last = pos if last is None else max(last, pos)
    return " ".join(out)


def facet_agg_spec(name: str, size: int, include: tuple[str, ...] | None = None) -> dict:
    """Aggregation spec of one facet (terms, or half-open ranges for a range facet).

    ``include``: count only these exact values (both engines take a list of terms; no
    user text ever goes into a regular expression).
    """
    facet = FACETS[name]
    if isinstance(facet, RangeFacet):
        ranges = []
        for b in facet.buckets:
            r: dict = {"key": b.key}
            if b.low is not None:
                r["from"] = b.low
            if b.high is not None:
                r["to"] = b.high + 1  # aggregation ranges are half-open
            ranges.append(r)
        return {"range": {"field": facet.field, "ranges": ranges}}
    spec = {"field": facet.field, "size": 1000 if facet.order == "key" else size}
    if include is not None:
        spec["include"] = list(include)
        spec["size"] = max(1, len(include))
    if facet.order == "key":
        spec["order"] = {"_key": "asc"}
    return {"terms": spec}


def facet_result(name: str, raw: dict, request: SearchRequest) -> FacetResult:
    """Buckets from an aggregation answer; selected values always listed, even at zero."""
    facet = FACETS[name]
    buckets = []
    for b in raw.get("buckets", []):
        key = str(b.get("key"))
        count = int(b.get("doc_count", 0))
        if isinstance(facet, RangeFacet) and count == 0:
            continue
        buckets.append(FacetBucket(key, count, False, facet.label(key)))
    return with_selection(FacetResult(name, buckets, int(raw.get("sum_other_doc_count", 0) or 0)), request)


def with_selection(counted: FacetResult, request: SearchRequest) -> FacetResult:
    """A new result with the request's selected values marked (and listed at zero if absent).

    ``counted`` holds the engine's buckets only; a facet's counts never depend on its own
    selection (counts are disjunctive), so one counted result serves every selection.
    """
    facet = FACETS[counted.name]
    selected = set(request.filters.get(counted.name, ()))
    buckets = [FacetBucket(b.value, b.count, b.value in selected, b.label) for b in counted.buckets]
    # A selected value with no matches must still show, so it can be removed.
    present = {b.value for b in buckets}
    for value in sorted(selected - present):
        buckets.append(FacetBucket(value, 0, True, facet.label(value)))
    return FacetResult(counted.name, buckets, counted.other)


def without_selection(result: FacetResult) -> FacetResult:
    """The engine's buckets of ``result``: selection marks and zero-count selected values dropped."""
    return FacetResult(result.name, [FacetBucket(b.value, b.count, False, b.label) for b in result.buckets
                                     if not (b.selected and b.count == 0)], result.other)


SUMMARY_FACETS = ("country", "org")


def summary_aggs(top: int) -> dict:
    """Aggregations of a batch row (the same language on both engines): top values, date span."""
    aggs = {name: facet_agg_spec(name, top) for name in SUMMARY_FACETS}
    aggs["date_min"] = {"min": {"field": "date"}}
    aggs["date_max"] = {"max": {"field": "date"}}
    return aggs


def summary_facets(raw: dict) -> dict[str, list[tuple[str, int]]]:
    return {name: [(str(b["key"]), int(b.get("doc_count", 0))) for b in raw.get(name, {}).get("buckets", [])]
            for name in SUMMARY_FACETS}


def highlighters(request: SearchRequest) -> tuple[Highlighter | None, Highlighter | None]:
    """The title and body highlighters of a request's hits (None when it asks for none); in
    the continuation a loosened phrase's words, standing apart, are what a hit matches."""
    if not request.highlight:
        return None, None
    loose = request.match == MATCH_PARTIAL
    return Highlighter(request.query, "title", loose), Highlighter(request.query, "body", loose)


def highlighted_hit(doc: StoredDocument, score, title_hl, body_hl) -> Hit:
    """A hit with Python-highlighted title and snippet from the stored original text."""
    title_html = None
    if doc.title:
        title_html = highlight_all(doc.title, title_hl.spans(doc.title)) if title_hl else None
    body_spans = body_hl.spans(doc.body) if body_hl else []
    return Hit(id=doc.id, score=score, title=doc.title, snippet=snippet(doc.body, body_spans),
               date=doc.date, source=doc.source, url=doc.url, countries=doc.countries,
               orgs=doc.orgs, troops=doc.troops, title_html=title_html, lead=lead_of(doc.body),
               casualties=doc.casualties, troop_mentions=doc.troop_mentions, story=doc.story or doc.id,
               arrived=doc.arrived)


def parse_date(value: str | None) -> dt.datetime | None:
    """ISO date or datetime string to an aware UTC datetime (None if absent or unparsable)."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = dt.datetime.fromisoformat(value[:10])
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when


# ---- coverage over time (web/trend.py) ----------------------------------------------------------

PERIOD_FIELDS = ("day", "month")  # keyword fields holding each article's day / month


def period_counts_spec(field: str, size: int) -> dict:
    """Articles per day or month (keyword fields, so both engines count the same calendar)."""
    if field not in PERIOD_FIELDS:
        raise ValueError(f"no period field {field!r}")
    return {"terms": {"field": field, "size": size, "order": {"_key": "asc"}}}


def date_span_spec() -> dict:
    return {"first": {"min": {"field": "date"}}, "last": {"max": {"field": "date"}}}


def span_value(raw: dict) -> str | None:
    """An aggregation's min/max date as an ISO day (tantivy: ns since the epoch; ES: ms, or a string)."""
    value = (raw or {}).get("value_as_string") or (raw or {}).get("value")
    if value is None:
        return None
    if isinstance(value, str):
        return value[:10]
    scale = 1e9 if abs(value) > 1e14 else 1e3
    return dt.datetime.fromtimestamp(value / scale, dt.timezone.utc).date().isoformat()


def story_ids_spec(limit: int) -> dict:
    """The story ids of the matches: one more bucket than allowed tells "too many"."""
    from search.fields import STORY_FIELD

    return {"terms": {"field": STORY_FIELD, "size": limit + 1}}


def story_ids_of(raw: dict, limit: int) -> tuple[str, ...] | None:
    keys = sorted(str(b["key"]) for b in (raw or {}).get("buckets", []))
    return None if len(keys) > limit or (raw or {}).get("sum_other_doc_count") else tuple(keys)


def period_buckets(raw: dict) -> dict[str, int]:
    return {str(b["key"]): int(b.get("doc_count", 0)) for b in (raw or {}).get("buckets", [])}
