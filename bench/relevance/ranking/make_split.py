"""Split the ranking needs into a development and a held-out half at random (fixed seed).

Run once, before any system was run on the needs; the output `split.json` is committed with
them so the split cannot follow the results.
"""
import json
import random
from pathlib import Path

SEED = 16_2015
HERE = Path(__file__).parent


def main() -> None:
    ids = [json.loads(line)["id"] for line in (HERE / "queries.jsonl").open(encoding="utf-8")]
    shuffled = sorted(ids)
    random.Random(SEED).shuffle(shuffled)
    half = len(shuffled) // 2
    split = {"seed": SEED, "dev": sorted(shuffled[:half]), "heldout": sorted(shuffled[half:])}
    (HERE / "split.json").write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
    print(f"dev {len(split['dev'])}, held-out {len(split['heldout'])}")


if __name__ == "__main__":
    main()
