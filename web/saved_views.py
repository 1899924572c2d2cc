"""Saved searches: name a search (POST, CSRF-protected), share its short link /s/<slug>."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from search.saved import MAX_NAME_CHARS, SavedSearch
from web import backend
from web.pages import search_url
from web.params import ParamError, parse_state

bp = Blueprint("saved", __name__)

LIST_LIMIT = 500
_SLUG = re.compile(r"^[0-9a-f]{8}$")


def store():
    return backend().saved_searches()


def saved_json(s: SavedSearch) -> dict:
    if s.kind == "batch":
        from web.batch_views import batch_description

        return {**s.to_dict(), "short_url": url_for("batch.saved", slug=s.slug, _external=True),
                "description": batch_description(s.query_string),
                "csv_url": url_for("batch.saved_csv", slug=s.slug),
                "json_url": url_for("batch.api_saved", slug=s.slug)}
    return {**s.to_dict(), "short_url": url_for("saved.short", slug=s.slug, _external=True),
            "search_url": search_url(s.query_string), "description": describe(s.query_string),
            "feed_url": url_for("feed.saved", slug=s.slug, _external=True)}


def describe(query_string: str) -> str:
    """A saved search in words: the query, then each filter's Arabic name and value."""
    try:
        state = parse_state(MultiDict(parse_qsl(query_string)))
    except ParamError:
        return query_string
    parts = [f"«{state.q}»"] if state.q else []
    parts += [f"{c.title}: {c.label}" for c in state.chips()]
    return " · ".join(parts) or "كل المقالات"


def canonical_query(raw: str) -> str:
    """Re-validate what the form sent and store the canonical form (never the raw string)."""
    if len(raw) > 4000:
        raise ParamError("البحث المراد حفظه طويل جدًا.")
    return parse_state(MultiDict(parse_qsl(raw.lstrip("?"), keep_blank_values=True))).query_string(page=1)


@bp.route("/saved", methods=["GET"])
def index():
    from web.batch_views import batch_description

    saved = store().list(LIST_LIMIT)
    items = [s for s in saved if s.kind == "search"]
    batches = [s for s in saved if s.kind == "batch"]
    new = request.args.get("new", "")
    created = store().get(new) if _SLUG.match(new) else None
    return render_template("saved.html", items=items, batches=batches, created=created, state=None,
                           describe=describe, batch_description=batch_description,
                           short_url=lambda s: url_for("saved.short", slug=s.slug, _external=True))


@bp.route("/saved", methods=["POST"])
def create():
    name = " ".join(request.form.get("name", "").split())
    query_string = canonical_query(request.form.get("query", ""))
    if not name:
        name = dict(parse_qsl(query_string)).get("q") or "بحث بلا اسم"
    if len(name) > MAX_NAME_CHARS:
        raise ParamError(f"اسم البحث طويل جدًا؛ الحد الأقصى {MAX_NAME_CHARS} حرفًا.")
    saved = store().save(name, query_string)
    # Post/redirect/get: the list shows the new short link; reloading does not resubmit.
    return redirect(url_for("saved.index", new=saved.slug), 303)


@bp.route("/s/<slug>")
def short(slug):
    saved = store().get(slug) if _SLUG.match(slug) else None
    if saved is None:
        abort(404)
    if saved.kind == "batch":
        return redirect(url_for("batch.saved", slug=slug), 302)
    return redirect(search_url(saved.query_string), 302)


@bp.route("/api/saved")
def api_index():
    return jsonify({"saved": [saved_json(s) for s in store().list(LIST_LIMIT)]})


@bp.route("/api/saved/<slug>")
def api_one(slug):
    saved = store().get(slug) if _SLUG.match(slug) else None
    if saved is None:
        abort(404)
    return jsonify(saved_json(saved))
