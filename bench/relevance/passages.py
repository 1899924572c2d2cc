"""The passages a judge reads: the sentences of an article holding the most query terms.

Shared by both judging tools (pool.py, ranking/judge.py); the caller puts the repository
root on sys.path first.
"""
from __future__ import annotations

import re

from search.analysis import analyze_field

_SENTENCE = re.compile(r"[^.!?؟\n]+[.!?؟]?")


def passages(text: str, terms: dict[str, set[str]], n: int = 3, width: int = 320) -> list[str]:
    """Up to ``n`` sentences with the most distinct query terms (any chain), earlier first
    among equals, each cut at ``width`` characters."""
    scored = []
    for m in _SENTENCE.finditer(text):
        s = m.group().strip()
        if len(s) < 3:
            continue
        found = set()
        for chain, wanted in terms.items():
            found.update(t.term for t in analyze_field(chain, s) if t.term in wanted)
        if found:
            scored.append((len(found), -m.start(), s))
    scored.sort(reverse=True)
    return [s if len(s) <= width else s[:width] + "…" for _, _, s in scored[:n]]
