"""The optional compiled core and the switch between it and the pure-Python code.

``search.analysis._speedups`` (C, ``_speedups.c``) is built by ``pip install`` when a C
compiler is present and skipped otherwise (``setup.py``). It holds no data and composes no
analysis chain: the chains stay in ``definition.py`` and the Python analyzer hands every
table to it, so both implementations produce identical output (``tests/`` run the analysis,
parity, relevance and extraction suites on both; ``bench/check_analysis.py`` compares them
over a whole corpus).

The compiled core is used when it was built, unless the environment sets
``SEARCH_PURE_PYTHON=1``. Tests and benchmarks switch at run time::

    from search.analysis import speedups
    speedups.active()     # "compiled" or "pure-python"
    speedups.describe()   # the line `indexer stats` prints
    speedups.use("pure")  # or "compiled", or None for the default
"""
from __future__ import annotations

import importlib
import os
from collections.abc import Callable

API_VERSION = 1  # must equal _speedups.API_VERSION: a stale build is ignored
ENV = "SEARCH_PURE_PYTHON"

try:
    _built = importlib.import_module(f"{__package__}._speedups")
except ModuleNotFoundError:
    _built, _missing = None, "not built: no C compiler when the package was installed"
except ImportError as exc:  # built for another Python, or damaged
    _built, _missing = None, f"not loadable: {exc}"
else:
    _missing = None
    if getattr(_built, "API_VERSION", None) != API_VERSION:
        _built, _missing = None, "built from another version of the code: reinstall (make install)"

core = None  # the active compiled module, or None: pure Python
_choice: str | None = None
_listeners: list[Callable[[], None]] = []


def _env_forces_pure() -> bool:
    return os.environ.get(ENV, "").strip().lower() not in ("", "0", "false", "no")


def available() -> bool:
    """Whether the compiled core was built (and matches this code)."""
    return _built is not None


def unavailable_reason() -> str | None:
    return _missing


def active() -> str:
    """``"compiled"`` or ``"pure-python"``."""
    return "compiled" if core is not None else "pure-python"


def describe() -> str:
    """Which implementation runs, and why (for ``indexer stats``)."""
    if core is not None:
        return "compiled (C extension search.analysis._speedups)"
    if _built is None:
        return f"pure-python (compiled core {_missing})"
    if _choice == "pure":
        return "pure-python (switched at run time)"
    return f"pure-python (forced by {ENV}=1)"


def use(impl: str | None) -> None:
    """Run ``"compiled"``, ``"pure"``, or (None) the default: compiled if built, unless
    SEARCH_PURE_PYTHON is set. Analyzers and caches built before are dropped."""
    global core, _choice
    if impl is None:
        new = None if _env_forces_pure() else _built
    elif impl == "compiled":
        if _built is None:
            raise RuntimeError(f"the compiled analysis core is {_missing}")
        new = _built
    elif impl == "pure":
        new = None
    else:
        raise ValueError(f"unknown implementation {impl!r}: 'compiled', 'pure' or None")
    core, _choice = new, impl
    for listener in _listeners:
        listener()


def on_switch(listener: Callable[[], None]) -> Callable[[], None]:
    """Register a function that drops state built for the previous implementation."""
    _listeners.append(listener)
    return listener


use(None)
