"""Relevance benchmark: what each Arabic-analysis improvement does to ranking quality.

    .venv/bin/python bench/relevance/evaluate.py [--corpus DIR] [--index DIR] [--rebuild]
                                                [--depth 1000] [--out FILE] [--quiet]

Builds (once; reused while the analysis is unchanged) a tantivy index of SaudiNewsNet with
the production fields plus ablation fields (bench/relevance/ablation.py), runs every query
of queries.jsonl under every configuration, scores the rankings against qrels.tsv and prints:

* MAP, nDCG@10, P@10 and R@100 per configuration (cumulative improvements, then the
  production system with one improvement removed);
* for each improvement, the mean change with a paired randomization test, and the
  per-query changes of the queries whose top 100 it changes;
* the same means per query group (tags in queries.jsonl);
* how much of each configuration's top 10 / top 100 is judged (unjudged = non-relevant).

Everything is written as JSON to bench/out/relevance-results.json, and each run in TREC
format to bench/out/relevance-runs/.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import ablation as A
from metrics import (
    METRICS,
    load_qrels,
    load_queries,
    mean,
    paired_randomization,
    score_run,
)

from search.analysis import ANALYZER_VERSION
from search.query.parser import parse

DEFAULT_CORPUS = "/work/shared/data/saudinewsnet"
OUT = ROOT / "bench" / "out"


def _machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import tantivy

    info["tantivy"] = getattr(tantivy, "__version__", "?")
    return info


def fmt(x: float) -> str:
    return f"{x:.3f}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--index", default=str(OUT / "relevance-index"))
    p.add_argument("--rebuild", action="store_true", help="rebuild the index even if it is current")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--depth", type=int, default=1000, help="ranking depth scored (MAP is computed over it)")
    p.add_argument("--out", default=str(OUT / "relevance-results.json"))
    p.add_argument("--trials", type=int, default=20000, help="randomization-test permutations")
    p.add_argument("--quiet", action="store_true", help="tables only, no per-query deltas")
    args = p.parse_args(argv)

    queries = load_queries()
    qrels = load_qrels()
    missing = [q["id"] for q in queries if not any(g > 0 for g in qrels.get(q["id"], {}).values())]
    if missing:
        print(f"error: queries without a relevant judged document: {missing}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    index, info = A.open_or_build(args.corpus, Path(args.index), rebuild=args.rebuild, workers=args.workers)
    searcher = index.searcher()
    schema = A.build_schema()
    trees = {q["id"]: parse(q["query"]).tree for q in queries}

    # The benchmark's full configuration must be exactly what the product sends to the engine.
    mismatched = A.check_production_equivalence(list(trees.values()))
    if mismatched:
        print("WARNING: the production planner's clauses differ from configuration "
              f"{A.PRODUCTION} for {len(mismatched)} queries (search/query/plan.py changed?)", file=sys.stderr)

    runs: dict[str, dict[str, list[str]]] = {}
    for config in A.CONFIGS:
        runs[config.name] = {}
        for q in queries:
            if config.name == A.PRODUCTION:
                clause = A.production_clause(trees[q["id"]])
            else:
                clause = A.lower(trees[q["id"]], config)
            runs[config.name][q["id"]] = A.run(searcher, schema, clause, args.depth) if clause is not None else []
    elapsed = time.perf_counter() - started

    scores = {name: score_run(run, qrels) for name, run in runs.items()}
    means = {name: mean(s) for name, s in scores.items()}
    labels = {c.name: c.label for c in A.CONFIGS}
    qtext = {q["id"]: q["query"] for q in queries}
    metric_names = list(METRICS)

    # ---- main table -------------------------------------------------------------------
    today = dt.date.today().isoformat()
    machine = _machine()
    n_rel = sum(1 for j in qrels.values() for g in j.values() if g > 0)
    n_judged = sum(len(j) for j in qrels.values())
    print(f"Relevance benchmark, {today}, {len(queries)} queries, {n_judged} judgments ({n_rel} relevant), "
          f"{info['documents']} documents, analyzer {ANALYZER_VERSION}")
    print(f"machine: {machine.get('cpu', '?')} x{machine['cpus']}, python {machine['python']}; "
          f"runs took {elapsed:.1f} s")
    print()
    header = f"{'configuration':<58}" + "".join(f"{m:>9}" for m in metric_names)
    print(header)
    print("-" * len(header))
    for group, configs in (("cumulative", A.CUMULATIVE), ("leave one out", A.LEAVE_ONE_OUT),
                           ("experiments", A.EXPERIMENTS)):
        if group != "cumulative" and configs:
            print()
        for c in configs:
            print(f"{c.label:<58}" + "".join(f"{fmt(means[c.name][m]):>9}" for m in metric_names))

    # ---- per improvement ------------------------------------------------------------------
    comparisons = []
    print()
    print("Change per improvement (after - before; p: paired randomization test, two-sided)")
    for before, after in A.COMPARISONS:
        qids = sorted(set(scores[before]) & set(scores[after]))
        changed = [qid for qid in qids if runs[before][qid][:100] != runs[after][qid][:100]]
        entry = {"before": before, "after": after, "queries_changed_top100": changed, "delta": {}, "p": {}}
        parts = []
        for m in metric_names:
            a = [scores[before][qid][m] for qid in qids]
            b = [scores[after][qid][m] for qid in qids]
            d = sum(y - x for x, y in zip(a, b)) / len(qids)
            pv = paired_randomization(a, b, trials=args.trials)
            entry["delta"][m] = d
            entry["p"][m] = pv
            parts.append(f"{m} {d:+.3f} (p={pv:.3f})")
        entry["per_query"] = {qid: {m: scores[after][qid][m] - scores[before][qid][m] for m in metric_names}
                              for qid in changed}
        comparisons.append(entry)
        print(f"  {before} -> {after}: {len(changed)} queries change in the top 100")
        print("    " + "; ".join(parts))
        if not args.quiet:
            for qid in changed:
                d = entry["per_query"][qid]
                print(f"      {qid} {qtext[qid]:<40} " + " ".join(f"{m} {d[m]:+.3f}" for m in metric_names))

    # ---- per tag --------------------------------------------------------------------------
    tags = sorted({t for q in queries for t in q.get("tags", [])})
    by_tag = {}
    print()
    print("MAP / nDCG@10 per query group")
    print(f"{'group':<14}{'n':>4}" + "".join(f"{c.name:>20}" for c in A.CUMULATIVE))
    for tag in tags:
        qids = [q["id"] for q in queries if tag in q.get("tags", [])]
        by_tag[tag] = {c.name: mean({qid: scores[c.name][qid] for qid in qids}) for c in A.CONFIGS}
        cells = "".join(f"{by_tag[tag][c.name]['MAP']:>11.3f}/{by_tag[tag][c.name]['nDCG@10']:.3f}"
                        for c in A.CUMULATIVE)
        print(f"{tag:<14}{len(qids):>4}{cells}")

    # ---- judged fraction --------------------------------------------------------------------
    coverage = {}
    print()
    print("Judged fraction of each configuration's results (unjudged documents count as non-relevant)")
    for c in A.CONFIGS:
        cov = {}
        for k in (10, 20, 100):
            total = judged = 0
            for qid, ranking in runs[c.name].items():
                top = ranking[:k]
                total += len(top)
                judged += sum(1 for d in top if d in qrels.get(qid, {}))
            cov[f"@{k}"] = judged / total if total else 1.0
        coverage[c.name] = cov
        print(f"  {c.name:<24}" + "  ".join(f"{k} {v:.3f}" for k, v in cov.items()))

    # ---- output -----------------------------------------------------------------------------
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "date": today, "machine": machine, "analyzer_version": ANALYZER_VERSION, "index": info,
        "queries": len(queries), "judgments": n_judged, "relevant": n_rel, "depth": args.depth,
        "production_equivalence_mismatches": mismatched,
        "configurations": {c.name: {"label": labels[c.name], "word_chains": list(c.word_chains),
                                    "phrase": c.phrase, "means": means[c.name]} for c in A.CONFIGS},
        "comparisons": comparisons, "by_tag": by_tag, "judged_fraction": coverage,
        "per_query": scores, "seconds": round(elapsed, 1),
    }
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    run_dir = out.parent / "relevance-runs"
    run_dir.mkdir(exist_ok=True)
    for name, run in runs.items():
        lines = [f"{qid} Q0 {doc} {rank} {len(ranking) - rank + 1} {name}"
                 for qid, ranking in run.items() for rank, doc in enumerate(ranking, 1)]
        (run_dir / f"{name}.trec").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print()
    print(f"wrote {out} and {run_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
