"""The ranking set (bench/relevance/ranking/) is well-formed, and its stored figures follow
from its judgments.

Fast: no index is built. The stored results (results.json) carry, for the baseline and
the production ranking, each query's top 10 and which of those repeat a story above them,
plus the stories of each query's judged relevant articles; from these and qrels.tsv the
test recomputes nDCG@10, story-nDCG@10 and P@10 with the benchmark's own scorer, so a
change of the judgments or of the metric code that is not followed by a new evaluation
(or a broken evaluation) fails here.
"""
from __future__ import annotations

import json
import math
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RANKING = ROOT / "bench" / "relevance" / "ranking"
ID = re.compile(r"^(\d{4}-\d\d-\d\d\.zip)~\d{4}-\d\d-\d\d\.json:\d+$")
# Needs about events after SaudiNewsNet ends (11 August 2015), or that the archive does not
# cover (g36: Saudi Arabia's new coach is not in it; h18, h27, h52, h73: Abu Mahdi
# al-Muhandis, Kuwait's DNA law, women driving, the Saudi World Cup qualifiers): judged,
# nothing relevant.
WITHOUT_RELEVANT = {"n21", "n38", "n44", "n45", "n53", "g36", "h18", "h27", "h52", "h73"}
# Needs whose words are in fewer than 20 articles: every pooled system's whole list was judged.
SMALL_POOLS = {"g32": 2, "g36": 2}


def _queries() -> list[dict]:
    return [json.loads(line) for line in (RANKING / "queries.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _qrels() -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for line in (RANKING / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        q, zero, doc, grade = line.split()
        assert zero == "0" and grade in {"0", "1", "2"} and ID.match(doc), line
        assert doc not in out.setdefault(q, {}), f"{q} {doc} judged twice"
        out[q][doc] = int(grade)
    return out


def test_needs_and_split():
    queries = _queries()
    ids = [q["id"] for q in queries]
    assert len(ids) == len(set(ids)) == 244
    assert {i for i in ids if i.startswith("n")} == {f"n{k:02d}" for k in range(1, 65)}
    assert {i for i in ids if i.startswith("f")} == {f"f{k:02d}" for k in range(1, 41)}
    assert {i for i in ids if i.startswith("g")} == {f"g{k:02d}" for k in range(1, 61)}
    assert {i for i in ids if i.startswith("h")} == {f"h{k:02d}" for k in range(1, 81)}
    from search.query.parser import parse
    from search.query.tree import MatchAll

    for q in queries:
        assert q["query"].strip() and len(q["need"]) > 80 and "2:" in q["need"] and "1:" in q["need"], q["id"]
        parsed = parse(q["query"])
        assert not isinstance(parsed.tree, MatchAll) and not parsed.notices, q["id"]
    split = json.loads((RANKING / "split.json").read_text(encoding="utf-8"))
    assert sorted(split["dev"] + split["heldout"]) == sorted(i for i in ids if i.startswith("n"))
    assert len(split["dev"]) == len(split["heldout"]) == 32 and not set(split["dev"]) & set(split["heldout"])
    assert split["final"] == sorted(i for i in ids if i.startswith("f"))
    assert split["third"] == sorted(i for i in ids if i.startswith("g"))
    assert split["fourth"] == sorted(i for i in ids if i.startswith("h"))


def test_every_need_is_judged_to_the_pool_depth():
    qrels = _qrels()
    ids = {q["id"] for q in _queries()}
    assert set(qrels) == ids
    assert all(len(qrels[q]) >= 20 for q in ids - set(SMALL_POOLS)), sorted(q for q in ids if len(qrels[q]) < 20)
    assert {q: len(qrels[q]) for q in SMALL_POOLS} == SMALL_POOLS
    relevant = Counter(q for q, judged in qrels.items() for g in judged.values() if g > 0)
    assert {q for q in ids if not relevant[q]} == WITHOUT_RELEVANT


class _StoredStories:
    """The scorer's Stories interface, answered from the stored evidence."""

    def __init__(self, repeats: dict[tuple[str, ...], list[bool]], groups: dict[str, list[list[str]]]):
        self._repeats = repeats
        self._groups = {tuple(sorted(d for g in gs for d in g)): gs for gs in groups.values()}

    def repeats(self, ranking, threshold):
        return self._repeats[tuple(ranking[:10])] + [False] * max(0, len(ranking) - 10)

    def groups(self, docs, threshold):
        return self._groups[tuple(sorted(docs))]


@pytest.mark.parametrize("half", ["dev", "heldout", "final", "third", "fourth"])
def test_stored_metrics_follow_from_the_judgments(half):
    sys.path.insert(0, str(RANKING.parent))
    sys.path.insert(0, str(RANKING))
    from evaluate import Scorer  # the benchmark's own metric code

    results = json.loads((RANKING / "results.json").read_text(encoding="utf-8"))
    qrels = _qrels()
    evidence = results["evidence"]
    for name, runs in evidence["runs"][half].items():
        stored = results["halves"][half]["configs"][name]
        repeats = {tuple(r["top10"]): r["repeats10"] for r in runs.values()}
        scorer = Scorer(qrels, _StoredStories(repeats, evidence["relevant_stories"]))
        recomputed = {}
        for q, run in runs.items():
            m = scorer.score(q, run["top10"])
            recomputed[q] = m
            for metric in ("nDCG@10", "story-nDCG@10", "P@10"):
                assert math.isclose(m[metric], stored["per_query"][q][metric], abs_tol=1e-9), (half, name, q, metric)
        for metric in ("nDCG@10", "story-nDCG@10"):
            mean = statistics.fmean(m[metric] for m in recomputed.values())
            assert math.isclose(mean, stored["summary"][metric]["mean"], abs_tol=1e-9)
