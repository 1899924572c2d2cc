"""Plain-text articles: one file, one document."""
from __future__ import annotations

from typing import Iterator

from .encoding import HEAD_BYTES, DecodeError, decode
from .ids import derived_id
from .markup import reader_text
from .model import Entry, OnProblem, Problem, SourceDocument
from .text_norm import clean_body

TITLE_MAX_CHARS = 150
_SENTENCE_END = ".!?؟…:;,،؛"
_CLOSERS = "\"'»”’)]"


def read(entry: Entry, on_problem: OnProblem) -> Iterator[tuple[SourceDocument, int | None]]:
    """Yield the file's single document with its line (None: the whole file)."""
    data = entry.head
    if len(data) >= HEAD_BYTES:
        with entry.open() as stream:
            data = stream.read()
    try:
        text, _ = decode(data)
    except DecodeError as err:
        on_problem(Problem(entry.path, err.line, err.reason, err.kind))
        return
    body = clean_body(reader_text(text))
    if not body:
        on_problem(Problem(entry.path, None, "no text, only whitespace", "empty"))
        return
    title, body = split_title(body)
    yield SourceDocument(id=derived_id(entry.rel), title=title, body=body, date=None,
                         source=None, url=None, author=None, origin=entry.path), None


def split_title(text: str) -> tuple[str | None, str]:
    """(title, body): the first line is a title only when it is short, is not a sentence,
    and a blank line separates it from more text. A single newline is not enough:
    exports like the seeds put one paragraph per line, and the first may be short."""
    first, sep, rest = text.partition("\n\n")
    if (sep and rest and "\n" not in first and len(first) <= TITLE_MAX_CHARS
            and first.rstrip(_CLOSERS)[-1:] not in _SENTENCE_END):
        return first, rest
    return None, text
