"""Country mentions: CLDR names, aliases, nationality adjectives, capitals."""
from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

from .context import MatchContext, compile_cases, coordination_test, resolve
from .gazetteer import Gazetteer, Match
from .normalize import normalize_key
from .resources import load_json, load_tsv

NAME, ADJECTIVE, CAPITAL = "name", "adjective", "capital"
DEFINITE_ADJECTIVE = "definite_adjective"   # العراقي: masculine singular with ال

# Nisba inflections: عراقي، عراقية، عراقيا، عراقيين، عراقيون، عراقيان، عراقيتان/ين، عراقيات
_NISBA_SUFFIXES = ("", "ه", "ا", "ين", "ون", "ان", "تان", "تين", "ات")
_PAREN = re.compile(r"\s*\(([^)]*)\)")
_DATELINE_AFTER = re.compile(r"[ \n]*[-–—:(/]")


def _cldr_variants(name: str) -> list[str]:
    """``ميانمار (بورما)`` -> both names; ``الكونغو - كينشاسا`` -> also without the dash."""
    out = []
    inner = _PAREN.search(name)
    base = _PAREN.sub("", name).strip()
    out.append(base)
    if inner and len(inner.group(1).split()) == 1:
        out.append(inner.group(1))
    if " - " in base:
        out.append(base.replace(" - ", " "))
    return out


def nisba_forms(stem: str) -> list[str]:
    """All inflections of a nationality adjective, with and without ال."""
    stem = normalize_key(stem)
    forms = [stem + suffix for suffix in _NISBA_SUFFIXES]
    return forms + ["ال" + f for f in forms]


@lru_cache(maxsize=1)
def country_forms() -> dict[str, tuple[str, str]]:
    """Normalized form -> (ISO code, kind). Built from CLDR plus the data files."""
    data = load_json("countries.json")
    excluded = set(data["exclude_codes"])
    forms: dict[str, tuple[str, str]] = {}

    def add(form: str, code: str, kind: str):
        key = normalize_key(form)
        if key and key not in forms:
            forms[key] = (code, kind)

    for code, name in Locale("ar").territories.items():
        if len(code) == 2 and code.isalpha() and code not in excluded:
            for variant in _cldr_variants(name):
                add(variant, code, NAME)
    for section in ("long_forms", "colloquial", "misspellings", "nationality_plurals"):
        for code, names in data[section].items():
            for name in names:
                add(name, code, NAME)
    for row in load_tsv("nationalities.tsv"):
        code, stems = row[0], row[1]
        for stem in stems.split(","):
            add("ال" + normalize_key(stem), code, DEFINITE_ADJECTIVE)
            for form in nisba_forms(stem):
                add(form, code, ADJECTIVE)
    for name, code in load_tsv("capitals.tsv"):
        add(name, code, CAPITAL)
    return forms


@lru_cache(maxsize=1)
def matcher() -> Gazetteer:
    join_left = [normalize_key(w) for w in load_json("countries.json")["join_left"]]
    return Gazetteer(country_forms(), join_left=join_left)


@lru_cache(maxsize=1)
def _rules():
    data = load_json("country_rules.json")
    lists = data.get("lists", {})
    per_form = {normalize_key(form): compile_cases(cases, lists, "code")
                for form, cases in data["rules"].items()}
    adjective = compile_cases(data.get("adjective_rules", []), lists, "code")
    definite = compile_cases(data.get("definite_singular_rules", []), lists, "code")
    return per_form, adjective, definite


def find_candidates(doc, corrections=None) -> list[Match]:
    """Dictionary hits before context rules (used for coordination tests)."""
    matches = matcher().find(doc)
    if corrections is not None and corrections.country_aliases:
        matches = corrections.country_gazetteer().find(doc) + matches
        matches = _drop_overlaps(matches)
    return matches


def _drop_overlaps(matches: list[Match]) -> list[Match]:
    """Earlier list entries win; then order by position."""
    taken: list[tuple[int, int]] = []
    kept = []
    for m in matches:
        if any(m.start < e and s < m.end for s, e in taken):
            continue
        taken.append((m.start, m.end))
        kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def resolve_countries(doc, candidates: list[Match], blocked_spans=(), corrections=None
                      ) -> list[tuple[str, Match]]:
    """Apply context rules, datelines, organization spans and corrections."""
    per_form, adjective_rules, definite_rules = _rules()
    norm = doc.norm
    coord = coordination_test(candidates)
    out = []
    for m in candidates:
        code, kind = m.value
        if any(s <= m.start and m.end <= e for s, e in blocked_spans):
            continue
        if corrections is not None and m.key in corrections.ignore_forms:
            continue
        ctx = None
        if kind in (ADJECTIVE, DEFINITE_ADJECTIVE):
            ctx = MatchContext(doc, m, coord=lambda x: coord(x, norm))
            if resolve(adjective_rules, ctx, code) is None:
                continue
            if kind == DEFINITE_ADJECTIVE and resolve(definite_rules, ctx, code) is None:
                continue
        cases = per_form.get(m.key)
        if cases:
            ctx = ctx or MatchContext(doc, m, coord=lambda x: coord(x, norm))
            code = resolve(cases, ctx, code)
            if code is None:
                continue
        if kind == CAPITAL and m.mstart < 40 and _DATELINE_AFTER.match(norm, m.end):
            continue        # "بغداد - " opening an article is where it was filed, not its topic
        if corrections is not None:
            code = corrections.country_merge.get(code, code)
            if code in corrections.ignore_countries:
                continue
        out.append((code, m))
    return out
