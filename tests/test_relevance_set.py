"""The relevance set (bench/relevance/) is well-formed: queries, judgments and document ids.

Fast: no index is built. Document ids are checked against the corpus reader's id space by
reading only a few of the SaudiNewsNet archives (skipped when the corpus is not there).
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REL = ROOT / "bench" / "relevance"
SAUDI = ROOT.parent / "shared" / "data" / "saudinewsnet"
ID = re.compile(r"^(\d{4}-\d\d-\d\d\.zip)~\d{4}-\d\d-\d\d\.json:\d+$")


def _queries() -> list[dict]:
    return [json.loads(line) for line in (REL / "queries.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _qrels() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in (REL / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(tuple(line.split()))
    return rows


def test_queries_are_complete():
    queries = _queries()
    assert len(queries) >= 30
    ids = [q["id"] for q in queries]
    assert len(set(ids)) == len(ids)
    from search.query.parser import parse
    from search.query.tree import MatchAll

    for q in queries:
        assert {"id", "query", "need", "notes"} <= set(q), q
        assert q["query"].strip() and len(q["need"]) > 40, q["id"]
        parsed = parse(q["query"])
        assert not isinstance(parsed.tree, MatchAll) and not parsed.notices, q["id"]


def test_qrels_format_and_coverage():
    queries = {q["id"] for q in _queries()}
    rows = _qrels()
    assert all(len(r) == 4 for r in rows)
    assert all(r[1] == "0" and r[3] in {"0", "1", "2"} for r in rows)
    assert {r[0] for r in rows} <= queries
    pairs = Counter((r[0], r[2]) for r in rows)
    assert max(pairs.values()) == 1, "a document is judged twice for one query"
    relevant = Counter(r[0] for r in rows if r[3] != "0")
    assert all(relevant[q] >= 1 for q in queries), sorted(q for q in queries if not relevant[q])
    assert all(ID.match(r[2]) for r in rows), [r[2] for r in rows if not ID.match(r[2])][:5]


@pytest.mark.skipif(not SAUDI.is_dir(), reason="SaudiNewsNet corpus not available")
def test_judged_ids_exist_in_corpus_reader_id_space():
    from indexer.sources import iter_documents

    by_archive: dict[str, set[str]] = defaultdict(set)
    for r in _qrels():
        by_archive[ID.match(r[2]).group(1)].add(r[2])
    assert all((SAUDI / name).is_file() for name in by_archive), "qrels name an archive that is not there"
    # Three archives (a fixed, spread-out sample) are read in full: every judged id in them
    # must be a document the reader yields.
    names = sorted(by_archive)
    sample = [names[0], names[len(names) // 2], names[-1]]
    for name in sample:
        seen = {d.id for d in iter_documents([str(SAUDI / name)], lambda p: None)}
        missing = by_archive[name] - seen
        assert not missing, f"{name}: {sorted(missing)[:5]}"
