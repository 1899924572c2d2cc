"""Parse the journalists' query language into a query tree; never raises on user input.

Syntax: words (AND by default), "quoted phrases", OR, a leading minus to exclude,
prefix*, parentheses, and field filters (title:, body:, country:, org:, source:).
Malformed input degrades to the closest sensible query and adds a notice.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from search.query.tree import (FILTER_FIELDS, TEXT_FIELDS, And, Filter, MatchAll, Node, Not,
                               Or, Phrase, Prefix, Word)

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 64
MAX_DEPTH = 8
OR_WORDS = {"OR", "|", "||"}
_LEXEME = re.compile(r'"[^"]*"?|\(|\)|[^\s"()]+')


@dataclass
class ParsedQuery:
    tree: Node
    notices: list[str] = field(default_factory=list)


def clean(text: str) -> tuple[str, list[str]]:
    """Strip control characters and bound the length; report what was changed."""
    notices = []
    text = text or ""
    cleaned = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\u200c\u200d" else " "
                      for ch in text)
    if cleaned != text:
        notices.append("أُزيلت محارف تحكم غير مرئية من الاستعلام.")
    if len(cleaned) > MAX_QUERY_CHARS:
        cleaned = cleaned[:MAX_QUERY_CHARS]
        notices.append(f"الاستعلام أطول من {MAX_QUERY_CHARS} حرف؛ استُخدم أوله فقط.")
    return cleaned.strip(), notices


def parse(text: str) -> ParsedQuery:
    """Parse ``text`` into a tree; an empty query matches everything."""
    cleaned, notices = clean(text)
    parser = _Parser(_LEXEME.findall(cleaned), notices)
    tree = parser.parse()
    return ParsedQuery(tree, notices)


class _Parser:
    def __init__(self, lexemes: list[str], notices: list[str]):
        self.lex = lexemes
        self.i = 0
        self.notices = notices
        self.clauses = 0
        self.depth = 0

    def notice(self, msg: str) -> None:
        if msg not in self.notices:
            self.notices.append(msg)

    def peek(self) -> str | None:
        return self.lex[self.i] if self.i < len(self.lex) else None

    def parse(self) -> Node:
        node = self.or_expr()
        while self.peek() is not None:  # a stray ')' ends or_expr early: skip it and go on
            self.i += 1
            self.notice("قوس غير متوازن؛ تم تجاهله.")
            more = self.or_expr()
            node = _and([node, more])
        return node if node is not None else MatchAll()

    def or_expr(self) -> Node | None:
        parts: list[Node] = []
        dangling = False
        while True:
            node = self.and_expr()
            if node is not None:
                parts.append(node)
            elif self.peek() in OR_WORDS or dangling:
                self.notice("OR في غير موضعها؛ تم تجاهلها.")
            if self.peek() in OR_WORDS:
                self.i += 1
                dangling = True
                if self.peek() is None or self.peek() == ")":
                    self.notice("OR في غير موضعها؛ تم تجاهلها.")
                    break
                continue
            break
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node | None:
        parts: list[Node] = []
        while (tok := self.peek()) is not None and tok not in OR_WORDS and tok != ")":
            node = self.unary()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def unary(self) -> Node | None:
        tok = self.peek()
        if tok.startswith("-"):
            if len(tok) > 1:
                self.lex[self.i] = tok[1:]
            else:  # a lone '-' negates a following group or phrase: -(a b), -"x y"
                self.i += 1
                nxt = self.peek()
                if nxt is None or nxt in OR_WORDS or nxt == ")":
                    return None
            child = self.unary()
            if child is None:
                return None
            return child.child if isinstance(child, Not) else Not(child)
        return self.primary()

    def primary(self) -> Node | None:
        tok = self.lex[self.i]
        self.i += 1
        if tok == "(":
            if self.depth >= MAX_DEPTH:
                self.notice("تداخل الأقواس عميق جدًا؛ تم تبسيطه.")
                return None
            self.depth += 1
            node = self.or_expr()
            self.depth -= 1
            if self.peek() == ")":
                self.i += 1
            else:
                self.notice("قوس غير مغلق؛ أُغلق تلقائيًا.")
            return node
        if tok.startswith('"'):
            return self.phrase(tok, TEXT_FIELDS)
        name, sep, value = tok.partition(":")
        if sep and name.lower() in TEXT_FIELDS + FILTER_FIELDS:
            name = name.lower()
            if not value and self.peek() and self.peek().startswith('"'):
                value = self.lex[self.i]
                self.i += 1
            if not value:
                self.notice(f"الحقل {name}: بلا قيمة؛ تم تجاهله.")
                return None
            if name in FILTER_FIELDS:
                return self.count(Filter(name, value.strip('"').strip()))
            if value.startswith('"'):
                return self.phrase(value, (name,))
            return self.word(value, (name,))
        return self.word(tok, TEXT_FIELDS)

    def phrase(self, tok: str, fields: tuple[str, ...]) -> Node | None:
        if len(tok) == 1 or not tok.endswith('"'):
            self.notice("علامة تنصيص غير مغلقة؛ أُغلقت تلقائيًا.")
            inner = tok[1:]
        else:
            inner = tok[1:-1]
        inner = " ".join(inner.split())
        if not inner:
            return None
        return self.count(Phrase(inner, fields))

    def word(self, tok: str, fields: tuple[str, ...]) -> Node | None:
        if tok in ("-", "*", ":") or tok in OR_WORDS:
            return None
        if tok.endswith("*") and len(tok.rstrip("*")) >= 2:
            return self.count(Prefix(tok.rstrip("*"), fields))
        tok = tok.rstrip("*")
        if not tok or tok in OR_WORDS or tok in ("-", ":"):
            return None
        return self.count(Word(tok, fields))

    def count(self, node: Node) -> Node | None:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            self.notice(f"الاستعلام يحوي أكثر من {MAX_CLAUSES} عنصرًا؛ استُخدم أولها فقط.")
            return None
        return node


def _and(parts: list[Node | None]) -> Node | None:
    flat: list[Node] = []
    for p in parts:
        if isinstance(p, And):
            flat.extend(p.children)
        elif p is not None:
            flat.append(p)
    parts = flat
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))
