"""Pooling and judging aids for the relevance set.

    .venv/bin/python bench/relevance/pool.py try "query text" [--depth 10]
        hit counts and top titles per configuration (for writing queries)
    .venv/bin/python bench/relevance/pool.py sheet [QID ...] [--depth 20] [--all]
        the judging sheet: the union of every configuration's top ``depth`` for each query,
        documents not yet in qrels.tsv only (``--all``: every pooled document), sorted by
        id so that nothing tells which configuration retrieved a document; each with its
        title, date, source, lead and the body sentences that contain query terms.
    .venv/bin/python bench/relevance/pool.py stats
        pool sizes, judged and relevant counts per query

Judgments are written by hand into qrels.tsv (``qid 0 docid grade``).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import ablation as A  # noqa: E402
from metrics import load_qrels, load_queries  # noqa: E402

from search.analysis import analyze_field  # noqa: E402
from search.query.parser import parse  # noqa: E402
from search.query.tree import Phrase, Word, positive_text_nodes  # noqa: E402

CORPUS = "/work/shared/data/saudinewsnet"
INDEX = ROOT / "bench" / "out" / "relevance-index"
_SENTENCE = re.compile(r"[^.!?؟\n]+[.!?؟]?")


def _open():
    index, _ = A.open_or_build(CORPUS, INDEX, log=lambda m: print(m, file=sys.stderr))
    return index.searcher(), A.build_schema()


def rankings(searcher, schema, text: str, depth: int) -> dict[str, list[str]]:
    tree = parse(text).tree
    out = {}
    for config in A.CONFIGS:
        clause = A.lower(tree, config)
        out[config.name] = A.run(searcher, schema, clause, depth) if clause is not None else []
    return out


def count(searcher, schema, text: str, config) -> int:
    from search.backends.tantivy_query import compile_clause

    clause = A.lower(parse(text).tree, config)
    return searcher.search(compile_clause(schema, clause), limit=1, count=True).count


def fetch(searcher, schema, doc_id: str) -> dict:
    import tantivy

    q = tantivy.Query.term_query(schema, "id", doc_id, index_option="basic")
    hits = searcher.search(q, limit=1).hits
    d = searcher.doc(hits[0][1]).to_dict()
    return json.loads(bytes(d["meta"][0]).decode("utf-8"))


def query_terms(text: str) -> dict[str, set[str]]:
    terms: dict[str, set[str]] = {c: set() for c in ("arabic", "arabic_plus", "arabic_exact")}
    for node in positive_text_nodes(parse(text).tree):
        if isinstance(node, (Word, Phrase)):
            for chain in terms:
                terms[chain].update(t.term for t in analyze_field(chain, node.text))
    return terms


def passages(text: str, terms: dict[str, set[str]], n: int = 3, width: int = 320) -> list[str]:
    scored = []
    for m in _SENTENCE.finditer(text):
        s = m.group().strip()
        if len(s) < 3:
            continue
        found = set()
        for chain, wanted in terms.items():
            found.update(t.term for t in analyze_field(chain, s) if t.term in wanted)
        if found:
            scored.append((len(found), -m.start(), s))
    scored.sort(reverse=True)
    out = []
    for _, _, s in scored[:n]:
        out.append(s if len(s) <= width else s[:width] + "…")
    return out


def cmd_try(args) -> None:
    """Compact: hit count per configuration, then the union of the top ``depth`` with the
    configurations (by number, see the legend) that rank each document there."""
    searcher, schema = _open()
    runs = rankings(searcher, schema, args.query, args.depth)
    print("  ".join(f"{i}:{c.name}={count(searcher, schema, args.query, c)}" for i, c in enumerate(A.CONFIGS, 1)))
    union = []
    for config in A.CONFIGS:
        union += [d for d in runs[config.name] if d not in union]
    for doc_id in union:
        marks = "".join(str(i) if doc_id in runs[c.name] else "." for i, c in enumerate(A.CONFIGS, 1))
        meta = fetch(searcher, schema, doc_id)
        print(f"{marks} {doc_id.replace('.zip~', '~').replace('.json', '')} {(meta.get('date') or '')[5:10]} "
              f"{(meta.get('title') or '')[:80]}")


def cmd_sheet(args) -> None:
    searcher, schema = _open()
    qrels = load_qrels()
    queries = [q for q in load_queries() if not args.qids or q["id"] in args.qids]
    for q in queries:
        runs = rankings(searcher, schema, q["query"], args.depth)
        pool = sorted({d for r in runs.values() for d in r})
        todo = pool if args.all else [d for d in pool if d not in qrels.get(q["id"], {})]
        print(f"######## {q['id']}  query: {q['query']}")
        print(f"need: {q['need']}")
        print(f"pool {len(pool)}, to judge {len(todo)}")
        terms = query_terms(q["query"])
        for doc_id in todo:
            meta = fetch(searcher, schema, doc_id)
            body = meta.get("body") or ""
            print(f"--- {doc_id} | {(meta.get('date') or '')[:10]} | {meta.get('source')} | {len(body)} chars")
            print(f"T: {meta.get('title')}")
            print(f"L: {body[:args.lead]}")
            for p in passages(body, terms, n=args.passages):
                print(f"P: {p}")
        print()


def cmd_stats(args) -> None:
    searcher, schema = _open()
    qrels = load_qrels()
    for q in load_queries():
        runs = rankings(searcher, schema, q["query"], args.depth)
        pool = {d for r in runs.values() for d in r}
        judged = qrels.get(q["id"], {})
        missing = len(pool - set(judged))
        rel = sum(1 for g in judged.values() if g > 0)
        print(f"{q['id']}: pool {len(pool)}, unjudged in pool {missing}, judged {len(judged)}, relevant {rel}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("try")
    t.add_argument("query")
    t.add_argument("--depth", type=int, default=10)
    s = sub.add_parser("sheet")
    s.add_argument("qids", nargs="*")
    s.add_argument("--depth", type=int, default=20)
    s.add_argument("--all", action="store_true")
    s.add_argument("--lead", type=int, default=200)
    s.add_argument("--passages", type=int, default=2)
    st = sub.add_parser("stats")
    st.add_argument("--depth", type=int, default=20)
    args = p.parse_args(argv)
    {"try": cmd_try, "sheet": cmd_sheet, "stats": cmd_stats}[args.cmd](args)


if __name__ == "__main__":
    main()
