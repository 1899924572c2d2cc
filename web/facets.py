"""Facet sidebar: one small class per kind of facet turns backend counts into links.

Each view knows how a value is selected in the URL (OR-able terms, one troops or casualties
range, one date range) so the sidebar, the chips, the facet page and the JSON twin all agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from search.facets import FACETS, RANGE_BUCKETS
from search.model import FacetResult
from web.formatting import fold, period_label, short_month
from web.params import SearchState, date_bounds, range_bounds, range_label

SIDEBAR_TOP = 10  # values shown before "more"
SIDEBAR_MORE = 20  # values under "more"; the facet page lists every value
SEARCH_PLACEHOLDERS = {"country": "ابحث عن دولة", "org": "ابحث عن منظمة", "source": "ابحث عن مصدر"}
HISTOGRAM_LEVELS = 20  # bar heights are CSS classes h0..h20 (the CSP forbids inline styles)


@dataclass
class FacetItem:
    value: str
    label: str
    count: int
    selected: bool
    qs: str  # query string of the search with this value toggled
    level: int = 0  # histogram bar height, 0..HISTOGRAM_LEVELS
    tick: str = ""  # short label under a histogram bar
    custom: bool = False  # a range value that is not one of the fixed buckets (troops=1000-)

    def to_json(self, base: str) -> dict:
        out = {"value": self.value, "label": self.label, "count": self.count,
               "selected": self.selected, "url": base + "?" + self.qs if self.qs else base}
        if self.custom:
            out["custom"] = True
        return out


@dataclass
class FacetBlock:
    name: str
    title: str
    kind: str  # "terms", "range" (troops, casualties) or "month"
    items: list[FacetItem]
    other: int = 0  # documents in values the backend did not return
    form: dict = field(default_factory=dict)  # current values of the range form

    @property
    def placeholder(self) -> str:
        """What the search-within-facet box says ('ابحث عن دولة'; not 'in the country')."""
        return SEARCH_PLACEHOLDERS.get(self.name, "ابحث في القيم")

    def top(self, n: int = SIDEBAR_TOP) -> list[FacetItem]:
        return self.items[:n]

    def rest(self, n: int = SIDEBAR_TOP) -> list[FacetItem]:
        return self.items[n:n + SIDEBAR_MORE]

    @property
    def truncated(self) -> bool:
        """More values exist than the sidebar shows: the facet page lists them all."""
        return self.other > 0 or len(self.items) > SIDEBAR_TOP + SIDEBAR_MORE

    def filtered(self, facet_q: str) -> list[FacetItem]:
        needle = fold(facet_q)
        if not needle:
            return self.items
        return [i for i in self.items if needle in fold(i.label) or needle in fold(i.value)]

    def to_json(self, base: str, facet_url: str) -> dict:
        return {"name": self.name, "title": self.title, "kind": self.kind, "other": self.other,
                "facet_url": facet_url, "values": [i.to_json(base) for i in self.items]}


class TermsView:
    """Keyword values; several selected values of one facet OR together."""

    kind = "terms"

    def __init__(self, name: str):
        self.name = name
        self.facet = FACETS[name]

    def block(self, fr: FacetResult, state: SearchState) -> FacetBlock:
        chosen = set(getattr(state, self.name))
        items = [FacetItem(b.value, b.label or self.facet.label(b.value), b.count, b.value in chosen,
                           state.toggle(self.name, b.value)) for b in fr.buckets]
        # Selected values first so they stay visible (and removable) above "more".
        items.sort(key=lambda i: not i.selected)
        return FacetBlock(self.name, self.facet.title, self.kind, items, fr.other)


class RangeView:
    """Fixed number ranges (troops: force sizes; casualties) plus a free min/max range: one
    choice at a time, shown as radio buttons. A value that is no fixed range (``troops=1000-``)
    is listed as its own selected choice, counted by the search itself (its total)."""

    kind = "range"

    def __init__(self, name: str = "troops"):
        self.name = name
        self.facet = FACETS[name]

    def block(self, fr: FacetResult, state: SearchState, total: int | None = None) -> FacetBlock:
        current = getattr(state, self.name)
        counts = {b.value: b.count for b in fr.buckets}
        items = [FacetItem(b.key, b.label, counts.get(b.key, 0), current == b.key,
                           state.toggle(self.name, b.key))
                 for b in RANGE_BUCKETS[self.name] if counts.get(b.key) or current == b.key]
        if current and current not in {b.key for b in RANGE_BUCKETS[self.name]}:
            count = total if total is not None else sum(b.count for b in fr.buckets if _within(b.value, current))
            items.append(FacetItem(current, range_label(current, self.name), count, True,
                                   state.toggle(self.name, current), custom=True))
        low, high = range_bounds(current, self.name) if current else (None, None)
        form = {"min": "" if low is None else low, "max": "" if high is None else high,
                "custom": any(i.custom for i in items), "any_qs": state.without(self.name)}
        return FacetBlock(self.name, self.facet.title, self.kind, items, 0, form)


def _within(bucket: str, value: str) -> bool:
    """Is a fixed bucket wholly inside the selected range (so its count belongs to it)?"""
    b_low, b_high = range_bounds(bucket)
    low, high = range_bounds(value)
    return (low is None or (b_low or 0) >= low) and (high is None or (b_high is not None and b_high <= high))


class MonthView:
    """Articles per month as a small histogram, plus a from/to month form."""

    kind = "month"

    def __init__(self, name: str = "month"):
        self.name = name
        self.facet = FACETS[name]

    def block(self, fr: FacetResult, state: SearchState) -> FacetBlock:
        low, high = date_bounds(state.date) if state.date else (None, None)
        counts = {b.value: b.count for b in fr.buckets}
        peak = max(counts.values(), default=0) or 1
        items = []
        for month in _months_between(sorted(counts)):
            count = counts.get(month, 0)
            selected = bool(state.date) and _month_in(month, low, high)
            qs = state.query_string(date="" if state.date == month else month, page=1)
            items.append(FacetItem(month, period_label(month), count, selected, qs, _level(count, peak),
                                   short_month(month)))
        form = {"from": _month_of(low), "to": _month_of(high)}
        return FacetBlock(self.name, self.facet.title, self.kind, items, fr.other, form)


class DayView:
    """Articles per day of the month the date filter narrows to: the month histogram drilled down."""

    kind = "day"

    def __init__(self, name: str = "day"):
        self.name = name
        self.facet = FACETS[name]

    def block(self, fr: FacetResult, state: SearchState) -> FacetBlock:
        month = state.day_month
        counts = {b.value: b.count for b in fr.buckets}
        peak = max(counts.values(), default=0) or 1
        items = []
        if month:
            y, m = map(int, month.split("-"))
            last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
            for d in range(1, last + 1):
                day = f"{month}-{d:02d}"
                count = counts.get(day, 0)
                qs = state.query_string(date=month if state.date == day else day, page=1)
                items.append(FacetItem(day, period_label(day), count, state.date == day, qs, _level(count, peak),
                                       str(d)))
        return FacetBlock(self.name, f"أيام {period_label(month)}" if month else self.facet.title,
                          self.kind, items, 0)


def _level(count: int, peak: int) -> int:
    """Histogram bar height class: 0 for nothing, else 1..HISTOGRAM_LEVELS relative to the peak."""
    return max(1, round(HISTOGRAM_LEVELS * count / peak)) if count else 0


def _months_between(months: list[str], limit: int = 240) -> list[str]:
    """Every month from the first to the last, so empty months show as gaps in the histogram."""
    if not months:
        return []
    try:
        y, m = map(int, months[0].split("-"))
        ly, lm = map(int, months[-1].split("-"))
    except ValueError:
        return months
    if (ly - y) * 12 + lm - m >= limit:
        return months
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_in(month: str, low: str | None, high: str | None) -> bool:
    return (low is None or month >= low[:7]) and (high is None or month <= high[:7])


def _month_of(iso: str | None) -> str:
    return iso[:7] if iso else ""


VIEWS = {"country": TermsView("country"), "org": TermsView("org"), "troops": RangeView("troops"),
         "casualties": RangeView("casualties"), "month": MonthView(), "day": DayView(),
         "source": TermsView("source")}
SIDEBAR_ORDER = ("country", "org", "troops", "casualties", "month", "day", "source")


def blocks(facets: dict[str, FacetResult], state: SearchState, total: int | None = None) -> list[FacetBlock]:
    """Sidebar blocks in display order, for the facets the backend returned.

    ``total`` (the search's own count) counts a selected range that is no fixed bucket.
    """
    out = []
    for name in SIDEBAR_ORDER:
        if name in facets:
            view = VIEWS[name]
            out.append(view.block(facets[name], state, total) if isinstance(view, RangeView)
                       else view.block(facets[name], state))
    return out
