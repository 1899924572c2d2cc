"""Benchmarks of story detection and of the story/trend pages (docs/stories.md).

    flock /work/.bench.lock .venv/bin/python bench/bench_stories.py pairs [--index SNN_INDEX]
    flock /work/.bench.lock .venv/bin/python bench/bench_stories.py indexing [--rounds 2]
    flock /work/.bench.lock .venv/bin/python bench/bench_stories.py web --index PATH [--rounds 20]

``pairs``: precision and recall of "same story" against the hand-labelled SaudiNewsNet pairs
of bench/stories/labelled_pairs.json, per threshold, on the estimated similarity of the
production signatures; raw over the sample and weighted by the size of each similarity
stratum among all LSH candidate pairs of the corpus. With ``--index``, also whether each
labelled pair ended up in one story in that index (the rule compares with the earliest
version, not pairwise).

``indexing``: the real rebuild of SaudiNewsNet with and without story detection, alternated
in one run (A B A B), plus the per-document cost of each part measured in-process.

``web``: latency of /search (one hit per story vs versions=all, first and a deep page),
/api/search, /trend and /api/trend through Flask's test client, p50/p95.
"""
from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from timing import pct  # bench/timing.py (the script's own directory)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SOURCE = ROOT.parent / "shared" / "data" / "saudinewsnet"
PAIRS = ROOT / "bench" / "stories" / "labelled_pairs.json"
STRATA = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def corpus(source: Path) -> list:
    from indexer.sources import iter_documents

    return list(iter_documents([str(source)], lambda p: None, dedupe=True))


def pairs(args) -> dict:
    from search.stories.signature import band_keys, signature, similarity

    docs = corpus(Path(args.source))
    started = time.perf_counter()
    sigs = {d.id: signature(d.body) for d in docs}
    sig_s = time.perf_counter() - started
    # Population of each stratum: every pair of documents sharing an LSH band.
    table = collections.defaultdict(list)
    for doc_id, sig in sigs.items():
        if sig is not None:
            for key in band_keys(sig):
                table[key].append(doc_id)
    candidates = {tuple(sorted(p)) for ids in table.values() for p in itertools.combinations(ids[:200], 2)}
    population = collections.Counter()
    for a, b in candidates:
        sim = similarity(sigs[a], sigs[b])
        if sim >= STRATA[0]:
            population[max(s for s in STRATA if s <= sim + 1e-9)] += 1
    labelled = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    rows = []
    for p in labelled:
        sim = similarity(sigs[p["a"]], sigs[p["b"]])
        rows.append((p["stratum"], sim, p["label"] == "version"))
    per_stratum = collections.Counter(r[0] for r in rows)
    report = {"labelled": len(rows), "versions": sum(r[2] for r in rows),
              "labels": collections.Counter(p["label"] for p in labelled),
              "candidate_pairs": len(candidates), "population": {str(k): v for k, v in sorted(population.items())},
              "signature_ms_per_doc": round(sig_s / len(docs) * 1000, 3), "thresholds": []}
    print(f"{len(rows)} labelled pairs ({report['versions']} versions); {len(candidates):,} LSH candidate pairs; "
          f"signature {report['signature_ms_per_doc']} ms/doc")
    print(f"{'threshold':>9} {'precision':>9} {'recall':>6} {'weighted P':>10} {'weighted R':>10}")
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        tp = sum(1 for _, s, v in rows if s >= t and v)
        fp = sum(1 for _, s, v in rows if s >= t and not v)
        fn = sum(1 for _, s, v in rows if s < t and v)
        w = {st: population.get(st, 0) / per_stratum[st] for st in per_stratum}
        wtp = sum(w[st] for st, s, v in rows if s >= t and v)
        wfp = sum(w[st] for st, s, v in rows if s >= t and not v)
        wfn = sum(w[st] for st, s, v in rows if s < t and v)
        row = {"threshold": t, "precision": round(tp / (tp + fp), 3) if tp + fp else None,
               "recall": round(tp / (tp + fn), 3) if tp + fn else None,
               "weighted_precision": round(wtp / (wtp + wfp), 3) if wtp + wfp else None,
               "weighted_recall": round(wtp / (wtp + wfn), 3) if wtp + wfn else None}
        report["thresholds"].append(row)
        print(f"{t:>9} {row['precision']!s:>9} {row['recall']!s:>6} {row['weighted_precision']!s:>10} "
              f"{row['weighted_recall']!s:>10}")
    if args.index:
        from search.backends.tantivy_backend import TantivyBackend

        be = TantivyBackend(args.index)
        same = [(be.get(p["a"]).story == be.get(p["b"]).story, p["label"] == "version") for p in labelled]
        tp = sum(1 for s, v in same if s and v)
        fp = sum(1 for s, v in same if s and not v)
        fn = sum(1 for s, v in same if not s and v)
        report["index"] = {"same_story_precision": round(tp / (tp + fp), 3) if tp + fp else None,
                           "same_story_recall": round(tp / (tp + fn), 3), "build": be.stats()["build"].get("stories")}
        print(f"in the index ({args.index}): labelled versions in one story: precision "
              f"{report['index']['same_story_precision']}, recall {report['index']['same_story_recall']}")
    return report


def _reindex_once(source: str, index: str, stories: bool, q) -> None:
    import shutil

    from indexer.reindex import reindex
    from search.backends.tantivy_backend import TantivyBackend

    shutil.rmtree(index, ignore_errors=True)
    s = reindex(TantivyBackend(index), [source], stories=stories)
    q.put({"stories": stories, "docs": s.indexed, "seconds": round(s.seconds, 2),
           "docs_per_s": round(s.docs_per_second, 1), "found": s.stories, "joined": s.story_versions,
           "fixups": s.story_fixups})


def indexing(args) -> dict:
    import multiprocessing as mp

    from indexer.stories.assign import StoryStream
    from search.backends.tantivy_backend import TantivyBackend
    from search.backends.tantivy_schema import analyze_document
    from search.stories import story_fields

    runs = []
    ctx = mp.get_context("spawn")
    for r in range(args.rounds):
        for stories in (False, True):
            q = ctx.Queue()
            p = ctx.Process(target=_reindex_once, args=(args.source, args.scratch, stories, q))
            p.start()
            runs.append(q.get())
            p.join()
            print(runs[-1], flush=True)
    off = [r["seconds"] for r in runs if not r["stories"]]
    on = [r["seconds"] for r in runs if r["stories"]]
    n = runs[0]["docs"]
    # The parts, in-process, on a sample: worker side (signature, bands) and indexing-process side.
    from indexer.pipeline import to_stored

    sample = [to_stored(d) for d in corpus(Path(args.source))[: args.sample]]
    t = time.perf_counter()
    for d in sample:
        story_fields(d)
    worker_ms = (time.perf_counter() - t) / len(sample) * 1000
    t = time.perf_counter()
    prepared = [analyze_document(d) for d in sample]
    analyze_ms = (time.perf_counter() - t) / len(sample) * 1000
    stream = StoryStream(TantivyBackend.story_info, TantivyBackend.set_story, window=2000)
    t = time.perf_counter()
    for p in prepared:
        for _ in stream.push(p):
            pass
    for _ in stream.drain():
        pass
    main_us = (time.perf_counter() - t) / len(sample) * 1e6
    # Memory of the story tables (the prepared documents exist before, so are not counted).
    import tracemalloc

    tracemalloc.start()
    measured = StoryStream(TantivyBackend.story_info, TantivyBackend.set_story, window=0)
    for p in prepared:
        for _ in measured.push(p):
            pass
    table_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    per_story = table_bytes / max(len(measured.index), 1)
    report = {"docs": n, "runs": runs, "seconds_without": off, "seconds_with": on,
              "added_per_doc_ms": round((statistics.median(on) - statistics.median(off)) / n * 1000, 3),
              "ratio": round(statistics.median(on) / statistics.median(off), 3),
              "worker_signature_ms_per_doc": round(worker_ms, 3),
              "worker_analyze_document_ms_per_doc": round(analyze_ms, 3),
              "main_process_us_per_doc": round(main_us, 1), "sample": len(sample),
              "story_table_bytes_per_story": round(per_story), "sample_stories": len(measured.index)}
    print(f"rebuild {n:,} docs: without stories {statistics.median(off):.1f}s, with {statistics.median(on):.1f}s "
          f"(x{report['ratio']}, +{report['added_per_doc_ms']} ms/doc wall); per doc: signature+bands "
          f"{worker_ms:.3f} ms in a worker (of {analyze_ms:.3f} ms for the whole prepare), "
          f"{main_us:.1f} us in the indexing process; story table {per_story:,.0f} bytes per story "
          f"({len(measured.index):,} stories of {len(sample):,} documents)")
    return report



def web(args) -> dict:
    from app import create_app

    app = create_app({"SEARCH_INDEX": args.index, "SECRET_KEY": "bench"})
    client = app.test_client()
    be = app.extensions["search_backend"]
    stats = be.stats()
    cases = [
        ("/search browse, stories", "/search", {}),
        ("/search browse, versions=all", "/search", {"versions": "all"}),
        ("/search word, stories", "/search", {"q": "السعودية"}),
        ("/search word, versions=all", "/search", {"q": "السعودية", "versions": "all"}),
        ("/search word p50, stories", "/search", {"q": "السعودية", "page": "50"}),
        ("/search word p50, versions=all", "/search", {"q": "السعودية", "versions": "all", "page": "50"}),
        ("/search date sort p200, stories", "/search", {"sort": "date", "page": "200"}),
        ("/api/search word, stories", "/api/search", {"q": "اليمن"}),
        ("/trend 1 query", "/trend", {"q": "اليمن"}),
        ("/api/trend 3 queries", "/api/trend", {"q": ["اليمن", "داعش", "النفط"]}),
        ("/api/trend 3 queries, share", "/api/trend", {"q": ["اليمن", "داعش", "النفط"], "scale": "share"}),
        ("/doc with versions", None, {}),
    ]
    from search.model import SearchRequest
    from search.query import parse

    versioned = next((h for h in be.search(SearchRequest(query=parse("السعودية").tree, page_size=50)).hits
                      if h.version_count > 1), None)
    print(f"index {args.index}: {stats['documents']:,} documents")
    out = []
    for label, path, params in cases:
        if path is None:
            if versioned is None:
                continue
            path, params = f"/doc/{versioned.id}", {}
        url = path + ("?" + urlencode(params, doseq=True) if params else "")
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)  # canonical URLs: no redirect
        times = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            client.get(url).get_data()
            times.append((time.perf_counter() - t) * 1000)
        out.append({"case": label, "url": url, "p50_ms": round(pct(times, 50), 1), "p95_ms": round(pct(times, 95), 1)})
        print(f"{label:36} p50 {out[-1]['p50_ms']:8.1f} ms  p95 {out[-1]['p95_ms']:8.1f} ms", flush=True)
    return {"index": args.index, "documents": stats["documents"], "stories": (stats.get("build") or {}).get("stories"),
            "rounds": args.rounds, "cases": out}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("pairs", "indexing", "web"))
    ap.add_argument("--source", default=str(SOURCE))
    ap.add_argument("--index", help="pairs: an index of the corpus to check; web: the index to serve")
    ap.add_argument("--scratch", default="/tmp/bench-stories-index", help="indexing: where to build")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--sample", type=int, default=3000)
    ap.add_argument("--json", help="write the report here")
    args = ap.parse_args()
    if args.rounds is None:
        args.rounds = 2 if args.what == "indexing" else 20
    started = {"date": time.strftime("%Y-%m-%d %H:%M"), "load": round(os.getloadavg()[0], 1)}
    report = {"pairs": pairs, "indexing": indexing, "web": web}[args.what](args)
    report.update(started, load_at_end=round(os.getloadavg()[0], 1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
