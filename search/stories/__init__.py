"""Stories: versions of one text grouped under the id of their earliest version (docs/stories.md).

What every backend needs: the signature and band keys of a document (``signature``), how
versions are ordered (``order_key``), the number tantivy collapses on (``story_key``), and
what story detection reads back from a prepared or stored document (``StoryInfo``).
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from search.backends.common import parse_date

UNDATED = "~"  # sorts after every ISO date: an undated version is never a story's earliest


def order_key(doc_id: str, date: str | None) -> tuple[str, str]:
    """How versions are ordered: date (UTC), then id; the first one names the story."""
    when = parse_date(date)
    return (when.strftime("%Y-%m-%dT%H:%M:%S") if when else UNDATED, doc_id)


def story_key(story: str) -> int:
    """A signed 64-bit number for a story id (tantivy's collapse reads it from a fast field)."""
    return int.from_bytes(hashlib.blake2b(story.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


@dataclass(frozen=True)
class StoryInfo:
    """A document as story detection sees it."""

    id: str
    date: str | None
    sig: bytes | None  # None: too short to compare
    bands: tuple[str, ...]
    story: str | None = None  # its current story (documents read back from the index)


def story_fields(doc) -> tuple[str, bytes | None, list[str]]:
    """(story id, signature bytes, band keys) of a StoredDocument; pure, runs in workers."""
    from search.stories.signature import band_keys, signature, to_bytes

    sig = signature(doc.body or "")
    if sig is None:
        return doc.story or doc.id, None, []
    return doc.story or doc.id, to_bytes(sig), band_keys(sig)


def sig_text(sig: bytes | None) -> str | None:
    """The signature as text (Elasticsearch's binary fields take base64)."""
    return base64.b64encode(sig).decode("ascii") if sig else None


def sig_bytes(text: str | None) -> bytes | None:
    return base64.b64decode(text) if text else None
