"""The Elasticsearch backend against a fake cluster at the HTTP boundary.

FakeCluster replaces only the network: the real ``Elasticsearch`` client, its transport,
serializers and ``helpers.streaming_bulk`` all run; each HTTP request reaches FakeNode,
which keeps indices, aliases and documents in memory. It does not evaluate queries (every
search matches every document of the index; sort, search_after, from/size are honoured):
the query bodies themselves are pinned in test_es_query.py, and real matching is the
contract suite's job against a live cluster.
"""
from __future__ import annotations

import fnmatch
from dataclasses import replace
import json
import logging
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders

try:
    from elastic_transport._node._base import NodeApiResponse
except ImportError:  # pragma: no cover - older/newer layout
    from collections import namedtuple

    NodeApiResponse = namedtuple("NodeApiResponse", "meta body")

from elasticsearch import Elasticsearch

from search.backends.base import BackendError
from search.backends.elasticsearch_backend import ElasticsearchBackend, EsConfig, log_rejection
from search.backends.elasticsearch_mapping import es_id, to_source
from search.highlight import snippet
from search.model import Range, SearchRequest, StoredDocument
from search.query import parse


class FakeCluster:
    """In-memory stand-in for one Elasticsearch node: indices, aliases, docs, and scripted faults."""

    def __init__(self):
        self.indices: dict[str, dict] = {}
        self.calls: list[tuple[str, str, dict | list | None]] = []
        self.params: list[tuple[str, dict]] = []  # query-string parameters, parallel to calls
        self.request_failures: dict[str, list[int]] = {}  # path prefix -> statuses to answer first
        self.item_failures: dict[str, list[tuple[int, dict]]] = {}  # doc id -> item errors to answer first
        self.search_responses: list[dict] = []  # scripted /_search answers, used before the default
        self.pits: dict[str, str] = {}
        self.fail_alias_update = False
        self.indexed_sources: dict[str, dict[str, dict]] = {}  # index -> id -> the document as sent

    # -- state helpers --------------------------------------------------------------------
    def aliases_of(self, name: str) -> list[str]:
        return sorted(i for i, ix in self.indices.items() if name in ix["aliases"])

    def resolve(self, name: str) -> list[str]:
        if name in self.indices:
            return [name]
        return self.aliases_of(name)

    def paths(self, method: str | None = None) -> list[str]:
        return [f"{m} {p}" for m, p, _ in self.calls if method is None or m == method]

    # -- dispatch -------------------------------------------------------------------------
    def handle(self, method: str, target: str, body: bytes | None):
        url = urlsplit(target)
        path = unquote(url.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if path.endswith("/_bulk") or path == "/_bulk":
            data = [json.loads(line) for line in (body or b"").decode().splitlines() if line.strip()]
        else:
            data = json.loads(body) if body else None
        self.calls.append((method, path, data))
        self.params.append((path, params))
        for prefix, statuses in self.request_failures.items():
            if path.startswith(prefix) and statuses:
                status = statuses.pop(0)
                return status, {"error": {"type": "transient", "reason": f"injected {status}"}, "status": status}
        parts = [p for p in path.split("/") if p]
        return self.route(method, parts, params, data)

    def route(self, method, parts, params, data):
        if parts == ["_bulk"]:
            return self.bulk(data, params)
        if parts == ["_aliases"]:
            return self.update_aliases(data["actions"])
        if parts == ["_search"]:
            return self.search(None, data or {})
        if parts == ["_pit"]:
            self.pits.pop(data["id"], None)
            return 200, {"succeeded": True, "num_freed": 1}
        if parts[:1] == ["_alias"]:
            targets = self.aliases_of(parts[1])
            if method == "HEAD":
                return (200 if targets else 404), {}
            if not targets:
                return 404, {"error": f"alias [{parts[1]}] missing", "status": 404}
            return 200, {i: {"aliases": {parts[1]: {}}} for i in targets}
        name = parts[0]
        if len(parts) == 1:
            if method == "PUT":
                return self.create(name, data)
            if method == "HEAD":
                return (200 if self.resolve(name) else 404), {}
            if method == "DELETE":
                if name not in self.indices:
                    return self.missing(name)
                del self.indices[name]
                return 200, {"acknowledged": True}
        op = parts[1]
        if op == "_alias":
            matched = [i for i in self.indices if fnmatch.fnmatch(i, name)]
            return 200, {i: {"aliases": {a: {} for a in self.indices[i]["aliases"]}} for i in matched}
        targets = self.resolve(name)
        if not targets:
            return self.missing(name)
        ix = self.indices[targets[0]]
        if op == "_settings" and method == "PUT":
            ix["settings"]["index"].update(data["index"])
            return 200, {"acknowledged": True}
        if op == "_settings":
            return 200, {targets[0]: {"settings": {"index": {k: str(v) for k, v in ix["settings"]["index"].items()}}}}
        if op == "_refresh":
            ix["refreshes"] += 1
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if op == "_mapping" and method == "PUT":
            if "_meta" in data:
                ix["mappings"]["_meta"] = data["_meta"]
            ix["mappings"].setdefault("properties", {}).update(data.get("properties", {}))
            return 200, {"acknowledged": True}
        if op == "_mapping":
            return 200, {targets[0]: {"mappings": ix["mappings"]}}
        if op == "_doc" and method in ("PUT", "POST"):  # index one document (the vocabulary store)
            ix["docs"][parts[2]] = data
            return 201, {"_index": targets[0], "_id": parts[2], "result": "created"}
        if op == "_doc" and method == "DELETE":
            found = ix["docs"].pop(parts[2], None) is not None
            return (200 if found else 404), {"_index": targets[0], "_id": parts[2],
                                             "result": "deleted" if found else "not_found"}
        if op == "_doc":
            doc = ix["docs"].get(parts[2])
            if doc is None:
                return 404, {"_index": targets[0], "_id": parts[2], "found": False}
            return 200, {"_index": targets[0], "_id": parts[2], "found": True, "_source": doc}
        if op == "_create":
            if parts[2] in ix["docs"]:
                return 409, {"error": {"type": "version_conflict_engine_exception", "reason": "exists"},
                             "status": 409}
            mapping = ix["mappings"]
            if mapping.get("dynamic") == "strict" and set(data) - set(mapping.get("properties", {})):
                return 400, {"error": {"type": "strict_dynamic_mapping_exception",
                                       "reason": f"unmapped {sorted(set(data) - set(mapping['properties']))}"},
                             "status": 400}
            ix["docs"][parts[2]] = data
            return 201, {"result": "created"}
        if op == "_update":
            if parts[2] not in ix["docs"]:
                return 404, {"error": {"type": "document_missing_exception", "reason": parts[2]}, "status": 404}
            ix["docs"][parts[2]].update(data["doc"])
            return 200, {"result": "updated"}
        if op == "_search":
            return self.search(targets[0], data or {})
        if op == "_pit":
            pit = f"pit-{len(self.pits) + 1}"
            self.pits[pit] = targets[0]
            return 200, {"id": pit}
        if op == "_count":
            return 200, {"count": len(ix["docs"])}
        if op == "_mget":
            wanted = [f for f in params.get("_source_includes", "").split(",") if f]
            return 200, {"docs": [
                {"_index": targets[0], "_id": i, "found": True,
                 "_source": {k: v for k, v in ix["docs"][i].items() if not wanted or k in wanted}}
                if i in ix["docs"] else {"_index": targets[0], "_id": i, "found": False}
                for i in data["ids"]]}
        if op == "_stats":
            if parts[2:] == ["search"]:  # a point in time keeps a search context open on its index
                contexts = sum(1 for index in self.pits.values() if index == targets[0])
                search = {"search": {"open_contexts": contexts}}
                return 200, {"indices": {targets[0]: {"primaries": search, "total": search}}}
            size = sum(len(json.dumps(d)) for d in ix["docs"].values())
            store = {"store": {"size_in_bytes": size}, "refresh": {"total": ix["refreshes"]}}
            return 200, {"indices": {targets[0]: {"primaries": store, "total": store}}}
        raise AssertionError(f"fake cluster has no route for {method} {parts}")

    def missing(self, name):
        return 404, {"error": {"type": "index_not_found_exception", "reason": f"no such index [{name}]"},
                     "status": 404}

    def create(self, name, data):
        if name in self.indices:
            return 400, {"error": {"type": "resource_already_exists_exception", "reason": name}, "status": 400}
        copy = json.loads(json.dumps(data))  # the index must not share objects with the request log
        self.indices[name] = {"settings": copy.get("settings", {"index": {}}), "mappings": copy.get("mappings", {}),
                              "docs": {}, "aliases": set(), "writes": {}, "refreshes": 0}
        self.indices[name]["settings"].setdefault("index", {})
        return 200, {"acknowledged": True, "index": name}

    def update_aliases(self, actions):
        if self.fail_alias_update:
            return 500, {"error": {"type": "injected", "reason": "alias update failed"}, "status": 500}
        for a in actions:  # validate everything first: the real API is all-or-nothing
            (kind, spec), = a.items()
            if spec["index"] not in self.indices:
                return self.missing(spec["index"])
            held = self.indices[spec["index"]]["aliases"]
            if kind == "remove" and spec.get("must_exist") and spec["alias"] not in held:
                return 404, {"error": {"type": "aliases_not_found_exception", "reason": spec["alias"]}, "status": 404}
        # The resulting state must give each alias at most one write index (IndexAbstraction.Alias).
        after = {name: dict(ix["writes"]) for name, ix in self.indices.items()}
        member = {name: set(ix["aliases"]) for name, ix in self.indices.items()}
        for a in actions:
            (kind, spec), = a.items()
            if kind == "add":
                member[spec["index"]].add(spec["alias"])
                after[spec["index"]][spec["alias"]] = bool(spec.get("is_write_index"))
            else:
                member[spec["index"]].discard(spec["alias"])
                after[spec["index"]].pop(spec["alias"], None)
        for alias in {s["alias"] for a in actions for s in a.values()}:
            writers = sorted(n for n in self.indices if alias in member[n] and after[n].get(alias))
            if len(writers) > 1:
                return 500, {"error": {"type": "illegal_state_exception",
                                       "reason": f"alias [{alias}] has more than one write index [{','.join(writers)}]"},
                             "status": 500}
        for name, ix in self.indices.items():
            ix["aliases"], ix["writes"] = member[name], after[name]
        return 200, {"acknowledged": True}

    def bulk(self, lines, params):
        # Elasticsearch validates every _id before running anything: one over 512 bytes
        # fails the whole request (BulkRequest.validate).
        for line in lines:
            meta = next(iter(line.values())) if len(line) == 1 else {}
            if isinstance(meta, dict) and len(str(meta.get("_id", "")).encode()) > 512:
                return 400, {"error": {"type": "action_request_validation_exception",
                                       "reason": "Validation Failed: 1: id [...] is too long, must be no longer "
                                                 "than 512 bytes"}, "status": 400}
        items, i = [], 0
        while i < len(lines):
            (op, meta), = lines[i].items()
            source = lines[i + 1] if op != "delete" else None
            i += 1 if op == "delete" else 2
            doc_id = meta["_id"]
            failures = self.item_failures.get(doc_id)
            if failures:
                status, error = failures.pop(0)
                items.append({op: {"_index": meta["_index"], "_id": doc_id, "status": status, "error": error}})
                continue
            targets = self.resolve(meta["_index"])
            if not targets:
                items.append({op: {"_index": meta["_index"], "_id": doc_id, "status": 404,
                                   "error": {"type": "index_not_found_exception", "reason": "no index"}}})
                continue
            docs = self.indices[targets[0]]["docs"]
            if params.get("refresh"):
                self.indices[targets[0]]["refreshes"] += 1
            if op == "delete":
                found = docs.pop(doc_id, None) is not None
                items.append({op: {"_index": targets[0], "_id": doc_id, "status": 200 if found else 404,
                                   "result": "deleted" if found else "not_found"}})
            else:
                mapping = self.indices[targets[0]]["mappings"]
                unknown = set(source) - set(mapping.get("properties", source))
                if mapping.get("dynamic") == "strict" and unknown:
                    items.append({op: {"_index": targets[0], "_id": doc_id, "status": 400, "error": {
                        "type": "strict_dynamic_mapping_exception", "reason": f"unmapped fields {sorted(unknown)}"}}})
                    continue
                excluded = set((mapping.get("_source") or {}).get("excludes", []))
                self.indexed_sources.setdefault(targets[0], {})[doc_id] = source  # what was sent (indexed)
                docs[doc_id] = {k: v for k, v in source.items() if k not in excluded}  # what is stored
                items.append({op: {"_index": targets[0], "_id": doc_id, "status": 201, "result": "created"}})
        return 200, {"took": 1, "errors": any("error" in next(iter(it.values())) for it in items), "items": items}

    def search(self, index, body):
        if self.search_responses:
            return 200, self.search_responses.pop(0)
        if index is None:
            index = self.pits[body["pit"]["id"]]
        docs = self.indices[index]["docs"]
        sort = body.get("sort") or [{"_score": {"order": "desc"}}]

        def key(doc):  # the hit's "sort" values
            return [1.0 if next(iter(spec)) == "_score" else doc.get(next(iter(spec))) for spec in sort]

        def order(doc):
            return rank(key(doc))

        def rank(values):
            return [(v is None, v if opts_dir(spec) == "asc" else _Desc(v))
                    for v, spec in zip(values, sort, strict=True)]

        ranked = sorted(docs.items(), key=lambda item: order(item[1]))
        if "search_after" in body:
            ranked = [(i, d) for i, d in ranked if order(d) > rank(body["search_after"])]
        start = body.get("from", 0)
        page = ranked[start:start + body.get("size", 10)]
        source = body.get("_source", True)
        hits = []
        for doc_id, d in page:
            h = {"_index": index, "_id": doc_id, "_score": 1.0, "sort": key(d)}
            if source is not False:
                h["_source"] = {k: v for k, v in d.items()
                                if not (isinstance(source, dict) and k in source.get("excludes", []))}
            hits.append(h)
        resp = {"took": 1, "timed_out": False,
                "hits": {"total": {"value": len(docs), "relation": "eq"}, "hits": hits}}
        if "pit" in body:
            resp["pit_id"] = body["pit"]["id"]
        if body.get("aggs"):
            resp["aggregations"] = {name: self.aggregate(spec, docs) for name, spec in body["aggs"].items()}
        return 200, resp

    def aggregate(self, spec, docs):
        """Keyword aggregations over every document (the fake evaluates no query or filter):
        terms (with an ``include`` list of exact values) and composite paging."""
        if "filter" in spec:
            return {"doc_count": len(docs), **{k: self.aggregate(s, docs) for k, s in spec.get("aggs", {}).items()}}

        def values(field):
            counts: dict = {}
            for d in docs.values():
                vs = d.get(field)
                for v in (vs if isinstance(vs, list) else [] if vs is None else [vs]):
                    counts[v] = counts.get(v, 0) + 1
            return counts

        if "terms" in spec:
            t = spec["terms"]
            assert not isinstance(t.get("include"), str), "no regular expressions from user text"
            counts = values(t["field"])
            if "include" in t:
                counts = {k: v for k, v in counts.items() if k in set(t["include"])}
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            kept = ranked[:t.get("size", 10)]
            return {"buckets": [{"key": k, "doc_count": c} for k, c in kept],
                    "sum_other_doc_count": sum(c for _, c in ranked[len(kept):])}
        if "composite" in spec:
            c = spec["composite"]
            (source,) = c["sources"]
            (key_name, terms), = source.items()
            keys = sorted(values(terms["terms"]["field"]).items())
            if "after" in c:
                keys = [kv for kv in keys if kv[0] > c["after"][key_name]]
            page = keys[:c["size"]]
            out = {"buckets": [{"key": {key_name: k}, "doc_count": n} for k, n in page]}
            if page:
                out["after_key"] = {key_name: page[-1][0]}
            return out
        return {"buckets": []}


def opts_dir(spec: dict) -> str:
    (name, opts), = spec.items()
    return opts.get("order", "desc" if name == "_score" else "asc") if isinstance(opts, dict) else opts


class _Desc:
    """Sort key wrapper reversing the order of one value."""

    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        return self.v > other.v

    def __gt__(self, other):
        return self.v < other.v

    def __eq__(self, other):
        return self.v == other.v


def fake_client(cluster: FakeCluster) -> Elasticsearch:
    """A real client whose only node is the fake cluster (no network)."""

    class FakeNode(BaseNode):
        def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
            status, data = cluster.handle(method, target, body)
            meta = ApiResponseMeta(status=status, http_version="1.1", duration=0.0, node=self.config,
                                   headers=HttpHeaders({"x-elastic-product": "Elasticsearch",
                                                        "content-type": "application/json"}))
            return NodeApiResponse(meta, b"" if method == "HEAD" else json.dumps(data).encode())

    return Elasticsearch("http://fake-es:9200", node_class=FakeNode, max_retries=0)


DOCS = [
    StoredDocument(id="a", title="داعش في الموصل", body="قال مسؤول إن تنظيم داعش انسحب من الموصل.",
                   date="2014-06-10", source="aawsat", countries=["IQ"], orgs=["داعش"], troops=[500],
                   troops_max=500, extraction={"body": {"troops": [{"value": 500, "evidence": "500 جندي"}]}}),
    StoredDocument(id="b", title=None, body="أرسلت الحكومة 5000 جندي إلى حلب.", date="2014-07-01T10:00:00+03:00",
                   source="alriyadh", countries=["SY"], orgs=[], troops=[5000], troops_max=5000),
    StoredDocument(id="c", body="اجتماع في القاهرة.", date=None, source="aawsat", countries=["EG"]),
]


@pytest.fixture()
def cluster():
    return FakeCluster()


@pytest.fixture()
def rejected():
    return []


@pytest.fixture()
def backend(cluster, rejected):
    return ElasticsearchBackend(fake_client(cluster),
                                EsConfig(prefix="news", replicas=1, bulk_chunk=2, bulk_initial_backoff=0.5,
                                         bulk_max_backoff=3.0, bulk_max_retries=4),
                                on_rejected=rejected.append)


@pytest.fixture()
def sleeps(monkeypatch):
    """The bulk helper's backoff sleeps, recorded instead of slept."""
    recorded = []
    monkeypatch.setattr("elasticsearch.helpers.actions.time.sleep", recorded.append)
    return recorded


def build(backend, docs=DOCS, info=None):
    with backend.new_build() as b:
        for d in docs:
            b.add(backend.prepare(d))
        b.commit(info or {"sources": ["test"]})
    return b


def req(q="", **kw):
    return SearchRequest(query=parse(q).tree, **kw)


# ---- configuration ---------------------------------------------------------------------------

def test_config_from_env_reads_every_variable():
    cfg = EsConfig.from_env({"ES_URL": "https://es.example:9243", "ES_USERNAME": "elastic", "ES_PASSWORD": "pw",
                             "ES_CA_CERTS": "/certs/ca.crt", "ES_INDEX_PREFIX": "archive", "ES_SHARDS": "3",
                             "ES_REPLICAS": "2"})
    assert (cfg.url, cfg.prefix, cfg.shards, cfg.replicas) == ("https://es.example:9243", "archive", 3, 2)
    kw = cfg.client_kwargs()
    assert kw["hosts"] == ["https://es.example:9243"] and kw["basic_auth"] == ("elastic", "pw")
    assert kw["ca_certs"] == "/certs/ca.crt" and "api_key" not in kw
    api = EsConfig.from_env({"ES_API_KEY": "abc=="}).client_kwargs()
    assert api["api_key"] == "abc==" and "basic_auth" not in api
    assert EsConfig.from_env({}).prefix == "news"
    assert EsConfig.from_env({"ES_INDEX_PREFIX": "x"}, prefix="override").prefix == "override"


@pytest.mark.parametrize("env", [{"ES_INDEX_PREFIX": "News"}, {"ES_INDEX_PREFIX": "a*b"}, {"ES_SHARDS": "0"},
                                 {"ES_SHARDS": "many"}, {"ES_USERNAME": "elastic"}, {"ES_SEARCH_TIMEOUT": "0"},
                                 {"ES_OLD_INDEX_WAIT": "soon"}])
def test_bad_config_is_a_backend_error(env):
    with pytest.raises(BackendError):
        EsConfig.from_env(env)


def test_open_backend_builds_the_elasticsearch_backend(monkeypatch):
    from search.backends import open_backend

    monkeypatch.setenv("ES_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("ES_INDEX_PREFIX", "from-env")
    be = open_backend("elasticsearch", "var/index")
    assert isinstance(be, ElasticsearchBackend) and be.alias == "from-env"
    be.close()


# ---- zero-downtime rebuild -------------------------------------------------------------------

def test_build_creates_a_versioned_index_then_swaps_the_alias_atomically(backend, cluster):
    first = build(backend).index
    assert cluster.aliases_of("news") == [first]
    settings = cluster.indices[first]["settings"]["index"]
    assert settings["number_of_replicas"] == 1 and settings["refresh_interval"] == "1s"
    assert cluster.indices[first]["refreshes"] == 1
    meta = cluster.indices[first]["mappings"]["_meta"]
    assert meta["state"] == "live" and meta["build"]["documents"] == 3 and meta["build"]["sources"] == ["test"]
    cluster.calls.clear()
    second = build(backend, DOCS[:1]).index
    assert second != first and backend.is_build_index(second)
    created = [d for m, p, d in cluster.calls if m == "PUT" and p == f"/{second}"][0]
    # During the bulk load: no replicas, no refresh; restored before the switch.
    assert created["settings"]["index"]["number_of_replicas"] == 0
    assert created["settings"]["index"]["refresh_interval"] == "-1"
    assert created["mappings"]["_meta"]["state"] == "building"
    swap = [d for m, p, d in cluster.calls if p == "/_aliases"]
    assert swap == [{"actions": [{"remove": {"index": first, "alias": "news", "must_exist": True}},
                                 {"add": {"index": second, "alias": "news", "is_write_index": True}}]}]
    order = cluster.paths()
    assert order.index(f"PUT /{second}/_settings") < order.index(f"POST /{second}/_refresh") \
        < order.index("POST /_aliases") < order.index(f"DELETE /{first}")
    assert first not in cluster.indices and cluster.aliases_of("news") == [second]


def test_readers_see_the_old_index_until_commit_and_abort_keeps_it(backend, cluster):
    build(backend)
    live = cluster.aliases_of("news")
    b = backend.new_build()
    b.add(DOCS[0])
    b.flush()
    assert backend.get("b") is not None and cluster.aliases_of("news") == live  # old one still serves
    b.abort()
    assert b.index not in cluster.indices and cluster.aliases_of("news") == live
    b.abort()  # idempotent


def test_an_exception_inside_the_build_drops_the_new_index(backend, cluster):
    build(backend)
    live = cluster.aliases_of("news")
    with pytest.raises(RuntimeError):
        with backend.new_build() as b:
            b.add(DOCS[0])
            raise RuntimeError("source file vanished")
    assert b.index not in cluster.indices and cluster.aliases_of("news") == live


def test_a_failed_alias_swap_keeps_the_old_index_live(backend, cluster):
    build(backend)
    live = cluster.aliases_of("news")
    cluster.fail_alias_update = True
    with pytest.raises(BackendError):
        build(backend, DOCS[:1])
    assert cluster.aliases_of("news") == live and len([i for i in cluster.indices if backend.is_build_index(i)]) == 1


def test_the_last_commit_wins_like_serialized_rebuilds(backend, cluster):
    build(backend)
    slow = backend.new_build()
    slow.add(DOCS[0])
    other = build(backend, DOCS[1:]).index  # another reindex finished meanwhile
    slow.commit({})
    assert cluster.aliases_of("news") == [slow.index] and other not in cluster.indices


def test_an_alias_moved_during_the_swap_makes_the_commit_fail_cleanly(backend, cluster):
    build(backend)
    slow = backend.new_build()
    slow.add(DOCS[0])
    intruder = build(backend, DOCS[1:]).index
    original_route = cluster.route

    def race(method, parts, params, data):
        answer = original_route(method, parts, params, data)
        if parts == ["_alias", "news"] and method == "GET":  # someone swaps right after we looked
            cluster.create("news-intruder", {})
            cluster.update_aliases([{"remove": {"index": intruder, "alias": "news"}},
                                    {"add": {"index": "news-intruder", "alias": "news"}}])
        return answer

    cluster.route = race
    with pytest.raises(BackendError):
        slow.commit({})  # its "remove <intruder>" no longer holds: must_exist fails the whole request
    assert cluster.aliases_of("news") == ["news-intruder"] and slow.index not in cluster.indices


# ---- bulk: rejections and transient errors ---------------------------------------------------

def test_every_rejected_document_is_reported_with_its_reason(backend, cluster, rejected, caplog):
    cluster.item_failures["b"] = [(400, {"type": "document_parsing_exception", "reason": "failed to parse field [date]",
                                         "caused_by": {"type": "illegal_argument_exception", "reason": "bad date"}})]
    backend.on_rejected = log_rejection
    with caplog.at_level(logging.WARNING, logger="search.backends.elasticsearch_backend"):
        with backend.new_build() as b:
            for d in DOCS:
                b.add(d)
            assert b.count == 2
            b.commit({})
    assert [r.id for r in b.rejected] == ["b"]
    r = b.rejected[0]
    assert r.status == 400 and r.error_type == "document_parsing_exception"
    assert "failed to parse field [date]" in r.reason and "bad date" in r.reason
    assert "'b' rejected" in caplog.text and "bad date" in caplog.text
    assert cluster.indices[b.index]["mappings"]["_meta"]["build"]["rejected"] == 1


def test_rejected_items_with_transient_status_are_retried_with_exponential_backoff(backend, cluster, rejected, sleeps):
    busy = (429, {"type": "es_rejected_execution_exception", "reason": "queue full"})
    cluster.item_failures["a"] = [busy, busy, busy]
    b = build(backend)
    assert b.indexed == 3 and not b.rejected
    assert sleeps == [0.5, 1.0, 2.0]


def test_whole_bulk_requests_failing_with_502_503_504_are_retried(backend, cluster, sleeps):
    cluster.request_failures["/_bulk"] = [503, 502, 504]
    b = build(backend, DOCS[:2])
    assert b.indexed == 2 and sleeps == [0.5, 1.0, 2.0]


def test_backoff_is_capped_and_gives_up_after_the_retries(backend, cluster, sleeps):
    cluster.request_failures["/_bulk"] = [429] * 10
    with pytest.raises(BackendError):
        build(backend, DOCS[:1])
    assert sleeps == [0.5, 1.0, 2.0, 3.0]  # 4 retries, the last capped at bulk_max_backoff
    assert cluster.aliases_of("news") == [] and not cluster.indices  # the failed build is gone


def test_items_still_failing_after_the_retries_are_reported_not_raised(backend, cluster, rejected, sleeps):
    cluster.item_failures["c"] = [(429, {"type": "es_rejected_execution_exception", "reason": "queue full"})] * 9
    b = build(backend)
    assert b.indexed == 2 and [r.id for r in rejected] == ["c"] and rejected[0].status == 429


# ---- reading ---------------------------------------------------------------------------------

def test_get_round_trips_the_stored_document(backend):
    build(backend)
    # A document alone in its story has its own id as story id (docs/stories.md).
    assert backend.get("a") == replace(DOCS[0], story="a")
    assert backend.get("b") == replace(DOCS[1], story="b")  # the original date string, not the normalized one
    assert backend.get("missing") is None


def test_missing_index_is_a_backend_error(backend):
    assert backend.exists() is False
    with pytest.raises(BackendError, match="indexer reindex"):
        backend.search(req("داعش"))
    with pytest.raises(BackendError):
        backend.get("a")
    with pytest.raises(BackendError):
        backend.upsert(DOCS)
    assert backend.stats()["exists"] is False


def test_unreachable_cluster_is_a_backend_error():
    be = ElasticsearchBackend.from_env(environ={"ES_URL": "http://127.0.0.1:9"}, request_timeout=0.5)
    with pytest.raises(BackendError, match="127.0.0.1:9"):
        be.search(req("x"))


def test_search_sends_one_request_and_parses_hits_total_and_facets(backend, cluster):
    build(backend)
    cluster.calls.clear()
    cluster.search_responses.append({
        "took": 3, "hits": {"total": {"value": 2, "relation": "eq"}, "hits": [
            {"_id": "a", "_score": 2.5, "sort": [2.5, "a"], "_source": to_source(DOCS[0])},
            {"_id": "b", "_score": 1.0, "sort": [1.0, "b"], "_source": to_source(DOCS[1])}]},
        "aggregations": {
            "country": {"doc_count": 3, "values": {
                "doc_count_error_upper_bound": 0, "sum_other_doc_count": 4,
                "buckets": [{"key": "IQ", "doc_count": 2}, {"key": "SY", "doc_count": 1}]}},
            "troops": {"doc_count": 2, "values": {"buckets": [
                {"key": "1-99", "doc_count": 0}, {"key": "100-999", "doc_count": 1, "from": 100, "to": 1000}]}},
        }})
    res = backend.search(req("داعش", filters={"country": ("IQ",), "source": ("aawsat",)}, facets=("country", "troops")))
    assert [p for p in cluster.paths() if "_search" in p] == ["POST /news/_search"]
    sent = [d for m, p, d in cluster.calls if p == "/news/_search"][0]
    assert "highlight" not in sent and sent["timeout"] == "20s"  # marks come from search.highlight
    assert res.total == 2 and [h.id for h in res.hits] == ["a", "b"] and res.hits[0].score == 2.5
    a, b = res.hits
    assert a.title_html == "<mark>داعش</mark> في الموصل"
    assert a.snippet == "قال مسؤول إن تنظيم <mark>داعش</mark> انسحب من الموصل."
    assert a.countries == ["IQ"] and a.troops == [500] and a.date == "2014-06-10"
    assert b.title_html is None and b.snippet == snippet(DOCS[1].body, [])
    country = {x.value: (x.count, x.selected) for x in res.facets["country"].buckets}
    assert country == {"IQ": (2, True), "SY": (1, False)} and res.facets["country"].other == 4
    assert [(x.value, x.count) for x in res.facets["troops"].buckets] == [("100-999", 1)]


def test_field_sorted_results_have_no_score(backend, cluster):
    build(backend)
    res = backend.search(req("", sort="date", highlight=False))
    assert all(h.score is None for h in res.hits)
    assert all(h.title_html is None for h in res.hits)


def test_hits_are_highlighted_in_python_like_the_embedded_engine(backend, cluster):
    build(backend)
    res = backend.search(req("داعش"))
    hit = {h.id: h for h in res.hits}["a"]
    assert hit.snippet == "قال مسؤول إن تنظيم <mark>داعش</mark> انسحب من الموصل."
    assert hit.title_html == "<mark>داعش</mark> في الموصل"


def test_a_search_the_cluster_cut_short_is_an_error_not_a_partial_page(backend, cluster):
    build(backend)
    cluster.search_responses.append({"took": 20000, "timed_out": True,
                                     "hits": {"total": {"value": 1, "relation": "eq"}, "hits": []}})
    with pytest.raises(BackendError, match="longer than 20s"):
        backend.search(req("داعش"))


def test_iter_matches_walks_every_document_with_search_after_on_one_point_in_time(backend, cluster):
    docs = [StoredDocument(id=f"d{i:02d}", body=f"نص {i}") for i in range(7)]
    build(backend, docs)
    cluster.calls.clear()
    got = [d.id for d in backend.iter_matches(req(""), batch=3)]
    assert got == [d.id for d in docs]
    searches = [d for m, p, d in cluster.calls if p == "/_search"]
    assert len(searches) == 3 and all(s["pit"]["id"] == "pit-1" for s in searches)
    assert "search_after" not in searches[0] and searches[1]["search_after"] == [1.0, "d02"]
    assert all(s["size"] == 3 and s["sort"][-1] == {"id": {"order": "asc"}} for s in searches)
    assert cluster.paths()[0] == "POST /news/_pit" and cluster.paths()[-1] == "DELETE /_pit"
    assert not cluster.pits  # closed


def test_iter_matches_closes_its_point_in_time_when_abandoned(backend, cluster):
    build(backend, [StoredDocument(id=f"d{i}", body="x") for i in range(5)])
    it = backend.iter_matches(req(""), batch=2)
    next(it)
    it.close()
    assert not cluster.pits


def test_pages_beyond_the_result_window_are_reached_with_search_after(cluster):
    be = ElasticsearchBackend(fake_client(cluster), EsConfig(max_result_window=4))
    docs = [StoredDocument(id=f"d{i:02d}", body=f"نص {i}") for i in range(11)]
    build(be, docs)
    cluster.calls.clear()
    res = be.search(req("", page=4, page_size=3))  # hits 9..11 lie beyond a window of 4
    assert [h.id for h in res.hits] == ["d09", "d10"] and res.total == 11
    bodies = [d for m, p, d in cluster.calls if p.endswith("_search")]
    assert bodies[0]["size"] == 0 and "from" not in bodies[0]  # total and facets
    assert [b["size"] for b in bodies[1:]] == [4, 4, 1, 3]  # skip 9 in window-sized steps, then the page
    assert bodies[-1]["search_after"] == [1.0, "d08"] and "highlight" not in bodies[-1]
    assert not cluster.pits


def test_stats_report_the_live_generation_and_build_info(backend, cluster):
    build(backend, info={"sources": ["/data/seeds"]})
    stray = backend.new_build()  # e.g. left by a crashed indexer
    s = backend.stats()
    assert s["exists"] and s["documents"] == 3 and s["generation"] == cluster.aliases_of("news")[0]
    assert s["build"]["sources"] == ["/data/seeds"] and s["replicas"] == 1 and s["shards"] == 1
    assert s["other_builds"] == [stray.index] and s["size_bytes"] > 0
    stray.abort()


# ---- live writes -----------------------------------------------------------------------------

def test_upsert_and_delete_go_through_the_alias_and_wait_for_refresh(backend, cluster):
    build(backend)
    cluster.calls.clear()
    cluster.params.clear()
    assert backend.upsert([StoredDocument(id="c", body="نص جديد"), StoredDocument(id="z", body="جديد")]) == 2
    assert backend.get("c").body == "نص جديد"
    assert backend.delete(["a", "nope"]) == 1
    assert backend.get("a") is None
    bulks = [d for m, p, d in cluster.calls if p == "/_bulk"]
    assert len(bulks) == 2 and all(next(iter(d[0].values()))["_index"] == "news" for d in bulks)
    assert [q for p, q in cluster.params if p == "/_bulk"] == [{"refresh": "wait_for"}] * 2


def test_delete_failures_other_than_not_found_raise(backend, cluster, rejected):
    build(backend)
    cluster.item_failures["a"] = [(500, {"type": "internal", "reason": "boom"})]
    with pytest.raises(BackendError, match="boom"):
        backend.delete(["a"])
    assert rejected and rejected[0].id == "a"


def test_the_vocabulary_is_built_kept_by_add_and_delete_and_replaced_by_a_rebuild(backend, cluster):
    from search.vocabulary import Vocabulary, document_terms

    def expected(docs):
        v = Vocabulary()
        for d in docs:
            v.add(document_terms(d.title, d.body))
        return dict(v.counts)

    first = build(backend).index
    assert dict(backend.vocabulary().counts) == expected(DOCS)
    assert backend.vocabulary().df("الموصل") == 1
    new = StoredDocument(id="c", body="اجتماع في الموصل.")  # replaces "c"
    backend.upsert([new])
    assert dict(backend.vocabulary().counts) == expected([DOCS[0], DOCS[1], new])
    backend.delete(["a", "nope"])
    assert dict(backend.vocabulary().counts) == expected([DOCS[1], new])
    second = build(backend, DOCS[:1]).index
    assert dict(backend.vocabulary().counts) == expected(DOCS[:1])
    vocab_docs = cluster.indices["news-vocabulary"]["docs"]
    assert second in vocab_docs and first not in vocab_docs  # the old generation's entry is dropped


# ---- saved searches --------------------------------------------------------------------------

def test_saved_searches_live_in_their_own_index_with_sqlite_slug_semantics(backend, cluster):
    from search.saved import AlreadySaved

    store = backend.saved_searches()
    one = store.save("Mosul", "q=%D8%A7", saved_by="Huda")
    assert store.save("Mosul", "q=%D8%A7") == one  # the same search, same name: nothing changes
    with pytest.raises(AlreadySaved) as asked:  # same search, new name: ask, do not rename
        store.save("Mosul (renamed)", "q=%D8%A7")
    assert asked.value.existing == one and store.get(one.slug).name == "Mosul"
    renamed = store.rename(one.slug, "Mosul (renamed)")
    assert renamed.slug == one.slug and renamed.created_at == one.created_at and renamed.saved_by == "Huda"
    assert store.get(one.slug).name == "Mosul (renamed)" and store.rename("nope0000", "x") is None
    other = store.save("Aleppo", "q=%D8%A8")
    assert other.slug != one.slug
    assert {s.slug for s in store.list()} == {one.slug, other.slug}
    assert store.get("nope") is None
    assert "news-saved" in cluster.indices and cluster.indices["news-saved"]["mappings"]["dynamic"] == "strict"
    build(backend)  # a rebuild never touches them
    assert store.get(one.slug) is not None and "news-saved" in cluster.indices
    assert store.delete(other.slug) and store.get(other.slug) is None and not store.delete(other.slug)
    assert [s.slug for s in store.list()] == [one.slug]


def test_a_saved_search_index_from_before_saved_by_gets_the_new_field(backend, cluster):
    from search.backends.elasticsearch_saved import SAVED_MAPPINGS

    old = json.loads(json.dumps(SAVED_MAPPINGS))
    del old["properties"]["saved_by"]
    backend.client.indices.create(index="news-saved", mappings=old)
    store = backend.saved_searches()
    saved = store.save("x", "q=1", saved_by="Omar")
    assert "saved_by" in cluster.indices["news-saved"]["mappings"]["properties"]
    assert store.get(saved.slug).saved_by == "Omar"


def test_a_slug_collision_with_another_search_takes_the_next_slug(backend, cluster):
    from search.saved import make_slug

    store = backend.saved_searches()
    store.save("x", "a=1")
    cluster.indices["news-saved"]["docs"][make_slug("b=2")] = {
        "slug": make_slug("b=2"), "name": "squatter", "query_string": "other", "created_at": "2020-01-01T00:00:00Z"}
    saved = store.save("y", "b=2")
    assert saved.slug == make_slug("b=2", 1)


def test_date_ranges_reach_the_query_as_full_utc_timestamps(backend, cluster):
    build(backend)
    cluster.calls.clear()
    backend.search(req("", ranges={"date": Range("2014-06-01", "2014-06-30T23:59:59")}))
    body = [d for m, p, d in cluster.calls if p.endswith("_search")][0]
    assert body["post_filter"] == {"bool": {"filter": [{"range": {"date": {
        "gte": "2014-06-01T00:00:00.000Z", "lte": "2014-06-30T23:59:59.000Z"}}}]}}


def test_saved_searches_are_validated_and_listed_newest_first(backend):
    store = backend.saved_searches()
    with pytest.raises(ValueError):
        store.save("", "q=x")
    with pytest.raises(ValueError):
        store.save("x" * 500, "q=x")
    first, second, third = (store.save(f"s{i}", f"q={i}") for i in range(3))
    assert [s.slug for s in store.list()] == [third.slug, second.slug, first.slug]  # same second: by save order
    assert [s.slug for s in store.list(limit=2)] == [third.slug, second.slug]


def test_the_web_app_runs_on_the_elasticsearch_backend(cluster, monkeypatch, tmp_path):
    """The real Flask app, opened with SEARCH_BACKEND=elasticsearch, over the fake cluster."""
    be = ElasticsearchBackend(fake_client(cluster), EsConfig())
    build(be)
    monkeypatch.setattr(ElasticsearchBackend, "from_env", classmethod(lambda cls, **kw: be))
    from app import create_app

    app = create_app({"SEARCH_BACKEND": "elasticsearch", "SEARCH_INDEX": str(tmp_path / "unused"),
                      "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    page = client.get("/search?q=%D8%AF%D8%A7%D8%B9%D8%B4")
    assert page.status_code == 200 and "<mark>داعش</mark> في الموصل" in page.get_data(as_text=True)
    api = client.get("/api/search?q=%D8%AF%D8%A7%D8%B9%D8%B4").get_json()
    assert api["total"] == 3
    assert client.get("/doc/a").status_code == 200
    csv = client.get("/search.csv").get_data(as_text=True)
    assert all(d.id in csv for d in DOCS)
    assert not cluster.pits  # the export's point in time was closed
    sent = [d for m, p, d in cluster.calls if p == "/news/_search"][0]
    assert "post_filter" not in sent and "highlight" not in sent


def test_facet_values_pages_through_every_value_and_the_facet_search_sends_exact_values(cluster, monkeypatch,
                                                                                        tmp_path):
    import search.backends.elasticsearch_backend as esb

    monkeypatch.setattr(esb, "FACET_VALUES_PAGE", 1)     # one value per page: the paging is exercised
    be = ElasticsearchBackend(fake_client(cluster), EsConfig())
    build(be)
    assert be.facet_values("source") == ("aawsat", "alriyadh")
    pages = [d for m, p, d in cluster.calls if p == "/news/_search" and "composite" in str(d)]
    assert len(pages) == 3 and pages[1]["aggs"]["values"]["composite"]["after"] == {"v": "aawsat"}
    calls = len(cluster.calls)
    assert be.facet_values("source") == ("aawsat", "alriyadh") and len(cluster.calls) == calls + 1  # alias check only
    monkeypatch.setattr(ElasticsearchBackend, "from_env", classmethod(lambda cls, **kw: be))
    from app import create_app

    app = create_app({"SEARCH_BACKEND": "elasticsearch", "SEARCH_INDEX": str(tmp_path / "unused"),
                      "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    data = app.test_client().get("/api/facet/source?facet_q=%D8%A7%D9%84%D8%B1%D9%8A%D8%A7%D8%B6").get_json()
    assert [(v["value"], v["label"]) for v in data["values"]] == [("alriyadh", "الرياض")]
    sent = [d for m, p, d in cluster.calls if p == "/news/_search"][-1]
    assert sent["aggs"]["source"]["terms"]["include"] == ["alriyadh"]     # exact values, never a regex


def test_indexer_reindex_builds_and_switches_through_the_cli(cluster, monkeypatch):
    """`indexer reindex --backend elasticsearch seeds/` end to end, over the fake cluster."""
    from click.testing import CliRunner

    from indexer.cli import main

    be = ElasticsearchBackend(fake_client(cluster), EsConfig(bulk_chunk=2))
    monkeypatch.setattr(ElasticsearchBackend, "from_env", classmethod(lambda cls, **kw: be))
    seeds = str(Path(__file__).resolve().parent.parent / "seeds")
    result = CliRunner().invoke(main, ["reindex", "--backend", "elasticsearch", "--workers", "0", "-q", seeds])
    assert result.exit_code == 0, result.output
    (live,) = cluster.aliases_of("news")
    docs = cluster.indices[live]["docs"]
    assert len(docs) == 5 and all(d["body"] and "extraction" in d for d in docs.values())
    meta = cluster.indices[live]["mappings"]["_meta"]["build"]
    assert meta["documents"] == 5 and meta["sources"] == [seeds]
    stats = CliRunner().invoke(main, ["stats", "--backend", "elasticsearch", "--json"])
    assert stats.exit_code == 0 and '"documents": 5' in stats.output


# ---- stories and coverage over time (docs/stories.md) ------------------------------------------

def test_collapsed_search_reads_versions_from_inner_hits_and_stories_from_the_cardinality(backend, cluster):
    build(backend)
    cluster.calls.clear()
    src_a = {**backend.prepare(DOCS[0])["_source"], "story": "b"}
    src_b = {"id": "b", "source": "alriyadh", "meta": {"date": "2014-06-09"}}
    cluster.search_responses.append({
        "took": 1, "hits": {"total": {"value": 7, "relation": "eq"}, "hits": [
            {"_id": "a", "_score": 2.0, "_source": src_a, "fields": {"story": ["b"]},
             "inner_hits": {"versions": {"hits": {"total": {"value": 3, "relation": "eq"}, "hits": [
                 {"_id": "b", "_source": src_b}, {"_id": "a", "_source": {"id": "a", "source": "aawsat"}},
                 {"_id": "c", "_source": {"id": "c", "source": "okaz", "meta": {"date": None}}}]}}}}]},
        "aggregations": {"_stories": {"value": 5}}})
    res = backend.search(req("داعش", facets=()))
    body = cluster.calls[-1][2]
    assert body["collapse"]["field"] == "story" and body["aggs"]["_stories"]["cardinality"]["field"] == "story"
    assert res.total == 7 and res.stories == 5 and res.stories_exact
    (hit,) = res.hits
    assert hit.story == "b" and hit.version_count == 3
    assert [(v.id, v.source, v.date) for v in hit.versions] == [("b", "alriyadh", "2014-06-09"), ("c", "okaz", None)]


def test_every_version_is_a_plain_search(backend, cluster):
    build(backend)
    cluster.calls.clear()
    res = backend.search(req("", collapse=False, facets=()))
    body = [b for m, p, b in cluster.calls if p.endswith("/_search")][-1]
    assert "collapse" not in body and "aggs" not in body and res.stories is None


def test_story_fields_are_indexed_and_a_build_relabels_by_indexing_the_versions_whole(backend, cluster):
    """A partial update would rebuild a version from _source, which leaves out the pre-analyzed
    fields (they would be lost): relabelled versions are sent again whole, under their es_id."""
    long_doc = StoredDocument(id=LONG_ID, body="نسخة بمعرف طويل عن داعش", date="2014-06-11")
    b = backend.new_build()
    for d in DOCS + [long_doc]:
        b.add(backend.prepare(d))
    b.flush()
    stored = cluster.indices[b.index]["docs"]
    src = stored["a"]
    assert src["story"] == "a" and src["day"] == "2014-06-10"
    assert len(src["story_bands"]) in (0, 16) and (not src["story_bands"]) == ("story_sig" not in src)
    before = {i: cluster.indexed_sources[b.index][es_id(i)] for i in ("b", LONG_ID)}
    cluster.search_responses.append({"hits": {"total": {"value": 2}, "hits": [
        {"_id": "b", "_index": b.index, "_source": stored["b"]},
        {"_id": es_id(LONG_ID), "_index": b.index, "_source": stored[es_id(LONG_ID)]}]}})
    cluster.calls.clear()
    b.relabel({"b": "a"})
    search = [body for m, p, body in cluster.calls if p.endswith("/_search")]
    assert search == [{"query": {"term": {"story": "b"}}, "size": 10_000}]
    bulk = [body for m, p, body in cluster.calls if p.endswith("/_bulk")][-1]
    assert bulk[0] == {"index": {"_index": b.index, "_id": "b"}}
    assert bulk[2] == {"index": {"_index": b.index, "_id": es_id(LONG_ID)}}
    for i in ("b", LONG_ID):
        after = cluster.indexed_sources[b.index][es_id(i)]
        assert after == {**before[i], "story": "a"} and after["body_plus"]
    b.abort()


def test_story_versions_are_whole_documents_unless_only_shown(backend, cluster):
    """indexer add/delete write back the versions they read: without extraction it was lost."""
    build(backend)
    assert {d.id: d for d in backend.story_versions(["a"])}["a"].extraction == DOCS[0].extraction
    cluster.calls.clear()
    assert {d.id: d for d in backend.story_versions(["a"], extraction=False)}["a"].extraction == {}
    (body,) = [b for m, p, b in cluster.calls if p.endswith("/_search")]
    assert body["_source"] == {"excludes": ["extraction"]}


def test_trend_counts_are_one_aggregation_per_request(backend, cluster):
    build(backend)
    cluster.calls.clear()
    cluster.search_responses += [
        {"hits": {"total": {"value": 4}, "hits": []},
         "aggregations": {"first": {"value": 1.4339e12, "value_as_string": "2015-06-10T00:00:00.000Z"},
                          "last": {"value": 1.4349e12, "value_as_string": "2015-06-21T10:00:00.000Z"}}},
        {"hits": {"total": {"value": 4}, "hits": []},
         "aggregations": {"p": {"buckets": [{"key": "2015-06-10", "doc_count": 3},
                                            {"key": "2015-06-21", "doc_count": 1}]}}}]
    request = req("داعش", facets=(), collapse=False)
    assert backend.date_span(request) == (4, "2015-06-10", "2015-06-21")
    assert backend.period_counts(request, "day", 12) == {"2015-06-10": 3, "2015-06-21": 1}
    span, counts = [body for m, p, body in cluster.calls if p.endswith("/_search")]
    assert span["size"] == 0 and span["aggs"] == {"first": {"min": {"field": "date"}}, "last": {"max": {"field": "date"}}}
    assert counts["aggs"] == {"p": {"terms": {"field": "day", "size": 12, "order": {"_key": "asc"}}}}


# ---- arrival times -----------------------------------------------------------------------------

def test_builds_stamp_arrivals_upserts_keep_them_and_the_scan_reads_them_back(backend, cluster):
    b = build(backend)
    docs = cluster.indices[b.index]["docs"]
    assert {d["arrived"] for d in docs.values()} == {b.arrived}
    cluster.calls.clear()
    backend.upsert([StoredDocument(id="a", body="نص جديد"), StoredDocument(id="z", body="جديد", digest=7)])
    mget = [(p, d) for m, p, d in cluster.calls if p.endswith("/_mget")]
    assert mget == [("/news/_mget", {"ids": ["a", "z"]})]
    assert docs["a"]["arrived"] == b.arrived and docs["z"]["arrived"] > b.arrived
    scanned = {i: (d, ms) for i, d, ms in backend.iter_arrivals()}
    from search.arrival import to_ms

    assert scanned["a"] == (None, to_ms(b.arrived)) and scanned["z"] == (7, to_ms(docs["z"]["arrived"]))
    assert set(scanned) == {"a", "b", "c", "z"} and not cluster.pits
    scans = [d for m, p, d in cluster.calls if p == "/_search"]
    assert scans[-1]["_source"] == ["id", "arrived", "digest"] and scans[-1]["sort"] == [{"id": {"order": "asc"}}]


def test_a_reindex_over_the_cli_keeps_arrival_times(cluster, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from indexer.cli import main

    be = ElasticsearchBackend(fake_client(cluster), EsConfig(bulk_chunk=2))
    monkeypatch.setattr(ElasticsearchBackend, "from_env", classmethod(lambda cls, **kw: be))
    src = tmp_path / "src"
    src.mkdir()
    (src / "one.txt").write_text("قصف قرب الفلوجة.", encoding="utf-8")
    (src / "two.txt").write_text("قافلة إلى الرمادي.", encoding="utf-8")
    args = ["reindex", "--backend", "elasticsearch", "--workers", "0", str(src)]
    assert CliRunner().invoke(main, args).exit_code == 0
    (first,) = cluster.aliases_of("news")
    before = {i: d["arrived"] for i, d in cluster.indices[first]["docs"].items()}
    (src / "two.txt").rename(src / "deux.txt")
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0 and "arrival times kept: 1 by id, 1 by content" in out.output
    (second,) = cluster.aliases_of("news")
    after = {i: d["arrived"] for i, d in cluster.indices[second]["docs"].items()}
    assert second != first and after == {"one": before["one"], "deux": before["two"]}


def test_saved_batches_and_a_store_made_before_them(backend, cluster):
    cluster.indices["news-saved"] = {"settings": {"index": {}}, "aliases": set(), "refreshes": 0, "docs": {
        "0123abcd": {"slug": "0123abcd", "name": "old", "query_string": "q=x", "created_at": "2020-01-01T00:00:00Z"}},
        "mappings": {"dynamic": "strict", "properties": {"slug": {"type": "keyword"}}}}
    store = backend.saved_searches()
    assert store.get("0123abcd").kind == "search"
    batch = store.save("قائمة", "q=x", kind="batch")
    assert batch.kind == "batch" and batch.slug != "0123abcd" and store.get(batch.slug).kind == "batch"
    assert cluster.indices["news-saved"]["mappings"]["properties"]["kind"] == {"type": "keyword"}


# ---- review findings 2-6 (each test fails on the code before the fix) ---------------------------

LONG_ID = "archive~" + "x" * 600  # ids are unbounded (own ids of JSON sources, deep paths)


def test_ids_over_512_bytes_get_a_stable_hashed_id_and_are_found_by_their_own_id(backend, cluster):
    """Finding 2: one id over 512 bytes made Elasticsearch refuse the whole bulk request."""
    twin = LONG_ID[:-1] + "y"  # same head, different tail
    docs = DOCS + [StoredDocument(id=LONG_ID, body="نص طويل المعرف عن داعش"), StoredDocument(id=twin, body="توأم")]
    b = build(backend, docs)
    assert b.indexed == 5 and not b.rejected
    assert len(es_id(LONG_ID).encode()) <= 512 and es_id(LONG_ID) == es_id(LONG_ID) != es_id(twin)
    assert es_id("a") == "a"  # short ids are their own _id
    stored = cluster.indices[b.index]["docs"]
    assert stored[es_id(LONG_ID)]["id"] == LONG_ID  # the full id, reversible
    assert backend.get(LONG_ID).id == LONG_ID and backend.get(twin).body == "توأم"
    assert backend.get(LONG_ID[:-1] + "z") is None
    assert backend.upsert([StoredDocument(id=LONG_ID, body="محدث")]) == 1 and backend.get(LONG_ID).body == "محدث"
    assert backend.delete([LONG_ID]) == 1 and backend.get(LONG_ID) is None


def test_the_replaced_index_outlives_open_points_in_time_and_the_next_build_deletes_it(cluster):
    """Finding 3: deleting the old index right after the swap broke running exports."""
    be = ElasticsearchBackend(fake_client(cluster), EsConfig(old_index_wait=0, bulk_chunk=2))
    docs = [StoredDocument(id=f"d{i}", body="نص") for i in range(5)]
    first = build(be, docs).index
    export = be.iter_matches(req(""), batch=2)  # a CSV export in progress: a point in time on `first`
    got = [next(export).id, next(export).id]
    second = build(be, docs[:1]).index
    assert first in cluster.indices and cluster.aliases_of("news") == [second]
    assert cluster.indices[first]["mappings"]["_meta"]["state"] == "retired"
    got += [d.id for d in export]  # the export finishes on its snapshot
    assert got == [d.id for d in docs] and not cluster.pits
    third = build(be, docs[:2]).index  # nothing open any more: the next build deletes the leftovers
    assert first not in cluster.indices and second not in cluster.indices and third in cluster.indices


def test_commit_waits_for_points_in_time_to_close_before_deleting(cluster, monkeypatch):
    be = ElasticsearchBackend(fake_client(cluster), EsConfig(old_index_wait=60))
    first = build(be).index
    export = be.iter_matches(req(""), batch=1)
    next(export)
    waited = []

    def sleep(seconds):  # the export finishes while commit waits
        waited.append(seconds)
        export.close()

    monkeypatch.setattr("search.backends.elasticsearch_backend.time.sleep", sleep)
    build(be)
    assert waited == [5.0] and first not in cluster.indices


def test_an_unused_old_index_is_deleted_at_once(backend, cluster):
    first = build(backend).index
    build(backend)
    assert first not in cluster.indices


def test_two_racing_first_builds_cannot_both_hold_the_alias(backend, cluster):
    """Finding 4: with no alias yet, both swaps were plain adds and both succeeded."""
    one, two = backend.new_build(), backend.new_build()
    for b in (one, two):
        for d in DOCS:
            b.add(d)
    real = backend._alias_targets

    def racing():  # `two` reads "no alias yet", then `one` publishes before `two` swaps
        seen = real()
        backend._alias_targets = real
        one.commit({"sources": ["one"]})
        return seen

    backend._alias_targets = racing
    with pytest.raises(BackendError, match="more than one write index"):
        two.commit({"sources": ["two"]})
    assert cluster.aliases_of("news") == [one.index] and two.index not in cluster.indices
    assert backend.upsert([StoredDocument(id="n", body="جديد")]) == 1  # writes through the alias work
    assert backend.get("n") is not None


def test_no_node_side_word_list_is_needed(backend, cluster):
    """Finding 5: ES_DECOMPOUND_WORD_LIST_PATH needed a file nothing wrote. Elasticsearch no
    longer decompounds (it receives the Python chains' terms), so no setting names a file."""
    index = build(backend).index
    settings = cluster.indices[index]["settings"]
    text = json.dumps(settings)
    assert "dictionary_decompounder" not in text and "word_list" not in text and "_path" not in text
    assert "decompound_word_list_path" not in {f.name for f in __import__("dataclasses").fields(EsConfig)}


def test_the_index_carries_its_own_highlight_limit_and_searches_ask_for_no_es_highlighting(backend, cluster):
    """Finding 6: max_analyzed_offset was only sent per request, above a template's lower limit."""
    index = build(backend).index
    created = [d for m, p, d in cluster.calls if m == "PUT" and p == f"/{index}"][0]
    assert created["settings"]["index"]["highlight"]["max_analyzed_offset"] >= 1_000_000
    backend.search(req("داعش"))
    assert all("highlight" not in d for m, p, d in cluster.calls if p.endswith("_search"))


def test_documents_carry_the_python_terms_but_store_only_the_original_text(backend, cluster):
    """Finding 1: Elasticsearch indexes the Python chains' output (see test_es_lucene_parity)."""
    from search.analysis import joined_terms
    from search.backends.common import GAP

    index = build(backend).index
    sent = cluster.indexed_sources[index]["a"]
    assert sent["body_plus"] == joined_terms("arabic_plus", DOCS[0].body, GAP)
    assert sent["title_exact"] == joined_terms("arabic_exact", DOCS[0].title, GAP)
    stored = cluster.indices[index]["docs"]["a"]
    assert stored["body"] == DOCS[0].body and not any(k.endswith(("_plus", "_exact")) for k in stored)


def test_the_continuation_reads_the_complete_stories_then_searches_without_them(backend, cluster):
    """The fake matches every document: what is checked is what is sent and how it is read."""
    from search.continuation import continue_page

    build(backend)
    assert backend.story_ids(req("داعش الموصل"), 10) == ("a", "b", "c")  # each its own story
    assert backend.story_ids(req("داعش الموصل"), 2) is None  # more than the limit
    body = [b for m, p, b in cluster.calls if p.endswith("/_search")][-1]
    assert body["aggs"] == {"s": {"terms": {"field": "story", "size": 3}}} and body["size"] == 0
    cluster.calls.clear()
    request = req("داعش الموصل", page_size=2, facets=())
    result, cont = continue_page(backend, request, backend.search(request))
    searches = [b for m, p, b in cluster.calls if p.endswith("/_search")]
    # the page, the complete stories, then the continuation (count only: the page is full)
    partial = searches[2]
    assert partial["size"] == 0 and "collapse" not in partial
    assert {"terms": {"story": ["a", "b", "c"]}} in partial["query"]["bool"]["must_not"]
    assert cont.complete == 3 and cont.units == ["داعش", "الموصل"] and cont.start is None
