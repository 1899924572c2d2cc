"""Numbers of armed personnel (troops, fighters, militants, police...) with kind and noun.

A number counts only when it is tied to a personnel noun:
``500 جندي``، ``500 من عناصر داعش``، ``قوة قوامها 500``، ``عدد المقاتلين 500``،
``مليون عراقي للتطوع``، ``و200 آخرين`` after such a number, or a vague quantity before one
(``مئات الجنود``، ``عشرات الآلاف من المقاتلين``). Each mention then gets its kind (force size
or casualties: ``troop_kinds``), its side and flags (``troop_context``).
"""
from __future__ import annotations

import re

from .context import in_vocab, prev_word
from .model import Troop
from .numbers import Number, find_numbers, find_vague
from .troop_config import Noun, config
from .troop_context import flags, side
from .troop_kinds import Kinds
from .text_windows import SENTENCE_END, strip_clitic, words_after, words_before

_AFTER = re.compile(r"[ ]*(?:(من)[ ]+)?([^\W\d_]+)")
_PERCENT = re.compile(r"[ ]*(?:%|٪)")
_COUNT_FOLLOWERS = frozenset(("في", "من", "على", "الى", "حتى", "خلال", "فقط", "تقريبا", "بحسب", "حسب", "وفق"))


class Head:
    """What a number counts: a personnel noun, another noun, or nothing known."""
    __slots__ = ("personnel", "noun", "cls", "end", "rule", "word")

    def __init__(self, personnel: bool, noun: Noun | None, end: int, rule: str, cls: str | None = None,
                 word: str | None = None):
        self.personnel = personnel
        self.noun = noun
        self.cls = cls or (noun.cls if noun else None)
        self.end = end          # normalized end of the counted phrase
        self.rule = rule
        self.word = word        # the word after the number when it is not a personnel noun


def find_troops(doc, countries=(), orgs=()) -> list[Troop]:
    """Troop numbers in ``doc``.

    ``countries`` are ``(code, Match)`` pairs and ``orgs`` ``(name, start, end)`` normalized
    spans, both used to tell whose personnel a number counts.
    """
    cfg = config()
    if doc.words.isdisjoint(cfg["triggers"]):
        return []       # no personnel noun, no purpose/strength/vague word: nothing can count troops
    exact = find_numbers(doc)
    vague = find_vague(doc, exact)
    numbers = sorted(exact + vague, key=lambda n: n.start) if vague else exact
    if not numbers:
        return []
    heads: list[Head | None] = []
    for i, num in enumerate(numbers):
        heads.append(_head(doc, cfg, numbers, heads, i) if num.value > 1 or not num.words_only else None)
    kinds = Kinds(doc, cfg, numbers, heads)
    country_starts = sorted((m.mstart, code, m.value[1]) for code, m in countries)
    org_spans = sorted(orgs, key=lambda o: o[1])
    troops = []
    for i, head in enumerate(heads):
        if head is not None and head.personnel:
            troops.append(_troop(doc, cfg, numbers, heads, kinds, i, head, country_starts, org_spans))
    return troops


def _head(doc, cfg, numbers, heads, i) -> Head | None:
    norm = doc.norm
    num = numbers[i]
    if num.vague:
        return _vague_head(doc, cfg, num)
    if _PERCENT.match(norm, num.end):
        return Head(False, None, num.end, "percent")
    prev = prev_word(norm, num.start)
    if prev and in_vocab(prev, cfg["years"]):
        return Head(False, None, num.end, "year")
    after = _AFTER.match(norm, num.end)
    nouns = cfg["nouns"]
    if after:
        word = after.group(2)
        via_min = after.group(1) is not None
        noun = nouns.get(word)
        if noun is not None and (via_min or not noun.after_min_only):
            ok, cls = _noun_ok(norm, cfg, noun, num, after.end())
            if ok:
                return Head(True, noun, after.end(), "noun", cls)
            if not via_min and word in cfg["people"] and prev and in_vocab(prev, cfg["strength"]):
                return Head(True, None, after.end(), "strength")     # قوة قوامها 500 رجل
            return Head(False, None, after.end(), "rejected", word=word)
        if not via_min:
            if word in cfg["others"]:
                return _others(doc, cfg, numbers, heads, i, after.end())
            if word in cfg["people"] and prev and in_vocab(prev, cfg["strength"]):
                return Head(True, None, after.end(), "strength")     # قوة قوامها 500 رجل
            if word in cfg["units"] or word in nouns:
                return Head(False, None, after.end(), "unit", word=word)
            if _looks_like_year(num):
                return Head(False, None, after.end(), "other", word=word)
            nxt = words_after(norm, after.end(), 1)
            if nxt and in_vocab(nxt[0][0], cfg["purpose"]) and _person_like(doc, cfg, word, after):
                return Head(True, None, nxt[0][2], "purpose")
            return Head(False, None, after.end(), "other", word=word)
    if _looks_like_year(num):
        return None
    if prev and in_vocab(prev, cfg["strength"]) and _ends_count(norm, num):
        return Head(True, None, num.end, "strength")
    counted = _counted_before(norm, cfg, num)
    if counted is not None:
        return Head(True, counted[0], num.end, "count", counted[1])
    return None


def _vague_head(doc, cfg, num: Number) -> Head | None:
    """``مئات الجنود``، ``عشرات من عناصر داعش``: a vague quantity needs a personnel noun."""
    after = _AFTER.match(doc.norm, num.end)
    if not after:
        return None
    noun = cfg["nouns"].get(after.group(2))
    if noun is None or (noun.after_min_only and after.group(1) is None):
        return None
    ok, cls = _noun_ok(doc.norm, cfg, noun, num, after.end())
    return Head(True, noun, after.end(), "vague", cls) if ok else None


def _looks_like_year(num: Number) -> bool:
    return not num.words_only and 1900 <= num.value <= 2100


def _person_like(doc, cfg, word, after) -> bool:
    """Could ``word`` (between a number and للتطوع / يقاتلون) name people?"""
    if word in cfg["people"]:
        return True
    start, end = doc.span(after.start(2), after.end(2))
    surface = doc.text[start:end]
    # a nationality-like adjective (عراقي، عرافي); "مبنى" normalizes to مبني but is spelled with ى
    return surface.endswith(("ي", "يين", "يون")) and len(surface) >= 4


def _noun_ok(norm, cfg, noun: Noun, num, noun_end) -> tuple[bool, str | None]:
    """Is the noun armed personnel here, and of which class (police for ``عنصر أمن``)?

    Weak nouns and police need military context; civil-service and charity words after
    the noun reject it (``عنصر مرور``، ``متطوع في الهلال الأحمر``).
    """
    words = [w for w, _, _ in words_after(norm, noun_end, 3)]
    if noun.requires_next is not None and not (words and words[0] in noun.requires_next):
        return False, None
    if words and (words[0] in cfg["reject_after"] or " ".join(words[:2]) in cfg["reject_after"]):
        return False, None
    near = words[1:3] if words and words[0] == "من" else words[:2]
    if any(w in cfg["reject_near"] for w in near) or " ".join(near) in cfg["reject_near"]:
        return False, None
    cls = noun.cls
    police = bool(near) and near[0] in cfg["police_after"]
    if noun.weak and police:
        cls = "police"
    if not noun.weak and cls != "police":
        return True, cls
    if noun.context == "after" and cls != "police":
        return cfg["groups"].search(" ".join(words)) is not None, cls
    window = norm[max(0, num.start - 250):noun_end + 250]
    return cfg["context"].search(window) is not None, cls


def _others(doc, cfg, numbers, heads, i, end) -> Head | None:
    """``و200 آخرين``: counts what the previous number in the sentence counted."""
    norm = doc.norm
    num = numbers[i]
    for j in range(i - 1, -1, -1):
        prev = numbers[j]
        if num.start - prev.end > 300 or SENTENCE_END.search(norm, prev.end, num.start):
            break
        head = heads[j]
        if head is not None and head.rule not in ("year", "percent"):
            return Head(head.personnel, head.noun, end, "others", head.cls)
    # "2 مليون آخرين ... من المتطوعين": the noun comes later in the clause
    words = words_after(norm, end, 8)
    for k, (w, _s, _e) in enumerate(words[:-1]):
        if w == "من":
            noun = cfg["nouns"].get(words[k + 1][0])
            if noun is not None:
                return Head(True, noun, end, "others")
    return None


def _ends_count(norm, num) -> bool:
    """Nothing is counted after the number (end of clause or a function word)."""
    after = words_after(norm, num.end, 1)
    return not after or after[0][0].startswith("و") or after[0][0] in _COUNT_FOLLOWERS


def _counted_before(norm, cfg, num) -> tuple[Noun, str] | None:
    """``بلغ عدد المقاتلين 500``: a count word + personnel noun shortly before."""
    if not _ends_count(norm, num):
        return None
    before = words_before(norm, num.start, 6)
    nouns = cfg["nouns"]
    for k, (w, _s) in enumerate(before[:-1]):
        noun = nouns.get(before[k + 1][0])
        if strip_clitic(w) in cfg["count"] and noun is not None:
            noun_end = before[k + 1][1] + len(before[k + 1][0])
            ok, cls = _noun_ok(norm, cfg, noun, num, noun_end)
            return (noun, cls) if ok else None
    return None


def _troop(doc, cfg, numbers, heads, kinds, i, head, country_starts, org_spans) -> Troop:
    norm = doc.norm
    num = numbers[i]
    start, end = num.start, head.end
    value, upper, bound, approximate = num.value, num.upper, None, False
    if num.vague:
        bound, approximate = "vague", True

    prev = numbers[i - 1] if i else None
    if not num.vague and prev is not None and not prev.vague and _is_range(norm, cfg, prev, num, heads[i - 1]):
        low = _scale_like(prev.value, num.value)
        if low < num.value:
            value, upper, bound, approximate = low, num.value, "range", True
            start = prev.start
            before = words_before(norm, start, 2)
            if before and before[-1][0] in cfg["range_before"]:
                start = before[-1][1]
                if len(before) > 1 and before[-2][0] == "ما":
                    start = before[-2][1]

    qual = cfg["qual_before"].search(norm, max(0, start - 40), start)
    if qual is not None:
        approximate = True
        phrase = " ".join(qual.group("q").split())
        if bound is None:
            if phrase in cfg["lower"]:
                bound = "lower"
            elif phrase in cfg["upper"]:
                bound = "upper"
        start = qual.start("q")
    after_q = cfg["qual_after"].match(norm, end)
    if after_q is not None:
        approximate = True
        if bound is None and " ".join(after_q.group("q").split()) in cfg["lower_after"]:
            bound = "lower"
        end = after_q.end()

    kind, casualty = kinds.of(i)
    country, org = side(norm, cfg, head, country_starts, org_spans)
    ostart, oend = doc.span(start, end)
    return Troop(value=value, text=doc.text[ostart:oend], start=ostart, end=oend,
                 approximate=approximate, bound=bound, kind=kind, casualty=casualty,
                 country=country, org=org, noun=head.cls, word=head.noun.lemma if head.noun else None,
                 upper=upper, flags=flags(norm, cfg, num, start, kind, upper or value))


def _is_range(norm, cfg, prev: Number, num: Number, prev_head) -> bool:
    """``بين 7 و8 آلاف جندي``، ``5 إلى 10 آلاف``، ``900 أو 1000``."""
    if prev_head is not None and prev_head.personnel:
        return False
    gap = norm[prev.end:num.start].strip()
    if gap in ("الى", "او", "-", "–"):
        return True
    if gap == "و" or (gap == "" and norm[num.start - 1:num.start] == "و"):
        before = words_before(norm, prev.start, 2)
        return bool(before) and before[-1][0] in cfg["range_before"]
    return False


def _scale_like(low: int, high: int) -> int:
    """``بين 7 و8 آلاف``: the lower end borrows the upper end's scale word."""
    for scale in (1_000_000_000, 1_000_000, 1_000):
        if high % scale == 0 and high // scale < 1000 and low * scale <= high:
            return low * scale
    return low

