"""CSV export of every article matching a search, streamed (no page cap, no 10,000 limit)."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from itertools import chain
from urllib.parse import quote

from flask import Blueprint, Response, request

from search.outlets import outlet_name
from web import backend
from web.params import parse_state

bp = Blueprint("export", __name__)

# Every matching article, one row each; "story" is its story's id (docs/stories.md).
COLUMNS = ("id", "story", "title", "date", "source", "source_name", "url", "countries", "organizations", "troops",
           "casualties")  # troops: force sizes; casualties: killed, wounded, captured ... counts
FLUSH_ROWS = 200
BOM = "\ufeff"  # Excel reads UTF-8 only with it
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def download_headers(prefix: str) -> dict:
    """A CSV download named by its kind and the time (search-20261201-0423.csv), never cached."""
    name = f"{prefix}-{datetime.now(UTC).strftime('%Y%m%d-%H%M')}.csv"
    return {"Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store"}


def cell(value) -> str:
    """Plain text for a spreadsheet cell; a leading formula character is neutralised."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def row(doc) -> list[str]:
    return [cell(doc.id), cell(doc.story or doc.id), cell(doc.title), cell(doc.date), cell(doc.source),
            cell(outlet_name(doc.source) if doc.source else ""), cell(doc.url),
            cell("; ".join(doc.countries or ())), cell("; ".join(doc.orgs or ())),
            "; ".join(str(t) for t in doc.troops or ()), "; ".join(str(t) for t in doc.casualties or ())]


def generate(docs):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write(BOM)
    writer.writerow(COLUMNS)
    for n, doc in enumerate(docs, 1):
        writer.writerow(row(doc))
        if n % FLUSH_ROWS == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


@bp.route("/search.csv", endpoint="csv")
def csv_export():
    state = parse_state(request.args)
    docs = backend().iter_matches(state.request(page=1, highlight=False, facets=()))
    # Fetch the first row before answering, so a bad parameter or a missing index is still a
    # clean error page, not a download cut short.
    first = next(docs, None)
    docs = chain([first], docs) if first is not None else iter(())
    return Response(generate(docs), headers=download_headers("search"), content_type="text/csv; charset=utf-8")

