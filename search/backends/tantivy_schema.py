"""tantivy schema and document conversion: text is analyzed in Python and fed pre-tokenized.

Each analyzed field receives the Python analyzer's terms joined by spaces, with one
``GAP`` marker per missing position (a removed stopword). tantivy's registered
``PRETOKENIZED`` analyzer splits on whitespace and drops the markers without renumbering,
so tantivy indexes exactly the Python terms, positions (with Lucene's stopword gaps) and
field lengths. This carries the same information as ``tantivy.PreTokenizedString`` minus
character offsets, which tantivy never stores in postings (highlighting uses the analyzer's
offsets on the original text), and it costs the indexing process a few string copies
instead of one Python object per token: see bench/README.md for the measured difference.
"""
from __future__ import annotations

import json
import multiprocessing
import multiprocessing.util
import os
import pickle
import uuid
from collections import Counter
from pathlib import Path

import tantivy

from search.analysis import CHAINS, joined_terms_all
from search.arrival import from_ms, to_ms
from search.backends.common import GAP, parse_date
from search.fields import (ARRIVAL_FIELD, DIGEST_FIELD, KEYWORD_FIELDS, NUMERIC_FIELDS, STORY_BANDS_FIELD,
                           STORY_FIELD, STORY_KEY_FIELD, STORY_SIG_FIELD, LEAD_FIELD, TEXT_SCOPES, text_field)
from search.lead import lead_terms
from search.model import StoredDocument
from search.stories import StoryInfo, story_fields, story_key
from search.vocabulary import is_vocabulary_term


# Bump when the schema or the way fields are written changes: an index of another layout
# cannot be read correctly and must be rebuilt.
LAYOUT_VERSION = 6  # 6: lead_plus (#16); 3: casualties, casualties_max, flags (#12); 4: arrived, digest (#15); 5: story fields, day (#11)
PRETOKENIZED = "pretokenized"


def _pretokenized_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
            .filter(tantivy.Filter.custom_stopword([GAP])).build())


def create_index(schema: tantivy.Schema, path: str) -> tantivy.Index:
    index = tantivy.Index(schema, path=path, reuse=False)
    index.register_tokenizer(PRETOKENIZED, _pretokenized_analyzer())
    return index


def open_index(path: str) -> tantivy.Index:
    index = tantivy.Index.open(path)
    index.register_tokenizer(PRETOKENIZED, _pretokenized_analyzer())
    return index


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    for scope in TEXT_SCOPES:
        for chain in CHAINS:
            # The original text is stored once, in "meta"; these fields only index terms.
            sb.add_text_field(text_field(scope, chain), tokenizer_name=PRETOKENIZED)
    sb.add_text_field(LEAD_FIELD, tokenizer_name=PRETOKENIZED)
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    for name in NUMERIC_FIELDS:
        sb.add_integer_field(name, stored=True, indexed=True, fast=True)
    sb.add_text_field(STORY_FIELD, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    # Collapsing reads this per hit with fast_field_values (numeric fast fields only).
    sb.add_integer_field(STORY_KEY_FIELD, stored=False, indexed=False, fast=True)
    sb.add_text_field(STORY_BANDS_FIELD, stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_bytes_field(STORY_SIG_FIELD, stored=True, indexed=False)
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    # Milliseconds, not a date field: tantivy's date columns and range queries keep only
    # seconds, and fast_field_values (the rebuild's arrival scan) cannot read them.
    sb.add_integer_field(ARRIVAL_FIELD, stored=True, indexed=True, fast=True)
    # 0 when unknown; indexed so the arrival scan can walk the index in digest ranges.
    sb.add_unsigned_field(DIGEST_FIELD, stored=False, indexed=True, fast=True)
    sb.add_bytes_field("meta", stored=True, indexed=False)
    return sb.build()


def analyze_document(doc: StoredDocument) -> dict:
    """Everything tantivy needs for one document, as plain picklable values.

    Runs in indexer worker processes (analysis, date parsing and JSON encoding of the stored
    part), so the indexing process only copies strings into tantivy. The analyzed fields
    travel as UTF-16: the indexing process decodes that about three times faster than the
    UTF-8 pickle uses for str (bench/README.md, serial work).
    """
    fields = {}
    vocabulary: set[str] = set()
    for scope, text in (("title", doc.title), ("body", doc.body)):
        if not text:
            continue
        for chain, terms in zip(CHAINS, joined_terms_all(CHAINS, text, GAP)):
            fields[text_field(scope, chain)] = terms.encode("utf-16-le", "surrogatepass")
            if chain == "arabic_exact":
                vocabulary.update(terms.split())
    if (lead := lead_terms(doc.title, doc.body, GAP)) is not None:
        fields[LEAD_FIELD] = lead.encode("utf-16-le", "surrogatepass")
    # The document's distinct vocabulary terms (search.vocabulary): counted where the
    # document is prepared (``Prepare``), not by the indexing process.
    vocabulary_terms = [t for t in vocabulary if is_vocabulary_term(t)]
    keywords = [("country", c) for c in doc.countries] + [("org", o) for o in doc.orgs]
    keywords += [(name, v) for name, v in (("source", doc.source), ("month", doc.month), ("day", doc.day)) if v]
    keywords += [("flags", f) for f in doc.flags]
    story, sig, bands = story_fields(doc)
    integers = [("troops", int(t)) for t in doc.troops] + [("casualties", int(t)) for t in doc.casualties]
    for name, value in (("troops_max", doc.troops_max), ("casualties_max", doc.casualties_max)):
        if value is not None:
            integers.append((name, int(value)))
    meta = {"title": doc.title, "body": doc.body, "date": doc.date, "url": doc.url,
            "author": doc.author, "origin": doc.origin, "extraction": doc.extraction,
            "troop_mentions": doc.troop_mentions}
    return {"id": doc.id, "fields": fields, "keywords": keywords, "integers": integers,
            "date": parse_date(doc.date), "meta": json.dumps(meta, ensure_ascii=False).encode("utf-8"),
            "story": story, "story_sig": sig, "story_bands": bands, "raw_date": doc.date,
            "arrived": to_ms(doc.arrived) if doc.arrived else None, "digest": doc.digest or 0,
            "terms": vocabulary_terms}


VOCABULARY_PARTS = "vocabulary-parts"


class Prepare:
    """``analyze_document`` for one build, counting the documents' vocabulary terms where
    it runs (``TantivyBuild.prepare``, passed to the indexer's workers).

    Counting a document's ~200 distinct terms into the vocabulary of the whole index costs
    ~0.06 ms; done by the indexing process it would be most of its serial work per document
    (bench/README.md). So each worker counts its own documents and, when it exits, leaves
    its counts in ``spool`` (a directory of the build); in the indexing process (small
    runs) they stay on this object. ``TantivyBuild.commit`` adds them up and checks that
    every document was counted exactly once.
    """

    def __init__(self, spool: str):
        self.spool = spool
        self.counts: Counter = Counter()
        self.documents = 0
        self._will_write = False

    def __getstate__(self) -> dict:
        return {"spool": self.spool}  # a worker starts with no counts

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["spool"])

    def __call__(self, doc: StoredDocument) -> dict:
        prepared = analyze_document(doc)
        self.counts.update(prepared.pop("terms"))
        self.documents += 1
        if not self._will_write and multiprocessing.parent_process() is not None:
            self._will_write = True  # a worker: its counts are written when it exits
            multiprocessing.util.Finalize(self, self.write, exitpriority=10)
        return prepared

    def write(self) -> None:
        """Leave this process's counts in the spool directory (atomically)."""
        path = Path(self.spool) / f"{os.getpid()}-{uuid.uuid4().hex}.pickle"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(pickle.dumps((self.documents, dict(self.counts)), pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)

    def gather(self) -> tuple[int, Counter]:
        """(documents counted, their counts): this object's and every worker's."""
        documents, counts = self.documents, Counter(self.counts)
        for part in sorted(Path(self.spool).glob("*.pickle")):
            n, part_counts = pickle.loads(part.read_bytes())
            documents += n
            counts.update(part_counts)
        return documents, counts


def story_info(prepared: dict) -> StoryInfo:
    """What story detection needs from ``analyze_document``'s output."""
    return StoryInfo(prepared["id"], prepared["raw_date"], prepared["story_sig"], tuple(prepared["story_bands"]),
                     prepared["story"])


def set_story(prepared: dict, story: str) -> None:
    prepared["story"] = story


def to_tantivy(prepared: dict, arrived_ms: int | None = None) -> tantivy.Document:
    """The tantivy document for the output of ``analyze_document``; ``arrived_ms`` stamps
    a document that has no arrival time yet."""
    d = tantivy.Document()
    d.add_text("id", prepared["id"])
    for name, terms in prepared["fields"].items():
        d.add_text(name, terms.decode("utf-16-le", "surrogatepass"))
    for name, value in prepared["keywords"]:
        d.add_text(name, value)
    for name, value in prepared["integers"]:
        d.add_integer(name, value)
    if prepared["date"] is not None:
        d.add_date("date", prepared["date"])
    arrived = prepared.get("arrived")
    arrived = arrived_ms if arrived is None else arrived
    if arrived is not None:
        d.add_integer(ARRIVAL_FIELD, arrived)
    d.add_unsigned(DIGEST_FIELD, prepared.get("digest") or 0)
    d.add_bytes("meta", prepared["meta"])
    story = prepared.get("story") or prepared["id"]
    d.add_text(STORY_FIELD, story)
    d.add_integer(STORY_KEY_FIELD, story_key(story))
    for band in prepared.get("story_bands") or ():
        d.add_text(STORY_BANDS_FIELD, band)
    if prepared.get("story_sig"):
        d.add_bytes(STORY_SIG_FIELD, prepared["story_sig"])
    return d


def from_tantivy(d: dict) -> StoredDocument:
    """Rebuild the stored document from tantivy's ``to_dict()`` form."""
    meta = json.loads(bytes(d["meta"][0]).decode("utf-8")) if d.get("meta") else {}

    def first(name):
        vals = d.get(name) or []
        return vals[0] if vals else None

    troops_max = first("troops_max")
    casualties_max = first("casualties_max")
    arrived = first(ARRIVAL_FIELD)
    return StoredDocument(
        id=first("id"), title=meta.get("title"), body=meta.get("body") or "",
        date=meta.get("date"), source=first("source"), url=meta.get("url"),
        author=meta.get("author"), origin=meta.get("origin"),
        countries=list(d.get("country") or []), orgs=list(d.get("org") or []),
        troops=[int(t) for t in d.get("troops") or []],
        troops_max=int(troops_max) if troops_max is not None else None,
        extraction=meta.get("extraction") or {},
        casualties=[int(t) for t in d.get("casualties") or []],
        casualties_max=int(casualties_max) if casualties_max is not None else None,
        flags=list(d.get("flags") or []), troop_mentions=meta.get("troop_mentions") or [],
        story=first(STORY_FIELD),
        arrived=from_ms(int(arrived)) if arrived is not None else None,
    )


def stored_story_info(d: dict) -> StoryInfo:
    """Story detection's view of a stored document (``to_dict()`` form), without its text."""
    meta_date = None
    if d.get("meta"):
        meta_date = json.loads(bytes(d["meta"][0]).decode("utf-8")).get("date")
    sig = d.get(STORY_SIG_FIELD)
    return StoryInfo(d["id"][0], meta_date, bytes(sig[0]) if sig else None, (), (d.get(STORY_FIELD) or [None])[0])
