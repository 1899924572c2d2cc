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

import regex

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
_WORD_UNIT = (
    rf"(?:{_KATAKANA}(?:{_EXTNUMLET}*{_KATAKANA})*"
    rf"|(?:{_HEBREW}(?:{_SQUOTE}|{_DQUOTE}{_HEBREW})"
    rf"|{_NUMERIC}(?:(?:{_EXTNUMLET}*|{_MIDNUM}){_NUMERIC})*"
    rf"|{_AHLETTER}(?:(?:{_EXTNUMLET}*|{_MIDLETTER}){_AHLETTER})*)+)"
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
# Characters after which a plain word cannot go on, whatever follows them.
_JOINERS = r"\p{WB=MidLetter}\p{WB=MidNumLet}\p{WB=Single_Quote}\p{WB=MidNum}\p{WB=Double_Quote}"
# Plain word characters: Arabic-block and ASCII letters and digits, plus Arabic marks. A
# run of these is one token by WB5/WB8-WB10 (+WB4), so the slow grammar is not needed.
_PLAIN_START = r"[[\p{WB=ALetter}\p{WB=Numeric}]&&[\u0620-\u06FFA-Za-z0-9]]"
_PLAIN_CONT = r"[[\p{WB=ALetter}\p{WB=Numeric}\p{WB=Extend}]&&[\u0610-\u06FFA-Za-z0-9]]"

# Fast scanner. Group 1: a plain word that provably ends a token (followed by a non-token
# character, or by joiners and then one). Group 2: joiners where a token would have to
# start; no rule starts with one, so they are skipped. Anything else: the whole run of
# token characters goes to the full grammar.
_SCAN = regex.compile(
    rf"(?V1)({_PLAIN_START}{_PLAIN_CONT}*+(?=[^{_TOKEN_CHARS}]|\Z|[{_JOINERS}]++(?:[^{_TOKEN_CHARS}]|\Z)))"
    rf"|([{_JOINERS}]++)"
    rf"|[{_TOKEN_CHARS}]+"
)
# POSIX (leftmost-longest) matching reproduces JFlex's longest-match choice between rules.
_FULL = regex.compile(rf"(?V1p){_TOKEN}")

MAX_TOKEN_LENGTH = 255


class StandardTokenizer:
    """Finds the token spans Lucene's StandardTokenizer would emit."""

    name = "standard"

    def __init__(self, max_token_length: int = MAX_TOKEN_LENGTH):
        if max_token_length < 1:
            raise ValueError("max_token_length must be positive")
        self.max_token_length = max_token_length

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Return ``(start, end)`` of every token of ``text``, in order."""
        out: list[tuple[int, int]] = []
        append = out.append
        limit = self.max_token_length
        for m in _SCAN.finditer(text):
            kind = m.lastindex
            if kind == 2:
                continue
            start, end = m.span()
            if kind == 1 and end - start <= limit:
                append((start, end))
            else:
                self._full(text, start, end, out)
        return out

    def _full(self, text: str, pos: int, stop: int, out: list[tuple[int, int]]) -> None:
        limit = self.max_token_length
        search = _FULL.search
        while True:
            m = search(text, pos, stop)
            if m is None:
                return
            start, end = m.span()
            if end - start > limit:
                # Lucene's scanner buffer holds max_token_length chars: the token is the
                # longest match inside that window, and scanning resumes right after it.
                window = _FULL.match(text, start, start + limit)
                end = window.end() if window is not None else start + limit
            out.append((start, end))
            pos = end
