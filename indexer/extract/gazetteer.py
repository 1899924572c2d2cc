"""Dictionary matcher: all forms compiled into one trie-shaped regex.

Python's ``re`` tries alternatives in order and does not factor common
prefixes, so the forms are turned into a character trie first; that keeps
one pass over an article in C and makes the longest form win.

Handled around each form: the clitics و ف ب ك ل (and ل + ال written لل),
run-together words left by scrapers (``جنوبالعراق``, ``العراقوسوريا``,
``الولاياتالمتحدة``).
"""
from __future__ import annotations

import re
from typing import Iterable

_SPACE = "[ ]*"        # spaces inside a form are optional: run-together text
_WORD_TAIL = re.compile(r"\w+$")


class Match:
    """One dictionary hit; offsets are into the normalized text."""

    __slots__ = ("start", "end", "mstart", "key", "value", "prefix", "joined")

    def __init__(self, start, end, mstart, key, value, prefix, joined):
        self.start = start          # start of the form itself
        self.end = end
        self.mstart = mstart        # start including clitics / joiner
        self.key = key              # the normalized form as listed
        self.value = value
        self.prefix = prefix        # clitic letters before the form
        self.joined = joined        # glued to the previous word

    def __repr__(self):
        return f"Match({self.key!r}, {self.start}, {self.end}, {self.value!r})"


def _trie(forms: Iterable[str]) -> dict:
    root: dict = {}
    for form in forms:
        node = root
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}
    return root


def _atom(ch: str) -> str:
    return _SPACE if ch == " " else re.escape(ch)


def _emit(node: dict) -> str:
    alts = [_atom(ch) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if not alts:
        return ""
    terminal = "" in node
    if len(alts) == 1 and not terminal:
        return alts[0]
    return "(?:" + "|".join(alts) + ")" + ("?" if terminal else "")


def _emit_root(root: dict) -> str:
    alts = []
    for ch, child in sorted(root.items()):
        if not ch:
            continue
        if ch == "ا" and "ل" in child:
            # ل + ال is written لل: the alef may be absent after a lam clitic.
            rest = {k: v for k, v in child.items() if k != "ل"}
            alts.append("(?:ا|(?<=ل))ل" + _emit(child["ل"]))
            if rest:
                alts.append("ا" + _emit(rest))
        else:
            alts.append(_atom(ch) + _emit(child))
    return "(?:" + "|".join(alts) + ")"


# Clitic letters a form may carry, as the regex below accepts them.
PREFIXES = ("", "و", "ف", "ب", "ك", "ل", "وب", "وك", "ول", "فب", "فك", "فل")
_LAM_PREFIXES = ("ل", "ول", "فل")


def trigger_words(form: str) -> set[str]:
    """Words that can open a match of ``form`` in text (first word with clitics)."""
    bases = {form.split(" ")[0], form.replace(" ", "")}
    out = set()
    for base in bases:
        out.update(p + base for p in PREFIXES)
        if base.startswith("ال"):
            out.update(p + base[1:] for p in _LAM_PREFIXES)
    return out


class Gazetteer:
    """Finds listed forms (already normalized) in a :class:`NormText`.

    Candidate positions come from the document's word set (a set intersection
    with the words that can open a form), so the regex only runs where a form
    can start; scanning the whole text with it costs several times more.
    """

    def __init__(self, entries: dict[str, object], join_left: Iterable[str] = ()):
        self.entries = dict(entries)
        self._by_compact = {k.replace(" ", ""): k for k in self.entries}
        self._join_left = frozenset(join_left)
        self.triggers = frozenset().union(*(trigger_words(k) for k in self.entries))
        body = _emit_root(_trie(self.entries)) if self.entries else "(?!)"
        tail = r"(?:(?!\w)|(?=و|ال))"
        self._anchored = re.compile(r"(?P<p>[وف]?[بكل]?)(?P<n>" + body + r")" + tail)
        self._rx = re.compile(
            r"(?:(?<!\w)(?P<p>[وف]?[بكل]?)|(?<=\w)(?P<j>و|(?=ال)))"
            r"(?P<n>" + body + r")" + tail
        )

    def _lookup(self, name: str, prefix: str):
        compact = name.replace(" ", "")
        key = self._by_compact.get(compact)
        if key is None and prefix.endswith("ل") and compact.startswith("ل"):
            key = self._by_compact.get("ا" + compact)
        return key

    def _make(self, m) -> Match | None:
        prefix = m.group("p") or ""
        key = self._lookup(m.group("n"), prefix)
        if key is None:
            return None
        joined = "j" in m.re.groupindex and m.group("j") is not None
        return Match(m.start("n"), m.end("n"), m.start(), key, self.entries[key], prefix, joined)

    def find(self, doc) -> list[Match]:
        norm = doc.norm
        present = doc.cache.get("present", doc.words)
        starts = sorted({p for w in present & self.triggers for p in doc.positions(w)})
        raw = []
        covered = -1
        for p in starts:
            if p < covered:
                continue
            m = self._anchored.match(norm, p)
            if m is not None:
                hit = self._make(m)
                if hit is not None:
                    raw.append(hit)
                    covered = hit.end
        triggers = self.triggers
        for word, tails in doc.long_words:
            if word not in triggers and not triggers.isdisjoint(tails):
                for p in doc.positions(word):
                    for m in self._rx.finditer(norm, p, p + len(word)):
                        hit = self._make(m)
                        if hit is not None:
                            raw.append(hit)
        if not raw:
            return raw
        raw.sort(key=lambda m: m.start)
        return self._check_joins(norm, raw)

    def _check_joins(self, norm: str, raw: list[Match]) -> list[Match]:
        """Keep forms glued to other words only when the glue is plausible."""
        n = len(norm)
        out = []
        for i, m in enumerate(raw):
            if m.joined:
                prev = raw[i - 1] if i else None
                chained = prev is not None and prev.end == m.mstart
                if not chained:
                    tail = _WORD_TAIL.search(norm, max(0, m.mstart - 12), m.mstart)
                    if tail is None or tail.group() not in self._join_left:
                        continue
            if m.end < n and (norm[m.end].isalnum() or norm[m.end] == "_"):
                nxt = raw[i + 1] if i + 1 < len(raw) else None
                if nxt is None or not nxt.joined or nxt.mstart != m.end:
                    continue
            out.append(m)
        return out
