"""Whose personnel a troop number counts, and whether it can be taken at face value."""
from __future__ import annotations

from bisect import bisect_left

from .countries import ADJECTIVE, DEFINITE_ADJECTIVE
from .text_windows import words_before

SIDE_LINK = frozenset(("من", "عناصر", "مسلحي", "مقاتلي", "صفوف", "في", "التابعين", "الموالين", "ل", "تنظيم"))
RHETORIC_WINDOW = 3


def side(norm, cfg, head, countries, orgs) -> tuple[str | None, str | None]:
    """``(country code, organization name)`` the text gives for the counted personnel.

    ``جندي بريطاني``، ``من أفراد الجيش الأمريكي``: a nationality right after the noun;
    ``مسلحا من تنظيم داعش``، ``من مسلحي «ولاية سيناء»``: an organization right after it;
    ``حوثيا``: a noun that names its side.
    """
    if head.noun is None:
        return None, None
    country = _country_after(norm, cfg, head.end, countries)
    org = _org_after(norm, head.end, orgs)
    if org is None and head.noun.side:
        org = _entity_name(head.noun.side)
    return country, org


def _country_after(norm, cfg, end, countries) -> str | None:
    k = bisect_left(countries, (end, ""))
    if k >= len(countries):
        return None
    start, code, kind = countries[k]
    if kind not in (ADJECTIVE, DEFINITE_ADJECTIVE):
        return None
    gap = norm[end:start].split()
    if len(gap) > 3 or any(w not in cfg["country_link"] for w in gap):
        return None
    return code


def _org_after(norm, end, orgs) -> str | None:
    k = bisect_left([o[1] for o in orgs], end)
    if k >= len(orgs):
        return None
    name, start, _e = orgs[k]
    gap = norm[end:start].replace("«", " ").replace("»", " ").replace('"', " ").split()
    if len(gap) > 2 or any(w not in SIDE_LINK for w in gap):
        return None
    return name


def _entity_name(entity_id: str) -> str | None:
    from .orgs import entities

    entity = entities().get(entity_id)
    return entity.name if entity else None


def flags(norm, cfg, num, start, kind, size) -> list[str]:
    """``implausible`` (beyond any real army), ``rhetorical`` (``فنحن 20 مليون جندي``)."""
    out = []
    if size > cfg["max_force" if kind == "force" else "max_casualties"]:
        out.append("implausible")
    before = [w for w, _s in words_before(norm, start, RHETORIC_WINDOW)]
    if (before and before[-1] in cfg["rhetoric"]) or any(w in cfg["rhetoric_near"] for w in before):
        out.append("rhetorical")
    return out
