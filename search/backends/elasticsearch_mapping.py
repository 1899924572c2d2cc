"""Elasticsearch index settings, mappings and document conversion.

Everything is derived from the shared definitions (``search.fields`` for names and
``search.analysis`` for the analysis chains), so the cluster indexes the same fields, with
the same analyzers, that the plan's clauses name.

Layout: ``title`` and ``body`` are text fields analyzed with the base chain, each with the
multi-fields ``plus`` and ``exact``; the plan's names ``title_plus``, ``body_exact`` ... are
field aliases of those multi-fields. The original text is therefore stored once, in
``_source``, and the highlighter can combine matches of all three chains on one field.
"""
from __future__ import annotations

import copy
import datetime as dt

from search.backends.common import parse_date
from search.analysis import ANALYZER_VERSION, ES_ANALYZER_NAMES, elasticsearch_analysis_settings
from search.fields import (ARRIVAL_FIELD, CHAIN_SUFFIX, DATE_FIELD, DIGEST_FIELD, KEYWORD_FIELDS, NUMERIC_FIELDS,
                           TEXT_SCOPES, text_field)
from search.model import MAX_PAGE, PAGE_SIZE, StoredDocument

# Query-time analyzer for PhraseTerms: the plan's terms are already analyzed, joined by
# spaces, and each missing position (a removed stop word) is written as GAP_TOKEN, which
# this analyzer drops while keeping the position increment. A phrase query built from it
# has exactly the plan's relative positions, as tantivy's phrase query with offsets does.
PLAN_ANALYZER = "plan_terms"
GAP_FILTER = "plan_gap"
GAP_TOKEN = "<gap>"  # the standard tokenizer never emits "<", so no indexed term can equal it

# UI pages are served with from/size up to this depth; deeper requests walk with search_after.
DEFAULT_MAX_RESULT_WINDOW = MAX_PAGE * PAGE_SIZE
LIVE_REFRESH_INTERVAL = "1s"


def multi_field_name(chain: str) -> str:
    """Sub-field name of a chain under its scope ("plus" for arabic_plus); "" for the base chain."""
    return CHAIN_SUFFIX[chain].lstrip("_")


def concrete_field(scope: str, chain: str) -> str:
    """The real (non-alias) field path of ``scope`` analyzed with ``chain``: body, body.plus ..."""
    sub = multi_field_name(chain)
    return f"{scope}.{sub}" if sub else scope


def analysis_settings(decompound_word_list_path: str | None = None) -> dict:
    """The shared ``settings.analysis`` block plus the plan-terms analyzer."""
    if decompound_word_list_path:
        analysis = elasticsearch_analysis_settings(decompound_word_list_path)
    else:
        analysis = elasticsearch_analysis_settings()
    analysis = copy.deepcopy(analysis)
    missing = [name for name in ES_ANALYZER_NAMES.values() if name not in analysis.get("analyzer", {})]
    if missing:
        raise ValueError(f"analysis settings define no analyzer named {missing}")
    if PLAN_ANALYZER in analysis["analyzer"] or GAP_FILTER in analysis.get("filter", {}):
        raise ValueError(f"analysis settings already use the reserved names {PLAN_ANALYZER}/{GAP_FILTER}")
    analysis["analyzer"][PLAN_ANALYZER] = {"type": "custom", "tokenizer": "whitespace", "filter": [GAP_FILTER]}
    analysis.setdefault("filter", {})[GAP_FILTER] = {"type": "stop", "stopwords": [GAP_TOKEN]}
    return analysis


def index_settings(shards: int = 1, replicas: int = 1, *, building: bool = False,
                   max_result_window: int = DEFAULT_MAX_RESULT_WINDOW,
                   decompound_word_list_path: str | None = None) -> dict:
    """Settings for a new index; while ``building``, no replicas and no periodic refresh."""
    return {
        "index": {
            "number_of_shards": shards,
            "number_of_replicas": 0 if building else replicas,
            "refresh_interval": "-1" if building else LIVE_REFRESH_INTERVAL,
            "max_result_window": max_result_window,
        },
        "analysis": analysis_settings(decompound_word_list_path),
    }


def live_settings(replicas: int) -> dict:
    """What ``commit`` restores once the bulk load is over."""
    return {"index": {"number_of_replicas": replicas, "refresh_interval": LIVE_REFRESH_INTERVAL}}


def mappings(meta: dict | None = None) -> dict:
    """Field mappings; ``dynamic: strict`` so a document with an unknown field is rejected loudly."""
    props: dict[str, dict] = {"id": {"type": "keyword"}}
    for scope in TEXT_SCOPES:
        field = {"type": "text", "analyzer": ES_ANALYZER_NAMES["arabic"], "fields": {}}
        for chain, analyzer in ES_ANALYZER_NAMES.items():
            sub = multi_field_name(chain)
            if sub:
                field["fields"][sub] = {"type": "text", "analyzer": analyzer}
        props[scope] = field
        for chain in ES_ANALYZER_NAMES:
            if multi_field_name(chain):
                props[text_field(scope, chain)] = {"type": "alias", "path": concrete_field(scope, chain)}
    for name in KEYWORD_FIELDS:
        props[name] = {"type": "keyword"}
    for name in NUMERIC_FIELDS:
        props[name] = {"type": "integer"}
    props[DATE_FIELD] = {"type": "date"}
    props[ARRIVAL_FIELD] = {"type": "date"}  # when it entered the archive, milliseconds kept
    props[DIGEST_FIELD] = {"type": "unsigned_long", "index": False}  # read back by the rebuild only
    # Kept for rebuilding the document, never searched: the raw date string, url, author...
    props["meta"] = {"type": "object", "enabled": False}
    # The extraction evidence can be large and irregular: stored in _source, not indexed.
    props["extraction"] = {"type": "object", "enabled": False}
    # Compact troop mentions for hits (value, kind, noun...): stored, not indexed.
    props["troop_mentions"] = {"type": "object", "enabled": False}
    out = {"dynamic": "strict", "properties": props}
    out["_meta"] = {"analyzer_version": ANALYZER_VERSION, **(meta or {})}
    return out


# ---- documents -------------------------------------------------------------------------------

def to_source(doc: StoredDocument) -> dict:
    """The ``_source`` of one document (original text once; the analyzers derive the rest)."""
    src: dict = {"id": doc.id, "title": doc.title, "body": doc.body or ""}
    when = es_date(doc.date)
    if when is not None:
        src[DATE_FIELD] = when
    src["country"] = list(doc.countries)
    src["org"] = list(doc.orgs)
    if doc.source:
        src["source"] = doc.source
    if doc.month:
        src["month"] = doc.month
    src["troops"] = [int(t) for t in doc.troops]
    if doc.troops_max is not None:
        src["troops_max"] = int(doc.troops_max)
    src["casualties"] = [int(t) for t in doc.casualties]
    if doc.casualties_max is not None:
        src["casualties_max"] = int(doc.casualties_max)
    src["flags"] = list(doc.flags)
    src["troop_mentions"] = list(doc.troop_mentions)
    if doc.arrived:
        src[ARRIVAL_FIELD] = doc.arrived  # absent: the build or upsert stamps it
    if doc.digest is not None:
        src[DIGEST_FIELD] = doc.digest
    src["meta"] = {"date": doc.date, "url": doc.url, "author": doc.author, "origin": doc.origin}
    src["extraction"] = doc.extraction or {}
    return src


def to_action(doc: StoredDocument) -> dict:
    """A bulk ``index`` action without ``_index`` (picklable: runs in indexer worker processes)."""
    return {"_id": doc.id, "_source": to_source(doc)}


def from_source(src: dict) -> StoredDocument:
    """Rebuild the stored document from ``_source``."""
    meta = src.get("meta") or {}
    troops_max = src.get("troops_max")
    casualties_max = src.get("casualties_max")
    return StoredDocument(
        id=src["id"], title=src.get("title"), body=src.get("body") or "",
        date=meta.get("date"), source=src.get("source"), url=meta.get("url"),
        author=meta.get("author"), origin=meta.get("origin"),
        countries=list(src.get("country") or []), orgs=list(src.get("org") or []),
        troops=[int(t) for t in src.get("troops") or []],
        troops_max=int(troops_max) if troops_max is not None else None,
        extraction=src.get("extraction") or {},
        casualties=[int(t) for t in src.get("casualties") or []],
        casualties_max=int(casualties_max) if casualties_max is not None else None,
        flags=list(src.get("flags") or []), troop_mentions=list(src.get("troop_mentions") or []),
        arrived=src.get(ARRIVAL_FIELD), digest=src.get(DIGEST_FIELD),
    )


def es_date(value: str | None) -> str | None:
    """An ISO date/datetime as a complete UTC timestamp, or None if absent or unparsable.

    Complete, because Elasticsearch fills missing components of a range bound differently
    for ``lte`` (rounding up) than tantivy does; a full timestamp means the same on both.
    """
    when = parse_date(value)
    if when is None:
        return None
    when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when.isoformat(timespec="milliseconds") + "Z"
