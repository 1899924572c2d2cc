"""Full rebuild: read sources, extract facets, analyze, build a new index, switch atomically."""
from __future__ import annotations

import os
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from indexer.arrivals import ArrivalMemory
from indexer.pipeline import ReadingProcess, process
from indexer.progress import Progress
from indexer.stories.assign import StoryStream
from indexer.sources import NOTE_KINDS, Problem, SourceDocument, iter_documents
from search.backends.base import Backend

# Documents held back so that a story's earliest version, read a little later, still names
# the versions read before it (docs/stories.md). Each holds its analysed text: ~2,000 x ~30 KB.
STORY_WINDOW = int(os.environ.get("INDEXER_STORY_WINDOW", 2000))

Reader = Callable[[list, Callable[[Problem], None]], Iterable[SourceDocument]]


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
    started_at: str | None = None
    generation: str | None = None
    stories: int | None = None  # stories found (None: story detection off)
    story_versions: int = 0  # documents that joined an existing story
    story_fixups: int = 0  # story ids corrected after their versions were written
    arrivals_kept: int = 0  # documents that kept the arrival time of the live index's same id
    arrivals_by_content: int = 0  # ... or of a live document with the same text (renamed files)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def docs_per_second(self) -> float:
        return self.indexed / self.seconds if self.seconds > 0 else 0.0

    @property
    def mb_per_second(self) -> float:
        return self.input_bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        return {"indexed": self.indexed, "skipped": self.skipped, "skipped_total": self.skipped_total,
                "duplicates": self.duplicates, "notes": self.notes, "seconds": round(self.seconds, 3),
                "docs_per_second": round(self.docs_per_second, 1), "input_bytes": self.input_bytes,
                "mb_per_second": round(self.mb_per_second, 3), "started_at": self.started_at,
                "committed": self.committed, "generation": self.generation, "reason": self.reason,
                "stories": self.stories, "story_versions": self.story_versions, "story_fixups": self.story_fixups,
                "arrivals_kept": self.arrivals_kept, "arrivals_by_content": self.arrivals_by_content,
                "problems": [{"path": p.path, "line": p.line, "kind": p.kind, "reason": p.reason,
                              "note": p.kind in NOTE_KINDS}
                             for p in self.problems]}


def reindex(backend: Backend, sources: list[str], *, workers: int | None = None, strict: bool = False,
            corrections: str | None = None, progress: Progress | None = None,
            read: Reader | None = None, stories: bool = True,
            fingerprint: dict | None = None) -> ReindexSummary:
    """Rebuild ``backend``'s index from ``sources``; the live index is replaced only on success.

    Nothing is committed when no document was readable, or when ``strict`` and anything was
    skipped; any exception (including Ctrl-C) aborts the build and leaves the live index.
    ``read(sources, on_problem)`` replaces ``iter_documents`` (benchmarks feed generated corpora).
    ``stories=False`` skips story detection: every document is a story of its own (benchmarks).
    ``fingerprint`` (indexer.fingerprint) is recorded in the build information.
    """
    summary = ReindexSummary(started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    started = time.perf_counter()

    def on_problem(p: Problem) -> None:
        summary.problems.append(p)
        if progress:
            progress.skip(note=p.kind in NOTE_KINDS)

    def on_bytes(n: int) -> None:
        summary.input_bytes += n

    reader = read or iter_documents
    with backend.new_build() as build:
        # Read under the build's write lock: no add can slip in between.
        memory = ArrivalMemory.read(backend)
        if progress:
            progress.start()
        if ReadingProcess.suitable(reader, sources, workers):
            # Digests are computed there; the arrival times are looked up here (the memory
            # stays in this process) and travel with each chunk to its worker.
            docs = ReadingProcess(reader, sources, on_problem, on_bytes, arrivals=memory)
        else:
            docs = memory.stamp(_counting(reader(sources, on_problem), summary))
        # closing(): on an error or Ctrl-C the worker pool stops now, not when the
        # traceback that references this frame is finally dropped.
        stream = StoryStream(backend.story_info, backend.set_story, STORY_WINDOW) if stories else None
        prepare = getattr(build, "prepare", None) or getattr(backend, "prepare", None)
        with closing(process(docs, prepare, corrections, workers)) as prepared_docs:
            for prepared in prepared_docs:
                for ready in (stream.push(prepared) if stream else (prepared,)):
                    build.add(ready)
                if progress:
                    progress.update()
        if stream:
            for ready in stream.drain():
                build.add(ready)
            fixups = stream.fixups()
            if fixups:
                build.relabel(fixups)
            summary.stories, summary.story_versions = len(stream.index), stream.index.joined
            summary.story_fixups = len(fixups)
        kinds = Counter(p.kind for p in summary.problems)
        summary.duplicates = kinds.get("duplicate", 0)
        summary.notes = {k: kinds.pop(k) for k in sorted(NOTE_KINDS) if k in kinds}
        summary.skipped = dict(sorted(kinds.items()))
        summary.indexed = build.count
        summary.arrivals_kept, summary.arrivals_by_content = memory.kept_by_id, memory.kept_by_content
        if build.count == 0:
            summary.reason = "no readable documents"
            build.abort()
        elif strict and summary.skipped_total:
            summary.reason = "inputs were skipped and --strict is set"
            build.abort()
        else:
            build.commit({"sources": [os.path.abspath(s) for s in sources],
                          "skipped": summary.skipped, "duplicates": summary.duplicates,
                          "notes": summary.notes, "input_bytes": summary.input_bytes,
                          "stories": summary.stories,
                          **({"fingerprint": fingerprint} if fingerprint else {})})
            summary.committed = True
            summary.generation = _generation(backend)
    if progress:
        progress.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _generation(backend: Backend) -> str | None:
    gens = getattr(backend, "gens", None)  # embedded engine only; stats() would be slower
    return gens.current_name() if gens is not None else None


def _counting(docs: Iterable[SourceDocument], summary: ReindexSummary) -> Iterator[SourceDocument]:
    for d in docs:
        summary.input_bytes += len(d.body.encode("utf-8")) + len((d.title or "").encode("utf-8"))
        yield d
