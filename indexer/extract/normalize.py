"""Arabic normalization for matching, with a map back to original offsets.

Matching runs on a normalized copy of the text (one ``str.translate`` call);
reported offsets must point into the original, so deleted characters
(diacritics, tatweel, invisible marks) are remembered and mapped back.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate, compress, count

from pyarabic import araby

from search.analysis import speedups

# One letter becomes one letter, so offsets only shift where characters are deleted.
_SUBSTITUTE = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ة": "ه", "ى": "ي", "ی": "ي", "ې": "ي", "ک": "ك", "ہ": "ه", "ۀ": "ه",
    "٫": ".", "٬": ",",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u3000": " ", "\t": " ",
}
_SUBSTITUTE.update({chr(0x0660 + i): str(i) for i in range(10)})   # Arabic-Indic digits
_SUBSTITUTE.update({chr(0x06F0 + i): str(i) for i in range(10)})   # Persian digits

# pyarabic gives the harakat/shadda and tatweel; the rest are Quranic marks,
# superscript alef and zero-width/bidi controls that scraped news often carries.
DELETED = "".join(sorted(
    set(araby.TASHKEEL) | {araby.TATWEEL}
    | {chr(c) for c in range(0x0610, 0x061B)}
    | {chr(c) for c in range(0x0653, 0x0660)}
    | {"\u0670", "\u06D6", "\u06D7", "\u06D8", "\u06D9", "\u06DA", "\u06DB", "\u06DC",
       "\u06DF", "\u06E0", "\u06E1", "\u06E2", "\u06E3", "\u06E4", "\u06E7", "\u06E8",
       "\u06EA", "\u06EB", "\u06EC", "\u06ED",
       "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff", "\u00ad",
       "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}
))
_TABLE = str.maketrans({**_SUBSTITUTE, **{c: None for c in DELETED}})
_DELETED_RE = re.compile("[" + re.escape(DELETED) + "]")
_MARKS = frozenset(araby.TASHKEEL) | {"\u0670"}
_SPACES = re.compile(r"\s+")
# str.translate looks each character up in a dict (~0.1 us per character on Arabic
# text); str.replace and single-class regex scans are an order of magnitude faster.
_COMMON = ("أ", "إ", "آ", "ة", "ى")
_RARE_SUB = tuple(c for c in _SUBSTITUTE if c not in _COMMON)
_RARE_SUB_RE = re.compile("[" + re.escape("".join(_RARE_SUB)) + "]")
# Separators for the word set: punctuation and symbols news text uses.
_PUNCT = ".,،؛;:!?؟«»\"“”'‘’()[]{}<>/\\|-–—_*#@&%٪+=~^`…•·\n\r\x0b\x0c"
_PUNCT_RE = re.compile("[" + re.escape(_PUNCT) + "]")
_compiled: tuple = (None, None, None)  # (compiled core, CharMap of _TABLE, CharMap of _PUNCT)


def _compiled_maps() -> tuple | None:
    """The compiled core's character maps (same tables, one pass in C), or None."""
    global _compiled
    core = speedups.core
    if core is None:
        return None
    if _compiled[0] is not core:
        _compiled = (core, core.CharMap(_TABLE), core.CharMap({ord(c): " " for c in _PUNCT}))
    return _compiled


def _fast_normalize(text: str) -> tuple[str, list[int] | None]:
    """Normalized text and the sorted original positions of deleted characters."""
    compiled = _compiled_maps()
    if compiled is not None:
        # Deletions and one-to-one substitutions never chain, so one mapping pass equals
        # the deletions followed by the substitutions below.
        return compiled[1].translate_tracking(text)
    deleted = None
    norm = text
    if _DELETED_RE.search(text) is not None:
        deleted = [m.start() for m in _DELETED_RE.finditer(text)]
        norm = _DELETED_RE.sub("", text)
    for ch in _COMMON:
        norm = norm.replace(ch, _SUBSTITUTE[ch])
    if _RARE_SUB_RE.search(norm) is not None:
        for ch in _RARE_SUB:
            if ch in norm:
                norm = norm.replace(ch, _SUBSTITUTE[ch])
    return norm, deleted


def normalize(text: str) -> str:
    """Normalize text for matching (no offset map)."""
    return _fast_normalize(text)[0]


def normalize_key(text: str) -> str:
    """Normalize a dictionary form: as :func:`normalize`, spaces collapsed."""
    return _SPACES.sub(" ", text.translate(_TABLE)).strip()


def fold_display(text: str) -> str:
    """Light normalization for display names: no diacritics/tatweel, bare alef."""
    cleaned = _DELETED_RE.sub("", text)
    return _SPACES.sub(" ", cleaned.translate(_ALEF_ONLY)).strip()


_ALEF_ONLY = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})


class NormText:
    """A text with its normalized copy, the offset map and its word set."""

    __slots__ = ("text", "norm", "_keys", "_words", "_padded", "_tokens", "_ends", "_long", "_pos", "cache")

    def __init__(self, text: str):
        self.text = text
        self.norm, deleted = _fast_normalize(text)
        # keys[k] = normalized index of the first kept char after the k-th deletion
        self._keys = None if deleted is None else [p - k for k, p in enumerate(deleted)]
        self._words = None
        self._padded = None
        self._tokens = None
        self._ends = None
        self._long = None
        self._pos = {}
        self.cache = {}     # per-document results shared by the extractors

    @property
    def words(self) -> frozenset:
        """Distinct words of the normalized text (split at spaces and punctuation)."""
        if self._words is None:
            # same length as norm, words separated by single spaces: offsets carry over
            compiled = _compiled_maps()
            spaced = compiled[2].translate(self.norm) if compiled is not None else _PUNCT_RE.sub(" ", self.norm)
            self._padded = " " + spaced + " "
            self._tokens = self._padded.split(" ")
            self._words = frozenset(self._tokens).difference(("",))
        return self._words

    def index(self, words) -> None:
        """Record the positions of ``words`` in one pass (cheaper than a find per word)."""
        if self._words is None:
            self.words  # noqa: B018 - tokenizes
        wanted = {w for w in words if w not in self._pos}
        if not wanted:
            return
        if speedups.core is not None:
            self._pos.update(speedups.core.token_positions(self._tokens, wanted))
            return
        found = {w: [] for w in wanted}
        tokens = self._tokens
        if self._ends is None:
            self._ends = list(accumulate(map(len, tokens)))
        ends = self._ends
        # token k starts at padded offset ends[k-1] + k, i.e. normalized offset ends[k-1] + k - 1
        for k in compress(count(), map(wanted.__contains__, tokens)):
            found[tokens[k]].append(ends[k - 1] + k - 1)
        self._pos.update(found)

    @property
    def long_words(self) -> list[tuple[str, list[str]]]:
        """Long words with their tails after an inner ال or و (جنوب|العراق، العراق|وسوريا).

        Run-together names hide in them; a tail that can open a form is a hint.
        """
        if self._long is None:
            out = []
            for w in [w for w in self.words if len(w) >= 9]:
                tails = []
                for joint in ("ال", "و"):
                    i = w.find(joint, 2)
                    while i != -1:
                        tails.append(w[i:])
                        i = w.find(joint, i + 1)
                if tails:
                    out.append((w, tails))
            self._long = out
        return self._long

    def positions(self, word: str) -> list[int]:
        """Start offsets (normalized) of ``word`` standing as a whole word."""
        found = self._pos.get(word)
        if found is None:
            self.index((word,))
            found = self._pos[word]
        return found

    def orig(self, pos: int) -> int:
        """Original index of the normalized character at ``pos``."""
        keys = self._keys
        return pos if keys is None else pos + bisect_right(keys, pos)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the normalized slice ``[start:end]``.

        Diacritics on the last letter are kept in the span.
        """
        if self._keys is None:
            return start, end
        ostart = self.orig(start)
        oend = self.orig(end - 1) + 1 if end > start else ostart
        text = self.text
        while oend < len(text) and text[oend] in _MARKS:
            oend += 1
        return ostart, oend
