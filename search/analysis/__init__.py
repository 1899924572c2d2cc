"""Text analysis: one declarative definition, a Python analyzer and Elasticsearch settings.

Placeholder chain (regex words, lowercase); the Arabic analysis work replaces the insides
while keeping this interface.
"""
from __future__ import annotations

import re
from typing import NamedTuple

ANALYZER_VERSION = "0-placeholder"
CHAINS = ("arabic", "arabic_plus", "arabic_exact")


class Token(NamedTuple):
    term: str
    start: int
    end: int
    position: int


_WORD = re.compile(r"\w+")


def analyze_field(chain: str, text: str) -> list[Token]:
    """Analyze ``text`` with the named chain; offsets index into ``text``."""
    if chain not in CHAINS:
        raise ValueError(f"unknown analysis chain {chain!r}")
    return [Token(m.group().lower(), m.start(), m.end(), i) for i, m in enumerate(_WORD.finditer(text))]


def analyze(text: str) -> list[Token]:
    """The Lucene-compatible base chain (Elasticsearch's ``arabic`` analyzer)."""
    return analyze_field("arabic", text)


def elasticsearch_analysis_settings() -> dict:
    """The ``settings.analysis`` block that builds the same chains in Elasticsearch."""
    return {"analyzer": {name: {"type": "arabic"} for name in CHAINS}}
