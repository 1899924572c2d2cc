"""Display names of countries from CLDR (via Babel)."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale


@lru_cache(maxsize=16)
def _territories(locale: str) -> dict:
    return dict(Locale.parse(locale).territories)


def country_label(code: str, locale: str = "ar") -> str:
    """CLDR display name of an ISO 3166-1 alpha-2 code (the code itself if unknown)."""
    return _territories(locale).get(code.upper(), code.upper())
