"""Page models: what a page shows, built once and rendered twice (HTML template, JSON twin)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qsl, urlencode

from flask import url_for
from werkzeug.datastructures import MultiDict

from search.facets import country_name
from search.outlets import outlet_name
from search.continuation import Continuation, continue_page
from search.model import PAGE_SIZE, Hit, SearchResult
from web.entities import CASUALTY_LABELS, FLAGGED_TITLE, mention_label, mention_size, range_of
from web.facets import FacetBlock, blocks
from web.formatting import counted, first_words, lacking, number, shown
from web.pagination import Pagination
from web.params import Chip, SearchState, facet_title, parse_state
from web.forgiving import Showing, Suggestion, rescue, suggestion
from web.relax import Relaxation, best_relaxation

_TAGS = re.compile(r"<[^>]+>")


def qs(query_string: str) -> str:
    return "?" + query_string if query_string else ""


@dataclass
class HitView:
    hit: Hit
    display_title: str  # plain text title, or the article's first words
    doc_qs: str  # carries the search state to the article (highlights, way back)

    def to_json(self, state: SearchState) -> dict:
        h = self.hit
        return {
            "id": h.id, "title": h.title, "display_title": self.display_title, "title_html": h.title_html,
            "snippet": h.snippet, "date": h.date, "source": h.source,
            "source_name": outlet_name(h.source) if h.source else None, "url": h.url, "score": h.score,
            "countries": [{"code": c, "name": country_name(c), "search_url": search_url(state.adding("country", c))}
                          for c in h.countries],
            "orgs": [{"name": o, "search_url": search_url(state.adding("org", o))} for o in h.orgs],
            "troops": h.troops, "casualties": h.casualties,
            "numbers": [t.to_json() for t in number_tags(h, state)], "arrived": h.arrived,
            "doc_url": url_for("doc.page", doc_id=h.id) + qs(self.doc_qs),
            "story": h.story,
            "version_count": h.version_count,
            "versions": [{"id": v.id, "date": v.date, "source": v.source,
                          "doc_url": url_for("doc.page", doc_id=v.id) + qs(self.doc_qs)} for v in h.versions],
            "story_url": url_for("doc.page", doc_id=h.story or h.id) + "#versions",
            # a continuation hit (after the last complete match): the word it lacks
            "partial": bool(h.missing), "missing": list(h.missing),
        }


@dataclass
class SearchPage:
    state: SearchState
    result: SearchResult
    hits: list[HitView]
    facets: list[FacetBlock]
    chips: list[Chip]
    pagination: Pagination
    relaxation: Relaxation | None
    suggestion: Suggestion | None = None
    showing: Showing | None = None
    trend: object = None  # web.trend.TrendChart of the shown query (small chart), or None
    trend_state: SearchState | None = None  # the shown query's state when it is not the typed one
    continuation: Continuation | None = None  # articles lacking one word, after the complete matches

    @property
    def partial_count(self) -> int:
        """Articles listed after the complete matches (0: none)."""
        return (self.continuation.total or 0) if self.continuation else 0

    @property
    def partial_only(self) -> bool:
        """No article has every word: the page lists those lacking one, under a notice."""
        return self.result.total == 0 and self.partial_count > 0

    @property
    def partial_what(self) -> str:
        """What the continuation's articles lack: a word, the phrase as typed, or either."""
        c = self.continuation
        if c is not None:
            units, phrases = len(c.units), len(c.phrases)
        else:  # partial=0: what the continuation would hold
            from search.query.plan import continuation_units, is_phrase_unit

            found = continuation_units(self.state.tree) if self.state.tree is not None else []
            units, phrases = len(found), sum(1 for u in found if is_phrase_unit(u))
        if not phrases:
            return "كلمة واحدة"
        if phrases == units:
            return "العبارة كما كتبتها" if phrases == 1 else "عبارة كما كتبتها"
        return "كلمة واحدة أو عبارة كما كتبتها"

    @property
    def partial_heading(self) -> str:
        """The divider above the continuation."""
        c = self.continuation
        if c and c.phrases and len(c.phrases) == len(c.units):
            heading = "مقالات فيها كلمات العبارة متفرقة" if len(c.phrases) == 1 else "مقالات فيها كلمات عبارة متفرقة"
            return heading + (" أو معظمها" if c.phrases_lacking else "")
        return f"مقالات تنقصها {self.partial_what}" + ("" if c and c.phrases else " من كلماتك")

    @property
    def partial_notice(self) -> str | None:
        if not self.partial_only:
            return None
        n = self.partial_count
        if not self.continuation.phrases:
            return (f"لا توجد مقالات تحوي كل كلمات البحث؛ {shown(n)} {counted(n, 'article')} "
                    f"{lacking(n)} كلمة واحدة منها، وتذكر كل نتيجة الكلمة التي تنقصها.")
        words = ("فيها كلمات العبارة متفرقة أو معظمها" if self.continuation.phrases_lacking
                 else "كلمات العبارة فيها متفرقة")
        return (f"لا توجد مقالات تحوي البحث كما كتبته؛ {shown(n)} {counted(n, 'article')} {lacking(n)} "
                f"{self.partial_what} ({words})، وتذكر كل نتيجة ما ينقصها.")

    @property
    def partial_page(self) -> int:
        """The page where the continuation begins."""
        return self.continuation.complete // PAGE_SIZE + 1 if self.continuation else 1

    @property
    def partial_hidden(self) -> bool:
        """``partial=0`` on a query that would have a continuation (the page offers it back)."""
        from search.continuation import continuation_of

        s = self.state
        return (not s.partial and not s.explicit_and and s.tree is not None
                and bool(continuation_of(s.request(), self.result)))

    @property
    def partial_toggle_qs(self) -> str:
        """The same search without the continuation (``partial=0``), or with it again."""
        return self.state.query_string(partial=not self.state.partial, page=1)

    @property
    def canonical(self) -> str:
        return search_url(self.state.query_string())

    @property
    def collapsed(self) -> bool:
        return self.result.stories is not None

    @property
    def other_mode_url(self) -> str:
        """The same search with every version (or back to one hit per story)."""
        return search_url(self.state.query_string(versions="" if self.state.versions else "all", page=1))

    @property
    def trend_svg(self):
        from web.chart import render

        return render(self.trend, height=110, small=True, chart_id="mini-trend") if self.trend else None

    @property
    def trend_url(self) -> str:
        shown = self.trend_state or self.state
        return url_for("trend.page") + qs(shown.query_string(page=1, sort="relevance", versions="", partial=True))

    @property
    def expansions_off_qs(self) -> str | None:
        return self.state.query_string(expand=False, page=1) if self.state.expansions else None

    @property
    def alternatives(self) -> list[tuple[str, str]]:
        """(label, query string) of the other readings the parser offers (e.g. "او" literally)."""
        return [(label, self.state.query_string(q=q, page=1)) for label, q in self.state.alternatives]

    def to_json(self) -> dict:
        base = url_for("search.page")
        s = self.state
        return {
            "url_version": 1,
            "query": s.q,
            "canonical_url": self.canonical,
            # total counts articles; stories the distinct stories among them (docs/stories.md)
            "total": self.result.total,
            "stories": self.result.stories,
            "stories_exact": self.result.stories_exact if self.collapsed else None,
            "versions": s.versions or "stories",
            "versions_url": self.other_mode_url,
            "trend_url": self.trend_url,
            "trend": self.trend.to_json() if self.trend else None,
            "page": s.page,
            "sort": s.sort,
            "notices": s.notices + ([self.partial_notice] if self.partial_notice else []),
            "took_ms": round(self.result.took_ms, 2),
            "pagination": self.pagination.to_json(),
            "filters": [{"facet": c.facet, "title": facet_title(c.facet), "value": c.value, "label": c.label,
                         "remove_url": search_url(c.remove_qs)} for c in self.chips],
            "clear_url": search_url(s.cleared()),
            "relaxation": self.relaxation.to_json(base) if self.relaxation else None,
            "suggestion": ({"query": self.suggestion.query, "url": search_url(self.suggestion.qs),
                            "total": self.suggestion.total} if self.suggestion else None),
            "showing": ({"query": self.showing.query, "url": search_url(self.showing.qs), "reason": self.showing.reason,
                         "instead": {"query": self.showing.typed, "url": search_url(self.showing.typed_qs)}}
                        if self.showing else None),
            "expansions": [{"latin": e.latin, "arabic": list(e.arabic)} for e in s.expansions],
            "expansions_off_url": search_url(self.expansions_off_qs) if self.expansions_off_qs else None,
            "expand": s.expand,
            "alternatives": [{"label": label, "url": search_url(q)} for label, q in self.alternatives],
            # The continuation (search/continuation.py): articles lacking exactly one word of
            # the query, listed after the last complete match; never in total, facets or CSV.
            "partial_total": self.continuation.total if self.continuation else None,
            "partial_stories": self.continuation.stories if self.continuation else None,
            "partial_stories_exact": (self.continuation.stories_exact
                                      if self.continuation and self.continuation.stories is not None else None),
            "partial_rank": self.continuation.rank if self.partial_count else None,
            "partial_start": self.continuation.start if self.continuation else None,
            "partial_units": self.continuation.units if self.continuation else [],
            "partial_phrases": self.continuation.phrases if self.continuation else [],
            "partial_phrases_lacking": self.continuation.phrases_lacking if self.continuation else [],
            "partial": s.partial,
            "partial_url": search_url(self.partial_toggle_qs) if self.continuation or self.partial_hidden else None,
            "hits": [h.to_json(s) for h in self.hits],
            "facets": {b.name: b.to_json(base, facet_url(b.name, s)) for b in self.facets},
            "csv_url": url_for("export.csv") + qs(s.query_string(page=1)),
            # The export holds the complete matches (``total``), never the continuation.
            "csv_total": self.result.total,
            "csv_includes_partial": False,
            "feed_url": self.feed_url,
            "since": s.since or None,
        }

    @property
    def feed_url(self) -> str:
        from web.feed_views import feed_url

        return feed_url(self.state)

    @property
    def seen_key(self) -> str:
        """What the saved-searches page calls this search (its saved query string)."""
        return self.state.query_string(page=1, since="")


def search_url(query_string: str) -> str:
    return url_for("search.page") + qs(query_string)


def facet_url(name: str, state: SearchState, facet_q: str = "") -> str:
    extra = [("facet_q", facet_q)] if facet_q else []
    return url_for("facet.page", name=name) + qs(urlencode(state.params(page=1) + extra))


def hit_view(hit: Hit, state: SearchState, doc_qs: str, lead: str | None = None) -> HitView:
    if hit.title:
        title = hit.title
    else:
        title = first_words(lead if lead is not None else unescape(_TAGS.sub("", hit.snippet)).lstrip("… "))
    return HitView(hit, title, doc_qs)


def build_search_page(state: SearchState, backend) -> SearchPage:
    request = state.request(PAGE_SIZE)
    result = backend.search(request)
    sugg = suggestion(state, backend)
    result, showing = rescue(state, backend, result, sugg)
    continuation = None
    if state.continues:
        # After the last complete match, the articles lacking one word (of the query whose
        # results are shown). With no complete match at all, the spelling rescue goes first:
        # a typo is usually the word every article lacks.
        shown = request if showing is None or showing.tree is None else state.request(PAGE_SIZE, query=showing.tree)
        result, continuation = continue_page(backend, shown, result)
    # One hit per story: pages are pages of stories; then the continuation's.
    items = result.total if result.stories is None else result.stories
    if continuation is not None and continuation.total is not None:
        items = continuation.complete + continuation.items
    pagination = Pagination(state.page, PAGE_SIZE, items)
    # Articles shown for a repaired query carry that query (its words are the ones marked).
    doc_qs = showing.qs if showing is not None else state.query_string()
    # The snippet may start mid-article; an untitled article is named by its first words.
    hits = [hit_view(h, state, doc_qs, h.lead) for h in result.hits]
    relaxation = best_relaxation(state, backend) if result.total == 0 else None
    if showing is not None and showing.reason == "spelling":
        sugg = None  # shown as "showing results for" instead
    # The small chart (first page only) draws the query whose results are shown.
    trend_state = parse_state(MultiDict(parse_qsl(showing.qs))) if showing is not None else None
    trend = None
    if result.total and state.page == 1:
        from web.trend import small_chart

        trend = small_chart(trend_state or state, backend)
    return SearchPage(state, result, hits, blocks(result.facets, state, result.total), state.chips(), pagination,
                      relaxation, sugg, showing, trend, trend_state, continuation)


@dataclass(frozen=True)
class NumberTag:
    """One troop number of a hit: '500 جندي' (force) or '42 عنصر · قتلى' (casualties)."""

    kind: str  # "troops" (force size) or "casualties"
    label: str  # the number (or range)
    noun: str  # the personnel noun the text used
    detail: str  # casualty type
    qs: str  # the search narrowed to this number's range; "" when flagged
    flagged: bool = False

    @property
    def detail_label(self) -> str:
        return CASUALTY_LABELS.get(self.detail, self.detail)

    @property
    def title(self) -> str:
        if self.flagged:
            return FLAGGED_TITLE
        return "عدد القوات المذكور" if self.kind == "troops" else "الخسائر البشرية المذكورة"

    def to_json(self) -> dict:
        return {"kind": self.kind, "label": self.label, "noun": self.noun or None,
                "casualty": self.detail or None, "flagged": self.flagged,
                "search_url": search_url(self.qs) if self.qs else None}


def number_tags(hit: Hit, state: SearchState) -> list[NumberTag]:
    """The hit's troop numbers, force sizes first, each largest first, casualty counts after.

    Documents indexed without mention details show their force sizes labelled 'جندي'.
    """
    if not hit.troop_mentions:
        return [NumberTag("troops", number(v), "جندي", "", state.adding("troops", range_of(v, "troops")))
                for v in sorted(set(hit.troops), reverse=True)]
    tags = []
    for t in sorted(hit.troop_mentions, key=lambda t: (t.get("kind") == "casualties", -mention_size(t))):
        kind = "casualties" if t.get("kind") == "casualties" else "troops"
        flagged = bool(t.get("flags"))
        qs_ = "" if flagged else state.adding(kind, range_of(mention_size(t), kind))
        tags.append(NumberTag(kind, mention_label(t), str(t.get("word") or ""), str(t.get("casualty") or ""),
                              qs_, flagged))
    return tags
