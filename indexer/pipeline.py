"""Turn source documents into indexable documents: facet extraction plus backend analysis.

The CPU-heavy part runs in a pool of worker processes fed a bounded number of chunks at a
time, so memory stays flat however large the corpus is.
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator

from indexer.extract import extract_facets, load_corrections
from indexer.sources import SourceDocument
from search.model import StoredDocument

CHUNK = 64

_corrections = None
_prepare: Callable | None = None


def to_stored(src: SourceDocument, corrections=None) -> StoredDocument:
    """Extract facets (with evidence) from a source document's title and body."""
    body_ex = extract_facets(src.body, corrections)
    title_ex = extract_facets(src.title, corrections) if src.title else None
    countries = set(body_ex.country_codes)
    orgs = set(body_ex.org_names)
    troops = list(body_ex.troop_values)
    troops_max = body_ex.max_troops
    extraction = {"body": body_ex.to_dict()}
    if title_ex is not None:
        countries.update(title_ex.country_codes)
        orgs.update(title_ex.org_names)
        extraction["title"] = title_ex.to_dict()
    return StoredDocument(
        id=src.id, title=src.title, body=src.body, date=src.date, source=src.source,
        url=src.url, author=src.author, origin=src.origin,
        countries=sorted(countries), orgs=sorted(orgs), troops=sorted(set(troops)),
        troops_max=troops_max, extraction=extraction)


def _init_worker(prepare: Callable | None, corrections_path: str | None) -> None:
    global _corrections, _prepare
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
            corrections_path: str | None = None, workers: int | None = None) -> Iterator:
    """Yield ``prepare(to_stored(doc))`` for every document, in input order.

    ``workers=0`` runs in this process (small inputs, tests); otherwise a process pool.
    """
    workers = default_workers() if workers is None else workers
    if workers <= 0:
        _init_worker(prepare, corrections_path)
        for chunk in _chunks(docs, CHUNK):
            yield from _work(chunk)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(prepare, corrections_path)) as pool:
        pending: deque = deque()
        for chunk in _chunks(docs, CHUNK):
            pending.append(pool.submit(_work, chunk))
            if len(pending) >= workers * 3:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def default_workers() -> int:
    env = os.environ.get("INDEXER_WORKERS")
    if env is not None:
        return int(env)
    return os.cpu_count() or 1
