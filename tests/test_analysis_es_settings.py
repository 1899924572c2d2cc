"""The Elasticsearch analysis settings generated from the chain definitions."""
from __future__ import annotations

import json

import pytest

from search.analysis import (
    CHAINS,
    ES_ANALYZER_NAMES,
    NATIVE_CHAINS,
    elasticsearch_analysis_settings,
)
from search.analysis.definition import CHAIN_DEFINITIONS, TOKEN_FILTERS

BUILTIN_FILTERS = {"lowercase", "decimal_digit", "arabic_normalization"}


def test_analyzer_names():
    assert ES_ANALYZER_NAMES == {"arabic": "arabic_base", "arabic_plus": "arabic_plus", "arabic_exact": "arabic_exact"}
    assert set(ES_ANALYZER_NAMES) == set(CHAINS)
    # By default only the chains Elasticsearch runs exactly (the others are sent pre-analyzed).
    assert set(elasticsearch_analysis_settings()["analyzer"]) == {ES_ANALYZER_NAMES[c] for c in NATIVE_CHAINS}


def test_base_chain_is_the_builtin_arabic_analyzer_rebuilt():
    settings = elasticsearch_analysis_settings()
    assert settings["analyzer"]["arabic_base"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["lowercase", "decimal_digit", "arabic_stop", "arabic_normalization", "arabic_stemmer"],
    }
    assert settings["filter"]["arabic_stop"] == {"type": "stop", "stopwords": "_arabic_"}
    assert settings["filter"]["arabic_stemmer"] == {"type": "stemmer", "language": "arabic"}


def test_chains_with_the_decompounder_are_refused():
    # Elasticsearch's dictionary_decompounder is not the Python one (docs/analysis.md):
    # such a chain must be fed pre-analyzed, never rebuilt from Elasticsearch components.
    for chain in CHAINS:
        if "arabic_decompounder" in CHAIN_DEFINITIONS[chain]["filter"]:
            with pytest.raises(ValueError, match="pre-analyzed"):
                elasticsearch_analysis_settings((chain,))


def test_every_referenced_component_is_defined_or_builtin():
    settings = elasticsearch_analysis_settings()
    for analyzer in settings["analyzer"].values():
        for name in analyzer["filter"]:
            assert name in BUILTIN_FILTERS or name in settings["filter"], name
        for name in analyzer.get("char_filter", []):
            assert name in settings["char_filter"], name
    for spec in settings["filter"].values():
        assert "python" not in spec and "word_list_file" not in spec


def test_settings_are_json_and_follow_the_definition():
    settings = elasticsearch_analysis_settings()
    assert json.loads(json.dumps(settings, ensure_ascii=False)) == settings
    for chain in NATIVE_CHAINS:
        assert settings["analyzer"][ES_ANALYZER_NAMES[chain]]["filter"] == CHAIN_DEFINITIONS[chain]["filter"]


def test_python_only_filters_never_reach_elasticsearch():
    # Filters without an Elasticsearch equivalent (proclitic stripping) run in Python only;
    # their chains arrive pre-analyzed, so Elasticsearch indexes their output anyway.
    python_only = {n for n, spec in TOKEN_FILTERS.items() if spec.get("python_only")}
    settings = elasticsearch_analysis_settings()
    assert not python_only & set(settings.get("filter", {}))
    for chain in NATIVE_CHAINS:
        assert not python_only & set(CHAIN_DEFINITIONS[chain]["filter"])
