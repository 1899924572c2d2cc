"""The web layer: blueprints, error pages, CSRF and security headers."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from search.backends import BackendError

# No inline script or style anywhere: templates link static/app.js and static/style.css only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

# What the usual HTTP errors say (the page keeps the query: error_response).
HTTP_ERRORS = {400: "الطلب غير صالح.", 404: "الصفحة أو المقال غير موجود.",
               405: "هذه الطريقة غير مسموح بها لهذا العنوان.", 413: "الطلب أكبر من المسموح."}

csrf = CSRFProtect()
log = logging.getLogger(__name__)


def backend():
    """The backend behind a per-generation result cache (``search.cache``)."""
    return current_app.extensions["search_cached"]


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def error_response(status: int, message: str):
    if wants_json():
        return jsonify({"error": message, "status": status}), status
    # The query stays in the search box, and the way back is the same search (the query
    # alone: another parameter may be what was wrong), not the home page.
    from urllib.parse import urlencode

    from search.query import MAX_QUERY_CHARS

    q = " ".join(request.args.get("q", "")[:MAX_QUERY_CHARS].split()) if request.args else ""
    back = current_app.url_for("search.page") + ("?" + urlencode({"q": q}) if q else "") if q else None
    return render_template("error.html", status=status, message=message, state=_BoxState(q), back_url=back), status


class _BoxState:
    """What the header's search box needs from a search state."""

    def __init__(self, q: str):
        self.q = q


def register(app: Flask) -> None:
    from search.facets import country_name
    from search.outlets import outlet_name
    from web import (batch_views, doc_views, export_views, facet_views, feed_views, saved_views, search_views,
                     trend)
    from web.formatting import counted, day_label, lacking, noun, number, period_label
    from web.params import ParamError

    from web import logs

    from web.panics import guard_panics

    csrf.init_app(app)
    logs.init_app(app)
    guard_panics(app)
    for module in (search_views, doc_views, facet_views, saved_views, export_views, feed_views, batch_views, trend):
        app.register_blueprint(module.bp)
    app.jinja_env.filters.update(day=day_label, number=number, period=period_label, country=country_name,
                               outlet=outlet_name, noun=noun, counted=counted, lacking=lacking)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    @app.errorhandler(ParamError)
    def bad_param(e):
        return error_response(400, str(e))

    @app.errorhandler(CSRFError)
    def bad_csrf(e):
        return error_response(400, "انتهت صلاحية النموذج أو ينقصه رمز الحماية (CSRF)؛ "
                                   "أعد تحميل الصفحة ثم أعد المحاولة.")

    for status, message in HTTP_ERRORS.items():
        app.register_error_handler(status, lambda e, status=status, message=message: error_response(status, message))

    @app.errorhandler(BackendError)
    def backend_down(e):
        log.warning("backend unavailable: %s", e)
        return error_response(503, "محرك البحث غير متاح الآن؛ حاول بعد قليل.")

    @app.errorhandler(500)
    def internal(e):
        # The traceback goes to the log, never to the page.
        return error_response(500, "حدث خطأ داخلي؛ سُجّل وسنعالجه.")
