"""Collect candidate real misspellings from an index's vocabulary (step 1 of bench/bench_suggest.py's set).

Usage: python bench/spelling/collect.py INDEX [N [SEED [SKIP]]] > candidates.tsv

The set in this folder: dev = the first 160 of seed 10 (used while choosing the weights),
test = lines 161-320 of the same shuffle (`collect.py INDEX 160 10 160`), labelled after the
weights were fixed.

A candidate is a rare term (in 1 or 2 documents, Arabic letters, 5-15 letters) with exactly
one frequent term (in >= 100 documents and >= 100 times as many) at plain Damerau-Levenshtein
distance 1 (one letter deleted, inserted, replaced or two swapped: a generic generator, not
the Arabic-weighted one being measured). A seeded random sample of N (default 160) is
printed: rare form, frequent form, both document frequencies. A person then labels each
line (see README.md in this folder): the set is only what the labelling keeps.
"""
from __future__ import annotations

import random
import re
import sys

from search.backends.tantivy_backend import TantivyBackend

ALPHABET = "ءابتثجحخدذرزسشصضطظعغفقكلمنهوي"
ARABIC = re.compile(r"[\u0621-\u064a]{5,15}")


def edits1(w: str):
    for i in range(len(w)):
        yield w[:i] + w[i + 1:]
        if i + 1 < len(w):
            yield w[:i] + w[i + 1] + w[i] + w[i + 2:]
        for c in ALPHABET:
            yield w[:i] + c + w[i + 1:]
    for i in range(len(w) + 1):
        for c in ALPHABET:
            yield w[:i] + c + w[i:]


def main(index: str, n: int = 160, seed: int = 10, skip: int = 0) -> None:
    vocab = TantivyBackend(index).vocabulary()
    rows = []
    for term, df in sorted(vocab.counts.items()):
        if df > 2 or not ARABIC.fullmatch(term):
            continue
        near = {e for e in edits1(term) if e != term and vocab.df(e) >= max(100, 100 * df)}
        if len(near) == 1:
            (target,) = near
            rows.append((term, target, df, vocab.df(target)))
    random.Random(seed).shuffle(rows)
    print(f"# {len(rows)} candidates; sample of {min(n, len(rows))}", file=sys.stderr)
    for r in rows[skip:skip + n]:
        print("\t".join(map(str, r)))


if __name__ == "__main__":
    main(sys.argv[1], *map(int, sys.argv[2:]))
