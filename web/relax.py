"""No results: find which single filter, once dropped, brings back the most articles."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from web.params import SearchState, facet_title, parse_state


@dataclass(frozen=True)
class Relaxation:
    facet: str
    title: str  # Arabic name of the filter dropped
    label: str  # its selected value(s)
    qs: str
    total: int

    def to_json(self, base: str) -> dict:
        return {"facet": self.facet, "title": self.title, "label": self.label, "total": self.total,
                "url": base + ("?" + self.qs if self.qs else "")}


def relaxations(state: SearchState, backend) -> list[Relaxation]:
    """Each active filter dropped in turn (a facet's OR'd values together), most results first.

    Counting only (one hit, no facets, no highlighting), so each try costs one cheap query.
    """
    chips = state.chips()
    out = []
    for facet in dict.fromkeys(c.facet for c in chips):
        qs = state.without(facet)
        relaxed = _state_from_qs(qs)
        total = backend.search(relaxed.request(page_size=1, page=1, facets=(), highlight=False, collapse=False)).total
        label = "، ".join(c.label for c in chips if c.facet == facet)
        out.append(Relaxation(facet, facet_title(facet), label, qs, total))
    out.sort(key=lambda r: -r.total)
    return out


def best_relaxation(state: SearchState, backend) -> Relaxation | None:
    """The single filter whose removal gives the most results (None if none helps)."""
    options = [r for r in relaxations(state, backend) if r.total > 0] if state.has_filters else []
    return options[0] if options else None


def _state_from_qs(qs: str) -> SearchState:
    return parse_state(MultiDict(parse_qsl(qs, keep_blank_values=True)))

