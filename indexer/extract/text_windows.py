"""Words before / after a position in the normalized text, within a sentence or clause."""
from __future__ import annotations

import re

WORD = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*")
SENTENCE_END = re.compile(r"[.!?؟؛\n]")
CLAUSE_BREAK = re.compile(r"[.!?؟؛:\n()\[\]«»\"“”]")


def words_before(norm: str, pos: int, n: int, stop=SENTENCE_END) -> list[tuple[str, int]]:
    """``(word, start)`` pairs before ``pos`` in the same sentence, nearest last."""
    lo = max(0, pos - 25 * n)
    cut = None
    for cut in stop.finditer(norm, lo, pos):
        pass
    if cut is not None:
        lo = cut.end()
    return [(m.group(), m.start()) for m in WORD.finditer(norm, lo, pos)][-n:]


def words_after(norm: str, pos: int, n: int, stop=CLAUSE_BREAK) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` triples after ``pos`` up to the next ``stop``."""
    cut = stop.search(norm, pos, pos + 25 * n)
    hi = cut.start() if cut else min(len(norm), pos + 25 * n)
    return [(m.group(), m.start(), m.end()) for m in WORD.finditer(norm, pos, hi)][:n]


def strip_clitic(word: str) -> str:
    for clitic in ("و", "ف", "ب", "ل"):
        if word.startswith(clitic) and len(word) > 3:
            return word[1:]
    return word
