"""Loading of the analysis data files shipped in ``search/analysis/data/``."""
from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


def data_path(name: str) -> Path:
    """Path of a data file shipped with the package."""
    return DATA_DIR / name


def _lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a UTF-8 data file (``#`` starts a comment line)."""
    text = data_path(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def word_set(name: str) -> frozenset[str]:
    """A one-word-per-line file as a set (Lucene's WordlistLoader format)."""
    return frozenset(line.strip() for line in _lines(name))


@cache
def json_data(name: str) -> dict:
    """A JSON data file."""
    return json.loads(data_path(name).read_text(encoding="utf-8"))


@cache
def mapping_pairs(name: str) -> tuple[tuple[str, str], ...]:
    """``FROM<TAB>TO[<TAB>comment]`` lines as ``(from, to)`` pairs, in file order."""
    pairs = []
    for line in _lines(name):
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0]:
            raise ValueError(f"{name}: bad mapping line {line!r}")
        pairs.append((fields[0], fields[1]))
    return tuple(pairs)


@cache
def word_counts(name: str) -> dict[str, int]:
    """``WORD<TAB>COUNT`` lines as a dict, in file order (most frequent first)."""
    counts: dict[str, int] = {}
    for line in _lines(name):
        word, _, count = line.partition("\t")
        counts[word] = int(count) if count else 1
    return counts


@cache
def name_pairs(name: str) -> frozenset[tuple[str, str]]:
    """``PREFIX<TAB>REST[<TAB>...]`` lines (compound names) as ``(prefix, rest)`` pairs."""
    pairs = set()
    for line in _lines(name):
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0] or not fields[1]:
            raise ValueError(f"{name}: bad name line {line!r}")
        pairs.add((fields[0], fields[1]))
    return frozenset(pairs)


def digest(names: list[str]) -> str:
    """Short content hash of data files, so that regenerated data changes the version."""
    h = hashlib.sha256()
    for name in sorted(set(names)):
        h.update(name.encode())
        h.update(data_path(name).read_bytes())
    return h.hexdigest()[:10]
