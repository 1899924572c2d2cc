"""How many SaudiNewsNet titles and bodies the ingestion clean-up changes, and "quot" in an index.

Usage: python bench/sources/markup_changes.py [--corpus DIR] [--index DIR]

Reads every record of the corpus twice: as written in the files (raw ``title`` / ``content``
run through the same whitespace clean-up), and as ``indexer.sources`` now stores it (character
references decoded, stray tags removed). Counts the records whose title or body differ, and the
references and tags that remain after the clean-up (should be none). With ``--index`` (an
embedded index built by ``indexer reindex`` over the corpus) it also counts the documents whose
title or body still has the term "quot" in any analysis chain.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from indexer.sources.markup import reader_text  # noqa: E402
from indexer.sources.text_norm import clean_body, clean_line  # noqa: E402

_REF = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);", re.I)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


def corpus_changes(corpus: Path) -> dict:
    counts = Counter()
    refs_before, refs_after = Counter(), Counter()
    for zip_path in sorted(corpus.glob("*.zip")):
        with zipfile.ZipFile(zip_path) as zf:
            records = json.loads(zf.read(zf.namelist()[0]))
        for rec in records:
            counts["records"] += 1
            for part, clean, sep in (("title", clean_line, " "), ("content", clean_body, "\n")):
                raw = rec.get(part) or ""
                if not raw:
                    continue
                before = clean(raw)
                after = clean(reader_text(raw, sep))
                refs_before.update(_REF.findall(raw))
                counts[f"{part} tags before"] += bool(_TAG.search(raw))
                if before != after:
                    counts[f"{part} changed"] += 1
                left = _REF.findall(after or "")
                refs_after.update(left)
                counts[f"{part} tags after"] += bool(_TAG.search(after or ""))
    return {"counts": dict(counts), "references before": dict(refs_before.most_common()),
            "references after": dict(refs_after.most_common())}


def quot_in_index(index: Path) -> dict:
    from search.analysis import CHAINS
    from search.backends.tantivy_backend import TantivyBackend
    from search.fields import TEXT_SCOPES, text_field

    backend = TantivyBackend(index)
    searcher = backend._index().searcher()
    out = {"documents": searcher.num_docs}
    for scope in TEXT_SCOPES:
        for chain in CHAINS:
            name = text_field(scope, chain)
            out[name] = searcher.doc_freq(name, "quot")
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet")
    parser.add_argument("--index", type=Path, help="an embedded index of the corpus to check for 'quot'")
    args = parser.parse_args()
    print(json.dumps(corpus_changes(args.corpus), ensure_ascii=False, indent=1))
    if args.index:
        print(json.dumps(quot_in_index(args.index), indent=1))
