"""Lucene ``StandardTokenizer`` (UAX#29 word boundaries) as span finder.

The grammar below restates the JFlex rules of Lucene's ``StandardTokenizerImpl`` with the
Unicode properties of the ``regex`` module: a token is the longest match of

* an emoji sequence (TR#51 ``emoji_sequence``, keycaps, flag pairs),
* a word: letters, numbers, katakana and Hebrew runs joined by UAX#29 rules WB5-WB13b,
  each character followed by any ``Extend``/``Format``/``ZWJ`` characters (WB4),
* a run of South-East-Asian (``Line_Break=SA``) characters,
* one Han or one Hiragana character;

anything else (spaces, punctuation, symbols) is skipped. Tokens longer than
``max_token_length`` are chopped, not dropped, as Lucene does.

Known, deliberate limits: property tables are those of the installed ``regex`` module (a
newer Unicode than Lucene's 12.1, so characters assigned after 12.1 become tokens here and
are skipped by Lucene); ``max_token_length`` counts code points, Lucene counts UTF-16 units
(differs only for tokens of supplementary characters longer than 127 characters).
"""
from __future__ import annotations

import re
from itertools import accumulate, compress

import regex

from . import speedups

# WB4: Extend, Format and ZWJ characters stick to the character before them.
_EFZ = r"[\p{WB=Format}\p{WB=Extend}\p{WB=ZWJ}]*"
# The emoji rules leave out the presentation selectors, which they handle themselves.
_EFZ_SANS_SEL = r"[[\p{WB=Format}\p{WB=Extend}\p{WB=ZWJ}]--[\uFE0E\uFE0F]]*"


def _ex(char_class: str, tail: str = _EFZ) -> str:
    return f"(?:{char_class}{tail})"


_AHLETTER = _ex(r"[\p{WB=ALetter}\p{WB=Hebrew_Letter}]")
_NUMERIC = _ex(r"\p{WB=Numeric}")
_KATAKANA = _ex(r"\p{WB=Katakana}")
_MIDLETTER = _ex(r"[\p{WB=MidLetter}\p{WB=MidNumLet}\p{WB=Single_Quote}]")
_MIDNUM = _ex(r"[\p{WB=MidNum}\p{WB=MidNumLet}\p{WB=Single_Quote}]")
_EXTNUMLET = _ex(r"\p{WB=ExtendNumLet}")
_HAN = _ex(r"\p{Script=Han}")
_HIRAGANA = _ex(r"\p{Script=Hiragana}")
_SQUOTE = _ex(r"\p{WB=Single_Quote}")
_DQUOTE = _ex(r"\p{WB=Double_Quote}")
_HEBREW = _ex(r"\p{WB=Hebrew_Letter}")
_REGIONAL = _ex(r"\p{WB=Regional_Indicator}")
_SE_ASIAN = _ex(r"\p{LB=SA}")

_KEYCAP_BASE = _ex(r"[0-9#*]", _EFZ_SANS_SEL)
_KEYCAP = _ex(r"\u20E3", _EFZ_SANS_SEL)
_EMOJI_CHAR = (
    r"(?:\p{Extended_Pictographic}"
    r"|[\p{Emoji}--[\p{WB=Regional_Indicator}0-9#*\u00A9\u00AE\u2122\u3030\u303D\p{Emoji_Modifier}]])"
)
_EMOJI_CHAR_EX = _ex(_EMOJI_CHAR, _EFZ_SANS_SEL)
_EMOJI_MOD_BASE = _ex(r"\p{Emoji_Modifier_Base}", _EFZ_SANS_SEL)
_EMOJI_MOD = _ex(r"\p{Emoji_Modifier}", _EFZ_SANS_SEL)
_ZWJ = r"\u200D"
_EMOJI_ELEMENT = rf"(?:{_ZWJ}*{_EMOJI_CHAR_EX}\uFE0F?|(?:{_ZWJ}*{_EMOJI_MOD_BASE})?{_EMOJI_MOD})"
_EMOJI = (
    rf"(?:{_EMOJI_ELEMENT}(?:(?:{_ZWJ}{_EMOJI_ELEMENT})*|[\U000E0020-\U000E007E]+\U000E007F)"
    rf"|{_KEYCAP_BASE}\uFE0F?{_KEYCAP}"
    rf"|{_REGIONAL}{{2}})"
)
# Lucene's rules read ALetter (ExtendNumLet* | MidLetter) ALetter inside a unit, and units
# joined by ExtendNumLet+ again outside it: the empty and the ExtendNumLet runs could be
# matched two ways, so the number of ways to match a run of n letters grows like n^3, and
# POSIX matching tries them all (a 1,000-letter word took 37 s). Written with each run
# matched one way only, the language, and so every leftmost-longest match, is the same
# (tests/test_tokenizer_long.py checks this against the literal transcription).
_WORD_UNIT = (
    rf"(?:{_KATAKANA}+"
    rf"|(?:{_HEBREW}(?:{_SQUOTE}|{_DQUOTE}{_HEBREW})"
    rf"|{_NUMERIC}(?:{_MIDNUM}{_NUMERIC})*"
    rf"|{_AHLETTER}(?:{_MIDLETTER}{_AHLETTER})*)+)"
)
_WORD = rf"(?:{_EXTNUMLET}*{_WORD_UNIT}(?:{_EXTNUMLET}+{_WORD_UNIT})*{_EXTNUMLET}*)"
_TOKEN = rf"{_EMOJI}|{_WORD}|{_SE_ASIAN}+|{_HAN}|{_HIRAGANA}"

# Every character any rule above can consume: a token never crosses a character outside it.
_TOKEN_CHARS = (
    r"\p{WB=ALetter}\p{WB=Hebrew_Letter}\p{WB=Numeric}\p{WB=Katakana}\p{WB=MidLetter}"
    r"\p{WB=MidNumLet}\p{WB=Single_Quote}\p{WB=MidNum}\p{WB=ExtendNumLet}\p{WB=Format}"
    r"\p{WB=Extend}\p{WB=ZWJ}\p{WB=Double_Quote}\p{WB=Regional_Indicator}\p{LB=SA}"
    r"\p{Script=Han}\p{Script=Hiragana}\p{Extended_Pictographic}\p{Emoji}"
    r"\p{Emoji_Modifier}\p{Emoji_Modifier_Base}#*\u20E3\U000E0020-\U000E007F"
)
# POSIX (leftmost-longest) matching reproduces JFlex's longest-match choice between rules.
_FULL = regex.compile(rf"(?V1p){_TOKEN}")

# Fast path. Most text is plain words (Arabic-block or ASCII letters and digits, with
# Arabic marks) between spaces and common punctuation; such a word is one token by
# WB5/WB8-WB10 (+WB4) when nothing on either side can join it. The fast path finds those
# words with the (faster) re module and C-level list operations; the text between them
# goes through the full grammar only if it holds anything but separators.
#
# Separators: characters that no rule can consume (checked below against the grammar).
_SEPARATORS = " \t\n\r\f\v\xa0\u2028\u2029«»()[]{}!?\u061F\u061B-\u2013\u2014/\\|<>=+%$&@~^`\u201C\u201D\u2026\u2022"
# Joiners: characters that join words only when a letter or digit follows them directly
# (UAX#29 MidLetter/MidNum/MidNumLet/quotes); no rule starts with one.
_JOINER_CHARS = ".,\u060C:;'\"\u066C\u2019\u2018"


def _plain_chars(properties: str) -> str:
    """The Arabic-block/ASCII characters having ``properties``."""
    test = regex.compile(rf"(?V1)[{properties}]")
    return "".join(chr(c) for c in (*range(0x30, 0x7B), *range(0x600, 0x700)) if test.match(chr(c)))


def _check_fast_path_sets() -> None:
    # The fast path is only right if these hand-picked sets agree with the grammar.
    token_char = regex.compile(rf"(?V1)[{_TOKEN_CHARS}]")
    joiner = regex.compile(r"(?V1)[\p{WB=MidLetter}\p{WB=MidNumLet}\p{WB=Single_Quote}\p{WB=MidNum}\p{WB=Double_Quote}]")
    for c in _SEPARATORS:
        if token_char.match(c):
            raise RuntimeError(f"separator {c!r} can be part of a token")
    for c in _JOINER_CHARS:
        if not joiner.match(c):
            raise RuntimeError(f"{c!r} is not a UAX#29 joiner")


_check_fast_path_sets()
_SEP = re.escape(_SEPARATORS)
_JOIN = re.escape(_JOINER_CHARS)
# A plain word preceded by a separator (or a joiner after one, or the text start) and
# followed by a separator (or joiners and then one, or the text end). Split on it, the
# text alternates: gap, word, gap, word, ..., gap.
_PLAIN_FIRST_CHARS = _plain_chars(r"\p{WB=ALetter}\p{WB=Numeric}")
_PLAIN_NEXT_CHARS = _plain_chars(r"\p{WB=ALetter}\p{WB=Numeric}\p{WB=Extend}")
_PLAIN_FIRST = "".join(map(re.escape, _PLAIN_FIRST_CHARS))
_PLAIN_NEXT = "".join(map(re.escape, _PLAIN_NEXT_CHARS))
_PLAIN_SPLIT = re.compile(
    rf"(?:(?<![^{_SEP}])|(?<=[{_JOIN}])(?<![^{_SEP}][{_JOIN}]))"
    rf"([{_PLAIN_FIRST}][{_PLAIN_NEXT}]*+)"
    rf"(?=[{_SEP}]|\Z|[{_JOIN}]++(?:[{_SEP}]|\Z))"
)
# A gap holding anything else may hold tokens.
_GAP_NEEDS_GRAMMAR = re.compile(rf"[^{_SEP}{_JOIN}]")

_scanner: tuple[object, object] = (None, None)  # (compiled core, its Scanner)


def compiled_scanner():
    """The compiled core's version of the fast path above, or None (pure Python).

    It is given the same character sets and finds the same plain words; gaps needing the
    grammar are handed back to ``StandardTokenizer._grammar_spans``.
    """
    global _scanner
    core = speedups.core
    if core is None:
        return None
    if _scanner[0] is not core:
        _scanner = (core, core.Scanner(_PLAIN_FIRST_CHARS, _PLAIN_NEXT_CHARS, _SEPARATORS, _JOINER_CHARS))
    return _scanner[1]


MAX_TOKEN_LENGTH = 255
# Gaps between plain words that need the grammar repeat ("* ", " 4.5 ", " ٪ "): their spans
# are remembered per gap text, for gaps up to this long, this many at a time.
GAP_MEMO_MAX_LENGTH = 64
GAP_MEMO_LIMIT = 50_000


class StandardTokenizer:
    """Finds the tokens Lucene's StandardTokenizer would emit."""

    name = "standard"

    def __init__(self, max_token_length: int = MAX_TOKEN_LENGTH):
        if max_token_length < 1:
            raise ValueError("max_token_length must be positive")
        self.max_token_length = max_token_length
        self._gap_memo: dict[str, list[tuple[int, int]]] = {}

    def tokenize(self, text: str) -> tuple[list[str], list[int], list[int]]:
        """``(surfaces, starts, ends)`` of every token of ``text``, in order."""
        scanner = compiled_scanner()
        if scanner is not None:
            found = scanner.tokenize(text, self._gap_spans, self.max_token_length)
            if found is not None:
                return found
            # A plain word over max_token_length: the long-token rules below.
        parts = _PLAIN_SPLIT.split(text)
        words = parts[1::2]
        bounds = list(accumulate(map(len, parts)))
        starts = bounds[0::2]
        ends = bounds[1::2]
        del starts[-1]  # the last bound is the end of the text
        if words and max(map(len, words)) > self.max_token_length:
            return self._tokenize_slowly(text)
        gaps = parts[0::2]
        # Gaps repeat a lot (" ", "، "): test each distinct one once.
        tricky_gaps = {g for g in set(gaps) if _GAP_NEEDS_GRAMMAR.search(g)}
        if not tricky_gaps:
            return words, starts, ends
        tricky = list(compress(range(len(gaps)), map(tricky_gaps.__contains__, gaps)))
        # Gaps are independent: a plain word on each side ends any token. Insert from the
        # back so that earlier indices stay valid.
        for i in reversed(tricky):
            gap_start = bounds[2 * i - 1] if i else 0
            found = self._gap_spans(text, gap_start, gap_start + len(gaps[i]))
            if found:
                words[i:i] = [text[a:b] for a, b in found]
                starts[i:i] = [a for a, _ in found]
                ends[i:i] = [b for _, b in found]
        return words, starts, ends

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` of every token of ``text``, in order."""
        _, starts, ends = self.tokenize(text)
        return list(zip(starts, ends))

    def words(self, text: str) -> list[str]:
        """The surfaces of ``tokenize(text)``, without offsets (the indexer needs no more)."""
        scanner = compiled_scanner()
        if scanner is not None:
            found = scanner.words(text, self._gap_spans, self.max_token_length)
            return found if found is not None else self.tokenize(text)[0]
        parts = _PLAIN_SPLIT.split(text)
        words = parts[1::2]
        if words and max(map(len, words)) > self.max_token_length:
            return self.tokenize(text)[0]
        gaps = parts[0::2]
        tricky_gaps = {g for g in set(gaps) if _GAP_NEEDS_GRAMMAR.search(g)}
        if tricky_gaps:
            for i in reversed(list(compress(range(len(gaps)), map(tricky_gaps.__contains__, gaps)))):
                gap = gaps[i]
                words[i:i] = [gap[a:b] for a, b in self._gap_spans(gap, 0, len(gap))]
        return words

    def compiled_join(self, text: str, cache: dict, gap: str, columns: int):
        """With the compiled core: each token's value in ``cache`` (a dict computing missing
        words), joined by spaces per column (``gap`` for an empty position); None without
        the core or for a text with a plain word over max_token_length."""
        scanner = compiled_scanner()
        if scanner is None:
            return None
        return scanner.join(text, self._gap_spans, self.max_token_length, cache, gap, columns)

    def _gap_spans(self, text: str, start: int, stop: int) -> list[tuple[int, int]]:
        """``_grammar_spans`` of a gap between plain words (or the text's ends).

        The grammar has no look-around, so the spans depend on the gap's characters only:
        they are computed once per distinct short gap and shifted to where it is.
        """
        if stop - start > GAP_MEMO_MAX_LENGTH:
            return self._grammar_spans(text, start, stop)
        gap = text[start:stop]
        found = self._gap_memo.get(gap)
        if found is None:
            if len(self._gap_memo) >= GAP_MEMO_LIMIT:
                self._gap_memo.clear()
            found = self._gap_memo[gap] = self._grammar_spans(gap, 0, len(gap))
        return [(a + start, b + start) for a, b in found]

    def _tokenize_slowly(self, text: str) -> tuple[list[str], list[int], list[int]]:
        found = self._grammar_spans(text, 0, len(text))
        return [text[a:b] for a, b in found], [a for a, _ in found], [b for _, b in found]

    def _grammar_spans(self, text: str, pos: int, stop: int) -> list[tuple[int, int]]:
        """Token spans in ``text[pos:stop]`` by the full grammar, in time linear in its length.

        The token emitted at a start ``s`` only depends on ``text[s:s + limit]``: it is the
        longest match there, whether the unbounded match is that long or longer (Lucene's
        scanner buffer holds ``max_token_length`` characters: a longer token is chopped and
        scanning resumes right after the piece). So each search looks at a region of twice
        that length at most, and a start too close to the region's end is looked at again
        from a region starting there: every character is scanned a bounded number of times.
        """
        limit = self.max_token_length
        reach = 2 * limit + 2
        search, match = _FULL.search, _FULL.match
        out = []
        while pos < stop:
            hi = min(stop, pos + reach)
            m = search(text, pos, hi)
            if m is None:
                if hi == stop:
                    break
                # No token starts in [pos, hi - limit - 1) with its piece inside the region.
                pos = hi - limit - 1
                continue
            start, end = m.span()
            if hi < stop and start + limit >= hi:
                pos = start  # the piece may reach past the region: look again from its start
                continue
            if end - start > limit:
                window = match(text, start, start + limit)
                end = window.end() if window is not None else start + limit
            out.append((start, end))
            pos = end
        return out
