"""A reindex that is killed, interrupted or fails never damages the live index."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SAUDI, SEEDS
from search.backends.tantivy_backend import TantivyBackend
from search.model import SearchRequest
from search.query import parse

INDEXER = str(Path(sys.executable).with_name("indexer"))


def _count(index: Path, q: str = "") -> int:
    return TantivyBackend(index).search(SearchRequest(parse(q).tree)).total


def _seed_index(tmp_path: Path) -> Path:
    index = tmp_path / "idx"
    done = subprocess.run([INDEXER, "reindex", str(SEEDS), "--index", str(index), "-q"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return index


def _wait_for_build(index: Path, proc: subprocess.Popen, timeout: float = 120) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tmp = [p for p in (index / "generations").iterdir() if ".tmp-" in p.name]
        # Wait until the build has written segment files, so the kill lands mid-write.
        if tmp and any(f.suffix in (".idx", ".pos", ".term", ".store") for f in tmp[0].iterdir()):
            return tmp[0]
        assert proc.poll() is None, "reindex finished before it could be killed"
        time.sleep(0.05)
    raise AssertionError("no build in progress appeared")


@pytest.mark.skipif(not SAUDI.exists(), reason="needs ../shared/data/saudinewsnet")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_reindex_leaves_previous_index_serving(tmp_path, sig):
    index = _seed_index(tmp_path)
    before = _count(index)
    assert before == 5
    # Enough input that the writer flushes segments well before the end: the kill must land
    # mid-build, not after a fast build has already switched.
    big = sorted(SAUDI.glob("*.zip"))[:8]
    proc = subprocess.Popen([INDEXER, "reindex", *map(str, big), "--index", str(index), "-q", "--workers", "1"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        tmp = _wait_for_build(index, proc)
        os.killpg(proc.pid, sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0
    # The live index is untouched and searchable.
    assert _count(index) == before and _count(index, "داعش") == 4
    if sig == signal.SIGINT:
        assert b"previous index is still live" in proc.stderr.read()
    # The next run cleans up what the killed one left and switches normally.
    again = subprocess.run([INDEXER, "reindex", str(SEEDS), "--index", str(index), "-q"],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert again.returncode == 0, again.stderr
    assert not tmp.exists()
    assert not [p for p in (index / "generations").iterdir() if ".tmp-" in p.name]
    assert _count(index) == 5


def test_no_readable_documents_keeps_index_and_exits_3(tmp_path):
    index = _seed_index(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    done = subprocess.run([INDEXER, "reindex", str(empty), "--index", str(index)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 3
    assert "empty.txt" in done.stderr and "previous index is still live" in done.stderr
    assert _count(index) == 5


def test_strict_refuses_to_switch_when_inputs_were_skipped(tmp_path):
    index = _seed_index(tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text("خبر عن الموصل وداعش", encoding="utf-8")
    (src / "bad.json").write_text('[{"body": "نص"}, {"body": ', encoding="utf-8")
    report = tmp_path / "report.json"
    done = subprocess.run([INDEXER, "reindex", str(src), "--index", str(index), "--strict", "--report", str(report)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bad.json" in done.stderr
    assert _count(index) == 5
    import json

    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["committed"] is False and data["skipped_total"] >= 1
    assert any(p["path"].endswith("bad.json") for p in data["problems"])
    # Without --strict the good documents are indexed and the bad file reported.
    done = subprocess.run([INDEXER, "reindex", str(src), "--index", str(index)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "bad.json" in done.stderr
    assert _count(index) >= 1 and _count(index, "الموصل") == 1


def test_unwritable_index_exits_4(tmp_path):
    if os.geteuid() == 0:
        target = Path("/proc/no-such-dir/idx")  # even root cannot create directories in /proc
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        target = ro / "idx"
    done = subprocess.run([INDEXER, "reindex", str(SEEDS), "--index", str(target)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "error:" in done.stderr and "Traceback" not in done.stderr
