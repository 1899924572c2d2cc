"""The index's logical fields, shared by both backends so they store and search the same things."""
from __future__ import annotations

# Each text scope is indexed three times, once per analysis chain.
CHAIN_SUFFIX = {"arabic": "", "arabic_plus": "_plus", "arabic_exact": "_exact"}
TEXT_SCOPES = ("title", "body")
# The headline and first lines (search/lead.py), plus chain only: a ranking signal.
LEAD_SCOPE, LEAD_CHAIN = "lead", "arabic_plus"
# How matches in these fields are weighted and combined: search/query/ranking.py.

KEYWORD_FIELDS = ("country", "org", "source", "month", "flags", "day")
# troops / troops_max: force sizes; casualties / casualties_max: killed, wounded, captured...
NUMERIC_FIELDS = ("troops", "troops_max", "casualties", "casualties_max")
# Story fields (docs/stories.md): the story id (keyword), a 64-bit number derived from it
# (tantivy collapses on this fast field), the LSH band keys (keywords, for `indexer add`) and
# the MinHash signature (stored, never searched).
STORY_FIELD, STORY_KEY_FIELD, STORY_BANDS_FIELD, STORY_SIG_FIELD = "story", "story_key", "story_bands", "story_sig"
DATE_FIELD = "date"
# When the document first entered the archive, and its content digest (search.arrival).
ARRIVAL_FIELD = "arrived"
DIGEST_FIELD = "digest"


def text_field(scope: str, chain: str) -> str:
    """Index field name of ``scope`` analyzed with ``chain`` (e.g. body_plus)."""
    return scope + CHAIN_SUFFIX[chain]


LEAD_FIELD = text_field(LEAD_SCOPE, LEAD_CHAIN)
