"""Saved searches: name a search, share its short link /s/<slug>, rename or delete it.

Every writing route is a CSRF-protected POST (form field ``csrf_token``; the JSON twins take
the token in an ``X-CSRFToken`` header, and ``GET /api/saved`` hands it out with the list).
Saving a search that is already saved under another name asks before renaming it.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from search.saved import MAX_NAME_CHARS, MAX_SAVED_BY_CHARS, AlreadySaved, SavedSearch
from web import backend
from web.pages import search_url
from web.params import ParamError, parse_state

bp = Blueprint("saved", __name__)

LIST_LIMIT = 500
_SLUG = re.compile(r"^[0-9a-f]{8}$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tabs and newlines stay: spaces


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


def one_line(value) -> str:
    """A submitted name on one line, without control characters (a name of NULs is no name)."""
    if value is not None and not isinstance(value, str):  # a JSON body may send a list or an object
        raise ParamError("الاسم يجب أن يكون نصًا.")
    return " ".join(_CONTROL.sub("", value or "").split())


def _fields() -> dict:
    """The submitted fields, from a form or a JSON body."""
    if request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # nested deeper than the parser goes ("silent" covers ValueError only)
            raise ParamError("نص JSON غير صالح: متداخل بعمق كبير جدًا.") from None
        if not isinstance(data, dict):
            return {}
        # JSON escapes can spell half of a UTF-16 pair ("\ud800"), which no UTF-8 text holds.
        for value in data.values():
            if isinstance(value, str) and not _encodable(value):
                raise ParamError("النص المرسل يحوي محارف غير صالحة (نصف زوج UTF-16)؛ أرسل نصًا بترميز UTF-8 سليم.")
        return data
    return request.form


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _name(fields, query_string: str | None = None) -> str:
    name = one_line(fields.get("name"))
    if not name and query_string is not None:
        name = dict(parse_qsl(query_string)).get("q") or "بحث بلا اسم"
    if not name:
        raise ParamError("اكتب اسمًا للبحث.")
    if len(name) > MAX_NAME_CHARS:
        raise ParamError(f"اسم البحث طويل جدًا؛ الحد الأقصى {MAX_NAME_CHARS} حرفًا.")
    return name


def _saved_by(fields) -> str | None:
    who = one_line(fields.get("saved_by"))
    if len(who) > MAX_SAVED_BY_CHARS:
        raise ParamError(f"اسم من حفظ البحث طويل جدًا؛ الحد الأقصى {MAX_SAVED_BY_CHARS} حرفًا.")
    return who or None


def _found(slug: str) -> SavedSearch:
    saved = store().get(slug) if _SLUG.match(slug) else None
    if saved is None:
        abort(404)
    return saved


def _save(fields):
    """(saved, None) or (None, AlreadySaved) for the submitted search."""
    query = fields.get("query", "")
    if not isinstance(query, str):
        raise ParamError("البحث المراد حفظه يجب أن يكون نصًا (سلسلة الاستعلام).")
    query_string = canonical_query(query)
    name, who = _name(fields, query_string), _saved_by(fields)
    try:
        return store().save(name, query_string, saved_by=who), None
    except AlreadySaved as asked:
        return None, (asked, name)


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
                           deleted=request.args.get("deleted") == "1",
                           short_url=lambda s: saved_json(s)["short_url"])  # /b/<slug> for a list


@bp.route("/saved", methods=["POST"])
def create():
    saved, asked = _save(request.form)
    if asked is not None:
        # Already saved under another name: ask (rename, or keep the name it has).
        conflict, name = asked
        return render_template("saved_confirm.html", existing=conflict.existing, name=name, state=None,
                               describe=describe), 409
    # Post/redirect/get: the list shows the new short link; reloading does not resubmit.
    return redirect(url_for("saved.index", new=saved.slug), 303)


@bp.route("/saved/<slug>/rename", methods=["POST"])
def rename(slug):
    saved = store().rename(_found(slug).slug, _name(request.form))
    if saved is None:
        abort(404)
    return redirect(url_for("saved.index", new=saved.slug), 303)


@bp.route("/saved/<slug>/delete", methods=["POST"])
def delete(slug):
    store().delete(_found(slug).slug)
    return redirect(url_for("saved.index", deleted=1), 303)


@bp.route("/s/<slug>")
def short(slug):
    saved = _found(slug)
    if saved.kind == "batch":
        return redirect(url_for("batch.saved", slug=slug), 302)
    return redirect(search_url(saved.query_string), 302)


@bp.route("/api/saved")
def api_index():
    # The token lets an API client (with this session's cookie) use the writing twins below.
    return jsonify({"saved": [saved_json(s) for s in store().list(LIST_LIMIT)], "csrf_token": generate_csrf()})


@bp.route("/api/saved", methods=["POST"])
def api_create():
    saved, asked = _save(_fields())
    if asked is not None:
        conflict, name = asked
        return jsonify({"error": f"هذا البحث محفوظ من قبل باسم «{conflict.existing.name}»؛ "
                                 "لتغيير اسمه استعمل إعادة التسمية.", "status": 409,
                        "existing": saved_json(conflict.existing), "requested_name": name}), 409
    return jsonify(saved_json(saved)), 201


@bp.route("/api/saved/<slug>")
def api_one(slug):
    return jsonify(saved_json(_found(slug)))


@bp.route("/api/saved/<slug>/rename", methods=["POST"])
def api_rename(slug):
    saved = store().rename(_found(slug).slug, _name(_fields()))
    if saved is None:
        abort(404)
    return jsonify(saved_json(saved))


@bp.route("/api/saved/<slug>/delete", methods=["POST"])
def api_delete(slug):
    return jsonify({"deleted": store().delete(_found(slug).slug), "slug": slug})
