"""The operator's one privacy switch for logs: SEARCH_LOG_QUERIES (off by default).

Journalists' queries are sensitive: unless it is on, no log line carries query text, facet
values, saved-search names or document ids (web/logs.py; README, "Configuration").
"""
from __future__ import annotations

import os


def log_queries(environ=None) -> bool:
    """Whether the operator turned query logging on (``SEARCH_LOG_QUERIES=1``)."""
    env = os.environ if environ is None else environ
    return env.get("SEARCH_LOG_QUERIES", "").strip().lower() in ("1", "true", "yes", "on")
