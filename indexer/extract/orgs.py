"""Organization mentions from the curated gazetteer (``data/orgs.json``)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .context import MatchContext, compile_cases, coordination_test, resolve
from .gazetteer import Gazetteer, Match
from .normalize import normalize_key
from .resources import load_json

BLOCKED = "__blocked__"


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    country: str | None = None
    suppress_countries: bool = False


@dataclass(slots=True)
class OrgHit:
    """One organization mention; offsets into the normalized text."""
    name: str
    start: int
    end: int
    entity: Entity | None = None
    discovered: bool = False


@lru_cache(maxsize=1)
def _gazetteer_data():
    data = load_json("orgs.json")
    lists = data.get("lists", {})
    entities: dict[str, Entity] = {}
    forms: dict[str, str] = {}
    rules: dict[str, tuple] = {}
    for spec in data["entities"]:
        entity = Entity(spec["id"], spec["name"], spec.get("country"),
                        bool(spec.get("suppress_countries")))
        entities[entity.id] = entity
        # a display name with a parenthesised short form is not itself a surface form
        names = [spec["name"]] if "(" not in spec["name"] else []
        for alias in [*names, *spec["aliases"]]:
            form = alias if isinstance(alias, str) else alias["form"]
            key = normalize_key(form)
            forms.setdefault(key, entity.id)
            if isinstance(alias, dict) and "rules" in alias:
                rules[key] = compile_cases(alias["rules"], lists, "accept")
    for blocker in data.get("blockers", ()):
        forms.setdefault(normalize_key(blocker), BLOCKED)
    return entities, forms, rules


def entities() -> dict[str, Entity]:
    return _gazetteer_data()[0]


@lru_cache(maxsize=1)
def matcher() -> Gazetteer:
    return Gazetteer(_gazetteer_data()[1])


def find_candidates(doc, corrections=None) -> list[Match]:
    matches = matcher().find(doc)
    if corrections is not None and corrections.org_aliases:
        extra = corrections.org_gazetteer().find(doc)
        if extra:
            matches = _prefer(extra, matches)
    return matches


def _prefer(first: list[Match], second: list[Match]) -> list[Match]:
    """Merge two hit lists; on overlap the longer hit wins, ties go to ``first``."""
    merged = sorted(first + second, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for m in merged:
        if kept and m.start < kept[-1].end:
            last = kept[-1]
            if (m.end - m.start) > (last.end - last.start):
                kept[-1] = m
            continue
        kept.append(m)
    return kept


def resolve_orgs(doc, candidates: list[Match], country_candidates: list[Match],
                 corrections=None) -> list[OrgHit]:
    """Apply alias rules and corrections; blockers and rejected hits are dropped."""
    ents, _forms, rules = _gazetteer_data()
    norm = doc.norm
    coord_org = coordination_test(candidates)
    coord_country = coordination_test(country_candidates)
    hits = []
    for m in candidates:
        if m.value == BLOCKED:
            continue
        if corrections is not None and m.key in corrections.ignore_forms:
            continue
        cases = rules.get(m.key)
        if cases:
            ctx = MatchContext(doc, m, coord=lambda x: coord_country(x, norm) or coord_org(x, norm),
                               coord_org=lambda x: coord_org(x, norm))
            if not resolve(cases, ctx, True):
                continue
        if isinstance(m.value, str) and m.value in ents:
            entity = ents[m.value]
            hits.append(OrgHit(entity.name, m.start, m.end, entity))
        else:       # a corrections alias: value is the display name
            hits.append(OrgHit(str(m.value), m.start, m.end))
    return hits
