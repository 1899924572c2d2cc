"""/batch: search a list of names at once; a table streamed row by row, with CSV and JSON twins.

A short list can be a GET URL (``/batch?q=…&q=…``, at most 50 lines, like ``/api/batch``);
a long one is POSTed (CSRF) or saved and shared under ``/b/<slug>``. The HTML table is
streamed: each row is sent as its search finishes, followed by a progress row that CSS
shows only while it is the last one (no script needed, nothing inline).
"""
from __future__ import annotations

import csv
import io
import json
import re
from itertools import chain

from flask import (Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request,
                   stream_with_context, url_for)

from search.saved import MAX_BATCH_CHARS, MAX_NAME_CHARS, AlreadySaved
from web import backend, csrf
from web import batch as batches
from web.export_views import BOM, cell, download_headers
from web.pages import search_url
from web.params import ParamError, SearchState

bp = Blueprint("batch", __name__)

MAX_POST_BYTES = 4 * 1024 * 1024  # 1,000 lines of Arabic, percent-encoded, with room to spare
ROWS_MARK = "<!--batch-rows-->"
CSV_COLUMNS = ("line", "query", "total", "countries", "organizations", "first_date", "last_date", "url",
               "repeated", "note")
_SLUG = re.compile(r"^[0-9a-f]{8}$")


def batch_description(query_string: str) -> str:
    try:
        return batches.describe(batches.from_query_string(query_string))
    except ParamError:
        return "قائمة"


# ---- reading a batch ---------------------------------------------------------------------------
def _get_batch() -> batches.BatchInput:
    queries = request.args.getlist("q")
    if len(queries) > batches.MAX_GET_QUERIES:
        raise ParamError(f"الرابط يحمل {len(queries):,} سطرًا؛ الحد في الرابط {batches.MAX_GET_QUERIES} "
                         "سطرًا. أرسل القائمة من النموذج في /batch (حتى 1,000 سطر) أو احفظها.")
    return batches.read_lines(queries, batches.filters_state(request.args))


def _posted_batch() -> batches.BatchInput:
    # The default body limit (64 KB) is for forms of one search; a list needs more. Raised
    # here, before the form is read, so CSRF is checked by hand below (the app-wide check
    # would read the form first, under the small limit).
    request.max_content_length = MAX_POST_BYTES
    request.max_form_memory_size = MAX_POST_BYTES
    if current_app.config.get("WTF_CSRF_ENABLED", True):  # as the app-wide check decides
        csrf.protect()
    text = request.form.get("lines", "")
    return batches.read_lines(text.splitlines(), batches.filters_state(request.form))


def _saved_batch(slug: str) -> tuple[batches.BatchInput, object]:
    from web.saved_views import store

    saved = store().get(slug) if _SLUG.match(slug) else None
    if saved is None or saved.kind != "batch":
        abort(404)
    return batches.from_query_string(saved.query_string), saved


# ---- routes ------------------------------------------------------------------------------------
@bp.route("/batch", methods=["GET"], endpoint="form")
def form():
    if not request.args.getlist("q"):
        return render_template("batch.html", state=None, batch=None, lines_text="", filters=SearchState(),
                               title="بحث بقائمة")
    batch = _get_batch()
    return _html(batch, title="بحث بقائمة", links=_get_links(batch))


@bp.route("/batch", methods=["POST"], endpoint="run")
@csrf.exempt
def run_posted():
    try:
        batch = _posted_batch()
    except ParamError as e:  # the list comes back with the message, nothing lost
        return render_template("batch.html", state=None, batch=None, error=str(e), title="بحث بقائمة",
                               lines_text=request.form.get("lines", ""), filters=SearchState()), 400
    action = request.form.get("action", "run")
    if action == "save":
        return _save(batch)
    if action == "csv":
        return _csv(batch)
    if action == "json":
        return _json_stream(batch)
    return _html(batch, title="بحث بقائمة", links={})


@bp.route("/b/<slug>", endpoint="saved")
def saved(slug):
    batch, item = _saved_batch(slug)
    return _html(batch, title=item.name, links={"csv": url_for("batch.saved_csv", slug=slug),
                                                "json": url_for("batch.api_saved", slug=slug),
                                                "short": url_for("batch.saved", slug=slug, _external=True)})


@bp.route("/b/<slug>.csv", endpoint="saved_csv")
def saved_csv(slug):
    return _csv(_saved_batch(slug)[0])


@bp.route("/api/batch/<slug>", endpoint="api_saved")
def api_saved(slug):
    batch, item = _saved_batch(slug)
    return _json_stream(batch, {"name": item.name, "slug": item.slug})


@bp.route("/batch.csv", endpoint="csv")
def get_csv():
    return _csv(_get_batch())


@bp.route("/api/batch", endpoint="api")
def api():
    batch = _get_batch()
    rows = [r.to_json() for r in batches.run(backend(), batch, search_url)]
    return jsonify({**_head_json(batch), "rows": rows})


# ---- answers -----------------------------------------------------------------------------------
def _get_links(batch: batches.BatchInput) -> dict:
    qs = batch.query_string()
    return {"csv": url_for("batch.csv") + "?" + qs, "json": url_for("batch.api") + "?" + qs}


def _rows(batch: batches.BatchInput):
    """The rows, the first one computed now: a missing index is a clean 503, not a cut stream."""
    rows = batches.run(backend(), batch, search_url)
    first = next(rows, None)
    return chain([first], rows) if first is not None else iter(())


def _html(batch: batches.BatchInput, title: str, links: dict) -> Response:
    rows = _rows(batch)
    page = render_template("batch.html", state=None, batch=batch, rows_mark=ROWS_MARK, title=title, links=links,
                           lines_text="\n".join(line.text for line in batch.lines), filters=batch.filters)
    head, tail = page.split(ROWS_MARK, 1)
    macros = current_app.jinja_env.get_template("_batch.html").module
    total = len(batch.lines)

    def generate():
        yield head
        done = 0
        try:
            for row in rows:
                done += 1
                yield str(macros.row(row)) + str(macros.progress(done, total))
        except Exception:  # the page is already on its way: say it in the table, log the rest
            current_app.logger.exception("batch stopped after %d of %d rows", done, total)
            yield str(macros.stopped(done, total))
        else:
            yield str(macros.finished(total))
        yield tail

    resp = Response(stream_with_context(generate()), content_type="text/html; charset=utf-8")
    resp.headers["X-Accel-Buffering"] = "no"  # a proxy in front must pass rows on as they come
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _head_json(batch: batches.BatchInput) -> dict:
    return {"lines": len(batch.lines), "duplicates_merged": batch.merged, "empty_ignored": batch.empty,
            "notices": batch.notices, "filters": batch.filters.query_string(page=1),
            "max_lines": batches.MAX_LINES}


def _json_stream(batch: batches.BatchInput, extra: dict | None = None) -> Response:
    rows = _rows(batch)
    head = json.dumps({**(extra or {}), **_head_json(batch)}, ensure_ascii=False)[:-1]

    def generate():
        yield head + ', "rows": ['
        for i, row in enumerate(rows):
            yield ("," if i else "") + json.dumps(row.to_json(), ensure_ascii=False)
        yield "]}"

    return Response(stream_with_context(generate()), content_type="application/json; charset=utf-8")


def _csv(batch: batches.BatchInput) -> Response:
    rows = _rows(batch)
    host = request.host_url.rstrip("/")

    def generate():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        buf.write(BOM)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow([cell(row.line.text), cell(row.query), "" if row.total is None else row.total,
                             cell("; ".join(f"{c} {n}" for c, n in row.countries)),
                             cell("; ".join(f"{o} {n}" for o, n in row.orgs)),
                             row.first_date or "", row.last_date or "", host + row.url if row.url else "",
                             row.line.repeated, cell(row.error or " ".join(row.notices))])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()

    return Response(stream_with_context(generate()), headers=download_headers("batch"),
                    content_type="text/csv; charset=utf-8")


def _save(batch: batches.BatchInput):
    from web.saved_views import one_line, store

    if not batch.lines:
        raise ParamError("القائمة فارغة: اكتب سطرًا واحدًا على الأقل.")
    name = one_line(request.form.get("name", "")) or batch.lines[0].text[:MAX_NAME_CHARS]
    if len(name) > MAX_NAME_CHARS:
        raise ParamError(f"اسم القائمة طويل جدًا؛ الحد الأقصى {MAX_NAME_CHARS} حرفًا.")
    query_string = batch.query_string()
    if len(query_string) > MAX_BATCH_CHARS:
        raise ParamError("القائمة أكبر من أن تُحفظ؛ قسّمها إلى قوائم أقصر.")
    try:
        saved = store().save(name, query_string, kind="batch")
    except AlreadySaved as e:  # the same list is already saved (under another name): its link
        saved = e.existing
    return redirect(url_for("saved.index", new=saved.slug), 303)
