"""Loading of the data files under ``indexer/extract/data``."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


@lru_cache(maxsize=None)
def load_json(name: str) -> dict:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=None)
def load_tsv(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a TSV data file; ``#`` lines and blank lines are skipped."""
    rows = []
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            rows.append(tuple(cell.strip() for cell in line.split("\t")))
    return tuple(rows)


def expand_list(value, lists: dict) -> list:
    """Resolve ``"@name"`` references to shared lists in rule files."""
    if isinstance(value, str) and value.startswith("@"):
        return list(lists[value[1:]])
    return list(value)
