"""The production server: `make run`'s index reuse, gunicorn, and private, colourless logs.

The servers run for real in subprocesses (gunicorn with web/gunicorn_conf.py, and Flask's
development server) over an index of the seeds; requests carry a distinctive query, facet
value and document id, which must be absent from the log file by default and present with
SEARCH_LOG_QUERIES=1.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ANSI = re.compile(r"\x1b\[")
SECRET_Q = "تحقيقسري٧٣"  # a distinctive query: a made-up word
SECRET_ORG = "مصدرمجهول"


# ---- make run: reuse the index when nothing changed -----------------------------------------------

def _reindex(args):
    from indexer.cli import main

    return CliRunner().invoke(main, ["reindex", "--workers", "0", "-q", *args], catch_exceptions=False)


def test_if_changed_reuses_the_index_until_a_source_changes(tmp_path):
    from search.backends.tantivy_backend import TantivyBackend

    src = tmp_path / "archive"
    shutil.copytree(ROOT / "seeds", src)
    index = str(tmp_path / "index")
    first = _reindex(["--if-changed", "--index", index, str(src)])
    assert first.exit_code == 0 and "indexed" in first.output
    gens = TantivyBackend(index).gens
    built = gens.current_name()
    assert gens.build_info()["fingerprint"]["sources"]

    again = _reindex(["--if-changed", "--index", index, str(src)])
    assert again.exit_code == 0 and "up to date" in again.output and gens.current_name() == built

    article = sorted(src.glob("*.txt"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\nفقرة مضافة.", encoding="utf-8")
    changed = _reindex(["--if-changed", "--index", index, str(src)])
    assert "indexed" in changed.output and gens.current_name() != built
    rebuilt = gens.current_name()

    (src / "new.txt").write_text("مقال جديد عن الموصل.", encoding="utf-8")  # a file added
    assert "indexed" in _reindex(["--if-changed", "--index", index, str(src)]).output
    assert gens.current_name() != rebuilt
    rebuilt = gens.current_name()

    forced = _reindex(["--index", index, str(src)])  # make reindex: always
    assert "indexed" in forced.output and gens.current_name() != rebuilt


def test_the_fingerprint_covers_the_indexing_code_and_other_sources(tmp_path):
    from indexer.fingerprint import fingerprint

    src = tmp_path / "a"
    src.mkdir()
    (src / "x.txt").write_text("نص", encoding="utf-8")
    base = fingerprint([str(src)], "tantivy")
    assert fingerprint([str(src)], "tantivy") == base
    assert fingerprint([str(src)], "elasticsearch")["pipeline"] != base["pipeline"]  # another index layout
    other = tmp_path / "b"
    shutil.copytree(src, other)
    assert fingerprint([str(other)], "tantivy")["sources"] != base["sources"]  # other paths
    os.utime(src / "x.txt", ns=(1, 1))
    assert fingerprint([str(src)], "tantivy")["sources"] != base["sources"]  # same size, new mtime


def test_make_run_indexes_if_changed_then_serves_with_gunicorn():
    out = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert "indexer reindex --if-changed seeds" in out
    assert "gunicorn -c python:web.gunicorn_conf" in out and "flask" not in out
    forced = subprocess.run(["make", "-n", "reindex"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert "indexer reindex seeds" in forced and "--if-changed" not in forced


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    import importlib

    import web.gunicorn_conf as conf

    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "2")
    monkeypatch.setenv("SEARCH_REQUEST_TIMEOUT", "12")
    monkeypatch.setenv("PORT", "5099")
    c = importlib.reload(conf)
    assert (c.workers, c.threads, c.timeout, c.bind) == (3, 2, 12, "127.0.0.1:5099")
    assert c.worker_class == "gthread" and c.accesslog is None and c.graceful_timeout > 0
    assert c.default_workers(1) == 2 and c.default_workers(8) == 8
    monkeypatch.setenv("GUNICORN_WORKERS", "0")
    with pytest.raises(SystemExit):
        importlib.reload(conf)
    monkeypatch.delenv("GUNICORN_WORKERS")
    importlib.reload(conf)


# ---- real servers, real logs ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_index(tmp_path_factory):
    from indexer.reindex import reindex
    from search.backends.tantivy_backend import TantivyBackend

    from search.model import SearchRequest
    from search.query import parse

    path = tmp_path_factory.mktemp("serve") / "index"
    backend = TantivyBackend(path)
    assert reindex(backend, [str(ROOT / "seeds")], workers=0).committed
    return path, backend.search(SearchRequest(query=parse("").tree)).hits[0].id


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(kind: str, index: Path, log: Path, **env):
    port = _free_port()
    environ = {**os.environ, "SEARCH_INDEX": str(index), "SEARCH_LOG_FILE": str(log), "SECRET_KEY": "test",
               "PORT": str(port), "HOST": "127.0.0.1", "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "2", **env}
    if kind == "gunicorn":
        cmd = [str(BIN / "gunicorn"), "-c", "python:web.gunicorn_conf"]
    else:
        cmd = [str(BIN / "flask"), "--app", "app", "run", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/static/style.css", timeout=2).read()
            return proc, base
        except (urllib.error.URLError, ConnectionError, OSError):
            if proc.poll() is not None:
                raise AssertionError(f"{kind} exited: {proc.stdout.read().decode(errors='replace')}")
            time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"{kind} did not start")


def _stop(proc) -> str:
    proc.send_signal(signal.SIGTERM)  # graceful shutdown
    try:
        out, _ = proc.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError("the server did not stop gracefully on SIGTERM")
    return out.decode(errors="replace")


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def _requests(base: str, doc_id: str) -> None:
    q = urllib.parse.quote(SECRET_Q)
    assert _get(f"{base}/search?q={q}&org={urllib.parse.quote(SECRET_ORG)}") == 200
    assert _get(f"{base}/api/search?q={q}") == 200
    assert _get(f"{base}/search.csv?q={q}") == 200
    assert _get(f"{base}/doc/{urllib.parse.quote(doc_id)}") == 200
    assert _get(f"{base}/nothing/{q}") == 404


def _secrets(doc_id: str) -> list[str]:
    return [SECRET_Q, urllib.parse.quote(SECRET_Q), SECRET_ORG, urllib.parse.quote(SECRET_ORG), doc_id]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["gunicorn", "flask"])
def test_logs_carry_no_query_facet_or_id_by_default(kind, seed_index, tmp_path):
    index, doc_id = seed_index
    log = tmp_path / "server.log"
    proc, base = _serve(kind, index, log)
    try:
        _requests(base, doc_id)
    finally:
        console = _stop(proc)
    text = log.read_text(encoding="utf-8")
    for secret in _secrets(doc_id):
        assert secret not in text and secret not in console, secret
    assert not ANSI.search(text), "colour codes in the log file"
    lines = [line for line in text.splitlines() if " search.access " in line]
    assert len(lines) >= 5 and all(re.search(r" \d+\.\dms ", line) for line in lines), lines
    assert any("GET /search 200" in line for line in lines)
    assert any("GET /doc/<path:doc_id> 200" in line for line in lines)
    if kind == "gunicorn":
        assert "Handling signal: term" in text  # graceful shutdown, in the same log


@pytest.mark.slow
def test_gunicorn_opens_no_control_socket_unless_asked(seed_index, tmp_path):
    index, _ = seed_index
    home = tmp_path / "home"
    home.mkdir()
    proc, base = _serve("gunicorn", index, tmp_path / "a.log", HOME=str(home))
    try:
        assert _get(base + "/api/search") == 200
        assert not (home / ".gunicorn").exists()  # gunicorn 25+'s default: ~/.gunicorn/gunicorn.ctl
    finally:
        _stop(proc)
    assert "warmed up in" in (tmp_path / "a.log").read_text(encoding="utf-8")  # before forking
    ctl = tmp_path / "ctl.sock"
    proc, base = _serve("gunicorn", index, tmp_path / "b.log", HOME=str(home), GUNICORN_CONTROL_SOCKET=str(ctl))
    try:
        assert _get(base + "/api/search") == 200
        deadline = time.monotonic() + 10
        while not ctl.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ctl.is_socket()  # an operator who names a path gets it
    finally:
        _stop(proc)


@pytest.mark.slow
def test_operators_can_turn_query_logging_on(seed_index, tmp_path):
    index, doc_id = seed_index
    log = tmp_path / "server.log"
    proc, base = _serve("gunicorn", index, log, SEARCH_LOG_QUERIES="1")
    try:
        _requests(base, doc_id)
    finally:
        _stop(proc)
    text = log.read_text(encoding="utf-8")
    assert urllib.parse.quote(SECRET_Q) in text or SECRET_Q in text
    assert doc_id in text or urllib.parse.quote(doc_id) in text


@pytest.mark.slow
def test_json_lines(seed_index, tmp_path):
    index, doc_id = seed_index
    log = tmp_path / "server.log"
    proc, base = _serve("gunicorn", index, log, SEARCH_LOG_FORMAT="json")
    try:
        _requests(base, doc_id)
    finally:
        _stop(proc)
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    access = [r for r in records if r["logger"] == "search.access"]
    assert {r["route"] for r in access} >= {"/search", "/api/search", "/search.csv", "/doc/<path:doc_id>"}
    assert all(isinstance(r["ms"], float) and r["status"] in (200, 404) for r in access)
    assert all(secret not in json.dumps(records, ensure_ascii=False) for secret in _secrets(doc_id))


def test_messages_logged_during_a_request_are_redacted():
    """Not only the request line: anything logged while handling a request loses its values."""
    import logging

    from flask import Flask, request

    from web.logs import JsonFormatter, TextFormatter

    url = f"/search?q={urllib.parse.quote(SECRET_Q)}&org={urllib.parse.quote(SECRET_ORG)}&page=2"
    with Flask(__name__).test_request_context(url):
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "looked up %s (%s) for %s",
                                   (request.args["q"], request.args["org"], request.full_path), None)
        private = TextFormatter(private=True).format(record)
        as_json = JsonFormatter(private=True).format(record)
        full = TextFormatter(private=False).format(record)
    for secret in _secrets("-")[:4]:
        assert secret not in private and secret not in as_json
    assert "[redacted]" in private and "page=2" not in private  # the whole query string goes
    assert SECRET_Q in full and SECRET_ORG in full
    plain = TextFormatter(private=True).format(logging.LogRecord(
        "gunicorn.error", logging.ERROR, __file__, 1, "Error handling request /search?q=%s", (SECRET_Q,), None))
    assert SECRET_Q not in plain  # outside a request too: no query string survives


def test_redaction_leaves_the_time_level_logger_and_request_line_whole():
    """A short parameter value (partial=-1, q=search) must not shred the parts of a line that
    carry no request data: the timestamp, the level, the logger name, the access line."""
    import logging

    from flask import Flask

    from web.logs import ACCESS_LOGGER, JsonFormatter, TextFormatter

    with Flask(__name__).test_request_context("/search?q=search&partial=-1&org=INFO&country=12"):
        warn = logging.LogRecord("search.cache", logging.WARNING, __file__, 1, "miss for search", (), None)
        warn.created, warn.msecs = 1764547200.5, 500.0  # 2025-12-01T00:00:00.500Z: holds "-1" and "12"
        access = logging.LogRecord(ACCESS_LOGGER, logging.INFO, __file__, 1, "%s %s %s %.1fms %sB",
                                   ("GET", "/search", 400, 1.5, 12), None)
        access.created, access.msecs = warn.created, warn.msecs
        text = TextFormatter(private=True).format(warn)
        line = TextFormatter(private=True).format(access)
        as_json = json.loads(JsonFormatter(private=True).format(warn))
    assert text == "2025-12-01T00:00:00.500Z WARNING search.cache miss for [redacted]"
    assert line == "2025-12-01T00:00:00.500Z INFO search.access GET /search 400 1.5ms 12B"
    assert as_json["ts"] == "2025-12-01T00:00:00.500Z" and as_json["level"] == "WARNING"
    assert as_json["logger"] == "search.cache" and as_json["msg"] == "miss for [redacted]"
