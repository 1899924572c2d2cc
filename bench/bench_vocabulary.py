"""What the did-you-mean vocabulary costs the indexer and the web process.

Usage: flock /work/.bench.lock .venv/bin/python bench/bench_vocabulary.py [INDEX] [--docs N]

CPU time (process time) over N SaudiNewsNet articles (default 3,000) of the document
preparation the indexer's workers do (reference: all three analysis chains) and of the
vocabulary counting the writer adds per document; then, for INDEX (an index of the whole
corpus), the vocabulary file's size, its load time, and suggestion time per word.
"""
from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

SAUDI = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("index", nargs="?")
    ap.add_argument("--docs", type=int, default=3000)
    args = ap.parse_args()

    from indexer.pipeline import to_stored
    from indexer.sources import iter_documents
    import tempfile

    from search.backends.tantivy_backend import TantivyBackend
    from search.backends.tantivy_schema import Prepare
    from search.vocabulary import FILE_NAME, Vocabulary

    zips = [str(p) for p in sorted(SAUDI.glob("*.zip"))] or ["/work/shared/data/saudinewsnet"]
    docs = [to_stored(d) for d in itertools.islice(iter_documents(zips, lambda p: None), args.docs)]
    for d in docs:  # warm the analysis caches: both runs below then do the same analysis
        TantivyBackend.prepare(d)
    started = time.process_time()
    for d in docs:
        TantivyBackend.prepare(d)
    prepare = time.process_time() - started
    counting = Prepare(tempfile.mkdtemp())  # what the workers run: the same, counting the terms
    started = time.process_time()
    for d in docs:
        counting(d)
    counted = time.process_time() - started
    started = time.process_time()
    vocab = Vocabulary()
    vocab.counts.update(counting.gather()[1])  # the writer, once per run
    merge = time.process_time() - started
    print(f"{len(docs):,} articles: prepare {prepare * 1000 / len(docs):.2f} ms/article (workers, warm caches), counting "
          f"the vocabulary there {(counted - prepare) * 1000 / len(docs):.3f} ms/article; the writer adds the "
          f"counts up once: {merge * 1000 / len(docs):.4f} ms/article")
    if args.index:
        backend = TantivyBackend(args.index)
        path = backend.gens.current_path()
        started = time.perf_counter()
        v = Vocabulary.load(path)
        load = time.perf_counter() - started
        size = (path / FILE_NAME).stat().st_size
        print(f"vocabulary of {args.index}: {len(v):,} terms, {size / 1e6:.2f} MB, load {load:.2f} s")
        from search.query.suggest import best_correction

        words = ["الموصلل", "داعشش", "بغدد", "المسلحبن", "الرياص", "التحالق", "اليمنن", "السعودبة"]
        started = time.perf_counter()
        for w in words:
            best_correction(w, v.df)
        print(f"suggestion: {(time.perf_counter() - started) * 1000 / len(words):.1f} ms a word")


if __name__ == "__main__":
    main()
