"""Read news archives (text, JSON, JSON Lines, zip, TREC/Gigaword SGML) as documents.

    from indexer.sources import iter_documents, SourceDocument, Problem

Formats, fields, id rules, encodings and problem kinds: docs/sources.md.
"""
from .model import NOTE_KINDS, Problem, SourceDocument
from .walk import iter_documents

__all__ = ["iter_documents", "SourceDocument", "Problem", "NOTE_KINDS"]
