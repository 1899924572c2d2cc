"""Score troop-number extraction on the hand-annotated SaudiNewsNet sample.

Usage: python bench/extraction/score_troops_sample.py [--sample PATH] [--show]

troops-sample.jsonl holds, per sentence: the SaudiNewsNet zip, article index and
character span (the text is read from shared/data at run time, the corpus licence
asks not to copy it into the repository), a checksum, the gold values and notes.
must = troop numbers that must be extracted; ok = tolerated either way (police, suspects,
casualty counts without a personnel noun...). Precision: an extracted number is correct
when its value (or a range's upper end) is in must or ok. must-recall: must values found.
Vague quantities (مئات الجنود: a range, bound "vague") are left out: this gold was written for
exact numbers and calls them "vague"; troops-kinds.jsonl labels and scores them.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from indexer.extract import extract_facets  # noqa: E402
from score_seeds import shared_dir  # noqa: E402

TARGETS = {"must_recall": 0.9, "precision": 0.9}


def load_sample(path: Path) -> list[dict]:
    """Sample records with their sentence read from the corpus (each zip opened once)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_zip: dict[str, list[dict]] = {}
    for rec in records:
        by_zip.setdefault(rec["source"], []).append(rec)
    for zip_name, recs in by_zip.items():
        with zipfile.ZipFile(shared_dir() / "data" / "saudinewsnet" / zip_name) as zf:
            articles = json.loads(zf.read(zf.namelist()[0]))
        for rec in recs:
            text = articles[rec["article"]]["content"][rec["start"]:rec["end"]]
            if hashlib.sha1(text.encode("utf-8")).hexdigest()[:12] != rec["sha1"]:
                raise ValueError(f"sample {rec['id']}: text does not match its checksum")
            rec["text"] = text
        del articles
    return records


def score(path: Path = HERE / "troops-sample.jsonl", show: bool = False) -> dict:
    ext = tp = must_n = must_found = 0
    problems = []
    records = load_sample(path)
    for rec in records:
        troops = extract_facets(rec["text"]).troops
        good = set(rec["must"]) | set(rec["ok"])
        found = set()
        for t in troops:
            if t.bound == "vague":
                continue        # this gold labelled exact numbers only; vague ranges: troops-kinds.jsonl
            ext += 1
            hit = t.value in good or t.upper in good
            tp += hit
            found |= {t.value, t.upper}
            if not hit:
                problems.append((rec, f"extra {t.value} ({t.text})"))
        for value in set(rec["must"]):
            must_n += 1
            if value in found:
                must_found += 1
            else:
                problems.append((rec, f"missed {value}"))
    result = {"sentences": len(records), "extracted": ext, "correct": tp,
              "must": must_n, "must_found": must_found,
              "precision": tp / ext if ext else 1.0,
              "must_recall": must_found / must_n if must_n else 1.0,
              "problems": problems}
    if show:
        for rec, what in problems:
            print(f"#{rec['id']} {what}\n    {rec['text']}\n    gold must={rec['must']} ok={rec['ok']} ({rec['notes']})")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=HERE / "troops-sample.jsonl")
    parser.add_argument("--show", action="store_true", help="print each miss and extra with its sentence")
    args = parser.parse_args(argv)
    r = score(args.sample, args.show)
    print(f"sentences {r['sentences']}, must values {r['must']}, extracted {r['extracted']}")
    failed = False
    for key, target in TARGETS.items():
        mark = "ok " if r[key] >= target else "LOW"
        failed |= r[key] < target
        print(f"{mark} {key:12s} {r[key]:.3f}  (target >= {target})")
    print(f"    correct {r['correct']}/{r['extracted']}, must found {r['must_found']}/{r['must']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
