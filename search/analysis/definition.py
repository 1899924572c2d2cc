"""The one declarative definition of the analysis chains.

Everything else is derived from the data below: the Python analyzers (``analyzer.py``) and
the Elasticsearch ``settings.analysis`` block (``es_settings.py``). Component specs use
Elasticsearch's own types and parameter names; ``*_file`` parameters name data files in
``data/`` that the Elasticsearch builder inlines (or points to) and Python loads.

A chain is: char filters, a tokenizer, then token filters, as in Lucene/Elasticsearch. A
name in ``filter``/``char_filter`` is either a component declared below or an
Elasticsearch built-in used as is (``lowercase``, ``decimal_digit``,
``arabic_normalization``).
"""
from __future__ import annotations

TOKENIZER = "standard"  # Lucene StandardTokenizer, max_token_length 255 (the default)

CHAR_FILTERS: dict[str, dict] = {
    # Spelling variants (hamza seats, loanword spellings) and Arabic presentation forms.
    "arabic_variants": {
        "type": "mapping",
        "mappings_files": ["arabic_variant_mappings.tsv", "arabic_presentation_forms.tsv"],
    },
}

# A "python" entry holds settings of the Python filter only (Elasticsearch has no
# equivalent); the Elasticsearch builder leaves it out.
TOKEN_FILTERS: dict[str, dict] = {
    "arabic_stop": {"type": "stop", "stopwords": "_arabic_"},
    "arabic_stemmer": {"type": "stemmer", "language": "arabic"},
    # 1,200 / ١٬٢٠٠ -> 1200 (after decimal_digit); a separator counts only before a full
    # group of three digits. Java and Python read this pattern the same way.
    "arabic_digit_grouping": {
        "type": "pattern_replace",
        "pattern": "(?<=[0-9])[,\\u066C](?=[0-9]{3}(?![0-9]))",
        "replacement": "",
        "python": {"only_with_any_of": "0123456789"},  # shortcut: every match has a digit
    },
    # ١٫٥ -> 1.5 (Arabic decimal separator).
    "arabic_decimal_separator": {
        "type": "pattern_replace",
        "pattern": "(?<=[0-9])\\u066B(?=[0-9])",
        "replacement": ".",
        "python": {"only_with_any_of": "0123456789"},
    },
    # Run-together words (الولاياتالمتحدة), split by the Python DictionaryDecompounder with
    # rules Elasticsearch's filter of this type cannot apply: Elasticsearch never runs it and
    # receives this chain's output pre-analyzed instead (docs/analysis.md).
    "arabic_decompounder": {
        "type": "dictionary_decompounder",
        "word_list_file": "decompound_words.tsv",
        "min_word_size": 5,
        "min_subword_size": 3,
        "max_subword_size": 15,
        "only_longest_match": True,
        # Python also cuts joined compound names (عبدربه -> عبد + ربه, CompoundNames).
        "python": {"rules_file": "decompound_rules.json", "names_file": "decompound_names.tsv"},
    },
    # بمسجد -> مسجد, للحرس -> الحرس when the rest is a corpus word at least as frequent
    # (ProcliticFilter). Python only: Elasticsearch has no such filter, so its analyzers
    # leave it out; Elasticsearch indexes the Python terms (docs/analysis.md).
    "arabic_proclitics": {
        "type": "arabic_proclitics",
        "python_only": True,
        "word_list_file": "decompound_words.tsv",
        "proclitics": ["و", "ب", "ل", "وب", "ول"],
        "article_proclitics": ["لل", "ولل", "فلل", "فال", "كال", "وكال", "فبال"],
        "exceptions_file": "proclitic_exceptions.txt",
        "min_rest": 3,
        "max_strips": 2,
    },
}

CHAIN_DEFINITIONS: dict[str, dict] = {
    # Lucene 10 ArabicAnalyzer = Elasticsearch's built-in "arabic" analyzer, token for token.
    "arabic": {
        "char_filter": [],
        "tokenizer": TOKENIZER,
        "filter": ["lowercase", "decimal_digit", "arabic_stop", "arabic_normalization", "arabic_stemmer"],
    },
    # Better recall on messy press text: variants folded, numbers unified, run-together
    # words and joined compound names split, leading و ب ل (and لل فال ...) stripped from
    # known words. The stop list still runs before normalization, as in Lucene, because it
    # is not normalized (normalized, على would become علي and drop the name Ali).
    "arabic_plus": {
        "char_filter": ["arabic_variants"],
        "tokenizer": TOKENIZER,
        "filter": [
            "lowercase",
            "decimal_digit",
            "arabic_digit_grouping",
            "arabic_decimal_separator",
            "arabic_decompounder",
            "arabic_stop",
            "arabic_normalization",
            "arabic_proclitics",
            "arabic_stemmer",
        ],
    },
    # For quoted phrases: normalized and folded, but no stemming and no stopword removal,
    # so positions stay dense and only the written words match.
    "arabic_exact": {
        "char_filter": ["arabic_variants"],
        "tokenizer": TOKENIZER,
        "filter": [
            "lowercase",
            "decimal_digit",
            "arabic_digit_grouping",
            "arabic_decimal_separator",
            "arabic_decompounder",
            "arabic_normalization",
        ],
    },
}

CHAINS: tuple[str, ...] = tuple(CHAIN_DEFINITIONS)

# Elasticsearch names of the chains' analyzers (used for the chains Elasticsearch runs
# itself, es_settings.NATIVE_CHAINS). The base chain is not called "arabic":
# that name is the built-in analyzer, and Elasticsearch resolves an index-level analyzer
# that shadows a built-in inconsistently (elastic/elasticsearch#22262, #22263).
ES_ANALYZER_NAMES: dict[str, str] = {
    "arabic": "arabic_base",
    "arabic_plus": "arabic_plus",
    "arabic_exact": "arabic_exact",
}

# Data files whose content changes token output (hashed into ANALYZER_VERSION).
DATA_FILES: list[str] = [
    "lucene_arabic_stopwords.txt",
    "lucene_arabic_stemmer.json",
    "arabic_variant_mappings.tsv",
    "arabic_presentation_forms.tsv",
    "decompound_words.tsv",
    "decompound_rules.json",
    "decompound_names.tsv",
    "proclitic_exceptions.txt",
]

# Bump when the code changes token output; data changes are caught by the file digest.
REVISION = 2
