"""How the product's stories (MinHash/LSH at index time, docs/stories.md) compare with the
study's near-duplicate grouping (5-word-shingle Jaccard >= 0.3, stories.py).

    RANKING_STORIES=<index built by indexer reindex> .venv/bin/python bench/relevance/ranking/story_agreement.py

Pairs: every pair of judged articles of one need (the pools), counted once. For each
Jaccard band, how many pairs the product puts in one story; and, for the story metrics,
the precision and recall of "same product story" against "Jaccard >= 0.3".
Writes story_agreement.json beside this file.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import systems as S  # noqa: E402
from stories import STORY_THRESHOLD, Stories  # noqa: E402

from metrics import load_qrels  # noqa: E402

BANDS = [(0.0, 0.1), (0.1, 0.2), (0.2, 0.3), (0.3, 0.5), (0.5, 0.8), (0.8, 1.01)]


def main() -> int:
    from judge import QRELS, open_index

    searcher, schema = open_index()
    qrels = load_qrels(QRELS)
    story = S.main_stories()
    metas: dict[str, str] = {}

    def text(doc_id):
        if doc_id not in metas:
            m = S.fetch(searcher, schema, doc_id)
            metas[doc_id] = f"{m.get('title') or ''}\n{m.get('body') or ''}"
        return metas[doc_id]

    stories = Stories(text)
    pairs: set[tuple[str, str]] = set()
    for judged in qrels.values():
        docs = sorted(judged)
        pairs.update((a, b) for i, a in enumerate(docs) for b in docs[i + 1:])
    bands = {f"{lo:.1f}-{min(hi, 1.0):.1f}": {"pairs": 0, "same_story": 0} for lo, hi in BANDS}
    tp = fp = fn = 0
    for a, b in sorted(pairs):
        sim = stories.similarity(a, b)
        same = story.get(a, a) == story.get(b, b)
        for lo, hi in BANDS:
            if lo <= sim < hi:
                band = bands[f"{lo:.1f}-{min(hi, 1.0):.1f}"]
                band["pairs"] += 1
                band["same_story"] += same
        near = sim >= STORY_THRESHOLD
        tp += near and same
        fp += same and not near
        fn += near and not same
    out = {"pairs": len(pairs), "bands": bands, "threshold": STORY_THRESHOLD,
           "precision": tp / (tp + fp) if tp + fp else None, "recall": tp / (tp + fn) if tp + fn else None,
           "same_story_and_near": tp, "same_story_not_near": fp, "near_not_same_story": fn}
    # Repeats left in the top 10 (a later article of a story already listed, by the study's
    # Jaccard >= 0.3), from the stored runs of evaluate.py (results.json).
    results = json.loads((HERE / "results.json").read_text(encoding="utf-8"))
    out["top10_repeats"] = {
        half: {name: round(sum(sum(r["repeats10"]) for r in runs.values())
                           / max(1, sum(len(r["top10"]) for r in runs.values())), 4)
               for name, runs in by_name.items()}
        for half, by_name in results["evidence"]["runs"].items()}
    print(json.dumps(out, indent=1))
    (HERE / "story_agreement.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
