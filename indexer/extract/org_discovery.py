"""Organizations missing from the gazetteer, found by reliable patterns.

``HEAD + name`` where HEAD is حزب/كتائب/وزارة/مجلس/... and the name is a short phrase: a
definite word (``وزارة الصحة``), or an idafa whose first word usually opens a name
(``هيئة قناة السويس``، ``لواء شهداء اليرموك``), then only words that belong to a name:
nationality adjectives, a list of name adjectives (الإسلامية، الديمقراطي، العليا), a
coordinated definite word (``هيئة الإذاعة والتلفزيون``) and a few genitives (``للنفط``).
The name stops before anything else, so ``وزارة الحج اليمنية التقى`` gives ``وزارة الحج
اليمنية``. Heads that are also common nouns (حركة = movement, كتيبة = a team's nickname,
جيش = "an army of lawyers") need a context word before them or quotes. Precision over
recall; everything is in ``data/org_discovery.json``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .context import QUOTES, in_vocab, prev_words
from .gazetteer import PREFIXES
from .normalize import fold_display, normalize_key
from .resources import load_json

_NAME_WORD = re.compile(r"[ ]+([^\W\d_]+)")
_PAIR = re.compile(r"[ ]*[-–][ ]*([^\W\d_]+)")
_MAX_NAME_WORDS = 4


@lru_cache(maxsize=1)
def _config():
    data = load_json("org_discovery.json")
    heads = {normalize_key(h): opts for h, opts in data["heads"].items()}
    alternation = "|".join(sorted(heads, key=len, reverse=True))
    rx = re.compile(r"(?P<p>[وف]?[بلك]?)(?P<h>" + alternation + r")(?!\w)")

    def vocab(name):
        return frozenset(normalize_key(w) for w in data[name])

    allowed = {normalize_key(h): frozenset(normalize_key(w) for w in words)
               for h, words in data["generic_allowed_after"].items()}
    return {
        "rx": rx, "heads": heads, "triggers": frozenset(p + h for h in heads for p in PREFIXES),
        "context": vocab("context_words"), "window": int(data.get("context_window", 1)),
        "reject_prev": vocab("reject_prev"), "generic": vocab("generic_first_words"), "allowed": allowed,
        "stop": vocab("stop_words"), "idafa": vocab("idafa_first_words"),
        "adjectives": vocab("continuation_adjectives"), "genitives": vocab("genitive_words"),
        "standalone": vocab("standalone_domains"), "non_name": vocab("non_name_adjectives"),
        "coordinated": vocab("coordinated_words"), "titles": vocab("titles"),
        "restricted": vocab("single_word_restricted_heads"), "idafa_armed": vocab("idafa_armed_first_words"),
        "idafa_by_head": {normalize_key(h): frozenset(normalize_key(w) for w in words)
                          for h, words in data["idafa_by_head"].items()},
        "descriptions": vocab("descriptions_after_single"), "time": vocab("time_words"),
        "genitive_after": vocab("genitive_after"), "quoted_single": vocab("quoted_single_heads"),
        "single": {normalize_key(h): frozenset(normalize_key(w) for w in words)
                   for h, words in data["single_word_names"].items()},
    }


@lru_cache(maxsize=1)
def _nationalities() -> frozenset:
    from .countries import ADJECTIVE, DEFINITE_ADJECTIVE, country_forms

    return frozenset(f for f, (_c, kind) in country_forms().items() if kind in (ADJECTIVE, DEFINITE_ADJECTIVE))


def triggers() -> frozenset:
    """Words (head nouns with clitics) where a discovered name can start."""
    return _config()["triggers"]


def _definite(word: str) -> bool:
    return word.startswith("ال") and len(word) > 3


def discover(doc, taken: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """``(display name, start, end)`` of pattern-found organizations.

    ``taken`` are normalized spans already claimed by the gazetteer.
    """
    cfg = _config()
    norm = doc.norm
    found = []
    present = doc.cache.get("present", doc.words)
    starts = sorted(p for w in present & cfg["triggers"] for p in doc.positions(w))
    org_ends = {e for _s, e in taken}   # where organizations end: a head right after one is joined to it
    for p in starts:
        m = cfg["rx"].match(norm, p)
        if m is None:
            continue
        head_start = m.start("h")
        if any(s <= head_start < e for s, e in taken):
            continue
        head = m.group("h")
        words, ends = [], []
        pos = m.end()
        while len(words) < _MAX_NAME_WORDS + 1:
            w = _NAME_WORD.match(norm, pos)
            if w is None:
                break
            words.append(w.group(1))
            ends.append(w.end())
            pos = w.end()
        name = _name_words(words, head, cfg)
        if not name:
            continue
        quoted = m.start() > 0 and norm[m.start() - 1] in QUOTES
        if len(name) == 1 and head in cfg["restricted"] and name[0] not in cfg["single"].get(head, ()) \
                and not (quoted and head in cfg["quoted_single"]):
            continue                    # مجلس البرامج، جبهة الضباب: fragments, not names
        end = ends[len(name) - 1]
        pair = _PAIR.match(norm, end)
        if pair and pair.group(1) in _nationalities():
            end = pair.end()            # مجلس الأعمال المصري - الإيطالي
        if any(head_start < e and s < end for s, e in taken):
            continue
        before = prev_words(norm, m.start(), cfg["window"])
        if before and in_vocab(before[-1], cfg["reject_prev"]):
            continue
        if cfg["heads"][head].get("needs_context"):
            if not quoted and not any(in_vocab(w, cfg["context"]) for w in before) \
                    and not _joined_to(norm, m.start(), org_ends):
                continue
        start_o, end_o = doc.span(head_start, end)
        found.append((fold_display(doc.text[start_o:end_o]), head_start, end))
        org_ends.add(end)
    return found


_JOIN = re.compile(r"[ ]*(?:[،,][ ]*)?(?:و[ ]*)?$")


def _joined_to(norm: str, start: int, ends: set) -> bool:
    """Is the head (at ``start``, its clitics included) coordinated with an organization that
    ends at one of ``ends``?"""
    for e in range(max(0, start - 4), start + 1):
        if e in ends and _JOIN.match(norm[e:start]) and \
                ("و" in norm[e:start + 1] or "،" in norm[e:start] or "," in norm[e:start]):
            return True
    return False


def _name_words(words: list[str], head: str, cfg: dict) -> list[str]:
    """The name part after a head (1-4 words), or [] when there is none."""
    if not words:
        return []
    first = words[0]
    if first in cfg["stop"] or first in cfg["titles"] or len(first) < 2:
        return []
    if first in cfg["generic"] and first not in cfg["allowed"].get(head, ()):
        return []
    if first in _nationalities():
        return []                       # مجلس السعودي: an adjective cannot open a name
    if _definite(first):
        name = [first]
    elif len(words) > 1 and _definite(words[1]) and words[1] not in cfg["stop"] \
            and words[1] not in cfg["generic"] and (
            first in (cfg["idafa_armed"] if cfg["heads"][head].get("needs_context") else cfg["idafa"])
            or first in cfg["idafa_by_head"].get(head, ())
            # قناة السويس، شهداء اليرموك
            or (len(first) >= 3 and not first.startswith(("لل", "بال", "وال"))
                and (words[1] in cfg["adjectives"] or words[1] in _nationalities()))):   # سيريزا اليساري
        name = [first, words[1]]
    else:
        return []
    for k in range(len(name), len(words)):
        listed = len(name) == 1 and name[0] in cfg["single"].get(head, ())
        word = words[k]
        if len(name) == _MAX_NAME_WORDS:
            break
        if word in ("العام", "العامه") and k + 1 < len(words) and words[k + 1] in cfg["time"]:
            break                       # مجلس الشورى العام الماضي: the year
        if listed and word in cfg["descriptions"]:
            break                       # مجلس الشيوخ (الديمقراطية): a description
        if word in cfg["genitives"] and len(name) >= 2 and name[-1] in cfg["genitive_after"]:
            name.append(word)           # منظمة الدول المصدرة للنفط
            break
        if word.startswith("و") and _definite(word[1:]):
            if _adjective(word[1:], cfg) and not listed:
                name.append(word)       # مجلس الشؤون السياسية والأمنية
                continue
            if word[1:] not in cfg["coordinated"]:
                break                   # وزارة التعليم والمعلمين
            if cfg["heads"][head].get("coordination_check") and word[1:] in cfg["standalone"]:
                break                   # وزارة الحج والصحة: two ministries
            name.append(word)           # هيئة الإذاعة والتلفزيون، حزب العدالة والتنمية
            continue
        if not _adjective(word, cfg):
            break
        name.append(word)
    if len(words) > len(name) and _goes_on(words[len(name)], cfg) and not _complete(name, head, cfg):
        return []                       # حزب البيت (اليهودي)، هيئة الهلال (الأحمر): cut short
    return name


def _goes_on(word: str, cfg: dict) -> bool:
    """Does the phrase continue with a word a name could have had (so the name may be cut)?"""
    if word.startswith("لل") and len(word) > 4:
        return True                     # حزب المجلس الوطني (للدفاع عن الديمقراطية)
    bare = word[1:] if word.startswith("و") and _definite(word[1:]) else word
    if not _definite(bare):
        return False
    return not (bare in cfg["stop"] or bare in cfg["titles"] or bare in cfg["non_name"])


def _complete(name: list[str], head: str, cfg: dict) -> bool:
    if len(name) == 1:
        return name[0] in cfg["single"].get(head, ())
    return name[-1] in _nationalities()


def _adjective(word: str, cfg: dict) -> bool:
    """A word that can continue a name: a listed name adjective (السياحية، الإسلامية) or a
    nationality; not an adjective that qualifies something else (الرسمية، الفنية)."""
    if word in cfg["non_name"]:
        return False
    return word in cfg["adjectives"] or word in _nationalities()
