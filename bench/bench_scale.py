"""Benchmark: does indexing keep its rate and a flat memory as the corpus grows?

Two runs of the real rebuild (``indexer.reindex.reindex``: reading, de-duplication, facet
extraction and analysis in worker processes, tantivy writing, atomic switch):

1. the corpus as it is (SaudiNewsNet: ~29,900 indexable articles);
2. ``--docs N`` documents (default 1,000,000) made on the fly by reading the corpus over
   and over: every copy after the first gets a new id and a body made unique by a
   numbered marker (the pipeline drops repeated texts), so the de-duplication tables, the
   index and the analyzers' per-word caches all grow as they would on N real articles.

Each run is a child process of its own. Reported: documents, docs/s, MB/s, the rate of
the first and last tenth, peak RSS of the indexing process (RUSAGE_SELF), of the largest
child (RUSAGE_CHILDREN: inflated, as a spawned worker is forked from the indexing process
before it execs), and, from /proc samples every second, of the largest worker and of
everything at once (main + workers). Pass: run 2 keeps >= 80% of run 1's rate and stays
under 1.5 GB in total.

    .venv/bin/python bench/bench_scale.py [--docs N] [--corpus DIR] [--workers N] [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RATE_KEPT = 0.80
RSS_LIMIT_MB = 1500


class Replicated:
    """A reader (``reindex(read=...)``) yielding ``n`` distinct documents from ``corpus``.

    A picklable object rather than a closure, so that the rebuild runs it in its reading
    process as it does ``iter_documents``."""

    def __init__(self, corpus: str, n: int):
        self.corpus, self.n = corpus, n

    def __call__(self, sources, on_problem):
        from indexer.sources import iter_documents
        from indexer.sources.dedupe import Deduper

        deduper = Deduper()  # one for the whole run, as iter_documents keeps over N real files
        made = 0
        for copy in range(self.n + 1):  # bounded: a corpus without documents ends it at once
            before = made
            for doc in iter_documents([self.corpus], on_problem if copy == 0 else _ignore, dedupe=True):
                if copy:
                    doc = replace(doc, id=f"{doc.id}~{copy}",
                                  body=f"{doc.body}\n\nنسخة رقم {made}")  # one new word per document
                doc, problem = deduper.check(doc, doc.origin, None)
                if problem is not None:
                    on_problem(problem)
                if doc is None:
                    continue
                yield doc
                made += 1
                if made >= self.n:
                    return
            if made == before:
                return


def replicated(corpus: str, n: int) -> Replicated:
    return Replicated(corpus, n)


def _ignore(problem) -> None:
    """Problems of the corpus are reported on the first pass only."""


class Sampler(threading.Thread):
    """Peak of (this process + all its descendants) RSS, and the rate over time."""

    def __init__(self, every_s: float = 1.0, log_every_s: float = 0):
        super().__init__(daemon=True)
        self.every_s = every_s
        self.log_every_s = log_every_s
        self.peak_total_kb = self.peak_worker_kb = self.peak_main_anon_kb = self.peak_total_anon_kb = 0
        # From /proc/<pid>/smaps_rollup: sums over the tree at each sample, peak kept.
        self.peak_smaps = {"anon": 0, "uss": 0, "pss": 0, "pss_anon": 0, "file": 0}
        self.stop = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        started = last_log = time.perf_counter()
        while not self.stop.wait(self.every_s):
            sizes = {pid: _mem_kb(pid) for pid in _tree(me)}
            self.peak_total_kb = max(self.peak_total_kb, sum(m["VmRSS"] for m in sizes.values()))
            self.peak_total_anon_kb = max(self.peak_total_anon_kb, sum(m["RssAnon"] for m in sizes.values()))
            self.peak_main_anon_kb = max(self.peak_main_anon_kb, sizes.get(me, {}).get("RssAnon", 0))
            self.peak_worker_kb = max([self.peak_worker_kb, *(m["VmRSS"] for pid, m in sizes.items() if pid != me)])
            rollups = [_smaps_kb(pid) for pid in sizes]
            for key in self.peak_smaps:
                self.peak_smaps[key] = max(self.peak_smaps[key], sum(r[key] for r in rollups))
            now = time.perf_counter()
            if self.log_every_s and now - last_log >= self.log_every_s:
                last_log = now
                main = sizes.get(me, {})
                print(f"{now - started:6.0f}s main RSS {main.get('VmRSS', 0) // 1024} MB "
                      f"(anon {main.get('RssAnon', 0) // 1024}, file {main.get('RssFile', 0) // 1024}); workers "
                      + " ".join(str(m["VmRSS"] // 1024) for pid, m in sizes.items() if pid != me),
                      file=sys.stderr, flush=True)


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def _mem_kb(pid: int) -> dict[str, int]:
    """VmRSS and its parts: RssAnon (the process's own memory), RssFile (mapped files:
    tantivy reads its segments through mmap; page cache the kernel can drop)."""
    out = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key = line.split(":", 1)[0]
                if key in out:
                    out[key] = int(line.split()[1])
    except OSError:
        pass
    return out


def _smaps_kb(pid: int) -> dict[str, int]:
    """Private and proportional memory from smaps_rollup: ``anon`` (Anonymous: heap, never
    page cache), ``uss`` (Private_Clean + Private_Dirty: also counts file pages only this
    process maps, e.g. tantivy's mmap'd segments), ``pss``, ``pss_anon``, and ``file``
    (Pss_File: mapped page cache, reclaimable, reported separately)."""
    raw: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                    raw[parts[0][:-1]] = int(parts[1])
    except OSError:
        pass
    return {"anon": raw.get("Anonymous", 0), "uss": raw.get("Private_Clean", 0) + raw.get("Private_Dirty", 0),
            "pss": raw.get("Pss", 0), "pss_anon": raw.get("Pss_Anon", 0), "file": raw.get("Pss_File", 0)}


class Timeline:
    """Progress stand-in for reindex(): remembers when every 1% of the documents was done."""

    def __init__(self, expected: int):
        self.step = max(expected // 100, 1)
        self.count = 0
        self.points: list[tuple[int, float]] = []

    def start(self, total=None):
        self.points = [(0, time.perf_counter())]

    def update(self, n: int = 1):
        self.count += n
        if self.count % self.step == 0:
            self.points.append((self.count, time.perf_counter()))

    def skip(self, n: int = 1, note: bool = False):
        pass

    def close(self):
        self.points.append((self.count, time.perf_counter()))

    def rate_between(self, lo: float, hi: float) -> float:
        """docs/s between fractions ``lo`` and ``hi`` of the documents."""
        total = self.count
        a = min(self.points, key=lambda p: abs(p[0] - lo * total))
        b = min(self.points, key=lambda p: abs(p[0] - hi * total))
        return (b[0] - a[0]) / (b[1] - a[1]) if b[1] > a[1] else 0.0


def run_one(corpus: str, index: str, docs: int | None, workers, log_every_s, q) -> None:
    from indexer.reindex import reindex
    from search.backends.tantivy_backend import TantivyBackend

    shutil.rmtree(index, ignore_errors=True)
    sampler = Sampler(log_every_s=log_every_s)
    sampler.start()
    timeline = Timeline(docs or 30_000)
    read = replicated(corpus, docs) if docs else None
    be = TantivyBackend(index)
    summary = reindex(be, [corpus], workers=workers, progress=timeline, read=read)
    sampler.stop.set()
    sampler.join()
    gen = be.gens.current_path()
    q.put({"docs": summary.indexed, "seconds": round(summary.seconds, 1),
           "docs_per_s": round(summary.docs_per_second, 1), "mb_per_s": round(summary.mb_per_second, 3),
           "input_mb": round(summary.input_bytes / 1e6, 1),
           "rate_first_tenth": round(timeline.rate_between(0.0, 0.1), 1),
           "rate_last_tenth": round(timeline.rate_between(0.9, 1.0), 1),
           "rss_main_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           # A spawned worker is forked before it execs: its ru_maxrss includes this
           # process's RSS at that moment. The /proc samples show the worker alone.
           "rss_children_maxrss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
           "rss_worker_sampled_peak_mb": round(sampler.peak_worker_kb / 1024),
           "rss_total_peak_mb": round(sampler.peak_total_kb / 1024),
           "anon_main_peak_mb": round(sampler.peak_main_anon_kb / 1024),
           "anon_total_peak_mb": round(sampler.peak_total_anon_kb / 1024),
           "smaps_total_peak_mb": {k: round(v / 1024) for k, v in sampler.peak_smaps.items()},
           "index_mb": round(sum(f.stat().st_size for f in gen.rglob("*") if f.is_file()) / 1e6),
           "skipped": summary.skipped, "notes": summary.notes,
           "stories": summary.stories, "story_versions": summary.story_versions,
           "story_fixups": summary.story_fixups})


def _run(*args) -> dict:
    ctx = mp.get_context("spawn")  # a clean process: its RSS is the run's alone
    q = ctx.Queue()
    p = ctx.Process(target=run_one, args=(*args, q))
    p.start()
    out = q.get()
    p.join()
    return out


def _machine() -> str:
    try:
        mem = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    except (OSError, IndexError):
        mem = "?"
    return (f"{platform.machine()}, nproc {len(os.sched_getaffinity(0))}, {mem} GB RAM, "
            f"{platform.python_implementation()} {platform.python_version()}, load {os.getloadavg()[0]:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "data" / "saudinewsnet"))
    ap.add_argument("--docs", type=int, default=1_000_000, help="size of the large run")
    ap.add_argument("--workers", type=int, default=None, help="default: all cores")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    ap.add_argument("--skip-corpus-run", action="store_true", help="reuse run 1 from the last JSON")
    ap.add_argument("--keep-index", action="store_true")
    ap.add_argument("--log-every", type=float, default=0, help="print memory every N seconds (stderr)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report_path = out / "bench_scale.json"
    index = str(out / "scale-index")
    started = _machine()
    base = None
    if args.skip_corpus_run and report_path.exists():
        base = json.loads(report_path.read_text(encoding="utf-8")).get("corpus")
    if base is None:
        base = _run(args.corpus, index, None, args.workers, args.log_every)
    big = _run(args.corpus, index, args.docs, args.workers, args.log_every)
    if not args.keep_index:
        shutil.rmtree(index, ignore_errors=True)
    kept = big["docs_per_s"] / base["docs_per_s"] if base["docs_per_s"] else 0.0
    ok_rate = kept >= RATE_KEPT
    ok_rss, ok_private = big["rss_total_peak_mb"] < RSS_LIMIT_MB, big["anon_total_peak_mb"] < RSS_LIMIT_MB
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine_at_start": started, "machine_at_end": _machine(),
              "workers": args.workers if args.workers is not None else os.cpu_count(), "corpus": base, "replicated": big,
              "rate_kept": round(kept, 3), "pass_rate": ok_rate, "pass_rss": ok_rss, "pass_private_memory": ok_private}
    header = (f"{'run':>24} {'docs':>9} {'seconds':>8} {'docs/s':>7} {'MB/s':>6} {'first10%':>8} {'last10%':>8} "
              f"{'main MB':>7} {'children MB':>11} {'worker MB':>9} {'total MB':>8} {'private MB':>10} {'index MB':>8}")
    print(header)
    for name, r in (("corpus as is", base), (f"replicated to {args.docs:,}", big)):
        print(f"{name:>24} {r['docs']:>9,} {r['seconds']:>8.0f} {r['docs_per_s']:>7.0f} {r['mb_per_s']:>6.2f} "
              f"{r['rate_first_tenth']:>8.0f} {r['rate_last_tenth']:>8.0f} {r['rss_main_mb']:>7} "
              f"{r['rss_children_maxrss_mb']:>11} {r['rss_worker_sampled_peak_mb']:>9} {r['rss_total_peak_mb']:>8} "
              f"{r['anon_total_peak_mb']:>10} {r['index_mb']:>8}")
    for name, r in (("corpus as is", base), ("replicated", big)):
        if "smaps_total_peak_mb" in r:
            print(f"{name}: smaps_rollup peaks over all processes (MB): " +
                  ", ".join(f"{k} {v}" for k, v in r["smaps_total_peak_mb"].items()))
    print("main: RUSAGE_SELF; children: RUSAGE_CHILDREN (includes the parent's RSS at fork, see run_one); "
          "worker, total (RSS) and private (RssAnon, without mapped files): /proc samples every second")
    print(f"rate kept: {kept:.0%} (need >= {RATE_KEPT:.0%}: {'ok' if ok_rate else 'FAIL'}); "
          f"peak total RSS {big['rss_total_peak_mb']} MB (need < {RSS_LIMIT_MB}: {'ok' if ok_rss else 'FAIL'}); "
          f"peak private memory {big['anon_total_peak_mb']} MB ({'ok' if ok_private else 'FAIL'})")
    if not ok_rss and ok_private:
        print("  RSS over the limit is tantivy's memory-mapped segment files during merges (page cache)")
    name = f"bench_scale-{args.docs}.json"
    for path in (report_path, out / name):
        path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"written {report_path} and {out / name}")


if __name__ == "__main__":
    main()
