"""Detect and decode the text encodings found in Arabic news archives.

Order: BOM (UTF-8/16/32), binary sniff, strict UTF-8, windows-1256 vs ISO-8859-6,
then charset-normalizer for anything else. Nothing is ever decoded with errors="replace":
bytes that do not decode cleanly raise DecodeError, which readers turn into a Problem.
"""
from __future__ import annotations

import codecs
import io
import re
from typing import BinaryIO, Iterator

import charset_normalizer

HEAD_BYTES = 64 * 1024

_BOMS = (  # UTF-32 LE first: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls that never occur in text files (tab, LF, VT, FF, CR and ESC are allowed).
_CONTROL = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_MAX_CONTROL_SHARE = 0.01
_ARABIC_LEGACY = ("cp1256", "iso8859_6")
_MIN_ARABIC_SHARE = 0.5  # of non-ASCII characters, for a legacy Arabic guess to count
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_BAD_UTF8 = re.compile(r"[\udc80-\udcff]")


class DecodeError(ValueError):
    """Bytes that are not text, or not text in any encoding we can trust."""

    def __init__(self, kind: str, reason: str, line: int | None = None):
        super().__init__(reason)
        self.kind, self.reason, self.line = kind, reason, line


def decode(data: bytes) -> tuple[str, str]:
    """Decode a whole file; returns (text, encoding name)."""
    encoding, text = _detect(data, final=True)
    if text is None:
        text = _strict(data, encoding)
    return text, encoding


def sniff(head: bytes, complete: bool) -> str:
    """Choose the encoding of a stream from its first bytes (`complete`: head is all of it)."""
    return _detect(head, final=complete)[0]


def open_lines(stream: BinaryIO, encoding: str, limit: int = -1) -> tuple[str, Iterator[bytes]]:
    """Split a stream into byte lines; returns (encoding of those lines, lines).

    UTF-16/32 are re-encoded to UTF-8 on the fly (their bytes cannot be split on b"\\n");
    a decoding error there raises UnicodeDecodeError from the iterator.
    Lines longer than `limit` bytes come in several pieces.
    """
    if encoding in ("utf-16", "utf-32"):
        text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
        return "utf-8", (line.encode("utf-8") for line in iter(lambda: text.readline(limit), ""))
    lines = iter(lambda: stream.readline(limit), b"")
    if encoding == "utf-8-sig":
        return "utf-8", _drop_bom(lines)
    return encoding, lines


def describe(err: UnicodeDecodeError, encoding: str | None = None) -> str:
    """Human wording for a decode error: which byte, where."""
    bad = err.object[err.start:err.start + 1]
    return f"invalid {encoding or err.encoding} byte 0x{bad.hex()} at byte {err.start}"


def _drop_bom(lines: Iterator[bytes]) -> Iterator[bytes]:
    first = next(lines, b"")
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8):]
    if first:
        yield first
    yield from lines


def _detect(data: bytes, final: bool) -> tuple[str, str | None]:
    """(encoding, decoded text if it was decoded on the way, else None)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if final:  # a truncated head may end mid code unit; the full read checks later
                return encoding, _strict(data, encoding)
            return encoding, None
    _refuse_binary(data)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final)
        return "utf-8", None
    except UnicodeDecodeError as err:
        utf8_error = err
    if _mostly_utf8(data):
        # Corrupt UTF-8 (cut file, one bad byte) decodes as cp1256 mojibake: refuse it.
        raise DecodeError("undecodable", "invalid UTF-8: " + describe(utf8_error, "UTF-8"),
                          _line_of(data, utf8_error.start))
    encoding, text = _arabic_legacy(data)
    if encoding:
        return encoding, text
    return _other_legacy(data)


def _refuse_binary(data: bytes) -> None:
    sample = data[:HEAD_BYTES]
    if b"\x00" in sample:
        raise DecodeError("binary", "binary data (NUL bytes), not text")
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise DecodeError("binary", f"binary data ({controls} control bytes in the first "
                                    f"{len(sample)}), not text")


def _mostly_utf8(data: bytes) -> bool:
    text = data[:HEAD_BYTES].decode("utf-8", "surrogateescape")
    bad = len(_BAD_UTF8.findall(text))
    good = len(_NON_ASCII.findall(text)) - bad
    return good > bad


def _arabic_legacy(data: bytes) -> tuple[str | None, str | None]:
    """Pick windows-1256 or ISO-8859-6 by which decodes strictly into mostly Arabic."""
    scored = []
    for encoding in _ARABIC_LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue  # ISO-8859-6 leaves 45 bytes undefined: cp1256 text usually fails here
        sample = text[:HEAD_BYTES]
        share = len(_ARABIC.findall(sample)) / max(1, len(_NON_ASCII.findall(sample)))
        if share >= _MIN_ARABIC_SHARE:
            scored.append((share, encoding, text))
    if not scored:
        return None, None
    scored.sort(key=lambda s: -s[0])  # stable: cp1256, the common one, wins exact ties
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        best = charset_normalizer.from_bytes(data[:HEAD_BYTES], cp_isolation=list(_ARABIC_LEGACY)).best()
        if best is not None and best.encoding in _ARABIC_LEGACY:
            return next((enc, text) for _, enc, text in scored if enc == best.encoding)
    return scored[0][1], scored[0][2]


def _other_legacy(data: bytes) -> tuple[str, str]:
    best = charset_normalizer.from_bytes(data[:HEAD_BYTES]).best()
    if best is None:
        raise DecodeError("undecodable", "not UTF-8, windows-1256 or ISO-8859-6, "
                                         "and no other encoding fits")
    return best.encoding, None


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[:err.start].decode(encoding, "ignore").count("\n") + 1
        raise DecodeError("undecodable", describe(err, encoding), line) from None
    except LookupError:
        raise DecodeError("undecodable", f"unknown encoding {encoding}") from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
