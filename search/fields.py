"""The index's logical fields, shared by both backends so they store and search the same things."""
from __future__ import annotations

# Each text scope is indexed three times, once per analysis chain.
CHAIN_SUFFIX = {"arabic": "", "arabic_plus": "_plus", "arabic_exact": "_exact"}
TEXT_SCOPES = ("title", "body")
# Relative weights: a title match counts double; the lenient "plus" chain counts less than
# Lucene's chain so exact-form matches rank first; phrases and prefixes use the exact chain.
SCOPE_BOOST = {"title": 2.0, "body": 1.0}
CHAIN_BOOST = {"arabic": 1.0, "arabic_plus": 0.5, "arabic_exact": 1.0}

KEYWORD_FIELDS = ("country", "org", "source", "month", "flags")
# troops / troops_max: force sizes; casualties / casualties_max: killed, wounded, captured...
NUMERIC_FIELDS = ("troops", "troops_max", "casualties", "casualties_max")
DATE_FIELD = "date"
# When the document first entered the archive, and its content digest (search.arrival).
ARRIVAL_FIELD = "arrived"
DIGEST_FIELD = "digest"


def text_field(scope: str, chain: str) -> str:
    """Index field name of ``scope`` analyzed with ``chain`` (e.g. body_plus)."""
    return scope + CHAIN_SUFFIX[chain]
