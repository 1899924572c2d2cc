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
