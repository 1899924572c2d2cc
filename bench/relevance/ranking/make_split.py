"""Split the ranking needs into a development and a held-out half at random (fixed seed).

Run once, before any system was run on the needs; the output `split.json` is committed with
them so the split cannot follow the results.

The needs f01-f40 were written later, after the first held-out check (bench/relevance/
README.md, "A second, final check"), again before any system ran on them: they form the
``final`` set, outside the random split of n01-n64.
"""
import json
import random
from pathlib import Path

SEED = 16_2015
HERE = Path(__file__).parent


def main() -> None:
    all_ids = [json.loads(line)["id"] for line in (HERE / "queries.jsonl").open(encoding="utf-8")]
    ids = [i for i in all_ids if i.startswith("n")]
    shuffled = sorted(ids)
    random.Random(SEED).shuffle(shuffled)
    half = len(shuffled) // 2
    split = {"seed": SEED, "dev": sorted(shuffled[:half]), "heldout": sorted(shuffled[half:]),
             "final": sorted(i for i in all_ids if i.startswith("f"))}
    (HERE / "split.json").write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
    print(f"dev {len(split['dev'])}, held-out {len(split['heldout'])}, final {len(split['final'])}")


if __name__ == "__main__":
    main()
