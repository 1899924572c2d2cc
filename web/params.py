"""Search state <-> URL parameters: parse and validate, and write the canonical URL.

Format version 1 (implicit; a future incompatible change adds ``v=2`` and keeps reading v1):
``q, country*, org*, source*, troops, date, sort, page`` in this order, repeated values
sorted, defaults omitted, so that two people who reach the same results share one URL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from search.facets import is_country_code
from search.model import MAX_PAGE, PAGE_SIZE, SORTS, Range, SearchRequest
from search.query import MAX_QUERY_CHARS, parse
from search.query.tree import Node

URL_VERSION = 1
MAX_VALUES = 20  # selected values per facet
MAX_VALUE_CHARS = 200
_TROOPS = re.compile(r"^(\d{0,9})-(\d{0,9})$")
_DATE = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)?\.\.(\d{4}(?:-\d{2}(?:-\d{2})?)?)?$|^(\d{4}(?:-\d{2}(?:-\d{2})?)?)$")


class ParamError(ValueError):
    """A parameter the user can fix; the message is shown to them (Arabic)."""


@dataclass
class SearchState:
    q: str = ""
    country: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    troops: str = ""  # "low-high" with either side optional
    date: str = ""  # "from..to" with YYYY, YYYY-MM or YYYY-MM-DD
    sort: str = "relevance"
    page: int = 1
    notices: list[str] = field(default_factory=list)
    tree: Node | None = None

    def params(self, **changes) -> list[tuple[str, str]]:
        """Canonical (ordered, defaults omitted) parameter list, with optional changes."""
        s = {k: getattr(self, k) for k in ("q", "country", "org", "source", "troops", "date", "sort", "page")}
        s.update(changes)
        out: list[tuple[str, str]] = []
        if s["q"]:
            out.append(("q", s["q"]))
        for name in ("country", "org", "source"):
            out += [(name, v) for v in sorted(set(s[name]))]
        if s["troops"]:
            out.append(("troops", s["troops"]))
        if s["date"]:
            out.append(("date", s["date"]))
        if s["sort"] != "relevance":
            out.append(("sort", s["sort"]))
        if s["page"] != 1:
            out.append(("page", str(s["page"])))
        return out

    def query_string(self, **changes) -> str:
        return urlencode(self.params(**changes))

    def toggle(self, facet: str, value: str) -> str:
        """Query string with ``value`` added to or removed from ``facet`` (back to page 1)."""
        current = set(getattr(self, facet))
        current ^= {value}
        return self.query_string(**{facet: tuple(current), "page": 1})

    def request(self, page_size: int = PAGE_SIZE) -> SearchRequest:
        filters = {name: getattr(self, name) for name in ("country", "org", "source") if getattr(self, name)}
        ranges = {}
        if self.troops:
            low, high = troops_bounds(self.troops)
            ranges["troops"] = Range(low, high)
        if self.date:
            ranges["date"] = Range(*date_bounds(self.date))
        return SearchRequest(query=self.tree, filters=filters, ranges=ranges, sort=self.sort,
                             page=self.page, page_size=page_size)


def parse_state(args) -> SearchState:
    """Validate request args (a werkzeug MultiDict) into a SearchState; raise ParamError."""
    state = SearchState()
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS * 5:
        raise ParamError(f"الاستعلام طويل جدًا ({len(q)} حرفًا)؛ الحد الأقصى {MAX_QUERY_CHARS} حرف.")
    parsed = parse(q)
    state.q = " ".join(q.split())[:MAX_QUERY_CHARS]
    state.tree = parsed.tree
    state.notices.extend(parsed.notices)
    state.country = _values(args, "country")
    bad = [c for c in state.country if not is_country_code(c)]
    if bad:
        raise ParamError(f"رمز دولة غير معروف: {', '.join(bad)} (استخدم رموز ISO مثل IQ أو SY).")
    state.country = tuple(sorted({c.upper() for c in state.country}))
    state.org = _values(args, "org")
    state.source = _values(args, "source")
    troops = args.get("troops", "").strip()
    if troops:
        troops_bounds(troops)
        state.troops = troops
    when = args.get("date", "").strip()
    if when:
        date_bounds(when)
        state.date = when
    sort = args.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        raise ParamError(f"ترتيب غير معروف: {sort!r}؛ القيم الممكنة: relevance، date، troops.")
    state.sort = sort
    page = args.get("page", "1") or "1"
    if not page.isdigit() or int(page) < 1:
        raise ParamError(f"رقم الصفحة غير صالح: {page!r}؛ يجب أن يكون عددًا صحيحًا موجبًا.")
    if int(page) > MAX_PAGE:
        raise ParamError(f"الصفحة {page} أبعد من الحد الأقصى ({MAX_PAGE})؛ ضيّق البحث أو استخدم التصدير CSV.")
    state.page = int(page)
    return state


def _values(args, name: str) -> tuple[str, ...]:
    values = [v.strip() for v in args.getlist(name) if v and v.strip()]
    if len(values) > MAX_VALUES:
        raise ParamError(f"عدد كبير جدًا من قيم {name} ({len(values)})؛ الحد الأقصى {MAX_VALUES}.")
    if any(len(v) > MAX_VALUE_CHARS for v in values):
        raise ParamError(f"قيمة {name} طويلة جدًا.")
    return tuple(values)


def troops_bounds(value: str) -> tuple[int | None, int | None]:
    """'1000-' -> (1000, None); '100-999' -> (100, 999); '-99' -> (None, 99)."""
    m = _TROOPS.match(value)
    if not m or value == "-":
        raise ParamError(f"نطاق عدد القوات غير صالح: {value!r}؛ الصيغة مثل 1000- أو 100-999.")
    low = int(m.group(1)) if m.group(1) else None
    high = int(m.group(2)) if m.group(2) else None
    if low is not None and high is not None and low > high:
        raise ParamError(f"نطاق عدد القوات مقلوب: {value!r} (الحد الأدنى أكبر من الأعلى).")
    return low, high


def date_bounds(value: str) -> tuple[str | None, str | None]:
    """'2014-06..2014-12' -> ('2014-06-01', '2014-12-31T23:59:59'); a single period is its span."""
    m = _DATE.match(value)
    if not m or value == "..":
        raise ParamError(f"نطاق التاريخ غير صالح: {value!r}؛ الصيغة مثل 2014-06..2014-12.")
    if m.group(3):
        start, end = m.group(3), m.group(3)
    else:
        start, end = m.group(1), m.group(2)
    low = _period_start(start) if start else None
    high = _period_end(end) if end else None
    if low and high and low > high:
        raise ParamError(f"نطاق التاريخ مقلوب: {value!r}.")
    return low, high


def _period_start(p: str) -> str:
    parts = [int(x) for x in p.split("-")]
    y, m, d = parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1
    return _checked(y, m, d).isoformat()


def _period_end(p: str) -> str:
    parts = [int(x) for x in p.split("-")]
    y = parts[0]
    if len(parts) == 1:
        return f"{y:04d}-12-31T23:59:59"
    m = parts[1]
    if len(parts) == 2:
        _checked(y, m, 1)
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        return f"{date.fromordinal(nxt.toordinal() - 1).isoformat()}T23:59:59"
    return f"{_checked(y, m, parts[2]).isoformat()}T23:59:59"


def _checked(y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ParamError(f"تاريخ غير موجود: {y:04d}-{m:02d}-{d:02d}.") from None
