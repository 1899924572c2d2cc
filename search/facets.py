"""Facet definitions shared by every backend and the web layer (Datasette-style small classes)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale

from search.outlets import outlet_name


@dataclass(frozen=True)
class TermsFacet:
    """Counts of the distinct values of a keyword field; several selected values OR together."""

    name: str
    field: str
    title: str
    order: str = "count"  # "count" (most first) or "key" (chronological for months)

    def label(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class CountryFacet(TermsFacet):
    def label(self, value: str) -> str:
        return country_name(value)


@dataclass(frozen=True)
class SourceFacet(TermsFacet):
    def label(self, value: str) -> str:
        return outlet_name(value)


@dataclass(frozen=True)
class RangeBucket:
    key: str  # URL value, e.g. "1000-9999" or "10000-"
    low: int | None
    high: int | None  # inclusive
    label: str


@dataclass(frozen=True)
class RangeFacet:
    """Counts of documents whose numeric field falls in fixed inclusive buckets."""

    name: str
    field: str
    title: str
    buckets: tuple[RangeBucket, ...]

    def label(self, value: str) -> str:
        for b in self.buckets:
            if b.key == value:
                return b.label
        return value


TROOP_BUCKETS = (
    RangeBucket("1-99", 1, 99, "أقل من 100"),
    RangeBucket("100-999", 100, 999, "100–999"),
    RangeBucket("1000-9999", 1000, 9999, "1,000–9,999"),
    RangeBucket("10000-", 10000, None, "10,000 فأكثر"),
)

# Casualty counts are smaller than force sizes: their own buckets.
CASUALTY_BUCKETS = (
    RangeBucket("1-9", 1, 9, "أقل من 10"),
    RangeBucket("10-99", 10, 99, "10–99"),
    RangeBucket("100-999", 100, 999, "100–999"),
    RangeBucket("1000-", 1000, None, "1,000 فأكثر"),
)
RANGE_BUCKETS = {"troops": TROOP_BUCKETS, "casualties": CASUALTY_BUCKETS}

FACETS = {
    "country": CountryFacet("country", "country", "الدولة"),
    "org": TermsFacet("org", "org", "المنظمة"),
    # force sizes only (the article's largest), flagged numbers left out
    "troops": RangeFacet("troops", "troops_max", "عدد القوات", TROOP_BUCKETS),
    # killed, wounded, captured, arrested, executed, missing (the article's largest count)
    "casualties": RangeFacet("casualties", "casualties_max", "الخسائر البشرية", CASUALTY_BUCKETS),
    "month": TermsFacet("month", "month", "التاريخ", order="key"),
    # Days of the month the date filter narrows to (asked for only then: docs/ui.md).
    "day": TermsFacet("day", "day", "الأيام", order="key"),  # not "اليوم": that reads "today"
    "source": SourceFacet("source", "source", "المصدر"),
}


@lru_cache(maxsize=None)
def _territories() -> dict:
    return dict(Locale("ar").territories)


def country_name(code: str) -> str:
    """Arabic CLDR display name of an ISO 3166-1 alpha-2 code (the code itself if unknown)."""
    return _territories().get(code.upper(), code)


def is_country_code(code: str) -> bool:
    """An ISO 3166-1 country CLDR names (not ZZ "unknown region", EU, UN and other non-countries)."""
    from search.query.names import country_codes

    return len(code) == 2 and code.isalpha() and code.upper() in country_codes()
