"""Turn source documents into indexable documents: facet extraction plus backend analysis.

The CPU-heavy part runs in a pool of worker processes fed a bounded number of chunks at a
time, so memory stays flat however large the corpus is. Workers are replaced by fresh
ones every ``RECYCLE_CHUNKS`` chunks: whatever per-process caches the analysis or the
extractors keep, a worker lives for a bounded number of documents.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from itertools import chain, islice
from typing import Callable, Iterable, Iterator

from indexer.extract import extract_facets, load_corrections
from indexer.sources import SourceDocument
from indexer.sources.dedupe import content_digest
from search.model import StoredDocument

CHUNK = 64
IN_FLIGHT_PER_WORKER = 3
SMALL_RUN_CHUNKS = 1  # inputs that fit in this many chunks are analysed in this process
# 2,000 chunks = 128,000 documents per pool. A replacement (start, then analysis with
# cold per-word caches) costs ~1 s: ~1% of the time those documents take
# (docs/indexer.md, "Workers and memory").
RECYCLE_CHUNKS = int(os.environ.get("INDEXER_RECYCLE_CHUNKS", 2000))
# "spawn": workers start clean. A fork would copy the indexing process as it is then,
# with the writer's threads running and the de-duplication tables (hundreds of MB on a
# large run), and every replacement would copy it again.
START_METHOD = os.environ.get("INDEXER_START_METHOD", "spawn")

_corrections = None
_prepare: Callable | None = None


MENTION_KEYS = ("value", "upper", "bound", "kind", "casualty", "noun", "word", "flags")


def to_stored(src: SourceDocument, corrections=None) -> StoredDocument:
    """Extract facets (with evidence) from a source document's title and body.

    Troop numbers of the title and the body both count. Force sizes and casualty counts are
    kept apart (``troops`` / ``casualties``); flagged numbers (implausible, rhetorical) stay in
    the evidence and ``troop_mentions`` but out of the values the facets, filters and sorts use.
    """
    body_ex = extract_facets(src.body, corrections)
    title_ex = extract_facets(src.title, corrections) if src.title else None
    parts = [body_ex] if title_ex is None else [title_ex, body_ex]
    countries = {c for ex in parts for c in ex.country_codes}
    orgs = {o for ex in parts for o in ex.org_names}
    force = {v for ex in parts for v in ex.force_values}
    casualties = {v for ex in parts for v in ex.casualty_values}
    mentions: dict[tuple, dict] = {}
    for t in (t for ex in parts for t in ex.troops):
        m = {k: getattr(t, k) for k in MENTION_KEYS}
        m["flags"] = list(t.flags)
        mentions.setdefault(tuple(m[k] for k in ("value", "upper", "kind", "casualty", "noun")), m)
    extraction = {"body": body_ex.to_dict()}
    if title_ex is not None:
        extraction["title"] = title_ex.to_dict()
    return StoredDocument(
        id=src.id, title=src.title, body=src.body, date=src.date, source=src.source,
        url=src.url, author=src.author, origin=src.origin,
        countries=sorted(countries), orgs=sorted(orgs), troops=sorted(force),
        troops_max=max(force) if force else None, extraction=extraction,
        casualties=sorted(casualties), casualties_max=max(casualties) if casualties else None,
        flags=sorted({f for t in (t for ex in parts for t in ex.troops) for f in t.flags}),
        troop_mentions=list(mentions.values()), arrived=src.arrived,
        digest=src.digest if src.digest is not None else content_digest(src.body))


def _init_worker(prepare: Callable | None, corrections_path: str | None, ignore_sigint: bool = False) -> None:
    global _corrections, _prepare
    if ignore_sigint:
        # Ctrl-C reaches the whole process group: the indexing process handles it and
        # stops the pool, instead of every worker printing its own traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked since start
    _prepare = prepare
    _corrections = load_corrections(corrections_path) if corrections_path else None


def _work(chunk: list[SourceDocument]) -> list:
    out = []
    for src in chunk:
        doc = to_stored(src, _corrections)
        out.append(_prepare(doc) if _prepare else doc)
    return out


def _chunks(docs: Iterable[SourceDocument], size: int) -> Iterator[list[SourceDocument]]:
    chunk: list[SourceDocument] = []
    for d in docs:
        chunk.append(d)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def process(docs: Iterable[SourceDocument], prepare: Callable | None = None,
            corrections_path: str | None = None, workers: int | None = None,
            recycle_chunks: int | None = None) -> Iterator:
    """Yield ``prepare(to_stored(doc))`` for every document, in input order.

    ``workers=0`` runs in this process (tests), as do inputs of at most
    ``SMALL_RUN_CHUNKS`` chunks; otherwise a process pool, replaced every
    ``recycle_chunks`` chunks (0: never).
    """
    workers = default_workers() if workers is None else workers
    chunks = _chunks(docs, CHUNK)
    if workers > 0:
        # Starting workers costs more than analysing a handful of documents here.
        head = list(islice(chunks, SMALL_RUN_CHUNKS + 1))
        if len(head) <= SMALL_RUN_CHUNKS:
            workers = 0
        chunks = chain(head, chunks)
    if workers <= 0:
        _init_worker(prepare, corrections_path)
        for chunk in chunks:
            yield from _work(chunk)
        return
    recycle = RECYCLE_CHUNKS if recycle_chunks is None else recycle_chunks
    context = multiprocessing.get_context(START_METHOD)

    def new_pool() -> ProcessPoolExecutor:
        # Not max_tasks_per_child: on Python 3.11 it can hang the pool (CPython gh-115634).
        return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                   initargs=(prepare, corrections_path, True))

    pool = new_pool()
    pending: deque = deque()  # futures, in input order
    submitted = 0
    try:
        for chunk in chunks:
            if recycle and submitted >= recycle:
                # Drain, then replace: old and new workers never hold memory at once.
                while pending:
                    yield from pending.popleft().result()
                pool.shutdown(wait=True)
                pool, submitted = new_pool(), 0
            with _sigint_deferred():
                pending.append(pool.submit(_work, chunk))
            submitted += 1
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        # On an error or Ctrl-C, do not wait for queued chunks nobody will read.
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _sigint_deferred():
    """Ctrl-C while ``submit`` starts a worker would leave it half-started and printing a
    traceback. Workers inherit this thread's signal mask, so with SIGINT blocked here it
    cannot reach them before their initializer ignores it; in this process it is only
    delayed to the end of the block (the signal may land on another thread meanwhile)."""
    hits: list[int] = []
    # Python handlers live in the main thread; None: a handler set outside Python, kept as is.
    in_main = threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is not None
    previous_handler = signal.signal(signal.SIGINT, lambda *_: hits.append(1)) if in_main else None
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        if in_main:
            signal.signal(signal.SIGINT, previous_handler)
            if hits:
                signal.raise_signal(signal.SIGINT)


def default_workers() -> int:
    env = os.environ.get("INDEXER_WORKERS")
    if env is not None:
        return int(env)
    return os.cpu_count() or 1
