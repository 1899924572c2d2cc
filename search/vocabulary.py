"""The index's own vocabulary: every exact-chain term with its document frequency.

Did-you-mean (``search/query/suggest.py``) proposes words from it. Neither engine gives a
cheap list of its terms (tantivy-py cannot enumerate a term dictionary; Elasticsearch would
need fielddata on text), so the indexer keeps this list beside the index: a full rebuild
writes it, and ``indexer add``/``delete`` apply the difference of each document they touch.
Terms are those of the ``arabic_exact`` chain (normalized, unstemmed: close to what people
type), letters only (digits and mixed tokens are never suggested).
"""
from __future__ import annotations

import gzip
import io
import os
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from search.analysis import analyze_field

FILE_NAME = "vocabulary.tsv.gz"
EXACT = "arabic_exact"
MAX_TERM_CHARS = 30  # longer "words" are junk (URLs, run-ons): never suggested
_WORDLIKE = re.compile(r"[\u0621-\u064a\u0671-\u06d3a-z]{2,%d}" % MAX_TERM_CHARS)


def is_vocabulary_term(term: str) -> bool:
    return _WORDLIKE.fullmatch(term) is not None


def document_terms(title: str | None, body: str | None) -> set[str]:
    """The distinct vocabulary terms of one document."""
    out: set[str] = set()
    for text in (title, body):
        if text:
            out.update(t.term for t in analyze_field(EXACT, text))
    return {t for t in out if is_vocabulary_term(t)}


def joined_terms(joined: Iterable[str]) -> set[str]:
    """Distinct terms of space-joined term strings (the tantivy prepared fields).

    Not filtered here (the indexer's writer process runs this per document): non-word terms
    are counted too and left out when the vocabulary is written.
    """
    out: set[str] = set()
    for text in joined:
        out.update(text.split())
    return out


class Vocabulary:
    """Term -> number of documents containing it."""

    def __init__(self, counts: Counter | None = None):
        self.counts: Counter = counts if counts is not None else Counter()

    def __len__(self) -> int:
        return sum(1 for t in self.counts if is_vocabulary_term(t))

    def df(self, term: str) -> int:
        return self.counts.get(term, 0)

    def add(self, terms: Iterable[str]) -> None:
        self.counts.update(terms)

    def remove(self, terms: Iterable[str]) -> None:
        counts = self.counts
        for t in terms:
            n = counts.get(t, 0) - 1
            if n > 0:
                counts[t] = n
            else:
                counts.pop(t, None)

    # ---- storage: gzip'd "term<TAB>df" lines, most frequent first ---------------------------
    def to_bytes(self) -> bytes:
        kept = ((t, n) for t, n in self.counts.items() if is_vocabulary_term(t))
        lines = "".join(f"{t}\t{n}\n" for t, n in sorted(kept, key=lambda kv: (-kv[1], kv[0])))
        return gzip.compress(lines.encode("utf-8"), compresslevel=6, mtime=0)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Vocabulary":
        counts: Counter = Counter()
        with io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(data)), encoding="utf-8") as fh:
            for line in fh:
                term, _, n = line.rstrip("\n").partition("\t")
                if term and n.isdigit():
                    counts[term] = int(n)
        return cls(counts)

    def save(self, directory: str | os.PathLike) -> None:
        """Write atomically into ``directory`` (readers see the old or the new file)."""
        path = Path(directory) / FILE_NAME
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_bytes(self.to_bytes())
        os.replace(tmp, path)

    @classmethod
    def load(cls, directory: str | os.PathLike) -> "Vocabulary | None":
        try:
            return cls.from_bytes((Path(directory) / FILE_NAME).read_bytes())
        except FileNotFoundError:
            return None
