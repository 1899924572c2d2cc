"""The web layer: blueprints, error pages and security headers."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request

from search.backends import BackendError

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def backend():
    return current_app.extensions["search_backend"]


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def error_response(status: int, message: str):
    if wants_json():
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    from web.views import bp

    app.register_blueprint(bp)

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    @app.errorhandler(404)
    def not_found(e):
        return error_response(404, "الصفحة أو المقال غير موجود.")

    @app.errorhandler(405)
    def not_allowed(e):
        return error_response(405, "هذه الطريقة غير مسموح بها لهذا العنوان.")

    @app.errorhandler(413)
    def too_large(e):
        return error_response(413, "الطلب أكبر من المسموح.")

    @app.errorhandler(BackendError)
    def backend_down(e):
        return error_response(503, f"محرك البحث غير متاح الآن: {e}")

    @app.errorhandler(500)
    def internal(e):
        return error_response(500, "حدث خطأ داخلي؛ سُجّل وسنعالجه.")
