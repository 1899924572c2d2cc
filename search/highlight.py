"""Highlight query matches in original text using the same analysis as indexing.

A match is found on analyzed tokens, then marked at the token's offsets in the original
string, so a run-together word or a spelling variant is highlighted where it really stands.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from search.analysis import analyze_field, matching_spans
from search.query.ranking import RANKING
from search.query.tree import Node, Phrase, Prefix, Word, positive_text_nodes

WORD_CHAINS = ("arabic", "arabic_plus")
PHRASE_CHAIN = "arabic_exact"
# A quoted phrase also matches in the plus chain (clitics forgiven) when the ranking says so.
PHRASE_CHAINS = (PHRASE_CHAIN, "arabic_plus") if RANKING.phrase_plus > 0 else (PHRASE_CHAIN,)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    open_tag: str = "<mark>"
    close_tag: str = "</mark>"


class Highlighter:
    """Finds the character spans of a query's positive words, phrases and prefixes in a text."""

    def __init__(self, query: Node, field: str = "body", loose_phrases: bool = False):
        """``loose_phrases``: a phrase's words also count one by one (the continuation lists
        articles with a quoted phrase's words apart: those words are what they match)."""
        nodes = [n for n in positive_text_nodes(query) if field in n.fields]
        if loose_phrases:
            nodes += [w for n in nodes if isinstance(n, Phrase) for w in n.words()]
        self.word_terms: dict[str, set[str]] = {c: set() for c in WORD_CHAINS}
        self.word_seqs: dict[str, list[tuple[str, ...]]] = {c: [] for c in WORD_CHAINS}
        self.phrases: dict[str, list[tuple[str, ...]]] = {c: [] for c in PHRASE_CHAINS}
        self.prefixes: list[str] = []
        for n in nodes:
            if isinstance(n, Word):
                for chain in WORD_CHAINS:
                    terms = tuple(t.term for t in analyze_field(chain, n.text))
                    if len(terms) == 1:
                        self.word_terms[chain].add(terms[0])
                    elif terms:
                        self.word_seqs[chain].append(terms)
            elif isinstance(n, Phrase):
                exact = tuple(t.term for t in analyze_field(PHRASE_CHAIN, n.text))
                for chain in PHRASE_CHAINS:
                    terms = exact if chain == PHRASE_CHAIN else tuple(t.term for t in analyze_field(chain, n.text))
                    if terms and (chain == PHRASE_CHAIN or len(exact) > 1):  # a quoted word stays exact
                        self.phrases[chain].append(terms)
            elif isinstance(n, Prefix):
                terms = [t.term for t in analyze_field(PHRASE_CHAIN, n.text)]
                if terms:
                    self.prefixes.append(terms[-1])

    @property
    def empty(self) -> bool:
        return not (any(self.word_terms.values()) or any(self.word_seqs.values())
                    or any(self.phrases.values()) or self.prefixes)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Sorted, merged (start, end) spans of matches in ``text``."""
        if self.empty or not text:
            return []
        found: list[tuple[int, int]] = []
        for chain in WORD_CHAINS:
            terms, seqs = self.word_terms[chain], self.word_seqs[chain]
            if terms:
                found.extend(matching_spans(chain, text, terms.__contains__))
            if seqs:
                tokens = analyze_field(chain, text)
                for seq in seqs:
                    found.extend(_sequence_spans(tokens, seq))
        if self.prefixes:
            prefixes = tuple(self.prefixes)
            found.extend(matching_spans(PHRASE_CHAIN, text, lambda term: term.startswith(prefixes)))
        for chain, seqs in self.phrases.items():
            if seqs:
                tokens = analyze_field(chain, text)
                for seq in seqs:
                    found.extend(_sequence_spans(tokens, seq))
        return _merge(found)


def _sequence_spans(tokens, seq: tuple[str, ...]) -> list[tuple[int, int]]:
    out = []
    n = len(seq)
    for i in range(len(tokens) - n + 1):
        if tokens[i].term != seq[0]:
            continue
        window = tokens[i:i + n]
        if all(w.term == s for w, s in zip(window, seq)) and \
                all(window[k + 1].position - window[k].position == 1 for k in range(n - 1)):
            out.append((window[0].start, window[-1].end))
    return out


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def markup(text: str, spans: list[Span]) -> str:
    """Escape ``text`` and wrap each span in its tags; overlapping spans nest per segment."""
    if not spans:
        return escape(text)
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        active = [s for s in spans if s.start <= a and s.end >= b]
        piece = escape(text[a:b])
        for s in reversed(active):
            piece = s.open_tag + piece + s.close_tag
        out.append(piece)
    return "".join(out)


def highlight_all(text: str, spans: list[tuple[int, int]]) -> str:
    """The whole text, escaped, with every span in <mark>."""
    return markup(text, [Span(s, e) for s, e in spans])


def snippet(text: str, spans: list[tuple[int, int]], max_chars: int = 260) -> str:
    """The window of ``text`` richest in matches, escaped, with matches in <mark>."""
    if len(text) <= max_chars:
        return highlight_all(text, spans)
    if not spans:
        start, end = 0, _cut_end(text, max_chars)
    else:
        best, best_score = 0, -1
        for i, (s, _) in enumerate(spans):
            win_end = s + max_chars - 40
            covered = {text[a:b] for a, b in spans[i:] if b <= win_end}
            score = len(covered) * 1000 + sum(1 for a, b in spans[i:] if b <= win_end)
            if score > best_score:
                best, best_score = i, score
        anchor = spans[best][0]
        start = _cut_start(text, max(0, anchor - 40))
        end = _cut_end(text, start + max_chars)
        # Never cut through a match: a half-marked word reads as a different word.
        for a, b in spans:
            if a < end < b:
                end = b
            if a < start < b:
                start = a
    inside = [Span(max(s, start) - start, min(e, end) - start)
              for s, e in spans if e > start and s < end]
    body = markup(text[start:end], inside)
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")


def _cut_start(text: str, pos: int) -> int:
    if pos <= 0:
        return 0
    space = text.rfind(" ", max(0, pos - 20), pos)
    return space + 1 if space >= 0 else pos


def _cut_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.find(" ", pos, pos + 20)
    return space if space >= 0 else pos
