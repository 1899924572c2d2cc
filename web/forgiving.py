"""Page-level forgiveness: did you mean, and results for a repaired query when the typed one finds nothing.

Engine-neutral: it only builds query trees and asks the backend for counts and hits.

* Did you mean: rare or absent words get the likeliest vocabulary word (search/query/suggest.py).
  The suggestion is shown when its query finds something.
* When the query finds nothing (and ``expand=0`` is not set): an unclosed quote's words are
  tried instead of its phrase, then the spelling suggestion; the first that finds articles is
  shown, with "showing results for X; search instead for Y" (Y links to ``expand=0``: the
  query exactly as typed, never replaced again).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.analysis import matching_spans
from search.model import SearchResult
from search.query import parse, suggest
from search.query.names import expand
from search.query.tree import Node, Phrase, to_text
from web.params import SearchState

SUGGEST_BELOW_DF = 20  # a word in this many documents is taken as meant
_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, dagger alef, kashida


@dataclass(frozen=True)
class Suggestion:
    query: str  # the corrected query text
    qs: str  # its canonical query string
    total: int


@dataclass(frozen=True)
class Showing:
    """The results on the page are for ``query``, not for what was typed."""

    query: str
    qs: str
    reason: str  # "spelling" | "words"
    typed: str
    typed_qs: str  # the typed query, exactly as typed (expand=0)
    tree: Node | None = field(default=None, compare=False)  # the query searched (its continuation follows)


def _count(backend, state: SearchState, tree: Node) -> int:
    # Articles, as the page's total; no story grouping needed for a count.
    return backend.search(state.request(page_size=1, page=1, facets=(), highlight=False, collapse=False,
                                        query=tree)).total


def _expanded(state: SearchState, tree: Node) -> Node:
    return expand(tree)[0] if state.expand else tree


def suggestion(state: SearchState, backend) -> Suggestion | None:
    """The did-you-mean query for the state's query, if a word is rare or absent and the fix finds articles."""
    vocab = backend.vocabulary() if state.q and state.typed_tree is not None else None
    if vocab is None:
        return None

    fixes = {c.word: _surface(backend, state, c.term) or c.term
             for c in suggest.corrections(state.typed_tree, vocab.df, SUGGEST_BELOW_DF)}
    if not fixes:
        return None
    tree = suggest.apply(state.typed_tree, fixes)
    total = _count(backend, state, _expanded(state, tree))
    if not total:
        return None
    query = to_text(tree)
    return Suggestion(query, state.query_string(q=query, expand=True, page=1), total)


def rescue(state: SearchState, backend, result: SearchResult, sugg: Suggestion | None):
    """``(result, showing)``: the results of a repaired query when the typed one found nothing."""
    if result.total or not state.expand or not state.q:
        return result, None
    typed_qs = state.query_string(expand=False, page=1)
    if state.words_fallback is not None:
        res = backend.search(state.request(query=state.words_fallback))
        if res.total:
            words = to_text(_typed_words(state))
            return res, Showing(words, state.query_string(q=words, page=1), "words", state.q, typed_qs,
                                state.words_fallback)
    if sugg is not None:
        tree = _expanded(state, parse(sugg.query).tree)
        res = backend.search(state.request(query=tree))
        if res.total:
            return res, Showing(sugg.query, sugg.qs, "spelling", state.q, typed_qs, tree)
    return result, None


def _typed_words(state: SearchState) -> Node:
    """The words fallback before Latin-name expansion (what the page names)."""
    return parse(state.q).words_fallback or state.typed_tree


def _surface(backend, state: SearchState, term: str) -> str | None:
    """The term as written in an article that holds it (the vocabulary keeps normalized forms)."""
    res = backend.search(state.request(page_size=1, page=1, facets=(), highlight=False, collapse=False,
                                       query=Phrase(term), filters={}, ranges={}))
    if not res.hits:
        return None
    doc = backend.get(res.hits[0].id)
    for text in (doc.title, doc.body) if doc else ():
        if text:
            spans = matching_spans("arabic_exact", text, term.__eq__)
            if spans:
                start, end = spans[0]
                return _MARKS.sub("", text[start:end])
    return None
