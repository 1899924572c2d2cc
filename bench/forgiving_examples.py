"""Hit counts of the issue-10 examples ("forgiving search") over an index, through the real app.

Usage: python bench/forgiving_examples.py INDEX [--json OUT]

Runs every query of EXAMPLES through /api/search of the real Flask app on INDEX and prints
a Markdown table: query, total, and what the page said (notices, suggestion, expansions).
Run it with the code before and after a change (same index) to get a before/after table;
bench/README.md records the SaudiNewsNet figures. The last row times one 1,000-character
word (the query length limit).
"""
from __future__ import annotations

import json
import sys
import time

EXAMPLES = [
    "داعش", "داعش الموصل", "داعش AND الموصل", "داعش and الموصل", "داعش && الموصل",
    "داعش NOT سوريا", "داعش not سوريا", "داعش -سوريا",
    "داعش OR الدولة", "داعش or الدولة", "داعش || الدولة", "داعش او الدولة",
    "«الدولة الإسلامية»", "“الدولة الإسلامية”", "داعش، الموصل؛ الرقة",
    "🔥 داعش", "#داعش", "@ISIS_news داعش", "داعش!!!", "داعش^5", "داعش~", "دا\u200cعش", "دا\u200fعش",
    "داعـــش", "داعش2014",
    '"داعش الموصل', '"داعش قنبلةذرية', '""', "في", "من هو", "!!!", "foo:داعش", "country:ZZ داعش", "country:العراق داعش",
    "الموصلل", "الرقه", "داعشش", "بغدد",
    "Mosul", "Raqqa", "Aleppo", "Sanaa", "Aden", "Baghdad", "Yemen", "Iran", "Houthis",
    "ISIS", "ISIL", "Daesh", "Hezbollah", "Peshmerga", "Fallujah", "Tikrit", "Kobani",
]
LONG = "ب" * 1000


def run(index: str) -> list[dict]:
    from app import create_app

    app = create_app({"SEARCH_INDEX": index, "TESTING": True, "SECRET_KEY": "bench"})
    client = app.test_client()
    rows = []
    for q in EXAMPLES + [LONG]:
        started = time.perf_counter()
        resp = client.get("/api/search", query_string={"q": q})
        seconds = time.perf_counter() - started
        data = resp.get_json() or {}
        sugg = data.get("suggestion")
        rows.append({"q": q if q != LONG else "ب×1000", "status": resp.status_code, "total": data.get("total"),
                     "notices": data.get("notices") or [], "seconds": round(seconds, 3),
                     "suggestion": sugg.get("query") if isinstance(sugg, dict) and "query" in sugg else None,
                     "expansions": [e.get("arabic") for e in data.get("expansions") or []],
                     "showing": (data.get("showing") or {}).get("query")})
    return rows


def main(argv: list[str]) -> None:
    index = argv[0]
    rows = run(index)
    if "--json" in argv:
        with open(argv[argv.index("--json") + 1], "w", encoding="utf-8") as fh:
            json.dump(rows, fh, ensure_ascii=False, indent=1)
    print("| query | total | s | said |")
    print("|---|---:|---:|---|")
    for r in rows:
        said = "; ".join(r["notices"])
        if r["suggestion"]:
            said += f" [suggestion: {r['suggestion']}]"
        if r["showing"]:
            said += f" [showing: {r['showing']}]"
        if r["expansions"]:
            said += f" [also searched: {', '.join(map(str, r['expansions']))}]"
        print(f"| `{r['q']}` | {r['total']} | {r['seconds']} | {said} |")


if __name__ == "__main__":
    main(sys.argv[1:])
