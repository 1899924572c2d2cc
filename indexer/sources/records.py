"""Turn one JSON record (a dict) into a SourceDocument, whatever its field names."""
from __future__ import annotations

from .dates import parse_date
from .ids import derived_id, own_id
from .markup import reader_text
from .model import SourceDocument
from .text_norm import clean_body, clean_line

# First alias present with a usable value wins; keys match case-insensitively.
FIELDS = {
    "id": ("id", "_id", "doc_id", "docno"),
    "title": ("title", "headline"),
    "body": ("body", "content", "text"),
    "date": ("date", "published", "date_published", "pubdate", "date_extracted"),
    "source": ("source", "publisher"),
    "url": ("url", "link"),
    "author": ("author", "byline"),
}
BODY_FIELDS = ", ".join(FIELDS["body"])


def to_document(record: dict, rel: tuple[str, ...], position: int, origin: str) -> SourceDocument | None:
    """The document, or None when the record has no usable body."""
    if not "".join(record).islower():  # one C call; usually true
        record = {k.lower(): v for k, v in record.items()}
    body = clean_body(reader_text(_text(_first(record, "body"))))
    if not body:
        return None
    return SourceDocument(
        id=own_id(_first(record, "id")) or derived_id(rel, position),
        title=clean_line(reader_text(_text(_first(record, "title")), " ")),
        body=body,
        date=parse_date(_first(record, "date")),
        source=clean_line(reader_text(_text(_first(record, "source")), " ")),
        url=clean_line(_text(_first(record, "url"))),
        author=clean_line(reader_text(_text(_first(record, "author")), " ")),
        origin=origin,
    )


def _first(record: dict, field: str):
    for key in FIELDS[field]:
        value = record.get(key)
        if value not in (None, "", []) and not (isinstance(value, str) and value.isspace()):
            return value
    return None


def _text(value) -> str | None:
    """Strings as they are; a list of strings (paragraphs) joined by blank lines."""
    if value is None or isinstance(value, (dict, bool)):
        return None
    if isinstance(value, list):
        return "\n\n".join(str(v) for v in value if isinstance(v, (str, int, float)) and v != "")
    return value if isinstance(value, str) else str(value)
