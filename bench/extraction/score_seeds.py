"""Score facet extraction on the annotated seed articles.

Usage: python bench/extraction/score_seeds.py [--gold PATH] [--seeds DIR] [--verbose]

Scoring (see the gold file's "about"):
- countries: precision = extracted codes in must+ok / extracted; recall = must found / must.
- organizations: an extracted organization is correct when its name or one of its
  mention texts matches a form of a must or ok entity (after normalization and
  clitic stripping: equal, or one contains the other when the shorter has 2+ words).
  Discovered organizations are scored the same way: not in gold = an error.
  must-recall = must entities matched by some extracted organization / must entities.
- troops: an extracted number is correct when its value (or a range's upper end) is a
  must or ok value; must-recall = must values extracted / must values. Vague quantities
  (مئات الجنود, bound "vague") are not scored here: the gold lists exact numbers only.
All figures are micro-averaged over the documents.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from indexer.extract import extract_facets  # noqa: E402
from indexer.extract.normalize import normalize_key  # noqa: E402

TARGETS = {"countries_precision": 0.95, "countries_recall": 0.95,
           "orgs_must_recall": 0.9, "orgs_precision": 0.85,
           "troops_must_recall": 0.9, "troops_precision": 0.9}


def shared_dir() -> Path:
    for candidate in (os.environ.get("SHARED_DIR"), ROOT.parent / "shared", "/work/shared"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    raise FileNotFoundError("shared/ not found (set SHARED_DIR)")


def _form(text: str) -> str:
    key = normalize_key(text).strip("«»\"“”'()")
    if key.startswith("لل"):
        key = "ا" + key[1:]
    for clitic in ("وال", "بال", "فال", "كال"):
        if key.startswith(clitic):
            key = key[len(clitic) - 2:]
            break
    return key


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short.split()) >= 2 and f" {short} " in f" {long_} "


def _org_matches(org, entity) -> bool:
    texts = {_form(org["name"])} | {_form(m["text"]) for m in org["mentions"]}
    return any(_same(t, _form(f)) for t in texts for f in entity["forms"])


def score(gold_path: Path | None = None, seeds_dir: Path | None = None, verbose: bool = False) -> dict:
    gold_path = gold_path or shared_dir() / "fixtures" / "seeds-gold.json"
    seeds_dir = seeds_dir or ROOT / "seeds"
    gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))["documents"]
    c = {"c_tp": 0, "c_ext": 0, "c_must": 0, "c_found": 0, "o_tp": 0, "o_ext": 0, "o_must": 0,
         "o_found": 0, "t_tp": 0, "t_ext": 0, "t_must": 0, "t_found": 0}
    problems = []
    for name, doc_gold in sorted(gold.items()):
        text = (Path(seeds_dir) / name).read_text(encoding="utf-8-sig")
        ex = extract_facets(text).to_dict()

        codes = {x["code"] for x in ex["countries"]}
        must, ok = set(doc_gold["countries"]["must"]), set(doc_gold["countries"]["ok"])
        c["c_ext"] += len(codes)
        c["c_tp"] += len(codes & (must | ok))
        c["c_must"] += len(must)
        c["c_found"] += len(codes & must)
        problems += [f"{name}: country not in gold: {x}" for x in sorted(codes - must - ok)]
        problems += [f"{name}: country missed: {x}" for x in sorted(must - codes)]

        entities = doc_gold["organizations"]["must"] + doc_gold["organizations"]["ok"]
        for org in ex["organizations"]:
            c["o_ext"] += 1
            if any(_org_matches(org, e) for e in entities):
                c["o_tp"] += 1
            else:
                problems.append(f"{name}: organization not in gold: {org['name']}")
        for entity in doc_gold["organizations"]["must"]:
            c["o_must"] += 1
            if any(_org_matches(org, entity) for org in ex["organizations"]):
                c["o_found"] += 1
            else:
                problems.append(f"{name}: organization missed: {entity['name']}")

        good = set(doc_gold["troops"]["must"]) | set(doc_gold["troops"]["ok"])
        values = set()
        for troop in ex["troops"]:
            if troop.get("bound") == "vague":
                continue    # the gold lists exact numbers; vague ranges (مئات الجنود) are scored elsewhere
            c["t_ext"] += 1
            hit = troop["value"] in good or troop.get("upper") in good
            c["t_tp"] += hit
            values |= {troop["value"], troop.get("upper")}
            if not hit:
                problems.append(f"{name}: troop number not in gold: {troop['value']} ({troop['text']})")
        for value in doc_gold["troops"]["must"]:
            c["t_must"] += 1
            if value in values:
                c["t_found"] += 1
            else:
                problems.append(f"{name}: troop number missed: {value}")

    def ratio(a, b):
        return a / b if b else 1.0

    result = {
        "countries_precision": ratio(c["c_tp"], c["c_ext"]),
        "countries_recall": ratio(c["c_found"], c["c_must"]),
        "orgs_precision": ratio(c["o_tp"], c["o_ext"]),
        "orgs_must_recall": ratio(c["o_found"], c["o_must"]),
        "troops_precision": ratio(c["t_tp"], c["t_ext"]),
        "troops_must_recall": ratio(c["t_found"], c["t_must"]),
        "counts": c,
        "problems": problems,
    }
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path)
    parser.add_argument("--seeds", type=Path)
    parser.add_argument("--verbose", action="store_true", help="list every error and miss")
    args = parser.parse_args(argv)
    result = score(args.gold, args.seeds)
    failed = False
    for key, target in TARGETS.items():
        value = result[key]
        mark = "ok " if value >= target else "LOW"
        failed |= value < target
        print(f"{mark} {key:22s} {value:.3f}  (target >= {target})")
    c = result["counts"]
    print(f"    countries: {c['c_tp']}/{c['c_ext']} correct, {c['c_found']}/{c['c_must']} must found")
    print(f"    organizations: {c['o_tp']}/{c['o_ext']} correct, {c['o_found']}/{c['o_must']} must found")
    print(f"    troops: {c['t_tp']}/{c['t_ext']} correct, {c['t_found']}/{c['t_must']} must found")
    if args.verbose or failed:
        for line in result["problems"]:
            print("   ", line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
