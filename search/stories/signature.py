"""MinHash signature and LSH band keys of one article (pure per document: runs in workers).

Words are normalized cheaply (no diacritics or tatweel, one alef/ya/waw/ta marbuta, lower
case); each word is hashed once (CRC-32) and every run of ``SHINGLE`` consecutive words is
one shingle, hashed by combining its words' hashes with numpy. The signature is datasketch's
MinHash over those shingle hashes (``NUM_PERM`` permutations, fixed seed), so it is the
same in every process; its ``BANDS`` x ``ROWS`` bands are the LSH keys (docs/stories.md).
"""
from __future__ import annotations

import re
import zlib
from functools import lru_cache

import numpy as np
from datasketch import MinHash

SHINGLE = 3  # words per shingle
NUM_PERM = 64
BANDS, ROWS = 16, 4  # BANDS * ROWS == NUM_PERM; candidate S-curve centred near (1/16)^(1/4) = 0.5
SEED = 11
# Estimated Jaccard similarity at or above which an article is a version of a story's earliest
# article: chosen on 80 hand-labelled SaudiNewsNet pairs (bench/bench_stories.py, docs/stories.md).
THRESHOLD = 0.5
MIN_WORDS = 8  # shorter texts have no signature: too little text to call two articles versions
MAX_WORDS = 20_000  # a bound on the work for one document
SIG_BYTES = NUM_PERM * 4  # stored signature: the low 32 bits of each MinHash value

_WORD = re.compile(r"\w+")
_STRIP = re.compile("[\u064b-\u065f\u0670\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})
_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1][:SHINGLE], dtype=np.uint64)
_MASK32 = np.uint64(0xFFFFFFFF)


def words(text: str) -> list[str]:
    """Normalized words of a text (the shingling unit)."""
    return _WORD.findall(_STRIP.sub("", text).translate(_FOLD).lower())[:MAX_WORDS]


def shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the distinct word ``SHINGLE``-grams of ``text`` (empty when too short)."""
    ws = words(text)
    if len(ws) < MIN_WORDS:
        return np.empty(0, dtype=np.uint64)
    hw = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in ws), dtype=np.uint64, count=len(ws))
    n = len(ws) - SHINGLE + 1
    acc = np.zeros(n, dtype=np.uint64)
    for k in range(SHINGLE):
        acc = (acc * np.uint64(31) + hw[k:k + n] * _MIX[k]) & _MASK32
    return np.unique(acc)


@lru_cache(maxsize=1)
def _template() -> MinHash:
    # The permutations are drawn once from SEED; copies share them (datasketch draws them per object).
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int)


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (``NUM_PERM`` uint32 values) of a text, None when it is too short."""
    hashes = shingle_hashes(text)
    if not len(hashes):
        return None
    tpl = _template()
    m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, permutations=tpl.permutations)
    m.update_batch(hashes.tolist())
    return (m.hashvalues & 0xFFFFFFFF).astype(np.uint32)


def band_keys(sig: np.ndarray) -> list[str]:
    """One keyword per band: band number and a 64-bit hash of its rows (index field ``story_bands``)."""
    rows = sig.reshape(BANDS, ROWS)
    return [f"{b:x}{zlib.crc32(rows[b].tobytes(), b):08x}{zlib.adler32(rows[b].tobytes()):08x}" for b in range(BANDS)]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)
