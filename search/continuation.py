"""Complete matches first, then the articles that lack one word: one ranked list from two searches.

(Or that have a quoted phrase's words, not as the phrase: a phrase is loosened, never
dropped; ``search.query.plan.continuation_units``.)

A query's result set is strict: every unit (plain word, compound name) is required, and
that is what ``total``, facet counts, exports, feeds, batch rows and trends count. After the
last complete match, the results page continues with the articles that lack exactly one
unit (``MATCH_PARTIAL``, ranked as issue 16's relaxed ranking ranks them), separated and
counted apart. Both parts are plain backend searches, so this works on every engine.

Pages run over the concatenation: with C complete items (stories, or articles when every
version is listed), page N holds items (N-1)*size+1 .. N*size of "complete, then partial";
the partial part of a page starts at rank max(0, offset - C) of the partial list.

Stories: with one hit per story, a story already shown among the complete matches is left
out of the continuation (``exclude_stories``: the complete matches' story ids, from one
terms aggregation). When the complete matches hold ``LIMIT`` stories or more, the
continuation would start past the last page a reader can open (``MAX_PAGE``): it is not
searched at all (``Continuation.total`` is None).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from search.model import MATCH_PARTIAL, MAX_PAGE, PAGE_SIZE, SearchRequest, SearchResult
from search.query.plan import continuation_units, is_phrase_unit, phrase_may_lack_word, unit_query, unit_text

LIMIT = MAX_PAGE * PAGE_SIZE  # items a reader can page through


@dataclass
class Continuation:
    """The part of a results list after the last complete match."""

    units: list[str]  # the query's units as typed, each of which an article here may lack
    complete: int  # items (stories, or articles with every version) among the complete matches
    total: int | None = None  # articles lacking one unit; None: not searched (beyond the last page)
    stories: int | None = None  # their stories (not already shown above); None when not collapsed
    stories_exact: bool = True
    start: int | None = None  # index in the page's hits where the continuation begins; None: not on it
    # which of ``units`` are quoted phrases (an article here has their words, not the phrase)
    phrases: list[str] = dataclasses.field(default_factory=list)
    # which of ``phrases`` (three words or more) an article here may also lack a word of
    phrases_lacking: list[str] = dataclasses.field(default_factory=list)

    @property
    def items(self) -> int:
        """Items of the continuation (stories when collapsed, else articles)."""
        return (self.stories if self.stories is not None else self.total) or 0

    @property
    def rank(self) -> int:
        """1-based rank of the first continuation item in the whole list."""
        return self.complete + 1


# A query whose only continuation would be its quoted phrases loosened is continued only
# while the phrases find fewer than this many items (stories, or articles with every
# version): loosening rescues a phrase that finds little; after pages of exact matches
# nobody reads on to the words apart, and counting them costs (bench/README.md).
PHRASE_RESCUE = 100


def continuation_of(request: SearchRequest, result: SearchResult) -> list:
    """The units the continuation of ``request`` may lack, given its complete matches
    ``result``; [] when it has none."""
    units = continuation_units(request.query)
    if units and all(is_phrase_unit(u) for u in units):
        found = (result.stories or 0) if request.collapse else result.total
        if found >= PHRASE_RESCUE:
            return []
    return units


def continue_page(backend, request: SearchRequest, result: SearchResult) -> tuple[SearchResult, Continuation | None]:
    """``result`` (the complete matches of ``request``'s page) with the page filled up by
    the continuation, and what the continuation holds; (result, None) when the query has
    none (one word, an OR, a phrase that finds plenty as typed...)."""
    units = continuation_of(request, result)
    if not units:
        return result, None
    labels = [unit_text(u) for u in units]
    long_phrases = [u for u in units if phrase_may_lack_word(u)]
    kinds = {"phrases": [unit_text(u) for u in units if is_phrase_unit(u)],
             "phrases_lacking": [unit_text(u) for u in long_phrases]}
    stories: tuple[str, ...] = ()
    if _fills_every_page(request, result):
        return result, Continuation(labels, LIMIT, **kinds)
    if request.collapse and result.total:
        found = backend.story_ids(_counting(request), LIMIT)
        if found is None:
            return result, Continuation(labels, max(result.stories or 0, LIMIT), **kinds)
        stories = found
        # The number of complete stories is now exact (the aggregation's, not an estimate).
        result = dataclasses.replace(result, stories=len(found), stories_exact=True)
    complete = len(stories) if request.collapse else result.total
    if complete >= LIMIT:
        return result, Continuation(labels, complete, **kinds)
    room = request.page_size - len(result.hits)
    partial = backend.search(dataclasses.replace(
        request, match=MATCH_PARTIAL, exclude_stories=stories, facets=(), start=max(0, request.offset - complete),
        page_size=max(room, 0)))
    hits = _with_missing(backend, request, partial.hits[:max(room, 0)], units, long_phrases)
    cont = Continuation(labels, complete, partial.total, partial.stories if request.collapse else None,
                        partial.stories_exact, len(result.hits) if hits else None, **kinds)
    if hits:
        result = dataclasses.replace(result, hits=list(result.hits) + hits)
    return result, cont


def _fills_every_page(request: SearchRequest, result: SearchResult) -> bool:
    """Complete matches surely beyond the last browsable page (no aggregation needed to know)."""
    if not request.collapse:
        return result.total >= LIMIT
    stories = result.stories or 0
    # An estimate well past the limit, or an exact count at it.
    return stories >= 2 * LIMIT or (result.stories_exact and stories >= LIMIT)


def _counting(request: SearchRequest) -> SearchRequest:
    return dataclasses.replace(request, page=1, start=None, page_size=0, facets=(), highlight=False, collapse=False)


def _with_missing(backend, request: SearchRequest, hits: list, units, long_phrases) -> list:
    """Copies of ``hits`` (cached results are shared: never changed in place), each naming
    the unit it lacks: a hit found by none of the other units' searches lacks the last; of
    ``long_phrases`` (units that may lack a word), the word it lacks, if one."""
    if not hits:
        return []
    ids = tuple(h.id for h in hits)
    lacking: dict[str, str] = {}
    for unit in units[:-1]:
        found = backend.search(dataclasses.replace(
            _counting(request), query=unit_query(unit), ids=ids, filters={}, ranges={}, page_size=len(ids)))
        have = {h.id for h in found.hits}
        for i in ids:
            if i not in have:
                lacking.setdefault(i, unit_text(unit))
    last = unit_text(units[-1])
    missing = {h.id: lacking.get(h.id, last) for h in hits}
    for unit in long_phrases:
        _lacked_words(backend, request, unit, missing)
    return [dataclasses.replace(h, missing=(missing[h.id],)) for h in hits]


def _lacked_words(backend, request: SearchRequest, unit, missing: dict[str, str]) -> None:
    """For the hits lacking a long phrase (``missing``: id -> what it lacks), the phrase's
    word a hit lacks, when it lacks one (it may also have them all, apart): that word is
    what the page then names."""
    label = unit_text(unit)
    ids = tuple(i for i, what in missing.items() if what == label)
    for word in unit[0].words() if ids else ():
        found = backend.search(dataclasses.replace(
            _counting(request), query=word, ids=ids, filters={}, ranges={}, page_size=len(ids)))
        have = {h.id for h in found.hits}
        for i in ids:
            if i not in have and missing[i] == label:
                missing[i] = word.text
