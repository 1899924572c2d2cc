"""What listing the versions under each hit costs a collapsed page, two ways.

    flock /work/.bench.lock .venv/bin/python bench/bench_versions.py --index INDEX [--rounds 7] [--json out.json]

Each collapsed hit shows how many matching versions its story has and lists the earliest.
``/api/search`` (result cache off, ``partial=0``: the complete matches' page alone) with
the page's stories counted and listed by one date-sorted search (``VERSIONS_AT_ONCE``, the
default) against an aggregation plus one small search per story (``VERSIONS_AT_ONCE = 0``,
the way before), requests alternating in one process so load changes hit both; p50 of each
and the ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = ["داعش الموصل", "الحوثيين عدن", '"مجلس الوزراء"', '"خادم الحرمين الشريفين" اليمن', "تحرير عدن",
           "السعودية", "النفط OR الاقتصاد*"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--json")
    args = ap.parse_args()
    os.environ["SEARCH_CACHE_MB"] = "0"
    from app import create_app
    from search.backends import tantivy_backend

    client = create_app({"SEARCH_INDEX": args.index, "TESTING": True, "SECRET_KEY": "bench"}).test_client()
    at_once = tantivy_backend.VERSIONS_AT_ONCE

    def timed(q: str, limit: int) -> float:
        tantivy_backend.VERSIONS_AT_ONCE = limit
        started = time.perf_counter()
        resp = client.get("/api/search", query_string={"q": q, "partial": "0"})
        assert resp.status_code == 200, resp.data[:200]
        return (time.perf_counter() - started) * 1000

    rows = []
    try:
        for q in QUERIES:
            timed(q, at_once)  # the walk and the searcher warm for both
            one, per_story = [], []
            for _ in range(args.rounds):
                one.append(timed(q, at_once))
                per_story.append(timed(q, 0))
            row = {"query": q, "one_p50": statistics.median(one), "per_story_p50": statistics.median(per_story)}
            row["ratio"] = row["one_p50"] / row["per_story_p50"]
            rows.append(row)
            print(f"{q:<34} one search {row['one_p50']:7.1f} ms  aggregation + one per story "
                  f"{row['per_story_p50']:7.1f} ms  x{row['ratio']:.2f}", flush=True)
    finally:
        tantivy_backend.VERSIONS_AT_ONCE = at_once
    print(f"median ratio {statistics.median(r['ratio'] for r in rows):.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "rounds": args.rounds, "load": os.getloadavg()},
                                              indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
