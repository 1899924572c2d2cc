"""The versions of an article's story and what each one changes against the earliest.

The comparison is word by word (difflib over the words, punctuation left out: wire copies
differ in quote marks and in spaces around full stops, which are not changes a reader
needs to see), bounded so a long
article costs little: at most ``MAX_WORDS`` words of each text, ``MAX_VERSIONS`` versions
compared and ``MAX_PASSAGES`` passages listed per side. Everything is plain text, escaped
by the template.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

import regex

MAX_VERSIONS = 30  # listed; the rest are counted
MAX_FETCHED = 1000  # versions read to order and count them (a bound on one page's work)
MAX_WORDS = 2000
MAX_PASSAGES = 12
MAX_PASSAGE_WORDS = 40
_WORD = regex.compile(r"[\w\p{M}]+")  # letters, digits and their marks (harakat)


@dataclass
class Change:
    added: list[str] = field(default_factory=list)  # passages only this version has
    dropped: list[str] = field(default_factory=list)  # passages of the earliest it leaves out
    same: bool = False  # the same words as the earliest
    truncated: bool = False  # only the first MAX_WORDS words were compared

    def to_json(self) -> dict:
        return {"added": self.added, "dropped": self.dropped, "same": self.same, "truncated": self.truncated}


def _passage(words: list[str]) -> str:
    if len(words) > MAX_PASSAGE_WORDS:
        return " ".join(words[:MAX_PASSAGE_WORDS]) + " …"
    return " ".join(words)


def word_changes(earliest: str, other: str) -> Change:
    """What ``other`` adds to and drops from ``earliest``, passage by passage."""
    a, b = _WORD.findall(earliest or ""), _WORD.findall(other or "")
    truncated = len(a) > MAX_WORDS or len(b) > MAX_WORDS
    a, b = a[:MAX_WORDS], b[:MAX_WORDS]
    if a == b:
        return Change(same=True, truncated=truncated)
    change = Change(truncated=truncated)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace") and len(change.dropped) < MAX_PASSAGES:
            change.dropped.append(_passage(a[i1:i2]))
        if tag in ("insert", "replace") and len(change.added) < MAX_PASSAGES:
            change.added.append(_passage(b[j1:j2]))
    return change


@dataclass
class VersionRow:
    id: str
    title: str | None
    date: str | None
    source: str | None
    url: str | None
    earliest: bool
    current: bool
    change: Change | None  # None for the earliest

    def to_json(self, doc_url: str) -> dict:
        return {"id": self.id, "title": self.title, "date": self.date, "source": self.source, "url": self.url,
                "earliest": self.earliest, "current": self.current, "doc_url": doc_url,
                "changes": self.change.to_json() if self.change else None}


def story_rows(doc, be) -> tuple[list[VersionRow], int]:
    """The story's versions, earliest first, each compared with the earliest; and how many there are."""
    if not doc.story or not hasattr(be, "story_versions"):
        return [], 1
    versions = be.story_versions([doc.story], limit=MAX_FETCHED, extraction=False)
    if len(versions) <= 1:
        return [], len(versions) or 1
    earliest = versions[0]
    rows = []
    for i, v in enumerate(versions[:MAX_VERSIONS]):
        change = None if i == 0 else word_changes(earliest.body, v.body)
        rows.append(VersionRow(v.id, v.title, v.date, v.source, v.url, i == 0, v.id == doc.id, change))
    return rows, len(versions)
