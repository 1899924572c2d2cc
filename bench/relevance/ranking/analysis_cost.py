"""What the analysis changes of issue 16 cost at indexing: time and index terms.

    flock /work/.bench.lock .venv/bin/python bench/relevance/ranking/analysis_cost.py [--docs N] [--out FILE]

Issue 16 adds no index field; it changes two chains: compound names (عبدربه -> عبد ربه) in
the decompounder of the plus and exact chains, and the proclitic filter in the plus chain.
This measures, on the first N SaudiNewsNet articles (title and body):

* the indexer's analysis CPU time of the three chains together (``joined_terms_all``, the
  indexer's path, cold caches), before and after, each in a fresh process, best of 3
  (CPU time, so that other jobs on the shared machine disturb it less; wall time recorded);
* the tokens and distinct terms of each chain (distinct terms drive the term dictionary;
  tokens drive the postings and positions).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
CORPUS = "/work/shared/data/saudinewsnet"
SETS = {"before": ("arabic", "rk_plus0", "rk_exact0"), "now": ("arabic", "arabic_plus", "arabic_exact")}


def texts(n: int) -> list[str]:
    from indexer.sources import iter_documents

    out = []
    for doc in iter_documents([CORPUS], lambda problem: None):
        out.extend(t for t in (doc.title, doc.body) if t)
        if len(out) >= 2 * n:
            break
    return out


def measure(which: str, n: int) -> dict:
    sys.path.insert(0, str(HERE))
    import systems as S

    from search.analysis.analyzer import joined_terms_all
    from search.backends.tantivy_schema import GAP

    S.register()
    chains = SETS[which]
    docs = texts(n)
    started = time.process_time()
    joined_terms_all(chains, "", GAP)  # builds the analyzers (word lists, filters)
    setup = time.process_time() - started
    started, wall = time.process_time(), time.perf_counter()
    columns = [joined_terms_all(chains, t, GAP) for t in docs]
    seconds, wall = time.process_time() - started, time.perf_counter() - wall
    out = {"seconds": seconds, "wall_seconds": wall, "setup_seconds": setup, "texts": len(docs)}
    for k, chain in enumerate(chains):
        terms = [w for col in columns for w in col[k].split() if w != GAP]
        out[chain] = {"tokens": len(terms), "distinct": len(set(terms))}
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=10000)
    p.add_argument("--out")
    p.add_argument("--child", choices=list(SETS))
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.docs)))
        return 0
    results = {}
    for which in SETS:
        runs = [json.loads(subprocess.run([sys.executable, __file__, "--child", which, "--docs", str(args.docs)],
                                          check=True, capture_output=True, text=True, cwd=ROOT).stdout)
                for _ in range(3)]
        best = min(runs, key=lambda r: r["seconds"])
        best["all_seconds"] = [round(r["seconds"], 2) for r in runs]
        results[which] = best
    b, n = results["before"], results["now"]
    print(f"{args.docs} articles ({b['texts']} titles and bodies), three chains, cold caches, best of 3, CPU time:")
    print(f"  analysis time: before {b['seconds']:.2f} s, now {n['seconds']:.2f} s "
          f"({100 * (n['seconds'] / b['seconds'] - 1):+.1f}%); analyzer setup per process "
          f"{b['setup_seconds']:.2f} s -> {n['setup_seconds']:.2f} s")
    for (cb, cn) in zip(SETS["before"], SETS["now"]):
        tb, tn = b[cb], n[cn]
        print(f"  {cn:<13} tokens {tb['tokens']} -> {tn['tokens']} ({100 * (tn['tokens'] / tb['tokens'] - 1):+.2f}%), "
              f"distinct terms {tb['distinct']} -> {tn['distinct']} "
              f"({100 * (tn['distinct'] / tb['distinct'] - 1):+.1f}%)")
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
