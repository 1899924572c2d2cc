"""Search, article and API views: every HTML page has a JSON twin under /api/."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from search.facets import FACETS, country_name
from search.highlight import Highlighter, highlight_all
from web import backend, error_response
from web.params import ParamError, parse_state

bp = Blueprint("main", __name__)


def _search_payload():
    state = parse_state(request.args)
    result = backend().search(state.request())
    return state, result


def _result_json(state, result) -> dict:
    return {
        "query": state.q,
        "canonical_url": url_for("main.search_page", _external=False) + _qs(state.query_string()),
        "total": result.total,
        "page": state.page,
        "sort": state.sort,
        "notices": state.notices,
        "took_ms": round(result.took_ms, 2),
        "hits": [{
            "id": h.id, "title": h.title, "snippet": h.snippet, "date": h.date, "source": h.source,
            "url": h.url, "countries": [{"code": c, "name": country_name(c)} for c in h.countries],
            "orgs": h.orgs, "troops": h.troops, "score": h.score,
            "doc_url": url_for("main.doc_page", doc_id=h.id),
        } for h in result.hits],
        "facets": {name: {
            "title": FACETS[name].title,
            "values": [{"value": b.value, "label": b.label, "count": b.count, "selected": b.selected}
                       for b in f.buckets],
            "other": f.other,
        } for name, f in result.facets.items()},
    }


def _qs(qs: str) -> str:
    return "?" + qs if qs else ""


@bp.route("/")
def home():
    return search_page()


@bp.route("/search")
def search_page():
    try:
        state, result = _search_payload()
    except ParamError as e:
        return error_response(400, str(e))
    return render_template("search.html", state=state, result=result, data=_result_json(state, result),
                           facets=FACETS)


@bp.route("/api/search")
def search_api():
    try:
        state, result = _search_payload()
    except ParamError as e:
        return error_response(400, str(e))
    return jsonify(_result_json(state, result))


def _doc_payload(doc_id: str):
    doc = backend().get(doc_id)
    if doc is None:
        abort(404)
    try:
        state = parse_state(request.args)
    except ParamError:
        state = parse_state({})
    body_html = highlight_all(doc.body, Highlighter(state.tree, "body").spans(doc.body))
    title_html = highlight_all(doc.title, Highlighter(state.tree, "title").spans(doc.title)) if doc.title else None
    return doc, state, body_html, title_html


@bp.route("/doc/<path:doc_id>")
def doc_page(doc_id):
    doc, state, body_html, title_html = _doc_payload(doc_id)
    return render_template("doc.html", doc=doc, state=state, body_html=body_html, title_html=title_html,
                           country_name=country_name)


@bp.route("/api/doc/<path:doc_id>")
def doc_api(doc_id):
    doc, state, body_html, title_html = _doc_payload(doc_id)
    data = doc.to_dict()
    data.update({"body_html": body_html, "title_html": title_html, "query": state.q,
                 "countries": [{"code": c, "name": country_name(c)} for c in doc.countries]})
    return jsonify(data)
