"""The lead of an article: its headline and first lines, indexed apart as a ranking signal.

News is written as an inverted pyramid: an article *about* a subject names it in the
headline or the opening sentences, while one that only mentions it does so further down.
The ranking adds a small bonus for every query word found in the lead (``Ranking.lead``,
docs/analysis.md "Scoring"). Only the plus chain is indexed there: the field ranks, it never
decides which articles match and is never highlighted.
"""
from __future__ import annotations

from search.analysis import joined_terms_all
from search.fields import LEAD_CHAIN

LEAD_CHARS = 300  # of the body, after the headline (chosen on the relevance set: 200-400 score alike)


def lead_text(title: str | None, body: str | None) -> str:
    """The headline, then the body's first ``LEAD_CHARS`` characters cut after a whole word."""
    body = body or ""
    if len(body) > LEAD_CHARS:
        cut = max(body.rfind(c, 0, LEAD_CHARS + 1) for c in " \n\t")
        body = body[:cut if cut > 0 else LEAD_CHARS]
    return "\n".join(part for part in (title or "", body) if part)


def lead_terms(title: str | None, body: str | None, gap: str) -> str | None:
    """The lead analyzed for its index field (space-joined terms, ``gap`` at each empty
    position), as both engines index it; None when the article has no text."""
    lead = lead_text(title, body)
    return joined_terms_all((LEAD_CHAIN,), lead, gap)[0] if lead else None
