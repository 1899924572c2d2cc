"""The embedded engine: tantivy, with Python analysis fed as pre-tokenized text."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator

import tantivy

from search.analysis import ANALYZER_VERSION
from search.backends.base import Backend, BackendError, IndexBuild
from search.backends.common import facet_agg_spec, facet_result, highlighted_hit
from search.backends.generations import Generations
from search.backends.tantivy_query import compile_clause
from search.backends.tantivy_schema import (LAYOUT_VERSION, analyze_document, build_schema, create_index,
                                            from_tantivy, open_index, to_tantivy)
from search.highlight import Highlighter
from search.model import FacetResult, SearchRequest, SearchResult, StoredDocument
from search.query.plan import Plan, build_plan, with_filters

WRITER_HEAP = int(os.environ.get("TANTIVY_WRITER_HEAP", 256_000_000))
def _default_writer_threads() -> int:
    """One indexing thread writes ~2,500 documents/s of our six analyzed fields (~0.4 ms
    each): a machine with many cores feeds it faster than that, so it gets one thread per
    four cores (at most four); a small machine keeps one (bench/README.md, worker scaling)."""
    return max(1, min(4, (os.cpu_count() or 1) // 4))


WRITER_THREADS = int(os.environ.get("TANTIVY_WRITER_THREADS", 0)) or _default_writer_threads()
SORT_FIELDS = {"date": "date", "troops": "troops_max"}


class TantivyBackend(Backend):
    name = "tantivy"
    # Worker processes call this to analyze documents before they reach the writer.
    prepare = staticmethod(analyze_document)

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.gens = Generations(self.root)
        self.schema = build_schema()
        self._lock = threading.Lock()
        self._open: tuple[str, float, tantivy.Index] | None = None
        self._saved = None

    # ---- reading -------------------------------------------------------------------------
    def exists(self) -> bool:
        path = self.gens.current_path()
        return bool(path and path.exists())

    def _index(self) -> tantivy.Index:
        """The live index, reopened when CURRENT moves and reloaded after incremental commits."""
        name = self.gens.current_name()
        if not name:
            raise BackendError(f"no index at {self.root}: run `indexer reindex` first")
        path = self.gens.dir / name
        try:
            stamp = (path / "meta.json").stat().st_mtime_ns
        except FileNotFoundError as e:
            raise BackendError(f"index generation {path} is missing") from e
        with self._lock:
            if self._open is None or self._open[0] != name:
                layout = self.gens.build_info(name).get("layout")
                if layout != LAYOUT_VERSION:
                    raise BackendError(f"the index at {self.root} has layout {layout}, this version reads "
                                       f"layout {LAYOUT_VERSION}: run `indexer reindex` to rebuild it")
                self._open = (name, stamp, open_index(str(path)))
            elif self._open[1] != stamp:
                self._open[2].reload()
                self._open = (name, stamp, self._open[2])
            return self._open[2]

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        index = self._index()
        searcher = index.searcher()
        plan = build_plan(request)
        query = compile_clause(self.schema, plan.full())
        order_field = SORT_FIELDS.get(request.sort)
        kwargs = {"order_by_field": order_field} if order_field else {}
        result = searcher.search(query, limit=request.page_size, offset=request.offset, count=True, **kwargs)
        hits = []
        title_hl = Highlighter(request.query, "title") if request.highlight else None
        body_hl = Highlighter(request.query, "body") if request.highlight else None
        for score, addr in result.hits:
            doc = from_tantivy(searcher.doc(addr).to_dict())
            hits.append(highlighted_hit(doc, None if order_field else float(score), title_hl, body_hl))
        facets = self._facets(searcher, plan, request)
        return SearchResult(total=result.count, hits=hits, facets=facets,
                            took_ms=(time.perf_counter() - started) * 1000)

    def _facets(self, searcher, plan: Plan, request: SearchRequest) -> dict[str, FacetResult]:
        # Disjunctive counts: each facet is counted with every filter but its own.
        groups: dict[str | None, list[str]] = {}
        for name in request.facets:
            key = name if name in plan.facet_filters else None
            groups.setdefault(key, []).append(name)
        out: dict[str, FacetResult] = {}
        for excluded, names in groups.items():
            clause = with_filters(plan.query, plan.filters_except(excluded))
            aggs = {name: facet_agg_spec(name, request.facet_size) for name in names}
            raw = searcher.aggregate(compile_clause(self.schema, clause), aggs)
            for name in names:
                out[name] = facet_result(name, raw.get(name, {}), request)
        return {name: out[name] for name in request.facets}

    def get(self, doc_id: str) -> StoredDocument | None:
        searcher = self._index().searcher()
        q = tantivy.Query.term_query(self.schema, "id", doc_id, index_option="basic")
        res = searcher.search(q, limit=1, count=False)
        if not res.hits:
            return None
        return from_tantivy(searcher.doc(res.hits[0][1]).to_dict())

    def iter_matches(self, request: SearchRequest, batch: int = 500) -> Iterator[StoredDocument]:
        searcher = self._index().searcher()  # one searcher: a consistent snapshot for the export
        plan = build_plan(request)
        query = compile_clause(self.schema, plan.full())
        order_field = SORT_FIELDS.get(request.sort)
        kwargs = {"order_by_field": order_field} if order_field else {}
        offset = 0
        while True:
            res = searcher.search(query, limit=batch, offset=offset, count=False, **kwargs)
            if not res.hits:
                return
            for _, addr in res.hits:
                yield from_tantivy(searcher.doc(addr).to_dict())
            offset += len(res.hits)

    def stats(self, top: int = 10) -> dict:
        """Also: per facet, its ``top`` values over all documents, and the dates covered."""
        if not self.exists():
            return {"backend": self.name, "index": str(self.root), "documents": 0, "exists": False}
        index = self._index()
        searcher = index.searcher()
        path = self.gens.current_path()
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        return {"backend": self.name, "index": str(self.root), "exists": True,
                "generation": self.gens.current_name(), "documents": searcher.num_docs,
                "segments": searcher.num_segments, "size_bytes": size,
                "analyzer_version": ANALYZER_VERSION, "build": self.gens.build_info(),
                **_facet_stats(searcher, top)}

    def saved_searches(self):
        from search.saved import SqliteSavedSearches

        if self._saved is None:
            self._saved = SqliteSavedSearches(self.root / "saved_searches.sqlite3")
        return self._saved

    # ---- writing -------------------------------------------------------------------------
    def new_build(self) -> "TantivyBuild":
        return TantivyBuild(self)

    def upsert(self, docs: Iterable[StoredDocument]) -> int:
        with self.gens.write_lock():
            path = self.gens.current_path()
            if path is None:
                raise BackendError(f"no index at {self.root}: run `indexer reindex` first")
            index = open_index(str(path))
            writer = index.writer(WRITER_HEAP, WRITER_THREADS)
            n = 0
            try:
                for doc in docs:
                    writer.delete_documents_by_term("id", doc.id)
                    writer.add_document(to_tantivy(analyze_document(doc)))
                    n += 1
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            return n

    def delete(self, ids: Iterable[str]) -> int:
        with self.gens.write_lock():
            path = self.gens.current_path()
            if path is None:
                raise BackendError(f"no index at {self.root}")
            index = open_index(str(path))
            searcher = index.searcher()
            writer = index.writer(WRITER_HEAP, WRITER_THREADS)
            found = 0
            for doc_id in ids:
                if searcher.doc_freq("id", doc_id):
                    found += 1
                writer.delete_documents_by_term("id", doc_id)
            writer.commit()
            writer.wait_merging_threads()
            return found


class TantivyBuild(IndexBuild):
    """A fresh generation written beside the live one, published by an atomic rename."""

    def __init__(self, backend: TantivyBackend):
        self.backend = backend
        self._lock_cm = backend.gens.write_lock()
        self._lock_cm.__enter__()
        try:
            self.path = backend.gens.new_tmp()
            self.index = create_index(backend.schema, str(self.path))
            self.writer = self.index.writer(WRITER_HEAP, WRITER_THREADS)
        except BaseException:
            self._lock_cm.__exit__(None, None, None)
            raise
        self.count = 0
        self._done = False

    def add(self, prepared) -> None:
        """Add a document; accepts a StoredDocument or the output of ``TantivyBackend.prepare``."""
        if isinstance(prepared, StoredDocument):
            prepared = analyze_document(prepared)
        self.writer.add_document(to_tantivy(prepared))
        self.count += 1

    def commit(self, info: dict) -> None:
        try:
            self.writer.commit()
            self.writer.wait_merging_threads()
            info = {"documents": self.count, "analyzer_version": ANALYZER_VERSION, "layout": LAYOUT_VERSION,
                    "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **info}
            self.backend.gens.publish(self.path, info)
        finally:
            self._release()

    def abort(self) -> None:
        if self._done:
            return
        try:
            shutil.rmtree(self.path, ignore_errors=True)
        finally:
            self._release()

    def _release(self) -> None:
        if not self._done:
            self._done = True
            self._lock_cm.__exit__(None, None, None)


STATS_FACETS = ("country", "org", "source", "troops")


def _facet_stats(searcher, top: int) -> dict:
    """Facet value counts and date range over every document, in one aggregation pass."""
    from search.backends.common import facet_agg_spec
    from search.facets import FACETS, RangeFacet

    everything = tantivy.Query.all_query()
    aggs = {name: facet_agg_spec(name, top) for name in STATS_FACETS}
    for name in STATS_FACETS:
        aggs[f"{name}.distinct"] = {"cardinality": {"field": FACETS[name].field}}
    aggs["date.min"] = {"min": {"field": "date"}}
    aggs["date.max"] = {"max": {"field": "date"}}
    raw = searcher.aggregate(everything, aggs)
    facets = {}
    for name in STATS_FACETS:
        facet = FACETS[name]
        with_value = tantivy.Query.exists_query(facet.field)
        out = {"title": facet.title,
               "documents": searcher.search(with_value, limit=1, count=True).count,
               "values": [{"value": str(b["key"]), "label": facet.label(str(b["key"])),
                           "count": int(b.get("doc_count", 0))}
                          for b in raw.get(name, {}).get("buckets", [])
                          if not isinstance(facet, RangeFacet) or str(b["key"]) in
                          {rb.key for rb in facet.buckets}]}  # tantivy adds an open "*-1" bucket
        if not isinstance(facet, RangeFacet):
            out["distinct"] = int(raw.get(f"{name}.distinct", {}).get("value") or 0)
            out["other_count"] = int(raw.get(name, {}).get("sum_other_doc_count") or 0)
        facets[name] = out
    return {"facets": facets, "dates": {"first": _ns_date(raw.get("date.min", {}).get("value")),
                                        "last": _ns_date(raw.get("date.max", {}).get("value"))}}


def _ns_date(value) -> str | None:
    if value is None:
        return None
    import datetime as dt

    return dt.datetime.fromtimestamp(value / 1e9, dt.timezone.utc).date().isoformat()
