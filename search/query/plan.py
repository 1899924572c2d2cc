"""Lower a query tree plus request filters into a small engine-neutral plan of analyzed clauses.

Both backends compile this plan, never the raw user text, so a query means the same thing,
term for term, on tantivy and on Elasticsearch.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from search.analysis import analyze_field, compound_name_parts, is_name_word
from search.facets import FACETS, RangeFacet
from search.fields import ARRIVAL_FIELD, LEAD_SCOPE, STORY_FIELD
from search.model import MATCH_ALL, MATCH_PARTIAL, SearchRequest
from search.query.ranking import RANKING, Ranking
from search.query.tree import And, Filter, MatchAll, MatchNone, Node, Not, Or, Phrase, Prefix, Word, positive_text_nodes


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
    slop: int = 0  # extra positions allowed between the terms (proximity bonus only)


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
class DisMax(Clause):
    """Matches where any option matches; scores the best option plus ``tie_breaker`` times
    the others (Lucene's DisjunctionMaxQuery), so a word found in several fields and
    chains counts about once instead of once per field."""

    options: tuple[Clause, ...]
    tie_breaker: float = 0.0


@dataclass(frozen=True)
class AtLeast(Clause):
    """Matches where at least ``minimum`` of ``clauses`` match; the matching ones add up
    (a bool ``should`` with ``minimum_should_match``)."""

    clauses: tuple[Clause, ...]
    minimum: int


@dataclass(frozen=True)
class Rank(Clause):
    """Matches exactly what ``match`` matches; each ``bonus`` clause a document also
    matches adds its score (ranking only, never which documents match)."""

    match: Clause
    bonus: tuple[Clause, ...]


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
    # Extra filters a facet's own counts are taken under (the day facet: the month drilled into).
    facet_scopes: dict[str, tuple[Clause, ...]] = field(default_factory=dict)

    def filters_except(self, facet: str | None) -> list[Clause]:
        return [c for name, c in self.facet_filters.items() if name != facet]

    @staticmethod
    def own_filter(facet: str) -> str:
        """The filter a facet's counts ignore: the date range is one filter for month and day."""
        return "month" if facet == "day" else facet

    def facet_scope(self, names) -> list[Clause]:
        """Scope filters of a group of facets counted together (see ``facet_scopes``)."""
        return [c for name in names for c in self.facet_scopes.get(name, ())]

    def full(self) -> Clause:
        """Query and every facet filter together."""
        return with_filters(self.query, self.filters_except(None))


def with_filters(query: Clause, filters: list[Clause]) -> Clause:
    if not filters:
        return query
    if isinstance(query, All):
        return Bool(filter=tuple(filters))
    return Bool(must=(query,), filter=tuple(filters))


# Lowering modes. ``MATCH_ALL``: every unit of a conjunction required (a query's result
# set). ``MATCH_PARTIAL``: the articles that lack exactly one unit of the top-level
# conjunction (the continuation shown after the last complete match; nothing for a query
# without one). ``MATCH_UNION``: both together in one ranking, issue 16's lowering, kept for
# the relevance benchmark (bench/relevance/ranking/), never used by the product.
MATCH_UNION = "union"
# A loosened phrase's words within this many positions of their places count as near.
LOOSE_SLOP = 4
MODES = (MATCH_ALL, MATCH_PARTIAL, MATCH_UNION)


def lower_query(node: Node, ranking: Ranking = RANKING, mode: str = MATCH_ALL) -> Clause:
    """Analyze every word of the tree and expand it over fields and chains."""
    if mode not in MODES:
        raise ValueError(f"unknown match mode {mode!r}")
    low = _Lowering(ranking, union=mode == MATCH_UNION)
    if mode == MATCH_PARTIAL:
        out = low.partial(node)
    else:
        out = low.lower(node)
    if out is None:
        return All()
    if isinstance(out, Nothing) or not (bonus := low.lead(node)):
        return out
    return Rank(out.match, out.bonus + bonus) if isinstance(out, Rank) else Rank(out, bonus)


def continuation_units(node: Node, ranking: Ranking = RANKING) -> list[tuple[Node, ...]]:
    """What an article in the continuation of ``node`` may lack, in query order: a unit (a
    plain word or compound name, as a tuple of its words) or a quoted phrase (a 1-tuple),
    whose words are then all there but not as the phrase; [] when the query has no
    continuation (one word, an OR at the top, a phrase of one word...)."""
    return [item for item, _, _ in _Lowering(ranking).steps(node)]


def unit_text(unit: tuple[Node, ...]) -> str:
    """A unit as the journalist typed it (its words, space-separated; a phrase in quotes)."""
    if is_phrase_unit(unit):
        return f'"{unit[0].text}"'
    return " ".join(n.text for n in unit)


def is_phrase_unit(unit: tuple[Node, ...]) -> bool:
    """Whether a continuation unit is a quoted phrase (present as words, not as the phrase)."""
    return len(unit) == 1 and isinstance(unit[0], Phrase)


def phrase_may_lack_word(unit: tuple[Node, ...], ranking: Ranking = RANKING) -> bool:
    """Whether a continuation unit is a quoted phrase whose loosening may also lack one of
    its words (``Ranking.phrase_lack``)."""
    return is_phrase_unit(unit) and isinstance(_Lowering(ranking).loosened(unit[0]), AtLeast)


def unit_query(unit: tuple[Node, ...]) -> Node:
    """A query tree matching exactly the articles that hold ``unit`` (as its lowering does)."""
    return unit[0] if len(unit) == 1 else And(unit)


def build_plan(request: SearchRequest) -> Plan:
    """The plan for a request: lowered query plus one post-filter per active facet."""
    facet_filters: dict[str, Clause] = {}
    facet_scopes: dict[str, tuple[Clause, ...]] = {}
    for name, values in request.filters.items():
        if values:
            facet_filters[name] = Keyword(FACETS[name].field, tuple(values))
    for name, rng in request.ranges.items():
        if rng.is_open():
            continue
        if name == "date":
            facet_filters["month"] = NumRange("date", rng.low, rng.high, is_date=True)
            if "day" in request.facets and rng.low:
                facet_scopes["day"] = (Keyword("month", (str(rng.low)[:7],)),)
        elif name == ARRIVAL_FIELD:  # not a facet: it narrows every count
            facet_filters[name] = NumRange(ARRIVAL_FIELD, rng.low, rng.high, is_date=True)
        else:
            f = FACETS[name]
            fld = f.field if isinstance(f, RangeFacet) else name
            facet_filters[name] = NumRange(fld, rng.low, rng.high)
    query = lower_query(request.query, mode=request.match)
    # Restrictions of the continuation (search/continuation.py): stories already shown
    # among the complete matches, and the few articles whose missing word is looked up.
    # Part of the query, not of the facet filters: they narrow every count.
    only = (Keyword("id", tuple(request.ids)),) if request.ids else ()
    shown = (Keyword(STORY_FIELD, tuple(request.exclude_stories)),) if request.exclude_stories else ()
    if only or shown:
        query = Bool(must=(query,), filter=only, must_not=shown)
    return Plan(query, facet_filters, facet_scopes)


class _Lowering:
    """The lowering of one query under one set of ranking parameters (``Ranking``)."""

    def __init__(self, ranking: Ranking, scale: float = 1.0, union: bool = False):
        self.r = ranking
        self.scale = scale  # every word weight times this (the coverage bonus re-lowers at its weight)
        self.union = union  # MATCH_UNION: complete and partial matches in one ranking
    def lower(self, node: Node) -> Clause | None:
        if isinstance(node, MatchAll):
            return None
        if isinstance(node, MatchNone):
            return Nothing()
        if isinstance(node, Word):
            return self.word(node)
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, Prefix):
            return self.prefix(node)
        if isinstance(node, Filter):
            field_name = {"country": "country", "org": "org", "source": "source"}[node.field]
            value = node.value.upper() if node.field == "country" else node.value
            return Keyword(field_name, (value,))
        if isinstance(node, Not):
            inner = self.lower(node.child)
            return None if inner is None else Bool(must=(All(),), must_not=(inner,))
        if isinstance(node, And):
            return self.conjunction(node)
        if isinstance(node, Or):
            parts = [p for p in (self.lower(c) for c in node.children) if p is not None]
            if not parts:
                return None
            return parts[0] if len(parts) == 1 else Bool(should=tuple(parts))
        raise TypeError(f"unknown query node {node!r}")

    def units(self, node: And) -> tuple[list[tuple[Node, ...]], list[Node]]:
        """(units, the other positive children), in query order: plain words and compound
        names (عبد ربه; with ``name_chains`` also محمد بن سلمان) may be missing from a
        partial match; phrases, prefixes and filters never."""
        units: list[tuple[Node, ...]] = []
        others: list[Node] = []
        for item in self._items(node):
            (units if isinstance(item, tuple) else others).append(item)
        return units, others

    def _items(self, node: And) -> list:
        """The positive children in order, each unit as a tuple of its words."""
        positives = [c for c in node.children if not isinstance(c, Not)]
        items: list = []
        i = 0
        while i < len(positives):
            unit = self._unit_at(positives, i)
            items.append(unit or positives[i])
            i += len(unit) or 1
        return items

    def conjunction(self, node: And) -> Clause | None:
        """Every unit required (the result set)."""
        r = self.r
        positives = [c for c in node.children if not isinstance(c, Not)]
        must_not = [low for c in node.children if isinstance(c, Not) and (low := self.lower(c.child)) is not None]
        lowered = []  # (unit or None, clause) in query order
        for item in self._items(node):
            low = self.unit(item) if isinstance(item, tuple) else self.lower(item)
            if low is not None:
                lowered.append((item if isinstance(item, tuple) else None, low))
        units = [u for u, _ in lowered if u is not None]
        words = [low for u, low in lowered if u is not None]
        rest = [low for u, low in lowered if u is None]
        relaxed = bool(r.relax_from) and len(words) >= max(2, r.relax_from)
        bonus: list[Clause] = []
        if relaxed and self.union:
            # Issue 16's ranking: the units relaxed to all but one, and an article with every
            # unit gets its units' score again times ``coverage``.
            must = rest + [AtLeast(tuple(words), len(words) - 1)]
            if r.coverage > 0:
                scaled = _Lowering(r, self.scale * r.coverage)
                bonus.append(Bool(must=tuple(scaled.unit(u) for u in units)))
        elif relaxed and r.coverage > 0:
            # Every unit required, scored as the relaxed ranking scores a complete match
            # (its units' score times 1 + coverage), so complete matches keep that order.
            scaled = _Lowering(r, self.scale * (1 + r.coverage))
            must = [low if u is None else scaled.unit(u) for u, low in lowered]
        else:
            must = [low for _, low in lowered]
        if not must and not must_not:
            return None
        if not must:
            must = [All()]
        core = must[0] if len(must) == 1 and not must_not else Bool(must=tuple(must), must_not=tuple(must_not))
        near = self.proximity(positives)
        if near and relaxed and r.proximity_complete and self.union:
            near = (Bool(filter=tuple(words), should=near),)  # only for articles with every word
        bonus += near
        return Rank(core, tuple(bonus)) if bonus else core

    def steps(self, node: Node) -> list[tuple[tuple[Node, ...], Clause, Clause | None]]:
        """The ways an article may fall one step short of matching ``node``, in query order:
        (item, its clause, what must still hold). A unit may be missing (None) when the query
        has ``relax_from`` (and two) units, or one unit beside a quoted phrase
        (``relax_beside_phrase``); a quoted phrase of two or more words may be loosened to
        its words, all there but not as the phrase (``relax_phrases``). [] when the query
        has no continuation."""
        return self._split(node)[0]

    def _split(self, node: Node) -> tuple[list[tuple[tuple[Node, ...], Clause, Clause | None]], list[Clause]]:
        """(``steps``, the clauses of the query's other positive items, each lowered once)."""
        r = self.r
        if not r.relax_from:
            return [], []
        if isinstance(node, Phrase):
            items: list = [node]
        elif isinstance(node, And):
            items = self._items(node)
        else:
            return [], []
        lowered = [(item, self.unit(item) if isinstance(item, tuple) else self.lower(item)) for item in items]
        lowered = [(item, low) for item, low in lowered if low is not None]
        units = [(u, low) for u, low in lowered if isinstance(u, tuple)]
        phrases = [(p, low) for p, low in lowered if isinstance(p, Phrase)]
        out: dict[int, tuple] = {}
        if len(units) >= max(2, r.relax_from) or (r.relax_beside_phrase and phrases and len(units) == 1):
            out.update((id(u), (u, low, None)) for u, low in units)
        if r.relax_phrases:
            for p, low in phrases:
                if (loose := self.loosened(p)) is not None:
                    out[id(p)] = ((p,), low, loose)
        return ([out[id(item)] for item, _ in lowered if id(item) in out],
                [low for item, low in lowered if id(item) not in out])

    def loosened(self, phrase: Phrase) -> Clause | None:
        """Every word of a quoted phrase, anywhere in the article (None for a phrase of one
        word, whose loosening would only drop its exactness, and for a quoted compound name)."""
        if len(analyze_field(self.r.exact_chain, phrase.text)) < 2:
            return None
        typed = phrase.words()
        if len(typed) == 2 and _name_pair(*typed, bare_al=self.r.bare_al):
            return None  # "عبد ربه" is one name: عبد and ربه apart are not it
        units = self.phrase_units(phrase)
        if self.r.phrase_lack and len(units) >= max(3, self.r.phrase_lack):
            return AtLeast(units, len(units) - 1)
        return None if not units else units[0] if len(units) == 1 else Bool(must=units)

    def phrase_units(self, phrase: Phrase) -> tuple[Clause, ...]:
        """A quoted phrase's words as a loosened phrase needs them: each word, and a
        compound name inside it (عبد ربه) as one unit, never split."""
        units = self._items(And(tuple(phrase.words())))
        lowered = (self.unit(u) if isinstance(u, tuple) else self.lower(u) for u in units)
        return tuple(low for low in lowered if low is not None)

    def partial(self, node: Node) -> Clause:
        """The continuation of ``node``: the articles one step short of a complete match
        (``steps``): every step but one as typed, that one missing or loosened, everything
        else of the query as required as ever; ``Nothing`` when the query has none. Scored
        by the words they have, plus a bonus for a loosened phrase's words standing near
        each other (no coverage bonus: no article here has everything)."""
        steps, fixed = self._split(node)
        if not steps:
            return Nothing()
        children = node.children if isinstance(node, And) else (node,)
        must_not = [low for c in children if isinstance(c, Not) and (low := self.lower(c.child)) is not None]
        whole = tuple(low for _, low, _ in steps)
        must = list(fixed) + [loose for _, _, loose in steps if loose is not None]
        if len(whole) > 1:
            must.append(AtLeast(whole, len(whole) - 1))
        must_not.append(whole[0] if len(whole) == 1 else Bool(must=whole))
        core = Bool(must=tuple(must) or (All(),), must_not=tuple(must_not))
        near = tuple(b for item, _, loose in steps if loose is not None for b in self.near(item[0], loose))
        if not self.r.proximity_complete and isinstance(node, And):
            near = self.proximity([c for c in node.children if not isinstance(c, Not)]) + near
        return Rank(core, near) if near else core

    def near(self, phrase: Phrase, loose: Clause) -> tuple[Clause, ...]:
        """For a loosened phrase: its words within a few positions of each other (plus
        chain) add the proximity weight, so the articles where they nearly form the
        phrase come first; when the loosened phrase may lack a word, having them all adds
        their score again times ``coverage`` (as a complete match of plain words).
        ``loose``: the phrase's loosening (``loosened``)."""
        r = self.r
        out: tuple[Clause, ...] = ()
        if isinstance(loose, AtLeast) and r.coverage > 0:
            out += (Bool(must=_Lowering(r, self.scale * r.coverage).phrase_units(phrase)),)
        tokens = analyze_field(r.plus_chain, phrase.text)
        if r.proximity <= 0 or len(tokens) < 2:
            return out
        return out + tuple(_phrase(r.field(scope, r.plus_chain), tokens, r.proximity * r.scope_weight(scope), LOOSE_SLOP)
                           for scope in phrase.fields)

    def _unit_at(self, positives: list[Node], i: int) -> tuple[Node, ...]:
        """The relaxable unit starting at ``positives[i]``: a compound name (2 words), with
        ``name_chains`` a given name + بن + name (3 words), a plain word; () for the rest."""
        child = positives[i]
        if not isinstance(child, Word):
            return ()
        nxt = positives[i + 1:i + 3]
        if self.r.name_pairs:
            if _name_pair(child, nxt[0] if nxt else None, bare_al=self.r.bare_al):
                return (child, nxt[0])
            if (self.r.name_chains and len(nxt) == 2 and nxt[0].__class__ is Word and child.fields == nxt[0].fields
                    and nxt[0].text in _PATRONYMIC and _name_pair(nxt[0], nxt[1], bare_al=self.r.bare_al)):
                return (child, nxt[0], nxt[1])
        return (child,)

    def unit(self, unit: tuple[Node, ...]) -> Clause | None:
        if len(unit) == 1:
            return self.lower(unit[0])
        if len(unit) == 2:
            return self.name_pair(*unit)
        first, pair = self.lower(unit[0]), self.name_pair(*unit[1:])
        parts = tuple(c for c in (first, pair) if c is not None)
        return None if not parts else parts[0] if len(parts) == 1 else Bool(must=parts)

    # ---- words -------------------------------------------------------------------------

    def _options(self, fields, text: str, chains) -> list[Clause]:
        """One term (or phrase, for a word the chain splits) per field and chain."""
        r = self.r
        options: list[Clause] = []
        for scope in fields:
            for chain in chains:
                tokens = analyze_field(chain, text)
                boost = r.scope_weight(scope) * r.chain_weight(chain) * self.scale
                fld = r.field(scope, chain)
                if len(tokens) == 1:
                    options.append(Term(fld, tokens[0].term, boost))
                elif tokens:
                    options.append(_phrase(fld, tokens, boost))
        return list(dict.fromkeys(options))

    def _combine(self, options: list[Clause]) -> Clause | None:
        if not options:
            return None
        if self.r.combine == "sum":
            return Bool(should=tuple(options))
        return options[0] if len(options) == 1 else DisMax(tuple(options), self.r.tie_breaker)

    def word(self, node: Word) -> Clause | None:
        options = self._options(node.fields, node.text, self.r.word_chains)
        if self.r.name_pairs and options and (parts := compound_name_parts(node.text)):
            # عبدربه also as the spaced عبد ربه in Lucene's chain (the plus chain splits it),
            # أبوبكر also as أبو بكر, أبي بكر and أبا بكر
            for first in _case_forms(parts[0]):
                options += self._options(node.fields, " ".join((first, *parts[1:])), (self.r.base_chain,))
            options = list(dict.fromkeys(options))
        return self._combine(options)  # None: only stopwords

    def name_pair(self, first: Word, second: Word) -> Clause | None:
        """عبد ربه, أبو بكر, بن سلمان: the two words as a phrase, also matching the joined
        spelling (عبدربه: split in the plus chain, one term in Lucene's chain) and the other
        case forms of أبو/ذو (أبي بكر, أبا بكر)."""
        options: list[Clause] = []
        for name_word in _case_forms(_TYPED_NAME_WORDS.get(first.text, first.text)):
            pair = f"{name_word} {second.text}"
            options += self._options(first.fields, pair, self.r.word_chains)
            joined = name_word + second.text
            if compound_name_parts(joined):
                options += self._options(first.fields, joined, (self.r.base_chain,))
        return self._combine(list(dict.fromkeys(options)))

    def proximity(self, positives: list[Node]) -> tuple[Clause, ...]:
        """Bonus phrases (plus chain, with slop) for adjacent query words: a document where
        تحرير and عدن stand together ranks above one that names them far apart."""
        r = self.r
        if r.proximity <= 0:
            return ()
        bonus: list[Clause] = []
        for a, b in zip(positives, positives[1:]):
            if not (isinstance(a, Word) and isinstance(b, Word)) or a.fields != b.fields:
                continue
            if r.name_pairs and _name_pair(a, b, bare_al=r.bare_al):
                continue  # already a phrase
            tokens = analyze_field(r.plus_chain, f"{a.text} {b.text}")
            if len(tokens) < 2:
                continue
            for scope in a.fields:
                if scope == "title" and not r.proximity_title:
                    continue
                bonus.append(_phrase(r.field(scope, r.plus_chain), tokens,
                                     r.proximity * r.scope_weight(scope) * self.scale, r.proximity_slop))
        return tuple(dict.fromkeys(bonus))

    def lead(self, node: Node) -> tuple[Clause, ...]:
        """Bonus terms for the query's words and phrase words found in the lead field:
        an article that names them in its headline or first lines is about them."""
        r = self.r
        if r.lead <= 0:
            return ()
        terms: dict[str, None] = {}
        for n in positive_text_nodes(node):
            if isinstance(n, (Word, Phrase)):
                terms.update((t.term, None) for t in analyze_field(r.plus_chain, n.text))
        fld = r.field(LEAD_SCOPE, r.plus_chain)
        return tuple(Term(fld, t, r.lead) for t in terms)

    # ---- phrases and prefixes ----------------------------------------------------------------

    def phrase(self, node: Phrase) -> Clause | None:
        """The exact phrase; with ``phrase_plus``, also the same phrase in the plus chain at
        that weight, which forgives clitics and inflection (بمسجد الإمام الصادق) but still
        wants the words together and in order."""
        r = self.r
        exact = analyze_field(r.exact_chain, node.text)
        if not exact:
            return None
        norm = len(exact) ** -r.phrase_norm if r.phrase_norm else 1.0
        chains = [(r.exact_chain, exact, norm)]
        if r.phrase_plus > 0 and len(exact) > 1:  # a quoted single word stays exact
            chains.append((r.plus_chain, analyze_field(r.plus_chain, node.text), r.phrase_plus * norm))
        options: list[Clause] = []
        for chain, tokens, weight in chains:
            for scope in node.fields:
                fld, boost = r.field(scope, chain), r.scope_weight(scope) * weight
                if len(tokens) == 1:
                    options.append(Term(fld, tokens[0].term, boost))
                elif tokens:
                    options.append(_phrase(fld, tokens, boost))
        if r.combine == "sum":
            return Bool(should=tuple(options))
        return options[0] if len(options) == 1 else DisMax(tuple(dict.fromkeys(options)), r.tie_breaker)

    def prefix(self, node: Prefix) -> Clause | None:
        r = self.r
        options: list[Clause] = []
        for scope in node.fields:
            tokens = analyze_field(r.exact_chain, node.text)
            if not tokens:
                continue
            fld = r.field(scope, r.exact_chain)
            if len(tokens) > 1:  # "abc-de*": the leading parts must be there as a phrase
                options.append(Bool(must=(_phrase(fld, tokens[:-1], 1.0),
                                          PrefixTerm(fld, tokens[-1].term, r.scope_weight(scope)))))
            else:
                options.append(PrefixTerm(fld, tokens[0].term, r.scope_weight(scope)))
        if not options:
            return None
        return Bool(should=tuple(options))


def _name_pair(a: Node, b: Node | None, bare_al: bool = True) -> bool:
    """Two adjacent query words that form a compound name (عبد + ربه, أبو + بكر; آل + جابر,
    with ``bare_al`` also typed without the madda: ال جابر)."""
    typed = _TYPED_NAME_WORDS if bare_al else {}
    return (isinstance(a, Word) and isinstance(b, Word) and a.fields == b.fields
            and is_name_word(typed.get(a.text, a.text)) and not is_name_word(b.text) and b.text not in typed)


# Name words as people type them without their diacritic: a lone ال is آل (آل جابر typed
# ال جابر), never the article, which is always joined to its word.
_TYPED_NAME_WORDS = {"ال": "آل"}


_PATRONYMIC = frozenset({"بن", "ابن", "إبن", "بنت"})  # محمد بن سلمان: one person
_CASE_FORMS = (("أبو", "أبي", "أبا"), ("ابو", "ابي", "ابا"), ("ذو", "ذي", "ذا"))


def _case_forms(word: str) -> tuple[str, ...]:
    """أبو also as أبي and أبا (the same kunya in genitive and accusative)."""
    for forms in _CASE_FORMS:
        if word in forms:
            return forms
    return (word,)


def _phrase(fld: str, tokens, boost: float, slop: int = 0) -> PhraseTerms | Term:
    if len(tokens) == 1:  # a phrase of one word is that word (engines refuse one-term phrases)
        return Term(fld, tokens[0].term, boost)
    base = tokens[0].position
    return PhraseTerms(fld, tuple(t.term for t in tokens), tuple(t.position - base for t in tokens), boost, slop)
