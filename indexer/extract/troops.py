"""Numbers of armed personnel (troops, fighters, militants...) with their kind.

A number counts only when it is tied to a personnel noun:
``500 جندي``، ``500 من عناصر داعش``، ``قوة قوامها 500``، ``عدد المقاتلين 500``،
``مليون عراقي للتطوع``، or ``و200 آخرين`` after such a number. Casualty
counts (killed / wounded / captured) are told apart from force sizes by the
words around them.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from .context import in_vocab, prev_word
from .countries import ADJECTIVE, DEFINITE_ADJECTIVE
from .model import Troop
from .normalize import normalize_key
from .numbers import Number, find_numbers
from .resources import load_json

_AFTER = re.compile(r"[ ]*(?:(من)[ ]+)?([^\W\d_]+)")
_WORD = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?؟؛\n]")
_CLAUSE_BREAK = re.compile(r"[.!?؟؛:\n()\[\]«»\"“”]")
_PERCENT = re.compile(r"[ ]*(?:%|٪)")
_SUFFIXES = ("ه", "ها", "هم", "نا", "كم")
_LOOKBACK_WORDS = 9
_LOOKAHEAD_WORDS = 8


def _alternation(phrases) -> str:
    alts = sorted({normalize_key(p) for p in phrases}, key=len, reverse=True)
    return "|".join(re.escape(a).replace(r"\ ", "[ ]+") for a in alts)


@lru_cache(maxsize=1)
def _config():
    data = load_json("troops.json")
    nouns: dict[str, tuple[str, str, bool, str]] = {}
    for entry in data["nouns"]:
        info = (entry["lemma"], entry["strength"], bool(entry.get("after_min_only")),
                entry.get("context", "sentence"))
        for form in entry["forms"]:
            f = normalize_key(form)
            for variant in (f, "ال" + f, *(f + s for s in _SUFFIXES)):
                nouns.setdefault(variant, info)

    def vocab(name):
        return frozenset(normalize_key(w) for w in data[name])

    casualty_before = {}
    for kind, words in data["casualty_before"].items():
        for w in words:
            casualty_before.setdefault(normalize_key(w), kind)
    casualty_after = {}
    for kind, words in data["casualty_after"].items():
        for w in words:
            casualty_after.setdefault(normalize_key(w), kind)
    triggers = set(nouns) | {p + n for n in nouns for p in ("و", "ب", "ل", "ف")}
    for name in ("purpose_words", "strength_words"):
        for w in data[name]:
            triggers.add(normalize_key(w).split(" ")[0])
    context = re.compile("|".join(re.escape(normalize_key(w)) for w in data["military_context"]))
    groups = re.compile("|".join(re.escape(normalize_key(w)) for w in data["group_context"]))
    return {
        "triggers": frozenset(triggers),
        "nouns": nouns,
        "reject_after": vocab("reject_after"),
        "reject_near": vocab("reject_near"),
        "country_link": vocab("country_link_words"),
        "context": context,
        "groups": groups,
        "purpose": vocab("purpose_words"),
        "people": vocab("people_nouns"),
        "others": vocab("others_words"),
        "strength": vocab("strength_words"),
        "count": vocab("count_words"),
        "units": vocab("non_person_units"),
        "years": vocab("year_words"),
        "qual_before": re.compile(r"(?<!\w)[وبلف]?(?P<q>" + _alternation(data["approx_before"])
                                  + r")[ ]*(?:ال)?[ ]*$"),
        "lower": vocab("lower_bound"),
        "upper": vocab("upper_bound"),
        "qual_after": re.compile(r"[ ]*(?P<q>" + _alternation(data["approx_after"]) + r")(?!\w)"),
        "lower_after": vocab("lower_after"),
        "range_before": vocab("range_before"),
        "casualty_before": casualty_before,
        "casualty_after": casualty_after,
    }


class _Head:
    """What a number counts: a personnel noun, another noun, or nothing known."""
    __slots__ = ("personnel", "noun", "end", "rule")

    def __init__(self, personnel: bool, noun: str | None, end: int, rule: str):
        self.personnel = personnel
        self.noun = noun
        self.end = end          # normalized end of the counted phrase
        self.rule = rule


def _words_before(norm: str, pos: int, n: int, stop=_SENTENCE_END):
    """``(word, start)`` pairs before ``pos`` in the same sentence, nearest last."""
    lo = max(0, pos - 25 * n)
    cut = None
    for cut in stop.finditer(norm, lo, pos):
        pass
    if cut is not None:
        lo = cut.end()
    return [(m.group(), m.start()) for m in _WORD.finditer(norm, lo, pos)][-n:]


def _words_after(norm: str, pos: int, n: int, stop=_CLAUSE_BREAK):
    cut = stop.search(norm, pos, pos + 25 * n)
    hi = cut.start() if cut else min(len(norm), pos + 25 * n)
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(norm, pos, hi)][:n]


def _strip(word: str) -> str:
    for clitic in ("و", "ف", "ب", "ل"):
        if word.startswith(clitic) and len(word) > 3:
            return word[1:]
    return word


def find_troops(doc, countries=()) -> list[Troop]:
    """Troop numbers in ``doc``; ``countries`` are ``(code, Match)`` pairs for attribution."""
    cfg = _config()
    if doc.words.isdisjoint(cfg["triggers"]):
        return []       # no personnel noun, no purpose/strength word: nothing can count troops
    numbers = find_numbers(doc)
    if not numbers:
        return []
    heads: list[_Head | None] = []
    troops: list[Troop] = []
    kinds: dict[int, tuple[str, str | None]] = {}
    country_starts = sorted((m.mstart, code, m.value[1]) for code, m in countries)
    for i, num in enumerate(numbers):
        head = _head(doc, cfg, numbers, heads, i) if num.value > 1 or not num.words_only else None
        heads.append(head)
        if head is None or not head.personnel:
            continue
        troops.append(_troop(doc, cfg, numbers, heads, kinds, i, head, country_starts))
    return troops


def _head(doc, cfg, numbers, heads, i) -> _Head | None:
    norm = doc.norm
    num = numbers[i]
    if _PERCENT.match(norm, num.end):
        return _Head(False, None, num.end, "percent")
    prev = prev_word(norm, num.start)
    if prev and in_vocab(prev, cfg["years"]):
        return _Head(False, None, num.end, "year")
    after = _AFTER.match(norm, num.end)
    nouns = cfg["nouns"]
    if after:
        word = after.group(2)
        via_min = after.group(1) is not None
        info = nouns.get(word)
        if info is not None and (via_min or not info[2]):
            if _noun_ok(norm, cfg, info, num, after.end()):
                return _Head(True, info[0], after.end(), "noun")
            return _Head(False, word, after.end(), "rejected")
        if not via_min:
            if word in cfg["others"]:
                return _others(doc, cfg, numbers, heads, i, after.end())
            if word in cfg["people"] and prev and in_vocab(prev, cfg["strength"]):
                return _Head(True, None, after.end(), "strength")     # قوة قوامها 500 رجل
            if word in cfg["units"] or word in nouns:
                return _Head(False, word, after.end(), "unit")
            if _looks_like_year(num):
                return _Head(False, word, after.end(), "other")
            nxt = _words_after(norm, after.end(), 1)
            if nxt and in_vocab(nxt[0][0], cfg["purpose"]) and _person_like(doc, cfg, word, after):
                return _Head(True, None, nxt[0][2], "purpose")
            return _Head(False, word, after.end(), "other")
    if _looks_like_year(num):
        return None
    if prev and in_vocab(prev, cfg["strength"]) and _ends_count(norm, num):
        return _Head(True, None, num.end, "strength")
    if _counted_before(norm, cfg, num):
        return _Head(True, None, num.end, "count")
    return None


def _looks_like_year(num: Number) -> bool:
    return not num.words_only and 1900 <= num.value <= 2100


def _person_like(doc, cfg, word, after) -> bool:
    """Could ``word`` (between a number and للتطوع) name people?"""
    if word in cfg["people"]:
        return True
    start, end = doc.span(after.start(2), after.end(2))
    surface = doc.text[start:end]
    # a nationality-like adjective (عراقي، عرافي); "مبنى" normalizes to مبني but is spelled with ى
    return surface.endswith(("ي", "يين", "يون")) and len(surface) >= 4


def _noun_ok(norm, cfg, info, num, noun_end) -> bool:
    """Weak nouns need military context; police / charity words reject any noun."""
    words = [w for w, _, _ in _words_after(norm, noun_end, 3)]
    if words and (words[0] in cfg["reject_after"] or " ".join(words[:2]) in cfg["reject_after"]):
        return False
    near = words[1:3] if words and words[0] == "من" else words[:2]
    if any(w in cfg["reject_near"] for w in near) or " ".join(near) in cfg["reject_near"]:
        return False
    if info[1] != "weak":
        return True
    if info[3] == "after":
        return cfg["groups"].search(" ".join(words)) is not None
    window = norm[max(0, num.start - 250):noun_end + 250]
    return cfg["context"].search(window) is not None


def _others(doc, cfg, numbers, heads, i, end) -> _Head | None:
    """``و200 آخرين``: counts what the previous number in the sentence counted."""
    norm = doc.norm
    num = numbers[i]
    for j in range(i - 1, -1, -1):
        prev = numbers[j]
        if num.start - prev.end > 300 or _SENTENCE_END.search(norm, prev.end, num.start):
            break
        head = heads[j]
        if head is not None and head.rule not in ("year", "percent"):
            return _Head(head.personnel, head.noun, end, "others")
    # "2 مليون آخرين ... من المتطوعين": the noun comes later in the clause
    words = _words_after(norm, end, 8)
    for k, (w, _s, _e) in enumerate(words[:-1]):
        if w == "من":
            info = cfg["nouns"].get(words[k + 1][0])
            if info is not None:
                return _Head(True, info[0], end, "others")
    return None


_COUNT_FOLLOWERS = frozenset(("في", "من", "على", "الى", "حتى", "خلال", "فقط", "تقريبا", "بحسب", "حسب", "وفق"))


def _ends_count(norm, num) -> bool:
    """Nothing is counted after the number (end of clause or a function word)."""
    after = _words_after(norm, num.end, 1)
    return not after or after[0][0].startswith("و") or after[0][0] in _COUNT_FOLLOWERS


def _counted_before(norm, cfg, num) -> bool:
    """``بلغ عدد المقاتلين 500``: a count word + personnel noun shortly before."""
    if not _ends_count(norm, num):
        return False
    before = _words_before(norm, num.start, 6)
    nouns = cfg["nouns"]
    for k, (w, _s) in enumerate(before[:-1]):
        info = nouns.get(before[k + 1][0])
        if _strip(w) in cfg["count"] and info is not None:
            noun_end = before[k + 1][1] + len(before[k + 1][0])
            return _noun_ok(norm, cfg, info, num, noun_end)
    return False


def _trigger(table: dict, word: str):
    """Look a word up with its clitic, article or pronoun suffix removed (وقتلاه -> قتلى)."""
    found = table.get(word)
    if found is None:
        bare = _strip(word)
        found = table.get(bare)
        if found is None and bare.startswith("ال") and len(bare) > 4:
            found = table.get(bare[2:])
        if found is None:
            for suffix in ("هم", "ها", "ه"):
                if bare.endswith(suffix) and len(bare) - len(suffix) >= 3:
                    found = table.get(bare[:-len(suffix)])
                    if found is not None:
                        break
    return found


def _kind(doc, cfg, numbers, heads, kinds, i, head) -> tuple[str, str | None]:
    """("casualties", "killed"|"wounded"|"captured") or ("force", None)."""
    if i in kinds:
        return kinds[i]
    norm = doc.norm
    num = numbers[i]
    result = ("force", None)
    words = _words_before(norm, num.start, _LOOKBACK_WORDS)
    prev_num = numbers[i - 1] if i else None
    for k in range(len(words) - 1, -1, -1):
        w, start = words[k]
        if prev_num is not None and start < prev_num.end:
            # joined to a previous count ("قتل 10 جنود و5 مسلحين"): same kind
            if sum(1 for w2, _ in words[k + 1:] if w2 != "و") <= 4:
                result = _kind(doc, cfg, numbers, heads, kinds, i - 1, heads[i - 1])
            break
        found = _trigger(cfg["casualty_before"], w)
        if found is None and k + 1 < len(words):
            found = cfg["casualty_before"].get(_strip(w) + " " + words[k + 1][0])
        if found:
            result = ("casualties", found)
            break
    if result[0] == "force":
        end = head.end if head is not None else num.end
        for w, _s, _e in _words_after(norm, end, _LOOKAHEAD_WORDS, stop=_SENTENCE_END):
            found = _trigger(cfg["casualty_after"], w)
            if found:
                result = ("casualties", found)
                break
    kinds[i] = result
    return result


def _troop(doc, cfg, numbers, heads, kinds, i, head, country_starts) -> Troop:
    norm = doc.norm
    num = numbers[i]
    start, end = num.start, head.end
    value, upper, bound, approximate = num.value, None, None, False

    prev = numbers[i - 1] if i else None
    if prev is not None and _is_range(norm, cfg, prev, num, heads[i - 1]):
        low = _scale_like(prev.value, num.value)
        if low < num.value:
            value, upper, bound, approximate = low, num.value, "range", True
            start = prev.start
            before = _words_before(norm, start, 2)
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

    kind, casualty = _kind(doc, cfg, numbers, heads, kinds, i, head)
    country = _country_after(norm, cfg, head, country_starts) if head.noun else None
    ostart, oend = doc.span(start, end)
    return Troop(value=value, text=doc.text[ostart:oend], start=ostart, end=oend,
                 approximate=approximate, bound=bound, kind=kind, casualty=casualty,
                 country=country, noun=head.noun, upper=upper)


def _is_range(norm, cfg, prev: Number, num: Number, prev_head) -> bool:
    """``بين 7 و8 آلاف جندي``، ``5 إلى 10 آلاف``، ``900 أو 1000``."""
    if prev_head is not None and prev_head.personnel:
        return False
    gap = norm[prev.end:num.start].strip()
    if gap in ("الى", "او", "-", "–"):
        return True
    if gap == "و" or (gap == "" and norm[num.start - 1:num.start] == "و"):
        before = _words_before(norm, prev.start, 2)
        return bool(before) and before[-1][0] in cfg["range_before"]
    return False


def _scale_like(low: int, high: int) -> int:
    """``بين 7 و8 آلاف``: the lower end borrows the upper end's scale word."""
    for scale in (1_000_000_000, 1_000_000, 1_000):
        if high % scale == 0 and high // scale < 1000 and low * scale <= high:
            return low * scale
    return low


def _country_after(norm, cfg, head, countries) -> str | None:
    """``جندي بريطاني``، ``من أفراد الجيش الأمريكي``: a nationality adjective right after the noun."""
    k = bisect_left(countries, (head.end, ""))
    if k >= len(countries):
        return None
    start, code, kind = countries[k]
    if kind not in (ADJECTIVE, DEFINITE_ADJECTIVE):
        return None
    gap = norm[head.end:start].split()
    if len(gap) > 3 or any(w not in cfg["country_link"] for w in gap):
        return None
    return code
