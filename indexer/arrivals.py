"""Arrival times a rebuild keeps, so that a rebuild never floods every feed with "new" articles.

Before building, ``indexer reindex`` streams (id, content digest, arrival) out of the live
index into two compact tables (about 32-64 bytes per document each, indexer.sources.dedupe's
open-addressing table); each incoming document then keeps the arrival time of the live
document with its id, else of one with the same content (a renamed or moved file), else it
arrives with the build.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Iterable, Iterator

from indexer.sources import SourceDocument
from indexer.sources.dedupe import U64Table, content_digest
from search.arrival import from_ms


def _id_key(doc_id: str) -> int:
    digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1  # 0 marks an empty slot


class ArrivalMemory:
    """The live index's arrival times by id and by content digest (the earliest one)."""

    def __init__(self):
        self.by_id = U64Table(values=True)
        self.by_digest = U64Table(values=True)
        self.kept_by_id = 0
        self.kept_by_content = 0

    @classmethod
    def read(cls, backend) -> "ArrivalMemory":
        memory = cls()
        for doc_id, digest, ms in backend.iter_arrivals():
            memory.by_id.set(_id_key(doc_id), ms)
            if digest:
                old = memory.by_digest.get(digest)
                if old is None or ms < old:
                    memory.by_digest.set(digest, ms)
        return memory

    def __len__(self) -> int:
        return len(self.by_id)

    def arrival(self, doc_id: str, digest: int) -> int | None:
        ms = self.by_id.get(_id_key(doc_id))
        if ms is not None:
            self.kept_by_id += 1
            return ms
        ms = self.by_digest.get(digest)
        if ms is not None:
            self.kept_by_content += 1
        return ms

    def stamp(self, docs: Iterable[SourceDocument]) -> Iterator[SourceDocument]:
        """The documents with their digest, and their kept arrival time where there is one."""
        for d in docs:
            digest = d.digest if d.digest is not None else content_digest(d.body)
            ms = self.arrival(d.id, digest) if len(self) else None
            yield replace(d, digest=digest, arrived=from_ms(ms) if ms is not None else d.arrived)
