"""The troop extractor's vocabulary, loaded once from ``data/troops.json``."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .normalize import normalize_key
from .numbers import vague_triggers
from .resources import load_json

SUFFIXES = ("ه", "ها", "هم", "نا", "كم")


class Noun(NamedTuple):
    """A personnel noun: its lemma (as written in the data file) and what it says."""
    lemma: str
    cls: str                    # soldiers, fighters, militants, police ... (data: classes)
    weak: bool                  # needs military context
    after_min_only: bool        # counts only as "NUMBER من NOUN" (قوات، ميليشيات)
    context: str                # "sentence" or "after" (an armed group right after)
    requires_next: frozenset | None
    side: str | None            # orgs.json entity id the noun names (حوثي -> the Houthis)


def alternation(phrases) -> str:
    alts = sorted({normalize_key(p) for p in phrases}, key=len, reverse=True)
    return "|".join(re.escape(a).replace(r"\ ", "[ ]+") for a in alts)


def _vocab(data, name) -> frozenset:
    return frozenset(normalize_key(w) for w in data[name])


def _table(groups: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, words in groups.items():
        for w in words:
            out.setdefault(normalize_key(w), kind)
    return out


@lru_cache(maxsize=1)
def config() -> dict:
    data = load_json("troops.json")
    nouns: dict[str, Noun] = {}
    for entry in data["nouns"]:
        nxt = entry.get("requires_next")
        noun = Noun(entry["lemma"], entry["class"], entry["strength"] == "weak", bool(entry.get("after_min_only")),
                    entry.get("context", "sentence"), frozenset(map(normalize_key, nxt)) if nxt else None,
                    entry.get("side"))
        for form in entry["forms"]:
            f = normalize_key(form)
            for variant in (f, "ال" + f, *(f + s for s in SUFFIXES)):
                nouns.setdefault(variant, noun)
    triggers = set(nouns) | {p + n for n in nouns for p in ("و", "ب", "ل", "ف")}
    for name in ("purpose_words", "strength_words"):
        for w in data[name]:
            triggers.add(normalize_key(w).split(" ")[0])

    def rx(name):
        return re.compile("|".join(re.escape(normalize_key(w)) for w in data[name]))

    plaus = data["plausibility"]
    return {
        "triggers": frozenset(triggers) | vague_triggers(),
        "nouns": nouns,
        "classes": data["classes"],
        "reject_after": _vocab(data, "reject_after"),
        "reject_near": _vocab(data, "reject_near"),
        "police_after": _vocab(data, "police_after"),
        "country_link": _vocab(data, "country_link_words"),
        "context": rx("military_context"),
        "groups": rx("group_context"),
        "purpose": _vocab(data, "purpose_words"),
        "people": _vocab(data, "people_nouns"),
        "others": _vocab(data, "others_words"),
        "strength": _vocab(data, "strength_words"),
        "count": _vocab(data, "count_words"),
        "units": _vocab(data, "non_person_units"),
        "years": _vocab(data, "year_words"),
        "qual_before": re.compile(r"(?<!\w)[وبلف]?(?P<q>" + alternation(data["approx_before"])
                                  + r")[ ]*(?:ال)?[ ]*$"),
        "lower": _vocab(data, "lower_bound"),
        "upper": _vocab(data, "upper_bound"),
        "qual_after": re.compile(r"[ ]*(?P<q>" + alternation(data["approx_after"]) + r")(?!\w)"),
        "lower_after": _vocab(data, "lower_after"),
        "range_before": _vocab(data, "range_before"),
        "casualty_before": _table(data["casualty_before"]),
        "casualty_after": _table(data["casualty_after"]),
        "casualty_near": _table(data["casualty_near"]),
        "force_before": _vocab(data, "force_before"),
        "clause_breaks": _vocab(data, "clause_breaks"),
        "rhetoric": _vocab(data, "rhetoric_before"),
        "rhetoric_near": _vocab(data, "rhetoric_near"),
        "max_force": int(plaus["max_force"]),
        "max_casualties": int(plaus["max_casualties"]),
    }


def class_label(cls: str | None, lang: str = "ar") -> str:
    """Display name of a noun class (``soldiers`` -> ``جنود``); '' when unknown."""
    if not cls:
        return ""
    entry = config()["classes"].get(cls)
    return entry.get(lang, cls) if entry else cls
