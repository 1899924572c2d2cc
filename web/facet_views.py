"""One facet in full (/facet/<name>), searchable by value, for the current search; and its JSON twin.

The sidebar shows the top values; this page lists every value the engine counts, so the
"more" link and the search-within-facet box work without JavaScript.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from web import backend
from web.facets import VIEWS, FacetBlock, FacetItem
from web.pages import facet_url, search_url
from web.params import ParamError, SearchState, parse_state

bp = Blueprint("facet", __name__)

FACET_PAGE_SIZE = 1000  # values counted for the full list
MAX_FACET_Q = 100


@dataclass
class FacetPage:
    state: SearchState
    block: FacetBlock
    facet_q: str
    items: list[FacetItem]

    @property
    def canonical(self) -> str:
        return facet_url(self.block.name, self.state, self.facet_q)

    @property
    def json_url(self) -> str:
        return url_for("facet.api", name=self.block.name) + self.canonical[len(url_for("facet.page", name=self.block.name)):]

    def to_json(self) -> dict:
        base = url_for("search.page")
        return {"name": self.block.name, "title": self.block.title, "facet_q": self.facet_q,
                "canonical_url": self.canonical, "search_url": search_url(self.state.query_string(page=1)),
                "total_values": len(self.block.items), "other": self.block.other,
                "values": [i.to_json(base) for i in self.items]}


def build_facet_page(name: str) -> FacetPage:
    if name not in VIEWS:
        abort(404)
    state = parse_state(request.args)
    state.page = 1
    facet_q = " ".join(request.args.get("facet_q", "").split())
    if len(facet_q) > MAX_FACET_Q:
        raise ParamError(f"نص البحث في القيم طويل جدًا؛ الحد الأقصى {MAX_FACET_Q} حرف.")
    result = backend().search(state.request(page_size=1, facets=(name,), facet_size=FACET_PAGE_SIZE,
                                            highlight=False, collapse=False))
    block = VIEWS[name].block(result.facets[name], state)
    return FacetPage(state, block, facet_q, block.filtered(facet_q))


@bp.route("/facet/<name>")
def page(name):
    model = build_facet_page(name)
    return render_template("facet.html", page=model, state=model.state)


@bp.route("/api/facet/<name>")
def api(name):
    return jsonify(build_facet_page(name).to_json())
