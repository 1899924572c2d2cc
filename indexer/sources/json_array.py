"""JSON files: an array of objects, a single object, or several top-level values.

Parsed incrementally with ijson (yajl2_c): memory does not grow with the file. The parser
is fed in pieces cut just before every "{" and "[", so a record's start event always
comes from the first byte of a piece whose line is known: exact record lines at the
price of one send per record. A syntax error is located by a second, line-by-line pass.
"""
from __future__ import annotations

from typing import Iterator

import ijson
from ijson.common import ObjectBuilder

from .encoding import HEAD_BYTES, DecodeError, sniff_entry
from .model import Entry, OnProblem, Problem, SourceDocument
from .records import BODY_FIELDS, to_document
from .streams import split_lines, utf8_chunks

_LONG_LINE_PIECE = 64 * 1024
_OPEN = ("start_map", "start_array")
_CLOSE = ("end_map", "end_array")


def read(entry: Entry, on_problem: OnProblem) -> Iterator[tuple[SourceDocument, int | None]]:
    """Yield (document, line where its record starts) for each usable record."""
    encoding = sniff_entry(entry, on_problem)
    if encoding is None:
        return
    if entry.head.isspace() and len(entry.head) < HEAD_BYTES:
        on_problem(Problem(entry.path, None, "no JSON value, only whitespace", "empty"))
        return
    records = _Records(entry, on_problem)
    events = ijson.sendable_list()
    parser = ijson.basic_parse_coro(events, use_float=True, multiple_values=True)
    line = 1
    with entry.open() as stream:
        try:
            for piece, line in _pieces(utf8_chunks(stream, encoding)):
                error = _send(parser, piece)
                yield from records.feed(events, line)  # records before an error in this piece
                del events[:]
                if error:
                    break
            else:
                error = _send(parser, None)
                yield from records.feed(events, line)
        except DecodeError as err:
            on_problem(Problem(entry.path, err.line, err.reason + "; rest of file skipped", err.kind))
            return
    if error:
        on_problem(_syntax_problem(entry, encoding, error, records.index))
    elif records.values == 0:
        on_problem(Problem(entry.path, None, "no JSON value, only whitespace", "empty"))


def _pieces(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, int]]:
    """(piece, line of its first byte); every "{" or "[" starts a new piece."""
    line = 1
    for chunk in chunks:
        start, end = 0, len(chunk)
        brace, bracket = chunk.find(b"{", 1), chunk.find(b"[", 1)  # find() is memchr: fast
        while True:
            if brace < 0:
                brace = end
            if bracket < 0:
                bracket = end
            at = min(brace, bracket)
            if at >= end:
                break
            yield chunk[start:at], line
            line += chunk.count(b"\n", start, at)
            start = at
            if at == brace:
                brace = chunk.find(b"{", at + 1)
            else:
                bracket = chunk.find(b"[", at + 1)
        yield chunk[start:], line
        line += chunk.count(b"\n", start)


def _send(parser, piece: bytes | None) -> Exception | None:
    """Feed the parser (None: end of input); return a syntax error instead of raising it."""
    try:
        if piece is None:
            parser.close()
        else:
            parser.send(piece)
    except ijson.JSONError as err:
        return err
    return None


def _error_line(entry: Entry, encoding: str) -> int | None:
    """Second pass, one line at a time, to find the line of a syntax error."""
    parser = ijson.basic_parse_coro(ijson.sendable_list(), multiple_values=True)
    number, last = 1, None
    with entry.open() as stream:
        for piece in split_lines(utf8_chunks(stream, encoding), _LONG_LINE_PIECE):
            if _send(parser, piece):
                return number
            if not piece.isspace():
                last = number
            number += piece.endswith(b"\n")
    return last  # the error only shows at the end: truncated file


class _Records:
    """Builds records from parser events. A record is a value at the top level or directly
    inside a top-level array; only objects make documents, other values are reported.
    Flat fields are set directly: ObjectBuilder only handles nested values (it is slower)."""

    def __init__(self, entry: Entry, on_problem: OnProblem):
        self.entry, self.on_problem = entry, on_problem
        self.in_array = False      # inside a top-level array
        self.record: dict | None = None
        self.key = None
        self.nested: ObjectBuilder | None = None
        self.nested_depth = 0
        self.skip_depth = 0        # > 0: inside a record that is an array, being skipped
        self.start_line = 0
        self.index = 0             # position of the next record in the file, from 0
        self.values = 0            # top-level values seen

    def feed(self, events, line: int) -> Iterator[tuple[SourceDocument, int]]:
        for event, value in events:
            record = self.record
            if record is not None:
                if self.nested is not None:
                    self.nested.event(event, value)
                    self.nested_depth += (event in _OPEN) - (event in _CLOSE)
                    if not self.nested_depth:
                        record[self.key], self.nested = self.nested.value, None
                elif event == "map_key":
                    self.key = value
                elif event == "end_map":
                    found = self._finish()
                    if found:
                        yield found
                elif event in _OPEN:
                    self.nested, self.nested_depth = ObjectBuilder(), 1
                    self.nested.event(event, value)
                else:
                    record[self.key] = value
            elif self.skip_depth:
                self.skip_depth += (event in _OPEN) - (event in _CLOSE)
                self.index += not self.skip_depth
            elif event == "start_array" and not self.in_array:
                self.in_array, self.values = True, self.values + 1
            elif event == "end_array" and self.in_array:
                self.in_array = False
            else:
                self.values += not self.in_array
                self._start(event, line)

    def _start(self, event: str, line: int) -> None:
        # Only "{" and "[" start pieces: a scalar's line is unknown, its index says where.
        self.start_line = line if event in _OPEN else None
        if event == "start_map":
            self.record = {}
            return
        got = "an array" if event == "start_array" else f"a {event}"
        self._report(f"item {self.index}: expected a JSON object, got {got}", "malformed_json")
        if event == "start_array":
            self.skip_depth = 1
        else:
            self.index += 1

    def _finish(self) -> tuple[SourceDocument, int] | None:
        record, index = self.record, self.index
        self.record, self.index = None, index + 1
        doc = to_document(record, self.entry.rel, index, f"{self.entry.path}:item {index}")
        if doc is None:
            self._report(f"item {index}: no body (none of {BODY_FIELDS})", "missing_body")
            return None
        return doc, self.start_line

    def _report(self, reason: str, kind: str) -> None:
        self.on_problem(Problem(self.entry.path, self.start_line, reason, kind))


def _syntax_problem(entry: Entry, encoding: str, err: Exception, complete: int) -> Problem:
    path, line = entry.path, _error_line(entry, encoding)
    text = str(err)
    if text.startswith(("b'", 'b"')):  # yajl2_c sometimes passes its message as bytes
        text = text[2:]
    message = (text.strip().split("\\n")[0].splitlines() or ["invalid JSON"])[0].rstrip(". ")
    after = f"after {complete} records; rest of file skipped"
    if "invalid bytes in UTF8" in message:
        return Problem(path, line, f"invalid UTF-8 ({after})", "undecodable")
    if "premature EOF" in message:
        return Problem(path, line, f"truncated JSON: the file ends inside a value ({after})",
                       "malformed_json")
    return Problem(path, line, f"invalid JSON: {message} ({after})", "malformed_json")
