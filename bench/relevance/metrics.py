"""Reading the query set and judgments, and the ranking metrics (trec_eval definitions).

Unjudged documents count as non-relevant. A document is relevant when its grade is >= 1;
nDCG uses the grade itself as the gain (0, 1, 2) with log2(rank + 1) discounting, as
trec_eval's ``ndcg_cut`` does.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries.jsonl"
QRELS = HERE / "qrels.tsv"


def load_queries(path: Path = QUERIES) -> list[dict]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


def load_qrels(path: Path = QRELS) -> dict[str, dict[str, int]]:
    """qid -> docid -> grade. Format: ``qid 0 docid grade`` (whitespace separated)."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    if not path.exists():
        return qrels
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 4:
            raise ValueError(f"{path}:{n}: expected 4 fields, got {line!r}")
        qid, _, docid, grade = parts
        if docid in qrels[qid]:
            raise ValueError(f"{path}:{n}: {qid} {docid} judged twice")
        qrels[qid][docid] = int(grade)
    return qrels


def average_precision(ranking: list[str], judged: dict[str, int]) -> float:
    relevant = sum(1 for g in judged.values() if g > 0)
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranking, 1):
        if judged.get(doc, 0) > 0:
            hits += 1
            total += hits / rank
    return total / relevant


def ndcg(ranking: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum(judged.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], 1))
    ideal_gains = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal_gains, 1))
    return dcg / idcg if idcg else 0.0


def precision(ranking: list[str], judged: dict[str, int], k: int = 10) -> float:
    return sum(1 for doc in ranking[:k] if judged.get(doc, 0) > 0) / k


def recall(ranking: list[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


METRICS = {
    "MAP": average_precision,
    "nDCG@10": lambda r, j: ndcg(r, j, 10),
    "P@10": lambda r, j: precision(r, j, 10),
    "R@100": lambda r, j: recall(r, j, 100),
}


def score_run(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, dict[str, float]]:
    """Per query, every metric (queries without a relevant judged document are skipped)."""
    out = {}
    for qid, ranking in run.items():
        judged = qrels.get(qid, {})
        if not any(g > 0 for g in judged.values()):
            continue
        out[qid] = {name: fn(ranking, judged) for name, fn in METRICS.items()}
    return out


def mean(per_query: dict[str, dict[str, float]]) -> dict[str, float]:
    if not per_query:
        return {name: 0.0 for name in METRICS}
    return {name: sum(m[name] for m in per_query.values()) / len(per_query) for name in METRICS}


def paired_randomization(a: list[float], b: list[float], trials: int = 20000, seed: int = 7) -> float:
    """Two-sided p-value of a paired randomization (sign-flip) test on mean(b - a)."""
    import random

    diffs = [y - x for x, y in zip(a, b)]
    if not diffs:
        return 1.0
    observed = abs(sum(diffs))
    if observed == 0:
        return 1.0
    rng = random.Random(seed)
    extreme = 0
    for _ in range(trials):
        s = sum(d if rng.random() < 0.5 else -d for d in diffs)
        if abs(s) >= observed - 1e-12:
            extreme += 1
    return (extreme + 1) / (trials + 1)
