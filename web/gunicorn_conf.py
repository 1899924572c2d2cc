"""gunicorn settings for ``make run``, the Docker image and any production start.

    gunicorn -c python:web.gunicorn_conf

Everything comes from the environment (README, "Configuration"): ``HOST``/``PORT`` (or
``GUNICORN_BIND``), ``GUNICORN_WORKERS`` (default: one per core, at least 2),
``GUNICORN_THREADS`` (default 4 per worker), ``SEARCH_REQUEST_TIMEOUT`` (seconds, default 30).
Logs go through ``web.logs`` (plain text or JSON lines, private by default).
"""
from __future__ import annotations

import os

from web import logs


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}")
    return value


def default_workers(cores: int | None = None) -> int:
    """One process per core (search is CPU-bound Python), never fewer than 2 so one slow
    request cannot stall the server; threads inside each absorb waiting (I/O, Elasticsearch)."""
    cores = cores or os.cpu_count() or 1
    return max(2, cores)


wsgi_app = "app:create_app()"
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = _int("GUNICORN_WORKERS", default_workers())
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"
# A worker whose main loop is stuck this long (a runaway request holding it) is killed and
# replaced; each search's own work is bounded by the query limits (and, on Elasticsearch,
# by the same time limit sent with the request: ES_SEARCH_TIMEOUT).
timeout = _int("SEARCH_REQUEST_TIMEOUT", 30)
# On SIGTERM/SIGINT (Ctrl-C, docker stop): stop accepting, finish requests in flight, exit.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = 5
# Load the app once, before forking: a broken configuration fails at start, not per worker,
# and the workers share the loaded code's memory.
preload_app = True
# Bounded request lines and headers (gunicorn's defaults, stated): no unbounded input.
limit_request_line = 8190
limit_request_fields = 100
# Request lines are written by the app (web.logs: timed, without query text).
accesslog = None
errorlog = "-"
logconfig_dict = logs.logging_config()
proc_name = "arabic-news-search"
# gunicorn 25+ opens a control socket in the user's home by default: one path shared by
# every server of that user (two archives, a test run beside `make run`) and a way to stop
# workers that nobody here uses. Off unless an operator names a path.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def when_ready(server) -> None:
    """In the master, after the preloaded app and before the workers fork: warm it once."""
    from web.warmup import warm_up

    warm_up(server.app.wsgi())
