"""`indexer reindex` through the real command: summary, --report, exit codes, worker pool.

(Killed runs, --strict, unwritable index and empty input: tests/test_reindex_safety.py.)
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS
from search.backends.tantivy_backend import TantivyBackend
from search.model import SearchRequest
from search.query import parse

INDEXER = str(Path(sys.executable).with_name("indexer"))
SEED_BODIES = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def _indexer(*args, env=None, timeout=300):
    return subprocess.run([INDEXER, *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                          env={**os.environ, **(env or {})})


def _corpus(path: Path, n: int) -> Path:
    """``n`` distinct articles (seed texts, each made unique), one text file each."""
    path.mkdir()
    for i in range(n):
        (path / f"doc{i:05d}.txt").write_text(f"{SEED_BODIES[i % len(SEED_BODIES)]}\nنسخة {i}", encoding="utf-8")
    return path


def _total(index: Path, q: str = "") -> int:
    return TantivyBackend(index).search(SearchRequest(parse(q).tree)).total


def test_report_of_a_directory_with_good_duplicate_and_broken_files(tmp_path):
    src = tmp_path / "archive"
    src.mkdir()
    for p in SEEDS.glob("*.txt"):
        (src / p.name).write_bytes(p.read_bytes())
    (src / "copy-of-000.txt").write_bytes((SEEDS / "000_4d25402dd40d2927.txt").read_bytes())
    (src / "broken.json").write_text('[{"body": "خبر أول عن بغداد"}, {"body": ', encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (src / "README.md").write_text("SaudiNewsNet-style notes about the dataset", encoding="utf-8")
    index, report = tmp_path / "idx", tmp_path / "report.json"

    done = _indexer("reindex", str(src), "--index", str(index), "--workers", "0", "--report", str(report))
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    # The five seeds and the first record of the broken JSON are indexed.
    assert data["indexed"] == 6 and data["committed"] is True and data["exit_code"] == 0
    assert data["skipped"] == {"binary": 1, "empty": 1, "malformed_json": 1} and data["skipped_total"] == 3
    assert data["notes"] == {"duplicate": 1, "not_article": 1} and data["duplicates"] == 1
    by_file = {Path(p["path"]).name: p for p in data["problems"]}
    assert set(by_file) == {"copy-of-000.txt", "broken.json", "empty.txt", "image.txt", "README.md"}
    assert by_file["copy-of-000.txt"]["note"] is True and "000_4d25402dd40d2927" in by_file["copy-of-000.txt"]["reason"]
    assert by_file["broken.json"]["kind"] == "malformed_json" and by_file["broken.json"]["note"] is False
    assert data["sources"] == [str(src)] and data["index"] == str(index) and data["backend"] == "tantivy"
    assert data["generation"] == (index / "CURRENT").read_text().strip()
    assert data["seconds"] > 0 and data["docs_per_second"] > 0 and data["input_bytes"] > 10_000
    assert data["mb_per_second"] > 0 and data["started_at"] <= data["finished_at"]
    # The same summary, for people.
    assert "indexed 6 documents in " in done.stdout and " docs/s, " in done.stdout and " MB/s" in done.stdout
    assert "skipped 3 inputs: binary 1, empty 1, malformed_json 1" in done.stdout
    assert "notes (nothing lost): duplicate 1, not_article 1" in done.stdout
    assert "note: " in done.stderr and "skipped: " in done.stderr and "broken.json" in done.stderr
    assert _total(index) == 6 and _total(index, "بغداد") >= 1


def test_long_problem_lists_are_cut_on_screen_but_complete_in_the_report(tmp_path):
    src = _corpus(tmp_path / "src", 2)
    for i in range(13):
        (src / f"empty{i:02d}.txt").write_bytes(b"")
    report = tmp_path / "r.json"
    done = _indexer("reindex", str(src), "--index", str(tmp_path / "idx"), "--workers", "0", "-q",
                    "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("skipped: ") == 10 and "... and 3 more empty" in done.stderr
    assert len(json.loads(report.read_text(encoding="utf-8"))["problems"]) == 13
    verbose = _indexer("reindex", str(src), "--index", str(tmp_path / "idx"), "--workers", "0", "-q", "-v")
    assert verbose.stderr.count("skipped: ") == 13 and "more empty" not in verbose.stderr


def test_exit_code_3_report_says_so(tmp_path):
    (tmp_path / "only.txt").write_bytes(b"")
    report = tmp_path / "r.json"
    done = _indexer("reindex", str(tmp_path / "only.txt"), "--index", str(tmp_path / "idx"), "--report", str(report))
    assert done.returncode == 3
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["exit_code"] == 3 and data["committed"] is False and data["reason"] == "no readable documents"


def test_usage_errors_exit_2_before_touching_the_index(tmp_path):
    bad = tmp_path / "corrections.tsv"
    bad.write_text("this is not\ta corrections file\twith\ttoo many columns\n", encoding="utf-8")
    for args in (["--no-such-option"], ["--workers", "-1"], ["--corrections", str(bad)]):
        done = _indexer("reindex", str(SEEDS), "--index", str(tmp_path / "idx"), *args)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr
        assert not (tmp_path / "idx").exists()
    assert _indexer("no-such-command").returncode == 2


def _workers_of(pid: int) -> list[int]:
    """Pool workers below the indexer process (spawned: their command line says so)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"spawn_main" in cmd:
            out.append(int(entry))
    return sorted(out, key=_started)


def _started(pid: int) -> int:
    """Start time of a process (clock ticks since boot): the reading process comes first."""
    with open(f"/proc/{pid}/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[19])


def _start_big_reindex(tmp_path: Path, index: Path, n: int = 3000) -> subprocess.Popen:
    src = _corpus(tmp_path / "big", n)
    return subprocess.Popen([INDEXER, "reindex", str(src), "--index", str(index), "-q", "--workers", "2"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for_workers(proc: subprocess.Popen, timeout: float = 120) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        workers = _workers_of(proc.pid)
        if len(workers) >= 3:  # the reading process and the two workers
            time.sleep(0.5)  # into the work, past start-up
            return workers
        time.sleep(0.05)
    raise AssertionError("no worker processes appeared")


def test_ctrl_c_exits_130_without_worker_tracebacks(tmp_path, seeds_index):
    index = tmp_path / "idx"
    import shutil

    shutil.copytree(seeds_index, index)
    # Large enough that the signal lands mid-build on a quiet machine with the compiled core.
    proc = _start_big_reindex(tmp_path, index, n=8000)
    try:
        _wait_for_workers(proc)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole group
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "previous index is still live" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert _total(index) == 5


@pytest.mark.parametrize("victim", ["worker", "reader"])
def test_a_dead_worker_exits_5_and_keeps_the_live_index(tmp_path, seeds_index, victim):
    index = tmp_path / "idx"
    import shutil

    shutil.copytree(seeds_index, index)
    proc = _start_big_reindex(tmp_path, index)
    try:
        reader, *workers = _wait_for_workers(proc)
        os.kill(workers[0] if victim == "worker" else reader, signal.SIGKILL)  # as the out-of-memory killer would
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 5, err
    assert "worker process died" in err and "previous index is still live" in err and "Traceback" not in err
    assert _total(index) == 5
    assert not [p for p in (index / "generations").iterdir() if ".tmp-" in p.name]


@pytest.mark.parametrize("workers", ["2"])
def test_recycled_workers_build_the_same_index(tmp_path, workers):
    src = _corpus(tmp_path / "src", 300)  # 5 chunks of 64
    one = _indexer("reindex", str(src), "--index", str(tmp_path / "a"), "--workers", "0", "-q")
    many = _indexer("reindex", str(src), "--index", str(tmp_path / "b"), "--workers", workers, "-q",
                    env={"INDEXER_RECYCLE_CHUNKS": "1"})  # a fresh pool for every chunk
    assert one.returncode == 0 and many.returncode == 0, one.stderr + many.stderr
    for q in ("", "داعش", "نسخة", '"الجيش العراقي"', "country:IQ", "299"):
        assert _total(tmp_path / "a", q) == _total(tmp_path / "b", q), q
    assert _total(tmp_path / "b") == 300
    a, b = TantivyBackend(tmp_path / "a").get("doc00123"), TantivyBackend(tmp_path / "b").get("doc00123")
    assert a.to_dict() == b.to_dict()
