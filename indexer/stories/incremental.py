"""Keep stories consistent when documents are added to or deleted from the live index.

``indexer add``: each new document looks for candidate versions through the LSH band keys
indexed with every document (a terms query on ``story_bands``), compares its signature with
each candidate story's earliest version and joins the most similar one at or above the
threshold (the rule of a rebuild, docs/stories.md). If it is earlier than that story's
earliest version, it names the story: the other versions are rewritten with its id.

``indexer delete``: deleting a story's earliest version gives the story to the next one
(date, then id); its other versions are rewritten with that id.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from search.model import StoredDocument
from search.stories import order_key, story_fields
from search.stories.signature import NUM_PERM, THRESHOLD, from_bytes, signature


def _similarity(a: bytes, b: np.ndarray) -> float:
    return float(np.count_nonzero(from_bytes(a) == b)) / NUM_PERM


def join_stories(backend, docs: list[StoredDocument], threshold: float = THRESHOLD) -> list[StoredDocument]:
    """``docs`` with their story set, plus already indexed versions whose story id changes.

    Documents earlier in ``docs`` count as indexed for the later ones. A document that
    replaces one with the same id first leaves its old story (as a deletion would).
    """
    out: dict[str, StoredDocument] = {}
    batch: list[tuple[StoredDocument, bytes, tuple[str, ...]]] = []
    for doc in docs:
        for moved in leave_stories(backend, [doc.id], keep_ids=set(out)):
            out.setdefault(moved.id, moved)
        doc = replace(doc, story=None)
        _, sig, bands = story_fields(doc)
        doc.story = doc.id
        if sig is not None:
            best = _best_story(backend, doc, sig, bands, batch, out, threshold)
            if best is not None:
                _join(backend, doc, best, out, batch)
            batch.append((doc, sig, tuple(bands)))
        out[doc.id] = doc
    return list(out.values())


def _best_story(backend, doc, sig, bands, batch, pending, threshold) -> str | None:
    """The story whose earliest version is most similar to ``doc`` (at least ``threshold``)."""
    stories: set[str] = set()
    for info in backend.story_candidates(list(bands)):
        if info.id != doc.id:
            stories.add(pending[info.id].story if info.id in pending else info.story or info.id)
    wanted = set(bands)
    for other, _, other_bands in batch:
        if other.id != doc.id and wanted.intersection(other_bands):
            stories.add(other.story)
    mine = from_bytes(sig)
    best, best_sim = None, threshold
    for story in sorted(stories):
        earliest = pending.get(story) or backend.get(story)
        if earliest is None:
            continue
        theirs = signature(earliest.body or "")
        if theirs is None:
            continue
        sim = float(np.count_nonzero(theirs == mine)) / NUM_PERM
        if sim >= best_sim and (best is None or sim > best_sim):
            best, best_sim = story, sim
    return best


def _join(backend, doc: StoredDocument, story: str, out: dict, batch) -> None:
    earliest = out.get(story) or backend.get(story)
    if earliest is None or order_key(doc.id, doc.date) > order_key(earliest.id, earliest.date):
        doc.story = story
        return
    # The new document is the story's earliest version: every version takes its id.
    doc.story = doc.id
    versions = {v.id: v for v in backend.story_versions([story])}
    versions.update({d.id: d for d, _, _ in batch if d.story == story})
    versions.update({d.id: d for d in out.values() if d.story == story})
    for v in versions.values():
        if v.id != doc.id:
            out[v.id] = replace(out.get(v.id, v), story=doc.id)


def leave_stories(backend, ids, keep_ids: set[str] = frozenset()) -> list[StoredDocument]:
    """Versions to rewrite when the documents ``ids`` go: stories they named pass to the next version."""
    gone = set(ids)
    moved: list[StoredDocument] = []
    for doc_id in dict.fromkeys(ids):
        doc = backend.get(doc_id)
        if doc is None or (doc.story or doc.id) != doc.id:
            continue
        rest = [v for v in backend.story_versions([doc_id]) if v.id not in gone and v.id not in keep_ids]
        if not rest:
            continue
        heir = rest[0].id  # story_versions lists them earliest first
        moved += [replace(v, story=heir) for v in rest]
    return moved
