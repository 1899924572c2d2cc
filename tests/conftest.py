"""Shared fixtures: a real tantivy index over the seed articles and the real Flask app."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
SAUDI = SHARED / "data" / "saudinewsnet"


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory) -> Path:
    """The seeds indexed once by the real `indexer reindex` command."""
    from indexer.cli import main

    root = tmp_path_factory.mktemp("seeds-index")
    result = CliRunner().invoke(main, ["reindex", str(SEEDS), "--index", str(root), "--workers", "0", "-q"])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="session")
def app(seeds_index):
    from app import create_app

    return create_app({"SEARCH_INDEX": str(seeds_index), "TESTING": True, "SECRET_KEY": "test-secret",
                       "WTF_CSRF_ENABLED": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def backend(seeds_index):
    from search.backends.tantivy_backend import TantivyBackend

    return TantivyBackend(seeds_index)


# Suites that run on both implementations of the analysis core: the compiled C extension
# and the pure-Python fallback it must agree with exactly (search/analysis/speedups.py).
# Without a compiler the compiled half is skipped with the reason, and the suites still
# run on pure Python.
BOTH_IMPLEMENTATIONS = {
    "test_analysis_lucene_parity", "test_analysis_plus", "test_relevance_set", "test_highlight",
    "test_extract_countries", "test_extract_orgs", "test_extract_troops", "test_extract_scores",
    "test_extract_cli",
}


def pytest_report_header(config):
    from search.analysis import speedups

    return f"analysis core: {speedups.describe()}"


def pytest_generate_tests(metafunc):
    if metafunc.module.__name__.rpartition(".")[2] in BOTH_IMPLEMENTATIONS:
        metafunc.parametrize("analysis_impl", ["compiled", "pure"], indirect=True)


@pytest.fixture(autouse=True)
def analysis_impl(request):
    """The implementation a test of BOTH_IMPLEMENTATIONS runs on (None elsewhere: the default).

    The environment switch is set too, so that subprocesses run on the same one."""
    impl = getattr(request, "param", None)
    if impl is None:
        yield None
        return
    import os

    from search.analysis import speedups

    if impl == "compiled" and not speedups.available():
        pytest.skip(f"compiled analysis core {speedups.unavailable_reason()}; this suite runs on pure Python only")
    old = os.environ.get(speedups.ENV)
    if impl == "pure":
        os.environ[speedups.ENV] = "1"
    else:
        os.environ.pop(speedups.ENV, None)
    speedups.use(impl)
    try:
        yield impl
    finally:
        if old is None:
            os.environ.pop(speedups.ENV, None)
        else:
            os.environ[speedups.ENV] = old
        speedups.use(None)
