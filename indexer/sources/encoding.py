"""Detect and decode the text encodings found in Arabic news archives.

Order: BOM (UTF-8/16/32), binary sniff, strict UTF-8, windows-1256 vs ISO-8859-6,
then charset-normalizer for anything else. Nothing is ever decoded with errors="replace":
bytes that do not decode cleanly raise DecodeError, which readers turn into a Problem.
"""
from __future__ import annotations

import codecs
import re

import charset_normalizer

from .model import Problem

HEAD_BYTES = 64 * 1024

_BOMS = (  # UTF-32 LE first: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls that never occur in text files (tab, LF, VT, FF, CR and ESC are allowed).
_CONTROL = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_MAX_CONTROL_SHARE = 0.05  # random bytes have 10%; real text a stray \x1a or two
_ARABIC_LEGACY = ("cp1256", "iso8859_6")
# Shares of non-ASCII characters. Measured on SaudiNewsNet articles: genuine cp1256 text
# decodes to >= 97% Arabic; ISO-8859-6 text read as cp1256 has >= 15% Latin letters.
_MIN_ARABIC_SHARE = 0.5
_MAX_LATIN_SHARE = 0.1
_DAMAGED_ARABIC_SHARE = 0.9
_DISPLAY_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-32": "UTF-32",
                  "cp1256": "windows-1256", "iso8859-6": "ISO-8859-6"}
_PREFERRED_ON_TIE = ("cp1252",)  # the usual Western code page in news archives
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u00a0\u00ab\u00bb\u2013\u2014\u2018-\u201d\u2026]")  # + «» “” …
_HARAKAT = re.compile(r"[\u064b-\u0652]")
_LATIN = re.compile(r"[\u00c0-\u00ff\u0152\u0153\u0192]")
_UNDECODED = re.compile(r"[\udc80-\udcff]")  # bytes kept by errors="surrogateescape"
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_HIGH_IN_WORD = re.compile(rb"[A-Za-z][\x80-\xff]+|[\x80-\xff]+[A-Za-z]")


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
    """Choose the encoding of a stream from its first bytes (`complete`: head is all of it).
    Damaged text still gets its encoding: the stream readers report the bad lines."""
    try:
        return _detect(head, final=complete)[0]
    except _Damaged as err:
        return err.encoding


def describe(err: UnicodeDecodeError, encoding: str | None = None) -> str:
    """Human wording for a decode error: which byte, where."""
    bad = err.object[err.start:err.start + 1]
    return f"invalid {display_name(encoding or err.encoding)} byte 0x{bad.hex()} at byte {err.start}"


def display_name(encoding: str) -> str:
    """'iso8859_6' -> 'ISO-8859-6', for messages."""
    return _DISPLAY_NAMES.get(codecs.lookup(encoding).name, encoding)


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
        if _mostly_utf8(data):
            # Damaged UTF-8 (a cut file, a stray byte) would decode as cp1256 mojibake.
            raise _Damaged("utf-8", err, data) from None
    if not _latin_like(data):
        encoding, text = _arabic_legacy(data)
        if encoding:
            return encoding, text
    return _other_legacy(data)


class _Damaged(DecodeError):
    """Text in a known encoding but for a few bytes. A whole file is refused; a stream is
    read in that encoding so that only the lines with bad bytes are lost."""

    def __init__(self, encoding: str, err: UnicodeDecodeError, data: bytes):
        super().__init__("undecodable", f"{describe(err, encoding)} in otherwise {display_name(encoding)} text",
                         _line_of(data, err.start))
        self.encoding = encoding


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
    bad = len(_UNDECODED.findall(text))
    return len(_NON_ASCII.findall(text)) - bad > bad


def _latin_like(data: bytes) -> bool:
    """Accented letters inside ASCII words ('pr\xe9sident'): Latin-1 style text, which both
    Arabic code pages would happily turn into Arabic letters. Arabic words are all high bytes."""
    head = data[:HEAD_BYTES]
    runs = len(_HIGH_RUN.findall(head))
    return runs > 0 and len(_HIGH_IN_WORD.findall(head)) > runs / 2


def _arabic_legacy(data: bytes) -> tuple[str | None, str | None]:
    """Pick windows-1256 or ISO-8859-6: which decodes strictly into Arabic, not into the
    Latin letters cp1256 has where ISO-8859-6 has و ي ه ق ى."""
    scored, errors = [], {}
    for encoding in _ARABIC_LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as err:  # ISO-8859-6 leaves 45 bytes undefined
            errors[encoding] = err
            continue
        sample = text[:HEAD_BYTES]
        arabic, latin = _shares(sample)
        if arabic >= _MIN_ARABIC_SHARE and latin < _MAX_LATIN_SHARE:
            scored.append(((_plausibility(sample), arabic), encoding, text))
    if scored:
        scored.sort(key=lambda s: s[0], reverse=True)  # stable: cp1256 first on exact ties
        if len(scored) > 1 and scored[0][0] == scored[1][0]:
            best = charset_normalizer.from_bytes(data[:HEAD_BYTES], cp_isolation=list(_ARABIC_LEGACY)).best()
            if best is not None and best.encoding in _ARABIC_LEGACY:
                return next((enc, text) for _, enc, text in scored if enc == best.encoding)
        return scored[0][1], scored[0][2]
    err = errors.get("iso8859_6")
    if err is not None:  # ISO-8859-6 but for a few bytes? (cp1256 has no undefined bytes)
        text = data[:HEAD_BYTES].decode("iso8859_6", "surrogateescape")
        arabic, latin = _shares(text)
        if arabic >= _DAMAGED_ARABIC_SHARE:
            raise _Damaged("iso8859_6", err, data)
    return None, None


def _plausibility(sample: str) -> int:
    """Arabic news has "ال" in nearly every sentence, few vowel marks, no accented Latin.
    Read in the wrong code page, "ال" becomes "ان" or "اف", cp1256's ي ى become ISO vowel
    marks, and ISO's ق و ه ي ى become cp1256's â è ç ê é."""
    return sample.count("ال") - len(_HARAKAT.findall(sample)) - len(_LATIN.findall(sample))


def _shares(sample: str) -> tuple[float, float]:
    """Shares of Arabic characters and of Latin-1 letters among non-ASCII characters."""
    non_ascii = max(1, len(_NON_ASCII.findall(sample)))
    return len(_ARABIC.findall(sample)) / non_ascii, len(_LATIN.findall(sample)) / non_ascii


def _other_legacy(data: bytes) -> tuple[str, str]:
    results = list(charset_normalizer.from_bytes(data[:HEAD_BYTES]))  # best first
    # UTF-16/32 need a BOM: without one, short text is often "detected" as UTF-16.
    results = [m for m in results if not m.encoding.startswith(("utf_16", "utf_32"))]
    if not results:
        raise DecodeError("undecodable", "not UTF-8, windows-1256 or ISO-8859-6, "
                                         "and no other encoding fits")
    best = results[0]
    # charset-normalizer often scores cp1250/cp1252/cp1257 equal on short French text
    tied = {m.encoding for m in results if (m.chaos, m.coherence) == (best.chaos, best.coherence)}
    return next((e for e in _PREFERRED_ON_TIE if e in tied), best.encoding), None


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


def sniff_entry(entry, on_problem) -> str | None:
    """The encoding of a stream entry, or None after reporting why it has none."""
    try:
        return sniff(entry.head, complete=len(entry.head) < HEAD_BYTES)
    except DecodeError as err:
        on_problem(Problem(entry.path, err.line, err.reason, err.kind))
        return None
