"""Turn source documents into indexable documents: facet extraction plus backend analysis.

The CPU-heavy part runs in a pool of worker processes fed a bounded number of chunks at a
time, so memory stays flat however large the corpus is. Workers are replaced by fresh
ones every ``RECYCLE_CHUNKS`` chunks: whatever per-process caches the analysis or the
extractors keep, a worker lives for a bounded number of documents.

On large inputs the sources are read (decompressed, parsed, de-duplicated) by a process of
their own (``ReadingProcess``), which hands over ready pickled chunks: the indexing process
then only forwards them and writes the results, so its serial work per document stays
small however many workers run (docs/indexer.md, "Workers and memory").
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import stat
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import replace
from itertools import chain, islice
from typing import Callable, Iterable, Iterator

from indexer.extract import extract_facets, load_corrections
from indexer.sources import SourceDocument
from indexer.sources.dedupe import content_digest
from search.arrival import from_ms
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


def _work_pickled(item: tuple[bytes, list | None]) -> list:
    """A chunk from the reading process, with the arrival times kept for its documents."""
    chunk, arrivals = item
    docs = pickle.loads(chunk)
    if arrivals is not None:
        docs = [d if ms is None else replace(d, arrived=from_ms(ms)) for d, ms in zip(docs, arrivals)]
    return _work(docs)


def _chunks(docs: Iterable[SourceDocument], size: int) -> Iterator[list[SourceDocument]]:
    chunk: list[SourceDocument] = []
    for d in docs:
        chunk.append(d)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def process(docs, prepare: Callable | None = None,
            corrections_path: str | None = None, workers: int | None = None,
            recycle_chunks: int | None = None) -> Iterator:
    """Yield ``prepare(to_stored(doc))`` for every document, in input order.

    ``docs`` is an iterable of documents, or a ``ReadingProcess`` (chunks pickled by the
    process that reads them). ``workers=0`` runs in this process (tests), as do inputs of
    at most ``SMALL_RUN_CHUNKS`` chunks; otherwise a process pool, replaced every
    ``recycle_chunks`` chunks (0: never).
    """
    pickled = isinstance(docs, ReadingProcess)
    source = iter(docs) if pickled else _chunks(docs, CHUNK)
    try:
        yield from _process(source, _work_pickled if pickled else _work, prepare, corrections_path,
                            default_workers() if workers is None else workers, recycle_chunks)
    finally:
        source.close()  # a reading process stops now, not when this frame is collected


def _process(chunks: Iterator, work: Callable, prepare: Callable | None, corrections_path: str | None,
             workers: int, recycle_chunks: int | None) -> Iterator:
    if workers > 0:
        # Starting workers costs more than analysing a handful of documents here.
        head = list(islice(chunks, SMALL_RUN_CHUNKS + 1))
        if len(head) <= SMALL_RUN_CHUNKS:
            workers = 0
        chunks = chain(head, chunks)
    if workers <= 0:
        _init_worker(prepare, corrections_path)
        for chunk in chunks:
            yield from work(chunk)
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
                pending.append(pool.submit(work, chunk))
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


# Chunks the reading process may have ready before the indexing process takes them.
READ_AHEAD_CHUNKS = 16
# Inputs smaller than this (bytes of files) are read in the indexing process: starting a
# reading process (~0.3 s) would cost more than it saves.
READING_PROCESS_MIN_BYTES = int(os.environ.get("INDEXER_READING_PROCESS_MIN_BYTES", 4_000_000))


class ReadingProcess:
    """Documents read by a process of their own, as pickled chunks of ``CHUNK`` documents.

    ``read(sources, on_problem)`` (``indexer.sources.iter_documents`` or any picklable
    callable like it) runs there, and each document gets its content digest there;
    problems and the bytes of text read come back with the chunks, in order, and are
    passed to ``on_problem`` and ``on_bytes`` here. With ``arrivals`` (the live index's
    ``ArrivalMemory``, which stays in this process), the ids and digests come back too and
    each chunk is yielded with its documents' kept arrival times, as ``ArrivalMemory.stamp``
    gives them. Iterating yields ``(chunk, arrival times or None)``; the process is stopped
    when iteration ends, fails or is abandoned, and its death (killed) raises
    ``BrokenProcessPool`` like a worker's.
    """

    def __init__(self, read: Callable, sources: list, on_problem: Callable, on_bytes: Callable[[int], None],
                 arrivals=None):
        self.read, self.sources = read, sources
        self.on_problem, self.on_bytes = on_problem, on_bytes
        self.arrivals = arrivals if arrivals is not None and len(arrivals) else None

    @staticmethod
    def suitable(read: Callable, sources: list, workers: int | None) -> bool:
        """Worth it (workers run, the input is large) and possible (``read`` pickles)."""
        if (default_workers() if workers is None else workers) <= 0:
            return False
        try:
            pickle.dumps(read)
        except Exception:  # a closure or lambda: read in the indexing process
            return False
        return _input_bytes_at_least(sources, READING_PROCESS_MIN_BYTES)

    def __iter__(self) -> Iterator[bytes]:
        context = multiprocessing.get_context(START_METHOD)
        # A pipe, not a Queue: this process holds no writing end, so a reader killed in
        # the middle of a message ends in EOFError here instead of a read that never returns.
        receiving, sending = context.Pipe(duplex=False)
        reader = context.Process(target=_read_chunks, args=(self.read, self.sources, sending, bool(self.arrivals)),
                                 name="indexer-reader", daemon=True)
        with _sigint_deferred():
            reader.start()
        sending.close()
        try:
            while True:
                try:
                    kind, payload, problems, size, keys = pickle.loads(receiving.recv_bytes())
                except (EOFError, OSError):
                    reader.join(5)
                    raise BrokenProcessPool(f"the reading process died (exit code {reader.exitcode})") from None
                for problem in problems:
                    self.on_problem(problem)
                self.on_bytes(size)
                if kind == "chunk":
                    kept = None
                    if keys is not None:
                        kept = [self.arrivals.arrival(doc_id, digest) for doc_id, digest in keys]
                        if not any(ms is not None for ms in kept):
                            kept = None
                    yield payload, kept
                elif kind == "end":
                    return
                else:
                    raise payload
        finally:
            receiving.close()  # a reader still sending gets BrokenPipeError and ends
            reader.join(5)
            if reader.is_alive():
                reader.terminate()
                reader.join()


def _read_chunks(read: Callable, sources: list, sending, with_keys: bool) -> None:
    """The reading process: ``(kind, payload, problems, bytes, keys)`` messages, kind
    "chunk" (a pickled list of documents, with their ``(id, digest)`` when ``with_keys``),
    then "end", or "error" (the exception). A thread sends them, so that reading goes on
    while the indexing process is busy."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the indexing process handles Ctrl-C
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    outbox: queue.Queue = queue.Queue(maxsize=READ_AHEAD_CHUNKS)

    def send() -> None:
        while True:
            message = outbox.get()
            try:
                sending.send_bytes(message)
            except OSError:  # the indexing process stopped reading: nothing to do
                os._exit(0)
            if message is last[0]:
                return

    last: list = [None]
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    problems: list = []

    def put(kind: str, payload, size: int, keys=None) -> None:
        nonlocal problems
        message = pickle.dumps((kind, payload, problems, size, keys), pickle.HIGHEST_PROTOCOL)
        problems = []
        if kind != "chunk":
            last[0] = message
        outbox.put(message)

    try:
        chunk: list = []
        size = 0

        def put_chunk() -> None:
            keys = [(d.id, d.digest) for d in chunk] if with_keys else None
            put("chunk", pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL), size, keys)

        for doc in read(sources, lambda problem: problems.append(problem)):
            if doc.digest is None:  # as ArrivalMemory.stamp does in the indexing process
                doc = replace(doc, digest=content_digest(doc.body))
            chunk.append(doc)
            size += len(doc.body.encode("utf-8")) + len((doc.title or "").encode("utf-8"))
            if len(chunk) >= CHUNK:
                put_chunk()
                chunk, size = [], 0
        if chunk:
            put_chunk()
        put("end", None, 0)
    except BaseException as exc:  # noqa: BLE001 - handed to the indexing process
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"reading failed: {exc!r}")
        put("error", exc, 0)
    sender.join()
    sending.close()


def _input_bytes_at_least(sources: list, threshold: int, budget_s: float = 1.0) -> bool:
    """Whether the files under ``sources`` hold at least ``threshold`` bytes (True when
    walking takes longer than ``budget_s``: that many files is a large input)."""
    deadline = time.monotonic() + budget_s
    total = 0
    stack = [os.fspath(s) for s in sources]
    while stack:
        if total >= threshold or time.monotonic() > deadline:
            return True
        path = stack.pop()
        try:
            info = os.stat(path)
            if stat.S_ISDIR(info.st_mode):
                stack.extend(os.path.join(path, name) for name in os.listdir(path))
            else:
                total += info.st_size
        except OSError:
            continue
    return total >= threshold


def default_workers() -> int:
    env = os.environ.get("INDEXER_WORKERS")
    if env is not None:
        return int(env)
    return os.cpu_count() or 1
