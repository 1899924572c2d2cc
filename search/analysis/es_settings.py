"""Elasticsearch ``settings.analysis`` for the chains Elasticsearch runs itself.

Elasticsearch runs a chain itself only when its own components give exactly the Python
chain's terms and positions: today the base chain ``arabic`` (Lucene's ``ArabicAnalyzer``
rebuilt from Elasticsearch's ``standard`` tokenizer, ``lowercase``, ``decimal_digit``,
``stop``, ``arabic_normalization`` and ``stemmer``), proven token for token by
``tests/test_es_lucene_parity.py`` with the real Lucene classes. Every other chain is
analyzed in Python and sent pre-analyzed (``search/backends/elasticsearch_mapping.py``), so
Elasticsearch indexes whatever the Python chains produce, whatever they become.
"""
from __future__ import annotations

from . import definition, resources

# Chains Elasticsearch analyzes with its own components (see the module doc).
NATIVE_CHAINS: tuple[str, ...] = ("arabic",)

_BUILTIN_FILTERS = {"lowercase", "decimal_digit", "arabic_normalization"}
# Component types whose Elasticsearch factory is the Lucene class the Python filter mirrors.
_EXACT_TYPES = {"stop", "stemmer", "mapping", "pattern_replace"}


def _es_char_filter(spec: dict) -> dict:
    out = {k: v for k, v in spec.items() if k != "mappings_files"}
    if "mappings_files" in spec:
        seen: dict[str, str] = {}
        for name in spec["mappings_files"]:
            for key, value in resources.mapping_pairs(name):
                seen.setdefault(key, value)  # first rule wins, as in the Python filter
        out["mappings"] = [f"{key} => {value}" for key, value in seen.items()]
    return out


def _es_token_filter(name: str, spec: dict) -> dict:
    if spec.get("type") not in _EXACT_TYPES or spec.get("python_only"):
        raise ValueError(f"filter {name} ({spec.get('type')}) has no exact Elasticsearch equivalent: "
                         "feed its chain pre-analyzed instead")
    return {k: v for k, v in spec.items() if k != "python"}


def elasticsearch_analysis_settings(chains: tuple[str, ...] = NATIVE_CHAINS) -> dict:
    """The index ``settings.analysis`` block with one analyzer per chain in ``chains``.

    Analyzer names are ``ES_ANALYZER_NAMES[chain]``; only the components those chains use
    are defined. A chain using a component without an exact Elasticsearch equivalent (the
    decompounder) is refused.
    """
    analyzers: dict[str, dict] = {}
    used_filters: list[str] = []
    used_char_filters: list[str] = []
    for chain in chains:
        spec = definition.CHAIN_DEFINITIONS[chain]
        analyzer = {"type": "custom"}
        if spec["char_filter"]:
            analyzer["char_filter"] = list(spec["char_filter"])
        analyzer["tokenizer"] = spec["tokenizer"]
        analyzer["filter"] = list(spec["filter"])
        analyzers[definition.ES_ANALYZER_NAMES[chain]] = analyzer
        used_char_filters += [n for n in spec["char_filter"] if n not in used_char_filters]
        used_filters += [n for n in spec["filter"] if n not in _BUILTIN_FILTERS and n not in used_filters]
    settings: dict[str, dict] = {"analyzer": analyzers}
    if used_char_filters:
        settings["char_filter"] = {n: _es_char_filter(definition.CHAR_FILTERS[n]) for n in used_char_filters}
    if used_filters:
        settings["filter"] = {n: _es_token_filter(n, definition.TOKEN_FILTERS[n]) for n in used_filters}
    return settings
