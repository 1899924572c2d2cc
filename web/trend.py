"""Coverage over time: articles per day, week or month for up to five queries (docs/ui.md).

``/trend?q=...&q=...`` (each ``q`` may carry inline filters such as ``country:IQ``; the usual
filter parameters apply to every query), its JSON twin ``/api/trend`` and ``/trend.csv``.
The interval follows the span of dates unless ``interval=`` says; ``scale=share`` divides
each count by all articles of that period in the archive. Counts are articles, like the
search total: every series' buckets sum to its query's total (less its undated articles,
reported as ``undated``).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from search.query import MAX_QUERY_CHARS, parse
from search.query.names import expand
from search.query.parser import clean
from web import backend
from web.formatting import period_label
from web.params import ParamError, SearchState, date_bounds, parse_state

bp = Blueprint("trend", __name__)

MAX_QUERIES = 5
MAX_BUCKETS = 400  # a longer span is a 400 (asked for) or cut to its latest periods (from the data)
DAY_SPAN, WEEK_SPAN = 92, 731  # automatic interval: days up to ~3 months, weeks up to 2 years
INTERVALS = ("day", "week", "month")
SCALES = ("count", "share")
INTERVAL_NAMES = {"day": "يوم", "week": "أسبوع", "month": "شهر"}


@dataclass
class TrendState:
    """Queries (in the order given), the filters they share, interval and scale."""

    queries: list[SearchState]
    shared: SearchState
    interval: str = ""  # "": chosen from the span
    scale: str = "count"
    notices: list[str] = field(default_factory=list)

    def params(self, **changes) -> list[tuple[str, str]]:
        s = {"interval": self.interval, "scale": self.scale, **changes}
        out = [("q", q.q) for q in self.queries]
        out += [(k, v) for k, v in self.shared.params(q="", sort="relevance", versions="", partial=True, page=1)]
        if s["interval"]:
            out.append(("interval", s["interval"]))
        if s["scale"] != "count":
            out.append(("scale", s["scale"]))
        return out

    def query_string(self, **changes) -> str:
        from urllib.parse import urlencode

        return urlencode(self.params(**changes))


def parse_trend(args, require: bool = True) -> TrendState:
    """Validate /trend parameters; ParamError (a 400 with an Arabic message) on bad input."""
    raw = [q.strip() for q in args.getlist("q")]
    if len(raw) > MAX_QUERIES:
        raise ParamError(f"عدد كبير جدًا من الاستعلامات ({len(raw)})؛ يمكن مقارنة {MAX_QUERIES} استعلامات على الأكثر.")
    if any(not q for q in raw):
        raise ParamError("أحد الاستعلامات فارغ؛ اكتب كلمة في كل خانة أو احذفها.")
    if require and not raw:
        raise ParamError("لا استعلام: أضف q=كلمة (حتى خمس مرات) لرسم التغطية عبر الزمن.")
    rest = [(k, v) for k, v in args.items(multi=True) if k not in ("q", "interval", "scale")]
    from werkzeug.datastructures import MultiDict

    shared = parse_state(MultiDict(rest))
    if shared.sort != "relevance" or shared.page != 1 or shared.versions:
        shared = replace(shared, sort="relevance", page=1, versions="", partial=True)
    interval = args.get("interval", "").strip()
    if interval and interval not in INTERVALS:
        raise ParamError(f"فترة غير معروفة: {interval!r}؛ القيم الممكنة: day، week، month.")
    scale = args.get("scale", "count").strip() or "count"
    if scale not in SCALES:
        raise ParamError(f"مقياس غير معروف: {scale!r}؛ القيم الممكنة: count، share.")
    queries, notices = [], []
    for q in raw:
        if len(q) > MAX_QUERY_CHARS:
            raise ParamError(f"الاستعلام طويل جدًا ({len(q)} حرفًا)؛ الحد الأقصى {MAX_QUERY_CHARS} حرف.")
        parsed = parse(q)
        notices.extend(parsed.notices)
        # Latin names also search their Arabic forms, as on the search page (expand=0: as typed),
        # so a series counts what its search_url finds.
        tree, found = expand(parsed.tree) if shared.expand else (parsed.tree, [])
        # said as on the search page, so "Mosul" counting الموصل's articles is no surprise
        notices.extend(f"بُحث أيضًا عن: {e.latin} ← {'، '.join(e.arabic)}." for e in found)
        queries.append(replace(shared, q=" ".join(clean(q)[0].split()), tree=tree, notices=[]))
    return TrendState(queries, shared, interval, scale, notices)


# ---- periods --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    key: str  # YYYY-MM-DD (day, week's Monday) or YYYY-MM
    start: date
    end: date  # inclusive

    @property
    def date_param(self) -> str:
        """The search's ``date=`` for this period."""
        if len(self.key) == 7 or self.start == self.end:
            return self.key
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def label(self, interval: str) -> str:
        if interval == "week":
            return f"أسبوع {period_label(self.start.isoformat())}"
        return period_label(self.key)


def periods(interval: str, first: date, last: date) -> list[Period]:
    """Every period from the one holding ``first`` to the one holding ``last``."""
    out = []
    if interval == "month":
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            start = date(y, m, 1)
            nxt = date(y + (m == 12), m % 12 + 1, 1)
            out.append(Period(f"{y:04d}-{m:02d}", start, nxt - timedelta(days=1)))
            y, m = nxt.year, nxt.month
        return out
    step = 7 if interval == "week" else 1
    day = first - timedelta(days=first.weekday()) if interval == "week" else first
    while day <= last:
        out.append(Period(day.isoformat(), day, day + timedelta(days=step - 1)))
        day += timedelta(days=step)
    return out


def bucket_count(interval: str, first: date, last: date) -> int:
    days = (last - first).days + 1
    if interval == "day":
        return days
    if interval == "week":
        return days // 7 + 2
    return (last.year - first.year) * 12 + last.month - first.month + 1


def choose_interval(first: date, last: date) -> str:
    days = (last - first).days + 1
    return "day" if days <= DAY_SPAN else "week" if days <= WEEK_SPAN else "month"


# ---- the chart ------------------------------------------------------------------------------------

@dataclass
class Series:
    query: str
    total: int  # matching articles (the search total)
    counts: list[int]
    search_url: str
    shares: list[float] | None = None

    @property
    def undated(self) -> int:
        return self.total - sum(self.counts)

    def values(self) -> list[float]:
        return self.shares if self.shares is not None else [float(c) for c in self.counts]


@dataclass
class TrendChart:
    state: TrendState
    interval: str
    periods: list[Period]
    series: list[Series]
    notices: list[str] = field(default_factory=list)

    def period_url(self, index: int, period: Period) -> str:
        q = self.state.queries[index]
        return url_for("search.page") + "?" + q.query_string(date=period.date_param, page=1)

    def to_json(self) -> dict:
        out = {"interval": self.interval, "scale": self.state.scale,
               "from": self.periods[0].start.isoformat() if self.periods else None,
               "to": self.periods[-1].end.isoformat() if self.periods else None,
               "notices": self.state.notices + self.notices,
               "series": []}
        for s in self.series:
            item = {"query": s.query, "total": s.total, "undated": s.undated, "search_url": s.search_url,
                    "buckets": [{"key": p.key, "count": c} for p, c in zip(self.periods, s.counts)]}
            if s.shares is not None:
                item["shares"] = [round(v, 6) for v in s.shares]
            out["series"].append(item)
        return out


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso[:10]) if iso else None


def compute(state: TrendState, be) -> TrendChart:
    """Counts per period for every query, over one common span of periods."""
    requests = [q.request(facets=(), highlight=False, collapse=False) for q in state.queries]
    low, high = date_bounds(state.shared.date) if state.shared.date else (None, None)
    asked = low is not None and high is not None
    if asked:  # refused before any search
        a, b = _day(low), _day(high)
        interval = state.interval or choose_interval(a, b)
        if bucket_count(interval, a, b) > MAX_BUCKETS:
            raise ParamError(f"المدة من {a} إلى {b} تعطي أكثر من {MAX_BUCKETS} {INTERVAL_NAMES[interval]}؛ "
                             "ضيّق نطاق التاريخ أو اختر فترة أطول (interval=month).")
    spans = [be.date_span(r) for r in requests]
    firsts = [_day(s[1]) for s in spans if s[1]]
    lasts = [_day(s[2]) for s in spans if s[2]]
    first = _day(low) if low else min(firsts, default=None)
    last = _day(high) if high else max(lasts, default=None)
    notices: list[str] = []
    if first is None or last is None or first > last:
        return TrendChart(state, state.interval or "day", [], [Series(q.q, n, [], _search_url(q))
                                                                for q, (n, _, _) in zip(state.queries, spans)])
    interval = state.interval or choose_interval(first, last)
    if bucket_count(interval, first, last) > MAX_BUCKETS:
        if asked or state.interval:
            raise ParamError(f"المدة من {first} إلى {last} تعطي أكثر من {MAX_BUCKETS} {INTERVAL_NAMES[interval]}؛ "
                             "ضيّق نطاق التاريخ أو اختر فترة أطول (interval=month).")
        first = _clip_start(interval, last)
        notices.append(f"التواريخ تمتد طويلًا: يعرض الرسم آخر {MAX_BUCKETS} {INTERVAL_NAMES[interval]} فقط.")
    ps = periods(interval, first, last)
    field = "month" if interval == "month" else "day"
    size = len(ps) if field == "month" else (ps[-1].end - ps[0].start).days + 1
    series = []
    for q, r, (total, _, _) in zip(state.queries, requests, spans):
        counts = _fold(be.period_counts(r, field, size + 1), ps) if total else [0] * len(ps)
        series.append(Series(q.q, total, counts, _search_url(q)))
    if state.scale == "share":
        everything = SearchState().request(facets=(), highlight=False, collapse=False)
        totals = _fold(be.period_counts(everything, field, size + 1), ps)
        for s in series:
            s.shares = [c / t if t else 0.0 for c, t in zip(s.counts, totals)]
    return TrendChart(state, interval, ps, series, notices)


def _clip_start(interval: str, last: date) -> date:
    if interval == "month":
        months = last.year * 12 + last.month - 1 - (MAX_BUCKETS - 1)
        return date(months // 12, months % 12 + 1, 1)
    step = 7 if interval == "week" else 1
    return last - timedelta(days=step * (MAX_BUCKETS - 1) - 1 if step == 1 else step * (MAX_BUCKETS - 2))


def _fold(counts: dict[str, int], ps: list[Period]) -> list[int]:
    """Day or month counts summed into the periods (a week adds up its seven days)."""
    if ps and len(ps[0].key) == 7:
        return [counts.get(p.key, 0) for p in ps]
    out = []
    for p in ps:
        n, day = 0, p.start
        while day <= p.end:
            n += counts.get(day.isoformat(), 0)
            day += timedelta(days=1)
        out.append(n)
    return out


def _search_url(q: SearchState) -> str:
    return url_for("search.page") + "?" + q.query_string(page=1)


def small_chart(state: SearchState, be) -> TrendChart | None:
    """The current search as one series (the small chart on the results page)."""
    one = replace(state, sort="relevance", page=1, versions="", partial=True, notices=[])
    try:
        return compute(TrendState([one], replace(one, q="", tree=None)), be)
    except ParamError:
        return None


# ---- views ----------------------------------------------------------------------------------------

@bp.route("/trend")
def page():
    state = parse_trend(request.args, require=False)
    chart = compute(state, backend()) if state.queries else None
    from web.chart import render

    svg = render(chart) if chart and chart.periods else None
    return render_template("trend.html", trend=state, chart=chart, svg=svg, state=None,
                           max_queries=MAX_QUERIES, interval_names=INTERVAL_NAMES)


@bp.route("/api/trend")
def api():
    return jsonify(compute(parse_trend(request.args), backend()).to_json())


@bp.route("/trend.csv", endpoint="csv")
def csv_export():
    chart = compute(parse_trend(request.args), backend())
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write("\ufeff")
    from web.export_views import cell, download_headers

    writer.writerow(["period", "from", "to"] + [cell(s.query) for s in chart.series])
    for i, p in enumerate(chart.periods):
        writer.writerow([p.key, p.start.isoformat(), p.end.isoformat()] + [s.counts[i] for s in chart.series])
    return Response(buf.getvalue(), headers=download_headers("trend"), content_type="text/csv; charset=utf-8")
