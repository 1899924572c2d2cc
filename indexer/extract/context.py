"""Words around a match, and the small rule engine used by the data files.

Rules are lists of cases (see ``data/country_rules.json``); the first case
whose conditions all hold gives the result.
"""
from __future__ import annotations

import re
from bisect import bisect_left

from .normalize import normalize_key
from .resources import expand_list

_WORD = re.compile(r"\w+")
# Words on the other side of these are not "the previous/next word".
_BREAK = re.compile(r"[.!?؟؛;:,،\n()\[\]{}]")
_CLITICS = ("وب", "ول", "فب", "فل", "وك", "و", "ف", "ب", "ل", "ك")
QUOTES = frozenset("«»\"“”'‘’")


def prev_words(norm: str, pos: int, n: int = 1, reach: int = 80) -> list[str]:
    """Up to ``n`` words before ``pos`` in the same clause, nearest last."""
    segment = norm[max(0, pos - reach):pos]
    cut = None
    for cut in _BREAK.finditer(segment):
        pass
    if cut is not None:
        segment = segment[cut.end():]
    return _WORD.findall(segment)[-n:]


def next_words(norm: str, pos: int, n: int = 1, reach: int = 80) -> list[str]:
    """Up to ``n`` words after ``pos`` in the same clause."""
    segment = norm[pos:pos + reach]
    cut = _BREAK.search(segment)
    if cut is not None:
        segment = segment[:cut.start()]
    return _WORD.findall(segment)[:n]


_STOPS = frozenset(".!?؟؛;:,،\n()[]{}")
_SKIP = frozenset(" «»\"“”'‘’")


def prev_word(norm: str, pos: int) -> str | None:
    """The word right before ``pos`` in the same clause (no regex: this runs per mention)."""
    i = pos
    while i > 0 and norm[i - 1] in _SKIP:
        i -= 1
    if i == 0 or norm[i - 1] in _STOPS:
        return None
    j = i
    while j > 0 and norm[j - 1].isalnum():
        j -= 1
    return norm[j:i] or None


def in_vocab(word: str, vocab: frozenset) -> bool:
    """``word`` is in ``vocab``, possibly behind a clitic (وسلطنة، بسلطنة)."""
    if word in vocab:
        return True
    for clitic in _CLITICS:
        if word.startswith(clitic) and len(word) - len(clitic) >= 2 and word[len(clitic):] in vocab:
            return True
    return False


def _strip_clitic(word: str) -> str:
    for clitic in ("وب", "ول", "فب", "فل", "و", "ف", "ب", "ك"):
        if word.startswith(clitic + "ال"):
            return word[len(clitic):]
    if word.startswith("لل"):
        return "ا" + word[1:]
    return word


class Case:
    __slots__ = ("prev", "next", "next_prefix", "near", "window", "coordinated",
                 "coordinated_org", "quoted", "prefix", "surface_suffix", "prev_definite", "result")

    def __init__(self, spec: dict, lists: dict, result_key: str):
        def vocab(name):
            if name not in spec:
                return None
            return frozenset(normalize_key(w) for w in expand_list(spec[name], lists))

        self.prev = vocab("prev")
        self.next = vocab("next")
        self.near = vocab("near")
        self.next_prefix = tuple(normalize_key(w) for w in spec.get("next_prefix", ()))
        self.window = int(spec.get("window", 2))
        self.coordinated = spec.get("coordinated")
        self.coordinated_org = spec.get("coordinated_org")
        self.quoted = spec.get("quoted")
        self.prefix = frozenset(spec["prefix"]) if "prefix" in spec else None
        self.surface_suffix = tuple(spec.get("surface_suffix", ()))
        self.prev_definite = spec.get("prev_definite")
        self.result = spec.get(result_key)

    def holds(self, ctx: "MatchContext") -> bool:
        if self.prev is not None:
            words = ctx.before(1)
            if not words or not in_vocab(words[-1], self.prev):
                return False
        if self.next is not None:
            words = ctx.after(1)
            if not words or not in_vocab(words[0], self.next):
                return False
        if self.next_prefix:
            words = ctx.after(1)
            if not words or not words[0].startswith(self.next_prefix):
                return False
        if self.near is not None:
            words = ctx.before(self.window) + ctx.after(self.window)
            if not any(in_vocab(w, self.near) for w in words):
                return False
        if self.coordinated is not None and ctx.coordinated() != self.coordinated:
            return False
        if self.coordinated_org is not None and ctx.coordinated_org() != self.coordinated_org:
            return False
        if self.quoted is not None and ctx.quoted() != self.quoted:
            return False
        if self.prefix is not None and ctx.match.prefix not in self.prefix:
            return False
        if self.prev_definite is not None:
            words = ctx.before(1)
            definite = bool(words) and _strip_clitic(words[-1]).startswith("ال")
            if definite != self.prev_definite:
                return False
        if self.surface_suffix and not ctx.surface().endswith(self.surface_suffix):
            return False
        return True


def compile_cases(specs: list, lists: dict, result_key: str) -> tuple[Case, ...]:
    return tuple(Case(spec, lists, result_key) for spec in specs)


def resolve(cases, ctx: "MatchContext", default):
    for case in cases:
        if case.holds(ctx):
            return case.result
    return default


class MatchContext:
    """Lazy view of the text around one match, for rules."""

    __slots__ = ("doc", "match", "_coord", "_coord_org", "_before", "_after")

    def __init__(self, doc, match, coord=None, coord_org=None):
        self.doc = doc
        self.match = match
        self._coord = coord
        self._coord_org = coord_org
        self._before = None
        self._after = None

    def before(self, n: int) -> list[str]:
        if n == 1 and self._before is None:
            word = prev_word(self.doc.norm, self.match.mstart)
            return [word] if word else []
        if self._before is None or len(self._before) < n:
            self._before = prev_words(self.doc.norm, self.match.mstart, max(n, 3))
        return self._before[-n:]

    def after(self, n: int) -> list[str]:
        if self._after is None or len(self._after) < n:
            self._after = next_words(self.doc.norm, self.match.end, max(n, 3))
        return self._after[:n]

    def coordinated(self) -> bool:
        return bool(self._coord and self._coord(self.match))

    def coordinated_org(self) -> bool:
        return bool(self._coord_org and self._coord_org(self.match))

    def quoted(self) -> bool:
        norm, m = self.doc.norm, self.match
        before = norm[m.mstart - 1] if m.mstart else ""
        after = norm[m.end] if m.end < len(norm) else ""
        return before in QUOTES and after in QUOTES

    def surface(self) -> str:
        start, end = self.doc.span(self.match.start, self.match.end)
        return self.doc.text[start:end]


_GAP = re.compile(r"[ \n]*(?:[،,][ \n]*)?(?:و[ \n]+)?")


def coordination_test(matches):
    """Return a predicate: is a match joined to a neighbour in ``matches`` by و or a comma?"""
    ordered = sorted(matches, key=lambda m: m.start)
    starts = [m.start for m in ordered]

    def joined(left, right, norm) -> bool:
        gap = norm[left.end:right.mstart]
        if len(gap) > 6 or _GAP.fullmatch(gap) is None:
            return False
        return right.prefix.startswith("و") or any(c in gap for c in "،,و")

    def test(match, norm) -> bool:
        i = bisect_left(starts, match.start)
        if i > 0 and joined(ordered[i - 1], match, norm):
            return True
        j = i + 1 if i < len(ordered) and ordered[i] is match else i
        return j < len(ordered) and joined(match, ordered[j], norm)

    return test
