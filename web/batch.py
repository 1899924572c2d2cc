"""Batch search: one count-only search per line of a list (names, phrases or full queries).

Engine-neutral: each line becomes the same SearchState a /search URL would give (so its
total is /api/search's), and the backend's ``summarize`` answers with the total, the top
countries and organizations and the date span, without hits or highlighting.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator
from urllib.parse import parse_qsl, urlencode

from werkzeug.datastructures import MultiDict

from search.facets import country_name
from search.query import MAX_QUERY_CHARS
from search.query.parser import clean
from web.formatting import counted
from web.params import ParamError, SearchState, parse_state

MAX_LINES = 1000
MAX_GET_QUERIES = 50  # GET /api/batch?q=…&q=…: a URL stays a URL
TOP = 3  # countries / organizations per row


@dataclass(frozen=True)
class Line:
    text: str  # as given (trimmed)
    repeated: int = 1  # how many lines of the input it stands for (duplicates merged)


@dataclass
class BatchInput:
    lines: list[Line]
    filters: SearchState  # the filters shared by every line (no q)
    empty: int = 0  # empty lines ignored
    merged: int = 0  # duplicate lines merged into an earlier one

    @property
    def notices(self) -> list[str]:
        out = []
        if self.merged:
            out.append(f"دُمجت الأسطر المكررة ({counted(self.merged, 'line')}) مع أول ظهور لكل منها؛ "
                       "العلامة ×n بجانب السطر تذكر عدد مرات وروده.")
        if self.empty:
            out.append(f"تُجوهلت الأسطر الفارغة ({counted(self.empty, 'line')}).")
        return out

    def query_string(self) -> str:
        """The batch as URL parameters: one q per line, in order (a merged line as often as it was
        given, so that the merge is reported again), then the canonical filters."""
        return (urlencode([("q", line.text) for line in self.lines for _ in range(line.repeated)])
                + _and(self.filters.query_string(page=1)))


@dataclass
class Row:
    n: int
    line: Line
    query: str = ""  # the line as the search box would keep it
    url: str = ""
    total: int | None = None
    countries: list[tuple[str, int]] = field(default_factory=list)
    orgs: list[tuple[str, int]] = field(default_factory=list)
    first_date: str | None = None
    last_date: str | None = None
    notices: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict:
        return {"n": self.n, "line": self.line.text, "query": self.query, "total": self.total, "url": self.url,
                "repeated": self.line.repeated,
                "countries": [{"code": c, "name": country_name(c), "count": n} for c, n in self.countries],
                "orgs": [{"name": o, "count": n} for o, n in self.orgs],
                "first_date": self.first_date, "last_date": self.last_date,
                "notices": self.notices, "error": self.error}


def _and(qs: str) -> str:
    return "&" + qs if qs else ""


def read_lines(lines: Iterable[str], filters: SearchState, limit: int = MAX_LINES) -> BatchInput:
    """Trim, drop empty lines, merge duplicates (same query once cleaned); ParamError past ``limit``."""
    out: dict[str, Line] = {}
    empty = seen = 0
    for raw in lines:
        text = raw.strip()
        if not text:
            empty += 1
            continue
        seen += 1
        if seen > limit:
            raise ParamError(f"القائمة أطول من {limit:,} سطر؛ قسّمها إلى قوائم أقصر "
                             f"(أو احفظ كل جزء على حدة).")
        key = " ".join(clean(text)[0].split()) if len(text) <= MAX_QUERY_CHARS else text
        if key in out:
            out[key] = Line(out[key].text, out[key].repeated + 1)
        else:
            out[key] = Line(text)
    return BatchInput(list(out.values()), filters, empty, seen - len(out))


def filters_state(args) -> SearchState:
    """The shared filters of a batch (every search parameter but q, page and sort)."""
    params = [(k, v) for k, v in args.items(multi=True) if k not in ("q", "page", "sort", "lines", "name",
                                                                       "action", "csrf_token")]
    if "country" in args:  # the form's one text box may hold several codes
        params = [(k, v) for k, v in params if k != "country"]
        params += [("country", c) for v in args.getlist("country") for c in v.replace(",", " ").split()]
    return parse_state(MultiDict(params))


def from_query_string(query_string: str, limit: int = MAX_LINES) -> BatchInput:
    """A saved batch (or GET parameters) back to its lines and filters."""
    args = MultiDict(parse_qsl(query_string, keep_blank_values=True))
    return read_lines(args.getlist("q"), filters_state(args), limit)


def run(backend, batch: BatchInput, search_url) -> Iterator[Row]:
    """One row per line, as each search finishes; ``search_url(qs)`` makes the row's link."""
    filter_params = batch.filters.params(page=1)
    for n, line in enumerate(batch.lines, 1):
        row = Row(n, line)
        if len(line.text) > MAX_QUERY_CHARS:
            row.error = f"السطر أطول من {MAX_QUERY_CHARS:,} حرف؛ لم يُبحث عنه."
            yield row
            continue
        state = parse_state(MultiDict([("q", line.text)] + filter_params))
        row.query, row.notices = state.q, list(state.notices)
        row.url = search_url(state.query_string())
        summary = backend.summarize(state.request(page_size=0, facets=(), highlight=False), top=TOP)
        row.total = summary.total
        row.countries, row.orgs = summary.facets.get("country", []), summary.facets.get("org", [])
        row.first_date, row.last_date = summary.first_date, summary.last_date
        yield row


def describe(batch: BatchInput) -> str:
    """A batch in words: how many lines, the first few, and the filters."""
    head = "، ".join(f"«{line.text}»" for line in batch.lines[:3])
    more = f" و{counted(len(batch.lines) - 3, 'line')} غيرها" if len(batch.lines) > 3 else ""
    filters = " · ".join(f"{c.title}: {c.label}" for c in batch.filters.chips())
    return f"{counted(len(batch.lines), 'line')}: {head}{more}" + (f" · {filters}" if filters else "")
