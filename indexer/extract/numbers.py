"""Numbers written in digits, words or both (``60 ألف``، ``مليون ونصف المليون``).

pyarabic's ``text2number`` handles plain word numbers but not digits with
scale words, duals or halves, so the parsing here is our own; the word
lists live in ``data/numbers.json``.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from .normalize import normalize_key
from .resources import load_json

_DIGITS = r"\d+(?:[.,]\d+)*"


@dataclass(slots=True)
class Number:
    value: int
    start: int          # normalized offsets
    end: int
    words_only: bool    # no digit in it (ثلاثون), vs 30 / 30 ألف
    upper: int | None = None    # vague quantities (مئات): the high end; value is the low end
    vague: bool = False


@lru_cache(maxsize=1)
def _lexicon():
    data = load_json("numbers.json")
    lex: dict[str, tuple[str, float]] = {}

    def add(section: str, kind: str):
        for word, value in data[section].items():
            lex[normalize_key(word)] = (kind, float(value))

    add("units", "unit")
    add("tens", "ten")
    add("hundreds", "hundred")
    add("scales", "scale")
    add("dual_scales", "dual")
    add("ambiguous_dual_scales", "dual?")
    add("definite_scales", "dscale")
    add("halves", "half")
    plural = frozenset(normalize_key(w) for w in data["plural_scales"])
    teen = frozenset(normalize_key(w) for w in data["teen_markers"])
    teen_only = frozenset(normalize_key(w) for w in data["leading_only_if_teen"])
    hundred_mult = frozenset(normalize_key(w) for w in data["hundred_multiplier"])
    teen_only |= frozenset(normalize_key(w) for w in data.get("teen_only", ()))
    return lex, plural, teen, teen_only, hundred_mult


@lru_cache(maxsize=1)
def phrase_regex() -> re.Pattern:
    lex = _lexicon()[0]
    words = "|".join(sorted((re.escape(w) for w in lex), key=len, reverse=True))
    # digits may be glued to a word before them (حوالى400، الـ800، و60)
    token = rf"(?:(?<![\d.,]){_DIGITS}(?!\d)|(?<!\w)(?:[وبلف]|وب|ول)?(?:{words})(?!\w))"
    sep = r"(?:[ ]+(?:و[ ]*)?|[ ]*و[ ]*)"
    return re.compile(rf"{token}(?:{sep}{token})*")


_TOKEN = re.compile(rf"{_DIGITS}|[^\W\d_]+")
_GLUED = ("و", "ب", "ل", "ف", "وب", "ول", "ال", "وال", "بال")


def _digits_value(raw: str, followed_by_scale: bool) -> float:
    """44,500 / 44.500 -> 44500; 1.5 (or 1.500 before a scale word) -> 1.5."""
    if "," in raw or "." in raw:
        groups = re.split(r"[.,]", raw)
        thousands = all(len(g) == 3 for g in groups[1:])
        if thousands and not (followed_by_scale and len(groups) == 2 and "." in raw):
            return float("".join(groups))
        head, _, tail = raw.replace(",", ".").partition(".")
        return float(f"{head}.{tail.replace('.', '')}")
    return float(raw)


def _tokens(text: str):
    lex = _lexicon()[0]
    out = []
    for t in _TOKEN.finditer(text):
        word = t.group()
        if word[0].isdigit():
            out.append(("digit", word, t.start(), t.end()))
            continue
        if word not in lex:
            for cut in _GLUED:
                if word.startswith(cut) and word[len(cut):] in lex:
                    word = word[len(cut):]
                    break
            else:
                continue
        out.append((lex[word][0], word, t.start(), t.end()))
    return out


class _Builder:
    """Accumulates one number; ``emit`` closes it and starts the next."""

    def __init__(self, offset: int):
        self.offset = offset
        self.out: list[Number] = []
        self.reset()

    def reset(self):
        self.total = 0.0        # completed groups (3 آلاف)
        self.cur = 0.0          # pending small number (و500)
        self.cur_digits = False
        self.cur_start = None
        self.last_scale = 0.0
        self.total_end = 0
        self.start = None
        self.end = 0
        self.digits = False

    def emit(self, value: float | None = None, end: int | None = None):
        value = self.total + self.cur if value is None else value
        if self.start is not None and value >= 1:
            self.out.append(Number(int(round(value)), self.offset + self.start,
                                   self.offset + (self.end if end is None else end),
                                   not self.digits))
        self.reset()

    def begin(self, s: int):
        if self.start is None:
            self.start = s
        if self.cur == 0:
            self.cur_start = s


def parse_phrase(text: str, offset: int = 0) -> list[Number]:
    """Numbers in one matched phrase; ``7 آلاف و8 آلاف`` gives two."""
    lex, plural, teen, teen_only, hundred_mult = _lexicon()
    tokens = _tokens(text)
    b = _Builder(offset)
    i = 0
    while i < len(tokens):
        kind, word, s, e = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        nkind = nxt[0] if nxt else None
        if kind == "digit":
            value = _digits_value(word, nkind in ("scale", "dual?", "dual"))
            if b.start is not None and (b.cur or (b.last_scale and value >= b.last_scale)):
                b.emit()            # "900 و1100": two numbers
            b.begin(s)
            b.cur += value
            b.cur_digits = b.digits = True
        elif kind in ("unit", "ten", "hundred"):
            value = lex[word][1]
            if word in teen and 0 < b.cur < 10 and not b.cur_digits:
                b.cur += 10
            elif word in hundred_mult and 0 < b.cur < 10 and not b.cur_digits:
                b.cur *= 100
            elif word in teen_only and not (nxt and nxt[1] in teen):
                i += 1
                continue            # أحد/إحدى alone means "one of"; عشر alone "a tenth"
            else:
                if b.start is not None and not _adds(b.cur, value, b.cur_digits):
                    b.emit()
                b.begin(s)
                b.cur += value
                b.cur_digits = False
        elif kind in ("scale", "dual", "dual?"):
            scale = lex[word][1]
            if kind == "dual" or (kind == "dual?" and not b.cur and not b.total):
                multiplier = b.cur or 2.0
            elif word in plural and not b.cur:
                if b.start is None:
                    i += 1
                    continue        # آلاف alone: "thousands", no number
                multiplier = 1.0
            else:
                multiplier = b.cur or 1.0
            if b.total and scale >= b.last_scale:
                # a new group as large as the last one starts a second number
                cur_start = b.cur_start if b.cur else s
                cur, cur_digits = b.cur, b.cur_digits
                b.emit(b.total, end=b.total_end)
                b.start, b.cur, b.digits = cur_start, cur, cur_digits
                b.cur_start = cur_start
            b.begin(s)
            b.total += multiplier * scale
            b.cur = 0.0
            b.cur_digits = False
            b.last_scale = scale
            b.total_end = e
        elif kind == "half":
            if nkind in ("scale", "dscale"):
                scale = lex[nxt[1]][1]
                e = nxt[3]
                i += 1
            elif b.last_scale:
                scale = b.last_scale
            else:
                i += 1
                continue
            b.begin(s)
            b.total += lex[word][1] * scale
            b.total_end = e
        else:                       # definite scale word on its own
            i += 1
            continue
        b.end = e
        i += 1
    b.emit()
    return b.out


def _adds(cur: float, value: float, cur_is_digits: bool) -> bool:
    """Does a small number word continue the current number (خمسة وعشرون)?"""
    if cur == 0:
        return True
    if cur_is_digits:
        return False
    if cur < 10 and 20 <= value < 100:
        return True                 # unit + tens
    if cur % 100 == 0 and value < 100:
        return True                 # hundreds + rest
    if cur >= 20 and cur % 10 == 0 and cur < 100 and value < 10:
        return True
    return False


@lru_cache(maxsize=1)
def triggers() -> frozenset:
    words = _lexicon()[0]
    return frozenset(p + w for w in words for p in ("", "و", "ب", "ل", "ف", "وب", "ول"))


def find_numbers(doc) -> list[Number]:
    """All numbers in a :class:`NormText`, in text order.

    Only the places where a number word or a digit stands are tried.
    """
    norm = doc.norm
    present = doc.cache.get("present", doc.words)
    starts = {p for w in present & triggers() for p in doc.positions(w)}
    digit_words = [w for w in doc.words if w[-1].isdigit()]     # 275، 44 (of 44,500)، حوالي400
    doc.index(digit_words)
    for w in digit_words:
        lead = 0
        while not w[lead].isdigit():
            lead += 1
        starts.update(p + lead for p in doc.positions(w))
    rx = phrase_regex()
    out = []
    covered = -1
    for p in sorted(starts):
        if p < covered:
            continue
        m = rx.match(norm, p)
        if m is not None:
            out.extend(parse_phrase(m.group(), p))
            covered = m.end()
    return out


@lru_cache(maxsize=1)
def _vague_config():
    data = load_json("numbers.json")["vague"]
    plurals = {normalize_key(w): tuple(r) for w, r in data["plurals"].items()}
    plurals.update({"ال" + w: r for w, r in list(plurals.items())})
    scales = {normalize_key(w): v for w, v in data["scales_after"].items()}
    few = frozenset(normalize_key(w) for w in data["few"])
    few_scales = {normalize_key(w): v for w, v in data["few_scales"].items()}
    words = sorted(set(plurals) | few, key=len, reverse=True)
    rx = re.compile(r"(?<!\w)(?:[وف]?[بل]?)(?P<w>" + "|".join(map(re.escape, words)) + r")(?!\w)"
                    r"(?:[ ]+(?P<s>" + "|".join(map(re.escape, sorted(scales, key=len, reverse=True))) + r")(?!\w))?")
    triggers = frozenset(p + w for w in [*plurals, *few] for p in ("", "و", "ب", "ل", "ف", "وب", "ول", "فب", "فل"))
    return rx, plurals, scales, few, few_scales, tuple(data["few_range"]), triggers


def vague_triggers() -> frozenset:
    return _vague_config()[-1]


def find_vague(doc, taken: list[Number] = ()) -> list[Number]:
    """Vague quantities (``مئات``، ``عشرات الآلاف``، ``بضعة آلاف``) as ranges, outside ``taken``."""
    rx, plurals, scales, few, few_scales, few_range, triggers = _vague_config()
    present = doc.cache.get("present", doc.words) & triggers
    if not present:
        return []
    starts = [n.start for n in taken]       # taken is in text order
    out: list[Number] = []
    covered = -1
    for p in sorted(q for w in present for q in doc.positions(w)):
        if p < covered:
            continue
        m = rx.match(doc.norm, p)
        if m is None:
            continue
        k = bisect_left(starts, m.end())        # numbers starting before the match ends
        if k and taken[k - 1].end > p:
            continue                            # inside an exact number (ثلاثة آلاف)
        word, scale = m.group("w"), m.group("s")
        end = m.end()
        if word in few:
            after = None if scale else rx.match(doc.norm, end + 1) if doc.norm.startswith(" ", end) else None
            base = scales[scale] if scale else few_scales.get(after.group("w")) if after is not None else None
            if after is not None and base is not None and not after.group("s"):
                end = after.end()
            low, high = (few_range[0] * base, few_range[1] * base) if base else few_range
        else:
            low, high = plurals[word]
            if scale:
                low, high = low * scales[scale], (high + 1) * scales[scale] - 1
        out.append(Number(low, m.start("w"), end, True, high, True))
        covered = end
    return out
