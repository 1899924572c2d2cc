"""End to end over the seeds: the real CLI builds the index, the real Flask app serves it."""
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SEEDS

DAESH_SEEDS = {"000_4d25402dd40d2927", "002_373097a3583d7df3", "003_3c9b909a0e592931", "004_e24ef0227a9d806f"}


def _indexer(*args, env=None):
    exe = Path(sys.executable).with_name("indexer")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, **(env or {})})


def test_reindex_prints_summary_and_is_idempotent(tmp_path):
    index = tmp_path / "idx"
    first = _indexer("reindex", str(SEEDS), "--index", str(index), "--workers", "1")
    assert first.returncode == 0, first.stderr
    assert "indexed 5 documents" in first.stdout and "docs/s" in first.stdout
    stats1 = json.loads(_indexer("stats", "--index", str(index), "--json").stdout)
    second = _indexer("reindex", str(SEEDS), env={"SEARCH_INDEX": str(index)})
    assert second.returncode == 0, second.stderr
    stats2 = json.loads(_indexer("stats", "--index", str(index), "--json").stdout)
    assert stats1["documents"] == stats2["documents"] == 5
    assert stats1["generation"] != stats2["generation"]
    from search.backends.tantivy_backend import TantivyBackend
    from search.model import SearchRequest
    from search.query import parse

    be = TantivyBackend(index)
    assert {h.id for h in be.search(SearchRequest(parse("داعش").tree)).hits} == DAESH_SEEDS
    # Only the live generation and the one before it are kept on disk.
    assert len([p for p in (index / "generations").iterdir()]) == 2


def test_search_daesh_returns_the_right_seeds_with_marks(client):
    resp = client.get("/search", query_string={"q": "داعش"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "<mark>داعش</mark>" in html
    data = client.get("/api/search", query_string={"q": "داعش"}).get_json()
    assert data["total"] == 4
    assert {h["id"] for h in data["hits"]} == DAESH_SEEDS
    for hit in data["hits"]:
        assert "<mark>داعش</mark>" in hit["snippet"]
        # Nothing but <mark> survives as markup in a snippet.
        stripped = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped
    assert set(data["facets"]) >= {"country", "org", "troops", "source"}


def test_bad_page_is_a_clear_400_not_a_500(client):
    for bad in ("-1", "abc", "0", "10000000"):
        resp = client.get("/search", query_string={"q": "داعش", "page": bad})
        assert resp.status_code == 400
        assert "الصفحة" in resp.get_data(as_text=True)
        api = client.get("/api/search", query_string={"q": "داعش", "page": bad})
        assert api.status_code == 400 and "error" in api.get_json()
        assert "Traceback" not in api.get_data(as_text=True)


def test_doc_page_and_json_twin(client):
    doc_id = "002_373097a3583d7df3"
    resp = client.get(f"/doc/{doc_id}", query_string={"q": "داعش"})
    assert resp.status_code == 200 and "<mark>داعش</mark>" in resp.get_data(as_text=True)
    data = client.get(f"/api/doc/{doc_id}").get_json()
    assert data["id"] == doc_id and data["body"] == (SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8").strip() \
        or data["body"] in (SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8")
    assert client.get("/doc/does-not-exist").status_code == 404


def test_user_text_is_escaped_and_csp_is_set(client):
    resp = client.get("/search", query_string={"q": '<script>alert(1)</script> داعش'})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
