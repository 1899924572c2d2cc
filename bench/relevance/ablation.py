"""Ablation machinery for the relevance benchmark: analysis chains with one feature turned
off, an index holding every chain's fields, and run configurations that choose which fields
a query is expanded over.

Nothing here changes the product. The production chains (``arabic``, ``arabic_plus``,
``arabic_exact``) are used as they are, under their production field names, so the full
configuration is compiled by the production planner (``search.query.plan.lower_query``)
itself. The ablation chains are derived from the production ``arabic_plus`` /
``arabic_exact`` definitions by deleting the components of one feature, so they follow any
change the definitions go through; if a component is renamed the script stops instead of
silently measuring something else.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import tantivy

from search.analysis import ANALYZER_VERSION, analyze_field, definition
from search.analysis.analyzer import get_analyzer
from search.backends.tantivy_query import compile_clause
from search.backends.tantivy_schema import GAP, create_index, open_index
from search.fields import TEXT_SCOPES, text_field
from search.query.plan import Bool, Clause, PhraseTerms, Term, lower_query
from search.query.ranking import Ranking
from search.query.tree import And, MatchAll, Node, Not, Or, Phrase, Prefix, Word

# The components each improvement adds to Lucene's chain (names in search/analysis/definition.py).
FEATURES: dict[str, dict[str, tuple[str, ...]]] = {
    "variants": {"char_filter": ("arabic_variants",), "filter": ()},
    "digits": {"char_filter": (), "filter": ("arabic_digit_grouping", "arabic_decimal_separator")},
    "decompound": {"char_filter": (), "filter": ("arabic_decompounder",)},
}
PRODUCTION_CHAINS = ("arabic", "arabic_plus", "arabic_exact")
# The scoring this benchmark was built for (before issue 16): every match of a word in
# title (x2) and body, Lucene's and the plus chain (x0.5), summed. Issue 16's ranking
# (search/query/ranking.py) is the experiment x_ranking16 below.
SCOPE_BOOST = {"title": 2.0, "body": 1.0}
CHAIN_BOOST = {"arabic": 1.0, "arabic_plus": 0.5, "arabic_exact": 1.0}
LEGACY_RANKING = Ranking(combine="sum", title=2.0, plus=0.5, tie_breaker=0.0, phrase_plus=0.0, proximity=0.0,
                         name_pairs=False, relax_from=0, coverage=0.0)
PREFIX = "rel_"  # ablation chains are registered under private names, in this process only


def _without(chain: str, *features: str) -> dict:
    spec = copy.deepcopy(definition.CHAIN_DEFINITIONS[chain])
    for feature in features:
        for kind, names in FEATURES[feature].items():
            for name in names:
                if name not in spec[kind]:
                    raise RuntimeError(f"chain {chain!r} has no {kind} {name!r}: update bench/relevance/ablation.py")
                spec[kind].remove(name)
    return spec


def ablation_specs() -> dict[str, dict]:
    """Private chain name -> chain definition (same format as definition.CHAIN_DEFINITIONS)."""
    return {
        # cumulative steps between Lucene's chain and arabic_plus
        PREFIX + "plus_v": _without("arabic_plus", "digits", "decompound"),
        PREFIX + "plus_vd": _without("arabic_plus", "decompound"),
        # leave-one-out from the full system (plus and exact chains alike)
        PREFIX + "plus_dc": _without("arabic_plus", "variants"),
        PREFIX + "plus_vc": _without("arabic_plus", "digits"),
        PREFIX + "exact_dc": _without("arabic_exact", "variants"),
        PREFIX + "exact_vc": _without("arabic_exact", "digits"),
        PREFIX + "exact_vd": _without("arabic_exact", "decompound"),
    }


def register_ablation_chains() -> None:
    """Make the ablation chains known to search.analysis (this process and its forks only)."""
    for name, spec in ablation_specs().items():
        definition.CHAIN_DEFINITIONS.setdefault(name, spec)


ALL_CHAINS = PRODUCTION_CHAINS + tuple(ablation_specs())


def field_name(scope: str, chain: str) -> str:
    return text_field(scope, chain) if chain in PRODUCTION_CHAINS else f"{scope}__{chain}"


def chain_boost(chain: str) -> float:
    if chain in PRODUCTION_CHAINS:
        return CHAIN_BOOST[chain]
    return CHAIN_BOOST["arabic_exact" if "exact" in chain else "arabic_plus"]


def fingerprint() -> str:
    """Changes whenever any chain's token output could change (rebuild the index then)."""
    h = hashlib.sha256()
    h.update(ANALYZER_VERSION.encode())
    h.update(json.dumps({c: definition.CHAIN_DEFINITIONS.get(c) for c in PRODUCTION_CHAINS}, sort_keys=True).encode())
    h.update(json.dumps(ablation_specs(), sort_keys=True).encode())
    return h.hexdigest()[:12]


# ---- index ---------------------------------------------------------------------------------

def build_schema() -> tantivy.Schema:
    from search.backends.tantivy_schema import PRETOKENIZED

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    for scope in TEXT_SCOPES:
        for chain in ALL_CHAINS:
            sb.add_text_field(field_name(scope, chain), tokenizer_name=PRETOKENIZED)
    sb.add_bytes_field("meta", stored=True, indexed=False)
    return sb.build()


def _analyze(doc) -> tuple[str, dict[str, str], bytes]:
    fields = {}
    for scope, text in (("title", doc.title), ("body", doc.body)):
        if text:
            for chain in ALL_CHAINS:
                fields[field_name(scope, chain)] = get_analyzer(chain).joined_terms(text, GAP)
    meta = {"title": doc.title, "body": doc.body, "date": doc.date, "source": doc.source, "url": doc.url}
    return doc.id, fields, json.dumps(meta, ensure_ascii=False).encode("utf-8")


def _worker_init() -> None:
    register_ablation_chains()


def build_index(corpus: str, root: Path, workers: int = 2, log=print) -> dict:
    """Index every document of ``corpus`` (as indexer.sources reads it) into ``root``."""
    import multiprocessing as mp
    import shutil

    from indexer.sources import iter_documents

    register_ablation_chains()
    problems: list = []
    tmp = root.with_name(root.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    schema = build_schema()
    index = create_index(schema, str(tmp))
    writer = index.writer(256_000_000, 1)
    started = time.perf_counter()
    docs = iter_documents([corpus], problems.append)
    n = 0
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, initializer=_worker_init) if workers > 1 else _Serial() as pool:
        for doc_id, fields, meta in pool.imap(_analyze, docs, chunksize=64):
            d = tantivy.Document()
            d.add_text("id", doc_id)
            for name, terms in fields.items():
                d.add_text(name, terms)
            d.add_bytes("meta", meta)
            writer.add_document(d)
            n += 1
            if n % 5000 == 0:
                log(f"  indexed {n} documents ({time.perf_counter() - started:.0f} s)")
    writer.commit()
    writer.wait_merging_threads()
    info = {"fingerprint": fingerprint(), "analyzer_version": ANALYZER_VERSION, "corpus": os.path.abspath(corpus),
            "documents": n, "skipped": len(problems), "seconds": round(time.perf_counter() - started, 1),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    (tmp / "relevance-build.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    shutil.rmtree(root, ignore_errors=True)
    os.rename(tmp, root)
    return info


class _Serial:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def imap(fn, items, chunksize=1):
        return map(fn, items)


def open_or_build(corpus: str, root: Path, rebuild: bool = False, workers: int = 2, log=print):
    register_ablation_chains()
    info_path = root / "relevance-build.json"
    info = json.loads(info_path.read_text()) if info_path.exists() else None
    if rebuild or info is None or info.get("fingerprint") != fingerprint():
        why = "requested" if rebuild else ("missing" if info is None else "analysis changed")
        log(f"building the relevance index at {root} ({why}); this takes several minutes")
        info = build_index(corpus, root, workers=workers, log=log)
    return open_index(str(root)), info


# ---- configurations ------------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    name: str
    label: str
    word_chains: tuple[str, ...]  # a query word is expanded over these chains' title/body fields
    phrase: str  # "stemmed": a quoted phrase is a phrase query over the word chains' fields;
    #              or the name of the chain whose fields take quoted phrases (unstemmed)


CUMULATIVE = [
    Config("c1_lucene", "(1) Lucene ArabicAnalyzer only (= ES built-in `arabic`)", ("arabic",), "stemmed"),
    Config("c2_variants", "(2) + spelling-variant folding", ("arabic", PREFIX + "plus_v"), "stemmed"),
    Config("c3_digits", "(3) + digit unification", ("arabic", PREFIX + "plus_vd"), "stemmed"),
    Config("c4_decompound", "(4) + decompounding (= production word chains)", ("arabic", "arabic_plus"), "stemmed"),
    Config("c5_exact_phrases", "(5) + exact-field phrases (= production chains, scoring before issue 16)", ("arabic", "arabic_plus"), "arabic_exact"),
]
LEAVE_ONE_OUT = [
    Config("full_minus_variants", "production − variant folding", ("arabic", PREFIX + "plus_dc"), PREFIX + "exact_dc"),
    Config("full_minus_digits", "production − digit unification", ("arabic", PREFIX + "plus_vc"), PREFIX + "exact_vc"),
    Config("full_minus_decompound", "production − decompounding", ("arabic", PREFIX + "plus_vd"), PREFIX + "exact_vd"),
]
# Not a product configuration: a candidate fix suggested by the results (quoted phrases
# lose clitic forms such as للحرس الثوري in the unstemmed field). The exact phrase keeps its
# weight; the stemmed phrase is added as a low-weight alternative.
FALLBACK_BOOST = 0.25
EXPERIMENTS = [
    Config("x_phrase_fallback", f"(x) production + stemmed-phrase fallback (boost {FALLBACK_BOOST})",
           ("arabic", "arabic_plus"), "fallback:arabic_exact"),
    Config("x_ranking16", "(x) issue 16's ranking (search/query/ranking.py, the product now)",
           ("arabic", "arabic_plus"), "ranking16"),
]
CONFIGS = CUMULATIVE + LEAVE_ONE_OUT + EXPERIMENTS
PRODUCTION = "c5_exact_phrases"
# (before, after) pairs whose difference is one improvement.
COMPARISONS = [(a.name, b.name) for a, b in pairwise(CUMULATIVE)] + [
    (c.name, PRODUCTION) for c in LEAVE_ONE_OUT] + [(PRODUCTION, c.name) for c in EXPERIMENTS]


def lower(node: Node, config: Config) -> Clause | None:
    """The query tree as a plan clause under ``config``; mirrors search/query/plan.py."""
    if config.phrase == "ranking16":
        clause = lower_query(node)
        return None if isinstance(clause, All_().__class__) else clause
    if isinstance(node, MatchAll):
        return None
    if isinstance(node, Word):
        return _expand(node, config.word_chains)
    if isinstance(node, Phrase):
        if config.phrase == "stemmed":
            return _expand(node, config.word_chains)
        if config.phrase.startswith("fallback:"):
            exact = _expand(node, (config.phrase.split(":", 1)[1],), phrase=True)
            stemmed = _expand(node, config.word_chains, scale=FALLBACK_BOOST)
            parts = tuple(c for c in (exact, stemmed) if c is not None)
            return Bool(should=parts) if parts else None
        return _expand(node, (config.phrase,), phrase=True)
    if isinstance(node, Prefix):
        raise NotImplementedError("prefix queries are not part of this benchmark")
    if isinstance(node, Not):
        inner = lower(node.child, config)
        return None if inner is None else Bool(must=(All_(),), must_not=(inner,))
    if isinstance(node, And):
        must = [c for c in (lower(ch, config) for ch in node.children if not isinstance(ch, Not)) if c is not None]
        must_not = [c for c in (lower(ch.child, config) for ch in node.children if isinstance(ch, Not)) if c is not None]
        if not must and not must_not:
            return None
        if len(must) == 1 and not must_not:
            return must[0]
        return Bool(must=tuple(must or [All_()]), must_not=tuple(must_not))
    if isinstance(node, Or):
        parts = [p for p in (lower(c, config) for c in node.children) if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Bool(should=tuple(parts))
    raise TypeError(node)


def All_():
    from search.query.plan import All

    return All()


def _expand(node, chains: tuple[str, ...], phrase: bool = False, scale: float = 1.0) -> Clause | None:
    options: list[Clause] = []
    for scope in node.fields:
        for chain in chains:
            tokens = analyze_field(chain, node.text)
            boost = SCOPE_BOOST[scope] * (1.0 if phrase else chain_boost(chain)) * scale
            fld = field_name(scope, chain)
            if len(tokens) == 1:
                options.append(Term(fld, tokens[0].term, boost))
            elif tokens:
                base = tokens[0].position
                options.append(PhraseTerms(fld, tuple(t.term for t in tokens),
                                           tuple(t.position - base for t in tokens), boost))
    if not options:
        return None
    return Bool(should=tuple(dict.fromkeys(options)))


def production_clause(node: Node) -> Clause:
    """What the product's planner sends to the engine for this query under the scoring this
    benchmark measures (LEGACY_RANKING; issue 16's ranking is x_ranking16)."""
    return lower_query(node, LEGACY_RANKING)


def check_production_equivalence(nodes: list[Node]) -> list[str]:
    """Queries whose planner output differs from the benchmark's c5 lowering (should be none)."""
    config = next(c for c in CONFIGS if c.name == PRODUCTION)
    bad = []
    for node in nodes:
        mine = lower(node, config)
        if mine is None:
            mine = All_()
        if mine != production_clause(node):
            bad.append(repr(node))
    return bad


_ID_CACHE: dict[tuple[int, int, int], str] = {}


def run(searcher: tantivy.Searcher, schema: tantivy.Schema, clause: Clause, depth: int) -> list[str]:
    """Document ids of the top ``depth`` hits, best first (ties: tantivy's order)."""
    query = compile_clause(schema, clause)
    result = searcher.search(query, limit=depth, count=False)
    out = []
    for _, addr in result.hits:
        key = (id(searcher), addr.segment_ord, addr.doc)
        doc_id = _ID_CACHE.get(key)
        if doc_id is None:
            doc_id = _ID_CACHE[key] = searcher.doc(addr)["id"][0]
        out.append(doc_id)
    return out
