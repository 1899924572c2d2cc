"""Query language: parse user text into an engine-independent tree."""
from search.query.parser import MAX_QUERY_CHARS, ParsedQuery, parse
from search.query.tree import And, Filter, MatchAll, MatchNone, Node, Not, Or, Phrase, Prefix, Word

__all__ = ["parse", "ParsedQuery", "MAX_QUERY_CHARS", "Node", "MatchAll", "MatchNone", "Word", "Phrase",
           "Prefix", "Filter", "Not", "And", "Or"]
