"""What the lead field (search/lead.py) costs: indexing work per article and query time.

    flock /work/.bench.lock .venv/bin/python bench/bench_lead.py --index DIR [--docs N] [--rounds R]

Both halves compare with and without the lead in the same process, alternating rounds, so
the shared machine's load moves both alike:

* indexing: ``analyze_document`` (the tantivy worker's whole per-article work: three chains
  over title and body, the lead, the story signature) over the first N SaudiNewsNet
  articles, CPU time, with the lead and with ``lead_text`` returning nothing;
* queries: the ranking set's 164 queries compiled with the production ``RANKING`` and with
  the same ranking at ``lead=0``, each run on the product's index at ``DIR`` (a SaudiNewsNet
  ``indexer reindex``), top 10 with the total count, as the results page asks.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from timing import p50_p95  # noqa: E402

CORPUS = "/work/shared/data/saudinewsnet"
QUERIES = ROOT / "bench" / "relevance" / "ranking" / "queries.jsonl"


def indexing(n: int, rounds: int) -> dict:
    import search.backends.tantivy_schema as schema
    from indexer.sources import iter_documents
    from search.model import StoredDocument

    docs = []
    for doc in iter_documents([CORPUS], lambda problem: None):
        docs.append(StoredDocument(id=doc.id, title=doc.title, body=doc.body, date=doc.date, source=doc.source))
        if len(docs) >= n:
            break
    real = schema.lead_text
    times: dict[str, list[float]] = {"with": [], "without": []}
    schema.analyze_document(docs[0])  # builds the analyzers
    for _ in range(rounds):
        for label, fn in (("without", lambda title, body: ""), ("with", real)):
            schema.lead_text = fn
            started = time.process_time()
            for d in docs:
                schema.analyze_document(d)
            times[label].append(time.process_time() - started)
    schema.lead_text = real
    best = {k: min(v) for k, v in times.items()}
    return {"articles": len(docs), "seconds": times,
            "ms_per_article": {k: round(1000 * v / len(docs), 4) for k, v in best.items()},
            "ratio": round(best["with"] / best["without"], 4)}


def queries(index_dir: str, rounds: int) -> dict:
    from search.backends.tantivy_backend import TantivyBackend
    from search.backends.tantivy_query import compile_clause
    from search.query.parser import parse
    from search.query.plan import lower_query
    from search.query.ranking import RANKING

    backend = TantivyBackend(Path(index_dir))
    index = backend._index()
    searcher, schema = index.searcher(), backend.schema
    texts = [json.loads(line)["query"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    rankings = {"with": RANKING, "without": dataclasses.replace(RANKING, lead=0.0)}
    compiled = {k: [compile_clause(schema, lower_query(parse(t).tree, r)) for t in texts] for k, r in rankings.items()}
    ms: dict[str, list[float]] = {"with": [], "without": []}
    for q in compiled["with"] + compiled["without"]:
        searcher.search(q, limit=10, count=True)  # warm the caches both ways
    for _ in range(rounds):
        for label in ("without", "with"):
            for q in compiled[label]:
                started = time.perf_counter()
                searcher.search(q, limit=10, count=True)
                ms[label].append(1000 * (time.perf_counter() - started))
    return {"queries": len(texts), "p50_p95_ms": {k: p50_p95(v) for k, v in ms.items()},
            "mean_ratio": round(sum(ms["with"]) / sum(ms["without"]), 3)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--index", required=True, help="a SaudiNewsNet index built by `indexer reindex` (layout with lead_plus)")
    p.add_argument("--docs", type=int, default=3000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--out")
    args = p.parse_args(argv)
    out = {"indexing": indexing(args.docs, args.rounds), "queries": queries(args.index, args.rounds)}
    i, q = out["indexing"], out["queries"]
    print(f"indexing, {i['articles']} articles, best of {args.rounds} (CPU): without lead "
          f"{i['ms_per_article']['without']} ms/article, with {i['ms_per_article']['with']} (x{i['ratio']})")
    print(f"queries, {q['queries']} x {args.rounds} rounds, p50/p95 ms: without lead {q['p50_p95_ms']['without']}, "
          f"with {q['p50_p95_ms']['with']} (total time x{q['mean_ratio']})")
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
