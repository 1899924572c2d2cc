"""Long tokens: chopping as Lucene does it (max_token_length), in time linear in the length.

The tokenizer's full grammar is written so that each run of letters matches one way only;
``_LITERAL`` below is the literal transcription of Lucene's rules it replaced. Both describe
the same language, so leftmost-longest (POSIX) matching gives the same tokens: checked here
on random short texts, where the literal form is still fast enough to run.
"""
from __future__ import annotations

import random

import regex

from search.analysis import analyze
from search.analysis import tokenizer as T
from search.analysis.tokenizer import StandardTokenizer

_LITERAL_UNIT = (
    rf"(?:{T._KATAKANA}(?:{T._EXTNUMLET}*{T._KATAKANA})*"
    rf"|(?:{T._HEBREW}(?:{T._SQUOTE}|{T._DQUOTE}{T._HEBREW})"
    rf"|{T._NUMERIC}(?:(?:{T._EXTNUMLET}*|{T._MIDNUM}){T._NUMERIC})*"
    rf"|{T._AHLETTER}(?:(?:{T._EXTNUMLET}*|{T._MIDLETTER}){T._AHLETTER})*)+)"
)
_LITERAL_WORD = rf"(?:{T._EXTNUMLET}*{_LITERAL_UNIT}(?:{T._EXTNUMLET}+{_LITERAL_UNIT})*{T._EXTNUMLET}*)"
_LITERAL = regex.compile(rf"(?V1p){T._EMOJI}|{_LITERAL_WORD}|{T._SE_ASIAN}+|{T._HAN}|{T._HIRAGANA}")

POOL = list("ab1 .,:'\"_-") + ["عرب", "ـ", "ً", "\u200c", "\u200d", "\u200f", "😀", "👍🏽", "1\u20e3", "🇸🇦", "カ",
                              "א", "ไทย", "٫", "١", "\u0300", "漢", "ひ", "’", "\U000E0041", "\U000E007F"]


def _reference_spans(text: str, limit: int) -> list[tuple[int, int]]:
    """The tokenizer as it was before (literal grammar, one unbounded search per token)."""
    out, pos = [], 0
    while True:
        m = _LITERAL.search(text, pos)
        if m is None:
            return out
        start, end = m.span()
        if end - start > limit:
            window = _LITERAL.match(text, start, start + limit)
            end = window.end() if window is not None else start + limit
        out.append((start, end))
        pos = end


def test_the_grammar_means_what_lucenes_literal_rules_mean():
    rng = random.Random(10)
    for _ in range(4000):
        text = "".join(rng.choice(POOL) for _ in range(rng.randint(1, 14)))
        for pos in range(len(text)):
            a, b = T._FULL.match(text, pos), _LITERAL.match(text, pos)
            assert (a and a.span()) == (b and b.span()), (repr(text), pos)


def test_chopping_matches_the_previous_tokenizer_with_a_small_limit():
    # With max_token_length 8, texts of 20-60 characters exercise every chopping case
    # while the previous (cubic) form still runs in microseconds.
    small = StandardTokenizer(max_token_length=8)
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choice(POOL) for _ in range(rng.randint(8, 30)))
        assert small._grammar_spans(text, 0, len(text)) == _reference_spans(text, 8), repr(text)
        assert small.spans(text) == _reference_spans(text, 8), repr(text)


def test_long_words_are_chopped_into_max_token_length_pieces():
    # Lucene: a token longer than max_token_length is split every 255 characters.
    tok = StandardTokenizer()
    for n in (256, 300, 511, 1000, 4321, 10_000):
        for unit in ("ب", "7", "a"):
            spans = tok.spans("قبل " + unit * n + " بعد")
            pieces = spans[1:-1]
            assert [e - s for s, e in pieces] == [255] * (n // 255) + ([n % 255] if n % 255 else [])
            assert pieces[0][0] == 4 and all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
            assert spans[-1] == (4 + n + 1, 4 + n + 4)


def test_long_mixed_tokens_match_the_previous_tokenizer():
    # Marks, joiners, underscores and emoji sequences inside 256-2,000 character tokens
    # (the previous form is too slow for plain letter runs that long, hence the units).
    tok = StandardTokenizer()
    for unit in ("ب‍", "ب.", "بَ", "1,", "😀‍", "x_", "ع‌ن"):
        for n in (256, 700, 2000 if unit != "x_" else 900):
            text = "قبل " + (unit * n)[:n] + " بعد"
            assert tok.spans(text) == _reference_spans(text, 255), (unit, n)


def test_a_piece_never_starts_with_a_mark_that_cannot_start_a_token():
    # The old tokenizer (and Lucene) skip a combining mark left at the start of the next window.
    tok = StandardTokenizer()
    word = "بَ" * 200  # letter + fatha: the 255-character window ends between them
    spans = tok.spans(word)
    assert spans[0] == (0, 255) and spans[1][0] == 256
    assert spans == _reference_spans(word, 255)[:len(spans)]


def test_long_tokens_keep_positions_and_terms():
    toks = analyze("بداية " + "ع" * 600 + " نهاية")
    assert [len(t.term) for t in toks][1:4] == [255, 255, 90]
    assert [t.position for t in toks] == [0, 1, 2, 3, 4]
