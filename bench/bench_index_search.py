"""Benchmark: reindex SaudiNewsNet end to end and query it through the backend interface.

Reports docs/s, MB/s, peak RSS and index size for (a) our pipeline (Python Arabic analysis of
three chains + facet extraction, pre-tokenized into tantivy) and (b) tantivy's own built-in
tokenizer indexing the same texts in the same run (the ceiling for this engine), then query
latency p50/p95 for a few queries with facets and 10 highlighted snippets.

Our pipeline runs once per ``--impl`` (``compiled``: the C analysis core, ``pure``: the
pure-Python fallback forced with SEARCH_PURE_PYTHON=1; default both), each round after a
fresh reference run, ``--rounds`` times. For each run it also prints the CPU the indexing
process spends per document, split into its Python side (reading, de-duplication, hand-over
to and from the workers, building tantivy documents: work that one core does for the whole
pipeline, the "serial work") and tantivy's own writer threads (``TANTIVY_WRITER_THREADS``
of them), the workers' (and reading process's) CPU per document, and all of it against the
built-in tokenizer run's CPU per document: a ratio that moves less with the machine's load
than the docs/s ratio does.

    .venv/bin/python bench/bench_index_search.py [--corpus DIR] [--limit N] [--out DIR]
        [--workers N] [--impl compiled|pure|both] [--rounds N] [--no-queries]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = ["السعودية", "داعش", '"الحرس الثوري"', "اليمن -الحوثي", "الرياض OR جدة", "امريك*"]


def _limited(docs, limit):
    for i, d in enumerate(docs):
        if limit and i >= limit:
            return
        yield d


def phase_reference(corpus: str, index: str, limit: int, q) -> None:
    """tantivy's built-in tokenizer on the same title+body texts (one writer, same reader)."""
    import tantivy

    from indexer.sources import iter_documents

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True)
    sb.add_text_field("body", stored=True)
    schema = sb.build()
    shutil.rmtree(index, ignore_errors=True)
    os.makedirs(index)
    idx = tantivy.Index(schema, path=index)
    writer = idx.writer(256_000_000, 1)
    started = time.perf_counter()
    cpu_before = _cpu(resource.RUSAGE_SELF)
    n = size = 0
    for d in _limited(iter_documents([corpus], lambda p: None), limit):
        writer.add_document(tantivy.Document(id=d.id, title=d.title or "", body=d.body))
        n += 1
        size += len(d.body.encode()) + len((d.title or "").encode())
    writer.commit()
    writer.wait_merging_threads()
    secs = time.perf_counter() - started
    cpu = _cpu(resource.RUSAGE_SELF) - cpu_before
    q.put({"docs": n, "seconds": secs, "bytes": size, "rss_mb": _peak_rss_mb(), "index_mb": _dir_mb(index),
           "cpu_ms_per_doc": 1000 * cpu / max(n, 1)})


def phase_ours(corpus: str, index: str, limit: int, workers, impl: str, q) -> None:
    # Before any import of the analysis code, here and in the (spawned) workers.
    if impl == "pure":
        os.environ["SEARCH_PURE_PYTHON"] = "1"
    else:
        os.environ.pop("SEARCH_PURE_PYTHON", None)
    from indexer.reindex import reindex
    import indexer.reindex as r
    from search.backends.tantivy_backend import TantivyBackend
    try:
        from search.analysis.speedups import active
    except ImportError:  # a version before the compiled core (baseline runs)
        def active() -> str:
            return "pure-python (no compiled core)"

    shutil.rmtree(index, ignore_errors=True)
    if limit:  # bound the corpus for quick runs
        real = r.iter_documents
        r.iter_documents = lambda srcs, cb, **kw: _limited(real(srcs, cb, **kw), limit)
    be = TantivyBackend(index)
    sampler = ThreadCpu()
    sampler.start()
    cpu_before, children_before = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    summary = reindex(be, [corpus], workers=workers)
    process_cpu = _cpu(resource.RUSAGE_SELF) - cpu_before
    children_cpu = _cpu(resource.RUSAGE_CHILDREN) - children_before
    tantivy_cpu = sampler.finish()
    gen = be.gens.current_path()
    n = max(summary.indexed, 1)
    q.put({"impl": active(), "docs": summary.indexed, "seconds": summary.seconds,
           "bytes": summary.input_bytes, "rss_mb": _peak_rss_mb(), "children_rss_mb": _peak_rss_mb(children=True),
           "index_mb": _dir_mb(gen), "skipped": summary.skipped, "duplicates": summary.duplicates,
           "process_cpu_ms_per_doc": 1000 * process_cpu / n,
           "serial_ms_per_doc": 1000 * (process_cpu - tantivy_cpu) / n,
           "tantivy_threads_ms_per_doc": 1000 * tantivy_cpu / n,
           "workers_cpu_ms_per_doc": 1000 * children_cpu / n})


def _cpu(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


# Thread names of tantivy's own threads (indexing, doc store compression, merges).
_TANTIVY_THREADS = ("thrd-tantivy", "thread-tantivy", "docstore", "segment_updater", "merge_thread")


class ThreadCpu(threading.Thread):
    """CPU seconds of tantivy's threads in this process, from /proc samples (tantivy's
    threads end at commit, so they are sampled while they run; the rest of the process's
    CPU is its Python side, measured exactly by RUSAGE_SELF)."""

    def __init__(self, every_s: float = 0.25):
        super().__init__(daemon=True)
        self.every_s = every_s
        self.seen: dict[str, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every_s):
            self.sample()

    def sample(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/comm") as fh:
                    name = fh.read().strip()
                if not name.startswith(_TANTIVY_THREADS):
                    continue
                with open(f"/proc/self/task/{tid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.seen[tid] = max(self.seen.get(tid, 0.0), (int(fields[11]) + int(fields[12])) / ticks)

    def finish(self) -> float:
        self.done.set()
        self.join()
        self.sample()
        return sum(self.seen.values())


def _peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def _dir_mb(path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


def _run(target, *args) -> dict:
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    out = q.get()
    p.join()
    return out


def query_latency(index: str, repeats: int) -> dict:
    from search.backends.tantivy_backend import TantivyBackend
    from search.model import SearchRequest
    from search.query import parse

    be = TantivyBackend(index)
    out = {}
    for text in QUERIES:
        req = SearchRequest(query=parse(text).tree)
        res = be.search(req)  # warm-up
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            be.search(req)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out[text] = {"total": res.total, "p50_ms": round(statistics.median(times), 2),
                     "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "data" / "saudinewsnet"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    ap.add_argument("--limit", type=int, default=0, help="index only the first N documents")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--impl", choices=("compiled", "pure", "both"), default="both")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--no-queries", action="store_true")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    impls = ("compiled", "pure") if args.impl == "both" else (args.impl,)
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
              f"{platform.python_implementation()} {platform.python_version()}, load {os.getloadavg()[0]:.1f}",
              "workers": args.workers, "writer_threads": os.environ.get("TANTIVY_WRITER_THREADS", "1"), "rounds": []}
    for round_no in range(1, args.rounds + 1):
        ref = _run(phase_reference, args.corpus, str(out / "ref-index"), args.limit)
        _print_run(f"[{round_no}] tantivy built-in tokenizer", ref)
        runs = {"reference": ref}
        for impl in impls:
            ours = _run(phase_ours, args.corpus, str(out / "snn-index"), args.limit, args.workers, impl)
            ours["ratio"] = (ours["docs"] / ours["seconds"]) / (ref["docs"] / ref["seconds"])
            ours["cpu_ms_per_doc"] = ours["process_cpu_ms_per_doc"] + ours["workers_cpu_ms_per_doc"]
            ours["cpu_ratio"] = ref["cpu_ms_per_doc"] / ours["cpu_ms_per_doc"]
            runs[impl] = ours
            _print_run(f"[{round_no}] ours, {ours['impl']}", ours)
            print(f"    ratio to built-in {ours['ratio']:.3f}; indexing process CPU "
                  f"{ours['process_cpu_ms_per_doc']:.3f} ms/doc = Python side (serial work) "
                  f"{ours['serial_ms_per_doc']:.3f} + tantivy threads {ours['tantivy_threads_ms_per_doc']:.3f}; "
                  f"workers (and reading process) {ours['workers_cpu_ms_per_doc']:.3f} ms/doc; all CPU "
                  f"{ours['cpu_ms_per_doc']:.3f} ms/doc against the built-in's {ref['cpu_ms_per_doc']:.3f} "
                  f"(CPU ratio {ours['cpu_ratio']:.3f})", flush=True)
        report["rounds"].append(runs)
    report["machine_at_end"] = f"load {os.getloadavg()[0]:.1f}"
    if not args.no_queries:
        lat = query_latency(str(out / "snn-index"), args.repeats)
        for text, r in lat.items():
            print(f"query {text!r:22s} hits {r['total']:6d}  p50 {r['p50_ms']:6.2f} ms  p95 {r['p95_ms']:6.2f} ms")
        report["queries"] = lat
    (out / "bench_index_search.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))


def _print_run(name: str, r: dict) -> None:
    print(f"{name:36s} {r['docs']:7d} docs  {r['docs'] / r['seconds']:8.0f} docs/s  "
          f"{r['bytes'] / 1e6 / r['seconds']:6.2f} MB/s  peak RSS {r['rss_mb']:.0f} MB"
          + (f" (workers {r['children_rss_mb']:.0f} MB)" if "children_rss_mb" in r else "")
          + f"  index {r['index_mb']:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
