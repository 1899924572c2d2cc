"""Draw the sentences for troops-sample.jsonl from SaudiNewsNet (reproducible).

Usage: python bench/extraction/sample_sentences.py [--n-personnel 75] [--n-other 55] > candidates.jsonl

Draws sentences that have a number (digits or number words) close to a personnel noun,
and sentences from war-related articles whose numbers count other things (civilians,
money, distances, years, countries, percentages). Prints candidate records without gold
values; the gold values in troops-sample.jsonl were then written by hand, sentence by
sentence. The text itself is not stored (the corpus licence asks not to copy it into the
repository): records point to (zip, article index, start, end) and carry a checksum.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from score_seeds import shared_dir  # noqa: E402

_SENT = re.compile(r"[^.!?؟\n]+[.!?؟]?")
_NUM = r"(?:\d[\d.,]*|[٠-٩]+|(?:ألف|آلاف|مئة|مائة|مليون|ثلاث\w*|أربع\w*|خمس\w*|ست\w*|سبع\w*|ثمان\w*|تسع\w*|عشر\w*|اثن\w*))"
_PERSONNEL = re.compile(_NUM + r"\s+(?:من\s+)?(?:ال)?(?:جندي|جنود|مقاتل|مسلح|عنصر|عناصر|عسكري|متطوع|مجند|ضابط|ضباط|أفراد|إرهابي|متمرد|حوثي)")
_OTHER = re.compile(_NUM + r"\s+(?:من\s+)?(?:ال)?(?:مدني|شخص|أشخاص|طفل|أطفال|امرأة|نساء|دولار|ريال|كيلو|كلم|كم|عام|عاما|سنوات|دولة|دول|وزير|قتيل|قتلى|جريح|لاجئ|نازح|مواطن|%|في المئة|في المائة|يوم|أيام|طائرة|غارة|صاروخ)")
_WAR = re.compile(r"داعش|الحوثي|قتل|مقتل|الجيش|القوات|التحالف|مسلح")


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


def record(zip_name, index, start, end, text, kind):
    return {"source": zip_name, "article": index, "start": start, "end": end,
            "sha1": hashlib.sha1(text.encode("utf-8")).hexdigest()[:12], "drawn_as": kind}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-personnel", type=int, default=75)
    parser.add_argument("--n-other", type=int, default=55)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--show", action="store_true", help="also print the sentence text")
    parser.add_argument("--exclude", type=Path, help="a sample file whose sentences are not drawn again")
    args = parser.parse_args(argv)
    personnel, other = [], []
    for zip_path in sorted((shared_dir() / "data" / "saudinewsnet").glob("*.zip")):
        for index, start, end, text in sentences(zip_path):
            if _PERSONNEL.search(text):
                personnel.append(record(zip_path.name, index, start, end, text, "personnel") | ({"text": text} if args.show else {}))
            elif _OTHER.search(text):
                other.append(record(zip_path.name, index, start, end, text, "other") | ({"text": text} if args.show else {}))
    if args.exclude:
        taken = {json.loads(line)["sha1"] for line in args.exclude.read_text(encoding="utf-8").splitlines() if line.strip()}
        personnel = [r for r in personnel if r["sha1"] not in taken]
        other = [r for r in other if r["sha1"] not in taken]
    rng = random.Random(args.seed)
    chosen = rng.sample(personnel, min(args.n_personnel, len(personnel))) + \
        rng.sample(other, min(args.n_other, len(other)))
    seen = set()
    for rec in chosen:
        if rec["sha1"] in seen:
            continue
        seen.add(rec["sha1"])
        print(json.dumps(rec, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
