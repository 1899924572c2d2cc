"""The improved chains (arabic_plus, arabic_exact) on real seed sentences."""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from search.analysis import analyze, analyze_all, analyze_field, analyze_query_terms

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")


def seed_sentence(word: str) -> str:
    """The first seed sentence that contains ``word``."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found: {SEEDS}")
    for path in sorted(SEEDS.glob("*.txt")):
        for sentence in re.split(r"(?<=[.!؟])\s+|\n+", path.read_text(encoding="utf-8")):
            if word in sentence:
                return sentence
    pytest.fail(f"no seed sentence contains {word}")


def terms(chain: str, text: str) -> list[str]:
    return [t.term for t in analyze_field(chain, text)]


@pytest.mark.parametrize(
    "joined, query, parts",
    [
        ("الولاياتالمتحدة", "الولايات المتحدة", ["الولايات", "المتحدة"]),
        ("جنوبالعراق", "جنوب العراق", ["جنوب", "العراق"]),
        ("العراقوسوريا", "العراق وسوريا", ["العراق", "وسوريا"]),
        ("فيمعركة", "في معركة", ["في", "معركة"]),
    ],
)
def test_run_together_words_split_in_real_sentences(joined, query, parts):
    sentence = seed_sentence(joined)
    plus = analyze_field("arabic_plus", sentence)
    plus_terms = {t.term for t in plus}
    # Every term of the query (as the base analyzer and the plus analyzer see it) is found.
    assert set(terms("arabic", query)) <= plus_terms
    assert set(analyze_query_terms("arabic_plus", query)) and {
        t.term for t in analyze_query_terms("arabic_plus", query)
    } <= plus_terms
    # The parts sit inside the joined token, at consecutive positions.
    start = sentence.index(joined)
    inside = [t for t in analyze_field("arabic_exact", sentence) if start <= t.start and t.end <= start + len(joined)]
    assert [sentence[t.start : t.end] for t in inside] == parts
    assert [t.position for t in inside] == list(range(inside[0].position, inside[0].position + len(parts)))
    # The base chain keeps Lucene's behaviour: one unsplit token.
    assert next(t for t in analyze(sentence) if t.start == start).end == start + len(joined)


def test_phrase_query_matches_split_positions():
    sentence = seed_sentence("الولاياتالمتحدة")
    doc = analyze_field("arabic_exact", sentence)
    query = [t.term for t in analyze_field("arabic_exact", "الولايات المتحدة")]
    pairs = [(a.term, b.term) for a, b in itertools.pairwise(doc) if b.position == a.position + 1]
    assert tuple(query) in pairs


def test_stopword_part_is_dropped_but_keeps_its_position():
    toks = analyze_field("arabic_plus", "فيمعركة")
    assert [(t.term, t.start, t.end, t.position) for t in toks] == [("معرك", 2, 7, 1)]


@pytest.mark.parametrize(
    "word",
    ["بالتدهور", "دفعتهم", "لمقتل", "فيتحدث", "لارشاد", "والمتحدة", "الولايات", "مسؤولين", "بالعراق"],
)
def test_inflected_and_listed_words_are_not_split(word):
    assert len(analyze_field("arabic_exact", word)) == 1


@pytest.mark.parametrize(
    "variants",
    [
        ["الأمريكي", "الأميركي", "الامريكي", "الأمريكية", "الامريكية", "الأميركية"],
        ["مسؤول", "مسئول"],
        ["الشؤون", "الشئون"],
        ["هيئة", "هيئه"],
        ["يونيو", "يونيه"],
        ["المائة", "المئة", "بالمئة", "مائة"],
        ["الشاطئ", "الشاطىء"],
        ["الطوارئ", "الطوارىء"],
    ],
)
def test_spelling_variants_share_a_term(variants):
    assert len({tuple(terms("arabic_plus", v)) for v in variants}) == 1


def test_hundred_does_not_become_water():
    assert terms("arabic_plus", "المائة") != terms("arabic_plus", "الماء")


def test_variants_in_a_real_sentence():
    sentence = seed_sentence("الشئون")
    assert set(terms("arabic_plus", "الشؤون الخارجية")) <= set(terms("arabic_plus", sentence))
    sentence = seed_sentence("الأميركية")
    assert set(terms("arabic_plus", "الأمريكية")) <= set(terms("arabic_plus", sentence))


@pytest.mark.parametrize("written", ["1200", "١٢٠٠", "۱۲۰۰", "1,200", "١٬٢٠٠", "۱٬۲۰۰"])
def test_numbers_match_1200(written):
    assert terms("arabic_plus", f"أرسلت {written} جندي") == terms("arabic_plus", "أرسلت 1200 جندي")
    assert "1200" in terms("arabic_exact", written)


def test_decimal_numbers_keep_their_point():
    assert terms("arabic_plus", "١٫٥ 1.5 12,5") == ["1.5", "1.5", "12,5"]


def test_presentation_forms_fold_to_letters():
    assert terms("arabic_plus", "ﺍﻟﻌﺮﺍﻕ") == terms("arabic_plus", "العراق")
    toks = analyze_field("arabic_exact", "ﻻ ﺍﻟﻌﺮﺍﻕ")
    assert [(t.term, t.start, t.end) for t in toks] == [("لا", 0, 1), ("العراق", 2, 8)]


def test_exact_chain_neither_stems_nor_stops():
    toks = analyze_field("arabic_exact", "في معركة الجيش العراقي")
    assert [(t.term, t.position) for t in toks] == [("في", 0), ("معركه", 1), ("الجيش", 2), ("العراقي", 3)]
    # Related stems do not match an exact phrase.
    assert terms("arabic_exact", "الجيش العراقي") != terms("arabic_exact", "جيوش العراق")


def test_analyze_all_equals_each_chain():
    sentence = seed_sentence("العراقوسوريا")
    everything = analyze_all(sentence)
    assert everything == {chain: analyze_field(chain, sentence) for chain in everything}


def test_mapping_char_filter_fast_path_equals_longest_match():
    import random

    from search.analysis.analyzer import get_analyzer

    char_filter = get_analyzer("arabic_plus").char_filters[0]
    keys = sorted(char_filter.table, key=len, reverse=True)

    def reference(text):
        out, i = [], 0
        while i < len(text):
            key = next((k for k in keys if text.startswith(k, i)), None)
            out.append(char_filter.table[key] if key else text[i])
            i += len(key) if key else 1
        return "".join(out)

    pool = ["ا", "ٔ", "و", "ي", "ى", "ؤ", "ئ", "ء", "أ", "م", "ة", "ت", "ميرك", "ونيه", "ل", "ﻻ", "ﺍ", "ﻟ", "ه"]
    rng = random.Random(3)
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        mapped, index_map = char_filter.apply(text)
        assert mapped == reference(text), text
        if index_map is not None:
            assert len(index_map) == len(mapped) + 1 and index_map[-1] == len(text)


def test_word_caches_start_afresh_between_texts_without_changing_output(monkeypatch):
    from search.analysis import analyzer as mod
    from search.analysis import analyze_field, joined_terms

    text = "زار الوفد الولاياتالمتحدة ثم جنوبالعراق وعاد إلى العراقوسوريا"
    expected = {c: analyze_field(c, text) for c in ("arabic", "arabic_plus", "arabic_exact")}
    monkeypatch.setattr(mod, "CACHE_LIMIT", 3)
    for chain, tokens in expected.items():
        for _ in range(3):
            assert analyze_field(chain, text) == tokens
            assert len(mod.get_analyzer(chain).cache) <= 3 + len(tokens) + 3
            joined_terms(chain, text, "\ue000")
        assert len(mod.get_analyzer(chain)._split_surfaces) <= 3
