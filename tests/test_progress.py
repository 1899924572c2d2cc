"""Progress of `indexer reindex`: a bar on a terminal (run under a pseudo-terminal), plain
periodic lines through a pipe; and the cheap pre-count that gives the bar its ETA."""
import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
import zipfile
from pathlib import Path

from conftest import ROOT, SEEDS
from indexer.progress import Progress, estimate_inputs

INDEXER = str(Path(sys.executable).with_name("indexer"))


def _on_terminal(args, columns=100, env=None, timeout=120) -> tuple[int, str]:
    """Run the indexer with stdout and stderr on a pseudo-terminal; all it printed."""
    master, slave = pty.openpty()
    if columns:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen([INDEXER, *args], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT,
                            env={**os.environ, **(env or {})}, close_fds=True)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not data:
                break
            out += data
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return proc.returncode, out.decode("utf-8", "replace")


def _piped(args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([INDEXER, *args], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, **(env or {})})


def test_bar_on_a_terminal_with_percentage_and_rate(tmp_path):
    code, out = _on_terminal(["reindex", str(SEEDS), "--index", str(tmp_path / "idx"), "--workers", "0"])
    assert code == 0, out
    frames = out.split("\r")
    final = [f for f in frames if "100%" in f]
    assert final, out
    # "indexed: 100%|█████| 5/5 [00:00<00:00, 21.93 docs/s]"
    assert re.search(r"indexed: 100%\|█+\| 5/5 \[\d\d:\d\d<00:00, +[\d.]+ docs/s", final[-1]), final[-1]
    assert any(re.search(r"indexed: +0%\|.*\| 0/5 ", f) for f in frames), out
    assert "indexed 5 documents in " in out  # the summary follows the bar


def test_bar_on_a_terminal_that_reports_no_width(tmp_path):
    code, out = _on_terminal(["reindex", str(SEEDS), "--index", str(tmp_path / "idx"), "--workers", "0"], columns=0)
    assert code == 0, out
    assert re.search(r"indexed: 100%\|█+\| 5/5 ", out), out


def test_bar_counts_documents_when_the_total_is_unknown(tmp_path):
    src = tmp_path / "news.jsonl"
    src.write_text("\n".join(json.dumps({"id": f"n{i}", "body": f"خبر رقم {i} عن الموصل"}, ensure_ascii=False)
                             for i in range(3)), encoding="utf-8")
    code, out = _on_terminal(["reindex", str(src), "--index", str(tmp_path / "idx"), "--workers", "0"])
    assert code == 0, out
    # No total, so no percentage: count, elapsed time and rate.
    assert re.search(r"indexed: 3 docs \[\d\d:\d\d, +[\d.]+ docs/s", out), out
    assert "%|" not in out


def test_quiet_prints_no_bar(tmp_path):
    code, out = _on_terminal(["reindex", str(SEEDS), "--index", str(tmp_path / "idx"), "--workers", "0", "-q"])
    assert code == 0 and "%|" not in out and "\r\n" in out and "indexed 5 documents" in out


def test_plain_lines_through_a_pipe(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for p in SEEDS.glob("*.txt"):
        (src / p.name).write_bytes(p.read_bytes())
    (src / "empty.txt").write_bytes(b"")
    done = _piped(["reindex", str(src), "--index", str(tmp_path / "idx"), "--workers", "0"],
                  env={"INDEXER_PROGRESS_EVERY": "0"})  # a line for every document
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "%|" not in done.stderr
    lines = [l for l in done.stderr.splitlines() if l.startswith("indexed ")]
    assert len(lines) == 6, done.stderr  # 5 documents and 1 skipped input
    pattern = re.compile(r"indexed (\d) documents, skipped ([01]), \d+ docs/s, \d+s elapsed, "
                         r"(\d+)% of 6 inputs(, about \d+s left)?$")
    parsed = [pattern.match(l) for l in lines]
    assert all(parsed), lines
    assert [int(m.group(3)) for m in parsed] == sorted(int(m.group(3)) for m in parsed)
    last = parsed[-1]
    assert last.group(1) == "5" and last.group(2) == "1" and last.group(3) == "100" and not last.group(4)
    # The summary goes to stdout, progress to stderr.
    assert "indexed 5 documents in " in done.stdout


def test_no_lines_before_the_interval_and_none_when_quiet(tmp_path):
    done = _piped(["reindex", str(SEEDS), "--index", str(tmp_path / "idx"), "--workers", "0"],
                  env={"INDEXER_PROGRESS_EVERY": "3600"})
    assert done.returncode == 0 and "documents, skipped" not in done.stderr
    done = _piped(["reindex", str(SEEDS), "--index", str(tmp_path / "idx"), "--workers", "0", "-q",
                   "--progress-every", "0"])
    assert done.returncode == 0 and "documents, skipped" not in done.stderr


def test_plain_line_with_an_eta():
    import io

    p = Progress(total=1000, every_s=3600, stream=io.StringIO())
    p.start()
    p.update(200)
    p.skip(50)
    p.skip(50, note=True)
    line = p.line(now=p.started + 30)
    # 300 of 1000 inputs in 30 s: 70 s to go.
    assert line == "indexed 200 documents, skipped 50, notes 50, 7 docs/s, 30s elapsed, 30% of 1,000 inputs, about 1m10s left"


def test_estimate_inputs_counts_one_article_files_only(tmp_path):
    d = tmp_path / "archive"
    (d / "2014" / "06").mkdir(parents=True)
    for i in range(4):
        (d / "2014" / "06" / f"{i}.txt").write_text("نص", encoding="utf-8")
    (d / "README.md").write_text("about", encoding="utf-8")  # a note: still one input
    (d / ".hidden.txt").write_text("x", encoding="utf-8")   # never read
    (d / "story.txt.gz").write_bytes(b"")
    with zipfile.ZipFile(d / "more.zip", "w") as zf:
        for name in ("a.txt", "b/c.txt", "__MACOSX/._a.txt", ".DS_Store"):
            zf.writestr(name, "نص")
    assert estimate_inputs([d]) == 4 + 1 + 1 + 2
    assert estimate_inputs([d, SEEDS, tmp_path / "missing"]) == 8 + 5 + 1
    # Records inside JSON, JSON Lines, SGML or gzipped Gigaword files cannot be counted cheaply.
    for name in ("x.json", "x.jsonl", "x.sgml", "afp_arb_200001.gz", "x.jsonl.gz"):
        other = tmp_path / name
        other.write_bytes(b"")
        assert estimate_inputs([d, other]) is None, name
    with zipfile.ZipFile(tmp_path / "records.zip", "w") as zf:
        zf.writestr("day.json", "[]")
    assert estimate_inputs([tmp_path / "records.zip"]) is None
    assert estimate_inputs([d], budget_s=-1) is None  # too slow a disk: no ETA rather than a wait
