"""Display names of news outlets, by the source id stored in the index (``data/outlets.tsv``)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "outlets.tsv"


@lru_cache(maxsize=1)
def outlets() -> dict[str, tuple[str, str]]:
    """``{id: (Arabic name, English name)}``; ids are matched case-insensitively."""
    table: dict[str, tuple[str, str]] = {}
    with open(DATA, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = [c.strip() for c in line.rstrip("\n").split("\t")]
            if len(cells) < 2 or not cells[0] or not cells[1]:
                raise ValueError(f"{DATA}:{n}: expected id, Arabic name and English name")
            table[cells[0].lower()] = (cells[1], cells[2] if len(cells) > 2 and cells[2] else cells[0])
    return table


def outlet_name(source_id: str | None, lang: str = "ar") -> str:
    """The outlet's name (Arabic by default); an unknown id is returned as it is."""
    if not source_id:
        return ""
    names = outlets().get(source_id.lower())
    if names is None:
        return source_id
    return names[1] if lang == "en" else names[0]
