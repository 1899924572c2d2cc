"""What the continuation (articles lacking one word, after the complete matches) costs a page.

    flock /work/.bench.lock .venv/bin/python bench/bench_continuation.py --index INDEX [--rounds 15] [--json out.json]
                                                                        [--phrases | --phrase-lack]

INDEX: SaudiNewsNet built by ``indexer reindex`` (story ids included). For multi-word
queries, through Flask's test client with the result cache off (``SEARCH_CACHE_MB=0``,
every request searches), ``/api/search`` p50/p95 with the continuation (default) and with
``partial=0`` (the complete matches only: the page before issue 17 minus its relaxed
ranking), on page 1 and on the page where the continuation starts; the ratio is what the
continuation adds. Requests alternate between the two forms so load changes hit both.
``--phrase-lack``: quoted phrases of three words or more, each page with the continuation
as the product builds it (a loosened phrase may lack one word) against the same page
with loosened phrases keeping every word (``phrase_lack=0``), alternating.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from timing import pct  # bench/timing.py (the script's own directory)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = ["داعش الموصل", "تحرير عدن", "الحوثيين عدن", "عبد ربه منصور هادي", "مجلس الوزراء السعودي",
           "أسعار النفط أوبك", "هدنة إنسانية اليمن", "قاعدة انجرليك تركيا", "الملك سلمان إجازة فرنسا",
           "السعودية اليمن"]
# Quoted phrases (issue 16): a phrase is loosened in the continuation (its words apart).
PHRASES = ['"حج بلا تصريح"', '"الفراغ الرئاسي" لبنان', '"الحشد الشعبي" انتهاكات', '"الدولة الإسلامية"',
           '"تحرير عدن"', '"مسجد الإمام الصادق"', '"التحالف الدولي" غارات الرقة', '"الأراضي البيضاء" رسوم']
# Phrases of three words or more (a loosened one may lack a word), alone and beside words.
LONG_PHRASES = ['"حج بلا تصريح"', '"مسجد الإمام الصادق"', '"المحكمة الجزائية المتخصصة"', '"هيئة الأمر بالمعروف"',
                '"حزب العمال الكردستاني" غارات تركيا', '"خادم الحرمين الشريفين" اليمن',
                '"مجلس التعاون الخليجي" إيران', '"وزارة الشؤون الإسلامية" المساجد']



def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--json")
    ap.add_argument("--phrases", action="store_true", help="quoted-phrase queries instead of plain words")
    ap.add_argument("--phrase-lack", action="store_true",
                    help="phrases of 3+ words: loosened phrases that may lack a word vs keeping every word")
    args = ap.parse_args()
    os.environ["SEARCH_CACHE_MB"] = "0"
    from app import create_app

    client = create_app({"SEARCH_INDEX": args.index, "TESTING": True, "SECRET_KEY": "bench"}).test_client()

    def get(params):
        started = time.perf_counter()
        resp = client.get("/api/search", query_string=params)
        assert resp.status_code == 200, resp.data[:200]
        return (time.perf_counter() - started) * 1000, resp.get_json()

    if args.phrase_lack:
        return _phrase_lack(get, args)
    rows = []
    for q in PHRASES if args.phrases else QUERIES:
        _, first = get({"q": q})
        pages = {"page 1": 1}
        if first["partial_rank"]:
            pages["boundary page"] = (first["partial_rank"] - 1) // 10 + 1
        for label, page in pages.items():
            row = {"query": q, "page": label, "page_no": page, "total": first["total"], "stories": first["stories"],
                   "partial_total": first["partial_total"], "partial_stories": first["partial_stories"],
                   **_alternate(args.rounds, lambda: get({"q": q, "page": page})[0],
                                lambda: get({"q": q, "page": page, "partial": "0"})[0])}
            rows.append(row)
            print(f"{q:<28} {label:<13} p{page:<4} total {row['total']:>5} +{row['partial_total'] or 0:>5} "
                  f"with {row['on_p50']:7.1f} ms (p95 {row['on_p95']:7.1f})  without {row['off_p50']:7.1f} ms "
                  f"(p95 {row['off_p95']:7.1f})  x{row['ratio_p50']:.2f}", flush=True)
    return _finish(rows, args)


def _alternate(rounds: int, on, off) -> dict:
    """p50/p95 (ms) of ``on`` and ``off`` (each a call returning its time), run in turns."""
    times_on, times_off = [], []
    for _ in range(rounds):
        times_on.append(on())
        times_off.append(off())
    row = {"on_p50": statistics.median(times_on), "on_p95": pct(times_on, 95),
           "off_p50": statistics.median(times_off), "off_p95": pct(times_off, 95)}
    row["ratio_p50"] = row["on_p50"] / row["off_p50"]
    return row


def _finish(rows: list[dict], args) -> int:
    ratios = [r["ratio_p50"] for r in rows]
    print(f"median ratio {statistics.median(ratios):.2f}, max {max(ratios):.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "rounds": args.rounds, "load": os.getloadavg()},
                                              indent=1, ensure_ascii=False))
    return 0


def _phrase_lack(get, args) -> int:
    from search.query.ranking import RANKING

    lack = RANKING.phrase_lack

    def setting(value):
        # RANKING is the planner's default argument everywhere: switched in place, for this
        # benchmark only (the dataclass is frozen for the product's sake).
        object.__setattr__(RANKING, "phrase_lack", value)

    rows = []
    try:
        for q in LONG_PHRASES:
            setting(lack)
            _, first = get({"q": q})
            setting(0)
            _, kept = get({"q": q})
            row = {"query": q, "total": first["total"], "partial_total": first["partial_total"],
                   "partial_total_kept": kept["partial_total"],
                   **_alternate(args.rounds, lambda: setting(lack) or get({"q": q})[0],
                                lambda: setting(0) or get({"q": q})[0])}
            rows.append(row)
            print(f"{q:<36} total {row['total']:>5} +{row['partial_total'] or 0:>5} (every word: "
                  f"+{row['partial_total_kept'] or 0:>5})  lacking one {row['on_p50']:7.1f} ms (p95 {row['on_p95']:7.1f})"
                  f"  every word {row['off_p50']:7.1f} ms (p95 {row['off_p95']:7.1f})  x{row['ratio_p50']:.2f}", flush=True)
    finally:
        setting(lack)
    return _finish(rows, args)


if __name__ == "__main__":
    sys.exit(main())
