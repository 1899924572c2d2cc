"""The engine-independent query tree: parsed once, compiled to tantivy and Elasticsearch."""
from __future__ import annotations

from dataclasses import dataclass

# Text scopes a word or phrase can be searched in.
TEXT_FIELDS = ("title", "body")
# Keyword facet fields a `name:value` clause can filter on.
FILTER_FIELDS = ("country", "org", "source")


class Node:
    """Base class of query tree nodes."""

    def walk(self):
        yield self


@dataclass(frozen=True)
class MatchAll(Node):
    pass


@dataclass(frozen=True)
class MatchNone(Node):
    """Nothing: what a query of only punctuation or symbols searches (with a notice)."""


@dataclass(frozen=True)
class Word(Node):
    text: str
    fields: tuple[str, ...] = TEXT_FIELDS


@dataclass(frozen=True)
class Phrase(Node):
    text: str
    fields: tuple[str, ...] = TEXT_FIELDS

    def words(self) -> list[Word]:
        """The phrase's words as plain words (a loosened phrase: search/query/plan.py)."""
        return [Word(w, self.fields) for w in self.text.split()]


@dataclass(frozen=True)
class Prefix(Node):
    text: str
    fields: tuple[str, ...] = TEXT_FIELDS


@dataclass(frozen=True)
class Filter(Node):
    field: str
    value: str


@dataclass(frozen=True)
class Not(Node):
    child: Node

    def walk(self):
        yield self
        yield from self.child.walk()


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def positive_text_nodes(node: Node) -> list[Node]:
    """Words, phrases and prefixes that a matching document contains (for highlighting)."""
    out: list[Node] = []

    def visit(n: Node, negated: bool) -> None:
        if isinstance(n, Not):
            visit(n.child, not negated)
        elif isinstance(n, (And, Or)):
            for c in n.children:
                visit(c, negated)
        elif isinstance(n, (Word, Phrase, Prefix)) and not negated:
            out.append(n)

    visit(node, False)
    return out


def to_text(node: Node) -> str:
    """Render a tree back to the query language (canonical form)."""
    if isinstance(node, (MatchAll, MatchNone)):
        return ""
    if isinstance(node, Word):
        return _scoped(node.fields, node.text)
    if isinstance(node, Prefix):
        return _scoped(node.fields, node.text + "*")
    if isinstance(node, Phrase):
        return _scoped(node.fields, '"' + node.text + '"')
    if isinstance(node, Filter):
        value = node.value if " " not in node.value else '"' + node.value + '"'
        return f"{node.field}:{value}"
    if isinstance(node, Not):
        inner = to_text(node.child)
        return "-" + (f"({inner})" if isinstance(node.child, (And, Or)) else inner)
    if isinstance(node, And):
        return " ".join(f"({to_text(c)})" if isinstance(c, Or) else to_text(c) for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(f"({to_text(c)})" if isinstance(c, And) else to_text(c) for c in node.children)
    raise TypeError(node)


def _scoped(fields: tuple[str, ...], text: str) -> str:
    return text if fields == TEXT_FIELDS else f"{fields[0]}:{text}"
