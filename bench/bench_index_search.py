"""Benchmark: reindex SaudiNewsNet end to end and query it through the backend interface.

Reports docs/s, MB/s, peak RSS and index size for (a) our pipeline (Python Arabic analysis of
three chains + facet extraction, pre-tokenized into tantivy) and (b) tantivy's own built-in
tokenizer indexing the same texts in the same run (the ceiling for this engine), then query
latency p50/p95 for a few queries with facets and 10 highlighted snippets.

    .venv/bin/python bench/bench_index_search.py [--corpus DIR] [--limit N] [--out DIR]
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
    n = size = 0
    for d in _limited(iter_documents([corpus], lambda p: None), limit):
        writer.add_document(tantivy.Document(id=d.id, title=d.title or "", body=d.body))
        n += 1
        size += len(d.body.encode()) + len((d.title or "").encode())
    writer.commit()
    writer.wait_merging_threads()
    secs = time.perf_counter() - started
    q.put({"docs": n, "seconds": secs, "bytes": size, "rss_mb": _peak_rss_mb(), "index_mb": _dir_mb(index)})


def phase_ours(corpus: str, index: str, limit: int, workers, q) -> None:
    from indexer.reindex import reindex
    import indexer.reindex as r
    from search.backends.tantivy_backend import TantivyBackend

    shutil.rmtree(index, ignore_errors=True)
    if limit:  # bound the corpus for quick runs
        real = r.iter_documents
        r.iter_documents = lambda srcs, cb, **kw: _limited(real(srcs, cb, **kw), limit)
    be = TantivyBackend(index)
    summary = reindex(be, [corpus], workers=workers)
    gen = be.gens.current_path()
    q.put({"docs": summary.indexed, "seconds": summary.seconds, "bytes": summary.input_bytes,
           "rss_mb": _peak_rss_mb(), "children_rss_mb": _peak_rss_mb(children=True),
           "index_mb": _dir_mb(gen), "skipped": summary.skipped, "duplicates": summary.duplicates})


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
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ref = _run(phase_reference, args.corpus, str(out / "ref-index"), args.limit)
    ours = _run(phase_ours, args.corpus, str(out / "snn-index"), args.limit, args.workers)
    lat = query_latency(str(out / "snn-index"), args.repeats)
    report = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
              f"{platform.python_implementation()} {platform.python_version()}", "reference": ref, "ours": ours,
              "queries": lat}
    for name, r in (("tantivy built-in tokenizer", ref), ("ours (pipeline)", ours)):
        print(f"{name:28s} {r['docs']:7d} docs  {r['docs'] / r['seconds']:8.0f} docs/s  "
              f"{r['bytes'] / 1e6 / r['seconds']:6.2f} MB/s  peak RSS {r['rss_mb']:.0f} MB"
              + (f" (workers {r['children_rss_mb']:.0f} MB)" if "children_rss_mb" in r else "")
              + f"  index {r['index_mb']:.0f} MB")
    ratio = (ours["docs"] / ours["seconds"]) / (ref["docs"] / ref["seconds"])
    print(f"ratio ours/built-in: {ratio:.3f}")
    for text, r in lat.items():
        print(f"query {text!r:22s} hits {r['total']:6d}  p50 {r['p50_ms']:6.2f} ms  p95 {r['p95_ms']:6.2f} ms")
    report["ratio"] = ratio
    (out / "bench_index_search.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
