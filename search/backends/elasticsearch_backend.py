"""Elasticsearch 9 backend: the same interface, plan, facets and markup as the embedded engine.

Index lifecycle: readers and incremental writes go through the alias ``<prefix>``; a rebuild
writes a new index ``<prefix>-<timestamp>`` and ``commit`` moves the alias to it in one
atomic ``_aliases`` call (the new index as the alias's only write index, so two racing first
builds cannot both attach it). The previous index is deleted once no search context (point
in time, search in flight) is open on it: ``commit`` waits for that up to
``ES_OLD_INDEX_WAIT`` seconds, and the next build deletes what is still left. Saved
searches live in ``<prefix>-saved``, which no rebuild touches; each generation's vocabulary
(did-you-mean) in ``<prefix>-vocabulary`` (``elasticsearch_vocabulary.py``).

Highlighting is Python's (``search.highlight`` on the stored text), as on tantivy: the
pre-analyzed fields carry no offsets into the original text.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from dataclasses import dataclass, fields
from typing import Callable, Iterable, Iterator

from search.analysis import ANALYZER_VERSION
from search.arrival import CLOCK, from_ms, to_ms
from search.backends.base import Backend, BackendError, IndexBuild
from search.backends.elasticsearch_mapping import (DEFAULT_MAX_RESULT_WINDOW, es_id, from_source, index_settings,
                                                   live_settings, mappings, set_story, story_info, to_action)
from search.backends.elasticsearch_query import (NEWEST_ARRIVAL_BODY, SHOWN_VERSIONS, SORT_FIELDS, STORIES_PRECISION,
                                                 arrival_scan_body, period_body, scan_body, search_body, span_body,
                                                 story_ids_body, summary_body)
from search.backends.common import (facet_result, highlighted_hit, highlighters, period_buckets, span_value,
                                   story_ids_of, summary_facets)
from search.fields import STORY_BANDS_FIELD, STORY_FIELD
from search.model import Hit, SearchRequest, SearchResult, StoredDocument, Summary, Version
from search.privacy import log_queries
from search.stories import StoryInfo, order_key
from search.query.plan import Plan, build_plan
from search.vocabulary import Vocabulary, document_terms

log = logging.getLogger(__name__)

TRANSIENT_STATUS = (429, 502, 503, 504)
FACET_VALUES_PAGE = 1000  # composite aggregation page when listing every value of a facet
FACET_VALUES_TTL = 60.0  # seconds a value list is reused while the alias points to the same index
PIT_KEEP_ALIVE = "2m"
RETIRED_POLL_SECONDS = 5.0
ARRIVAL_SCAN_PAGE = 5000
UPSERT_CHUNK = 500  # documents stamped per arrival lookup (one mget)
STAMP_SECONDS = 1.0  # how long a read generation stamp (refresh count) is trusted
VOCABULARY_TTL = 10.0  # seconds a process trusts its copy of the vocabulary


@dataclass(frozen=True)
class EsConfig:
    """Connection and index settings, read from the environment by ``from_env``."""

    url: str = "http://localhost:9200"
    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    ca_certs: str | None = None
    prefix: str = "news"
    shards: int = 1
    replicas: int = 1
    request_timeout: float = 30.0
    # Search work bound sent with each results-page search (the cluster stops there).
    search_timeout: float = 20.0
    # How long commit waits for open points in time on the replaced index before leaving
    # its deletion to the next build (a point in time lives PIT_KEEP_ALIVE after its last use).
    old_index_wait: float = 150.0
    max_result_window: int = DEFAULT_MAX_RESULT_WINDOW
    bulk_chunk: int = 500
    bulk_max_bytes: int = 20 * 1024 * 1024
    bulk_max_retries: int = 6
    bulk_initial_backoff: float = 1.0
    bulk_max_backoff: float = 60.0

    ENV = {"url": "ES_URL", "username": "ES_USERNAME", "password": "ES_PASSWORD", "api_key": "ES_API_KEY",
           "ca_certs": "ES_CA_CERTS", "prefix": "ES_INDEX_PREFIX", "shards": "ES_SHARDS",
           "replicas": "ES_REPLICAS", "request_timeout": "ES_REQUEST_TIMEOUT",
           "search_timeout": "ES_SEARCH_TIMEOUT", "old_index_wait": "ES_OLD_INDEX_WAIT",
           "max_result_window": "ES_MAX_RESULT_WINDOW",
           "bulk_chunk": "ES_BULK_CHUNK", "bulk_max_retries": "ES_BULK_MAX_RETRIES"}

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> "EsConfig":
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            var = cls.ENV.get(f.name)
            raw = env.get(var) if var else None
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, raw, f.default)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).validated()

    def validated(self) -> "EsConfig":
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.]*(-[a-z0-9_.]+)*", self.prefix) or len(self.prefix) > 200:
            raise BackendError(f"ES_INDEX_PREFIX {self.prefix!r} is not a valid lowercase index name")
        if self.shards < 1 or self.replicas < 0:
            raise BackendError("ES_SHARDS must be >= 1 and ES_REPLICAS >= 0")
        if self.search_timeout <= 0 or self.old_index_wait < 0:
            raise BackendError("ES_SEARCH_TIMEOUT must be > 0 and ES_OLD_INDEX_WAIT >= 0")
        if (self.username is None) != (self.password is None):
            raise BackendError("set both ES_USERNAME and ES_PASSWORD, or neither")
        return self

    def client_kwargs(self) -> dict:
        kw: dict = {"hosts": [self.url], "request_timeout": self.request_timeout, "retry_on_timeout": True,
                    "max_retries": 3}
        if self.api_key:
            kw["api_key"] = self.api_key
        elif self.username is not None:
            kw["basic_auth"] = (self.username, self.password)
        if self.ca_certs:
            kw["ca_certs"] = self.ca_certs
        return kw


def _convert(name: str, raw: str, default):
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise BackendError(f"{EsConfig.ENV[name]}={raw!r} is not an integer") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise BackendError(f"{EsConfig.ENV[name]}={raw!r} is not a number") from None
    return raw


@dataclass(frozen=True)
class Rejection:
    """A document Elasticsearch refused, and why (mapping error, oversized field, ...)."""

    id: str | None
    status: int | None
    error_type: str | None
    reason: str

    def __str__(self) -> str:
        return f"document {self.id!r} rejected ({self.status} {self.error_type}): {self.reason}"


def log_rejection(rejection: Rejection) -> None:
    log.warning("%s", rejection)


class ElasticsearchBackend(Backend):
    name = "elasticsearch"
    # Worker processes turn each document into its bulk action (plain, picklable dicts).
    prepare = staticmethod(to_action)
    story_info = staticmethod(story_info)
    set_story = staticmethod(set_story)

    def __init__(self, client, config: EsConfig | None = None,
                 on_rejected: Callable[[Rejection], None] = log_rejection):
        self.client = client
        self.config = config or EsConfig()
        self.on_rejected = on_rejected
        self._saved = None
        self._stamp: tuple[float, str | None] | None = None
        self._values: dict[str, tuple[tuple, float, tuple[str, ...]]] = {}  # facet -> (index, when, values)

    @classmethod
    def from_env(cls, client=None, environ: dict | None = None,
                 on_rejected: Callable[[Rejection], None] = log_rejection, **options) -> "ElasticsearchBackend":
        """A backend configured from ES_* variables; ``options`` override single settings."""
        config = EsConfig.from_env(environ, **options)
        if client is None:
            from elasticsearch import Elasticsearch

            client = Elasticsearch(**config.client_kwargs())
        return cls(client, config, on_rejected)

    @property
    def alias(self) -> str:
        return self.config.prefix

    @property
    def saved_index(self) -> str:
        return f"{self.config.prefix}-saved"

    @property
    def vocabularies(self):
        from search.backends.elasticsearch_vocabulary import VocabularyStore

        if getattr(self, "_vocab_store", None) is None:
            self._vocab_store = VocabularyStore(self.client, f"{self.config.prefix}-vocabulary")
        return self._vocab_store

    def vocabulary(self) -> Vocabulary | None:
        """The live generation's vocabulary (None before a build that wrote one).

        Looked up again at most every ``VOCABULARY_TTL`` seconds, so a search costs no extra
        round trip; another process's add/delete shows within that time.
        """
        cached = getattr(self, "_vocab_cache", None)
        if cached is not None and time.monotonic() - cached[0] < VOCABULARY_TTL:
            return cached[1]
        with self._errors("reading the vocabulary"):
            live = self._alias_targets()
            vocab = self.vocabularies.load(live[0]) if live else None
        self._vocab_cache = (time.monotonic(), vocab)
        return vocab

    def new_index_name(self) -> str:
        stamp = time.strftime("%Y%m%dt%H%M%S", time.gmtime())
        return f"{self.config.prefix}-{stamp}-{time.time_ns() % 10**9:09d}"

    def is_build_index(self, name: str) -> bool:
        return re.fullmatch(re.escape(self.config.prefix) + r"-\d{8}t\d{6}-\d{9}", name) is not None

    # ---- reading -------------------------------------------------------------------------
    def exists(self) -> bool:
        with self._errors("checking the index alias"):
            return bool(self.client.indices.exists_alias(name=self.alias))

    def generation_stamp(self) -> str | None:
        """The live index and its refresh count: documents become searchable only at a
        refresh (``upsert``/``delete`` wait for one), so a new count may mean new results.
        Read at most once per ``STAMP_SECONDS``, about Elasticsearch's own refresh interval;
        None (no caching) when the cluster cannot say."""
        now = time.monotonic()
        if self._stamp is not None and now - self._stamp[0] < STAMP_SECONDS:
            return self._stamp[1]
        try:
            resp = self.client.indices.stats(index=self.alias, metric="refresh")
            stamp = ";".join(f"{name}:{ix['total']['refresh']['total']}"
                             for name, ix in sorted(resp["indices"].items()))
        except Exception:  # noqa: BLE001 - search() itself reports an unreachable cluster
            stamp = None
        self._stamp = (now, stamp or None)
        return stamp or None

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        plan = build_plan(request)
        body = search_body(request, plan, timeout=f"{self.config.search_timeout:g}s")
        deep = request.offset + request.page_size > self.config.max_result_window
        with self._errors("search", private=True):
            if deep:
                # Beyond the from/size window: total and facets here, the page by search_after.
                counts = {k: v for k, v in body.items() if k not in ("sort", "from", "collapse")}
                resp = self.client.search(index=self.alias, body={**counts, "size": 0})
                raw_hits = self._deep_page(request, plan)
            else:
                resp = self.client.search(index=self.alias, body=body)
                raw_hits = resp["hits"]["hits"]
        if resp.get("timed_out"):
            # Partial hits and counts would look complete: refuse them instead.
            raise BackendError(f"Elasticsearch search took longer than {self.config.search_timeout:g}s")
        hits = self._hits(raw_hits, request)
        aggs = resp.get("aggregations") or {}
        facets = {name: facet_result(name, _unwrap(aggs.get(name, {})), request) for name in request.facets}
        stories = None
        if request.collapse:
            stories = max(int(_unwrap(aggs.get("_stories", {})).get("value") or 0), request.offset + len(hits))
        return SearchResult(total=int(resp["hits"]["total"]["value"]), hits=hits, facets=facets,
                            took_ms=(time.perf_counter() - started) * 1000, stories=stories,
                            stories_exact=stories is not None and stories < STORIES_PRECISION)

    def _deep_page(self, request: SearchRequest, plan: Plan) -> list[dict]:
        window = self.config.max_result_window
        with self._point_in_time() as pit:
            after = None
            skip = request.offset
            while skip > 0:
                body = {**scan_body(plan, request.sort, min(skip, window)), "_source": False, "pit": pit.ref()}
                if after is not None:
                    body["search_after"] = after
                resp = pit.search(body)
                hits = resp["hits"]["hits"]
                if not hits:
                    return []
                skip -= len(hits)
                after = hits[-1]["sort"]
            body = {**scan_body(plan, request.sort, request.page_size), "_source": {"excludes": ["extraction"]},
                    "pit": pit.ref()}
            if after is not None:
                body["search_after"] = after
            return pit.search(body)["hits"]["hits"]

    def _hits(self, raw_hits: list[dict], request: SearchRequest) -> list[Hit]:
        scored = request.sort not in SORT_FIELDS
        title_hl, body_hl = highlighters(request)
        out = []
        for raw in raw_hits:
            doc = from_source(raw["_source"])
            score = raw.get("_score") if scored else None
            out.append(_with_versions(highlighted_hit(doc, None if score is None else float(score), title_hl, body_hl),
                                      raw))
        return out

    def facet_values(self, name: str) -> tuple[str, ...]:
        """Every value of a terms facet, paged with a composite aggregation (exact, unbounded);
        reused while the alias names the same index, for at most FACET_VALUES_TTL seconds
        (incremental adds go to the same index)."""
        from search.facets import FACETS

        with self._errors("listing facet values"):
            version = tuple(sorted(self.client.indices.get_alias(name=self.alias)))
            cached = self._values.get(name)
            if cached is not None and cached[0] == version and time.monotonic() - cached[1] < FACET_VALUES_TTL:
                return cached[2]
            field = FACETS[name].field
            values: list[str] = []
            after = None
            while True:
                composite: dict = {"size": FACET_VALUES_PAGE, "sources": [{"v": {"terms": {"field": field}}}]}
                if after is not None:
                    composite["after"] = after
                resp = self.client.search(index=self.alias, body={"size": 0, "track_total_hits": False,
                                                                  "aggs": {"values": {"composite": composite}}})
                agg = (resp.get("aggregations") or {}).get("values") or {}
                buckets = agg.get("buckets") or []
                values += [str(b["key"]["v"]) for b in buckets]
                after = agg.get("after_key")
                if not buckets or after is None:
                    break
        result = tuple(sorted(values))
        self._values[name] = (version, time.monotonic(), result)
        return result

    def get(self, doc_id: str) -> StoredDocument | None:
        from elasticsearch import NotFoundError

        if not doc_id:  # GET /<index>/_doc/ is not a document lookup
            return None
        with self._errors("get", private=True):
            try:
                resp = self.client.get(index=self.alias, id=es_id(doc_id))
            except NotFoundError as e:
                if _error_type(e) is None:  # the index is there, the document is not
                    return None
                raise
        doc = from_source(resp["_source"])
        # A long id's _id is its head and a hash: the stored full id settles it.
        return doc if doc.id == doc_id else None

    def date_span(self, request: SearchRequest) -> tuple[int, str | None, str | None]:
        with self._errors("date span", private=True):
            resp = self.client.search(index=self.alias, body=span_body(build_plan(request)))
        aggs = resp.get("aggregations") or {}
        total = int(resp["hits"]["total"]["value"])
        return total, span_value(aggs.get("first")), span_value(aggs.get("last"))

    def period_counts(self, request: SearchRequest, field: str, size: int) -> dict[str, int]:
        with self._errors("period counts", private=True):
            resp = self.client.search(index=self.alias, body=period_body(build_plan(request), field, size))
        return period_buckets((resp.get("aggregations") or {}).get("p"))

    def story_ids(self, request: SearchRequest, limit: int) -> tuple[str, ...] | None:
        with self._errors("story ids", private=True):
            resp = self.client.search(index=self.alias, body=story_ids_body(build_plan(request), limit))
        return story_ids_of((resp.get("aggregations") or {}).get("s"), limit)

    def story_candidates(self, bands: list[str], limit: int = 500) -> list[StoryInfo]:
        """Documents sharing at least one LSH band key with ``bands`` (for ``indexer add``)."""
        if not bands:
            return []
        body = {"query": {"terms": {STORY_BANDS_FIELD: list(bands)}}, "size": limit,
                "_source": {"includes": ["id", "meta.date", "story", "story_sig", "story_bands"]}}
        with self._errors("story candidates"):
            hits = self.client.search(index=self.alias, body=body)["hits"]["hits"]
        return [story_info(h["_source"]) for h in hits]

    def story_versions(self, stories: list[str], limit: int = 10_000,
                       extraction: bool = True) -> list[StoredDocument]:
        """Every version of the given stories, earliest (date, then id) first.

        ``extraction=False`` leaves the (large) extraction evidence out, for display only:
        ``indexer add``/``delete`` write the versions they get back, so they need it.
        """
        if not stories:
            return []
        body = {"query": {"terms": {STORY_FIELD: list(stories)}}, "size": limit}
        if not extraction:
            body["_source"] = {"excludes": ["extraction"]}
        with self._errors("story versions", private=True):
            hits = self.client.search(index=self.alias, body=body)["hits"]["hits"]
        docs = [from_source(h["_source"]) for h in hits]
        return sorted(docs, key=lambda d: order_key(d.id, d.date))

    def summarize(self, request: SearchRequest, top: int = 3) -> Summary:
        with self._errors("search"):
            resp = self.client.search(index=self.alias, body=summary_body(build_plan(request), top))
        aggs = resp.get("aggregations") or {}
        return Summary(int(resp["hits"]["total"]["value"]), summary_facets(aggs),
                       _ms_day(aggs.get("date_min", {}).get("value")), _ms_day(aggs.get("date_max", {}).get("value")))

    def newest_arrival(self) -> str | None:
        with self._errors("search"):
            resp = self.client.search(index=self.alias, body=NEWEST_ARRIVAL_BODY)
        value = ((resp.get("aggregations") or {}).get("newest") or {}).get("value")
        return from_ms(int(value)) if value is not None else None

    def generation(self) -> str:
        with self._errors("checking the index alias"):
            return ",".join(self._alias_targets())

    def iter_arrivals(self) -> Iterator[tuple[str, int | None, int]]:
        """(id, digest, arrival ms) of every document, by search_after over one point in time."""
        if not self.exists():
            return
        with self._point_in_time() as pit:
            after = None
            while True:
                body = {**arrival_scan_body(ARRIVAL_SCAN_PAGE), "pit": pit.ref()}
                if after is not None:
                    body["search_after"] = after
                hits = pit.search(body)["hits"]["hits"]
                for h in hits:
                    src = h.get("_source") or {}
                    if src.get("arrived"):
                        digest = src.get("digest")
                        yield src["id"], int(digest) if digest else None, to_ms(src["arrived"])
                if len(hits) < ARRIVAL_SCAN_PAGE:
                    return
                after = hits[-1]["sort"]

    def _stamped(self, docs: Iterable[StoredDocument]) -> Iterator[dict]:
        """Bulk actions; a document already there keeps its arrival time, a new one arrives now
        (one stamp per chunk: each chunk becomes visible on its own)."""
        chunk: list[StoredDocument] = []

        def flush():
            ids = {es_id(d.id): d.id for d in chunk if not d.arrived}
            known = {}
            if ids:
                with self._errors("reading arrival times"):
                    resp = self.client.mget(index=self.alias, ids=list(ids), source_includes=["arrived"])
                known = {ids[d["_id"]]: d["_source"]["arrived"] for d in resp["docs"]
                         if d.get("found") and (d.get("_source") or {}).get("arrived")}
            now = CLOCK.stamp()
            for d in chunk:
                action = _as_action(d)
                action["_source"].setdefault("arrived", known.get(d.id, now))
                yield {**action, "_index": self.alias}

        for doc in docs:
            chunk.append(doc)
            if len(chunk) >= UPSERT_CHUNK:
                yield from flush()
                chunk = []
        if chunk:
            yield from flush()

    def iter_matches(self, request: SearchRequest, batch: int = 500) -> Iterator[StoredDocument]:
        """Every match in sort order, over one point in time (a consistent snapshot, no depth limit)."""
        plan = build_plan(request)
        with self._point_in_time() as pit:
            after = None
            while True:
                body = {**scan_body(plan, request.sort, batch), "pit": pit.ref()}
                if after is not None:
                    body["search_after"] = after
                hits = pit.search(body)["hits"]["hits"]
                for h in hits:
                    yield from_source(h["_source"])
                if len(hits) < batch:
                    return
                after = hits[-1]["sort"]

    def stats(self) -> dict:
        base = {"backend": self.name, "index": self.alias, "url": self.config.url}
        if not self.exists():
            return {**base, "documents": 0, "exists": False}
        with self._errors("stats"):
            live = self._alias_targets()
            name = live[0]
            documents = int(self.client.count(index=self.alias)["count"])
            store = self.client.indices.stats(index=name, metric="store")["indices"][name]
            meta = self.client.indices.get_mapping(index=name)[name]["mappings"].get("_meta", {})
            settings = self.client.indices.get_settings(index=name)[name]["settings"]["index"]
            others = sorted(n for n in self.client.indices.get_alias(index=f"{self.alias}-*")
                            if self.is_build_index(n) and n not in live)
        return {**base, "exists": True, "generation": name, "documents": documents,
                "size_bytes": store["primaries"]["store"]["size_in_bytes"],
                "size_bytes_with_replicas": store["total"]["store"]["size_in_bytes"],
                "shards": int(settings.get("number_of_shards", 0)),
                "replicas": int(settings.get("number_of_replicas", 0)),
                "analyzer_version": ANALYZER_VERSION, "build": meta.get("build", {}),
                "other_builds": others}

    # ---- replaced indices ------------------------------------------------------------------
    def mark_retired(self, name: str) -> None:
        """Record in ``name``'s mapping that a newer build replaced it (so it may be deleted)."""
        try:
            meta = self.client.indices.get_mapping(index=name)[name]["mappings"].get("_meta", {})
            self.client.indices.put_mapping(index=name, meta={**meta, "state": "retired"})
        except Exception as e:  # it stays listed in other_builds; delete it by hand
            log.warning("could not mark the previous index %s as replaced: %s", name, e)

    def retired_indices(self) -> list[str]:
        """Build indices a newer build replaced (``_meta.state`` retired), oldest first."""
        live = set(self._alias_targets())
        names = sorted(n for n in self.client.indices.get_alias(index=f"{self.alias}-*")
                       if self.is_build_index(n) and n not in live)
        out = []
        for name in names:
            meta = self.client.indices.get_mapping(index=name)[name]["mappings"].get("_meta", {})
            if meta.get("state") == "retired":
                out.append(name)
        return out

    def open_contexts(self, name: str) -> int:
        """Search contexts open on an index: points in time, scrolls, searches in flight."""
        stats = self.client.indices.stats(index=name, metric="search")
        return int(stats["indices"][name]["total"]["search"]["open_contexts"])

    def delete_retired(self, wait: float = 0.0) -> list[str]:
        """Delete replaced indices once no search context is open on them, waiting up to
        ``wait`` seconds; returns those left (the next build tries again)."""
        deadline = time.monotonic() + wait
        pending: list[str] = []
        try:
            pending = self.retired_indices()
            while pending:
                for name in list(pending):
                    if self.open_contexts(name) == 0:
                        self.client.indices.delete(index=name)
                        self.vocabularies.drop(name)
                        pending.remove(name)
                left = deadline - time.monotonic()
                if not pending or left <= 0:
                    break
                time.sleep(min(RETIRED_POLL_SECONDS, left))
        except Exception as e:  # the switch is done; a leftover index only costs disk
            log.warning("could not delete the replaced index(es) %s: %s", ", ".join(pending) or "?", e)
            return pending
        if pending:
            log.warning("kept the replaced index(es) %s: points in time are still open on them (an export "
                        "or deep page is reading); the next build deletes them", ", ".join(pending))
        return pending

    def saved_searches(self):
        from search.backends.elasticsearch_saved import ElasticsearchSavedSearches

        if self._saved is None:
            self._saved = ElasticsearchSavedSearches(self.client, self.saved_index)
        return self._saved

    def close(self) -> None:
        self.client.close()

    # ---- writing -------------------------------------------------------------------------
    def new_build(self) -> "ElasticsearchBuild":
        return ElasticsearchBuild(self)

    def upsert(self, docs: Iterable[StoredDocument]) -> int:
        self._require_alias()
        docs = list(docs)
        vocab = self._vocabulary_for_write()
        for d in docs if vocab is not None else ():
            old = self.get(d.id)
            if old is not None:
                vocab.remove(document_terms(old.title, old.body))
            vocab.add(document_terms(d.title, d.body))
        actions = self._stamped(docs)
        written = 0
        # wait_for: like tantivy's commit, the change is searchable when this returns.
        for ok, _op, info in self.bulk(actions, refresh="wait_for"):
            if ok:
                written += 1
            else:
                self.on_rejected(rejection(info))
        self._save_vocabulary(vocab)
        return written

    def _vocabulary_for_write(self) -> Vocabulary | None:
        """The live vocabulary to update; None for an index built before vocabularies (a
        partial list would mislead did-you-mean: it stays without one until a rebuild)."""
        with self._errors("reading the vocabulary"):
            live = self._alias_targets()
            return self.vocabularies.load(live[0]) if live else None

    def _save_vocabulary(self, vocab: Vocabulary | None) -> None:
        if vocab is None:
            return
        with self._errors("writing the vocabulary"):
            for name in self._alias_targets():
                self.vocabularies.save(name, vocab)
        self._vocab_cache = None

    def delete(self, ids: Iterable[str]) -> int:
        self._require_alias()
        ids = list(dict.fromkeys(ids))
        vocab = self._vocabulary_for_write()
        for i in ids if vocab is not None else ():
            old = self.get(i)
            if old is not None:
                vocab.remove(document_terms(old.title, old.body))
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": es_id(i)} for i in ids)
        found, failed = 0, []
        for ok, _op, info in self.bulk(actions, refresh="wait_for"):
            if ok:
                found += 1
            elif info.get("status") != 404:  # 404: no such id, which is not an error
                failed.append(rejection(info))
        for r in failed:
            self.on_rejected(r)
        self._save_vocabulary(vocab)
        if failed:
            raise BackendError(f"{len(failed)} deletions failed; first: {failed[0]}")
        return found

    def bulk(self, actions: Iterable[dict], **params) -> Iterator[tuple[bool, str, dict]]:
        """``(ok, op_type, item)`` per action, via ``helpers.streaming_bulk``.

        Transient failures (429 and 502/503/504, whole request or single items) are retried
        with exponential backoff; a failure left after the retries raises BackendError.
        Per-document rejections are yielded, not raised, so the caller can report each one.
        """
        from elasticsearch import helpers

        cfg = self.config
        # Only the helper retries statuses (with backoff); the transport's own retries are
        # immediate and would hammer a cluster that is asking us to slow down.
        client = self.client.options(retry_on_status=())
        with self._errors("bulk indexing"):
            for ok, item in helpers.streaming_bulk(
                    client, actions, chunk_size=cfg.bulk_chunk, max_chunk_bytes=cfg.bulk_max_bytes,
                    raise_on_error=False, raise_on_exception=True, max_retries=cfg.bulk_max_retries,
                    initial_backoff=cfg.bulk_initial_backoff, max_backoff=cfg.bulk_max_backoff,
                    retry_on_status=TRANSIENT_STATUS, **params):
                op, info = next(iter(item.items()))
                yield ok, op, info

    # ---- helpers -------------------------------------------------------------------------
    def _alias_targets(self) -> list[str]:
        """Indices the alias points to now (none before the first build)."""
        from elasticsearch import NotFoundError

        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def _require_alias(self) -> None:
        # Writing to a missing alias would auto-create a concrete index named like it.
        if not self.exists():
            raise BackendError(f"no Elasticsearch index {self.alias!r}: run "
                               "`indexer reindex --backend elasticsearch` first")

    @contextlib.contextmanager
    def _errors(self, what: str, private: bool = False):
        """Cluster failures become BackendError (the web layer shows 'search unavailable').

        ``private``: the failure of a user's search or lookup; the cluster's reason text may
        quote the query or the id, so it is kept out of the message (and so out of the logs)
        unless SEARCH_LOG_QUERIES=1.
        """
        from elastic_transport import TransportError
        from elasticsearch import ApiError, NotFoundError

        try:
            yield
        except BackendError:
            raise
        except NotFoundError as e:
            if _error_type(e) == "index_not_found_exception":
                raise BackendError(f"no Elasticsearch index {self.alias!r}: run "
                                   "`indexer reindex --backend elasticsearch` first") from e
            raise BackendError(f"Elasticsearch {what}: not found") from e
        except (ApiError, TransportError) as e:
            detail = _describe(e, with_reason=not private or log_queries())
            raise BackendError(f"Elasticsearch {what} failed at {self.config.url}: {detail}") from e

    @contextlib.contextmanager
    def _point_in_time(self):
        with self._errors("opening a point in time"):
            pit_id = self.client.open_point_in_time(index=self.alias, keep_alive=PIT_KEEP_ALIVE)["id"]
        pit = _PointInTime(self, pit_id)
        try:
            yield pit
        finally:
            pit.close()


def _with_versions(hit: Hit, raw: dict) -> Hit:
    """The other versions of a collapsed hit, from its ``inner_hits``."""
    inner = ((raw.get("inner_hits") or {}).get("versions") or {}).get("hits")
    if not inner:
        return hit
    total = inner.get("total")
    hit.version_count = int(total["value"] if isinstance(total, dict) else total or 1)
    for h in inner.get("hits", []):
        src = h.get("_source") or {}
        if src.get("id") != hit.id and len(hit.versions) < SHOWN_VERSIONS:
            hit.versions.append(Version(src.get("id"), (src.get("meta") or {}).get("date"), src.get("source")))
    return hit


class _PointInTime:
    """A point-in-time snapshot; each response may carry a newer id, which later pages use."""

    def __init__(self, backend: ElasticsearchBackend, pit_id: str):
        self.backend = backend
        self.id = pit_id

    def ref(self) -> dict:
        return {"id": self.id, "keep_alive": PIT_KEEP_ALIVE}

    def search(self, body: dict) -> dict:
        with self.backend._errors("search_after page"):
            resp = self.backend.client.search(body=body)
        self.id = resp.get("pit_id") or self.id
        return resp

    def close(self) -> None:
        try:
            self.backend.client.close_point_in_time(id=self.id)
        except Exception as e:  # it expires by itself after PIT_KEEP_ALIVE
            log.info("could not close point in time: %s", e)


class ElasticsearchBuild(IndexBuild):
    """A new versioned index filled by bulk requests, published by one atomic alias swap."""

    def __init__(self, backend: ElasticsearchBackend, on_rejected: Callable[[Rejection], None] | None = None):
        self.backend = backend
        self.client = backend.client
        self.on_rejected = on_rejected or backend.on_rejected
        self.index = backend.new_index_name()
        self.indexed = 0
        self.rejected: list[Rejection] = []
        self._buffer: list[dict] = []
        self._done = False
        self.vocab = Vocabulary()
        self.arrived = CLOCK.stamp()  # for documents without an arrival time
        cfg = backend.config
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with backend._errors(f"creating index {self.index}"):
            self.client.indices.create(
                index=self.index,
                settings=index_settings(cfg.shards, cfg.replicas, building=True,
                                        max_result_window=cfg.max_result_window),
                mappings=mappings({"state": "building", "started_at": started}))

    @property
    def count(self) -> int:
        """Documents accepted so far (sends what is buffered, so rejections are counted out)."""
        self.flush()
        return self.indexed

    def add(self, prepared) -> None:
        """Add a document; accepts a StoredDocument or the output of ``ElasticsearchBackend.prepare``."""
        if self._done:
            raise BackendError("this build is already committed or aborted")
        action = _as_action(prepared)
        action["_source"].setdefault("arrived", self.arrived)
        source = action.get("_source", {})
        self.vocab.add(document_terms(source.get("title"), source.get("body")))
        self._buffer.append(action)
        if len(self._buffer) >= self.backend.config.bulk_chunk:
            self.flush()

    def relabel(self, mapping: dict[str, str]) -> None:
        """Give the versions indexed under story id ``old`` the id ``mapping[old]``.

        Each version is indexed again in full (re-analysed): a partial ``update`` rebuilds the
        document from ``_source``, which leaves out the pre-analyzed fields, so it would lose
        them. The text is unchanged, so the build's vocabulary is too.
        """
        self.flush()
        with self.backend._errors("refreshing the new index"):
            self.client.indices.refresh(index=self.index)
        for old, new in mapping.items():
            body = {"query": {"term": {STORY_FIELD: old}}, "size": 10_000}
            with self.backend._errors("story relabel"):
                hits = self.client.search(index=self.index, body=body)["hits"]["hits"]
            actions = []
            for h in hits:
                doc = from_source(h["_source"])
                doc.story = new
                action = to_action(doc)  # keeps the arrival time and digest read back from _source
                action["_source"].setdefault("arrived", self.arrived)
                actions.append({**action, "_index": self.index})
            for ok, _op, info in self.backend.bulk(actions):
                if not ok:
                    self.on_rejected(rejection(info))

    def flush(self) -> None:
        if not self._buffer:
            return
        actions = [{**a, "_index": self.index} for a in self._buffer]
        self._buffer = []
        for ok, _op, info in self.backend.bulk(actions):
            if ok:
                self.indexed += 1
            else:
                r = rejection(info)
                self.rejected.append(r)
                self.on_rejected(r)

    def commit(self, info: dict) -> None:
        if self._done:
            raise BackendError("this build is already committed or aborted")
        backend, alias = self.backend, self.backend.alias
        try:
            self.flush()
            with backend._errors(f"publishing index {self.index}"):
                self.client.indices.put_settings(index=self.index, settings=live_settings(backend.config.replicas))
                self.client.indices.refresh(index=self.index)
                build = {"documents": self.indexed, "rejected": len(self.rejected),
                         "analyzer_version": ANALYZER_VERSION,
                         "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **info}
                self.client.indices.put_mapping(index=self.index,
                                                meta={"analyzer_version": ANALYZER_VERSION, "state": "live",
                                                      "build": build})
                backend.vocabularies.save(self.index, self.vocab)
                backend._vocab_cache = None
                old = backend._alias_targets()
                # One request, applied atomically: readers see the old index or the new one,
                # never none. must_exist makes a concurrent swap fail instead of leaving the
                # alias on two indices; is_write_index does the same for two first builds
                # (Elasticsearch refuses an alias with two write indices).
                actions = [{"remove": {"index": name, "alias": alias, "must_exist": True}} for name in old]
                actions.append({"add": {"index": self.index, "alias": alias, "is_write_index": True}})
                self.client.indices.update_aliases(actions=actions)
        except BaseException:
            self._drop()
            raise
        self._done = True
        for name in old:
            backend.mark_retired(name)
        # The replaced index serves open points in time (an export, a deep page) until they
        # expire: delete it only when none is left (this and earlier leftovers).
        backend.delete_retired(wait=backend.config.old_index_wait)

    def abort(self) -> None:
        if not self._done:
            self._drop()

    def _drop(self) -> None:
        self._done = True
        self._buffer = []
        from elasticsearch import NotFoundError

        try:
            self.client.indices.delete(index=self.index)
        except NotFoundError:
            pass
        except Exception as e:
            log.warning("could not delete the unfinished index %s: %s (delete it by hand)", self.index, e)
        try:
            self.backend.vocabularies.drop(self.index)
        except Exception as e:  # an orphan entry only costs a little space
            log.warning("could not drop the vocabulary of %s: %s", self.index, e)


# ---- helpers ---------------------------------------------------------------------------------

def rejection(info: dict) -> Rejection:
    """A Rejection from one failed bulk item."""
    err = info.get("error")
    if isinstance(err, dict):
        reason = err.get("reason") or ""
        caused = err.get("caused_by") or {}
        if caused.get("reason"):
            reason = f"{reason} (caused by {caused.get('type')}: {caused['reason']})"
        return Rejection(info.get("_id"), info.get("status"), err.get("type"), reason)
    return Rejection(info.get("_id"), info.get("status"), None, str(err))


def _unwrap(agg: dict) -> dict:
    """A facet's buckets, whether or not it sits inside its disjunctive ``filter`` aggregation."""
    return agg.get("values", agg)


def _as_action(item) -> dict:
    return to_action(item) if isinstance(item, StoredDocument) else item


def _ms_day(value) -> str | None:
    """The ISO day of an aggregation's epoch-milliseconds value."""
    return None if value is None else from_ms(int(value))[:10]


def _error_type(err) -> str | None:
    body = getattr(err, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("type")
    return None


def _describe(err, with_reason: bool = True) -> str:
    kind = _error_type(err)
    status = getattr(err, "status_code", None) or getattr(getattr(err, "meta", None), "status", None)
    text = ""
    if with_reason:
        body = getattr(err, "body", None)
        reason = body["error"].get("reason") if isinstance(body, dict) and isinstance(body.get("error"), dict) else None
        text = str(reason or getattr(err, "message", "") or err)
    return " ".join(str(p) for p in (status, kind or type(err).__name__, text) if p)[:500]


__all__ = ["ElasticsearchBackend", "ElasticsearchBuild", "EsConfig", "Rejection"]
