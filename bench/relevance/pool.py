"""Pooling and judging aids for the relevance set.

    .venv/bin/python bench/relevance/pool.py try "query text" [--depth 10]
        hit counts and top titles per configuration (for writing queries)
    .venv/bin/python bench/relevance/pool.py sheet [QID ...] [--all]
        the judging sheet: the union of every configuration's top ``depth`` for each query,
        documents not yet in qrels.tsv only (``--all``: every pooled document), sorted by
        id so that nothing tells which configuration retrieved a document; each with its
        title, date, source, lead and the body sentences that contain query terms.
    .venv/bin/python bench/relevance/pool.py stats
        pool sizes, judged and relevant counts per query
    .venv/bin/python bench/relevance/pool.py recheck [--n 40] / agree "1:2 2:0 ..."
        blind second judgment of a random sample of judged pairs (writes rejudge.tsv)

Judgments are written by hand into qrels.tsv (``qid 0 docid grade``).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import ablation as A
from metrics import load_qrels, load_queries
from passages import passages

from search.analysis import analyze_field
from search.query.parser import parse
from search.query.tree import Phrase, Word, positive_text_nodes

CORPUS = "/work/shared/data/saudinewsnet"
INDEX = ROOT / "bench" / "out" / "relevance-index"


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


# The pool of a query: every configuration's top POOL_DEPTH, plus the documents that an
# improvement moves into or out of the top DIFF_DEPTH (symmetric difference of the two
# configurations' top DIFF_DEPTH), so that recall gains and losses below rank 20 are judged.
POOL_DEPTH = 20
DIFF_DEPTH = 100


def pool_docs(runs: dict[str, list[str]]) -> set[str]:
    pool = {d for r in runs.values() for d in r[:POOL_DEPTH]}
    for a, b in A.COMPARISONS:
        pool |= set(runs[a][:DIFF_DEPTH]) ^ set(runs[b][:DIFF_DEPTH])
    return pool


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
            for chain, found in terms.items():
                found.update(t.term for t in analyze_field(chain, node.text))
    return terms


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


SHEETS = ROOT / "bench" / "out" / "relevance-sheets"


def _title_key(title: str | None) -> str | None:
    t = " ".join((title or "").split())
    return t if len(t) >= 25 else None


def cmd_sheet(args) -> None:
    """Numbered, blind judging sheet; identical long titles (wire copies) form one item."""
    searcher, schema = _open()
    qrels = load_qrels()
    SHEETS.mkdir(parents=True, exist_ok=True)
    queries = [q for q in load_queries() if not args.qids or q["id"] in args.qids]
    for q in queries:
        runs = rankings(searcher, schema, q["query"], DIFF_DEPTH)
        pool = sorted(pool_docs(runs))
        todo = pool if args.all else [d for d in pool if d not in qrels.get(q["id"], {})]
        items: list[list[str]] = []
        by_title: dict[str, int] = {}
        metas = {}
        for doc_id in todo:
            meta = metas[doc_id] = fetch(searcher, schema, doc_id)
            key = _title_key(meta.get("title"))
            if key is not None and key in by_title:
                items[by_title[key]].append(doc_id)
                continue
            if key is not None:
                by_title[key] = len(items)
            items.append([doc_id])
        (SHEETS / f"{q['id']}.json").write_text(json.dumps(items), encoding="utf-8")
        print(f"######## {q['id']}  query: {q['query']}")
        print(f"need: {q['need']}")
        print(f"pool {len(pool)}, to judge {len(todo)} in {len(items)} items")
        terms = query_terms(q["query"])
        for n, members in enumerate(items, 1):
            meta = metas[members[0]]
            body = meta.get("body") or ""
            copies = f" x{len(members)}" if len(members) > 1 else ""
            print(f"[{n}]{copies} {(meta.get('date') or '')[5:10]} T: {meta.get('title')}")
            ps = passages(body, terms, n=args.passages, width=args.width)
            if args.lead and (not ps or args.always_lead):
                print(f"   L: {body[:args.lead]}")
            for p in ps:
                print(f"   P: {p}")
        print()


def cmd_record(args) -> None:
    """Append grades ``n:g`` (item number from the last sheet of the query) to qrels.tsv."""
    from metrics import QRELS

    items = json.loads((SHEETS / f"{args.qid}.json").read_text(encoding="utf-8"))
    qrels = load_qrels()
    grades = {}
    for tok in args.grades.replace(",", " ").split():
        n, _, g = tok.partition(":")
        if "-" in n:
            lo, hi = map(int, n.split("-"))
            for k in range(lo, hi + 1):
                grades[k] = int(g)
        else:
            grades[int(n)] = int(g)
    missing = [n for n in range(1, len(items) + 1) if n not in grades]
    if missing and not args.partial:
        raise SystemExit(f"no grade for items {missing}")
    lines = []
    for n, g in sorted(grades.items()):
        if g not in (0, 1, 2):
            raise SystemExit(f"bad grade {g}")
        for doc_id in items[n - 1]:
            if doc_id not in qrels.get(args.qid, {}):
                lines.append(f"{args.qid} 0 {doc_id} {g}")
    with open(QRELS, "a", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))
    print(f"{args.qid}: recorded {len(lines)} judgments")


def cmd_copy(args) -> None:
    """Copy judgments of pooled documents from a query with the same need."""
    from metrics import QRELS

    searcher, schema = _open()
    q = next(q for q in load_queries() if q["id"] == args.qid)
    qrels = load_qrels()
    pool = pool_docs(rankings(searcher, schema, q["query"], DIFF_DEPTH))
    source = qrels.get(args.source, {})
    lines = [f"{args.qid} 0 {d} {source[d]}" for d in sorted(pool)
             if d in source and d not in qrels.get(args.qid, {})]
    with open(QRELS, "a", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))
    print(f"{args.qid}: copied {len(lines)} judgments from {args.source}")


def cmd_recheck(args) -> None:
    """A blind second judgment of a random sample of judged pairs (judge self-agreement)."""
    import random

    searcher, schema = _open()
    qrels = load_qrels()
    queries = {q["id"]: q for q in load_queries()}
    pairs = sorted((qid, d) for qid, j in qrels.items() for d in j)
    sample = random.Random(args.seed).sample(pairs, args.n)
    SHEETS.mkdir(parents=True, exist_ok=True)
    (SHEETS / "recheck.json").write_text(json.dumps(sample), encoding="utf-8")
    for n, (qid, doc_id) in enumerate(sample, 1):
        q = queries[qid]
        meta = fetch(searcher, schema, doc_id)
        body = meta.get("body") or ""
        print(f"[{n}] {qid} query: {q['query']}")
        print(f"   need: {q['need']}")
        print(f"   T: {meta.get('title')}")
        print(f"   L: {body[:args.lead]}")
        for p in passages(body, query_terms(q["query"]), n=args.passages, width=args.width):
            print(f"   P: {p}")


def cmd_agree(args) -> None:
    """Record the second judgments of the last recheck sheet and report agreement."""
    sample = json.loads((SHEETS / "recheck.json").read_text(encoding="utf-8"))
    qrels = load_qrels()
    second = {}
    for tok in args.grades.split():
        n, _, g = tok.partition(":")
        second[int(n)] = int(g)
    if sorted(second) != list(range(1, len(sample) + 1)):
        raise SystemExit("grade every item of the recheck sheet")
    rows = [(qid, doc, qrels[qid][doc], second[n]) for n, (qid, doc) in enumerate(sample, 1)]
    out = HERE / "rejudge.tsv"
    out.write_text("# qid docid first_grade second_grade (blind re-judgment of a random sample)\n"
                   + "".join(f"{a} {b} {c} {d}\n" for a, b, c, d in rows), encoding="utf-8")
    exact = sum(c == d for _, _, c, d in rows) / len(rows)
    binary = sum((c > 0) == (d > 0) for _, _, c, d in rows) / len(rows)
    print(f"{len(rows)} pairs: same grade {exact:.2f}, same relevant/non-relevant {binary:.2f}; wrote {out}")


def cmd_stats(args) -> None:
    searcher, schema = _open()
    qrels = load_qrels()
    for q in load_queries():
        runs = rankings(searcher, schema, q["query"], DIFF_DEPTH)
        pool = pool_docs(runs)
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
    s.add_argument("--all", action="store_true")
    s.add_argument("--lead", type=int, default=160)
    s.add_argument("--always-lead", action="store_true")
    s.add_argument("--passages", type=int, default=2)
    s.add_argument("--width", type=int, default=230)
    r = sub.add_parser("record")
    r.add_argument("qid")
    r.add_argument("grades", help="'1:2 2:0 3-7:0 ...' (item numbers of the last sheet)")
    r.add_argument("--partial", action="store_true")
    c = sub.add_parser("copy")
    c.add_argument("qid")
    c.add_argument("source")
    sub.add_parser("stats")
    rc = sub.add_parser("recheck")
    rc.add_argument("--n", type=int, default=40)
    rc.add_argument("--seed", type=int, default=2015)
    rc.add_argument("--lead", type=int, default=160)
    rc.add_argument("--passages", type=int, default=1)
    rc.add_argument("--width", type=int, default=200)
    ag = sub.add_parser("agree")
    ag.add_argument("grades", help="'1:2 2:0 ...' for every item of the recheck sheet")
    args = p.parse_args(argv)
    {"try": cmd_try, "sheet": cmd_sheet, "record": cmd_record, "copy": cmd_copy, "stats": cmd_stats,
     "recheck": cmd_recheck, "agree": cmd_agree}[args.cmd](args)


if __name__ == "__main__":
    main()
