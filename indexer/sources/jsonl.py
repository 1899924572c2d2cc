"""JSON Lines: one JSON object per line; a bad line is reported and the rest still read."""
from __future__ import annotations

import json
from typing import Iterator

from .encoding import describe, sniff_entry
from .model import Entry, OnProblem, Problem, SourceDocument
from .records import BODY_FIELDS, to_document
from .streams import open_lines


def read(entry: Entry, on_problem: OnProblem) -> Iterator[tuple[SourceDocument, int | None]]:
    """Yield (document, line number) for each usable line."""
    encoding = sniff_entry(entry, on_problem)
    if encoding is None:
        return
    with entry.open() as stream:
        encoding, lines = open_lines(stream, encoding)
        lineno = records = 0
        try:
            for lineno, raw in enumerate(lines, 1):
                if raw.isspace():
                    continue
                records += 1
                record = _parse(raw, encoding, entry.path, lineno, on_problem)
                if record is None:
                    continue
                doc = to_document(record, entry.rel, lineno, f"{entry.path}:{lineno}")
                if doc is None:
                    on_problem(Problem(entry.path, lineno, f"no body (none of {BODY_FIELDS})", "missing_body"))
                else:
                    yield doc, lineno
        except UnicodeDecodeError as err:  # UTF-16/32 stream: cannot resynchronise
            on_problem(Problem(entry.path, lineno + 1, describe(err, encoding) + "; rest of file skipped",
                               "undecodable"))
            return
    if records == 0:
        on_problem(Problem(entry.path, None, "no JSON lines, only whitespace", "empty"))


def _parse(raw: bytes, encoding: str, path: str, lineno: int, on_problem: OnProblem) -> dict | None:
    try:
        raw = raw.rstrip(b"\r\n")  # so an unterminated string is reported as such
        record = json.loads(raw if encoding == "utf-8" else raw.decode(encoding))
    except UnicodeDecodeError as err:
        on_problem(Problem(path, lineno, describe(err, encoding), "undecodable"))
        return None
    except ValueError as err:
        on_problem(Problem(path, lineno, f"invalid JSON: {err.msg} (column {err.colno})", "malformed_json"))
        return None
    if not isinstance(record, dict):
        on_problem(Problem(path, lineno, f"expected a JSON object, got {type(record).__name__}",
                           "malformed_json"))
        return None
    return record
