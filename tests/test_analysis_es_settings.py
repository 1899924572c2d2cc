"""The Elasticsearch analysis settings generated from the chain definitions."""
from __future__ import annotations

import json

from search.analysis import (
    CHAINS,
    ES_ANALYZER_NAMES,
    elasticsearch_analysis_settings,
    resources,
)
from search.analysis.definition import CHAIN_DEFINITIONS, TOKEN_FILTERS

BUILTIN_FILTERS = {"lowercase", "decimal_digit", "arabic_normalization"}


def test_analyzer_names():
    assert ES_ANALYZER_NAMES == {"arabic": "arabic_base", "arabic_plus": "arabic_plus", "arabic_exact": "arabic_exact"}
    assert set(ES_ANALYZER_NAMES) == set(CHAINS)
    assert set(elasticsearch_analysis_settings()["analyzer"]) == set(ES_ANALYZER_NAMES.values())


def test_base_chain_is_the_builtin_arabic_analyzer_rebuilt():
    settings = elasticsearch_analysis_settings()
    assert settings["analyzer"]["arabic_base"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["lowercase", "decimal_digit", "arabic_stop", "arabic_normalization", "arabic_stemmer"],
    }
    assert settings["filter"]["arabic_stop"] == {"type": "stop", "stopwords": "_arabic_"}
    assert settings["filter"]["arabic_stemmer"] == {"type": "stemmer", "language": "arabic"}


def test_plus_and_exact_chains():
    settings = elasticsearch_analysis_settings()
    assert settings["analyzer"]["arabic_plus"] == {
        "type": "custom",
        "char_filter": ["arabic_variants"],
        "tokenizer": "standard",
        "filter": [
            "lowercase",
            "decimal_digit",
            "arabic_digit_grouping",
            "arabic_decimal_separator",
            "arabic_decompounder",
            "arabic_stop",
            "arabic_normalization",
            "arabic_stemmer",
        ],
    }
    exact = settings["analyzer"]["arabic_exact"]
    assert "arabic_stop" not in exact["filter"] and "arabic_stemmer" not in exact["filter"]
    assert exact["filter"][-1] == "arabic_normalization"
    assert settings["filter"]["arabic_digit_grouping"] == {
        "type": "pattern_replace",
        "pattern": "(?<=[0-9])[,\\u066C](?=[0-9]{3}(?![0-9]))",
        "replacement": "",
    }


def test_every_referenced_component_is_defined_or_builtin():
    settings = elasticsearch_analysis_settings()
    for analyzer in settings["analyzer"].values():
        for name in analyzer["filter"]:
            assert name in BUILTIN_FILTERS or name in settings["filter"], name
        for name in analyzer.get("char_filter", []):
            assert name in settings["char_filter"], name
    for spec in settings["filter"].values():
        assert "python" not in spec and "word_list_file" not in spec


def test_mapping_char_filter_rules():
    mapping = elasticsearch_analysis_settings()["char_filter"]["arabic_variants"]
    assert mapping["type"] == "mapping"
    rules = mapping["mappings"]
    assert "ؤ => ء" in rules and "ئ => ء" in rules and "أميرك => أمريك" in rules
    assert "ﻻ => لا" in rules  # presentation forms
    for rule in rules:
        key, arrow, value = rule.partition(" => ")
        assert arrow and key and value and "=>" not in key + value and not key.isspace()


def test_decompounder_word_list_inline_or_by_path():
    spec = elasticsearch_analysis_settings()["filter"]["arabic_decompounder"]
    assert spec["type"] == "dictionary_decompounder"
    assert spec["word_list"] == list(resources.word_counts("decompound_words.tsv"))
    assert {"الولايات", "المتحدة", "جنوب", "العراق", "معركة"} <= set(spec["word_list"])
    by_path = elasticsearch_analysis_settings("analysis/arabic_decompound.txt")["filter"]["arabic_decompounder"]
    assert by_path["word_list_path"] == "analysis/arabic_decompound.txt" and "word_list" not in by_path


def test_settings_are_json_and_follow_the_definition():
    settings = elasticsearch_analysis_settings()
    assert json.loads(json.dumps(settings, ensure_ascii=False)) == settings
    for chain, spec in CHAIN_DEFINITIONS.items():
        expected = [n for n in spec["filter"] if not TOKEN_FILTERS.get(n, {}).get("python_only")]
        assert settings["analyzer"][ES_ANALYZER_NAMES[chain]]["filter"] == expected


def test_python_only_filters_are_left_out_of_elasticsearch():
    python_only = {n for n, spec in TOKEN_FILTERS.items() if spec.get("python_only")}
    assert python_only == {"arabic_proclitics"}
    assert "arabic_proclitics" in CHAIN_DEFINITIONS["arabic_plus"]["filter"]
    settings = elasticsearch_analysis_settings()
    assert not python_only & set(settings["filter"])
    assert all(not python_only & set(a["filter"]) for a in settings["analyzer"].values())
