"""A native library's panic answers as a server error, like any other bug.

tantivy's bindings turn a Rust panic into pyo3's ``PanicException``, which derives from
``BaseException``: Flask's error handling catches ``Exception`` only, so without this the
client would get no answer at all and the server thread would unwind. Such a panic is a bug
(the query planner must never build what the engine refuses); the page says so and the log
gets the traceback, without query text (web/logs.py).
"""
from __future__ import annotations

from flask import Flask


class EnginePanic(RuntimeError):
    """A panic raised by native code while answering a request."""


def guard_panics(app: Flask) -> None:
    """Make every view's native panics ordinary exceptions (then the 500 handler answers)."""
    dispatch = app.dispatch_request

    def dispatch_request():
        try:
            return dispatch()
        except (Exception, KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - native panics only reach here
            raise EnginePanic(type(exc).__name__) from exc

    app.dispatch_request = dispatch_request
