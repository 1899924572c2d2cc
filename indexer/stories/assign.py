"""Group articles into stories while a full rebuild streams them (in-memory LSH, one pass).

A story is a group of versions of one text. An article joins the story whose *earliest*
version (by date, then id) it resembles most, if the estimated similarity of their
signatures is at least ``THRESHOLD``; otherwise it starts a story of its own. The story id
is its earliest version's id. Candidates come from the LSH band keys of each story's
earliest version only, so each story costs one signature and ``BANDS`` dictionary entries,
whatever its number of versions (docs/stories.md).
"""
from __future__ import annotations

from collections import deque
from typing import Iterator

import numpy as np

from search.stories import StoryInfo, order_key
from search.stories.signature import NUM_PERM, THRESHOLD, from_bytes


class StoryIndex:
    """Story assignment for one rebuild. ``assign`` returns a story number; ``label`` its id."""

    def __init__(self, threshold: float = THRESHOLD):
        self.threshold = threshold
        self._bands: dict[str, int] = {}  # band key of a story's earliest version -> story
        self._sigs = np.zeros((1024, NUM_PERM), dtype=np.uint32)  # earliest version's signature
        self._earliest: list[tuple[str, str]] = []  # order_key of the earliest version
        self._versions: list[int] = []
        self.joined = 0

    def __len__(self) -> int:
        return len(self._earliest)

    def assign(self, info: StoryInfo) -> int:
        key = order_key(info.id, info.date)
        if info.sig is None:
            return self._new(key, None, ())
        sig = from_bytes(info.sig)
        best, best_sim = -1, self.threshold
        for story in {self._bands[b] for b in info.bands if b in self._bands}:
            sim = np.count_nonzero(self._sigs[story] == sig) / NUM_PERM
            if sim >= best_sim and (sim > best_sim or best < 0 or story < best):
                best, best_sim = story, sim
        if best < 0:
            return self._new(key, sig, info.bands)
        self.joined += 1
        self._versions[best] += 1
        if key < self._earliest[best]:
            # An earlier version: it names the story and is what later articles are compared with.
            self._earliest[best] = key
            self._sigs[best] = sig
            for b in info.bands:
                self._bands.setdefault(b, best)
        return best

    def label(self, story: int) -> str:
        return self._earliest[story][1]

    def versions(self, story: int) -> int:
        return self._versions[story]

    def _new(self, key, sig, bands) -> int:
        story = len(self._earliest)
        self._earliest.append(key)
        self._versions.append(1)
        if sig is not None:
            if story >= len(self._sigs):
                self._sigs = np.concatenate([self._sigs, np.zeros_like(self._sigs)])
            self._sigs[story] = sig
            for b in bands:
                self._bands.setdefault(b, story)
        return story

    def memory_bytes(self) -> int:
        """Rough size of the tables (for the benchmark)."""
        import sys

        band_entries = len(self._bands) * (sys.getsizeof("0" * 17) + 28 + 40)
        return band_entries + self._sigs.nbytes + len(self._earliest) * 120


class StoryStream:
    """Story ids for the documents of a rebuild, written out through a reorder window.

    The indexing process sees documents in input order, not date order, so a story's
    earliest version may arrive after others were written. Documents wait in a window of
    ``window`` documents and get their story's id when they leave it; a story whose id
    changed after some of its versions were written is listed by ``fixups`` (old id -> new
    id), for the build to relabel before it is published.
    """

    def __init__(self, story_info, set_story, window: int = 2000, threshold: float = THRESHOLD):
        self.index = StoryIndex(threshold)
        self._info, self._set = story_info, set_story
        self.window = window
        self._pending: deque = deque()
        self._written: list[str | None] = []  # per story: the id its versions were written with
        self._stale: dict[str, int] = {}  # an id written earlier -> its story

    def push(self, prepared) -> Iterator:
        """Take one prepared document; yield those leaving the window, labelled."""
        self._pending.append((prepared, self.index.assign(self._info(prepared))))
        while len(self._pending) > self.window:
            yield self._out(*self._pending.popleft())

    def drain(self) -> Iterator:
        while self._pending:
            yield self._out(*self._pending.popleft())

    def _out(self, prepared, story: int):
        label = self.index.label(story)
        if story >= len(self._written):
            self._written.extend([None] * (story + 1 - len(self._written)))
        before = self._written[story]
        if before is not None and before != label:
            self._stale[before] = story
        self._written[story] = label
        self._set(prepared, label)
        return prepared

    def fixups(self) -> dict[str, str]:
        """Story ids written that are no longer their story's id -> the current one."""
        out = {}
        for old, story in self._stale.items():
            new = self.index.label(story)
            if new != old:
                out[old] = new
        return out
