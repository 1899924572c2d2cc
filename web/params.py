"""Search state <-> URL parameters: parse and validate, and write the canonical URL.

URL format version 1 (documented in docs/ui.md). Canonical parameters, in this order:
``q, country*, org*, source*, troops, casualties, date, since, sort, expand, versions, partial, page``;
repeated values sorted and deduplicated, defaults (sort=relevance, expand=1, one hit per story,
partial=1, page=1) omitted, so two people who reach the same results share one URL. ``v=1`` may be given
and is dropped; a future incompatible format adds ``v=2`` and keeps reading v1. Form helpers (``troops_min``/``troops_max``,
``casualties_min``/``casualties_max``, ``date_from``/``date_to``, and ``troops=custom`` from
the range control's "other range" choice) are accepted on input and folded into
``troops``/``casualties``/``date``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import quote_plus

from search import arrival
from search.facets import FACETS, RANGE_BUCKETS, country_name, is_country_code
from search.outlets import outlet_name
from search.model import MAX_PAGE, PAGE_SIZE, SORTS, Range, SearchRequest
from search.query import MAX_QUERY_CHARS, parse
from search.query.names import Expansion, expand
from search.query.parser import clean
from search.query.tree import Node

URL_VERSION = 1
CANONICAL_KEYS = ("q", "country", "org", "source", "troops", "casualties", "date", "since", "sort", "expand",
                  "versions", "partial", "page")
VERSIONS = ("", "all")  # "": one hit per story (default); "all": every version (docs/stories.md)
MULTI = ("country", "org", "source")
RANGES = ("troops", "casualties")  # one "low-high" value each
CUSTOM = "custom"  # the range control's "other range" choice: take the min/max fields
ANY = "any"  # the range control's "all" choice: no range, whatever the min/max fields say
MAX_VALUES = 20  # selected values per facet
MAX_VALUE_CHARS = 200
MAX_YEAR = 9998  # the last year whose periods (and the day after them) Python's dates can hold
_TROOPS = re.compile(r"^(\d{0,9})-(\d{0,9})$")
_PERIOD = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_DATE = re.compile(rf"^({_PERIOD})?\.\.({_PERIOD})?$|^({_PERIOD})$")
_PARAM_NAMES = {"country": "الدولة", "org": "المنظمة", "source": "المصدر", "troops": "عدد القوات",
                "casualties": "الخسائر البشرية", "date": "التاريخ", "since": "وصل إلى الأرشيف بعد"}


class ParamError(ValueError):
    """A parameter the user can fix; the message is shown to them (Arabic)."""


@dataclass(frozen=True)
class Chip:
    """One active filter, as shown above the results with a link that removes it."""

    facet: str
    value: str
    label: str
    remove_qs: str

    @property
    def title(self) -> str:
        return _PARAM_NAMES[self.facet]


@dataclass
class SearchState:
    q: str = ""
    country: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    troops: str = ""  # "low-high" with either side optional (force sizes)
    casualties: str = ""  # "low-high" (killed, wounded, captured ... counts)
    date: str = ""  # "from..to" with YYYY, YYYY-MM or YYYY-MM-DD
    since: str = ""  # arrived strictly after this time (search.arrival form)
    sort: str = "relevance"
    # expand=0: the query exactly as typed: no Latin-name expansion, and no automatic
    # replacement (spelling, unclosed quote) when it finds nothing. Links still offer them.
    expand: bool = True
    versions: str = ""  # "all": every version of a story, not one hit per story
    # partial=0: no continuation (articles lacking one word) after the complete matches.
    partial: bool = True
    page: int = 1
    notices: list[str] = field(default_factory=list)
    tree: Node | None = None
    words_fallback: Node | None = None  # the query with its unclosed phrase read as words
    alternatives: list[tuple[str, str]] = field(default_factory=list)  # (label, query) links
    expansions: list[Expansion] = field(default_factory=list)
    typed_tree: Node | None = None  # before Latin-name expansion (spelling works on it)
    explicit_and: bool = False  # AND was typed: no continuation (search/continuation.py)

    def params(self, **changes) -> list[tuple[str, str]]:
        """Canonical (ordered, defaults omitted) parameter list, with optional changes."""
        s = {k: getattr(self, k) for k in CANONICAL_KEYS}
        s.update(changes)
        out: list[tuple[str, str]] = []
        if s["q"]:
            out.append(("q", s["q"]))
        for name in MULTI:
            out += [(name, v) for v in sorted(set(s[name]))]
        for name in (*RANGES, "date", "since"):
            if s[name]:
                out.append((name, s[name]))
        if s["sort"] != "relevance":
            out.append(("sort", s["sort"]))
        if not s["expand"]:
            out.append(("expand", "0"))
        if s["versions"]:
            out.append(("versions", s["versions"]))
        if not s["partial"]:
            out.append(("partial", "0"))
        if s["page"] != 1:
            out.append(("page", str(s["page"])))
        return out

    def query_string(self, **changes) -> str:
        # A results page writes ~200 links from the same few pairs: encode each pair once.
        return "&".join(_pair(k, v) for k, v in self.params(**changes))

    def toggle(self, facet: str, value: str) -> str:
        """Query string with ``value`` added to or removed from ``facet`` (back to page 1)."""
        if facet in MULTI:
            return self.query_string(**{facet: tuple(set(getattr(self, facet)) ^ {value}), "page": 1})
        return self.query_string(**{facet: "" if getattr(self, facet) == value else value, "page": 1})

    def adding(self, facet: str, value: str) -> str:
        """Query string with ``value`` selected in ``facet`` (kept if already there), page 1."""
        if facet in MULTI:
            return self.query_string(**{facet: tuple(set(getattr(self, facet)) | {value}), "page": 1})
        return self.query_string(**{facet: value, "page": 1})

    def without(self, facet: str, value: str | None = None) -> str:
        """Query string without one value of a facet (or the whole facet), page 1."""
        if facet == "q":
            return self.query_string(q="", page=1)
        if facet in MULTI:
            keep = () if value is None else tuple(v for v in getattr(self, facet) if v != value)
            return self.query_string(**{facet: keep, "page": 1})
        return self.query_string(**{facet: "", "page": 1})

    @property
    def continues(self) -> bool:
        """Whether the results page lists, after the complete matches, the articles that lack
        one word (not with ``partial=0`` nor when AND was typed)."""
        return self.partial and not self.explicit_and

    def cleared(self) -> str:
        """The query and sort kept, every filter removed."""
        return self.query_string(country=(), org=(), source=(), troops="", casualties="", date="", since="",
                                 page=1)

    @property
    def day_month(self) -> str | None:
        """The month whose days the date facet lists: the date filter lies within one month."""
        if not self.date:
            return None
        low, high = date_bounds(self.date)
        if low and high and low[:7] == high[:7]:
            return low[:7]
        return None

    @property
    def has_filters(self) -> bool:
        return bool(self.country or self.org or self.source or self.troops or self.casualties or self.date
                    or self.since)

    def chips(self) -> list[Chip]:
        out = [Chip(name, v, _value_label(name, v), self.without(name, v))
               for name in MULTI for v in sorted(getattr(self, name))]
        for name in RANGES:
            if getattr(self, name):
                value = getattr(self, name)
                out.append(Chip(name, value, range_label(value, name), self.without(name)))
        if self.date:
            out.append(Chip("date", self.date, date_label(self.date), self.without("date")))
        if self.since:
            out.append(Chip("since", self.since, since_label(self.since), self.without("since")))
        return out

    def request(self, page_size: int = PAGE_SIZE, **overrides) -> SearchRequest:
        filters = {name: getattr(self, name) for name in MULTI if getattr(self, name)}
        ranges = {}
        for name in RANGES:
            if getattr(self, name):
                ranges[name] = Range(*range_bounds(getattr(self, name), name))
        if self.date:
            ranges["date"] = Range(*date_bounds(self.date))
        facets = SearchRequest.__dataclass_fields__["facets"].default
        if self.day_month:
            facets = facets + ("day",)
        if self.since:
            # Arrival times are whole milliseconds: "after T" is "from T + 1 ms".
            ranges["arrived"] = Range(arrival.from_ms(arrival.to_ms(self.since) + 1), None)
        kw = {"query": self.tree if self.tree is not None else parse("").tree, "filters": filters,
              "ranges": ranges, "sort": self.sort, "page": self.page, "page_size": page_size,
              "collapse": self.versions != "all", "facets": facets}
        kw.update(overrides)
        return SearchRequest(**kw)


@lru_cache(maxsize=8192)
def _pair(key: str, value: str) -> str:
    """One ``key=value`` pair exactly as ``urllib.parse.urlencode`` writes it."""
    return quote_plus(key) + "=" + quote_plus(value)


# Parameters that hold numbers, dates or times: Arabic-Indic (٠-٩) and Persian (۰-۹) digits
# typed or pasted there read as ASCII digits (the canonical URL then has ASCII ones).
_NUMERIC_KEYS = frozenset({"troops", "troops_min", "troops_max", "casualties", "casualties_min", "casualties_max",
                           "date", "date_from", "date_to", "since", "page", "expand", "partial"})
_ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def _ascii_numbers(args):
    """``args`` with the digits of the numeric parameters made ASCII (a copy when any changes)."""
    from werkzeug.datastructures import MultiDict

    if not any(v != v.translate(_ASCII_DIGITS) for k in _NUMERIC_KEYS for v in args.getlist(k)):
        return args
    return MultiDict([(k, v.translate(_ASCII_DIGITS) if k in _NUMERIC_KEYS else v)
                      for k, v in args.items(multi=True)])


def parse_state(args) -> SearchState:
    """Validate request args (a werkzeug MultiDict) into a SearchState; raise ParamError."""
    state = SearchState()
    args = _ascii_numbers(args)
    version = args.get("v", "")
    if version and version != str(URL_VERSION):
        raise ParamError(f"إصدار صيغة الرابط غير معروف: v={version!r}؛ هذا الخادم يفهم v=1.")
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise ParamError(f"الاستعلام طويل جدًا ({len(q)} حرفًا)؛ الحد الأقصى {MAX_QUERY_CHARS} حرف.")
    parsed = parse(q)
    state.q = " ".join(clean(q)[0].split())
    state.notices.extend(parsed.notices)
    state.alternatives = parsed.alternatives
    expand_param = args.get("expand", "1") or "1"
    if expand_param not in ("0", "1"):
        raise ParamError(f"قيمة expand غير صالحة: {expand_param!r}؛ القيم الممكنة: 0 (كما كُتب) أو 1.")
    state.expand = expand_param == "1"
    state.typed_tree = parsed.tree
    state.explicit_and = parsed.explicit_and
    state.tree, state.words_fallback = parsed.tree, parsed.words_fallback
    if state.expand:
        state.tree, state.expansions = expand(parsed.tree)
        if parsed.words_fallback is not None:
            state.words_fallback = expand(parsed.words_fallback)[0]
    country = _values(args, "country")
    bad = [c for c in country if not is_country_code(c)]
    if bad:
        raise ParamError(f"رمز دولة غير معروف: {'، '.join(bad)} (استخدم رموز ISO مثل IQ أو SY).")
    state.country = tuple(sorted({c.upper() for c in country}))
    state.org = tuple(sorted(set(_values(args, "org"))))
    state.source = tuple(sorted(set(_values(args, "source"))))
    state.troops = _range_param(args, "troops")
    state.casualties = _range_param(args, "casualties")
    state.date = _date_param(args)
    state.since = since_param(args.get("since", ""))
    sort = args.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        raise ParamError(f"ترتيب غير معروف: {sort!r}؛ القيم الممكنة: {'، '.join(SORTS)}.")
    state.sort = sort
    versions = args.get("versions", "").strip()
    if versions not in VERSIONS:
        raise ParamError(f"قيمة versions غير معروفة: {versions!r}؛ القيمة الممكنة: all (كل نسخ القصة).")
    state.versions = versions
    partial = args.get("partial", "1").strip() or "1"
    if partial not in ("0", "1"):
        raise ParamError(f"قيمة partial غير صالحة: {partial[:20]!r}؛ القيم الممكنة: 0 (المقالات التي تحوي كل "
                         "الكلمات فقط) أو 1.")
    state.partial = partial == "1"
    page = (args.get("page", "1") or "1").strip()
    if not page.isascii() or not page.isdigit() or int(page) < 1:
        raise ParamError(f"رقم الصفحة غير صالح: {page!r}؛ يجب أن يكون عددًا صحيحًا موجبًا.")
    if int(page) > MAX_PAGE:
        raise ParamError(f"الصفحة {page} أبعد من آخر صفحة يمكن تصفحها ({MAX_PAGE})؛ "
                         "ضيّق البحث بالمرشحات أو نزّل كل النتائج بصيغة CSV.")
    state.page = int(page)
    return state


def _values(args, name: str) -> tuple[str, ...]:
    values = [v.strip() for v in args.getlist(name) if v and v.strip()]
    if len(values) > MAX_VALUES:
        raise ParamError(f"عدد كبير جدًا من قيم {_PARAM_NAMES[name]} ({len(values)})؛ الحد الأقصى {MAX_VALUES}.")
    if any(len(v) > MAX_VALUE_CHARS for v in values):
        raise ParamError(f"قيمة {_PARAM_NAMES[name]} طويلة جدًا (الحد الأقصى {MAX_VALUE_CHARS} حرف).")
    return tuple(values)


def _range_param(args, name: str = "troops") -> str:
    """``troops=low-high``; or, from the range control, the min/max fields when the "other
    range" choice (``troops=custom``) is ticked or no choice was sent with them; ``troops=any``
    (the "all" choice) is no range."""
    value = args.get(name, "").strip()
    low_key, high_key = f"{name}_min", f"{name}_max"
    if value == ANY:
        return ""
    if value == CUSTOM or (not value and (low_key in args or high_key in args)):
        low, high = args.get(low_key, "").strip(), args.get(high_key, "").strip()
        for v in (low, high):
            if v and not (v.isascii() and v.isdigit() and len(v) <= 9):
                raise ParamError(f"{_PARAM_NAMES[name]}: يجب أن يكون الحد عددًا صحيحًا: {v!r}.")
        value = f"{int(low) if low else ''}-{int(high) if high else ''}"
        if value == "-":
            return ""
    elif not value:
        return ""
    low_n, high_n = range_bounds(value, name)
    return f"{'' if low_n is None else low_n}-{'' if high_n is None else high_n}"


def _date_param(args) -> str:
    """``date=from..to``, or the from/to month form fields when the form sent them."""
    if "date_from" in args or "date_to" in args:
        start, end = args.get("date_from", "").strip(), args.get("date_to", "").strip()
        if not start and not end:
            return ""
        value = start if start == end else f"{start}..{end}"
    else:
        value = args.get("date", "").strip()
        if not value:
            return ""
    date_bounds(value)
    return value


def since_param(value: str) -> str:
    """``since=`` in its canonical form (UTC, milliseconds), or '' when absent."""
    value = value.strip()
    if not value:
        return ""
    try:
        canonical = arrival.canonical(value)
    except (ValueError, OverflowError):
        raise ParamError(f"وقت الوصول غير صالح: {value[:40]!r}؛ الصيغة مثل 2026-11-21T14:05:03.120Z "
                         "أو 2026-11-21.") from None
    # Years outside 1000-9998 have no four-digit canonical form, and "after" them overflows.
    year = canonical.split("-", 1)[0]
    if not (year.isdigit() and 1000 <= int(year) <= MAX_YEAR):
        shown = f"{int(year):04d}" if year.isdigit() else year[:6]
        raise ParamError(f"وقت الوصول غير صالح: السنة {shown} خارج النطاق الممكن (1000–{MAX_YEAR}).")
    return canonical


def range_bounds(value: str, name: str = "troops") -> tuple[int | None, int | None]:
    """'1000-' -> (1000, None); '100-999' -> (100, 999); '-99' -> (None, 99)."""
    m = _TROOPS.match(value)
    title = _PARAM_NAMES[name]
    if not m or value == "-":
        raise ParamError(f"نطاق {title} غير صالح: {value!r}؛ الصيغة مثل 1000- أو 100-999.")
    low = int(m.group(1)) if m.group(1) else None
    high = int(m.group(2)) if m.group(2) else None
    if low is not None and high is not None and low > high:
        raise ParamError(f"نطاق {title} مقلوب: {value!r} (الحد الأدنى أكبر من الأعلى).")
    return low, high


def troops_bounds(value: str) -> tuple[int | None, int | None]:
    return range_bounds(value, "troops")


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
        _checked(y, 1, 1)
        return f"{y:04d}-12-31T23:59:59"
    m = parts[1]
    if len(parts) == 2:
        _checked(y, m, 1)
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        return f"{date.fromordinal(nxt.toordinal() - 1).isoformat()}T23:59:59"
    return f"{_checked(y, m, parts[2]).isoformat()}T23:59:59"


def _checked(y: int, m: int, d: int) -> date:
    # The end of a period is computed from the start of the next one: 9999-12 has none.
    if not 1 <= y <= MAX_YEAR:
        raise ParamError(f"السنة {y:04d} خارج النطاق الممكن (0001–{MAX_YEAR}).")
    try:
        return date(y, m, d)
    except ValueError:
        raise ParamError(f"تاريخ غير موجود: {y:04d}-{m:02d}-{d:02d} (الصيغة سنة-شهر-يوم، مثل 2014-06-30).") from None


# ---- labels shared by chips, facets and the JSON twin ----------------------------------------
def _value_label(facet: str, value: str) -> str:
    if facet == "country":
        return country_name(value)
    return outlet_name(value) if facet == "source" else value


def troops_label(value: str) -> str:
    return range_label(value, "troops")


def range_label(value: str, name: str = "troops") -> str:
    """Arabic label of a troops / casualties range: a fixed bucket's own label, else 'من … إلى …'."""
    for b in RANGE_BUCKETS[name]:
        if b.key == value:
            return b.label
    low, high = range_bounds(value, name)
    if high is None:
        return f"{low:,} فأكثر"
    if low is None:
        return f"حتى {high:,}"
    return f"{low:,}–{high:,}" if low != high else f"{low:,}"


def since_label(value: str) -> str:
    """'2026-11-21T14:05:03.120Z' -> '21 نوفمبر 2026 14:05 (UTC)'."""
    from web.formatting import day_label

    return f"{day_label(value)} {value[11:16]} (UTC)"


def date_label(value: str) -> str:
    """'2014-06..2014-12' -> 'يونيو 2014 – ديسمبر 2014'."""
    from web.formatting import period_label

    if ".." not in value:
        return period_label(value)
    start, end = value.split("..", 1)
    if not end:
        return f"منذ {period_label(start)}"
    if not start:
        return f"حتى {period_label(end)}"
    return f"{period_label(start)} – {period_label(end)}"


def facet_title(name: str) -> str:
    """Arabic name of a URL parameter or facet."""
    return _PARAM_NAMES.get(name) or FACETS[name].title
