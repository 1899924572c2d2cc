"""Warm a server process before it answers anyone.

The first search of a fresh process otherwise pays for what every later one shares: the
live index's vocabulary (did-you-mean; ~1 s on SaudiNewsNet), the analysis word lists and
caches, the index readers. gunicorn loads the app once and calls this before forking its
workers (``web/gunicorn_conf.py``), so the workers start warm and share those pages.
"""
from __future__ import annotations

import logging
import time

from search.model import SearchRequest
from search.query import parse

log = logging.getLogger(__name__)

# Any ordinary word runs the whole path (analysis of the query, search, facets, highlighting).
WARM_QUERY = "الموصل"


def warm_up(app) -> float | None:
    """Load what the first search would; returns the seconds it took, None when skipped.

    Never fatal: a server whose index is missing or whose cluster is not up yet still
    starts and reports those errors per request, as without the warm-up."""
    backend = app.extensions["search_backend"]
    start = time.perf_counter()
    try:
        if not backend.exists():
            return None
        backend.vocabulary()
        backend.search(SearchRequest(parse(WARM_QUERY).tree))
    except Exception as exc:  # noqa: BLE001 - see the docstring
        log.warning("warm-up skipped: %s", type(exc).__name__)
        return None
    took = time.perf_counter() - start
    log.info("warmed up in %.2f s", took)
    return took
