"""Draw pattern-discovered organization values from SaudiNewsNet for hand labelling (reproducible).

Usage: python bench/extraction/sample_orgs.py [--n 220] [--seed 2015] [--exclude FILE] [--show] > sample.jsonl

Runs the extractor over every SaudiNewsNet title and body, collects the organization facet
values that came from the discovery patterns (``OrgFacet.discovered``), and draws ``--n`` of
them uniformly over the *distinct values* (``random.Random(seed).sample`` of the sorted list),
so rare junk counts as much as frequent names. Each record keeps the value, how many
articles it was found in, and up to three evidence pointers (zip, article index, part, span,
checksum of the mention text) chosen with the same generator; ``--show`` adds a window of text
around each (for labelling, not for the repository: the corpus licence forbids copying it).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from indexer.extract import extract_facets  # noqa: E402
from score_seeds import shared_dir  # noqa: E402

PARTS = ("title", "content")


def discovered_values(corpus: Path | None = None) -> dict[str, list[dict]]:
    """Discovered organization name -> evidence pointers (one per article part)."""
    corpus = corpus or shared_dir() / "data" / "saudinewsnet"
    found: dict[str, list[dict]] = {}
    for zip_path in sorted(corpus.glob("*.zip")):
        with zipfile.ZipFile(zip_path) as zf:
            articles = json.loads(zf.read(zf.namelist()[0]))
        for index, article in enumerate(articles):
            for part in PARTS:
                text = article.get(part) or ""
                if not text:
                    continue
                for org in extract_facets(text).organizations:
                    if org.discovered:
                        m = org.mentions[0]
                        found.setdefault(org.name, []).append({
                            "source": zip_path.name, "article": index, "part": part, "start": m.start,
                            "end": m.end, "sha1": hashlib.sha1(m.text.encode("utf-8")).hexdigest()[:12]})
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=220)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--exclude", type=Path, help="a sample whose values are not drawn again")
    parser.add_argument("--show", action="store_true", help="also print text around each piece of evidence")
    args = parser.parse_args(argv)
    found = discovered_values()
    names = sorted(found)
    if args.exclude:
        taken = {json.loads(line)["name"] for line in args.exclude.read_text("utf-8").splitlines() if line.strip()}
        names = [n for n in names if n not in taken]
    rng = random.Random(args.seed)
    texts: dict = {}
    for name in rng.sample(names, min(args.n, len(names))):
        evidence = found[name] if len(found[name]) <= 3 else rng.sample(found[name], 3)
        rec = {"name": name, "articles": len(found[name]), "evidence": evidence}
        if args.show:
            rec["context"] = []
            for e in evidence:
                if e["source"] not in texts:
                    with zipfile.ZipFile(shared_dir() / "data" / "saudinewsnet" / e["source"]) as zf:
                        texts[e["source"]] = json.loads(zf.read(zf.namelist()[0]))
                t = texts[e["source"]][e["article"]][e["part"]]
                rec["context"].append(t[max(0, e["start"] - 90):e["start"]] + "【" + t[e["start"]:e["end"]] + "】"
                                      + t[e["end"]:e["end"] + 60])
        print(json.dumps(rec, ensure_ascii=False))
    print(f"{len(found)} distinct discovered values", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
