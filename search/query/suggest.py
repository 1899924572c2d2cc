"""Did you mean: the likeliest intended word for a rare or absent query word.

Candidates come from the index's own vocabulary (``search/vocabulary.py``: exact-chain terms
with document frequencies). They are generated, not searched for: every single edit of the
word (delete, transpose, substitute, insert: about 60 per letter), then from each of those
every *cheap* Arabic edit (a dot confusion, a missing or extra ا و ي, a doubled letter, a
hamza seat). Each is one dictionary look-up, so the work is bounded by the word's length
(capped at ``MAX_WORD_CHARS``) and does not grow with the vocabulary.

A candidate's cost is the sum of its edits' weights (``edit_cost``); it is chosen by cost,
less a bonus for being frequent: ``cost - FREQ_WEIGHT * log10(df)``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from search.analysis import analyze_field
from search.query.tree import And, Node, Not, Or, Phrase, Word

MAX_WORD_CHARS = 20
MIN_WORD_CHARS = 3
MAX_WORDS = 5  # words of one query looked at
MAX_COST = 1.6
FREQ_WEIGHT = 0.25
MIN_DF = 3  # a suggestion must be in at least this many documents
RARE_RATIO = 200  # a word that is in the index is only replaced by one this many times as frequent

# After the exact chain's normalization (أ إ آ -> ا, ة -> ه, ى -> ي, ؤ ئ -> ء, no diacritics).
ALPHABET = "ءابتثجحخدذرزسشصضطظعغفقكلمنهوي"
# Letters that differ by their dots, a hamza seat, or a sound people confuse: (letters, cost).
CONFUSIONS = [("ءاوي", 0.4), ("يبتنث", 0.5), ("جحخ", 0.5), ("دذ", 0.5), ("رز", 0.5), ("سش", 0.5), ("صض", 0.5),
              ("طظ", 0.5), ("عغ", 0.5), ("فق", 0.5), ("هت", 0.7), ("كق", 0.7), ("ذزظض", 0.7), ("ثس", 0.7),
              ("تط", 0.7), ("دض", 0.7)]
SOFT_LETTERS = "اوي"  # written or left out freely (long vowels)
COST_SOFT = 0.4
COST_DOUBLE = 0.4
COST_TRANSPOSE = 0.8
COST_OTHER = 1.0
# Adding or dropping a clitic (و ف ب ك ل in front, a pronoun or ending at the back) makes
# another real word (والموصل, كقروض, ادانتك), not a typo: dearer than a plain edit.
PREFIX_CLITICS = "وفبكل"
SUFFIX_LETTERS = "هكايتن"
COST_CLITIC = 1.2

_SUB: dict[tuple[str, str], float] = {}
for _group, _cost in CONFUSIONS:
    for _a in _group:
        for _b in _group:
            if _a != _b:
                _SUB[_a, _b] = min(_SUB.get((_a, _b), 9), _cost)
_ARABIC_WORD = re.compile("[\u0621-\u064a]+")
_CHEAP_SUBS = {a: [b for (x, b) in _SUB if x == a] for a in ALPHABET}


def sub_cost(a: str, b: str) -> float:
    return _SUB.get((a, b), COST_OTHER)


def _clitic(i: int, n: int, c: str) -> bool:
    return (i == 0 and c in PREFIX_CLITICS) or (i >= n - 1 and c in SUFFIX_LETTERS)


def _edits1(word: str):
    """(candidate, cost) for every single edit of ``word``."""
    n = len(word)
    for i in range(n):
        # delete
        c = word[i]
        cost = COST_DOUBLE if (i and word[i - 1] == c) or (i + 1 < n and word[i + 1] == c) else (
            COST_CLITIC if _clitic(i, n, c) else COST_SOFT if c in SOFT_LETTERS else COST_OTHER)
        yield word[:i] + word[i + 1:], cost
        if i + 1 < n and word[i + 1] != c:
            yield word[:i] + word[i + 1] + c + word[i + 2:], COST_TRANSPOSE
        for b in ALPHABET:
            if b != c:
                yield word[:i] + b + word[i + 1:], sub_cost(c, b)
    for i in range(n + 1):
        for b in ALPHABET:
            cost = COST_DOUBLE if (i and word[i - 1] == b) or (i < n and word[i] == b) else (
                COST_CLITIC if _clitic(i, n + 1, b) else COST_SOFT if b in SOFT_LETTERS else COST_OTHER)
            yield word[:i] + b + word[i:], cost


def _cheap_edits(word: str):
    """(candidate, cost) for the Arabic edits that cost less than a plain one."""
    n = len(word)
    for i in range(n):
        c = word[i]
        if c in SOFT_LETTERS or (i and word[i - 1] == c):
            yield word[:i] + word[i + 1:], COST_DOUBLE if i and word[i - 1] == c else COST_SOFT
        for b in _CHEAP_SUBS.get(c, ()):
            yield word[:i] + b + word[i + 1:], _SUB[c, b]
        yield word[:i + 1] + c + word[i + 1:], COST_DOUBLE
    for i in range(n + 1):
        for b in SOFT_LETTERS:
            yield word[:i] + b + word[i:], COST_SOFT


def candidates(term: str, df) -> dict[str, float]:
    """Vocabulary terms within ``MAX_COST`` of ``term``, with their cheapest cost."""
    found: dict[str, float] = {}
    if not MIN_WORD_CHARS <= len(term) <= MAX_WORD_CHARS:
        return found
    level1: dict[str, float] = {}
    for cand, cost in _edits1(term):
        if cost < level1.get(cand, 9):
            level1[cand] = cost
    level1.pop(term, None)
    for cand, cost in level1.items():
        if cost <= MAX_COST and df(cand) >= MIN_DF:
            found[cand] = min(cost, found.get(cand, 9))
    # Two edits only for words long enough to stay recognizable, and only when the first is
    # a cheap one too (a few hundred look-ups instead of tens of thousands).
    if len(term) >= 5:
        for first, c1 in level1.items():
            if c1 >= COST_OTHER:
                continue
            for cand, c2 in _cheap_edits(first):
                cost = c1 + c2
                if cost <= MAX_COST and cand != term and cost < found.get(cand, 9) and df(cand) >= MIN_DF:
                    found[cand] = cost
    return found


def best_correction(term: str, df) -> str | None:
    """The likeliest intended vocabulary term for ``term``, if it is rare or absent."""
    own = df(term)
    scored = []
    for cand, cost in candidates(term, df).items():
        n = df(cand)
        # A word that is in the index is only corrected by one edit, to a far more frequent word.
        if own and (n < RARE_RATIO * own or cost > COST_OTHER):
            continue
        scored.append((cost - FREQ_WEIGHT * math.log10(n), -n, cand))
    return min(scored)[2] if scored else None


@dataclass(frozen=True)
class Correction:
    word: str  # as typed (a Word node's text)
    term: str  # the vocabulary term proposed instead


def corrections(tree: Node, df, meant_df: int = 20) -> list[Correction]:
    """Corrections for the rare or absent words of a query (positive words and phrase words).

    A word in ``meant_df`` documents or more is taken as meant and not looked at.
    """
    out: list[Correction] = []
    seen: set[str] = set()
    for word in _words(tree):
        if len(seen) >= MAX_WORDS:
            break
        if word in seen or len(word) > 3 * MAX_WORD_CHARS:
            continue
        seen.add(word)
        tokens = analyze_field("arabic_exact", word)
        # Arabic words only: the vocabulary is Arabic news; Latin names go through names.py.
        if len(tokens) != 1 or not _ARABIC_WORD.fullmatch(tokens[0].term) or df(tokens[0].term) >= meant_df:
            continue
        fix = best_correction(tokens[0].term, df)
        if fix:
            out.append(Correction(word, fix))
    return out


def _words(node: Node):
    if isinstance(node, Word):
        yield node.text
    elif isinstance(node, Phrase):
        yield from node.text.split()
    elif isinstance(node, (And, Or)):
        for c in node.children:
            yield from _words(c)
    elif isinstance(node, Not):
        return


def apply(tree: Node, replace: dict[str, str]) -> Node:
    """``tree`` with words replaced (``replace``: typed word -> word to search)."""
    if isinstance(node := tree, Word):
        return Word(replace.get(node.text, node.text), node.fields)
    if isinstance(node, Phrase):
        return Phrase(" ".join(replace.get(w, w) for w in node.text.split()), node.fields)
    if isinstance(node, And):
        return And(tuple(apply(c, replace) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(apply(c, replace) for c in node.children))
    return tree
