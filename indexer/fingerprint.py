"""What a build was made from, so ``indexer reindex --if-changed`` can skip an identical rebuild.

A fingerprint has three parts, each a digest:

* ``sources``: every file under the source paths, by path, size and modification time
  (a stat walk: seconds for a large archive, where re-reading it would take minutes);
* ``pipeline``: the code and data files that decide what gets indexed (the indexer, the
  analysis chains, the shared field and document models, the backend's index layout), so a
  new release or a changed gazetteer rebuilds too;
* ``corrections``: the facet corrections file, by content.

The build stores it in its build information; the next ``--if-changed`` run compares.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Files whose change alters the index (besides the sources); directories are walked.
# search/stories: the MinHash signature and threshold decide every document's story id (#11);
# search/lead.py: what the lead field holds (#16).
PIPELINE_PATHS = ("indexer", "search/analysis", "search/stories", "search/fields.py", "search/model.py",
                  "search/facets.py", "search/lead.py")
BACKEND_LAYOUT = {"tantivy": "search/backends/tantivy_schema.py",
                  "elasticsearch": "search/backends/elasticsearch_mapping.py"}
_SKIP_DIRS = {"__pycache__", ".git"}


def _files(path: str) -> list[str]:
    """Every regular file under ``path`` (itself if a file), sorted; symlinks followed once."""
    if os.path.isfile(path):
        return [path]
    out, seen = [], set()
    for top, dirs, names in os.walk(path, followlinks=True):
        try:
            st = os.stat(top)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:  # a symlink loop
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        out.extend(os.path.join(top, n) for n in sorted(names))
    return out


def sources_digest(sources: list[str]) -> str:
    """Digest of the source files' absolute paths, sizes and modification times."""
    h = hashlib.sha256()
    for given in sources:
        h.update(b"\x00source\x00" + os.path.abspath(given).encode("utf-8", "surrogateescape"))
        for path in _files(given):
            try:
                st = os.stat(path)
            except OSError:
                h.update(b"\x00gone\x00" + path.encode("utf-8", "surrogateescape"))
                continue
            h.update(f"\x00{os.path.abspath(path)}\x00{st.st_size}\x00{st.st_mtime_ns}".encode(
                "utf-8", "surrogateescape"))
    return h.hexdigest()


def content_digest(paths) -> str:
    """Digest of the contents of files (and the files under directories), by relative name."""
    h = hashlib.sha256()
    for given in paths:
        for path in _files(str(given)):
            if path.endswith((".pyc", ".pyo")):
                continue
            h.update(b"\x00" + os.path.relpath(path, ROOT).encode("utf-8", "surrogateescape") + b"\x00")
            try:
                h.update(Path(path).read_bytes())
            except OSError:
                h.update(b"\x00unreadable")
    return h.hexdigest()


def fingerprint(sources: list[str], backend: str, corrections: str | None = None) -> dict:
    """The fingerprint of a build of ``sources`` with this code, for ``backend``."""
    pipeline = [ROOT / p for p in PIPELINE_PATHS]
    if backend in BACKEND_LAYOUT:
        pipeline.append(ROOT / BACKEND_LAYOUT[backend])
    return {"sources": sources_digest(sources), "pipeline": content_digest(pipeline),
            "corrections": content_digest([corrections]) if corrections else None}


def unchanged(stored: dict | None, current: dict) -> bool:
    """Whether a live build with fingerprint ``stored`` already is what ``current`` would build."""
    return bool(stored) and stored == current
