"""The search page and its JSON twin; non-canonical URLs redirect to the canonical one."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request

from search.model import SORTS
from web import backend
from web.pages import build_search_page, number_tags, search_url
from web.params import SearchState, parse_state

bp = Blueprint("search", __name__)

TAG_LIMIT = 6  # countries / organizations shown per hit; the article lists them all
SORT_LABELS = {"relevance": "الأكثر صلة", "date": "الأحدث", "troops": "الأكثر قوات", "casualties": "الأكثر خسائر",
               "arrived": "الأحدث وصولًا"}
assert set(SORT_LABELS) == set(SORTS)


def is_canonical(args, state: SearchState) -> bool:
    """Whether the incoming parameters are exactly the canonical ones, in order (encoding aside)."""
    return list(args.items(multi=True)) == state.params()


@bp.route("/")
def home():
    if request.args:
        return redirect(search_url(parse_state(request.args).query_string()), 302)
    return page()


@bp.route("/search")
def page():
    state = parse_state(request.args)
    # One URL per state: shared links and history entries stay canonical. Parser notices
    # (e.g. an unclosed quote) would be lost on a redirect, so those pages render in place
    # with <link rel="canonical"> instead.
    if request.path == "/search" and not is_canonical(request.args, state) and not state.notices:
        return redirect(search_url(state.query_string()), 302)
    be = backend()
    model = build_search_page(state, be)
    # The newest arrival in the index: app.js keeps it as "seen up to here" for this search,
    # and the saved-searches page counts what arrived after it (since=).
    return render_template("search.html", page=model, state=state, sort_labels=SORT_LABELS,
                           number_tags=number_tags, tag_limit=TAG_LIMIT, arrival_mark=be.newest_arrival())


@bp.route("/api/search")
def api():
    state = parse_state(request.args)
    return jsonify(build_search_page(state, backend()).to_json())
