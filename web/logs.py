"""Server logs: plain text or JSON lines, one timed line per request, private by default.

Journalists' queries are sensitive (sources, investigations), so by default no log line
carries query text, facet values, saved-search names or document ids: the request line
names the matched route (``/doc/<path:doc_id>``), never the path or the query string, and
every other message written while a request is handled has that request's parameter values
and path replaced by ``[redacted]`` (gunicorn's and werkzeug's own messages too).
``SEARCH_LOG_QUERIES=1`` turns the full paths and query strings on, for debugging.

Environment: ``SEARCH_LOG_FORMAT`` (``text`` or ``json``), ``SEARCH_LOG_FILE`` (default:
standard error), ``SEARCH_LOG_LEVEL`` (``INFO``), ``SEARCH_LOG_QUERIES`` (``0``). Lines never
carry terminal colour codes.
"""
from __future__ import annotations

import json
import logging
import logging.config
import os
import re
import time

from search.privacy import log_queries

ACCESS_LOGGER = "search.access"
REDACTED = "[redacted]"
# Parameters whose values say nothing about what was searched for.
PUBLIC_PARAMS = frozenset({"page", "sort", "expand", "versions", "format"})
_QUERY_STRING = re.compile(r"\?[^\s\"'<>]*")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_HANDLER_NAME = "search-log"


def _request_secrets() -> list[str]:
    """The current request's sensitive strings (longest first), or [] outside a request."""
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover - flask is a dependency
        return []
    if not has_request_context():
        return []
    values = {request.full_path.rstrip("?"), request.path, request.query_string.decode("latin-1")}
    try:
        for source in (request.args, request.form if request.method == "POST" else {}):
            for key, value in source.items(multi=True):
                if key not in PUBLIC_PARAMS:
                    values.add(value)
    except Exception:  # an unparsable or oversized body: the query string is still covered
        pass
    for value in (request.view_args or {}).values():
        values.add(str(value))
    rule = request.url_rule.rule if request.url_rule is not None else None
    # The route's own path ("/search") is not secret; one-letter values would shred the line.
    return sorted((v for v in values if v and len(v) >= 2 and v != rule and not v.isdigit()), key=len, reverse=True)


def redact(text: str, secrets: list[str] | None = None) -> str:
    """``text`` without the current request's parameter values and without any query string."""
    for value in _request_secrets() if secrets is None else secrets:
        if value in text:
            text = text.replace(value, REDACTED)
    return _QUERY_STRING.sub("?" + REDACTED, text)


class TextFormatter(logging.Formatter):
    """``time level logger message``; redacted unless SEARCH_LOG_QUERIES=1; no colour codes."""

    def __init__(self, fmt="%(asctime)s %(levelname)s %(name)s %(message)s", datefmt=None, *,
                 private: bool | None = None):
        super().__init__(fmt, datefmt)
        self.private = (not log_queries()) if private is None else private

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        if not self.private:
            return _ANSI.sub("", super().format(record))
        # Only the message and the traceback carry request data: a short value ("-1", "12",
        # "search") must not shred the time, the level or the logger's name.
        msg, args, exc_text = record.msg, record.args, record.exc_text
        record.msg, record.args = self._private_message(record), None
        if record.exc_info and not exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        try:
            return _ANSI.sub("", super().format(record))
        finally:
            record.msg, record.args, record.exc_text = msg, args, exc_text

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging's name
        text = super().formatStack(stack_info)
        return redact(text) if self.private else text

    @staticmethod
    def _private_message(record: logging.LogRecord, secrets: list[str] | None = None) -> str:
        text = _ANSI.sub("", record.getMessage())
        if record.name == ACCESS_LOGGER:
            # Method, route pattern, status, time and size: nothing from the request itself.
            return _QUERY_STRING.sub("?" + REDACTED, text)
        return redact(text, secrets)


class JsonFormatter(TextFormatter):
    """One JSON object per line: ts, level, logger, msg, request fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        secrets = _request_secrets() if self.private else []
        msg = self._private_message(record, secrets) if self.private else _ANSI.sub("", record.getMessage())
        out = {"ts": self.formatTime(record), "level": record.levelname, "logger": record.name, "msg": msg}
        for key in ("method", "route", "status", "ms", "bytes"):
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            exc = self.formatException(record.exc_info)
            out["exc"] = redact(exc, secrets) if self.private else exc
        return json.dumps(out, ensure_ascii=False)


class _WerkzeugRequestLines(logging.Filter):
    """Drops the development server's own request lines (the app writes a timed, private one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and '"%s" %s %s' in record.msg)


def logging_config(environ=None) -> dict:
    """A ``logging.config.dictConfig`` for the app, gunicorn and werkzeug (one handler)."""
    env = os.environ if environ is None else environ
    fmt = env.get("SEARCH_LOG_FORMAT", "text").strip().lower() or "text"
    if fmt not in ("text", "json"):
        raise ValueError(f"SEARCH_LOG_FORMAT must be text or json, not {fmt!r}")
    level = env.get("SEARCH_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    path = env.get("SEARCH_LOG_FILE", "").strip()
    handler: dict = {"formatter": fmt, "filters": ["werkzeug_requests"]}
    if path:
        handler.update({"class": "logging.handlers.WatchedFileHandler", "filename": path, "encoding": "utf-8"})
    else:
        handler.update({"class": "logging.StreamHandler", "stream": "ext://sys.stderr"})
    own = {"handlers": [_HANDLER_NAME], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"text": {"()": TextFormatter}, "json": {"()": JsonFormatter}},
        "filters": {"werkzeug_requests": {"()": _WerkzeugRequestLines}},
        "handlers": {_HANDLER_NAME: handler},
        "root": {"handlers": [_HANDLER_NAME], "level": level},
        # gunicorn's own loggers: the access log stays off (the app writes request lines).
        "loggers": {"gunicorn.error": own, "gunicorn.access": {**own, "level": "CRITICAL"},
                    "werkzeug": own},
    }


def configure(environ=None) -> None:
    """Install the logging configuration once per process (idempotent)."""
    root = logging.getLogger()
    if any(getattr(h, "name", None) == _HANDLER_NAME for h in root.handlers):
        return
    try:
        import werkzeug.serving

        werkzeug.serving._log_add_style = False  # the dev server's ANSI colours
    except (ImportError, AttributeError):  # pragma: no cover
        pass
    logging.config.dictConfig(logging_config(environ))


def init_app(app) -> None:
    """Time every request and write one access line when its response is finished."""
    from flask import g, request

    access = logging.getLogger(ACCESS_LOGGER)
    full = log_queries()

    @app.before_request
    def _start_timer():
        g.log_started = time.perf_counter()

    @app.after_request
    def _log_when_sent(response):
        started = g.get("log_started", time.perf_counter())
        method = request.method
        if full:
            route = request.full_path.rstrip("?")
        else:
            route = request.url_rule.rule if request.url_rule is not None else "-"

        def write():
            ms = round((time.perf_counter() - started) * 1000, 1)
            size = response.calculate_content_length()
            access.info("%s %s %s %.1fms %sB", method, route, response.status_code, ms,
                        "-" if size is None else size,
                        extra={"method": method, "route": route, "status": response.status_code, "ms": ms,
                               "bytes": size})

        if response.is_streamed and not response.direct_passthrough:
            # A streamed export: written when the last byte is sent, so the time is the whole request.
            response.call_on_close(write)
        else:  # the body is ready (files are passed straight through and never "closed")
            write()
        return response
