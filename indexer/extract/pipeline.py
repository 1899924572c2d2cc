"""``extract_facets``: countries, organizations and troop numbers of one article."""
from __future__ import annotations

from functools import lru_cache

from . import countries, orgs
from .corrections import Corrections
from .labels import country_label
from .model import CountryFacet, Extraction, Mention, OrgFacet
from .normalize import NormText, normalize_key
from .numbers import triggers as number_triggers, vague_triggers
from .org_canonical import canonical as canonical_org
from .org_discovery import discover, triggers as discovery_triggers
from .troops import find_troops


@lru_cache(maxsize=1)
def _all_triggers() -> frozenset:
    """Every word that can open a match, for the one-pass position index."""
    return (countries.matcher().triggers | orgs.matcher().triggers
            | number_triggers() | vague_triggers() | discovery_triggers())


def _mention(doc: NormText, start: int, end: int, key: str | None = None) -> Mention:
    # "للعراق": the form's own lam is the second one, show it from the first
    if key and key.startswith("ال") and doc.norm.startswith("ل", start) \
            and not doc.norm.startswith("ال", start) and start > 0:
        start -= 1
    ostart, oend = doc.span(start, end)
    return Mention(ostart, oend, doc.text[ostart:oend])


def extract_facets(text: str, corrections: Corrections | None = None) -> Extraction:
    """Extract the country, organization and troop facets of ``text``.

    Mention offsets index the original ``text``.
    """
    if not text:
        return Extraction()
    doc = NormText(text)
    triggers = _all_triggers()
    if corrections is not None:
        triggers = triggers | corrections.triggers()
    present = doc.words & triggers
    doc.cache["present"] = present      # gazetteers intersect this small set, not all words
    doc.index(present)
    country_candidates = countries.find_candidates(doc, corrections)
    org_candidates = orgs.find_candidates(doc, corrections)
    org_hits = orgs.resolve_orgs(doc, org_candidates, country_candidates, corrections)

    claimed = [(m.start, m.end) for m in org_candidates]
    for name, start, end in discover(doc, claimed):
        display, entity = canonical_org(name)      # variants merged; a gazetteer entity when it is one
        org_hits.append(orgs.OrgHit(display, start, end, entity, discovered=entity is None))

    suppressed = [(h.start, h.end) for h in org_hits
                  if h.entity is not None and h.entity.suppress_countries]
    country_hits = countries.resolve_countries(doc, country_candidates, suppressed, corrections)

    org_facets, org_spans = _org_facets(doc, org_hits, org_candidates, corrections)
    troops = find_troops(doc, country_hits, org_spans)
    if corrections is not None and troops:
        troops = corrections.apply_troops(doc, troops)
    return Extraction(countries=_country_facets(doc, country_hits), organizations=org_facets, troops=troops)


def _country_facets(doc, hits) -> list[CountryFacet]:
    by_code: dict[str, CountryFacet] = {}
    for code, m in hits:
        facet = by_code.get(code)
        if facet is None:
            facet = by_code[code] = CountryFacet(code, country_label(code))
        facet.mentions.append(_mention(doc, m.start, m.end, m.key))
    return [by_code[code] for code in sorted(by_code)]


def _org_facets(doc, hits, candidates, corrections) -> tuple[list[OrgFacet], list[tuple[str, int, int]]]:
    """Organizations by first mention, and ``(name, start, end)`` normalized spans of the mentions."""
    keys = {(m.start, m.end): m.key for m in candidates}
    by_key: dict[str, OrgFacet] = {}
    spans: list[tuple[str, int, int]] = []
    for hit in sorted(hits, key=lambda h: h.start):
        name = hit.name
        if corrections is not None:
            name = corrections.org_name(name)
            if name is None:
                continue
        key = normalize_key(name)
        facet = by_key.get(key)
        if facet is None:
            entity_id = hit.entity.id if hit.entity is not None and name == hit.entity.name else None
            facet = by_key[key] = OrgFacet(name, entity_id=entity_id, discovered=hit.discovered)
        facet.mentions.append(_mention(doc, hit.start, hit.end, keys.get((hit.start, hit.end))))
        spans.append((facet.name, hit.start, hit.end))
    return list(by_key.values()), spans
