"""Parse the journalists' query language into a query tree; never raises on user input.

Syntax: words (AND by default), "quoted phrases", OR, a leading minus to exclude,
prefix*, parentheses, and field filters (title:, body:, country:, org:, source:).
Forgiving (docs/query.md): operators as people write them (AND/and/&&, OR/or/||, NOT/not,
the Arabic "او" between two terms), typing noise removed first (``noise.tidy``), and
malformed input degrades to the closest sensible query with a notice saying how it was read.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from search.query.names import country_code
from search.query.noise import tidy
from search.query.tree import (FILTER_FIELDS, TEXT_FIELDS, And, Filter, MatchAll, MatchNone, Node,
                               Not, Or, Phrase, Prefix, Word, positive_text_nodes)

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 64
MAX_DEPTH = 8
OR_WORDS = {"OR", "or", "Or", "|", "||"}
AND_WORDS = {"AND", "and", "And", "&", "&&"}
NOT_WORDS = {"NOT", "not", "Not"}
# The Arabic "or": a stopword, so as a word it finds nothing; between two terms it is read as OR.
ARABIC_OR = {"او", "أو"}
_LEXEME = re.compile(r'"[^"]*"?|\(|\)|[^\s"()]+')
_FIELD_NAME = re.compile(r"[A-Za-z_]{1,20}")

NOTICE_ARABIC_OR = "قُرئت «{}» بين «{}» و«{}» بمعنى OR: تظهر المقالات التي تذكر أيًّا منهما."
NOTICE_UNKNOWN_FIELD = "الحقل {}: غير معروف (الحقول: title، body، country، org، source)؛ بُحث عن {} كلمات."
NOTICE_NOTHING = "لا يحوي الاستعلام كلمات يمكن البحث عنها؛ امسح مربع البحث لتصفح كل المقالات."
NOTICE_STOPWORDS = ("كل كلمات الاستعلام من الكلمات الشائعة التي يتجاهلها البحث عادةً؛ "
                    "بُحث عنها عبارةً حرفية.")
NOTICE_EMPTY_PHRASE = "عبارة فارغة بين علامتي تنصيص؛ تم تجاهلها."
NOTICE_UNCLOSED = "علامة تنصيص غير مغلقة؛ أُغلقت تلقائيًا."


@dataclass
class ParsedQuery:
    tree: Node
    notices: list[str] = field(default_factory=list)
    # The tree with each repaired (unclosed) phrase read as separate words: the page runs it
    # when the repaired phrase finds nothing.
    words_fallback: Node | None = None
    # Other readings the page offers as links: (label, query text).
    alternatives: list[tuple[str, str]] = field(default_factory=list)
    # AND was typed (AND, and, &&): every word is required, and the results page lists no
    # articles lacking one of them after the complete matches (search/continuation.py).
    explicit_and: bool = False


def clean(text: str) -> tuple[str, list[str]]:
    """Strip control characters and bound the length; report what was changed.

    Invisible format characters (ZWNJ, bidi marks) are kept here and removed silently by
    ``noise.tidy``: they are harmless, and the search box shows what the user typed.
    """
    notices = []
    text = text or ""
    cleaned = "".join(ch if unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn") or ch in "\t\n\r"
                      else " " for ch in text)
    if cleaned != text:
        notices.append("أُزيلت محارف تحكم غير مرئية من الاستعلام.")
    if len(cleaned) > MAX_QUERY_CHARS:
        cleaned = cleaned[:MAX_QUERY_CHARS]
        notices.append(f"الاستعلام أطول من {MAX_QUERY_CHARS} حرف؛ استُخدم أوله فقط.")
    return cleaned.strip(), notices


def parse(text: str) -> ParsedQuery:
    """Parse ``text`` into a tree; an empty query matches everything.

    A query with something typed but nothing searchable left matches nothing (with a
    notice), never silently everything.
    """
    cleaned, notices = clean(text)
    tidied, more = tidy(cleaned)
    notices += more
    lexemes = _LEXEME.findall(tidied)
    alternatives = _read_arabic_or(lexemes, notices)
    parser = _Parser(lexemes, notices)
    tree = parser.parse()
    if cleaned.strip() and _searches_nothing_typed(tree):
        tree = _stopwords_as_phrase(tree, notices)
    fallback = _words_instead(tree, parser.unclosed) if parser.unclosed else None
    return ParsedQuery(tree, notices, fallback, alternatives, parser.explicit_and)


def _read_arabic_or(lexemes: list[str], notices: list[str]) -> list[tuple[str, str]]:
    """Turn "او" between two plain terms into OR (in place); offer the literal phrase instead."""
    original = list(lexemes)
    alternatives = []
    for i in range(1, len(lexemes) - 1):
        word, left, right = original[i], original[i - 1], original[i + 1]
        if word in ARABIC_OR and _plain_term(left) and _plain_term(right):
            lexemes[i] = "OR"
            notices.append(NOTICE_ARABIC_OR.format(word, left, right))
            phrase = f'"{left} {word} {right}"'
            alternatives.append((phrase, " ".join(original[:i - 1] + [phrase] + original[i + 2:])))
    return alternatives


def _plain_term(lexeme: str) -> bool:
    return (lexeme not in OR_WORDS | AND_WORDS | NOT_WORDS | ARABIC_OR and lexeme not in ("(", ")")
            and not lexeme.startswith(('"', "-")) and ":" not in lexeme)


def _searches_nothing_typed(tree: Node) -> bool:
    """True when the tree matches everything although words were typed (all stopwords, or none)."""
    if isinstance(tree, MatchAll):
        return True
    if not positive_text_nodes(tree) or any(isinstance(n, (Filter, Not)) for n in tree.walk()):
        return False
    from search.query.plan import All, lower_query  # plan imports this package: not at the top

    return lower_query(tree) == All()


def _stopwords_as_phrase(tree: Node, notices: list[str]) -> Node:
    """Words were typed but nothing searchable is left: stopwords only, or punctuation.

    Stopwords are searched as written (the exact chain keeps them); with nothing at all
    left, the query matches nothing: both say so, neither browses everything silently.
    """
    from search.query.plan import All, lower_query

    exact = _as_phrases(tree)
    if not isinstance(exact, MatchAll) and lower_query(exact) != All():
        notices.append(NOTICE_STOPWORDS)
        return exact
    notices.append(NOTICE_NOTHING)
    return MatchNone()


def _as_phrases(node: Node) -> Node:
    if isinstance(node, Word):
        return Phrase(node.text, node.fields)
    if isinstance(node, And):
        kids = node.children
        if all(isinstance(c, Word) and c.fields == kids[0].fields for c in kids):  # "من هو": one phrase
            return Phrase(" ".join(c.text for c in kids), kids[0].fields)
        return And(tuple(_as_phrases(c) for c in kids))
    if isinstance(node, Or):
        return Or(tuple(_as_phrases(c) for c in node.children))
    return node


def _words_instead(tree: Node, phrases: list[Phrase]) -> Node | None:
    """``tree`` with each repaired phrase replaced by its words (AND)."""
    def swap(node: Node) -> Node:
        if isinstance(node, Phrase) and node in phrases:
            words = tuple(Word(w, node.fields) for w in node.text.split())
            return words[0] if len(words) == 1 else And(words)
        if isinstance(node, Not):
            return Not(swap(node.child))
        if isinstance(node, And):
            return _and([swap(c) for c in node.children])
        if isinstance(node, Or):
            return Or(tuple(swap(c) for c in node.children))
        return node

    out = swap(tree)
    return out if out != tree else None


class _Parser:
    def __init__(self, lexemes: list[str], notices: list[str]):
        self.lex = lexemes
        self.i = 0
        self.notices = notices
        self.clauses = 0
        self.depth = 0
        self.unclosed: list[Phrase] = []
        self.explicit_and = False

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
            if tok in AND_WORDS:  # AND is what words mean already
                self.explicit_and = True
                self.i += 1
                continue
            node = self.unary()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def unary(self) -> Node | None:
        tok = self.peek()
        if tok in NOT_WORDS:
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt in OR_WORDS or nxt in AND_WORDS or nxt == ")":
                self.notice("NOT في غير موضعها؛ تم تجاهلها.")
                return None
            child = self.unary()
            if child is None:
                return None
            return child.child if isinstance(child, Not) else Not(child)
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
                return self.filter(name, value.strip('"').strip())
            if value.startswith('"'):
                return self.phrase(value, (name,))
            return self.word(value, (name,))
        if sep and not value and _FIELD_NAME.fullmatch(name) and (self.peek() or "").startswith('"'):
            value = self.lex[self.i]
            self.i += 1
            tok = name + ":" + value
        if sep and _FIELD_NAME.fullmatch(name) and (value[:1].isalnum() or value[:1] == '"' and len(value) > 2):
            quoted = value.startswith('"')
            parts = [name, value] if quoted else [p for p in tok.split(":") if p]
            self.notice(NOTICE_UNKNOWN_FIELD.format(name, " و".join(f"«{p.strip(chr(34))}»" for p in parts)))
            return _and([self.phrase(p, TEXT_FIELDS) if p.startswith('"') else self.word(p, TEXT_FIELDS)
                         for p in parts])
        return self.word(tok, TEXT_FIELDS)

    def filter(self, name: str, value: str) -> Node | None:
        if not value:
            self.notice(f"الحقل {name}: بلا قيمة؛ تم تجاهله.")
            return None
        if name == "country":
            code = country_code(value)
            if code is None:
                self.notice(f"رمز دولة غير معروف: {value} (استخدم رموز ISO مثل IQ أو SY)؛ تم تجاهل هذا الشرط.")
                return None
            value = code
        return self.count(Filter(name, value))

    def phrase(self, tok: str, fields: tuple[str, ...]) -> Node | None:
        unclosed = len(tok) == 1 or not tok.endswith('"')
        inner = tok[1:] if unclosed else tok[1:-1]
        inner = " ".join(inner.split())
        if not inner:
            self.notice(NOTICE_UNCLOSED if unclosed else NOTICE_EMPTY_PHRASE)
            return None
        node = self.count(Phrase(inner, fields))
        if unclosed:
            self.notice(NOTICE_UNCLOSED)
            if node is not None and " " in inner:
                self.unclosed.append(node)
        return node

    def word(self, tok: str, fields: tuple[str, ...]) -> Node | None:
        if tok in ("-", "*", ":") or tok in OR_WORDS or tok in AND_WORDS or tok in NOT_WORDS:
            return None
        tok = tok.rstrip(":") or tok  # "a:" before a group: the colon means nothing
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
