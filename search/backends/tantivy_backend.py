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
from search.arrival import CLOCK, from_ms, to_ms
from search.backends.base import Backend, BackendError, IndexBuild
from search.backends.common import (date_span_spec, facet_agg_spec, facet_result, highlighted_hit, highlighters,
                                   period_buckets, period_counts_spec, span_value, story_ids_of, story_ids_spec,
                                   summary_aggs, summary_facets)
from search.backends.generations import Generations
from search.backends.tantivy_query import compile_clause
from search.backends.tantivy_collapse import Collapser, Walk
from search.backends.tantivy_seek import SEEK_FROM, DateSeek
from search.backends.tantivy_schema import (LAYOUT_VERSION, VOCABULARY_PARTS, Prepare, analyze_document,
                                            build_schema, create_index, from_tantivy, open_index, set_story,
                                            story_info, stored_story_info, to_tantivy)
from search.facets import FACETS
from search.fields import ARRIVAL_FIELD, DIGEST_FIELD, STORY_BANDS_FIELD, STORY_FIELD, STORY_KEY_FIELD
from search.model import FacetResult, SearchRequest, SearchResult, StoredDocument, Summary
from search.query.plan import All, Plan, build_plan, with_filters
from search.stories import StoryInfo, story_key
from search.vocabulary import Vocabulary, document_terms

_SCHEMA = build_schema()

WRITER_HEAP = int(os.environ.get("TANTIVY_WRITER_HEAP", 256_000_000))
def _default_writer_threads() -> int:
    """One indexing thread writes ~2,500 documents/s of our six analyzed fields (~0.4 ms
    each): a machine with many cores feeds it faster than that, so it gets one thread per
    four cores (at most four); a small machine keeps one (bench/README.md, worker scaling)."""
    return max(1, min(4, (os.cpu_count() or 1) // 4))


WRITER_THREADS = int(os.environ.get("TANTIVY_WRITER_THREADS", 0)) or _default_writer_threads()
SORT_FIELDS = {"date": "date", "troops": "troops_max", "casualties": "casualties_max", "arrived": ARRIVAL_FIELD}
SHOWN_VERSIONS = 5  # other versions listed under a collapsed hit
# When a page's stories hold at most this many matching articles in all, one date-sorted
# search counts and lists their versions (instead of an aggregation and a search per story;
# 0: never).
VERSIONS_AT_ONCE = 1_000
ARRIVAL_SCAN_CHUNK = 20_000  # documents per step of the rebuild's arrival scan
UPSERT_CHUNK = 500  # documents stamped per arrival lookup in upsert
ARRIVAL_LAYOUT = 4  # the first layout with arrival times and content digests (#15)


# The matches counted inside an aggregation: every document has a digest (0 when unknown),
# so counting its values counts the documents, in the same pass as the other aggregations.
_MATCHES_SPEC = {"_n": {"value_count": {"field": DIGEST_FIELD}}}


def _matches(raw: dict) -> int:
    return int((raw.get("_n") or {}).get("value") or 0)


# The engine's estimate of the number of stories among the matches, beside other aggregations.
_STORIES_SPEC = {"_stories": {"cardinality": {"field": STORY_KEY_FIELD}}}


def _stories(raw: dict) -> int:
    return int((raw.get("_stories") or {}).get("value") or 0)


class TantivyBackend(Backend):
    name = "tantivy"
    # Worker processes call this to analyze documents before they reach the writer.
    prepare = staticmethod(analyze_document)
    story_info = staticmethod(story_info)
    set_story = staticmethod(set_story)

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.gens = Generations(self.root)
        self.schema = build_schema()
        self._lock = threading.Lock()
        self._open: tuple[str, float, tantivy.Index] | None = None
        self._saved = None
        self._seek = DateSeek(self.schema)
        self._collapse = Collapser(self._seek)
        self._vocab: tuple[tuple, Vocabulary | None] | None = None
        self._values: dict[str, tuple[tuple, tuple[str, ...]]] = {}  # facet -> (index version, values)
        self._newest: tuple[str, str | None] | None = None

    # ---- reading -------------------------------------------------------------------------
    def exists(self) -> bool:
        path = self.gens.current_path()
        return bool(path and path.exists())

    def generation_stamp(self) -> str | None:
        """The live generation and its last commit (meta.json is replaced on every commit)."""
        name = self.gens.current_name()
        if not name:
            return None
        try:
            st = (self.gens.dir / name / "meta.json").stat()
        except FileNotFoundError:
            return None
        return f"{name}:{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"

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
        stamp = self.generation_stamp()  # before the searcher: see _page
        index = self._index()
        searcher = index.searcher()
        plan = build_plan(request)
        query = compile_clause(self.schema, plan.full())
        if request.page_size == 0 and not request.facets:
            return self._count_only(searcher, query, request, started)
        order_field = SORT_FIELDS.get(request.sort)
        walk = None
        if request.collapse:
            total, found, walk = self._collapsed(searcher, query, plan, request, stamp)
        else:
            total, found = self._page(searcher, query, plan, request, stamp)
        hits = []
        title_hl, body_hl = highlighters(request)
        for score, addr in found:
            doc = from_tantivy(searcher.doc(addr).to_dict())
            hits.append(highlighted_hit(doc, None if order_field else float(score), title_hl, body_hl))
        if request.collapse and hits:
            self._attach_versions(searcher, query, hits)
        stories, exact = None, False
        if walk is not None and walk.done:
            stories, exact = len(walk.reps), True
        count_stories = walk is not None and not walk.done and walk.estimate is None
        facets, estimate = self._facets(searcher, plan, request, count_stories=count_stories)
        if walk is not None and not walk.done:
            if count_stories:
                walk.estimate = estimate or 0
            stories = max(walk.estimate or 0, request.offset + len(hits))
        return SearchResult(total=total, hits=hits, facets=facets, took_ms=(time.perf_counter() - started) * 1000,
                            stories=stories, stories_exact=exact)

    def _count_only(self, searcher, query, request: SearchRequest, started: float) -> SearchResult:
        """A request for counts alone (the continuation when its articles are not on the
        page): the articles and, collapsed, an estimate of their stories in one pass,
        instead of a count search, a story walk and an aggregation."""
        raw = searcher.aggregate(query, {**_MATCHES_SPEC, **(_STORIES_SPEC if request.collapse else {})})
        total = _matches(raw)
        stories = None
        if request.collapse:
            stories = max(_stories(raw), request.offset) if total else 0
        return SearchResult(total=total, hits=[], facets={}, took_ms=(time.perf_counter() - started) * 1000,
                            stories=stories, stories_exact=request.collapse and not total)

    def _collapsed(self, searcher, query, plan: Plan, request: SearchRequest, stamp) -> tuple[int, list, Walk]:
        """The page's hits with one hit per story (search/backends/tantivy_collapse.py):
        (articles, page hits, the walk, whose ``done`` says its stories are all counted)."""
        clause = plan.full()
        order_field = SORT_FIELDS.get(request.sort)
        key = None if stamp is None else (stamp, clause, order_field)
        walk = self._collapse.walk(searcher, key, archive=isinstance(clause, All))
        with walk.lock:
            found = self._collapse.page(searcher, query, walk, order_field, request.offset, request.page_size,
                                        seek_key=None if stamp is None else (stamp, clause))
        return walk.total, found, walk

    def forget_queries(self) -> None:
        """Drop what is memoized per query (walks of collapsed results, date histograms);
        what serves the whole archive (no query, no filter) stays, like the pinned counts."""
        self._collapse.forget_queries()
        self._seek.forget(lambda key: isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], All))

    def _attach_versions(self, searcher, query, hits: list) -> None:
        """Each hit's other matching versions (earliest first, at most SHOWN_VERSIONS) and their count."""
        from search.model import Version

        labels = sorted({h.story for h in hits if h.story})
        if not labels:
            return
        in_stories = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, query),
            (tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, STORY_FIELD, labels))])
        counts, earliest = self._versions_at_once(searcher, in_stories, labels)
        if counts is None:
            raw = searcher.aggregate(in_stories, {"n": {"terms": {"field": STORY_FIELD, "size": len(labels)}}})
            counts = {str(b["key"]): int(b["doc_count"]) for b in raw.get("n", {}).get("buckets", [])}
        shown: dict[str, list] = {}
        for h in hits:
            if counts.get(h.story, 1) < 2 or h.story in shown:
                continue
            if earliest is not None:
                addrs = earliest.get(h.story, [])
            else:
                # One small search per story: the story term has few documents, so it is cheap.
                one = tantivy.Query.boolean_query([
                    (tantivy.Occur.Must, query),
                    (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, STORY_FIELD, h.story,
                                                                  index_option="basic"))])
                addrs = [addr for _, addr in searcher.search(one, limit=SHOWN_VERSIONS + 1, count=False,
                                                             order_by_field="date", order=tantivy.Order.Asc).hits]
            bucket = shown[h.story] = []
            for addr in addrs:
                d = searcher.doc(addr).to_dict()
                if d["id"][0] == h.id or len(bucket) >= SHOWN_VERSIONS:
                    continue
                when = (d.get("date") or [None])[0]
                bucket.append(Version(d["id"][0], when.isoformat() if when is not None else None,
                                      (d.get("source") or [None])[0]))
        for h in hits:
            h.version_count = counts.get(h.story, 1)
            h.versions = shown.get(h.story, [])

    def _versions_at_once(self, searcher, in_stories, labels: list[str]) -> tuple[dict | None, dict | None]:
        """(story -> matching articles, story -> addresses of its earliest SHOWN_VERSIONS + 1)
        from one date-sorted search over the page's stories, their keys read from a fast
        field; (None, None) when they hold more than VERSIONS_AT_ONCE matching articles (or
        two labels share a key): then an aggregation counts them and one small search per
        story lists them."""
        keys = {story_key(label): label for label in labels}
        if len(keys) < len(labels) or VERSIONS_AT_ONCE < 1:
            return None, None
        res = searcher.search(in_stories, limit=VERSIONS_AT_ONCE, count=True, order_by_field="date",
                              order=tantivy.Order.Asc)
        if res.count > VERSIONS_AT_ONCE:
            return None, None
        addrs = [addr for _, addr in res.hits]
        counts: dict[str, int] = {}
        earliest: dict[str, list] = {}
        for addr, key in zip(addrs, searcher.fast_field_values(STORY_KEY_FIELD, addrs)):
            label = keys.get(key)
            if label is None:  # cannot happen (the story term matched); counted the slow way then
                return None, None
            counts[label] = counts.get(label, 0) + 1
            found = earliest.setdefault(label, [])
            if len(found) <= SHOWN_VERSIONS:
                found.append(addr)
        return counts, earliest

    def _page(self, searcher, query, plan: Plan, request: SearchRequest, stamp) -> tuple[int, list]:
        """The total and the (score, address) hits of the requested page.

        Deep date-sorted pages go through DateSeek, whose memo is keyed by ``stamp``: read
        before the searcher was taken, so a searcher newer than its stamp can only file an
        entry under a stamp no later request will look up.
        """
        order_field = SORT_FIELDS.get(request.sort)
        if order_field == "date" and request.offset >= SEEK_FROM:
            total = searcher.search(query, limit=1, count=True).count
            if request.offset >= total:
                return total, []
            key = None if stamp is None else (stamp, plan.full())
            # The whole archive's histogram serves every browse-by-date page: build it at once.
            found = self._seek.page(searcher, query, key, request.offset, request.page_size,
                                    eager=isinstance(plan.full(), All))
            if found is not None:
                return total, [(None, addr) for addr in found]
        kwargs = {"order_by_field": order_field} if order_field else {}
        # tantivy needs a limit of at least 1; a count-only request discards the hit.
        result = searcher.search(query, limit=max(1, request.page_size), offset=request.offset, count=True,
                                 **kwargs)
        return result.count, result.hits[:request.page_size]

    def _facets(self, searcher, plan: Plan, request: SearchRequest,
                count_stories: bool = False) -> tuple[dict[str, FacetResult], int | None]:
        # Disjunctive counts: each facet is counted with every filter but its own.
        groups: dict[tuple, list[str]] = {}
        for name in request.facets:
            key = plan.own_filter(name)
            scoped = name if plan.facet_scope([name]) else None
            groups.setdefault((key if key in plan.facet_filters else None, scoped), []).append(name)
        if count_stories:
            groups.setdefault((None, None), [])
        out: dict[str, FacetResult] = {}
        stories = None
        for (excluded, _), names in groups.items():
            clause = with_filters(plan.query, plan.filters_except(excluded) + plan.facet_scope(names))
            aggs = {name: facet_agg_spec(name, request.facet_size, request.facet_include.get(name))
                    for name in names}
            if excluded is None and not plan.facet_scope(names) and count_stories:
                aggs.update(_STORIES_SPEC)
            raw = searcher.aggregate(compile_clause(self.schema, clause), aggs)
            for name in names:
                out[name] = facet_result(name, raw.get(name, {}), request)
            if "_stories" in aggs:
                stories = _stories(raw)
        return {name: out[name] for name in request.facets}, stories

    def facet_values(self, name: str) -> tuple[str, ...]:
        index = self._index()
        version = (self._open[0], self._open[1])
        cached = self._values.get(name)
        if cached is not None and cached[0] == version:
            return cached[1]
        values = all_terms(index.searcher(), FACETS[name].field)
        self._values[name] = (version, values)
        return values

    def get(self, doc_id: str) -> StoredDocument | None:
        searcher = self._index().searcher()
        q = tantivy.Query.term_query(self.schema, "id", doc_id, index_option="basic")
        res = searcher.search(q, limit=1, count=False)
        if not res.hits:
            return None
        return from_tantivy(searcher.doc(res.hits[0][1]).to_dict())

    def date_span(self, request: SearchRequest) -> tuple[int, str | None, str | None]:
        searcher = self._index().searcher()
        query = compile_clause(self.schema, build_plan(request).full())
        raw = searcher.aggregate(query, {**date_span_spec(), **_MATCHES_SPEC})  # one pass
        total = _matches(raw)
        if not total:
            return 0, None, None
        return total, span_value(raw.get("first")), span_value(raw.get("last"))

    def period_counts(self, request: SearchRequest, field: str, size: int) -> dict[str, int]:
        searcher = self._index().searcher()
        query = compile_clause(self.schema, build_plan(request).full())
        return period_buckets(searcher.aggregate(query, {"p": period_counts_spec(field, size)}).get("p"))

    def story_ids(self, request: SearchRequest, limit: int) -> tuple[str, ...] | None:
        searcher = self._index().searcher()
        query = compile_clause(self.schema, build_plan(request).full())
        return story_ids_of(searcher.aggregate(query, {"s": story_ids_spec(limit)}).get("s"), limit)

    def story_candidates(self, bands: list[str], limit: int = 500) -> list[StoryInfo]:
        """Documents sharing at least one LSH band key with ``bands`` (for ``indexer add``)."""
        if not bands:
            return []
        searcher = self._index().searcher()
        res = searcher.search(tantivy.Query.term_set_query(self.schema, STORY_BANDS_FIELD, list(bands)),
                              limit=limit, count=False)
        return [stored_story_info(searcher.doc(addr).to_dict()) for _, addr in res.hits]

    def story_versions(self, stories: list[str], limit: int = 10_000,
                       extraction: bool = True) -> list[StoredDocument]:
        """Every version of the given stories, earliest (date, then id) first (whole documents;
        ``extraction`` only matters to engines that can leave it out)."""
        return _story_docs(self.schema, self._index().searcher(), stories, limit)

    def summarize(self, request: SearchRequest, top: int = 3) -> Summary:
        searcher = self._index().searcher()
        query = compile_clause(self.schema, build_plan(request).full())
        total = searcher.search(query, limit=1, count=True).count
        if not total:
            return Summary(0, {name: [] for name in summary_facets({})})
        raw = searcher.aggregate(query, summary_aggs(top))
        return Summary(total, summary_facets(raw), _ns_date(raw.get("date_min", {}).get("value")),
                       _ns_date(raw.get("date_max", {}).get("value")))

    def newest_arrival(self) -> str | None:
        index = self._index()
        key = self.generation()
        cached = self._newest
        if cached is None or cached[0] != key:
            res = index.searcher().search(tantivy.Query.all_query(), limit=1, order_by_field=ARRIVAL_FIELD)
            cached = self._newest = (key, from_ms(int(res.hits[0][0])) if res.hits else None)
        return cached[1]

    def generation(self) -> str:
        self._index()
        name, stamp, _ = self._open
        return f"{name}:{stamp}"

    def iter_arrivals(self) -> Iterator[tuple[str, int | None, int]]:
        """(id, content digest or None, arrival ms) of every document, in digest ranges.

        Reads only fast fields (ids come back as the sort key), one range of the 64-bit
        digest space at a time, so the transient memory is one chunk whatever the index size.
        """
        opened = self._arrival_searcher()
        if opened is None:
            return
        searcher, schema = opened
        steps = max(1, -(-searcher.num_docs // ARRIVAL_SCAN_CHUNK))
        width = (1 << 64) // steps
        for i in range(steps):
            low, high = i * width, (1 << 64) - 1 if i == steps - 1 else (i + 1) * width - 1
            q = tantivy.Query.range_query(schema, DIGEST_FIELD, tantivy.FieldType.Unsigned, low, high)
            res = searcher.search(q, limit=2 * ARRIVAL_SCAN_CHUNK, count=True, order_by_field="id",
                                  order=tantivy.Order.Asc)
            if res.count > len(res.hits):
                res = searcher.search(q, limit=res.count, order_by_field="id", order=tantivy.Order.Asc)
            addrs = [addr for _, addr in res.hits]
            digests = searcher.fast_field_values(DIGEST_FIELD, addrs)
            arrivals = searcher.fast_field_values(ARRIVAL_FIELD, addrs)
            for (doc_id, _), digest, arrived in zip(res.hits, digests, arrivals):
                if arrived is not None:
                    yield doc_id, digest or None, int(arrived)

    def _arrival_searcher(self):
        """(searcher, schema) of the live generation for the arrival scan, or None.

        Also a generation of an older layout that already holds arrival times (from
        ARRIVAL_LAYOUT on), opened with its own schema: the rebuild that upgrades the layout
        must keep them too, or every feed would fill with "new" articles.
        """
        if not self.exists():
            return None
        try:
            return self._index().searcher(), self.schema
        except BackendError:
            name = self.gens.current_name()
            layout = self.gens.build_info(name).get("layout") if name else None
            if not isinstance(layout, int) or not ARRIVAL_LAYOUT <= layout < LAYOUT_VERSION:
                return None  # no arrival times in it (or a layout from the future)
            index = open_index(str(self.gens.dir / name))
            return index.searcher(), index.schema

    def _known_arrivals(self, searcher, ids: list[str]) -> dict[str, int]:
        """Arrival ms of those ``ids`` the index holds."""
        if not ids:
            return {}
        q = tantivy.Query.term_set_query(self.schema, "id", ids)
        res = searcher.search(q, limit=len(ids), order_by_field="id", order=tantivy.Order.Asc)
        values = searcher.fast_field_values(ARRIVAL_FIELD, [addr for _, addr in res.hits])
        return {doc_id: int(v) for (doc_id, _), v in zip(res.hits, values) if v is not None}

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

    def build_info(self) -> dict:
        return self.gens.build_info() if self.exists() else {}

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

    def vocabulary(self) -> Vocabulary | None:
        """The live index's vocabulary (reloaded when the generation or the file changes)."""
        path = self.gens.current_path()
        if path is None:
            return None
        try:
            stamp = (str(path), (path / "vocabulary.tsv.gz").stat().st_mtime_ns)
        except FileNotFoundError:
            return None
        with self._lock:
            if self._vocab is None or self._vocab[0] != stamp:
                self._vocab = (stamp, Vocabulary.load(path))
            return self._vocab[1]

    def doc_freq(self, field: str, term: str) -> int:
        """Documents holding ``term`` in an analyzed field, as the engine counts them."""
        return int(self._index().searcher().doc_freq(field, term))

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
            searcher = index.searcher()
            vocab = Vocabulary.load(path)  # None: an index built before vocabularies
            writer = index.writer(WRITER_HEAP, WRITER_THREADS)
            n = 0
            try:
                for chunk in _chunks(docs, UPSERT_CHUNK):
                    # A document already there keeps its arrival time; a new one arrives now
                    # (stamped under the write lock, so after anything already visible).
                    known = self._known_arrivals(searcher, [d.id for d in chunk if not d.arrived])
                    now = to_ms(CLOCK.stamp())
                    for doc in chunk:
                        if vocab is not None:
                            _forget(vocab, searcher, doc.id)
                        writer.delete_documents_by_term("id", doc.id)
                        prepared = analyze_document(doc)
                        if vocab is not None:
                            vocab.add(prepared["terms"])
                        writer.add_document(to_tantivy(prepared, known.get(doc.id, now)))
                        n += 1
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            if vocab is not None:  # a partial list would mislead did-you-mean: none until reindex
                vocab.save(path)
            return n

    def delete(self, ids: Iterable[str]) -> int:
        with self.gens.write_lock():
            path = self.gens.current_path()
            if path is None:
                raise BackendError(f"no index at {self.root}")
            index = open_index(str(path))
            searcher = index.searcher()
            vocab = Vocabulary.load(path)  # None: an index built before vocabularies
            writer = index.writer(WRITER_HEAP, WRITER_THREADS)
            found = 0
            for doc_id in dict.fromkeys(ids):
                if searcher.doc_freq("id", doc_id):
                    found += 1
                    if vocab is not None:
                        _forget(vocab, searcher, doc_id)
                writer.delete_documents_by_term("id", doc_id)
            writer.commit()
            writer.wait_merging_threads()
            if vocab is not None:
                vocab.save(path)
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
        # Documents without an arrival time arrive now: stamped once the write lock is held.
        self.arrived = CLOCK.stamp()
        self._arrived_ms = to_ms(self.arrived)
        self.count = 0
        self.vocab = Vocabulary()
        self._counted_here = 0  # documents whose vocabulary terms add() counted
        spool = self.path / VOCABULARY_PARTS
        spool.mkdir()
        # The indexer prepares documents with this (reindex: build.prepare), so that their
        # vocabulary terms are counted by the workers, not by this process.
        self.prepare = Prepare(str(spool))
        self._done = False

    def add(self, prepared) -> None:
        """Add a document; accepts a StoredDocument, or the output of ``TantivyBackend.prepare``
        (its terms counted here) or of ``self.prepare`` (counted where it was prepared)."""
        if isinstance(prepared, StoredDocument):
            prepared = analyze_document(prepared)
        self.writer.add_document(to_tantivy(prepared, self._arrived_ms))
        terms = prepared.get("terms")
        if terms is not None:
            self.vocab.add(terms)
            self._counted_here += 1
        self.count += 1

    def _gather_vocabulary(self) -> None:
        documents, counts = self.prepare.gather()
        if documents + self._counted_here != self.count:
            raise BackendError(f"vocabulary counts cover {documents + self._counted_here:,} of "
                               f"{self.count:,} documents: a worker's counts are missing")
        self.vocab.counts.update(counts)
        shutil.rmtree(self.prepare.spool, ignore_errors=True)

    def relabel(self, mapping: dict[str, str]) -> None:
        """Give the versions written under story id ``old`` the id ``mapping[old]`` (re-analysed)."""
        self.writer.commit()
        self.index.reload()
        searcher = self.index.searcher()
        for old, new in mapping.items():
            for doc in _story_docs(self.backend.schema, searcher, [old]):
                doc.story = new
                self.writer.delete_documents_by_term("id", doc.id)
                self.writer.add_document(to_tantivy(analyze_document(doc), self._arrived_ms))

    def commit(self, info: dict) -> None:
        try:
            self.writer.commit()
            self.writer.wait_merging_threads()
            self._gather_vocabulary()
            info = {"documents": self.count, "analyzer_version": ANALYZER_VERSION, "layout": LAYOUT_VERSION,
                    "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "vocabulary_terms": len(self.vocab), **info}
            self.vocab.save(self.path)
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


def _story_docs(schema, searcher, stories: list[str], limit: int = 10_000) -> list[StoredDocument]:
    """Every version of the given stories (at most ``limit``), earliest first."""
    from search.stories import order_key

    if not stories:
        return []
    q = tantivy.Query.term_set_query(schema, STORY_FIELD, list(stories))
    res = searcher.search(q, limit=limit, count=False)
    addrs = [addr for _, addr in res.hits]
    docs = []
    # The content digest is a fast field only (not stored): read it too, so a version written
    # back with a new story id keeps it (a rebuild matches renamed files' arrivals by it).
    for addr, digest in zip(addrs, searcher.fast_field_values(DIGEST_FIELD, addrs)):
        doc = from_tantivy(searcher.doc(addr).to_dict())
        doc.digest = int(digest) if digest else None
        docs.append(doc)
    return sorted(docs, key=lambda d: order_key(d.id, d.date))


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _forget(vocab: Vocabulary, searcher, doc_id: str) -> None:
    """Take a stored document's terms out of the vocabulary before it is replaced or deleted."""
    q = tantivy.Query.term_query(_SCHEMA, "id", doc_id, index_option="basic")
    for _, addr in searcher.search(q, limit=1, count=False).hits:
        old = from_tantivy(searcher.doc(addr).to_dict())
        vocab.remove(document_terms(old.title, old.body))


STATS_FACETS = ("country", "org", "source", "troops")


def all_terms(searcher, field: str) -> tuple[str, ...]:
    """Every distinct value of a keyword field: a terms aggregation as large as the field's
    cardinality (an estimate, so it grows until nothing is left over)."""
    everything = tantivy.Query.all_query()
    estimate = searcher.aggregate(everything, {"n": {"cardinality": {"field": field}}})["n"].get("value") or 0
    size = max(1000, int(estimate * 2) + 100)
    while True:
        raw = searcher.aggregate(everything, {"v": {"terms": {"field": field, "size": size}}})["v"]
        if not raw.get("sum_other_doc_count"):
            return tuple(sorted(str(b["key"]) for b in raw.get("buckets", [])))
        size *= 4


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
    aggs["arrived.min"] = {"min": {"field": ARRIVAL_FIELD}}
    aggs["arrived.max"] = {"max": {"field": ARRIVAL_FIELD}}
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
    arrived = [raw.get(f"arrived.{k}", {}).get("value") for k in ("min", "max")]
    return {"facets": facets, "dates": {"first": _ns_date(raw.get("date.min", {}).get("value")),
                                        "last": _ns_date(raw.get("date.max", {}).get("value"))},
            "arrivals": {"first": from_ms(int(arrived[0])) if arrived[0] is not None else None,
                         "last": from_ms(int(arrived[1])) if arrived[1] is not None else None}}


def _ns_date(value) -> str | None:
    if value is None:
        return None
    import datetime as dt

    return dt.datetime.fromtimestamp(value / 1e9, dt.timezone.utc).date().isoformat()
