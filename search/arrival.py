"""Arrival time: when a document first entered the archive (UTC, millisecond precision).

One textual form everywhere outside the engines: ``2026-11-21T14:05:03.120Z``. It sorts
lexicographically in time order, Elasticsearch reads it as a ``date``, and the embedded
engine stores it as integer milliseconds (tantivy's date columns keep only seconds).
"""
from __future__ import annotations

import datetime as dt
import threading
import time

MAX_TEXT = 40  # longest since= value accepted before parsing


def from_ms(ms: int) -> str:
    when = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def to_ms(text: str) -> int:
    """Milliseconds since the epoch of an ISO date or datetime (naive means UTC); ValueError if not one."""
    if not text or len(text) > MAX_TEXT:
        raise ValueError("not a timestamp")
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return int(when.timestamp() * 1000 + (0.5 if when.timestamp() >= 0 else -0.5))


def canonical(text: str) -> str:
    """The one textual form of a timestamp (ValueError if ``text`` is not one)."""
    return from_ms(to_ms(text))


class Clock:
    """Arrival stamps for one writer: now, but strictly increasing across calls.

    Each batch that becomes visible separately gets its own, later stamp, so "arrived
    after the newest arrival I saw" never skips a document made visible afterwards.
    """

    def __init__(self):
        self._last = 0
        self._lock = threading.Lock()

    def stamp(self) -> str:
        with self._lock:
            self._last = max(self._last + 1, int(time.time() * 1000))
            return from_ms(self._last)


CLOCK = Clock()
