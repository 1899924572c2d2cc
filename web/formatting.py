"""Arabic display of dates and numbers (Babel CLDR), registered as Jinja filters."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_skeleton

_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@lru_cache(maxsize=4096)
def period_label(period: str) -> str:
    """'2014' -> '2014'; '2014-06' -> 'يونيو 2014'; '2014-06-10' -> '10 يونيو 2014'."""
    parts = period.split("-")
    try:
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            return format_skeleton("yMMMM", date(int(parts[0]), int(parts[1]), 1), locale="ar")
        return format_date(date(*map(int, parts[:3])), "d MMMM y", locale="ar")
    except ValueError:
        return period


def day_label(iso: str | None) -> str:
    """The day of an ISO date or datetime, in Arabic ('' when unknown)."""
    if not iso:
        return ""
    m = _ISO_DAY.match(iso)
    return period_label(m.group(0)) if m else iso


@lru_cache(maxsize=4096)
def short_month(period: str) -> str:
    """'2014-06' -> 'يونيو' (histogram tick)."""
    try:
        y, m = period.split("-")[:2]
        return format_skeleton("MMM", date(int(y), int(m), 1), locale="ar")
    except ValueError:
        return period


def number(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


# Counted nouns: the form Arabic grammar asks for after a number (CLDR plural categories:
# 3-10 take the plural, 11-99 the accusative singular, 100, 1,000 ... the singular). "alone"
# is what one and two read as without a digit ("مقال واحد", "مقالان"). Only the dual changes
# with the case: after a preposition or as the object of a verbal noun ("في قصتين"، "من
# سطرين"، "لعرض مقالين") it is genitive: ``case="genitive"``.
NOUNS = {
    "article": {"one": "مقال", "two": "مقالان", "few": "مقالات", "many": "مقالًا", "other": "مقال", "alone": "مقال واحد"},
    "story": {"one": "قصة", "two": "قصتان", "few": "قصص", "many": "قصة", "other": "قصة", "alone": "قصة واحدة"},
    "version": {"one": "نسخة", "two": "نسختان", "few": "نسخ", "many": "نسخة", "other": "نسخة", "alone": "نسخة واحدة"},
    "value": {"one": "قيمة", "two": "قيمتان", "few": "قيم", "many": "قيمة", "other": "قيمة", "alone": "قيمة واحدة"},
    "line": {"one": "سطر", "two": "سطران", "few": "أسطر", "many": "سطرًا", "other": "سطر", "alone": "سطر واحد"},
    "page": {"one": "صفحة", "two": "صفحتان", "few": "صفحات", "many": "صفحة", "other": "صفحة", "alone": "صفحة واحدة"},
}
# The dual after a preposition (genitive): "في قصتين".
TWO_GENITIVE = {"article": "مقالين", "story": "قصتين", "version": "نسختين", "value": "قيمتين", "line": "سطرين",
                "page": "صفحتين"}
_PLURAL = Locale.parse("ar").plural_form


def noun(n: int | None, kind: str, case: str = "") -> str:
    """The noun after a number shown apart: 1 مقال، 2 مقالان (genitive: مقالين)، 5 مقالات، 11 مقالًا، 100 مقال."""
    forms = NOUNS[kind]
    category = _PLURAL(abs(int(n or 0)))
    if category == "two" and case == "genitive":
        return TWO_GENITIVE[kind]
    return forms.get(category, forms["other"])


def counted(n: int | None, kind: str, case: str = "") -> str:
    """A count in words as Arabic writes it: 'مقال واحد', 'مقالان' (genitive: 'مقالين'), '5 مقالات', '1,736 مقالًا'."""
    category = _PLURAL(abs(int(n or 0)))
    if category == "one":
        return NOUNS[kind]["alone"]
    if category == "two":
        return noun(n, kind, case)
    return f"{number(n or 0)} {noun(n, kind)}"


# "lacking" with its object pronoun agreeing with the counted articles: one article
# (masculine) تنقصه, two تنقصهما, more (a non-human plural) تنقصها.
_LACKING = {"one": "تنقصه", "two": "تنقصهما"}


def lacking(n: int | None) -> str:
    """The verb after a count of articles lacking a word: 'مقال واحد تنقصه', 'مقالان تنقصهما'."""
    return _LACKING.get(_PLURAL(abs(int(n or 0))), "تنقصها")


def shown(n: int | None) -> str:
    """"Are shown" agreeing with the counted articles that follow it: 'يُعرض مقال واحد',
    'يُعرض مقالان', 'تُعرض 5 مقالات' (a plural of things), 'يُعرض 11 مقالًا'."""
    return "تُعرض" if _PLURAL(abs(int(n or 0))) == "few" else "يُعرض"


def first_words(text: str, n: int = 12) -> str:
    """The first ``n`` words of a text, with an ellipsis when cut (titles of untitled articles)."""
    words = (text or "").split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ـ": None})


def fold(text: str) -> str:
    """Loose form for matching facet values: no diacritics, unified alef/ya/ta marbuta, lower case."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(ch))
    return " ".join(text.translate(_FOLD).casefold().split())

