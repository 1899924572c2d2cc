"""Long tokens cost linear time: tokenizing, querying and indexing words of 10 to 10,000 characters.

Usage: flock /work/.bench.lock .venv/bin/python bench/bench_long_tokens.py [--old-max N]

"before" is the tokenizer of commit 79b40f3 (loaded from git into its own module and
swapped in), "after" the current one, in the same process. The old one is only run up to
--old-max characters (default 600): its cost grows with the cube of the word's length.
Reported per length: milliseconds and microseconds per character (flat = linear). Also: one
whole query through the real app (/api/search on the seeds index), and the analysis of one
article (``TantivyBackend.prepare``: all three chains) carrying such a token, against the same
article without it.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLD_COMMIT = "79b40f3"
LENGTHS = [10, 30, 100, 300, 1000, 3000, 10_000]
WORDS = {"letters": "ب", "letters+ZWJ": "ب\u200d", "letter_digit_": "x_1"}
ARTICLE = ("قال مسؤول عراقي إن القوات الحكومية استعادت السيطرة على عدة أحياء في الموصل بعد معارك "
           "عنيفة مع مسلحي تنظيم داعش، وأضاف أن الطيران قصف مواقع للتنظيم قرب الحدود السورية. ") * 8


def old_tokenizer_module():
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{OLD_COMMIT}:search/analysis/tokenizer.py"],
                            capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader("tokenizer_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, "tokenizer_before.py", "exec"), module.__dict__)
    return module


def timed(fn, reps: int) -> float:
    """Median seconds of ``reps`` calls."""
    runs = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def word(kind: str, n: int) -> str:
    unit = WORDS[kind]
    return (unit * (n // len(unit) + 1))[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old-max", type=int, default=600)
    args = ap.parse_args()

    from search.analysis import tokenizer as T
    from search.backends.tantivy_backend import TantivyBackend
    from search.model import StoredDocument

    old = old_tokenizer_module()
    new_tok, old_tok = T.StandardTokenizer(), old.StandardTokenizer()

    print("## Tokenizing one word (in a short sentence)\n")
    print("| word | chars | before ms | before µs/char | after ms | after µs/char |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in WORDS:
        for n in LENGTHS:
            text = f"قبل {word(kind, n)} بعد"
            reps = 5 if n <= 1000 else 3
            after = timed(lambda: new_tok.tokenize(text), reps)
            before = timed(lambda: old_tok.tokenize(text), 1) if n <= args.old_max else None
            b = f"{before * 1000:.1f} | {before * 1e6 / n:.0f}" if before is not None else "– | –"
            print(f"| {kind} | {n:,} | {b} | {after * 1000:.2f} | {after * 1e6 / n:.2f} |")
            sys.stdout.flush()

    print("\n## Analysing one article (three chains) with one long token\n")
    base = StoredDocument(id="a", title="خبر", body=ARTICLE)
    ref = timed(lambda: TantivyBackend.prepare(base), 5)
    print(f"reference: the article alone ({len(ARTICLE):,} chars): {ref * 1000:.2f} ms\n")
    print("| token | chars | before ms | after ms | after / reference |")
    print("|---|---:|---:|---:|---:|")
    for n in (255, 600, 1019, 10_000):
        doc = StoredDocument(id="a", title="خبر", body=ARTICLE + " http://example.org/" + word("letters", n) + " " + ARTICLE)
        after = timed(lambda: TantivyBackend.prepare(doc), 3)
        before = None
        if n <= args.old_max:
            saved = (T.StandardTokenizer._grammar_spans, T.StandardTokenizer._tokenize_slowly)
            T.StandardTokenizer._grammar_spans = old.StandardTokenizer._grammar_spans
            T.StandardTokenizer._tokenize_slowly = old.StandardTokenizer._tokenize_slowly
            try:
                before = timed(lambda: TantivyBackend.prepare(doc), 1)
            finally:
                T.StandardTokenizer._grammar_spans, T.StandardTokenizer._tokenize_slowly = saved
        b = f"{before * 1000:.0f}" if before is not None else "–"
        print(f"| letters after a URL | {n:,} | {b} | {after * 1000:.2f} | {after / ref:.1f}× |")
        sys.stdout.flush()

    print("\n## One query through the app (/api/search, seeds index)\n")
    from click.testing import CliRunner

    from app import create_app
    from indexer.cli import main as indexer

    with tempfile.TemporaryDirectory() as tmp:
        CliRunner().invoke(indexer, ["reindex", str(ROOT / "seeds"), "--index", tmp, "--workers", "0", "-q"])
        client = create_app({"SEARCH_INDEX": tmp, "TESTING": True, "SECRET_KEY": "b"}).test_client()
        ref = timed(lambda: client.get("/api/search", query_string={"q": "داعش"}), 5)
        print(f"reference: q=داعش {ref * 1000:.1f} ms\n")
        print("| q | chars | ms | ms / reference |")
        print("|---|---:|---:|---:|")
        for n in (100, 300, 1000):
            q = word("letters", n)
            t = timed(lambda: client.get("/api/search", query_string={"q": q}), 3)
            print(f"| one word of letters | {n:,} | {t * 1000:.1f} | {t / ref:.1f}× |")


if __name__ == "__main__":
    main()
