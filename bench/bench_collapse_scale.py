"""Collapsed (one hit per story) page latency on a large index, this tree against another.

    flock /work/.bench.lock .venv/bin/python bench/bench_collapse_scale.py \\
        --index /work/scratch/11/scale/scale-index [--against /work/main] [--rounds 10] [--json out.json]

For each code tree (this one, and ``--against`` with its own ``.venv``), a child process
serves ``--index`` through Flask's test client and times each page three ways, like
bench/bench_web.py: **off** (``SEARCH_CACHE_MB=0``, and whatever the backend memoizes per
query dropped before each request), **new URL** (the result cache on, every per-URL entry and
per-query memo dropped before each request: only what a running server shares between
different URLs, computed once per index generation, is reused) and **repeat** (the same URL
asked before). The trees run one after the other (A B, or A B B A with ``--twice``), so the
ratio of the two is measured under the same load. Each case's first request (right after
the process opened the index, earlier cases having run) is reported as ``first_ms``.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from timing import p50_p95  # bench/timing.py (the script's own directory)

ROOT = Path(__file__).resolve().parent.parent

CASES = [
    ("browse", "/search", {}),
    ("word", "/search", {"q": "السعودية"}),
    ("word page 50", "/search", {"q": "السعودية", "page": "50"}),
    ("country filter", "/search", {"country": "SA"}),
    ("date sort page 200", "/search", {"sort": "date", "page": "200"}),
    ("trend 1 query", "/trend", {"q": "اليمن"}),
    ("api word", "/api/search", {"q": "اليمن"}),
]



def child(index: str, rounds: int) -> dict:
    """Runs inside the tree's own interpreter (its code first on sys.path)."""
    from app import create_app

    off_app = create_app({"SEARCH_INDEX": index, "SECRET_KEY": "bench", "SEARCH_CACHE_MB": 0})
    on_app = create_app({"SEARCH_INDEX": index, "SECRET_KEY": "bench"})
    logging.getLogger("search.access").setLevel(logging.WARNING)  # one line per request otherwise
    off_backend = off_app.extensions["search_backend"]
    cached = on_app.extensions["search_cached"]
    forget_off = getattr(off_backend, "forget_queries", None) or (lambda: None)

    def forget_new():
        if hasattr(cached, "forget_urls"):
            cached.forget_urls()
        else:  # a tree without it: the per-URL entries (its backend memoizes nothing per query)
            cached._lru.clear()
            getattr(cached.backend, "forget_queries", lambda: None)()

    clients = {"off": (off_app.test_client(), forget_off), "new": (on_app.test_client(), forget_new),
               "repeat": (on_app.test_client(), lambda: None)}
    out = {"documents": off_backend.stats()["documents"], "cases": []}
    for label, path, params in CASES:
        url = path + ("?" + urlencode(params, doseq=True) if params else "")
        row = {"case": label, "url": url}
        for mode, (client, before) in clients.items():
            times = []
            for i in range(rounds + 1):
                before()
                t = time.perf_counter()
                resp = client.get(url)
                resp.get_data()
                times.append((time.perf_counter() - t) * 1000)
                assert resp.status_code == 200, (url, resp.status_code)
            if mode == "off":
                row["first_ms"] = round(times[0], 1)
            times = times[1:]
            row[mode] = p50_p95(times)
        out["cases"].append(row)
        print(f"  {label:20} " + "  ".join(f"{m} {row[m][0]:7.1f}/{row[m][1]:<7.1f}" for m in clients)
              + f"  first {row['first_ms']:.0f}", file=sys.stderr, flush=True)
    return out


def run_tree(tree: Path, index: str, rounds: int) -> dict:
    python = tree / ".venv" / "bin" / "python"
    code = (f"import sys, json; sys.path.insert(0, {str(tree)!r}); sys.path.insert(1, {str(ROOT / 'bench')!r}); "
            f"import bench_collapse_scale as b; print(json.dumps(b.child({index!r}, {rounds})))")
    print(f"{tree}:", file=sys.stderr, flush=True)
    started = time.perf_counter()
    done = subprocess.run([str(python), "-c", code], cwd=tree, check=True, stdout=subprocess.PIPE, text=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report.update(tree=str(tree), commit=subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
                                                       capture_output=True, text=True).stdout.strip(),
                  seconds=round(time.perf_counter() - started))
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--against", help="another checkout (with its own .venv) timed in the same run")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--twice", action="store_true", help="A B B A instead of A B")
    ap.add_argument("--json")
    args = ap.parse_args()
    trees = [ROOT] + ([Path(args.against)] if args.against else [])
    order = trees + (trees[::-1] if args.twice else [])
    report = {"index": args.index, "rounds": args.rounds, "date": time.strftime("%Y-%m-%d %H:%M"),
              "load": round(os.getloadavg()[0], 1), "runs": []}
    for tree in order:
        report["runs"].append(run_tree(tree, args.index, args.rounds))
    report["load_at_end"] = round(os.getloadavg()[0], 1)
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
