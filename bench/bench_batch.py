"""A 1,000-line batch over SaudiNewsNet, next to single searches of the same lines; feed polls.

    flock /work/.bench.lock .venv/bin/python bench/bench_batch.py [--index /work/scratch/15/snn-index] [--json out.json]

Builds the index with ``indexer reindex`` when it is missing. The lines are drawn from the
corpus itself: organization facet values (as phrases), country names, frequent two-word
phrases of titles, and some full queries combining them. Measured in one process through
Flask's test client: the whole batch as a POST (streamed HTML, time to first row and to the
end), its CSV, per-line ``summarize`` p50/p95, and as the reference in the same run the
results-page search (10 highlighted hits, five facets) of the same lines. Also: a feed
poll answered 304 against a full feed, and the rebuild's arrival scan.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from timing import pct  # bench/timing.py (the script's own directory)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SOURCE = ROOT.parent / "shared" / "data" / "saudinewsnet"
WORD = re.compile(r"[\u0621-\u064a]{3,}")



def corpus_lines(backend, n: int) -> list[str]:
    """``n`` distinct lines made of names, organizations and phrases found in the corpus."""
    from search.facets import country_name
    from search.model import SearchRequest
    from search.query import parse

    res = backend.search(SearchRequest(parse("").tree, page_size=0, facets=("org", "country"), facet_size=400,
                                       highlight=False))
    orgs = [f'"{b.value}"' for b in res.facets["org"].buckets]
    countries = [country_name(b.value) for b in res.facets["country"].buckets]
    pairs: Counter = Counter()
    for doc in backend.iter_matches(SearchRequest(parse("").tree, sort="date"), batch=1000):
        words = WORD.findall(doc.title or "")
        pairs.update(f'"{a} {b}"' for a, b in zip(words, words[1:]))
    phrases = [p for p, c in pairs.most_common(2 * n) if c >= 3]
    lines = list(dict.fromkeys(orgs + countries))
    combos = [f"{a} {b}" for a, b in zip(orgs, countries)] + [f"{a} OR {b}" for a, b in zip(countries, countries[1:])]
    for extra in (combos[: n // 10], phrases):
        lines.extend(x for x in extra if x not in lines)
    return lines[:n]


def build(index: Path, source: Path) -> None:
    exe = Path(sys.executable).with_name("indexer")
    subprocess.run([str(exe), "reindex", str(source), "--index", str(index), "-q"], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="/work/scratch/15/snn-index")
    ap.add_argument("--source", default=str(SOURCE))
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()

    from search.backends.tantivy_backend import TantivyBackend

    index = Path(args.index)
    if not TantivyBackend(index).exists():
        started = time.perf_counter()
        build(index, Path(args.source))
        print(f"built {index} in {time.perf_counter() - started:.0f}s", file=sys.stderr)

    from werkzeug.datastructures import MultiDict

    from app import create_app
    from web import batch as batches
    from web.pages import search_url
    from web.params import parse_state

    app = create_app({"SEARCH_INDEX": str(index), "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    backend = app.extensions["search_backend"]
    docs = backend.stats()["documents"]
    lines = corpus_lines(backend, args.lines)
    print(f"index: {docs:,} documents; {len(lines):,} lines from the corpus, e.g. {lines[:3]} ... {lines[-2:]}")

    with app.test_request_context():
        batch = batches.read_lines(lines, parse_state(MultiDict()))
        batches_rows = list(batches.run(backend, batch, search_url))  # warm-up: caches, reader
        per_line, reference = [], []
        for line in batch.lines:
            state = parse_state(MultiDict([("q", line.text)]))
            t = time.perf_counter()
            summary = backend.summarize(state.request(page_size=0, facets=(), highlight=False))
            per_line.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            full = backend.search(state.request())
            reference.append((time.perf_counter() - t) * 1000)
            assert full.total == summary.total, line
    matched = sum(1 for r in batches_rows if r.total)

    started = time.perf_counter()
    resp = client.post("/batch", data={"lines": "\n".join(lines), "action": "run"})
    first_row = None
    size = 0
    for chunk in resp.response:
        size += len(chunk)
        if first_row is None and b'<tr class="row' in chunk:
            first_row = time.perf_counter() - started
    html_s = time.perf_counter() - started
    assert resp.status_code == 200 and first_row is not None
    started = time.perf_counter()
    csv_bytes = client.post("/batch", data={"lines": "\n".join(lines), "action": "csv"}).get_data()
    csv_s = time.perf_counter() - started

    feed_url = "/search.atom?q=%D8%A7%D9%84%D8%B3%D8%B9%D9%88%D8%AF%D9%8A%D8%A9"
    full_feed, cond_feed = [], []
    etag = client.get(feed_url).headers["ETag"]
    for _ in range(30):
        t = time.perf_counter()
        assert client.get(feed_url).status_code == 200
        full_feed.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        assert client.get(feed_url, headers={"If-None-Match": etag}).status_code == 304
        cond_feed.append((time.perf_counter() - t) * 1000)

    from indexer.arrivals import ArrivalMemory

    tracemalloc.start()
    t = time.perf_counter()
    memory = ArrivalMemory.read(TantivyBackend(index))
    scan_s = time.perf_counter() - t
    scan_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    out = {
        "documents": docs, "lines": len(lines), "lines_with_matches": matched,
        "batch_html_s": round(html_s, 2), "batch_first_row_s": round(first_row, 3), "batch_html_bytes": size,
        "batch_csv_s": round(csv_s, 2), "csv_bytes": len(csv_bytes),
        "per_line_ms": [round(pct(per_line, 50), 2), round(pct(per_line, 95), 2)],
        "reference_search_ms": [round(pct(reference, 50), 2), round(pct(reference, 95), 2)],
        "per_line_over_reference_p50": round(pct(per_line, 50) / pct(reference, 50), 3),
        "feed_full_ms": [round(pct(full_feed, 50), 2), round(pct(full_feed, 95), 2)],
        "feed_304_ms": [round(pct(cond_feed, 50), 2), round(pct(cond_feed, 95), 2)],
        "arrival_scan_s": round(scan_s, 3), "arrival_scan_docs": len(memory),
        "arrival_scan_peak_mb": round(scan_peak / 1e6, 1),
    }
    print(f"batch of {len(lines):,} lines ({matched:,} with matches): HTML streamed in {html_s:.2f} s "
          f"(first row after {first_row * 1000:.0f} ms, {size / 1e3:.0f} kB); CSV in {csv_s:.2f} s")
    print(f"per line (summarize): p50 {out['per_line_ms'][0]} ms, p95 {out['per_line_ms'][1]} ms; "
          f"reference results-page search: p50 {out['reference_search_ms'][0]} ms, "
          f"p95 {out['reference_search_ms'][1]} ms; ratio p50 {out['per_line_over_reference_p50']}")
    print(f"feed: full p50 {out['feed_full_ms'][0]} ms, 304 p50 {out['feed_304_ms'][0]} ms")
    print(f"arrival scan: {len(memory):,} documents in {scan_s:.2f} s, peak {out['arrival_scan_peak_mb']} MB traced")
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
