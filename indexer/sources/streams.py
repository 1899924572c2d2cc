"""Turn a binary stream into byte lines or UTF-8 chunks, in a known encoding."""
from __future__ import annotations

import codecs
import io
from typing import BinaryIO, Iterator

from .encoding import DecodeError, describe

CHUNK_BYTES = 256 * 1024


def open_lines(stream: BinaryIO, encoding: str, limit: int = -1) -> tuple[str, Iterator[bytes]]:
    """Split a stream into byte lines; returns (encoding of those lines, lines).

    UTF-16/32 are re-encoded to UTF-8 on the fly (their bytes cannot be split on b"\\n");
    a decoding error there raises UnicodeDecodeError from the iterator.
    Lines longer than `limit` bytes come in several pieces.
    """
    if encoding in ("utf-16", "utf-32"):
        text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
        return "utf-8", (line.encode("utf-8") for line in iter(lambda: text.readline(limit), ""))
    lines = split_lines(_chunks(stream), limit)
    if encoding == "utf-8-sig":
        return "utf-8", _drop_bom(lines)
    return encoding, lines


def utf8_chunks(stream: BinaryIO, encoding: str) -> Iterator[bytes]:
    """The stream's content as UTF-8 bytes, chunk by chunk, without a BOM.

    Other encodings are decoded strictly on the way; bad bytes raise DecodeError with
    the line where they are. UTF-8 itself is passed through unchecked (the JSON parser
    validates it).
    """
    if encoding in ("utf-8", "utf-8-sig"):
        chunks = _chunks(stream)
        first = next(chunks, b"")
        if first.startswith(codecs.BOM_UTF8):
            first = first[len(codecs.BOM_UTF8):]
        if first:
            yield first
        yield from chunks
        return
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    line = 1
    for chunk in _chunks(stream):
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as err:
            raise DecodeError("undecodable", describe(err, encoding),
                              line + err.object[:err.start].count(b"\n")) from None
        line += text.count("\n")
        yield text.encode("utf-8")
    try:
        decoder.decode(b"", True)
    except UnicodeDecodeError as err:
        raise DecodeError("undecodable", "file ends inside a character: " + describe(err, encoding),
                          line) from None


def split_lines(chunks: Iterator[bytes], limit: int = -1) -> Iterator[bytes]:
    """Cut a chunk stream into lines (ending in b"\\n", except maybe the last); lines
    longer than `limit` come in pieces. Several times faster than readline on zip members."""
    pending: list[bytes] = []  # pieces of a line longer than one chunk
    pending_len = 0
    for chunk in chunks:
        lines = chunk.split(b"\n")
        last = lines.pop()
        if lines:
            if pending:
                pending.append(lines[0])
                lines[0] = b"".join(pending)
                pending, pending_len = [], 0
            for line in lines:
                yield line + b"\n"
        if last:
            pending.append(last)
            pending_len += len(last)
            if 0 < limit <= pending_len:
                joined = b"".join(pending)
                cut = len(joined) - len(joined) % limit
                for start in range(0, cut, limit):
                    yield joined[start:start + limit]
                pending = [joined[cut:]] if cut < len(joined) else []
                pending_len = len(joined) - cut
    if pending:
        yield b"".join(pending)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    return iter(lambda: stream.read(CHUNK_BYTES), b"")


def _drop_bom(lines: Iterator[bytes]) -> Iterator[bytes]:
    first = next(lines, b"")
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8):]
    if first:
        yield first
    yield from lines


