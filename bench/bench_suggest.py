"""Did-you-mean accuracy on real misspellings collected from SaudiNewsNet (bench/spelling/).

Usage: python bench/bench_suggest.py INDEX [dev|test|both]

INDEX: an index of SaudiNewsNet built by this version (its vocabulary). For each labelled
line, the typed form goes through search.query.suggest exactly as a one-word query would
(the index's own document frequencies, the page's "meant" threshold). Reports, per half:
  misspellings (Y): right (the intended word proposed), wrong (another word), none;
  real words (N): how many got a (false) suggestion.
How the set was collected and labelled: bench/spelling/README.md.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from search.backends.tantivy_backend import TantivyBackend
from search.query import parse
from search.query.suggest import corrections
from web.forgiving import SUGGEST_BELOW_DF

HERE = Path(__file__).resolve().parent / "spelling"


def load(name: str) -> list[list[str]]:
    return [line.rstrip("\n").split("\t") for line in (HERE / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]


def evaluate(rows, df, absent: bool = False) -> dict:
    """``absent``: as if the typed form were not in the index (its own documents left out)."""
    out = {"Y": 0, "right": 0, "wrong": 0, "none": 0, "N": 0, "false": 0, "ms": 0.0, "examples": []}
    for typed, _neighbour, _d1, _d2, label, intended in (r + [""] * (6 - len(r)) for r in rows):
        if label == "U":
            continue
        lookup = (lambda t, typed=typed: 0 if t == typed else df(t)) if absent else df
        started = time.perf_counter()
        fixes = {c.word: c.term for c in corrections(parse(typed).tree, lookup, SUGGEST_BELOW_DF)}
        out["ms"] += (time.perf_counter() - started) * 1000
        got = fixes.get(typed)
        if label == "Y":
            out["Y"] += 1
            key = "right" if got == intended else "none" if got is None else "wrong"
            out[key] += 1
            if key != "right":
                out["examples"].append(f"{typed} -> {got} (meant {intended})")
        else:
            out["N"] += 1
            if got is not None:
                out["false"] += 1
    return out


def main(argv: list[str]) -> None:
    vocab = TantivyBackend(argv[0]).vocabulary()
    halves = ["dev", "test"] if len(argv) < 2 or argv[1] == "both" else [argv[1]]
    print("| set | typed form | misspellings | right | wrong | none | real words | suggestion for a real word | ms/word |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for half in halves:
        for absent in (False, True):
            r = evaluate(load(half), vocab.df, absent)
            n = r["Y"] + r["N"]
            print(f"| {half} | {'absent (0 results: auto-corrected)' if absent else 'in 1-2 documents (link only)'} "
                  f"| {r['Y']} | {r['right']} ({100 * r['right'] / max(1, r['Y']):.0f}%) | {r['wrong']} | "
                  f"{r['none']} | {r['N']} | {r['false']} ({100 * r['false'] / max(1, r['N']):.0f}%) | "
                  f"{r['ms'] / max(1, n):.1f} |")
            for e in r["examples"]:
                print(f"  {half} {'absent' if absent else 'rare'} miss: {e}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
