"""Near-duplicate articles ("one story") for the story metrics: 5-word shingles and Jaccard.

Two articles are versions of one story when the Jaccard similarity of their sets of
5-word shingles (title + body, words as the standard tokenizer cuts them, Arabic-normalized)
is at least ``STORY_THRESHOLD``. Wire copies run 0.8-1.0; a lightly edited version of the
same report 0.5-0.8; two reports on one event written separately stay below 0.2, so a
threshold of 0.5 groups copies and edits of one text, not articles on one subject.
"""
from __future__ import annotations

import zlib
from functools import lru_cache

from search.analysis.filters import ArabicNormalizationFilter
from search.analysis.tokenizer import StandardTokenizer

SHINGLE = 5
STORY_THRESHOLD = 0.5  # versions of one story (story metrics, collapsing)
SAME_TEXT_THRESHOLD = 0.8  # copies judged once as a group on the judging sheets

_TOKENIZER = StandardTokenizer()
_NORMALIZE = ArabicNormalizationFilter()


def shingles(text: str, k: int = SHINGLE) -> frozenset[int]:
    words = [_NORMALIZE(text[s:e].lower()) for s, e in _TOKENIZER.spans(text)]
    if len(words) < k:
        return frozenset([zlib.crc32(" ".join(words).encode())]) if words else frozenset()
    return frozenset(zlib.crc32(" ".join(words[i:i + k]).encode()) for i in range(len(words) - k + 1))


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


class Stories:
    """Shingle sets of documents fetched on demand, and story relations between them."""

    def __init__(self, text_of):
        self.text_of = text_of  # doc id -> title + body

        @lru_cache(maxsize=None)
        def _sh(doc_id: str) -> frozenset[int]:
            return shingles(self.text_of(doc_id))

        self._sh = _sh
        self._pairs: dict[tuple[str, str], float] = {}

    def similarity(self, a: str, b: str) -> float:
        key = (a, b) if a < b else (b, a)
        sim = self._pairs.get(key)
        if sim is None:
            sim = self._pairs[key] = jaccard(self._sh(a), self._sh(b))
        return sim

    def repeats(self, ranking: list[str], threshold: float = STORY_THRESHOLD) -> list[bool]:
        """For each rank, whether the document repeats a story ranked above it."""
        out = []
        for i, doc in enumerate(ranking):
            out.append(any(self.similarity(doc, above) >= threshold for above in ranking[:i]))
        return out

    def groups(self, docs: list[str], threshold: float) -> list[list[str]]:
        """Connected components of the near-duplicate graph over ``docs`` (single link)."""
        parent = {d: d for d in docs}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for i, a in enumerate(docs):
            for b in docs[i + 1:]:
                if find(a) != find(b) and self.similarity(a, b) >= threshold:
                    parent[find(a)] = find(b)
        out: dict[str, list[str]] = {}
        for d in docs:
            out.setdefault(find(d), []).append(d)
        return list(out.values())
