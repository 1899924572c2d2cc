"""Page latency of the web UI over SaudiNewsNet, next to the raw backend search time.

    .venv/bin/python bench/bench_web.py [--index /tmp/snn-index] [--rounds 40] [--json out.json]

Builds the index at --index when it is missing (with ``indexer reindex`` when the facet
extractor is installed; otherwise from ``indexer.sources`` without entity facets, and says
so), then for each query measures, through Flask's test client in one process:
the backend's ``search()`` alone, the ``/search`` HTML page and ``/api/search``; p50 and p95.
Pages are timed three ways: with the result cache off (``SEARCH_CACHE_MB=0``: every
request does the whole search; the backend's per-query memos are dropped before each); "new URL": the cache on but every per-URL entry, and whatever the
backend memoizes per query (tantivy: walks of collapsed results, date histograms), dropped
before each request (``CachedBackend.forget_urls``), so only what a running server shares
between different URLs (the archive-wide counts, the archive's date histogram and story
walks, computed once per index generation) is reused; and "repeat": the cache on, the
URL asked before in this index generation. ``--cache off`` times only the first.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from timing import p50_p95  # bench/timing.py (the script's own directory)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SOURCE = ROOT.parent / "shared" / "data" / "saudinewsnet"

QUERIES = [
    ("browse everything", {}),
    ("one word", {"q": "داعش"}),
    ("two words", {"q": "الحوثيين عدن"}),
    ("phrase", {"q": '"مجلس الوزراء"'}),
    ("OR + prefix", {"q": "النفط OR الاقتصاد*"}),
    ("word + source filter", {"q": "السعودية", "source": "aawsat"}),
    ("word + date range, newest", {"q": "اليمن", "date": "2015-07..2015-08", "sort": "date"}),
    ("country facet filter", {"country": "SA"}),
    ("deep page 300", {"q": "السعودية", "page": "300"}),
    ("deepest page 1000, newest", {"sort": "date", "page": "1000"}),
    ("no results (suggests a filter)", {"q": "كلمةغيرموجودة", "source": "aawsat"}),
]


def build(index: Path, source: Path) -> str:
    """Build the index; returns how it was built."""
    try:
        from indexer.extract import extract_facets  # noqa: F401

        exe = Path(sys.executable).with_name("indexer")
        subprocess.run([str(exe), "reindex", str(source), "--index", str(index), "-q"], check=True)
        return "indexer reindex (with facet extraction)"
    except ImportError:
        pass
    from concurrent.futures import ProcessPoolExecutor

    from indexer.sources import iter_documents
    from search.backends.tantivy_backend import TantivyBackend
    from search.model import StoredDocument

    def docs():
        for d in iter_documents([str(source)], lambda p: None):
            yield StoredDocument(id=d.id, title=d.title, body=d.body, date=d.date, source=d.source,
                                 url=d.url, author=d.author, origin=d.origin)

    backend = TantivyBackend(index)
    with backend.new_build() as b, ProcessPoolExecutor(max(1, (os.cpu_count() or 1))) as pool:
        for prepared in pool.map(TantivyBackend.prepare, docs(), chunksize=64):
            b.add(prepared)
        b.commit({"sources": [str(source)], "note": "bench fallback: no entity facets"})
    return "fallback: indexer.sources without facet extraction (country/org/troops facets empty)"



def timed(fn, rounds: int, before=None) -> list[float]:
    fn()  # warm-up (first-use caches, reader reload)
    out = []
    for _ in range(rounds):
        if before:
            before()
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def fetch(client, path: str, qs: str) -> None:
    resp = client.get(f"{path}?{qs}" if qs else path)
    assert resp.status_code == 200, (path, qs, resp.status_code)
    resp.get_data()


def _memory_mb() -> dict:
    """This process's memory from smaps_rollup: anonymous (private heap), USS, PSS, and the
    mapped files (tantivy reads its segments through mmap: page cache, reclaimable)."""
    raw = {}
    with open("/proc/self/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                raw[parts[0][:-1]] = int(parts[1])
    return {"rss": raw.get("Rss", 0) // 1024, "anon": raw.get("Anonymous", 0) // 1024,
            "uss": (raw.get("Private_Clean", 0) + raw.get("Private_Dirty", 0)) // 1024,
            "pss": raw.get("Pss", 0) // 1024, "file": raw.get("Pss_File", 0) // 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="/tmp/snn-index", help="index directory (built if missing)")
    ap.add_argument("--source", default=str(SOURCE), help="SaudiNewsNet directory of zips")
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--cache", choices=("both", "off"), default="both",
                    help="also time pages with the result cache on (default: both)")
    args = ap.parse_args()

    from search.backends.tantivy_backend import TantivyBackend

    index = Path(args.index)
    how = "reused"
    if not TantivyBackend(index).exists():
        started = time.perf_counter()
        how = build(index, Path(args.source))
        print(f"built {index} in {time.perf_counter() - started:.0f}s: {how}", file=sys.stderr)

    from werkzeug.datastructures import MultiDict

    from app import create_app
    from web.params import parse_state

    app = create_app({"SEARCH_INDEX": str(index), "SECRET_KEY": "bench", "SEARCH_CACHE_MB": 0})
    client = app.test_client()
    cached_client = cached = None
    if args.cache == "both":
        cached_app = create_app({"SEARCH_INDEX": str(index), "SECRET_KEY": "bench"})
        cached_client, cached = cached_app.test_client(), cached_app.extensions["search_cached"]
    backend = app.extensions["search_backend"]
    forget_queries = getattr(backend, "forget_queries", None)
    stats = backend.stats()
    print(f"index: {stats['documents']} documents ({how})")
    print(f"{'query':32} {'hits':>7}  {'backend p50/p95':>16}  {'HTML p50/p95':>14}  {'API p50/p95':>14}"
          + ("  new URL: HTML p50/p95   API p50/p95  repeat: HTML p50/p95   API p50/p95" if cached_client else ""))
    rows = []
    html_all, api_all, html_cached_all, api_cached_all, html_new_all, api_new_all = [], [], [], [], [], []
    for label, params in QUERIES:
        qs = urlencode(params)
        state = parse_state(MultiDict(params))
        request = state.request()
        total = backend.search(request).total

        # Cache off: every request searches; per-query memos of the backend are dropped too.
        t_backend = timed(lambda r=request: backend.search(r), args.rounds, forget_queries)
        t_html = timed(lambda q=qs: fetch(client, "/search", q), args.rounds, forget_queries)
        t_api = timed(lambda q=qs: fetch(client, "/api/search", q), args.rounds, forget_queries)
        html_all += t_html
        api_all += t_api
        row = {"query": label, "params": params, "total": total,
               "backend_ms": p50_p95(t_backend),
               "html_ms": p50_p95(t_html),
               "api_ms": p50_p95(t_api)}
        line = (f"{label:32} {total:7d}  {row['backend_ms'][0]:7.1f}/{row['backend_ms'][1]:<7.1f}  "
                f"{row['html_ms'][0]:6.1f}/{row['html_ms'][1]:<6.1f}  {row['api_ms'][0]:6.1f}/{row['api_ms'][1]:<6.1f}")
        if cached_client:
            forget = cached.forget_urls  # per-URL entries and per-query memos; the archive's stay
            t_html_n = timed(lambda q=qs: fetch(cached_client, "/search", q), args.rounds, forget)
            t_api_n = timed(lambda q=qs: fetch(cached_client, "/api/search", q), args.rounds, forget)
            html_new_all += t_html_n
            api_new_all += t_api_n
            row["html_new_url_ms"] = p50_p95(t_html_n)
            row["api_new_url_ms"] = p50_p95(t_api_n)
            line += (f"  {row['html_new_url_ms'][0]:13.1f}/{row['html_new_url_ms'][1]:<6.1f} "
                     f"{row['api_new_url_ms'][0]:6.1f}/{row['api_new_url_ms'][1]:<6.1f}")
            t_html_c = timed(lambda q=qs: fetch(cached_client, "/search", q), args.rounds)
            t_api_c = timed(lambda q=qs: fetch(cached_client, "/api/search", q), args.rounds)
            html_cached_all += t_html_c
            api_cached_all += t_api_c
            row["html_cached_ms"] = p50_p95(t_html_c)
            row["api_cached_ms"] = p50_p95(t_api_c)
            line += (f"  {row['html_cached_ms'][0]:12.1f}/{row['html_cached_ms'][1]:<6.1f} "
                     f"{row['api_cached_ms'][0]:6.1f}/{row['api_cached_ms'][1]:<6.1f}")
        rows.append(row)
        print(line, flush=True)
    doc_id = backend.search(parse_state(MultiDict({"q": "داعش"})).request()).hits[0].id
    t_doc = timed(lambda: fetch(client, f"/doc/{doc_id}", urlencode({"q": "داعش"})), args.rounds)
    summary = {"documents": stats["documents"], "built": how, "rounds": args.rounds, "queries": rows,
               "all_html_ms": p50_p95(html_all),
               "all_api_ms": p50_p95(api_all),
               "doc_html_ms": p50_p95(t_doc),
               "mean_html_ms": round(statistics.fmean(html_all), 1),
               "machine": f"load {os.getloadavg()[0]:.1f}", "date": time.strftime("%Y-%m-%d %H:%M")}
    if cached_client:
        summary["all_html_new_url_ms"] = p50_p95(html_new_all)
        summary["all_api_new_url_ms"] = p50_p95(api_new_all)
        summary["all_html_cached_ms"] = p50_p95(html_cached_all)
        summary["all_api_cached_ms"] = p50_p95(api_cached_all)
    print(f"all queries: /search p50 {summary['all_html_ms'][0]} ms, p95 {summary['all_html_ms'][1]} ms; "
          f"/api/search p50 {summary['all_api_ms'][0]} ms, p95 {summary['all_api_ms'][1]} ms; "
          f"/doc p50 {summary['doc_html_ms'][0]} ms, p95 {summary['doc_html_ms'][1]} ms (cache off)")
    if cached_client:
        print(f"new URL: /search p50 {summary['all_html_new_url_ms'][0]} ms, p95 {summary['all_html_new_url_ms'][1]} ms; "
              f"/api/search p50 {summary['all_api_new_url_ms'][0]} ms, p95 {summary['all_api_new_url_ms'][1]} ms")
        print(f"repeat: /search p50 {summary['all_html_cached_ms'][0]} ms, p95 {summary['all_html_cached_ms'][1]} ms; "
              f"/api/search p50 {summary['all_api_cached_ms'][0]} ms, p95 {summary['all_api_cached_ms'][1]} ms")
    summary["serving_memory_mb"] = _memory_mb()
    print("this process after the run (MB): " + ", ".join(f"{k} {v}" for k, v in summary["serving_memory_mb"].items())
          + "  (anon: own heap; file: mapped index files, i.e. page cache)")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
