"""Pooling and blind judging for the ranking study (bench/relevance/ranking/).

    .venv/bin/python bench/relevance/ranking/judge.py sheet [QID ...] [--extra NAME ...]
        the judging sheet of each query: the union of every pooled system's top 20 (plus the
        top 20 of the --extra configurations of evaluate.py, for the ones chosen later), the
        documents not yet in qrels.tsv only, in a random order fixed per query (nothing tells
        which system retrieved a document); copies of one text (5-shingle Jaccard >= 0.8)
        form one item. Each item: title, date, source, the lead and the passages with
        query words.
    .venv/bin/python bench/relevance/ranking/judge.py record QID "1:2 2:0 3-7:0 ..."
        writes the grades of the last sheet of QID to qrels.tsv (every copy of an item)
    .venv/bin/python bench/relevance/ranking/judge.py regrade QID "N:g ..."
        corrects items of the last sheet of QID already recorded (a slip noticed later)
    .venv/bin/python bench/relevance/ranking/judge.py show QID N [N ...]
        the whole text of items of the last sheet of QID (for items the sheet cannot decide)
    .venv/bin/python bench/relevance/ranking/judge.py stats
        pool size, judged and relevant counts per query

Grades follow the guidelines in bench/relevance/README.md ("Judging the ranking set").
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))  # first: this folder's evaluate.py, not bench/relevance's

import systems as S  # noqa: E402
from stories import SAME_TEXT_THRESHOLD, Stories  # noqa: E402

from metrics import load_qrels, load_queries  # noqa: E402
from passages import passages  # noqa: E402

CORPUS = "/work/shared/data/saudinewsnet"
INDEX = Path(os.environ.get("RANKING_INDEX", S.ROOT / "bench" / "out" / "ranking-index"))
SHEETS = S.ROOT / "bench" / "out" / "ranking-sheets"
QUERIES = HERE / "queries.jsonl"
QRELS = Path(os.environ.get("RANKING_QRELS", HERE / "qrels.tsv"))  # a judge's own file, merged later
POOL_DEPTH = 20


def open_index(path: Path = INDEX):
    index, _ = S.open_or_build(CORPUS, path, log=lambda m: print(m, file=sys.stderr))
    index.reload()
    return index.searcher(), S.build_schema()


# The final needs (f01-f40) are pooled from the systems the final check reports: the
# baseline, the two references and the two choices (README, "A second, final check");
# issue 16's choice is `union16` now. Issue 17 added the production ranking as the results
# page lists it (with and without one hit per story): their unjudged top 20 were judged.
FINAL_POOLED = ("es_default", "lucene_and", "before", "production_v1", "union16")
ADDED_17 = ("production", "production_versions")
# The third needs (g01-g60, written before any system ran on them) are pooled from the
# baseline (as sent and collapsed), the ranking as issue 17 left it and the grid choice made
# after f01-f40 became development data, each as the page shows it and with every version;
# later configurations' unjudged top 20 are judged as --extra sheets.
THIRD_POOLED = ("es_default", "es_default_collapsed", "issue17", "issue17_versions", "tuned", "tuned_versions")
# The fourth needs (h01-h80, written before any system ran on them): the baseline (as sent
# and collapsed), the ranking now (checked4, the product's RANKING when they were pooled)
# and the one the third check scored, each as the page shows it and with every version.
FOURTH_POOLED = ("es_default", "es_default_collapsed", "checked4", "checked4_versions", "checked3", "checked3_versions")


def pooled_systems(extra: list[str] = (), qid: str = "n") -> list[S.System]:
    from evaluate import named_configs

    if qid.startswith("f"):
        systems = [c for c in S.POOLED + named_configs() if c.name in FINAL_POOLED]
    elif qid.startswith("g"):
        systems = [c for c in S.POOLED + named_configs() if c.name in THIRD_POOLED]
    elif qid.startswith("h"):
        systems = [c for c in S.POOLED + named_configs() if c.name in FOURTH_POOLED]
    else:
        systems = list(S.POOLED)
    if extra:
        systems += [c for c in named_configs() if c.name in extra and c not in systems]
    return systems


def pool(searcher, schema, text: str, systems) -> list[str]:
    docs: list[str] = []
    for system in systems:
        for d in S.ranked(searcher, schema, system, text, POOL_DEPTH):
            if d not in docs:
                docs.append(d)
    return docs


def query_terms(text: str) -> dict[str, set[str]]:
    terms: dict[str, set[str]] = {c: set() for c in ("arabic", "arabic_plus", "arabic_exact")}
    for node in S._text_nodes(text):
        for chain, found in terms.items():
            found.update(t.term for t in S.analyze_field(chain, node.text))
    return terms


def cmd_sheet(args) -> None:
    searcher, schema = open_index()
    qrels = load_qrels(QRELS)
    SHEETS.mkdir(parents=True, exist_ok=True)
    metas: dict[str, dict] = {}

    def meta(doc_id):
        if doc_id not in metas:
            metas[doc_id] = S.fetch(searcher, schema, doc_id)
        return metas[doc_id]

    stories = Stories(lambda d: f"{meta(d).get('title') or ''}\n{meta(d).get('body') or ''}")
    for q in load_queries(QUERIES):
        if args.qids and q["id"] not in args.qids:
            continue
        docs = pool(searcher, schema, q["query"], pooled_systems(args.extra, q["id"]))
        todo = sorted(d for d in docs if d not in qrels.get(q["id"], {}))
        random.Random(f"{q['id']}-sheet").shuffle(todo)
        items = stories.groups(todo, SAME_TEXT_THRESHOLD)
        (SHEETS / f"{q['id']}.json").write_text(json.dumps(items), encoding="utf-8")
        print(f"######## {q['id']}  query: {q['query']}")
        print(f"need: {q['need']}")
        print(f"pool {len(docs)}, to judge {len(todo)} in {len(items)} items")
        terms = query_terms(q["query"])
        for n, members in enumerate(items, 1):
            m = meta(members[0])
            body = (m.get("body") or "").strip()
            copies = f" x{len(members)}" if len(members) > 1 else ""
            print(f"[{n}]{copies} {(m.get('date') or '')[5:10]} {m.get('source') or ''} T: {m.get('title')}")
            print(f"   L: {' '.join(body[:args.lead].split())}")
            for p in passages(body[args.lead:], terms, args.passages, args.width):
                print(f"   P: {' '.join(p.split())}")
        print()


def cmd_record(args) -> None:
    items = json.loads((SHEETS / f"{args.qid}.json").read_text(encoding="utf-8"))
    qrels = load_qrels(QRELS)
    grades: dict[int, int] = {}
    for tok in args.grades.replace(",", " ").split():
        n, _, g = tok.partition(":")
        lo, _, hi = n.partition("-")
        for k in range(int(lo), int(hi or lo) + 1):
            grades[k] = int(g)
    missing = [n for n in range(1, len(items) + 1) if n not in grades]
    extra = [n for n in grades if not 1 <= n <= len(items)]
    if missing or extra or any(g not in (0, 1, 2) for g in grades.values()):
        raise SystemExit(f"{args.qid}: grade items 1..{len(items)} with 0/1/2 (missing {missing}, unknown {extra})")
    lines = [f"{args.qid} 0 {d} {g}" for n, g in sorted(grades.items()) for d in items[n - 1]
             if d not in qrels.get(args.qid, {})]
    with open(QRELS, "a", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))
    print(f"{args.qid}: recorded {len(lines)} judgments "
          f"({sum(1 for g in grades.values() if g == 2)} items 2, {sum(1 for g in grades.values() if g == 1)} items 1)")


def cmd_show(args) -> None:
    searcher, schema = open_index()
    items = json.loads((SHEETS / f"{args.qid}.json").read_text(encoding="utf-8"))
    for n in args.items:
        m = S.fetch(searcher, schema, items[n - 1][0])
        body = " ".join((m.get("body") or "").split())
        print(f"[{n}] T: {m.get('title')}\n   {body[:args.chars]}\n")


def cmd_regrade(args) -> None:
    """Correct the grade of items of the last sheet of QID (a slip noticed while judging)."""
    items = json.loads((SHEETS / f"{args.qid}.json").read_text(encoding="utf-8"))
    new: dict[str, int] = {}
    for tok in args.grades.split():
        n, _, g = tok.partition(":")
        for d in items[int(n) - 1]:
            new[d] = int(g)
    lines = QRELS.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        q, z, d, g = line.split()
        out.append(f"{q} {z} {d} {new[d]}" if q == args.qid and d in new else line)
    QRELS.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{args.qid}: regraded {len(new)} judgments")


def cmd_stats(args) -> None:
    searcher, schema = open_index()
    qrels = load_qrels(QRELS)
    total = unjudged = 0
    for q in load_queries(QUERIES):
        docs = set(pool(searcher, schema, q["query"], pooled_systems(args.extra, q["id"])))
        judged = qrels.get(q["id"], {})
        missing = len(docs - set(judged))
        rel = sum(1 for g in judged.values() if g > 0)
        total += len(docs)
        unjudged += missing
        print(f"{q['id']}: pool {len(docs)}, unjudged {missing}, judged {len(judged)}, relevant {rel}")
    print(f"all: pool {total}, unjudged {unjudged}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sheet")
    s.add_argument("qids", nargs="*")
    s.add_argument("--extra", nargs="*", default=[])
    s.add_argument("--lead", type=int, default=260)
    s.add_argument("--passages", type=int, default=2)
    s.add_argument("--width", type=int, default=200)
    r = sub.add_parser("record")
    r.add_argument("qid")
    r.add_argument("grades")
    rg = sub.add_parser("regrade")
    rg.add_argument("qid")
    rg.add_argument("grades")
    sh = sub.add_parser("show")
    sh.add_argument("qid")
    sh.add_argument("items", nargs="+", type=int)
    sh.add_argument("--chars", type=int, default=2500)
    st = sub.add_parser("stats")
    st.add_argument("--extra", nargs="*", default=[])
    args = p.parse_args(argv)
    {"sheet": cmd_sheet, "record": cmd_record, "regrade": cmd_regrade, "show": cmd_show,
     "stats": cmd_stats}[args.cmd](args)


if __name__ == "__main__":
    main()
