"""Near-duplicate articles ("one story") for the story metrics: 5-word shingles and Jaccard.

Two articles are versions of one story when the Jaccard similarity of their sets of
5-word shingles (title + body, words as the standard tokenizer cuts them, lowercased and
Arabic-normalized) is at least ``STORY_THRESHOLD`` = 0.3.

Why 0.3: over the 28,275 pairs of judged articles of a query, 96% are below 0.1; the rest
spread evenly up to 1.0. Reading random pairs per band: from 0.3 up they are nearly always
one agency report (SPA, AFP, Reuters) as printed by different papers, with their own
headline and lead edits; between 0.1 and 0.3 such edited versions mix with separately
written reports of the same event, which are different stories for a reader.
``evaluate.py`` also reports the story metrics at 0.5 (stricter: copies only).
"""
from __future__ import annotations

import zlib
from functools import lru_cache

from search.analysis.filters import ArabicNormalizationFilter
from search.analysis.tokenizer import StandardTokenizer

SHINGLE = 5
STORY_THRESHOLD = 0.3  # versions of one story (story metrics, collapsing)
STRICT_THRESHOLD = 0.5  # sensitivity check: near-verbatim copies only
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
