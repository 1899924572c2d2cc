"""Lower a query tree plus request filters into a small engine-neutral plan of analyzed clauses.

Both backends compile this plan, never the raw user text, so a query means the same thing,
term for term, on tantivy and on Elasticsearch.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from search.analysis import analyze_field
from search.facets import FACETS, RangeFacet
from search.fields import ARRIVAL_FIELD, CHAIN_BOOST, SCOPE_BOOST, text_field
from search.model import SearchRequest
from search.query.tree import And, Filter, MatchAll, Node, Not, Or, Phrase, Prefix, Word

WORD_CHAINS = ("arabic", "arabic_plus")


class Clause:
    pass


@dataclass(frozen=True)
class All(Clause):
    pass


@dataclass(frozen=True)
class Nothing(Clause):
    pass


@dataclass(frozen=True)
class Term(Clause):
    field: str
    term: str
    boost: float = 1.0


@dataclass(frozen=True)
class PhraseTerms(Clause):
    field: str
    terms: tuple[str, ...]
    positions: tuple[int, ...]  # relative positions; gaps come from removed stopwords
    boost: float = 1.0


@dataclass(frozen=True)
class PrefixTerm(Clause):
    field: str
    prefix: str
    boost: float = 1.0


@dataclass(frozen=True)
class Keyword(Clause):
    """Unscored exact match on a keyword field; several values OR together."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class NumRange(Clause):
    """Unscored inclusive range on a numeric or date field (dates as ISO strings)."""

    field: str
    low: object = None
    high: object = None
    is_date: bool = False


@dataclass(frozen=True)
class Bool(Clause):
    must: tuple[Clause, ...] = ()
    should: tuple[Clause, ...] = ()  # at least one must match when present
    must_not: tuple[Clause, ...] = ()
    filter: tuple[Clause, ...] = ()


@dataclass
class Plan:
    """The scored query, the post-filters per facet, and what the query highlights."""

    query: Clause
    facet_filters: dict[str, Clause] = field(default_factory=dict)

    def filters_except(self, facet: str | None) -> list[Clause]:
        return [c for name, c in self.facet_filters.items() if name != facet]

    def full(self) -> Clause:
        """Query and every facet filter together."""
        return with_filters(self.query, self.filters_except(None))


def with_filters(query: Clause, filters: list[Clause]) -> Clause:
    if not filters:
        return query
    if isinstance(query, All):
        return Bool(filter=tuple(filters))
    return Bool(must=(query,), filter=tuple(filters))


def lower_query(node: Node) -> Clause:
    """Analyze every word of the tree and expand it over fields and chains."""
    out = _lower(node)
    return All() if out is None else out


def build_plan(request: SearchRequest) -> Plan:
    """The plan for a request: lowered query plus one post-filter per active facet."""
    facet_filters: dict[str, Clause] = {}
    for name, values in request.filters.items():
        if values:
            facet_filters[name] = Keyword(FACETS[name].field, tuple(values))
    for name, rng in request.ranges.items():
        if rng.is_open():
            continue
        if name == "date":
            facet_filters["month"] = NumRange("date", rng.low, rng.high, is_date=True)
        elif name == ARRIVAL_FIELD:  # not a facet: it narrows every count
            facet_filters[name] = NumRange(ARRIVAL_FIELD, rng.low, rng.high, is_date=True)
        else:
            f = FACETS[name]
            fld = f.field if isinstance(f, RangeFacet) else name
            facet_filters[name] = NumRange(fld, rng.low, rng.high)
    return Plan(lower_query(request.query), facet_filters)


def _lower(node: Node) -> Clause | None:
    if isinstance(node, MatchAll):
        return None
    if isinstance(node, Word):
        return _lower_word(node)
    if isinstance(node, Phrase):
        return _lower_phrase(node)
    if isinstance(node, Prefix):
        return _lower_prefix(node)
    if isinstance(node, Filter):
        field_name = {"country": "country", "org": "org", "source": "source"}[node.field]
        value = node.value.upper() if node.field == "country" else node.value
        return Keyword(field_name, (value,))
    if isinstance(node, Not):
        inner = _lower(node.child)
        return None if inner is None else Bool(must=(All(),), must_not=(inner,))
    if isinstance(node, And):
        must, must_not = [], []
        for child in node.children:
            if isinstance(child, Not):
                inner = _lower(child.child)
                if inner is not None:
                    must_not.append(inner)
                continue
            low = _lower(child)
            if low is not None:
                must.append(low)
        if not must and not must_not:
            return None
        if not must:
            must = [All()]
        if len(must) == 1 and not must_not:
            return must[0]
        return Bool(must=tuple(must), must_not=tuple(must_not))
    if isinstance(node, Or):
        parts = [p for p in (_lower(c) for c in node.children) if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Bool(should=tuple(parts))
    raise TypeError(f"unknown query node {node!r}")


def _lower_word(node: Word) -> Clause | None:
    options: list[Clause] = []
    for scope in node.fields:
        for chain in WORD_CHAINS:
            tokens = analyze_field(chain, node.text)
            boost = SCOPE_BOOST[scope] * CHAIN_BOOST[chain]
            fld = text_field(scope, chain)
            if len(tokens) == 1:
                options.append(Term(fld, tokens[0].term, boost))
            elif tokens:
                options.append(_phrase(fld, tokens, boost))
    if not options:
        return None  # only stopwords
    return Bool(should=tuple(dict.fromkeys(options)))


def _lower_phrase(node: Phrase) -> Clause | None:
    options: list[Clause] = []
    for scope in node.fields:
        tokens = analyze_field("arabic_exact", node.text)
        fld = text_field(scope, "arabic_exact")
        boost = SCOPE_BOOST[scope]
        if len(tokens) == 1:
            options.append(Term(fld, tokens[0].term, boost))
        elif tokens:
            options.append(_phrase(fld, tokens, boost))
    if not options:
        return None
    return Bool(should=tuple(options))


def _lower_prefix(node: Prefix) -> Clause | None:
    options: list[Clause] = []
    for scope in node.fields:
        tokens = analyze_field("arabic_exact", node.text)
        if not tokens:
            continue
        fld = text_field(scope, "arabic_exact")
        if len(tokens) > 1:  # "abc-de*": the leading parts must be there as a phrase
            options.append(Bool(must=(_phrase(fld, tokens[:-1], 1.0),
                                      PrefixTerm(fld, tokens[-1].term, SCOPE_BOOST[scope]))))
        else:
            options.append(PrefixTerm(fld, tokens[0].term, SCOPE_BOOST[scope]))
    if not options:
        return None
    return Bool(should=tuple(options))


def _phrase(fld: str, tokens, boost: float) -> PhraseTerms:
    base = tokens[0].position
    return PhraseTerms(fld, tuple(t.term for t in tokens), tuple(t.position - base for t in tokens), boost)
