"""Search backends: one module per engine behind the interface in ``base``."""
from __future__ import annotations

import os

from search.backends.base import Backend, BackendError

DEFAULT_INDEX = "var/index"


def open_backend(name: str | None = None, index: str | None = None, **options) -> Backend:
    """Open the configured backend (``SEARCH_BACKEND``: tantivy by default, or elasticsearch)."""
    name = (name or os.environ.get("SEARCH_BACKEND") or "tantivy").lower()
    if name == "tantivy":
        from search.backends.tantivy_backend import TantivyBackend

        return TantivyBackend(index or os.environ.get("SEARCH_INDEX") or DEFAULT_INDEX)
    if name in ("elasticsearch", "es"):
        from search.backends.elasticsearch_backend import ElasticsearchBackend

        return ElasticsearchBackend.from_env(**options)
    raise BackendError(f"unknown backend {name!r} (expected tantivy or elasticsearch)")


__all__ = ["Backend", "BackendError", "open_backend", "DEFAULT_INDEX"]
