"""tantivy schema and document conversion: text is analyzed in Python and fed pre-tokenized."""
from __future__ import annotations

import datetime as dt
import json

import tantivy

from search.analysis import CHAINS, analyze_field
from search.fields import TEXT_SCOPES, text_field
from search.model import StoredDocument


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    for scope in TEXT_SCOPES:
        for chain in CHAINS:
            # Only the Lucene-chain field stores the original text; the others index only.
            sb.add_text_field(text_field(scope, chain), stored=(chain == "arabic"))
    for name in ("country", "org", "source", "month"):
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("troops", stored=True, indexed=True, fast=True)
    sb.add_integer_field("troops_max", stored=True, indexed=True, fast=True)
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    sb.add_bytes_field("meta", stored=True, indexed=False)
    return sb.build()


def analyze_document(doc: StoredDocument) -> dict:
    """The picklable analysis of one document: per text field, the token columns.

    Runs in indexer worker processes; the main process only turns columns into tantivy tokens.
    """
    fields = {}
    for scope, text in (("title", doc.title), ("body", doc.body)):
        if not text:
            continue
        for chain in CHAINS:
            toks = analyze_field(chain, text)
            fields[text_field(scope, chain)] = (text, [(t.term, t.position, t.start, t.end) for t in toks])
    return {"doc": doc, "fields": fields}


def to_tantivy(prepared: dict) -> tantivy.Document:
    doc: StoredDocument = prepared["doc"]
    d = tantivy.Document()
    d.add_text("id", doc.id)
    Token = tantivy.Token
    for name, (text, toks) in prepared["fields"].items():
        d.add_pre_tokenized_text(name, tantivy.PreTokenizedString(text, [Token(*t) for t in toks]))
    for c in doc.countries:
        d.add_text("country", c)
    for o in doc.orgs:
        d.add_text("org", o)
    if doc.source:
        d.add_text("source", doc.source)
    if doc.month:
        d.add_text("month", doc.month)
    for t in doc.troops:
        d.add_integer("troops", int(t))
    if doc.troops_max is not None:
        d.add_integer("troops_max", int(doc.troops_max))
    when = parse_date(doc.date)
    if when is not None:
        d.add_date("date", when)
    meta = {"date": doc.date, "url": doc.url, "author": doc.author, "origin": doc.origin,
            "extraction": doc.extraction}
    d.add_bytes("meta", json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    return d


def from_tantivy(d: dict) -> StoredDocument:
    """Rebuild the stored document from tantivy's ``to_dict()`` form."""
    meta = json.loads(bytes(d["meta"][0]).decode("utf-8")) if d.get("meta") else {}

    def first(name):
        vals = d.get(name) or []
        return vals[0] if vals else None

    troops_max = first("troops_max")
    return StoredDocument(
        id=first("id"), title=first("title"), body=first("body") or "",
        date=meta.get("date"), source=first("source"), url=meta.get("url"),
        author=meta.get("author"), origin=meta.get("origin"),
        countries=list(d.get("country") or []), orgs=list(d.get("org") or []),
        troops=[int(t) for t in d.get("troops") or []],
        troops_max=int(troops_max) if troops_max is not None else None,
        extraction=meta.get("extraction") or {},
    )


def parse_date(value: str | None) -> dt.datetime | None:
    """ISO date or datetime string to an aware UTC datetime (None if absent or unparsable)."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = dt.datetime.fromisoformat(value[:10])
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when
