"""Elasticsearch ``settings.analysis`` built from the declarative chain definitions.

Only Elasticsearch's own component types are used (``standard`` tokenizer, ``mapping``
char filter, ``lowercase``, ``decimal_digit``, ``stop``, ``arabic_normalization``,
``stemmer``, ``pattern_replace``, ``dictionary_decompounder``), so no plugin is needed.
Components marked ``python_only`` (no Elasticsearch equivalent) are left out of the
analyzers: these approximate the Python chains, whose terms Elasticsearch can index as is.
"""
from __future__ import annotations

from . import definition, resources

_BUILTIN_FILTERS = {"lowercase", "decimal_digit", "arabic_normalization"}


def _es_char_filter(spec: dict) -> dict:
    out = {k: v for k, v in spec.items() if k != "mappings_files"}
    if "mappings_files" in spec:
        seen: dict[str, str] = {}
        for name in spec["mappings_files"]:
            for key, value in resources.mapping_pairs(name):
                seen.setdefault(key, value)  # first rule wins, as in the Python filter
        out["mappings"] = [f"{key} => {value}" for key, value in seen.items()]
    return out


def _es_token_filter(spec: dict, word_list_path: str | None) -> dict:
    out = {k: v for k, v in spec.items() if k not in ("word_list_file", "python")}
    if "word_list_file" in spec:
        if word_list_path is not None:
            out["word_list_path"] = word_list_path
        else:
            out["word_list"] = list(resources.word_counts(spec["word_list_file"]))
    return out


def es_filters(names: list[str]) -> list[str]:
    """A chain's token filters that Elasticsearch has (``python_only`` ones left out)."""
    return [n for n in names if not definition.TOKEN_FILTERS.get(n, {}).get("python_only")]


def elasticsearch_analysis_settings(decompound_word_list_path: str | None = None) -> dict:
    """The index ``settings.analysis`` block defining one analyzer per chain.

    Analyzer names are ``ES_ANALYZER_NAMES[chain]``. The decompounder's word list is
    inlined unless ``decompound_word_list_path`` names a copy of
    ``data/decompound_words.tsv``'s words (one per line) on every Elasticsearch node.
    """
    analyzers: dict[str, dict] = {}
    used_filters: list[str] = []
    used_char_filters: list[str] = []
    for chain, spec in definition.CHAIN_DEFINITIONS.items():
        analyzer = {"type": "custom"}
        if spec["char_filter"]:
            analyzer["char_filter"] = list(spec["char_filter"])
        analyzer["tokenizer"] = spec["tokenizer"]
        analyzer["filter"] = es_filters(spec["filter"])
        analyzers[definition.ES_ANALYZER_NAMES[chain]] = analyzer
        used_char_filters += [n for n in spec["char_filter"] if n not in used_char_filters]
        used_filters += [n for n in analyzer["filter"] if n not in _BUILTIN_FILTERS and n not in used_filters]
    settings: dict[str, dict] = {"analyzer": analyzers}
    if used_char_filters:
        settings["char_filter"] = {n: _es_char_filter(definition.CHAR_FILTERS[n]) for n in used_char_filters}
    settings["filter"] = {
        n: _es_token_filter(definition.TOKEN_FILTERS[n], decompound_word_list_path) for n in used_filters
    }
    return settings
