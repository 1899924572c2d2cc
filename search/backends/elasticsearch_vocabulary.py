"""The vocabulary (search/vocabulary.py) of an Elasticsearch deployment, in ``<prefix>-vocabulary``.

One entry per article index (generation): a head document ``<index>`` naming its parts and a
stamp, and part documents ``<index>.<n>`` holding the gzip'd list in base64 (kept in
``_source`` only, nothing indexed). A rebuild writes its generation's entry before the alias
moves to it; ``upsert``/``delete`` rewrite the live one. Readers reload when the stamp changes.
"""
from __future__ import annotations

import base64
import time

from search.vocabulary import Vocabulary

PART_CHARS = 8_000_000  # base64 characters per part document
VOCAB_MAPPINGS = {"dynamic": False, "properties": {"index": {"type": "keyword"}}}
VOCAB_SETTINGS = {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}}


class VocabularyStore:
    def __init__(self, client, index: str):
        self.client = client
        self.index = index
        self._cache: tuple[str, str, Vocabulary] | None = None

    def _ensure_index(self) -> None:
        from elasticsearch import ApiError

        if not self.client.indices.exists(index=self.index):
            try:
                self.client.indices.create(index=self.index, settings=VOCAB_SETTINGS, mappings=VOCAB_MAPPINGS)
            except ApiError as e:
                if getattr(e, "body", {}).get("error", {}).get("type") != "resource_already_exists_exception":
                    raise

    def save(self, generation: str, vocab: Vocabulary) -> None:
        self._ensure_index()
        data = base64.b64encode(vocab.to_bytes()).decode("ascii")
        parts = [data[i:i + PART_CHARS] for i in range(0, len(data), PART_CHARS)] or [""]
        stamp = f"{time.time_ns()}"
        for n, chunk in enumerate(parts):
            self.client.index(index=self.index, id=f"{generation}.{n}", document={"index": generation, "data": chunk})
        # The head last: a reader never sees a stamp whose parts are not all written.
        self.client.index(index=self.index, id=generation,
                          document={"index": generation, "parts": len(parts), "stamp": stamp}, refresh="wait_for")

    def load(self, generation: str) -> Vocabulary | None:
        from elasticsearch import NotFoundError

        try:
            head = self.client.get(index=self.index, id=generation)["_source"]
        except NotFoundError:
            return None
        if self._cache and self._cache[:2] == (generation, head["stamp"]):
            return self._cache[2]
        data = "".join(self.client.get(index=self.index, id=f"{generation}.{n}")["_source"]["data"]
                       for n in range(int(head["parts"])))
        vocab = Vocabulary.from_bytes(base64.b64decode(data))
        self._cache = (generation, head["stamp"], vocab)
        return vocab

    def drop(self, generation: str) -> None:
        """Forget a generation's entry (its index is gone); best effort."""
        from elasticsearch import NotFoundError

        try:
            head = self.client.get(index=self.index, id=generation)["_source"]
        except NotFoundError:
            return
        for n in range(int(head.get("parts", 0))):
            self.client.options(ignore_status=404).delete(index=self.index, id=f"{generation}.{n}")
        self.client.options(ignore_status=404).delete(index=self.index, id=generation)
