"""Compound names typed joined or spaced: how many of the articles naming the person each
spelling finds, before issue 16 and now.

    .venv/bin/python bench/relevance/ranking/names.py [--out FILE]

For each name (عبدربه / عبد ربه, ...) the *truth* is every article whose raw text has the
name in either spelling, with or without the usual proclitics (و ب ل ف ك) and hamza or
ta-marbuta variants (a regular expression over the normalized text, independent of the
analyzers). A query's recall is the share of the truth it matches; "other" counts the
articles it matches that are outside the truth (for a name, mostly the words far apart).
Queries are run as a journalist types them, through the production lowering (``now``) and
the lowering and chains before issue 16 (``before``), on the ranking-study index.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import systems as S  # noqa: E402

from search.query.parser import parse  # noqa: E402
from search.query.plan import lower_query  # noqa: E402
from search.backends.tantivy_query import compile_clause  # noqa: E402

# (joined, spaced): the most frequent names of search/analysis/data/decompound_names.tsv in
# the news of the period, and a kunya, a place and a patronymic.
NAMES = [
    ("عبدربه", "عبد ربه"), ("عبدالله", "عبد الله"), ("عبدالعزيز", "عبد العزيز"),
    ("عبدالرحمن", "عبد الرحمن"), ("عبدالملك", "عبد الملك"), ("عبدالفتاح", "عبد الفتاح"),
    ("عبداللطيف", "عبد اللطيف"), ("أبوبكر", "أبو بكر"), ("ابوظبي", "أبو ظبي"),
    ("عبدالكريم", "عبد الكريم"),
]

_DIACRITICS = re.compile(r"[\u064B-\u0652\u0640]")


def normalize(text: str) -> str:
    text = _DIACRITICS.sub("", text)
    return text.translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"}))


def name_pattern(joined: str, spaced: str) -> re.Pattern:
    a, b = (normalize(w) for w in spaced.split())
    first = re.escape(a)
    if a in ("ابو", "ابي", "ابا"):
        first = "اب[ويا]"
    body = rf"{first}\s*{re.escape(b)}"
    return re.compile(rf"(?<![\w])[وفبلك]{{0,2}}{body}(?![\w])")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out")
    args = p.parse_args(argv)
    from judge import open_index

    searcher, schema = open_index()
    texts: dict[str, str] = {}
    n = searcher.num_docs
    import tantivy

    for _, addr in searcher.search(tantivy.Query.all_query(), limit=n).hits:
        doc = searcher.doc(addr).to_dict()
        meta = json.loads(bytes(doc["meta"][0]).decode("utf-8"))
        texts[doc["id"][0]] = normalize(f"{meta.get('title') or ''}\n{meta.get('body') or ''}")
    from search.query.ranking import RANKING
    import dataclasses

    configs = {"before": S.BEFORE, "now": dataclasses.replace(RANKING, field=S.field_name)}
    rows = []
    for joined, spaced in NAMES:
        pat = name_pattern(joined, spaced)
        truth = {d for d, t in texts.items() if pat.search(t)}
        row = {"name": f"{joined} / {spaced}", "articles": len(truth)}
        for typed in (joined, spaced):
            for cname, ranking in configs.items():
                clause = lower_query(parse(typed).tree, ranking)
                hits = {searcher.doc(a)["id"][0] for _, a in
                        searcher.search(compile_clause(schema, clause), limit=n).hits}
                key = f"{'joined' if typed == joined else 'spaced'} {cname}"
                row[key] = {"recall": round(len(hits & truth) / len(truth), 3) if truth else None,
                            "other": len(hits - truth)}
        rows.append(row)
    cols = [f"{s} {c}" for s in ("joined", "spaced") for c in configs]
    print(f"{'name':<24}{'articles':>9}" + "".join(f"{c:>20}" for c in cols))
    for r in rows:
        print(f"{r['name']:<24}{r['articles']:>9}" + "".join(
            f"{r[c]['recall']:>12.3f} +{r[c]['other']:<6}" for c in cols))
    means = {c: sum(r[c]["recall"] for r in rows) / len(rows) for c in cols}
    print(f"{'mean recall':<33}" + "".join(f"{means[c]:>12.3f}        " for c in cols))
    if args.out:
        Path(args.out).write_text(json.dumps({"rows": rows, "mean_recall": means}, ensure_ascii=False, indent=1)
                                  + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
