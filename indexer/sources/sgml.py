"""TREC / LDC Gigaword SGML: several <DOC> elements per file, read one at a time.

<DOC id="AFP_ARB_20000101.0001" type="story"> <HEADLINE>..</HEADLINE> <DATELINE>..</DATELINE>
<TEXT><P>..</P></TEXT> </DOC>; TREC uses <DOCNO> for the id and may omit <P>.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from .dates import parse_date
from .encoding import describe, sniff_entry
from .ids import derived_id, own_id
from .markup import reader_text
from .model import Entry, OnProblem, Problem, SourceDocument
from .streams import open_lines
from .text_norm import clean_line

MAX_DOC_CHARS = 8_000_000  # a <DOC> this long has lost its </DOC>
_BLOCK_BYTES = 64 * 1024
TAGS = {  # element names tried in order for each field
    "title": ("HEADLINE", "HL", "TITLE"),
    "date": ("DATE_TIME", "DATE"),
    "author": ("AUTHOR", "BYLINE"),
    "source": ("SOURCE",),
    "body": ("TEXT", "BODY"),
}
_DOC_TAG = re.compile(r"<(/?)DOC(?=[\s>/])[^>]*>", re.I)
_ID_ATTR = re.compile(r"""\bid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_PARAGRAPH_BREAK = re.compile(r"<P\b[^>]*>|</P\s*>|\n[ \t\r]*\n", re.I)
_ID_DATE = re.compile(r"(?<!\d)((?:19|20)\d{6})(?!\d)")
_ID_SOURCE = re.compile(r"^([A-Za-z]{2,})_[A-Za-z]{3}_\d{8}|^\d{8}_([A-Za-z]{2,})_")


def read(entry: Entry, on_problem: OnProblem) -> Iterator[tuple[SourceDocument, int | None]]:
    """Yield (document, line of its <DOC> tag) for each usable <DOC>."""
    encoding = sniff_entry(entry, on_problem)
    if encoding is None:
        return
    docs = _Splitter(entry, on_problem)
    lineno = 0
    with entry.open() as stream:
        encoding, lines = open_lines(stream, encoding)
        batch: list[bytes] = []  # lines are decoded and scanned in ~64 KB blocks: much faster
        size = 0
        try:
            for lineno, raw in enumerate(lines, 1):
                batch.append(raw)
                size += len(raw)
                if size >= _BLOCK_BYTES:
                    yield from docs.feed_lines(batch, lineno - len(batch) + 1, encoding)
                    batch, size = [], 0
            yield from docs.feed_lines(batch, lineno - len(batch) + 1, encoding)
        except UnicodeDecodeError as err:  # UTF-16/32 stream: cannot resynchronise
            docs.damage(lineno + 1, describe(err, encoding) + "; rest of file skipped")
            return
    docs.finish()


class _Splitter:
    """Cuts the line stream into <DOC> elements and turns each into a document."""

    def __init__(self, entry: Entry, on_problem: OnProblem):
        self.entry, self.on_problem = entry, on_problem
        self.parts: list[str] | None = None  # text of the open <DOC>
        self.size = 0
        self.tag = ""
        self.start = 0
        self.index = 0
        self.seen_any = False
        self.blank = True  # nothing but whitespace so far
        self.dropped = False  # the open <DOC> was already reported and is being skipped

    def feed_lines(self, lines: list[bytes], first: int, encoding: str) -> Iterator[tuple[SourceDocument, int]]:
        """Decode and scan consecutive lines, the first being line number `first`."""
        try:
            yield from self.feed(b"".join(lines).decode(encoding), first)
        except UnicodeDecodeError:  # find the bad lines; only their <DOC>s are lost
            for lineno, raw in enumerate(lines, first):
                try:
                    text = raw.decode(encoding)
                except UnicodeDecodeError as err:
                    self.damage(lineno, describe(err, encoding))
                    continue
                yield from self.feed(text, lineno)

    def feed(self, text: str, lineno: int) -> Iterator[tuple[SourceDocument, int]]:
        """Scan text starting on line `lineno` for <DOC> and </DOC>."""
        self.blank = self.blank and (not text or text.isspace())
        pos = 0
        for m in _DOC_TAG.finditer(text):
            lineno += text.count("\n", pos, m.start())
            if self.parts is not None:
                self.parts.append(text[pos:m.start()])
            if not m.group(1):
                if self.parts is not None:
                    self._report(self.start, "<DOC> is not closed before the next <DOC>", "malformed_sgml")
                    self.index += 1
                self.parts, self.size, self.tag, self.start = [], 0, m.group(0), lineno
                self.seen_any, self.dropped = True, False
            elif self.parts is None:
                if not self.dropped:
                    self._report(lineno, "</DOC> without a <DOC>", "malformed_sgml")
                self.dropped = False
            else:
                found = self._document("".join(self.parts))
                self.parts = None
                if found:
                    yield found
            lineno += text.count("\n", m.start(), m.end())
            pos = m.end()
        if self.parts is not None:
            self.parts.append(text[pos:])
            self.size += len(text) - pos
            if self.size > MAX_DOC_CHARS:
                self._report(self.start, f"<DOC> has no </DOC> within {MAX_DOC_CHARS:,} characters",
                             "malformed_sgml")
                self._drop()

    def damage(self, lineno: int, reason: str) -> None:
        """A line that does not decode: report it and drop the <DOC> it belongs to."""
        if self.parts is not None:
            reason += f"; <DOC> from line {self.start} skipped"
            self._drop()
        self._report(lineno, reason, "undecodable")

    def _drop(self) -> None:
        self.parts, self.dropped, self.index = None, True, self.index + 1

    def finish(self) -> None:
        if self.parts is not None:
            self._report(self.start, "truncated: <DOC> is never closed", "malformed_sgml")
        elif self.blank:
            self._report(None, "no text, only whitespace", "empty")
        elif not self.seen_any:
            self._report(None, "no <DOC> element found", "malformed_sgml")

    def _document(self, inner: str) -> tuple[SourceDocument, int] | None:
        index, self.index = self.index, self.index + 1
        m = _ID_ATTR.search(self.tag)
        ident = own_id(next(g for g in m.groups() if g is not None) if m else _field(inner, ("DOCNO",)))
        body = _body(inner)
        if not body:
            self._report(self.start, f"<DOC> {ident or index}: no text (none of <TEXT>, <BODY>)",
                         "missing_body")
            return None
        dateline = _field(inner, ("DATELINE",))
        if dateline and not body.startswith(dateline):
            body = f"{dateline}\n\n{body}"
        date = parse_date(_field(inner, TAGS["date"]))
        if date is None and ident and (m := _ID_DATE.search(ident)):
            date = parse_date(m.group(1))
        source = _field(inner, TAGS["source"])
        if source is None and ident and (m := _ID_SOURCE.match(ident)):
            source = (m.group(1) or m.group(2)).lower()
        doc = SourceDocument(
            id=ident or derived_id(self.entry.rel, index), title=_field(inner, TAGS["title"]),
            body=body, date=date, source=source, url=None, author=_field(inner, TAGS["author"]),
            origin=f"{self.entry.path}:{self.start}",
        )
        return doc, self.start

    def _report(self, line: int | None, reason: str, kind: str) -> None:
        self.on_problem(Problem(self.entry.path, line, reason, kind))


@lru_cache(maxsize=64)
def _tags(name: str) -> tuple[re.Pattern, re.Pattern]:
    return re.compile(rf"<{name}(?:\s[^>]*)?>", re.I), re.compile(rf"</{name}\s*>", re.I)


def _elements(inner: str, name: str) -> Iterator[str]:
    """Contents of each <name>...</name>. Two plain searches: a lazy ".*?" across the
    element is several times slower on long texts."""
    opening, closing = _tags(name)
    pos = 0
    while (start := opening.search(inner, pos)) and (end := closing.search(inner, start.end())):
        yield inner[start.end():end.start()]
        pos = end.end()


def _field(inner: str, names: tuple[str, ...]) -> str | None:
    for name in names:
        for content in _elements(inner, name):
            value = clean_line(reader_text(content, " "))
            if value:
                return value
    return None


def _body(inner: str) -> str:
    """Paragraphs of every <TEXT> (or <BODY>), one per <P> or blank-line block."""
    for name in TAGS["body"]:
        paragraphs = [clean_line(reader_text(p, " "))
                      for block in _elements(inner, name) for p in _PARAGRAPH_BREAK.split(block)]
        text = "\n\n".join(p for p in paragraphs if p)
        if text:
            return text
    return ""
