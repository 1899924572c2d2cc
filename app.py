"""Flask application factory: ``flask --app app run`` serves the search UI and its JSON twin."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from search.backends import DEFAULT_INDEX, open_backend
from search.cache import DEFAULT_MAX_MB as DEFAULT_CACHE_MB
from search.cache import CachedBackend


def create_app(config: dict | None = None) -> Flask:
    """Build the app; configuration comes from the environment, then ``config`` overrides."""
    from web import logs

    logs.configure()  # once per process: plain/JSON lines, private by default (web/logs.py)
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config.update(
        SEARCH_BACKEND=os.environ.get("SEARCH_BACKEND", "tantivy"),
        SEARCH_INDEX=os.environ.get("SEARCH_INDEX", DEFAULT_INDEX),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=64 * 1024,
        SEARCH_CACHE_MB=os.environ.get("SEARCH_CACHE_MB", DEFAULT_CACHE_MB),
    )
    app.config.update(config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _local_secret(app.config["SEARCH_INDEX"])
    app.json.ensure_ascii = False
    app.extensions["search_backend"] = open_backend(app.config["SEARCH_BACKEND"], app.config["SEARCH_INDEX"])
    app.extensions["search_cached"] = CachedBackend(app.extensions["search_backend"],
                                                    int(float(app.config["SEARCH_CACHE_MB"]) * 1024 * 1024))

    from web import register

    register(app)
    return app


def _local_secret(index: str) -> str:
    """A per-installation secret kept beside the index, so sessions survive restarts."""
    path = Path(index).parent / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        os.chmod(path, 0o600)
        return key


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
