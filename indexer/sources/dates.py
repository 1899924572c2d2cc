"""Parse the date formats found in news archives into ISO 'YYYY-MM-DD[THH:MM:SS]'.

Time zones are dropped, not converted: the publisher's wall-clock day is what a journalist
filters on. Numeric dates without a leading year are read day-first (Arab and European
usage) unless only month-first makes sense ('07/21/2015').
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from functools import lru_cache
from importlib import resources

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_FOLD = str.maketrans("أإآىة", "اايية")
_TIME = r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?)?"
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME)
_COMPACT = re.compile(r"((?:19|20)\d{2})(\d{2})(\d{2})(?:T?(\d{2}):?(\d{2}):?(\d{2}))?(?!\d)")
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?m\b)?", re.I)
_YEAR = re.compile(r"(?<![\d:])((?:19|20)\d{2})(?![\d:])")
_DAY = re.compile(r"(?<![\d:])(\d{1,2})(?![\d:])")
_EPOCH_SECONDS = (1e8, 1e10)  # 1973 .. 2286; milliseconds are 1000x that


def _load_months() -> tuple[re.Pattern, dict[str, int]]:
    table = json.loads(resources.files(__package__).joinpath("data/months.json").read_text("utf-8"))
    names = {_fold(n): int(m) for m, ns in table.items() if not m.startswith("_") for n in ns}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:ال)?({alternatives})(?!\w)"), names


def _fold(text: str) -> str:
    return text.lower().translate(_FOLD)


_MONTH, _MONTHS = _load_months()


def parse_date(value) -> str | None:
    """ISO date or datetime for a date-like value, or None when it cannot be read."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_epoch(value)
    if not isinstance(value, str):
        return None
    return _parse_text(value[:200])


@lru_cache(maxsize=8192)
def _parse_text(text: str) -> str | None:
    text = text.translate(_DIGITS).strip()
    if not text:
        return None
    try:  # fast path: ISO 8601, the common case
        if len(text) <= 10:
            return date.fromisoformat(text).isoformat()
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo or parsed.microsecond:
            parsed = parsed.replace(tzinfo=None, microsecond=0)
        return parsed.isoformat()
    except ValueError:
        pass
    if text.isdigit() and len(text) >= 9:
        return _from_epoch(int(text))
    for pattern in (_YMD, _DMY, _COMPACT):
        m = pattern.match(text)
        if m:
            year, month, day = (int(g) for g in m.groups()[:3])
            if pattern is _DMY:
                day, year = year, day
                if month > 12 >= day:
                    day, month = month, day
            return _iso(year, month, day, *m.groups()[3:])
    return _parse_words(text)


def _parse_words(text: str) -> str | None:
    """Dates written with a month name: 'Tue, 21 Jul 2015 02:51', '21 يوليو 2015', 'July 21, 2015'."""
    folded = _fold(text)
    month = _MONTH.search(folded)
    year = _YEAR.search(folded)
    if not month or not year:
        return None
    rest = folded[:month.start()] + " " * (month.end() - month.start()) + folded[month.end():]
    clock = _CLOCK.search(rest)
    if clock:
        rest = rest[:clock.start()] + " " * (clock.end() - clock.start()) + rest[clock.end():]
    days = [d for d in _DAY.finditer(rest) if not year.start() <= d.start() < year.end()]
    if not days:
        return None
    hour = minute = second = None
    if clock:
        hour, minute, second = clock.group(1), clock.group(2), clock.group(3)
        if clock.group(4):
            hour = str(int(hour) % 12 + (12 if clock.group(4).lower() == "p" else 0))
    return _iso(int(year.group(1)), _MONTHS[month.group(1)], int(days[0].group(1)), hour, minute, second)


def _iso(year: int, month: int, day: int, hour=None, minute=None, second=None) -> str | None:
    try:
        if hour is None:
            return datetime(year, month, day).date().isoformat()
        return datetime(year, month, day, int(hour), int(minute), int(second or 0)).isoformat()
    except ValueError:
        return None


def _from_epoch(value: float) -> str | None:
    low, high = _EPOCH_SECONDS
    if low * 1000 <= value < high * 1000:
        value /= 1000
    if not low <= value < high:
        return None
    return datetime.fromtimestamp(int(value), timezone.utc).replace(tzinfo=None).isoformat()
