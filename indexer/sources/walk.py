"""Walk the paths given, pick a reader for each file, report what cannot be read."""
from __future__ import annotations

import gzip
import os
import re
import stat
import zipfile
import zlib
from typing import Callable, Iterable, Iterator

from . import json_array, jsonl, sgml, text, zip_archive
from .dedupe import Deduper
from .encoding import HEAD_BYTES
from .model import Entry, OnProblem, Problem, SourceDocument

READERS = {"text": text.read, "jsonl": jsonl.read, "json": json_array.read, "sgml": sgml.read}
EXTENSIONS = {
    ".txt": "text", ".text": "text", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".sgml": "sgml", ".sgm": "sgml", ".xml": "xml", ".zip": "zip",
}
# Would be misread as plain text (or are archives we cannot stream): refuse by name.
UNSUPPORTED = frozenset({
    ".pdf", ".doc", ".docx", ".odt", ".rtf", ".html", ".htm", ".csv", ".tsv", ".xls", ".xlsx",
    ".tar", ".tgz", ".bz2", ".xz", ".7z", ".rar",
})
# Dataset documentation that sits next to archives (SaudiNewsNet has a README.md).
NOT_ARTICLES = frozenset({"readme", "license", "licence", "copying", "changelog", "notice", "authors"})
_SGML_START = re.compile(rb"\s*<DOC[\s>]", re.I)
_SGML_ANYWHERE = re.compile(rb"<DOC[\s>]", re.I)
_CORRUPT = (zipfile.BadZipFile, gzip.BadGzipFile, zlib.error, EOFError)

Found = tuple[SourceDocument, str, "int | None"]


def iter_documents(paths: Iterable[str], on_problem: Callable[[Problem], None], *,
                   dedupe: bool = True, max_file_bytes: int | None = None) -> Iterator[SourceDocument]:
    """Yield every document under `paths` (files or directories, walked in sorted order),
    one at a time. Anything unreadable goes to `on_problem` and is skipped; this never
    raises for bad input. With `dedupe`, a body seen before is reported, not yielded."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    deduper = Deduper() if dedupe else None
    for doc, path, line in _Walker(on_problem, max_file_bytes).documents(paths):
        if deduper is not None:
            doc, problem = deduper.check(doc, path, line)
            if problem is not None:
                on_problem(problem)
            if doc is None:
                continue
        yield doc


class _Walker:
    def __init__(self, on_problem: OnProblem, max_file_bytes: int | None):
        self.on_problem = on_problem
        self.max_bytes = max_file_bytes
        self.visited: set[tuple[int, int]] = set()  # directories, against symlink loops

    def documents(self, paths: Iterable[str]) -> Iterator[Found]:
        for given in paths:
            given = os.fspath(given)
            try:
                info = os.stat(given)
            except FileNotFoundError:
                self.report(given, "no such file or directory", "not_found")
                continue
            except OSError as err:
                self.report(given, _os_reason(err), "unreadable")
                continue
            if stat.S_ISDIR(info.st_mode):
                yield from self.directory(given, (), info)
            elif stat.S_ISREG(info.st_mode):
                yield from self.file(given, (os.path.basename(given),), info.st_size)
            else:
                self.report(given, "not a regular file or directory", "unsupported")

    def directory(self, path: str, rel: tuple[str, ...], info: os.stat_result) -> Iterator[Found]:
        if (info.st_dev, info.st_ino) in self.visited:
            return
        self.visited.add((info.st_dev, info.st_ino))
        try:
            with os.scandir(path) as it:
                names = sorted(e.name for e in it if not e.name.startswith("."))
        except OSError as err:
            self.report(path, _os_reason(err), "unreadable")
            return
        for name in names:
            child = os.path.join(path, name)
            try:
                child_info = os.stat(child)
            except FileNotFoundError:
                self.report(child, "no such file (removed while reading, or a broken link)", "not_found")
                continue
            except OSError as err:
                self.report(child, _os_reason(err), "unreadable")
                continue
            if stat.S_ISDIR(child_info.st_mode):
                yield from self.directory(child, rel + (name,), child_info)
            elif stat.S_ISREG(child_info.st_mode):
                yield from self.file(child, rel + (name,), child_info.st_size)
            else:
                self.report(child, "not a regular file or directory", "unsupported")

    def file(self, path: str, rel: tuple[str, ...], size: int) -> Iterator[Found]:
        if path.lower().endswith(".zip"):  # the limit applies to each member, not the archive
            yield from zip_archive.read(path, rel, self.stream, self.on_problem, self.max_bytes)
            return
        if self.max_bytes is not None:
            size = max(size, _gzip_size(path) if path.lower().endswith(".gz") else 0)
            if size > self.max_bytes:
                self.report(path, f"{size:,} bytes, over the {self.max_bytes:,}-byte limit", "too_large")
                return
        yield from self.stream(path, rel, lambda: open(path, "rb"))

    def stream(self, path: str, rel: tuple[str, ...], opener: Callable) -> Iterator[Found]:
        """Read one file, wherever its bytes come from (disk, zip member, gzip)."""
        if rel[-1].lower().endswith(".gz"):
            rel, opener = rel[:-1] + (rel[-1][:-3],), _gunzip(opener)
        fmt = self.format_by_name(path, rel[-1])
        if fmt is None:
            return
        try:
            with opener() as stream:
                head = stream.read(HEAD_BYTES)
            if not head:
                self.report(path, "empty file", "empty")
                return
            if fmt in ("xml", "unknown"):
                fmt = _sniff_format(head, fmt)
                if fmt is None:
                    self.report(path, "XML without <DOC> elements is not supported", "unsupported")
                    return
            for doc, line in READERS[fmt](Entry(path, rel, head, opener), self.on_problem):
                yield doc, path, line
        except _CORRUPT as err:
            self.report(path, f"damaged archive or compressed file ({_plain(err)})", "corrupt")
        except NotImplementedError as err:  # zip compression method
            self.report(path, _plain(err), "unsupported")
        except FileNotFoundError:
            self.report(path, "file disappeared while reading", "not_found")
        except OSError as err:
            self.report(path, _os_reason(err), "unreadable")

    def format_by_name(self, path: str, name: str) -> str | None:
        """Format from the file name ("unknown": look at the content); None if refused."""
        stem, ext = os.path.splitext(name.lower())
        if ext in UNSUPPORTED:
            self.report(path, f"{ext} files are not supported", "unsupported")
        elif stem in NOT_ARTICLES:
            self.report(path, "dataset documentation, not an article", "not_article")
        elif ext == ".zip":
            self.report(path, "archive inside an archive is not supported", "unsupported")
        else:
            return EXTENSIONS.get(ext, "unknown")
        return None

    def report(self, path: str, reason: str, kind: str, line: int | None = None) -> None:
        self.on_problem(Problem(path, line, reason, kind))


def _sniff_format(head: bytes, by_name: str) -> str | None:
    """SGML if it has <DOC> elements (XML: anywhere in the head; else at the start), else
    plain text, or None for other XML."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: keep the ASCII code units
        head = head[2:].replace(b"\x00", b"")
    head = head.removeprefix(b"\xef\xbb\xbf")
    if by_name == "xml":
        return "sgml" if _SGML_ANYWHERE.search(head) else None
    return "sgml" if _SGML_START.match(head) else "text"


def _gunzip(opener: Callable) -> Callable:
    return lambda: _GzipStream(fileobj=opener(), mode="rb")


class _GzipStream(gzip.GzipFile):
    """GzipFile that also closes the stream it reads from."""

    def close(self) -> None:
        raw = self.fileobj
        try:
            super().close()
        finally:
            if raw is not None:
                raw.close()


def _gzip_size(path: str) -> int:
    """Uncompressed size from the gzip trailer (modulo 4 GiB; 0 if unreadable)."""
    try:
        with open(path, "rb") as f:
            f.seek(-4, os.SEEK_END)
            return int.from_bytes(f.read(4), "little")
    except OSError:
        return 0


def _os_reason(err: OSError) -> str:
    if isinstance(err, PermissionError):
        return "permission denied"
    return err.strerror or str(err)


def _plain(err: Exception) -> str:
    return str(err) or type(err).__name__
