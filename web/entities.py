"""Article text with two layers: query matches (<mark>) and extracted entities (links).

Entity offsets come from ``doc.extraction`` (what ``indexer extract`` found, with evidence).
Both layers go through ``search.highlight.markup``, which escapes all text; the only HTML
added is the tags built here from escaped attribute values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from search.facets import RANGE_BUCKETS, country_name
from search.highlight import Highlighter, Span, markup
from web.formatting import number

# The kinds of casualty counts, as the extractor names them (indexer/extract/data/troops.json).
CASUALTY_LABELS = {"killed": "قتلى", "wounded": "جرحى", "captured": "أسرى", "arrested": "معتقلون",
                   "executed": "أُعدموا", "missing": "مفقودون"}
FLAGGED_TITLE = "رقم غير معقول أو بلاغي: يبقى دليله ظاهرًا ولا يدخل في التصفية ولا الترتيب"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    kind: str  # "country", "org", "troops" (force sizes) or "casualties"
    key: str  # URL value: ISO code, organization name, or troops / casualties range; "" when flagged
    label: str
    text: str
    noun: str = ""  # troop numbers: the personnel noun used (جندي، مقاتل، عنصر)
    detail: str = ""  # casualties: killed, wounded ...
    flagged: bool = False  # implausible or rhetorical: shown, not linked to a range


@dataclass
class Entity:
    """One distinct entity of the article with how often it is mentioned."""

    kind: str
    key: str
    label: str
    qs: str
    mentions: int = 0
    evidence: list[str] = field(default_factory=list)
    noun: str = ""
    detail: str = ""
    flagged: bool = False

    @property
    def detail_label(self) -> str:
        return CASUALTY_LABELS.get(self.detail, self.detail)

    def to_json(self, base: str) -> dict:
        out = {"kind": self.kind, "value": self.key, "label": self.label, "mentions": self.mentions,
               "evidence": self.evidence, "search_url": f"{base}?{self.qs}" if self.qs else None}
        if self.kind in ("troops", "casualties"):
            out.update(noun=self.noun or None, flagged=self.flagged)
            if self.kind == "casualties":
                out.update(casualty=self.detail or None, casualty_label=self.detail_label or None)
        return out


def range_of(value: int, name: str = "troops") -> str:
    """The facet range a number falls in (what 'search by this number' links to)."""
    for b in RANGE_BUCKETS[name]:
        if (b.low is None or value >= b.low) and (b.high is None or value <= b.high):
            return b.key
    return f"{value}-{value}"


def troops_range(value: int) -> str:
    return range_of(value, "troops")


def mention_size(t: dict) -> int:
    """The number a mention is filtered and sorted by (as ``indexer.extract.model.Troop.size``)."""
    value = int(t.get("value"))
    upper = t.get("upper")
    return value if t.get("bound") == "vague" or not upper else int(upper)


def mention_label(t: dict) -> str:
    """'500', '7,000–8,000' (a range), '200–999' (a vague quantity such as مئات)."""
    value, upper = int(t.get("value")), t.get("upper")
    return f"{number(value)}–{number(int(upper))}" if upper else number(value)


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
            size, label = mention_size(t), mention_label(t)
        except (TypeError, ValueError):
            continue
        kind = "casualties" if t.get("kind") == "casualties" else "troops"
        flagged = bool(t.get("flags"))
        out.append(_mention(t, kind, "" if flagged else range_of(size, kind), label,
                            noun=str(t.get("word") or ""), detail=str(t.get("casualty") or ""), flagged=flagged))
    return [m for m in out if m and _valid(m, text)]


def _mention(m: dict, kind: str, key: str, label: str, **extra) -> Mention | None:
    try:
        start, end = int(m["start"]), int(m["end"])
    except (KeyError, TypeError, ValueError):
        return None
    return Mention(start, end, kind, key, label, str(m.get("text") or ""), **extra)


def _valid(m: Mention, text: str) -> bool:
    # Offsets from another version of the text would link the wrong words: drop them.
    if not _key_ok(m) or not (0 <= m.start < m.end <= len(text)):
        return False
    return not m.text or text[m.start:m.end] == m.text


def _key_ok(m: Mention) -> bool:
    if m.flagged:
        return True
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
    """Query string of the search by one entity ('' for a flagged number: nothing to search)."""
    if not key:
        return ""
    return urlencode({{"country": "country", "org": "org", "casualties": "casualties"}.get(kind, "troops"): key})


def annotate(text: str, extraction: dict, part: str, query, search_base: str, loose_phrases: bool = False) -> str:
    """``text`` as safe HTML: entities as links (outer), query matches as <mark> (inner);
    ``loose_phrases``: a quoted phrase's words are marked one by one (search.highlight)."""
    if not text:
        return ""
    spans = []
    for m in non_overlapping(mentions(extraction, part, text)):
        if m.flagged:
            title = escape(f"{_KIND_TITLES[m.kind]}: {m.label} — {FLAGGED_TITLE}", quote=True)
            spans.append(Span(m.start, m.end, f'<span class="ent ent-flagged" title="{title}">', "</span>"))
            continue
        href = escape(f"{search_base}?{search_qs(m.kind, m.key)}", quote=True)
        what = m.label + (" " + m.noun if m.noun else "")
        if m.detail:
            what += f" ({CASUALTY_LABELS.get(m.detail, m.detail)})"
        title = escape(_KIND_TITLES[m.kind] + ": " + what, quote=True)
        spans.append(Span(m.start, m.end, f'<a class="ent ent-{m.kind}" href="{href}" title="{title}">', "</a>"))
    if query is not None:
        spans += [Span(s, e) for s, e in Highlighter(query, part, loose_phrases).spans(text)]
    return markup(text, spans)


def summary(doc, search_base: str) -> dict[str, list[Entity]]:
    """Distinct countries, organizations, force sizes and casualty counts of the article,
    with mention counts (numbers: one entry per number, noun and casualty type)."""
    groups: dict[str, dict] = {"country": {}, "org": {}, "troops": {}, "casualties": {}}
    sizes: dict[str, set] = {"troops": set(), "casualties": set()}     # numbers shown with their evidence
    for part in ("title", "body"):
        for t in ((doc.extraction or {}).get(part) or {}).get("troops") or []:
            try:
                sizes["casualties" if t.get("kind") == "casualties" else "troops"].add(mention_size(t))
            except (TypeError, ValueError):
                continue
    for part, text in (("title", doc.title or ""), ("body", doc.body or "")):
        for m in mentions(doc.extraction, part, text):
            key = (m.label, m.noun, m.detail, m.flagged) if m.kind in ("troops", "casualties") else m.key
            ent = groups[m.kind].get(key)
            if ent is None:
                ent = groups[m.kind][key] = Entity(m.kind, m.key, m.label, search_qs(m.kind, m.key),
                                                   noun=m.noun, detail=m.detail, flagged=m.flagged)
            ent.mentions += 1
            if m.text and m.text not in ent.evidence and len(ent.evidence) < 3:
                ent.evidence.append(m.text)
    # Facet values stored without evidence offsets still deserve a link.
    for code in doc.countries or []:
        groups["country"].setdefault(code, Entity("country", code, country_name(code), search_qs("country", code)))
    for name in doc.orgs or []:
        groups["org"].setdefault(name, Entity("org", name, name, search_qs("org", name)))
    for kind, values in (("troops", doc.troops), ("casualties", getattr(doc, "casualties", None))):
        shown = {e.label for e in groups[kind].values()}
        for value in values or []:
            if number(value) not in shown and value not in sizes[kind]:
                key = range_of(value, kind)
                groups[kind][number(value)] = Entity(kind, key, number(value), search_qs(kind, key))

    def by_size(e: Entity) -> int:
        return -int(e.label.split("–")[-1].replace(",", "") or 0)

    order = {"country": lambda e: -e.mentions, "org": lambda e: -e.mentions, "troops": by_size, "casualties": by_size}
    return {k: sorted(v.values(), key=order[k]) for k, v in groups.items()}


_KIND_TITLES = {"country": "دولة", "org": "منظمة", "troops": "عدد القوات", "casualties": "الخسائر البشرية"}
