"""Build the decompounder word list and the presentation-form table (rerunnable).

Writes, in ``search/analysis/data/``:

* ``decompound_words.tsv``: the most frequent words of the corpus (``WORD<TAB>COUNT``,
  most frequent first), in the form the decompounder sees them (after the plus chain's
  variant folding, lowercasing and digit folding), plus the names listed in
  ``decompound_extra_words.txt``. Words that are themselves run-together pairs of much
  more frequent listed words (the corpus has its own typos) are left out, so that they
  get split rather than protected.
* ``decompound_names.tsv``: compound names (عبد ربه, أبو بكر, بن عمر ...) that the corpus
  writes both joined and spaced, at least ``--min-name-count`` times each way; the
  decompounder cuts their joined spelling after the name word (``CompoundNames``).
* ``arabic_presentation_forms.tsv``: Arabic presentation forms (U+FB50..U+FDFF,
  U+FE70..U+FEFF) mapped to their NFKC letters, for the variant-folding char filter.

Usage: ``python -m search.analysis.build_wordlist [--corpus DIR] [--size N]``
(DIR holds SaudiNewsNet-style ``*.zip`` files, each one JSON array of articles with
``title`` and ``content``).
"""
from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import sys
import unicodedata
import zipfile
from collections.abc import Iterator

from . import definition, resources
from .analyzer import prefix_function
from .filters import (
    _ARABIC_LETTERS,
    ArabicNormalizationFilter,
    DictionaryDecompounder,
    MappingCharFilter,
)
from .tokenizer import StandardTokenizer

DEFAULT_CORPUS = "/work/shared/data/saudinewsnet"
WORDS_FILE = "decompound_words.tsv"
EXTRA_FILE = "decompound_extra_words.txt"
NAMES_FILE = "decompound_names.tsv"
FORMS_FILE = "arabic_presentation_forms.tsv"


def iter_texts(corpus_dir: str) -> Iterator[str]:
    """Titles and bodies of every article in the corpus zips."""
    paths = sorted(glob.glob(os.path.join(corpus_dir, "*.zip")))
    if not paths:
        raise SystemExit(f"no *.zip files in {corpus_dir}")
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if not name.endswith(".json"):
                    continue
                for article in json.loads(zf.read(name)):
                    for field in ("title", "content"):
                        if article.get(field):
                            yield article[field]


def count_surfaces(texts, name_words=frozenset()) -> tuple[collections.Counter, collections.Counter]:
    """Surface word frequencies, and frequencies of the pairs ``(w, next)`` whose first word
    is one of ``name_words`` (spaced compound names)."""
    tokenizer = StandardTokenizer()
    surfaces: collections.Counter = collections.Counter()
    pairs: collections.Counter = collections.Counter()
    for text in texts:
        words = [text[s:e] for s, e in tokenizer.spans(text)]
        surfaces.update(words)
        if name_words:
            pairs.update((a, b) for a, b in zip(words, words[1:]) if a in name_words)
    return surfaces, pairs


def fold_counts(surfaces: collections.Counter, fold) -> collections.Counter:
    """Frequencies of folded Arabic-letter words of length >= 2."""
    counts: collections.Counter = collections.Counter()
    for surface, n in surfaces.items():
        word = fold(surface)
        if word and len(word) >= 2 and _ARABIC_LETTERS.fullmatch(word):
            counts[word] += n
    return counts


def compound_names(surfaces: collections.Counter, pairs: collections.Counter, fold,
                   min_count: int) -> list[tuple[str, str, int, int]]:
    """``(prefix, rest, joined count, spaced count)`` of the names written both ways.

    ``prefix`` is the canonical name word and ``rest`` the normalized rest, the key that
    ``CompoundNames`` looks up; both spellings must occur ``min_count`` times or more.
    """
    rules = resources.json_data(definition.TOKEN_FILTERS["arabic_decompounder"]["python"]["rules_file"])
    prefixes: dict[str, str] = rules["name_prefixes"]
    normalize = ArabicNormalizationFilter()
    excluded = set(map(normalize, rules["name_exclusions"]))
    spaced: collections.Counter = collections.Counter()
    for (a, b), n in pairs.items():
        rest = fold(b)
        if rest and _ARABIC_LETTERS.fullmatch(rest):
            spaced[(prefixes[a], normalize(rest))] += n
    joined: collections.Counter = collections.Counter()
    for surface, n in surfaces.items():
        word = fold(surface)
        if not word or not _ARABIC_LETTERS.fullmatch(word) or normalize(word) in excluded:
            continue
        for written, canonical in prefixes.items():
            if word.startswith(written):
                rest = normalize(word[len(written):])
                if len(rest) >= rules["min_name_rest"]:
                    joined[(canonical, rest)] += n
    rows = [(p, r, n, spaced[(p, r)]) for (p, r), n in joined.items()
            if n >= min_count and spaced[(p, r)] >= min_count]
    return sorted(rows, key=lambda row: (-min(row[2], row[3]), row[0], row[1]))


def write_compound_names(rows: list[tuple[str, str, int, int]], min_count: int) -> None:
    with open(resources.data_path(NAMES_FILE), "w", encoding="utf-8") as out:
        out.write(
            "# Compound names written both joined and spaced (عبدربه / عبد ربه), generated by\n"
            f"# search/analysis/build_wordlist.py: PREFIX<TAB>REST<TAB>JOINED<TAB>SPACED (each >= {min_count}).\n"
            "# PREFIX is the canonical name word, REST normalized; the decompounder cuts the joined\n"
            "# spelling after PREFIX. Counts derived from SaudiNewsNet (CC BY-NC-SA 4.0).\n"
        )
        out.writelines(f"{p}\t{r}\t{j}\t{s}\n" for p, r, j, s in rows)


def run_together_words(counts: dict[str, int], decompounder: DictionaryDecompounder, ratio: float) -> dict[str, list[str]]:
    """Listed words that split into parts each ``ratio`` times more frequent than the word."""
    found = {}
    normalize = ArabicNormalizationFilter()
    spellings = collections.Counter(map(normalize, counts))
    for word, n in counts.items():
        if len(word) < decompounder.min_word_size:
            continue
        others = _Without(counts, word)
        norm = normalize(word)
        known = _Without(spellings, norm) if spellings[norm] == 1 else spellings
        cut = decompounder.split(word, others, known)
        if cut and min(others[p] for p, _, _ in cut) >= ratio * n:
            found[word] = [p for p, _, _ in cut]
    return found


class _Without(dict):
    """A read-only view of a count dict without one key."""

    def __init__(self, counts: dict[str, int], hidden: str):
        self.counts, self.hidden = counts, hidden

    def __contains__(self, key):
        return key != self.hidden and key in self.counts

    def __getitem__(self, key):
        if key == self.hidden:
            raise KeyError(key)
        return self.counts[key]

    def get(self, key, default=None):
        return default if key == self.hidden else self.counts.get(key, default)


def presentation_forms() -> list[tuple[str, str, str]]:
    """``(form, letters, name)`` for Arabic presentation forms whose NFKC is letters."""
    safe = MappingCharFilter._SAFE
    rows = []
    for cp in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
        ch = chr(cp)
        if unicodedata.category(ch) == "Cn":
            continue
        letters = unicodedata.normalize("NFKC", ch)
        if letters != ch and safe.fullmatch(ch) and safe.fullmatch(letters):
            rows.append((ch, letters, unicodedata.name(ch)))
    return rows


def write_presentation_forms() -> int:
    rows = presentation_forms()
    with open(resources.data_path(FORMS_FILE), "w", encoding="utf-8") as out:
        out.write(
            "# Arabic presentation forms -> letters (Unicode NFKC), generated by\n"
            "# search/analysis/build_wordlist.py; part of the arabic_variants char filter.\n"
            "# Forms whose NFKC has spaces or starts with a mark are left out (they would\n"
            "# move word boundaries).\n"
        )
        out.writelines(f"{form}\t{letters}\t{name}\n" for form, letters, name in rows)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    """Build the data files; prints a short report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="directory of article zips")
    parser.add_argument("--size", type=int, default=40000, help="number of corpus words to keep")
    parser.add_argument("--min-count", type=int, default=5, help="minimum corpus frequency")
    parser.add_argument("--ratio", type=float, default=20.0, help="run-together detection ratio")
    parser.add_argument("--min-name-count", type=int, default=2,
                        help="minimum joined and spaced frequency of a compound name")
    args = parser.parse_args(argv)

    print(f"{FORMS_FILE}: {write_presentation_forms()} forms")
    resources.mapping_pairs.cache_clear()

    spec = definition.TOKEN_FILTERS["arabic_decompounder"]
    fold = prefix_function("arabic_plus", "arabic_decompounder")
    rules = resources.json_data(spec["python"]["rules_file"])
    surfaces, pairs = count_surfaces(iter_texts(args.corpus), frozenset(rules["name_prefixes"]))
    counts = fold_counts(surfaces, fold)
    names = compound_names(surfaces, pairs, fold, args.min_name_count)
    write_compound_names(names, args.min_name_count)
    print(f"{NAMES_FILE}: {len(names)} names written both ways")
    ranked = {w: n for w, n in counts.most_common() if n >= args.min_count and len(w) <= spec["max_subword_size"] + 5}

    params = {k: v for k, v in spec.items() if k not in ("type", "word_list_file", "python")}
    python = {k: v for k, v in spec["python"].items() if k != "names_file"}  # names: not run-togethers
    decompounder = DictionaryDecompounder(WORDS_FILE, counts=ranked, **params, **python)
    joined = run_together_words(ranked, decompounder, args.ratio)
    kept = [(w, n) for w, n in ranked.items() if w not in joined][: args.size]

    floor = kept[-1][1] if kept else 1
    listed = dict(kept)
    extras = 0
    for name in sorted(resources.word_set(EXTRA_FILE)):
        word = fold(name)
        if word and word not in listed:
            listed[word] = max(counts.get(word, 0), floor)
            extras += 1

    rows = sorted(listed.items(), key=lambda item: (-item[1], item[0]))
    with open(resources.data_path(WORDS_FILE), "w", encoding="utf-8") as out:
        out.write(
            "# Decompounder word list: WORD<TAB>COUNT, generated by search/analysis/build_wordlist.py\n"
            f"# from {len(counts)} distinct corpus words (top {args.size} with count >= {args.min_count},\n"
            f"# minus {len(joined)} run-together words, plus {extras} listed names).\n"
            "# Word frequencies derived from SaudiNewsNet (CC BY-NC-SA 4.0, Mazen Abdulaziz Saad).\n"
        )
        for word, n in rows:
            out.write(f"{word}\t{n}\n")
    print(f"{WORDS_FILE}: {len(rows)} words; left out as run-together: {len(joined)}")
    for word, parts in list(joined.items())[:40]:
        print(f"  {word} -> {' + '.join(parts)} ({ranked[word]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
