"""Small tantivy indexes built the way the exactness tests of deep paging need them: many
equal dates, some undated documents, several segments, replaced and deleted documents
(tests/test_collapse_exact.py, tests/test_tantivy_seek.py)."""
from __future__ import annotations

import random
from pathlib import Path

from search.backends.tantivy_backend import TantivyBackend
from search.model import StoredDocument


def tied_date(rng: random.Random, undated: float) -> str | None:
    """One of few distinct times over three days (many ties); None with chance ``undated``."""
    if rng.random() < undated:
        return None
    return f"2015-07-{21 + rng.randrange(3)}T{rng.choice([0, 5, 23]):02d}:{rng.randrange(2):02d}:00Z"


def segmented_index(root: Path, first: list[StoredDocument], later: list[list[StoredDocument]],
                    deleted: list[str]) -> Path:
    """A build of ``first``, then each batch of ``later`` upserted (a segment each, replacing
    documents with the same id), then ``deleted`` removed."""
    backend = TantivyBackend(root)
    with backend.new_build() as build:
        for d in first:
            build.add(d)
        build.commit({"sources": ["test"]})
    for batch in later:
        backend.upsert(batch)
    backend.delete(deleted)
    return root
