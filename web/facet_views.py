"""One facet in full (/facet/<name>), searchable by value, for the current search; and its JSON twin.

The sidebar shows the top values; this page lists the most frequent ones, and its
search-within-facet box covers every value of the index, however many: the backend lists
them all (cached per index version), the box's text is matched against them here in Python
(Arabic-tolerant, never a regular expression built from user text), and the matching values
are then counted exactly for the current search. Works without JavaScript.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from search.facets import FACETS
from web import backend
from web.facets import VIEWS, FacetBlock, FacetItem, RangeView, TermsView
from web.formatting import fold
from web.pages import facet_url, search_url
from web.params import ParamError, SearchState, parse_state

bp = Blueprint("facet", __name__)

FACET_PAGE_SIZE = 1000  # values listed without a search text (the most frequent first)
MAX_MATCHES = 2000  # values counted for one search text (a one-letter text may match thousands)
MAX_FACET_Q = 100


@dataclass
class FacetPage:
    state: SearchState
    block: FacetBlock
    facet_q: str
    items: list[FacetItem]
    matched: int | None = None  # values of the whole index that match facet_q (None: no search text)

    @property
    def canonical(self) -> str:
        return facet_url(self.block.name, self.state, self.facet_q)

    @property
    def json_url(self) -> str:
        return url_for("facet.api", name=self.block.name) + self.canonical[len(url_for("facet.page", name=self.block.name)):]

    max_matches = MAX_MATCHES

    @property
    def capped(self) -> bool:
        return self.matched is not None and self.matched > MAX_MATCHES

    def to_json(self) -> dict:
        base = url_for("search.page")
        return {"name": self.block.name, "title": self.block.title, "facet_q": self.facet_q,
                "canonical_url": self.canonical, "search_url": search_url(self.state.query_string(page=1)),
                "total_values": len(self.block.items), "other": self.block.other,
                "matched_values": self.matched, "capped": self.capped,
                "values": [i.to_json(base) for i in self.items]}


def matching_values(name: str, facet_q: str) -> list[str]:
    """Every value of facet ``name`` in the index whose label or value contains ``facet_q`` (folded)."""
    needle = fold(facet_q)
    facet = FACETS[name]
    return [v for v in backend().facet_values(name) if needle in fold(facet.label(v)) or needle in fold(v)]


def build_facet_page(name: str) -> FacetPage:
    if name not in VIEWS:
        abort(404)
    state = parse_state(request.args)
    state.page = 1
    facet_q = " ".join(request.args.get("facet_q", "").split())
    if len(facet_q) > MAX_FACET_Q:
        raise ParamError(f"نص البحث في القيم طويل جدًا؛ الحد الأقصى {MAX_FACET_Q} حرف.")
    view = VIEWS[name]
    matched = None
    if facet_q and isinstance(view, TermsView) and fold(facet_q):
        values = matching_values(name, facet_q)
        matched = len(values)
        include = tuple(dict.fromkeys([*values[:MAX_MATCHES], *getattr(state, name)]))
        result = backend().search(state.request(page_size=1, facets=(name,), facet_size=len(include),
                                                facet_include={name: include}, highlight=False, collapse=False))
    else:
        result = backend().search(state.request(page_size=1, facets=(name,), facet_size=FACET_PAGE_SIZE,
                                                highlight=False, collapse=False))
    if isinstance(view, RangeView):
        block = view.block(result.facets[name], state, result.total)
    else:
        block = view.block(result.facets[name], state)
    return FacetPage(state, block, facet_q, block.filtered(facet_q), matched)


@bp.route("/facet/<name>")
def page(name):
    model = build_facet_page(name)
    return render_template("facet.html", page=model, state=model.state)


@bp.route("/api/facet/<name>")
def api(name):
    return jsonify(build_facet_page(name).to_json())
