"""The de-duplication tables: correct across growth, whitespace-blind, id-preserving."""
from __future__ import annotations

import random

from indexer.sources.dedupe import Deduper, _normalized, _Table
from indexer.sources.model import SourceDocument


def doc(id_: str, body: str) -> SourceDocument:
    return SourceDocument(id=id_, title=None, body=body, date=None, source=None, url=None, author=None, origin="x")


def test_table_survives_growth():
    rng = random.Random(16)
    keys = [rng.getrandbits(64) or 1 for _ in range(20_000)]
    table = _Table(values=True, capacity=8)
    for i, key in enumerate(keys):
        table.put(key, i)
    assert all(table.get(key) == i for i, key in enumerate(keys))
    assert sum(table.get(rng.getrandbits(64) or 1) is not None for _ in range(1000)) == 0


def test_normalized_matches_split_join():
    for body in ["a b\nc\n\nd", "a  b", "a\tb", "a\u00a0b", "نص\u200fعربي", "x"]:
        assert _normalized(body) == " ".join(body.split())


def test_deduper_names_the_first_id_and_renames_reused_ids():
    d = Deduper()
    assert d.check(doc("a", "نص أول"), "p", 1) == (doc("a", "نص أول"), None)
    kept, problem = d.check(doc("b", "نص  أول"), "q", 2)
    assert kept is None and (problem.kind, problem.reason) == ("duplicate", "duplicate of a (same text); skipped")
    kept, problem = d.check(doc("a", "نص ثان"), "q", 3)
    assert kept.id == "a:dup2" and problem.kind == "duplicate_id"
    kept, _ = d.check(doc("a", "نص ثالث"), "q", 4)
    assert kept.id == "a:dup3"
    _, problem = d.check(doc("z", "نص ثالث"), "q", 5)
    assert problem.reason == "duplicate of a:dup3 (same text); skipped"
