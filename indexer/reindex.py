"""Full rebuild: read sources, extract facets, analyze, build a new index, switch atomically."""
from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field

from indexer.pipeline import process
from indexer.progress import Progress
from indexer.sources import NOTE_KINDS, Problem, iter_documents
from search.backends.base import Backend


@dataclass
class ReindexSummary:
    indexed: int = 0
    skipped: dict = field(default_factory=dict)
    duplicates: int = 0
    notes: dict = field(default_factory=dict)  # reported, nothing lost (see NOTE_KINDS)
    seconds: float = 0.0
    input_bytes: int = 0
    committed: bool = False
    reason: str | None = None  # why nothing was committed
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def docs_per_second(self) -> float:
        return self.indexed / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        return {"indexed": self.indexed, "skipped": self.skipped, "skipped_total": self.skipped_total,
                "duplicates": self.duplicates, "notes": self.notes, "seconds": round(self.seconds, 3),
                "docs_per_second": round(self.docs_per_second, 1), "input_bytes": self.input_bytes,
                "committed": self.committed, "reason": self.reason,
                "problems": [{"path": p.path, "line": p.line, "kind": p.kind, "reason": p.reason}
                             for p in self.problems]}


def reindex(backend: Backend, sources: list[str], *, workers: int | None = None, strict: bool = False,
            corrections: str | None = None, progress: Progress | None = None) -> ReindexSummary:
    """Rebuild ``backend``'s index from ``sources``; the live index is replaced only on success.

    Nothing is committed when no document was readable, or when ``strict`` and anything was
    skipped; any exception (including Ctrl-C) aborts the build and leaves the live index.
    """
    summary = ReindexSummary()
    started = time.perf_counter()
    docs = _counting(iter_documents(sources, summary.problems.append), summary)
    with backend.new_build() as build:
        for prepared in process(docs, getattr(backend, "prepare", None), corrections, workers):
            build.add(prepared)
            if progress:
                progress.update()
        kinds = Counter(p.kind for p in summary.problems)
        summary.duplicates = kinds.get("duplicate", 0)
        summary.notes = {k: kinds.pop(k) for k in sorted(NOTE_KINDS) if k in kinds}
        summary.skipped = dict(sorted(kinds.items()))
        summary.indexed = build.count
        if build.count == 0:
            summary.reason = "no readable documents"
            build.abort()
        elif strict and summary.skipped_total:
            summary.reason = "inputs were skipped and --strict is set"
            build.abort()
        else:
            build.commit({"sources": [os.path.abspath(s) for s in sources],
                          "skipped": summary.skipped, "duplicates": summary.duplicates})
            summary.committed = True
    if progress:
        progress.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _counting(docs, summary: ReindexSummary):
    for d in docs:
        summary.input_bytes += len(d.body.encode("utf-8")) + len((d.title or "").encode("utf-8"))
        yield d
