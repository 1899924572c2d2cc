"""Quoted phrases forgiving clitics: what the plus-chain phrase adds to the exact phrase.

    .venv/bin/python bench/relevance/ranking/phrases.py [--out FILE]

For every quoted phrase of the ranking set's queries (n*, f*), the articles matching the
exact phrase only (the lowering before issue 16) and the articles matching the phrase as
it is lowered now (exact, or the same words together in the plus chain: بمسجد الإمام
الصادق, للحرس الثوري), as sets, judged against the phrase's query qrels: relevant
articles found, judged non-relevant articles added. The words scattered are never
matched (a phrase needs the words adjacent in both chains; tests/test_contract.py).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import systems as S  # noqa: E402

from metrics import load_qrels, load_queries  # noqa: E402
from search.backends.tantivy_query import compile_clause  # noqa: E402
from search.query.plan import lower_query  # noqa: E402
from search.query.ranking import RANKING  # noqa: E402
from search.query.tree import Phrase, positive_text_nodes  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out")
    args = p.parse_args(argv)
    from judge import QRELS, QUERIES, open_index
    from search.query.parser import parse

    searcher, schema = open_index()
    n = searcher.num_docs
    qrels = load_qrels(QRELS)
    now = dataclasses.replace(RANKING, field=S.field_name)
    exact_only = dataclasses.replace(now, phrase_plus=0.0)

    def hits(text: str, ranking) -> set[str]:
        clause = lower_query(parse(text).tree, ranking)
        return {searcher.doc(a)["id"][0] for _, a in searcher.search(compile_clause(schema, clause), limit=n).hits}

    rows = []
    for q in load_queries(QUERIES):
        for node in positive_text_nodes(parse(q["query"]).tree):
            if not isinstance(node, Phrase):
                continue
            phrase = f'"{node.text}"'
            a, b = hits(phrase, exact_only), hits(phrase, now)
            judged = qrels.get(q["id"], {})
            rel = {d for d, g in judged.items() if g > 0}
            rows.append({"query": q["id"], "phrase": phrase, "exact": len(a), "forgiving": len(b),
                         "relevant_exact": len(rel & a), "relevant_forgiving": len(rel & b),
                         "relevant_judged": len(rel),
                         "added_judged_nonrelevant": len({d for d, g in judged.items() if g == 0} & (b - a))})
    print(f"{'query':<6}{'phrase':<34}{'exact':>7}{'forgiving':>10}{'rel exact':>11}{'rel forg.':>10}"
          f"{'rel judged':>11}{'added 0s':>9}")
    for r in rows:
        print(f"{r['query']:<6}{r['phrase']:<34}{r['exact']:>7}{r['forgiving']:>10}{r['relevant_exact']:>11}"
              f"{r['relevant_forgiving']:>10}{r['relevant_judged']:>11}{r['added_judged_nonrelevant']:>9}")
    tot = {k: sum(r[k] for r in rows) for k in rows[0] if k not in ("query", "phrase")}
    print(f"{'all':<40}{tot['exact']:>7}{tot['forgiving']:>10}{tot['relevant_exact']:>11}"
          f"{tot['relevant_forgiving']:>10}{tot['relevant_judged']:>11}{tot['added_judged_nonrelevant']:>9}")
    if args.out:
        Path(args.out).write_text(json.dumps({"rows": rows, "total": tot}, ensure_ascii=False, indent=1) + "\n",
                                  encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
