"""Drop documents whose text was already seen; keep document ids unique.

Memory per unique document: an 8-byte hash of the body and one of the id, each in an
open-addressing table of machine integers (16-64 bytes with the table's slack), plus the
id itself (~35 bytes) so that a duplicate can name the document it repeats. About 100
bytes per document instead of ~330 for Python dicts and sets of bytes and strings.
"""
from __future__ import annotations

import hashlib
from array import array
from dataclasses import replace

from .model import Problem, SourceDocument


class Deduper:
    """Remembers what was yielded: body hashes (whitespace-normalised) and ids."""

    def __init__(self):
        self._bodies = _Table(values=True)  # body hash -> offset of the first id in _ids
        self._id_hashes = _Table(values=False)
        self._ids = bytearray()             # ids are ASCII by construction, "\n"-separated

    def check(self, doc: SourceDocument, path: str, line: int | None
              ) -> tuple[SourceDocument | None, Problem | None]:
        """(document to index or None, problem to report or None)."""
        body_key = _hash(_normalized(doc.body))
        first = self._bodies.get(body_key)
        if first is not None:
            first_id = self._ids[first:self._ids.index(b"\n", first)].decode()
            return None, Problem(path, line, f"duplicate of {first_id} (same text); skipped", "duplicate")
        problem = None
        id_key = _hash(doc.id)
        if self._id_hashes.get(id_key) is not None:
            new_id, id_key = next((i, k) for i, k in ((f"{doc.id}:dup{n}", _hash(f"{doc.id}:dup{n}"))
                                                      for n in range(2, 1 << 30))
                                  if self._id_hashes.get(k) is None)
            problem = Problem(path, line, f"id {doc.id} already used by another document; "
                                          f"indexed as {new_id}", "duplicate_id")
            doc = replace(doc, id=new_id)
        self._bodies.put(body_key, len(self._ids))
        self._ids += doc.id.encode("utf-8", "surrogatepass") + b"\n"
        self._id_hashes.put(id_key, 0)
        return doc, problem


def content_digest(body: str) -> int:
    """The 64-bit digest of a body under which duplicates are recognised (non-zero)."""
    return _hash(_normalized(body))


def _normalized(body: str) -> str:
    """All whitespace runs as one space. Bodies come from clean_body (trimmed lines, single
    blank lines), so most need no split/join: that fast path halves the cost."""
    text = body.replace("\n\n", "\n").replace("\n", " ")
    if "  " not in text and text.isprintable():  # isprintable: no tab, NBSP, other spaces
        return text
    return " ".join(text.split())


def _hash(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1  # 0 marks an empty slot


class _Table:
    """Hash table of non-zero 64-bit keys (already uniform hashes) to 64-bit values,
    linear probing, kept at most half full."""

    def __init__(self, values: bool, capacity: int = 1024):
        self._keys = array("Q", bytes(8 * capacity))
        self._values = array("Q", bytes(8 * capacity)) if values else None
        self._size = 0

    def get(self, key: int) -> int | None:
        keys, mask = self._keys, len(self._keys) - 1
        slot = key & mask
        while keys[slot]:
            if keys[slot] == key:
                return self._values[slot] if self._values is not None else 0
            slot = (slot + 1) & mask
        return None

    def put(self, key: int, value: int) -> None:
        """Insert a key that is not in the table yet."""
        if 2 * (self._size + 1) > len(self._keys):
            self._grow()
        keys, mask = self._keys, len(self._keys) - 1
        slot = key & mask
        while keys[slot]:
            slot = (slot + 1) & mask
        keys[slot] = key
        if self._values is not None:
            self._values[slot] = value
        self._size += 1

    def set(self, key: int, value: int) -> None:
        """Insert ``key`` or overwrite its value."""
        keys, mask = self._keys, len(self._keys) - 1
        slot = key & mask
        while keys[slot]:
            if keys[slot] == key:
                self._values[slot] = value
                return
            slot = (slot + 1) & mask
        self.put(key, value)

    def __len__(self) -> int:
        return self._size

    def _grow(self) -> None:
        old_keys, old_values = self._keys, self._values
        self.__init__(old_values is not None, 2 * len(old_keys))
        for slot, key in enumerate(old_keys):
            if key:
                self.put(key, old_values[slot] if old_values is not None else 0)


U64Table = _Table  # public name for other compact id/digest lookups (indexer.arrivals)
