"""Article text with two layers: query matches (<mark>) and extracted entities (links).

Entity offsets come from ``doc.extraction`` (what ``indexer extract`` found, with evidence).
Both layers go through ``search.highlight.markup``, which escapes all text; the only HTML
added is the tags built here from escaped attribute values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from search.facets import TROOP_BUCKETS, country_name
from search.highlight import Highlighter, Span, markup
from web.formatting import number


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    kind: str  # "country", "org" or "troops"
    key: str  # URL value: ISO code, organization name, or troops range
    label: str
    text: str


@dataclass
class Entity:
    """One distinct entity of the article with how often it is mentioned."""

    kind: str
    key: str
    label: str
    qs: str
    mentions: int = 0
    evidence: list[str] = field(default_factory=list)

    def to_json(self, base: str) -> dict:
        return {"kind": self.kind, "value": self.key, "label": self.label, "mentions": self.mentions,
                "evidence": self.evidence, "search_url": f"{base}?{self.qs}"}


def troops_range(value: int) -> str:
    """The troops facet range a number falls in (what 'search by this number' links to)."""
    for b in TROOP_BUCKETS:
        if (b.low is None or value >= b.low) and (b.high is None or value <= b.high):
            return b.key
    return f"{value}-{value}"


def mentions(extraction: dict, part: str, text: str) -> list[Mention]:
    """Mentions recorded for ``part`` ("body"/"title") whose offsets really point into ``text``."""
    ex = (extraction or {}).get(part) or {}
    out: list[Mention] = []
    for c in ex.get("countries") or []:
        code = str(c.get("code", "")).upper()
        for m in c.get("mentions") or []:
            out.append(_mention(m, "country", code, country_name(code)))
    for o in ex.get("organizations") or []:
        name = str(o.get("name", ""))
        for m in o.get("mentions") or []:
            out.append(_mention(m, "org", name, name))
    for t in ex.get("troops") or []:
        try:
            value = int(t.get("value"))
        except (TypeError, ValueError):
            continue
        out.append(_mention(t, "troops", troops_range(value), number(value)))
    return [m for m in out if m and _valid(m, text)]


def _mention(m: dict, kind: str, key: str, label: str) -> Mention | None:
    try:
        start, end = int(m["start"]), int(m["end"])
    except (KeyError, TypeError, ValueError):
        return None
    return Mention(start, end, kind, key, label, str(m.get("text") or ""))


def _valid(m: Mention, text: str) -> bool:
    # Offsets from another version of the text would link the wrong words: drop them.
    if not _key_ok(m) or not (0 <= m.start < m.end <= len(text)):
        return False
    return not m.text or text[m.start:m.end] == m.text


def _key_ok(m: Mention) -> bool:
    return bool(m.key) and (m.kind != "country" or len(m.key) == 2)


def non_overlapping(ms: list[Mention]) -> list[Mention]:
    """Longest-first, left-to-right choice of mentions, so entity links never nest."""
    chosen: list[Mention] = []
    for m in sorted(ms, key=lambda m: (m.start, -(m.end - m.start))):
        if chosen and m.start < chosen[-1].end:
            continue
        chosen.append(m)
    return chosen


def search_qs(kind: str, key: str) -> str:
    return urlencode({"country": key} if kind == "country" else {"org": key} if kind == "org" else {"troops": key})


def annotate(text: str, extraction: dict, part: str, query, search_base: str) -> str:
    """``text`` as safe HTML: entities as links (outer), query matches as <mark> (inner)."""
    if not text:
        return ""
    spans = []
    for m in non_overlapping(mentions(extraction, part, text)):
        href = escape(f"{search_base}?{search_qs(m.kind, m.key)}", quote=True)
        title = escape(_KIND_TITLES[m.kind] + ": " + m.label, quote=True)
        spans.append(Span(m.start, m.end, f'<a class="ent ent-{m.kind}" href="{href}" title="{title}">', "</a>"))
    if query is not None:
        spans += [Span(s, e) for s, e in Highlighter(query, part).spans(text)]
    return markup(text, spans)


def summary(doc, search_base: str) -> dict[str, list[Entity]]:
    """Distinct countries, organizations and troop numbers of the article, with mention counts."""
    groups: dict[str, dict[str, Entity]] = {"country": {}, "org": {}, "troops": {}}
    for part, text in (("title", doc.title or ""), ("body", doc.body or "")):
        for m in mentions(doc.extraction, part, text):
            key = m.label if m.kind == "troops" else m.key
            ent = groups[m.kind].get(key)
            if ent is None:
                ent = groups[m.kind][key] = Entity(m.kind, m.key, m.label, search_qs(m.kind, m.key))
            ent.mentions += 1
            if m.text and m.text not in ent.evidence and len(ent.evidence) < 3:
                ent.evidence.append(m.text)
    # Facet values stored without evidence offsets still deserve a link.
    for code in doc.countries or []:
        groups["country"].setdefault(code, Entity("country", code, country_name(code), search_qs("country", code)))
    for name in doc.orgs or []:
        groups["org"].setdefault(name, Entity("org", name, name, search_qs("org", name)))
    for value in doc.troops or []:
        label = number(value)
        groups["troops"].setdefault(label, Entity("troops", troops_range(value), label,
                                                  search_qs("troops", troops_range(value))))
    order = {"country": lambda e: -e.mentions, "org": lambda e: -e.mentions,
             "troops": lambda e: -int(e.label.replace(",", "") or 0)}
    return {k: sorted(v.values(), key=order[k]) for k, v in groups.items()}


_KIND_TITLES = {"country": "دولة", "org": "منظمة", "troops": "عدد القوات"}
