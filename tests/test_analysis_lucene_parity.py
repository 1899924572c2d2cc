"""The base chain against Lucene 10.5.1's ArabicAnalyzer, and the tokenizer's own rules."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from search.analysis import Token, analyze, analyze_field
from search.analysis.tokenizer import StandardTokenizer

FIXTURE = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "lucene-arabic-dev.jsonl"
if not FIXTURE.exists():
    FIXTURE = Path("/work/shared/fixtures/lucene-arabic-dev.jsonl")


def _rows():
    if not FIXTURE.exists():
        pytest.skip(f"Lucene fixture not found: {FIXTURE}")
    with FIXTURE.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_lucene_parity():
    rows = _rows()
    same = 0
    first_diff = None
    for row in rows:
        got = [list(t) for t in analyze(row["text"])]
        if got == row["tokens"]:
            same += 1
        elif first_diff is None:
            first_diff = (row["text"][:80], got[:5], row["tokens"][:5])
    figure = f"lucene parity: {same}/{len(rows)} sentences identical ({100 * same / len(rows):.2f}%)"
    print(figure)
    assert same >= 0.999 * len(rows), f"{figure}; first difference: {first_diff}"


def test_offsets_point_at_the_surface_word():
    text = "«الولايات المتحدة» تُرسل ٣٠٠ جندي، إلى العراق."
    toks = analyze(text)
    assert [text[t.start : t.end] for t in toks] == ["الولايات", "المتحدة", "تُرسل", "٣٠٠", "جندي", "العراق"]
    assert all(isinstance(t, Token) for t in toks)


def test_offsets_on_fixture_are_surface_words():
    for row in _rows()[:300]:
        for t in analyze(row["text"]):
            surface = row["text"][t.start : t.end]
            assert surface and not surface.isspace()


def test_stopwords_leave_position_gaps():
    toks = analyze("في معركة الجيش على داعش")
    assert [(t.term, t.position) for t in toks] == [("معرك", 1), ("جيش", 2), ("داعش", 4)]


def test_stopwords_are_matched_before_normalization():
    # "على" is a stopword; "علي" (the name Ali) is not, though both normalize alike.
    assert [t.term for t in analyze("على علي")] == ["عل"]


def test_arabic_indic_and_eastern_digits_fold_to_ascii():
    assert [t.term for t in analyze("١٢٠٠ ۱۲۰۰ 1200")] == ["1200", "1200", "1200"]


def test_normalization_and_stemming():
    terms = [t.term for t in analyze("الأمريكيّة إسرائيل آمال مستشفى والكتاب بالعراق")]
    assert terms == ["امريك", "اسرائيل", "امال", "مستشف", "كتاب", "عراق"]


def test_lowercase_is_per_code_point_like_java():
    assert [t.term for t in analyze("İSTANBUL ΟΔΟΣ")] == ["istanbul", "οδοσ"]


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("U.S.A. don't", ["u.s.a", "don't"]),
        ("3.5 1,200 ١٬٢٠٠", ["3.5", "1,200", "1٬200"]),
        ("R2D2 C3PO well-known snake_case", ["r2d2", "c3po", "well", "known", "snake_case"]),
        ("C++ #tag @user", ["c", "tag", "user"]),
        ("😀 👍🏽 🇸🇦 1\u20e3", ["😀", "👍🏽", "🇸🇦", "1\u20e3"]),
        ("漢字 ひらがな カタカナ", ["漢", "字", "ひ", "ら", "が", "な", "カタカナ"]),
        ("ـــ بغدادـ", ["", "بغداد"]),
    ],
)
def test_standard_tokenizer_rules(text, tokens):
    assert [t.term for t in analyze(text)] == tokens


def test_long_tokens_are_chopped_not_dropped():
    text = "ب" * 300 + " نهاية"
    toks = analyze(text)
    assert [(t.start, t.end) for t in toks][:2] == [(0, 255), (255, 300)]
    assert toks[-1].position == 2


def test_fast_path_agrees_with_the_full_grammar():
    tokenizer = StandardTokenizer()
    pool = list("ab1 .,،:'\"_-«»()\n") + [
        "عرب", "ال", "ً", "\u200f", "\u200d", "😀", "👍🏽", "1\u20e3", "#", "🇸🇦", "漢字", "カタ",
        'א"ב', "א'", "ไทย", "\xa0", "٫", "٬", "١٢", "ـ", "x.y", "3.5", "\u0300", "\U0001d400", "’",
    ]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        assert tokenizer.spans(text) == tokenizer._grammar_spans(text, 0, len(text)), repr(text)


def test_every_chain_keeps_offsets_in_the_original_text():
    text = "ﻻ يوجد في الولاياتالمتحدة مسؤول"
    for chain in ("arabic", "arabic_plus", "arabic_exact"):
        for t in analyze_field(chain, text):
            assert 0 <= t.start < t.end <= len(text)
