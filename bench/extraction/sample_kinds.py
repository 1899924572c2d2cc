"""Draw the sentences of troops-kinds.jsonl from SaudiNewsNet (reproducible).

Usage: python bench/extraction/sample_kinds.py [--seed 2016] [--show] > candidates.jsonl

Five strata, each drawn uniformly (seeded) from all SaudiNewsNet sentences of 40-400
characters that fit it and are not in the earlier samples (troops-sample.jsonl,
troops-heldout.jsonl):

- casualties (60): a number next to a personnel noun and a killing/wounding/capture word;
- force (40): a number next to a personnel noun and a deployment/strength word;
- mixed (30): two or more numbers next to personnel nouns and a casualty word;
- vague (20): عشرات / مئات / آلاف / بضعة ... before a personnel noun;
- hard negatives (40): numbers next to look-alikes: civilians, persons, police and security
  men, units named by number (اللواء 55), dates, money, or idioms with big numbers.

The text is not stored (the corpus licence asks not to copy it into the repository): records
point to (zip, article index, start, end) with a checksum. The gold labels were then written
by hand, one sentence at a time (see bench/extraction/README.md).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from score_seeds import shared_dir  # noqa: E402

_SENT = re.compile(r"[^.!?؟\n]+[.!?؟]?")
_NUM = r"(?:\d[\d.,]*|[٠-٩]+|(?:ألف|آلاف|ألفا|مئة|مائة|مئات|مليون|عشرات|ثلاث\w*|أربع\w*|خمس\w*|ست\w*|سبع\w*|ثمان\w*|تسع\w*|عشر\w*|اثن\w*))"
_NOUN = r"(?:ال)?(?:جندي|جنود|مقاتل|مسلح|عنصر|عناصر|عسكري|متطوع|مجند|ضابط|ضباط|أفراد|إرهابي|متمرد|حوثي|داعشي|دواعش|مرتزق|شرطي|مستشار)"
_PERSONNEL = re.compile(_NUM + r"\s+(?:من\s+)?" + _NOUN)
_CASUALTY = re.compile(r"قتل|مقتل|مصرع|قتلى|إصابة|جرح|أصيب|أسر|اعتقال|اعتقل|القبض|إعدام|أعدم|مفقود|استسلام|لقي|حتفهم|مصرعهم|استشهاد|خطف")
_FORCE = re.compile(r"نشر|أرسل|إرسال|قوامها|قوامه|تعداد|عدد|تدريب|تجنيد|يضم|تضم|حشد|وصول|تمركز|انتشار|يتمركز|ينتشر|مشاركة|يشارك|قوة")
_VAGUE = re.compile(r"(?:عشرات|مئات|آلاف|ألوف|بضعة|بضع)\s+(?:الآلاف\s+|آلاف\s+|مئات\s+)?(?:من\s+)?" + _NOUN)
_HARD = re.compile(_NUM + r"\s+(?:من\s+)?(?:ال)?(?:مدني|مدنيين|شخص|أشخاص|شخصا|مواطن|مواطنا|طفل|أطفال|امرأة|رجل|رجال|شرطي|أمن|مصل|حاج|لاجئ|نازح|معتمر|طالب|موظف|سجين|معتقل|قتيل|قتيلا|جريح|جريحا|مهاجر)"
                   r"|(?:اللواء|الفرقة|الكتيبة|الفوج|القرار|المادة)\s+" + _NUM + r"|\d+\s*(?:مليون|ألف)\s+(?:جندي|مقاتل)")
_WAR = re.compile(r"داعش|الحوثي|قتل|مقتل|الجيش|القوات|التحالف|مسلح|المقاومة|الإرهاب|معارك|اشتباك")
STRATA = {"casualties": 60, "force": 40, "mixed": 30, "vague": 20, "hard_negative": 40}


def stratum(text: str) -> str | None:
    personnel = _PERSONNEL.findall(text)
    if len(personnel) >= 2 and _CASUALTY.search(text):
        return "mixed"
    if personnel and _CASUALTY.search(text):
        return "casualties"
    if personnel and _FORCE.search(text):
        return "force"
    if _VAGUE.search(text):
        return "vague"
    if not personnel and _HARD.search(text):
        return "hard_negative"
    return None


def sentences(zip_path: Path):
    with zipfile.ZipFile(zip_path) as zf:
        articles = json.loads(zf.read(zf.namelist()[0]))
    for index, article in enumerate(articles):
        content = article.get("content") or ""
        if not _WAR.search(content):
            continue
        for m in _SENT.finditer(content):
            text = m.group().strip()
            if 40 <= len(text) <= 400:
                start = m.start() + m.group().index(text)
                yield index, start, start + len(text), text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--show", action="store_true", help="also print the sentence text")
    parser.add_argument("--scale", type=float, default=1.0, help="stratum sizes times this (held-out: 0.33)")
    parser.add_argument("--exclude", type=Path, action="append", default=[],
                        help="another sample whose sentences are not drawn again")
    parser.add_argument("--first-id", type=int, default=0)
    args = parser.parse_args(argv)
    taken = set()
    for name in ("troops-sample.jsonl", "troops-heldout.jsonl", *args.exclude):
        taken |= {json.loads(line)["sha1"] for line in (HERE / name).read_text("utf-8").splitlines() if line.strip()}
    pools: dict[str, list[dict]] = {name: [] for name in STRATA}
    seen = set()
    for zip_path in sorted((shared_dir() / "data" / "saudinewsnet").glob("*.zip")):
        for index, start, end, text in sentences(zip_path):
            sha1 = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
            if sha1 in taken or sha1 in seen:
                continue        # repeated sentences (syndicated copies) are drawn once
            seen.add(sha1)
            kind = stratum(text)
            if kind:
                rec = {"source": zip_path.name, "article": index, "start": start, "end": end,
                       "sha1": sha1, "drawn_as": kind}
                pools[kind].append(rec | ({"text": text} if args.show else {}))
    rng = random.Random(args.seed)
    n = args.first_id
    for kind, size in STRATA.items():
        size = round(size * args.scale)
        for rec in rng.sample(pools[kind], min(size, len(pools[kind]))):
            print(json.dumps({"id": n, **rec}, ensure_ascii=False))
            n += 1
    print(json.dumps({k: len(v) for k, v in pools.items()}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
