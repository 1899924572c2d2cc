"""`indexer add` and `indexer delete` through the real command, on a live index."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, SEEDS
from search.backends.tantivy_backend import TantivyBackend
from search.model import SearchRequest
from search.query import parse

INDEXER = str(Path(sys.executable).with_name("indexer"))


def _indexer(*args, env=None):
    return subprocess.run([INDEXER, *args], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, **(env or {})})


def _ids(index: Path, q: str = "") -> set[str]:
    res = TantivyBackend(index).search(SearchRequest(parse(q).tree, page_size=100))
    return {h.id for h in res.hits}


def _build(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "src"
    src.mkdir()
    (src / "alpha.txt").write_text("قصف الطيران مواقع التنظيم قرب الفلوجة.", encoding="utf-8")
    (src / "beta.txt").write_text("وصلت قافلة مساعدات إلى مدينة الرمادي.", encoding="utf-8")
    index = tmp_path / "idx"
    done = _indexer("reindex", str(src), "--index", str(index), "--workers", "0", "-q")
    assert done.returncode == 0, done.stderr
    return src, index


def test_added_document_is_searchable_and_an_update_replaces_it(tmp_path):
    src, index = _build(tmp_path)
    new = tmp_path / "new" / "gamma.txt"
    new.parent.mkdir()
    new.write_text("افتتاح جسر جديد فوق نهر دجلة في الموصل.", encoding="utf-8")
    done = _indexer("add", str(new), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert "added or updated 1 documents" in done.stdout
    assert _ids(index, "دجلة") == {"gamma"} and len(_ids(index)) == 3

    # Same file name, so the same id: the new text replaces the old one.
    (src / "alpha.txt").write_text("انسحاب المقاتلين من تكريت بعد معارك عنيفة.", encoding="utf-8")
    done = _indexer("add", str(src / "alpha.txt"), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert _ids(index, "تكريت") == {"alpha"}
    assert _ids(index, "الفلوجة") == set()
    assert len(_ids(index)) == 3  # replaced, not duplicated
    doc = TantivyBackend(index).get("alpha")
    assert "تكريت" in doc.body
    stats = json.loads(_indexer("stats", "--index", str(index), "--json").stdout)
    assert stats["documents"] == 3 and stats["build"]["documents"] == 2


def test_deleted_document_is_gone_and_unknown_ids_are_named(tmp_path):
    _, index = _build(tmp_path)
    done = _indexer("delete", "beta", "no-such-id", "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert "deleted 1 of 2 documents" in done.stdout
    assert "warning: 1 ids were not in the index: no-such-id" in done.stderr
    assert _ids(index) == {"alpha"} and TantivyBackend(index).get("beta") is None
    assert _ids(index, "الرمادي") == set()


def test_add_with_nothing_readable_or_no_index(tmp_path):
    _, index = _build(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    done = _indexer("add", str(empty), "--index", str(index))
    assert done.returncode == 3 and "empty.txt" in done.stderr and "no readable documents" in done.stderr
    assert len(_ids(index)) == 2
    done = _indexer("add", str(SEEDS), "--index", str(tmp_path / "none"))
    assert done.returncode == 4 and "indexer reindex" in done.stderr and "Traceback" not in done.stderr
    done = _indexer("delete", "x", "--index", str(tmp_path / "none"))
    assert done.returncode == 4 and "Traceback" not in done.stderr


def test_add_during_a_reindex_waits_for_it_and_lands_in_the_new_index(tmp_path):
    _, index = _build(tmp_path)
    big = tmp_path / "big"
    big.mkdir()
    bodies = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for i in range(1200):
        (big / f"doc{i:04d}.txt").write_text(f"{bodies[i % len(bodies)]}\nنسخة {i}", encoding="utf-8")
    new = tmp_path / "late.txt"
    new.write_text("خبر عاجل عن سد الموصل والمهندسين الإيطاليين.", encoding="utf-8")

    adder = None
    rebuild = subprocess.Popen([INDEXER, "reindex", str(big), "--index", str(index), "-q", "--workers", "1"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not any(".tmp-" in p.name for p in (index / "generations").iterdir()):
            assert rebuild.poll() is None and time.monotonic() < deadline, "the reindex never started building"
            time.sleep(0.02)
        # The reindex holds the write lock now: the add must wait for the switch.
        adder = subprocess.Popen([INDEXER, "add", str(new), "--index", str(index)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        add_started = time.monotonic()
        assert rebuild.poll() is None, "the reindex finished too soon for this test"
        add_done = rebuild_done = None
        while add_done is None or rebuild_done is None:
            now = time.monotonic()
            assert now < deadline + 240, "add or reindex hung"
            if rebuild_done is None and rebuild.poll() is not None:
                rebuild_done = now
            if add_done is None and adder.poll() is not None:
                add_done = now
            time.sleep(0.01)
    finally:
        for p in (rebuild, adder):
            if p is not None and p.poll() is None:
                p.kill()
    assert rebuild.returncode == 0, rebuild.stderr.read()
    assert adder.returncode == 0, adder.stderr.read()
    assert add_done >= rebuild_done > add_started
    # Everything the reindex built, plus the late document, in the live index.
    assert TantivyBackend(index).stats()["documents"] == 1201
    assert _ids(index, "الإيطاليين") == {"late"} and "doc1199" in _ids(index, "1199")
