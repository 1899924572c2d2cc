"""Elasticsearch index settings, mappings and document conversion.

Everything is derived from the shared definitions (``search.fields`` for names and
``search.analysis`` for the analysis chains), so the cluster indexes the same fields, with
the same terms, that the plan's clauses name.

One analysis on both engines: a chain Elasticsearch can run exactly with its own
components (``NATIVE_CHAINS``: the base chain, Lucene's ArabicAnalyzer) is analyzed by
Elasticsearch from the original text in ``title``/``body``; every other chain is analyzed
in Python, as for tantivy, and sent as its terms joined by spaces with one ``GAP`` marker
per empty position (``title_plus``, ``body_exact`` ...). Those fields use ``pre_analyzed``:
a whitespace tokenizer and a stop filter that drops the marker. Lucene's StopFilter adds a
dropped token's position increment to the next kept token, so the indexed positions are the
Python positions, gaps included (tests/test_es_lucene_parity.py runs it through Lucene).
The pre-analyzed strings are left out of the stored ``_source``; the original text is
stored once, and highlighting is done in Python on it, as for tantivy.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib

from search.analysis import (ANALYZER_VERSION, CHAINS, ES_ANALYZER_NAMES, NATIVE_CHAINS,
                             elasticsearch_analysis_settings, joined_terms_all)
from search.backends.common import GAP, parse_date
from search.fields import (ARRIVAL_FIELD, CHAIN_SUFFIX, DATE_FIELD, DIGEST_FIELD, KEYWORD_FIELDS, NUMERIC_FIELDS,
                           STORY_BANDS_FIELD, STORY_FIELD, STORY_SIG_FIELD, LEAD_FIELD, TEXT_SCOPES, text_field)
from search.lead import lead_terms
from search.model import MAX_PAGE, PAGE_SIZE, StoredDocument
from search.stories import StoryInfo, sig_bytes, sig_text, story_fields

# The analyzer of pre-analyzed fields; phrase queries (PhraseTerms) go through it too, so a
# phrase has exactly the plan's relative positions, gaps included.
PRE_ANALYZED = "pre_analyzed"
PRE_TOKENIZER = "pre_analyzed_whitespace"
GAP_FILTER = "pre_analyzed_gap"
GAP_TOKEN = GAP
# Longest term the whitespace tokenizer keeps whole (Lucene counts UTF-16 units; a Python
# term is a standard-tokenizer token of at most 255 code points, a few times longer at most
# after the variant mappings). Lucene's own limit for one term is 32,766 UTF-8 bytes.
MAX_TERM_CHARS = 4096
# Chains analyzed in Python and sent pre-analyzed.
PRE_ANALYZED_CHAINS = tuple(c for c in CHAINS if c not in NATIVE_CHAINS)

# UI pages are served with from/size up to this depth; deeper requests walk with search_after.
DEFAULT_MAX_RESULT_WINDOW = MAX_PAGE * PAGE_SIZE
LIVE_REFRESH_INTERVAL = "1s"
# index.highlight.max_analyzed_offset, set on each index so that no template can lower it
# below a long article: the app highlights in Python, but an operator's own highlight
# request (Kibana, Dev Tools) on a long article must not fail.
MAX_ANALYZED_OFFSET = 10_000_000
# Elasticsearch refuses a whole bulk request when one _id is longer than 512 bytes.
MAX_ID_BYTES = 512
_ID_HASH_CHARS = 32


def es_id(doc_id: str) -> str:
    """The Elasticsearch ``_id`` of a document id: itself up to 512 UTF-8 bytes, else its
    head plus a hash of the whole id (stable; the full id stays in the ``id`` field)."""
    raw = doc_id.encode("utf-8", "surrogatepass")
    if len(raw) <= MAX_ID_BYTES:
        return doc_id
    digest = hashlib.blake2b(raw, digest_size=_ID_HASH_CHARS // 2).hexdigest()
    head = raw[: MAX_ID_BYTES - len(digest) - 2].decode("utf-8", "ignore")  # cut at a character
    return f"{head}~h{digest}"


def multi_field_name(chain: str) -> str:
    """Sub-field name of a natively analyzed chain under its scope; "" for the base chain."""
    return CHAIN_SUFFIX[chain].lstrip("_")


def concrete_field(scope: str, chain: str) -> str:
    """The real (non-alias) field path of ``scope`` analyzed with ``chain``: body, body_plus ..."""
    if chain in NATIVE_CHAINS:
        sub = multi_field_name(chain)
        return f"{scope}.{sub}" if sub else scope
    return text_field(scope, chain)


def pre_analyzed_fields() -> list[str]:
    """Fields whose content is Python's analysis (sent, indexed, not kept in ``_source``)."""
    return [text_field(scope, chain) for scope in TEXT_SCOPES for chain in PRE_ANALYZED_CHAINS] + [LEAD_FIELD]


def analysis_settings() -> dict:
    """The natively run chains' ``settings.analysis`` plus the pre-analyzed analyzer."""
    analysis = copy.deepcopy(elasticsearch_analysis_settings(NATIVE_CHAINS))
    missing = [ES_ANALYZER_NAMES[c] for c in NATIVE_CHAINS if ES_ANALYZER_NAMES[c] not in analysis.get("analyzer", {})]
    if missing:
        raise ValueError(f"analysis settings define no analyzer named {missing}")
    if PRE_ANALYZED in analysis["analyzer"] or GAP_FILTER in analysis.get("filter", {}):
        raise ValueError(f"analysis settings already use the reserved names {PRE_ANALYZED}/{GAP_FILTER}")
    analysis.setdefault("tokenizer", {})[PRE_TOKENIZER] = {"type": "whitespace", "max_token_length": MAX_TERM_CHARS}
    analysis.setdefault("filter", {})[GAP_FILTER] = {"type": "stop", "stopwords": [GAP], "ignore_case": False}
    analysis["analyzer"][PRE_ANALYZED] = {"type": "custom", "tokenizer": PRE_TOKENIZER, "filter": [GAP_FILTER]}
    return analysis


def index_settings(shards: int = 1, replicas: int = 1, *, building: bool = False,
                   max_result_window: int = DEFAULT_MAX_RESULT_WINDOW) -> dict:
    """Settings for a new index; while ``building``, no replicas and no periodic refresh."""
    return {
        "index": {
            "number_of_shards": shards,
            "number_of_replicas": 0 if building else replicas,
            "refresh_interval": "-1" if building else LIVE_REFRESH_INTERVAL,
            "max_result_window": max_result_window,
            "highlight": {"max_analyzed_offset": MAX_ANALYZED_OFFSET},
        },
        "analysis": analysis_settings(),
    }


def live_settings(replicas: int) -> dict:
    """What ``commit`` restores once the bulk load is over."""
    return {"index": {"number_of_replicas": replicas, "refresh_interval": LIVE_REFRESH_INTERVAL}}


def mappings(meta: dict | None = None) -> dict:
    """Field mappings; ``dynamic: strict`` so a document with an unknown field is rejected loudly."""
    props: dict[str, dict] = {"id": {"type": "keyword"}}
    for scope in TEXT_SCOPES:
        # The original text, analyzed by the natively run chains (the base one on the field
        # itself, any other as a multi-field with a field alias under the plan's name).
        field: dict = {"type": "text"}
        for chain in NATIVE_CHAINS:
            sub = multi_field_name(chain)
            if not sub:
                field["analyzer"] = ES_ANALYZER_NAMES[chain]
            else:
                field.setdefault("fields", {})[sub] = {"type": "text", "analyzer": ES_ANALYZER_NAMES[chain]}
                props[text_field(scope, chain)] = {"type": "alias", "path": concrete_field(scope, chain)}
        props[scope] = field
        for chain in PRE_ANALYZED_CHAINS:
            props[text_field(scope, chain)] = {"type": "text", "analyzer": PRE_ANALYZED}
    props[LEAD_FIELD] = {"type": "text", "analyzer": PRE_ANALYZED}  # ranking only (search/lead.py)
    for name in KEYWORD_FIELDS:
        props[name] = {"type": "keyword"}
    # The story id: collapse and cardinality read its doc values (docs/stories.md).
    props[STORY_FIELD] = {"type": "keyword"}
    props[STORY_BANDS_FIELD] = {"type": "keyword", "doc_values": False}
    props[STORY_SIG_FIELD] = {"type": "binary"}  # kept in _source for `indexer add`, never searched
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
    out = {"dynamic": "strict", "_source": {"excludes": pre_analyzed_fields()}, "properties": props}
    out["_meta"] = {"analyzer_version": ANALYZER_VERSION, **(meta or {})}
    return out


# ---- documents -------------------------------------------------------------------------------

def to_source(doc: StoredDocument) -> dict:
    """The stored ``_source`` of one document (the original text once; no analyzed copy)."""
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
    if doc.day:
        src["day"] = doc.day
    story, sig, bands = story_fields(doc)
    src[STORY_FIELD] = story
    src[STORY_BANDS_FIELD] = bands
    if sig:
        src[STORY_SIG_FIELD] = sig_text(sig)
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


def analyzed_fields(doc: StoredDocument) -> dict:
    """The pre-analyzed fields of one document: Python's terms, GAP at each empty position."""
    out = {}
    for scope, text in (("title", doc.title), ("body", doc.body)):
        if text:
            for chain, terms in zip(PRE_ANALYZED_CHAINS, joined_terms_all(PRE_ANALYZED_CHAINS, text, GAP)):
                out[text_field(scope, chain)] = terms
    if (lead := lead_terms(doc.title, doc.body, GAP)) is not None:
        out[LEAD_FIELD] = lead
    return out


def to_action(doc: StoredDocument) -> dict:
    """A bulk ``index`` action without ``_index`` (picklable: runs in indexer worker processes,
    which therefore also do the analysis)."""
    return {"_id": es_id(doc.id), "_source": {**to_source(doc), **analyzed_fields(doc)}}


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
        story=src.get(STORY_FIELD),
        arrived=src.get(ARRIVAL_FIELD), digest=src.get(DIGEST_FIELD),
    )


def story_info(action: dict) -> StoryInfo:
    """Story detection's view of a bulk action (``to_action``) or of a hit's ``_source``."""
    src = action.get("_source", action)
    return StoryInfo(src["id"], (src.get("meta") or {}).get("date"), sig_bytes(src.get(STORY_SIG_FIELD)),
                     tuple(src.get(STORY_BANDS_FIELD) or ()), src.get(STORY_FIELD))


def set_story(action: dict, story: str) -> None:
    action["_source"][STORY_FIELD] = story


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
