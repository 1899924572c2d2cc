"""Precision of pattern-discovered organizations on the hand-labelled SaudiNewsNet samples.

Usage: python bench/extraction/score_orgs_sample.py [--sample PATH] [--show]

orgs-sample.jsonl holds discovered facet values drawn uniformly over the distinct values
(``sample_orgs.py``: samples A-F, each drawn with the extractor of its day, seeds 2015-2020),
each labelled by hand from its evidence: ``org`` (names a real organization) or ``not``
(a fragment, a description, two bodies run together, a name cut short...). The evidence
pointers (zip, article, title/content, span, checksum) let this script re-run the current
extractor on the very same texts:

- ``as drawn``: the share of ``org`` in each sample, as labelled (the extractor of that day);
- ``current``: for every labelled value the current extractor still produces unchanged from
  its evidence, the share that are real organizations (precision), and how many labelled
  real organizations it no longer produces there (merged into another name or dropped).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from indexer.extract import extract_facets  # noqa: E402
from score_seeds import shared_dir  # noqa: E402

TARGETS = {"precision": 0.95}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def current_values(records: list[dict]) -> dict[str, set[str]]:
    """Labelled value -> the discovered values the current extractor gives at its evidence."""
    wanted: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for rec in records:
        for ev in rec["evidence"]:
            wanted[ev["source"]].append((rec, ev))
    found: dict[str, set[str]] = defaultdict(set)
    for zip_name, items in wanted.items():
        with zipfile.ZipFile(shared_dir() / "data" / "saudinewsnet" / zip_name) as zf:
            articles = json.loads(zf.read(zf.namelist()[0]))
        cache: dict[tuple[int, str], list] = {}
        for rec, ev in items:
            text = articles[ev["article"]][ev["part"]] or ""
            if hashlib.sha1(text[ev["start"]:ev["end"]].encode("utf-8")).hexdigest()[:12] != ev["sha1"]:
                raise ValueError(f"{rec['name']}: evidence does not match its checksum")
            key = (ev["article"], ev["part"])
            if key not in cache:
                cache[key] = extract_facets(text).organizations
            for org in cache[key]:
                if any(m.start < ev["end"] and ev["start"] < m.end for m in org.mentions):
                    found[rec["name"]].add(org.name if org.discovered else f"[gazetteer] {org.name}")
        del articles
    return found


def score(path: Path = HERE / "orgs-sample.jsonl", show: bool = False) -> dict:
    records = load(path)
    drawn = defaultdict(Counter)
    for rec in records:
        drawn[rec["drawn"]][rec["label"]] += 1
    labels = {rec["name"]: rec for rec in records}          # one label per distinct value
    found = current_values(list(labels.values()))
    kept = [r for name, r in labels.items() if name in found[name]]
    correct = sum(r["label"] == "org" for r in kept)
    lost = [r for name, r in labels.items() if r["label"] == "org" and name not in found[name]]
    result = {"values": len(labels), "kept": len(kept), "correct": correct,
              "precision": correct / len(kept) if kept else 1.0,
              "orgs": sum(r["label"] == "org" for r in labels.values()), "lost_orgs": len(lost),
              "as_drawn": {k: (c["org"], c["org"] + c["not"]) for k, c in sorted(drawn.items())},
              "errors": [r["name"] for r in kept if r["label"] != "org"],
              "lost": [(r["name"], sorted(found[r["name"]])) for r in lost]}
    if show:
        for name in result["errors"]:
            print(f"still produced, not an organization: {name} ({labels[name]['notes']})")
        for name, now in result["lost"]:
            print(f"labelled organization no longer produced: {name} -> {now or 'nothing'}")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=HERE / "orgs-sample.jsonl")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args(argv)
    r = score(args.sample, args.show)
    for name, (org, total) in r["as_drawn"].items():
        print(f"sample {name} as drawn: {org}/{total} = {org / total:.3f}")
    ok = r["precision"] >= TARGETS["precision"]
    print(f"{'ok ' if ok else 'LOW'} current precision {r['precision']:.3f} ({r['correct']}/{r['kept']} labelled values "
          f"still produced; target >= {TARGETS['precision']})")
    print(f"    {r['values']} distinct labelled values, {r['orgs']} real organizations, "
          f"{r['lost_orgs']} of them no longer produced from their evidence (merged or dropped)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
