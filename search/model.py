"""Engine-independent request and result models shared by every backend and the web layer."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from search.query.tree import Node

SORTS = ("relevance", "date", "troops", "casualties", "arrived")
PAGE_SIZE = 10
MAX_PAGE = 1000  # deepest page a UI request may ask for; export uses iter_all instead
# What a request matches (search/continuation.py): every unit (word or compound name) of the
# query, the result set that totals, facets, exports, feeds and trends count; or the
# articles lacking exactly one unit, listed after the last complete match.
MATCH_ALL, MATCH_PARTIAL = "all", "partial"


@dataclass(frozen=True)
class Range:
    """Inclusive numeric or ISO-date range; None means open on that side."""

    low: Any = None
    high: Any = None

    def is_open(self) -> bool:
        return self.low is None and self.high is None


@dataclass(frozen=True)
class SearchRequest:
    """What to search: a parsed query tree plus facet filters, sort and page."""

    query: Node
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet name -> OR'd values
    ranges: dict[str, Range] = field(default_factory=dict)  # "troops" / "casualties" / "date" -> Range
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE
    facets: tuple[str, ...] = ("country", "org", "troops", "casualties", "month", "source")
    facet_size: int = 50
    highlight: bool = True
    collapse: bool = True  # one hit per story (its best-ranked version); False: every version
    # Count only these values of a terms facet (search-within-facet over every value).
    facet_include: dict[str, tuple[str, ...]] = field(default_factory=dict)
    match: str = MATCH_ALL  # MATCH_ALL or MATCH_PARTIAL (above)
    exclude_stories: tuple[str, ...] = ()  # leave these stories out (already shown among complete matches)
    ids: tuple[str, ...] = ()  # only these documents (when not empty)
    start: int | None = None  # first rank to return (0-based), instead of the page's

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size if self.start is None else self.start


@dataclass
class FacetBucket:
    value: str
    count: int
    selected: bool = False
    label: str | None = None


@dataclass
class FacetResult:
    name: str
    buckets: list[FacetBucket]
    other: int = 0  # documents in values beyond the returned buckets


@dataclass
class Version:
    """Another version of a hit's story among the same matches (shown under the hit)."""

    id: str
    date: str | None = None
    source: str | None = None


@dataclass
class Hit:
    id: str
    score: float | None
    title: str | None
    snippet: str  # HTML: escaped text with <mark> around matches
    date: str | None = None
    source: str | None = None
    url: str | None = None
    countries: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    troops: list[int] = field(default_factory=list)
    title_html: str | None = None
    casualties: list[int] = field(default_factory=list)
    troop_mentions: list[dict] = field(default_factory=list)  # value, kind, noun... (see StoredDocument)
    lead: str | None = None  # the article's opening words (names an untitled article)
    story: str | None = None  # id of the story's earliest version (docs/stories.md)
    versions: list[Version] = field(default_factory=list)  # other matching versions, earliest first
    version_count: int = 1  # matching versions of the story, this one included
    arrived: str | None = None  # when it entered the archive (search.arrival form)
    missing: tuple[str, ...] = ()  # a continuation hit: the query unit it lacks (search/continuation.py)


LEAD_CHARS = 160


def lead_of(body: str, limit: int = LEAD_CHARS) -> str:
    """The body's opening words, cut at a word boundary."""
    text = " ".join(body[: limit + 40].split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + " …"


@dataclass
class Summary:
    """What a batch row needs of one search: the total, top facet values and the date span."""

    total: int
    facets: dict[str, list[tuple[str, int]]]  # facet -> [(value, count)], most first
    first_date: str | None = None  # ISO day of the oldest / newest dated match
    last_date: str | None = None


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, FacetResult]
    took_ms: float = 0.0
    stories: int | None = None  # distinct stories among the matches (None: not counted)
    stories_exact: bool = True  # False: an estimate (cardinality aggregation) on large results


@dataclass
class StoredDocument:
    """A document as indexed: original text plus extracted facets with evidence."""

    id: str
    body: str
    title: str | None = None
    date: str | None = None  # ISO date or datetime
    source: str | None = None
    url: str | None = None
    author: str | None = None
    origin: str | None = None
    countries: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    troops: list[int] = field(default_factory=list)  # force sizes (casualty counts and flagged values left out)
    troops_max: int | None = None
    extraction: dict = field(default_factory=dict)  # full evidence, as `indexer extract` prints it
    story: str | None = None  # id of the story's earliest version; None: not yet grouped (its own id)
    casualties: list[int] = field(default_factory=list)  # casualty counts (killed, wounded, captured...)
    casualties_max: int | None = None
    flags: list[str] = field(default_factory=list)  # "implausible", "rhetorical": some number was kept out
    # One entry per distinct troop mention, for hits and CSV without the whole evidence:
    # {"value", "upper", "bound", "kind", "casualty", "noun", "word", "flags"}
    troop_mentions: list[dict] = field(default_factory=list)
    # Index bookkeeping, not content (so not part of equality): when the document first
    # entered the archive (search.arrival form; the index stamps it if None) and the
    # content digest that lets a rebuild recognise a renamed file (indexer.sources.dedupe).
    arrived: str | None = field(default=None, compare=False)
    digest: int | None = field(default=None, compare=False)

    @property
    def month(self) -> str | None:
        return self.date[:7] if self.date and len(self.date) >= 7 else None

    @property
    def day(self) -> str | None:
        return self.date[:10] if self.date and len(self.date) >= 10 else None

    def to_dict(self) -> dict:
        return {
            "id": self.id, "title": self.title, "body": self.body, "date": self.date,
            "source": self.source, "url": self.url, "author": self.author, "origin": self.origin,
            "countries": self.countries, "orgs": self.orgs, "troops": self.troops,
            "troops_max": self.troops_max, "casualties": self.casualties, "casualties_max": self.casualties_max,
            "flags": self.flags, "troop_mentions": self.troop_mentions, "extraction": self.extraction,
            "story": self.story,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "StoredDocument":
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in names})
