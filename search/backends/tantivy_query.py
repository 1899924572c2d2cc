"""Compile the engine-neutral query plan into tantivy queries."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import tantivy

from search.arrival import to_ms
from search.backends.tantivy_schema import parse_date
from search.fields import ARRIVAL_FIELD
from search.query.plan import (All, AtLeast, Bool, Clause, DisMax, Keyword, Nothing, NumRange, PhraseTerms,
                               PrefixTerm, Rank, Term)

Q = tantivy.Query
Occur = tantivy.Occur
_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$#&~\-\"<>@])")


def compile_clause(schema: tantivy.Schema, clause: Clause) -> tantivy.Query:
    """A tantivy query equivalent to ``clause``."""
    if isinstance(clause, All):
        return Q.all_query()
    if isinstance(clause, Nothing):
        return Q.empty_query()
    if isinstance(clause, Term):
        return _boost(Q.term_query(schema, clause.field, clause.term), clause.boost)
    if isinstance(clause, PhraseTerms):
        if len(clause.terms) == 1:  # tantivy panics on a one-term phrase; it means the term
            return _boost(Q.term_query(schema, clause.field, clause.terms[0]), clause.boost)
        words = list(zip(clause.positions, clause.terms))
        return _boost(Q.phrase_query(schema, clause.field, words, slop=clause.slop), clause.boost)
    if isinstance(clause, PrefixTerm):
        pattern = _REGEX_SPECIAL.sub(r"\\\1", clause.prefix) + ".*"
        # tantivy's regex query scores every match 1.0 like Lucene's constant-score prefix query.
        return _boost(Q.const_score_query(Q.regex_query(schema, clause.field, pattern), 1.0), clause.boost)
    if isinstance(clause, Keyword):
        if len(clause.values) == 1:
            q = Q.term_query(schema, clause.field, clause.values[0], index_option="basic")
        else:
            q = Q.term_set_query(schema, clause.field, list(clause.values))
        return q
    if isinstance(clause, NumRange):
        if clause.field == ARRIVAL_FIELD:  # stored as integer milliseconds (tantivy_schema)
            return Q.range_query(schema, clause.field, tantivy.FieldType.Integer,
                                 to_ms(clause.low) if clause.low else None,
                                 to_ms(clause.high) if clause.high else None)
        if clause.is_date:
            low = _in_range(parse_date(clause.low)) if clause.low else None
            high = _in_range(parse_date(clause.high)) if clause.high else None
            return Q.range_query(schema, clause.field, tantivy.FieldType.Date, low, high)
        return Q.range_query(schema, clause.field, tantivy.FieldType.Integer,
                             None if clause.low is None else int(clause.low),
                             None if clause.high is None else int(clause.high))
    if isinstance(clause, DisMax):
        return Q.disjunction_max_query([compile_clause(schema, c) for c in clause.options],
                                       tie_breaker=clause.tie_breaker)
    if isinstance(clause, AtLeast):
        return Q.boolean_query([(Occur.Should, compile_clause(schema, c)) for c in clause.clauses],
                               minimum_number_should_match=clause.minimum)
    if isinstance(clause, Rank):
        # Beside a Must, tantivy's Should clauses are optional: they only add to the score.
        return Q.boolean_query([(Occur.Must, compile_clause(schema, clause.match))]
                               + [(Occur.Should, compile_clause(schema, c)) for c in clause.bonus])
    if isinstance(clause, Bool):
        subs: list[tuple[tantivy.Occur, tantivy.Query]] = []
        subs += [(Occur.Must, compile_clause(schema, c)) for c in clause.must]
        # Filters must match but add nothing to the score, as in Elasticsearch's filter context.
        subs += [(Occur.Must, Q.const_score_query(compile_clause(schema, c), 0.0)) for c in clause.filter]
        subs += [(Occur.MustNot, compile_clause(schema, c)) for c in clause.must_not]
        if clause.should:
            shoulds = [(Occur.Should, compile_clause(schema, c)) for c in clause.should]
            if subs:
                subs.append((Occur.Must, Q.boolean_query(shoulds)))
            else:
                subs = shoulds
        if not subs:
            return Q.all_query()
        if all(occ == Occur.MustNot for occ, _ in subs):
            subs.append((Occur.Must, Q.all_query()))
        return Q.boolean_query(subs)
    raise TypeError(f"cannot compile {clause!r}")


# tantivy dates are nanoseconds in an i64: a bound outside this span is clamped to it.
_EARLIEST = datetime(1678, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(2262, 1, 1, tzinfo=timezone.utc)


def _in_range(when: datetime | None) -> datetime | None:
    return None if when is None else min(max(when, _EARLIEST), _LATEST)


def _boost(q: tantivy.Query, boost: float) -> tantivy.Query:
    return q if boost == 1.0 else Q.boost_query(q, boost)
