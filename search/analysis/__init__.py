"""Arabic text analysis: one declarative definition, Python analyzers and Elasticsearch settings.

Chains (``CHAINS``), all defined once in ``definition.py``:

* ``arabic``: Lucene 10.5.1 ``ArabicAnalyzer`` (= Elasticsearch's built-in ``arabic``
  analyzer) token for token: StandardTokenizer, lowercase, decimal digits, Arabic stop
  words, Arabic normalization, Arabic light stemming.
* ``arabic_plus``: the same plus spelling-variant folding, number unification and the
  splitting of run-together words, for a second analyzed field.
* ``arabic_exact``: normalized and folded but neither stemmed nor stopped, for phrases.

Tokens carry offsets into the original text and Lucene-style positions (gaps where stop
words were removed).
"""
from __future__ import annotations

from . import definition, resources
from .analyzer import Token, compound_name_parts, get_analyzer, is_name_word, joined_terms_all
from .definition import CHAINS, ES_ANALYZER_NAMES
from .es_settings import NATIVE_CHAINS, elasticsearch_analysis_settings

__all__ = [
    "ANALYZER_VERSION",
    "CHAINS",
    "ES_ANALYZER_NAMES",
    "NATIVE_CHAINS",
    "Token",
    "analyze",
    "analyze_all",
    "analyze_field",
    "analyze_query_terms",
    "compound_name_parts",
    "is_name_word",
    "joined_terms",
    "joined_terms_all",
    "matching_spans",
    "elasticsearch_analysis_settings",
]

# Stored in index metadata: an index built with another version must be re-analyzed.
ANALYZER_VERSION = f"{definition.REVISION}.{resources.digest(definition.DATA_FILES)}"


def analyze_field(chain: str, text: str) -> list[Token]:
    """Analyze ``text`` with the named chain; offsets index into ``text``."""
    return get_analyzer(chain).tokens(text)


def analyze(text: str) -> list[Token]:
    """The Lucene-compatible base chain (Elasticsearch's ``arabic`` analyzer)."""
    return get_analyzer("arabic").tokens(text)


def analyze_query_terms(chain: str, text: str) -> list[Token]:
    """Analyze query text for a field of the given chain (same analysis as indexing)."""
    return get_analyzer(chain).tokens(text)


def analyze_all(text: str) -> dict[str, list[Token]]:
    """Every chain's tokens for ``text`` (tokenizes once)."""
    return {chain: get_analyzer(chain).tokens(text) for chain in CHAINS}


def joined_terms(chain: str, text: str, gap: str) -> str:
    """The chain's terms of ``text`` joined by spaces, ``gap`` for each empty position."""
    return get_analyzer(chain).joined_terms(text, gap)


def matching_spans(chain: str, text: str, wanted) -> list[tuple[int, int]]:
    """Offsets in ``text`` of the chain's tokens whose term satisfies ``wanted(term)``."""
    return get_analyzer(chain).matching_spans(text, wanted)
