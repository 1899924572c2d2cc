"""Exactness check over a whole corpus: what the indexer writes must not change.

For every document of the corpus (title and body), computes everything the index and the
UI get from the analysis and extraction code:

* the analyzed field strings the tantivy writer receives (all chains, ``joined_terms_all``),
* every chain's tokens (term, start, end, position: queries and highlighting),
* the extracted facets with their evidence (``extract_facets(...).to_dict()``).

Two uses:

* ``--compare-implementations`` runs all of it with the compiled core and with the
  pure-Python fallback in the same process and prints how many documents differ (must be 0);
* ``--save FILE`` / ``--against FILE`` store a digest per document and compare a later run
  with it: the before/after check of a code change ("the index unchanged term for term").

    .venv/bin/python bench/check_analysis.py --compare-implementations [--limit N]
    .venv/bin/python bench/check_analysis.py --save bench/out/analysis-digest.json
    .venv/bin/python bench/check_analysis.py --against bench/out/analysis-digest.json
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.extract import extract_facets  # noqa: E402
from indexer.sources import iter_documents  # noqa: E402
from search.analysis import CHAINS, analyze_field, joined_terms_all  # noqa: E402
from search.backends.tantivy_schema import GAP  # noqa: E402


def outputs(doc) -> dict[str, object]:
    """Everything derived from one document's text, by kind."""
    out: dict[str, object] = {}
    for scope, text in (("title", doc.title), ("body", doc.body)):
        if not text:
            continue
        out[f"{scope}.fields"] = joined_terms_all(CHAINS, text, GAP)
        out[f"{scope}.tokens"] = [[tuple(t) for t in analyze_field(chain, text)] for chain in CHAINS]
        out[f"{scope}.facets"] = extract_facets(text).to_dict()
    return out


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def documents(corpus: str, limit: int):
    docs = iter_documents([corpus], lambda problem: None)
    return islice(docs, limit) if limit else docs


def compare_implementations(corpus: str, limit: int) -> int:
    from search.analysis import speedups

    if not speedups.available():
        print(f"compiled core not available ({speedups.unavailable_reason()}): nothing to compare")
        return 2
    docs = list(documents(corpus, limit))
    results = {}
    for impl in ("compiled", "pure"):
        speedups.use(impl)
        started = time.process_time()
        results[impl] = [outputs(d) for d in docs]
        print(f"{impl:9s} {len(docs):,} documents in {time.process_time() - started:.1f} s CPU")
    speedups.use(None)
    differing = {}
    fields = 0
    for doc, a, b in zip(docs, results["compiled"], results["pure"]):
        fields += sum(len(v) for k, v in a.items() if k.endswith(".fields"))
        for kind in sorted(set(a) | set(b)):
            if a.get(kind) != b.get(kind):
                differing.setdefault(kind.split(".", 1)[1], []).append(doc.id)
    print(f"analyzed field strings compared: {fields:,}")
    for kind in ("fields", "tokens", "facets"):
        ids = differing.get(kind, [])
        print(f"documents whose {kind} differ: {len(ids)}" + (f" (first: {ids[:5]})" if ids else ""))
    return 1 if differing else 0


def save_or_check(corpus: str, limit: int, save: str | None, against: str | None) -> int:
    started = time.process_time()
    digests = {}
    for doc in documents(corpus, limit):
        digests[doc.id] = {kind: digest(value) for kind, value in outputs(doc).items()}
    print(f"{len(digests):,} documents in {time.process_time() - started:.1f} s CPU")
    if save:
        Path(save).parent.mkdir(parents=True, exist_ok=True)
        Path(save).write_text(json.dumps(digests, sort_keys=True))
        print(f"written {save}")
    if against:
        before = json.loads(Path(against).read_text())
        differing = {}
        for doc_id in sorted(set(before) | set(digests)):
            old, new = before.get(doc_id, {}), digests.get(doc_id, {})
            for kind in sorted(set(old) | set(new)):
                if old.get(kind) != new.get(kind):
                    differing.setdefault(kind.split(".", 1)[1], []).append(doc_id)
        for kind in ("fields", "tokens", "facets"):
            ids = differing.get(kind, [])
            print(f"documents whose {kind} changed: {len(ids)}" + (f" (first: {ids[:5]})" if ids else ""))
        return 1 if differing else 0
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "data" / "saudinewsnet"))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--compare-implementations", action="store_true")
    ap.add_argument("--save")
    ap.add_argument("--against")
    args = ap.parse_args()
    if args.compare_implementations:
        sys.exit(compare_implementations(args.corpus, args.limit))
    if not (args.save or args.against):
        ap.error("give --compare-implementations, --save FILE or --against FILE")
    sys.exit(save_or_check(args.corpus, args.limit, args.save, args.against))


if __name__ == "__main__":
    main()
