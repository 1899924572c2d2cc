"""Stable, URL-safe document ids.

Rule (docs/sources.md): an id only contains [A-Za-z0-9._~:-]. A path separator "/" becomes
"~"; any other character outside [A-Za-z0-9._:-] becomes "_", and then, because that
replacement can make two ids equal, "-" plus 8 hex digits of the blake2b hash of the
original text is appended. So "أخبار/a.txt" and "تقارير/a.txt" stay distinct.
"""
from __future__ import annotations

import hashlib
import posixpath
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._:/-]")  # "/" is handled apart


def own_id(value) -> str | None:
    """The source's own id (any JSON scalar or SGML text), made URL-safe; None if blank."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    text = str(value).strip()
    return _safe(text) if text else None


def derived_id(rel: tuple[str, ...], position: int | None = None) -> str:
    """Id from the path below the source root, plus the record's position in a multi-record
    file. A single-document file drops its extension: ("seeds", "000_x.txt") -> "seeds~000_x"."""
    parts = list(rel)
    if position is None and parts:
        stem, ext = posixpath.splitext(parts[-1])
        parts[-1] = stem if stem and ext else parts[-1]
    raw = "/".join(parts)
    if position is not None:
        raw = f"{raw}:{position}"
    return _safe(raw)


def _safe(text: str) -> str:
    cleaned = _UNSAFE.sub("_", text).replace("/", "~")
    if cleaned.replace("~", "/") != text:
        cleaned += "-" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    return cleaned
