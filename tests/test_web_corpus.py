"""A small real-text corpus for the web tests, indexed with the real tantivy backend.

The seed articles (and each of their sentences as a short article) with facets and
extraction evidence located by their surface forms, plus one hostile document for the XSS
tests. Built directly from StoredDocuments so the web tests do not depend on the indexer.
Other web test modules import the fixtures from here.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from search.model import StoredDocument

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

COUNTRY_FORMS = {
    "IQ": ["العراقية", "العراقي", "العراق", "بغداد"], "SY": ["سوريا", "السورية"],
    "US": ["الولايات المتحدة", "الأمريكية", "الأميركية", "الأميركي", "واشنطن"], "IR": ["إيران"],
    "FR": ["فرنسا"], "JO": ["الأردن"], "GB": ["البريطاني"], "EG": ["مصر"], "TR": ["تركيا"],
    "SA": ["السعودية"], "QA": ["قطر"], "LB": ["لبنان"], "RU": ["روسيا"],
}
ORG_FORMS = {
    "داعش": ["داعش", "تنظيم الدولة الإسلامية", "تنظيم الدولة", "الدولة الإسلامية في العراق والشام"],
    "الجيش العراقي": ["الجيش العراقي"], "وزارة الدفاع العراقية": ["وزارة الدفاع العراقية"],
    "وزارة الدفاع الأمريكية": ["وزارة الدفاع الأمريكية"], "التحالف الدولي": ["التحالف الدولي"],
    "حلف شمال الأطلسي": ["حلف شمال الأطلسي", "ناتو"], "الحشد الشعبي": ["الحشد الشعبي"],
    "البشمركة": ["قوات البشمركة"], "سرايا السلام": ["سرايا السلام"], "جيش المهدي": ["جيش المهدي"],
    "مجلس الأمن الدولي": ["مجلس الأمن الدولي", "مجلس الأمن"], "البيت الأبيض": ["البيت الأبيض"],
    "الحرس الجمهوري": ["الحرس الجمهوري"], "كتيبة الأنبياء": ["كتيبة الأنبياء"],
    "جيش المجاهدين": ["جيش المُجاهدين"], "النقشبندية": ["النقشبندية"], "حزب البعث": ["البعث المنحل"],
}
TROOP_FORMS = [(1000, "ألف مجند"), (500, "خمسمئة جندي"), (600, "ستمئة عسكري"), (275, "275 من أفراد الجيش"),
               (20000, "20000 مقاتل")]
MONTHS = ["2014-06", "2014-06", "2014-07", "2014-08", "2014-10", "2015-01", "2015-04", None]
SOURCES = ["aawsat", "alriyadh", "rt-arabic", "الجزيرة نت"]
TITLES = {0: "آلاف العراقيين يتطوعون لقتال داعش", 1: "اجتماع التحالف الدولي ضد تنظيم الدولة",
          2: None, 3: "البيت الأبيض يرسل قوات إلى بغداد", 4: None}

XSS = "<script>alert('x')</script>"
EVIL_DOC = StoredDocument(
    id="evil", title=f"عنوان <img src=x onerror=alert(1)> {XSS}",
    body=f"نص عن داعش {XSS} و <b>عريض</b> و&amp; في العراق.", date="2014-09-01",
    source="<i>evil-source</i>", url="javascript:alert(1)", countries=["IQ"], orgs=[f"{XSS}"])


def casualties_doc() -> StoredDocument:
    """A casualty count, a vague force size and a flagged (rhetorical) number, with evidence
    as the extractor records it (hand-written here: the web tests do not run the indexer)."""
    body = ("قتل 42 من عناصر داعش وأسر 7 آخرون قرب الموصل بعد نشر مئات الجنود، "
            "فيما قال خطيب في بغداد: فنحن 20 مليون جندي.")

    def mention(text, value, kind, casualty, noun, word, upper=None, bound=None, flags=()):
        start = body.index(text)
        return {"value": value, "text": text, "start": start, "end": start + len(text), "approximate": bool(bound),
                "bound": bound, "kind": kind, "casualty": casualty, "country": None, "org": None, "noun": noun,
                "word": word, "upper": upper, "flags": list(flags)}

    troops = [mention("42 من عناصر", 42, "casualties", "killed", "members", "عنصر"),
              mention("7 آخرون", 7, "casualties", "captured", "members", "عنصر"),
              mention("مئات الجنود", 200, "force", None, "soldiers", "جندي", 999, "vague"),
              mention("20 مليون جندي", 20000000, "force", None, "soldiers", "جندي",
                      flags=("implausible", "rhetorical"))]
    compact = [{k: t[k] for k in ("value", "upper", "bound", "kind", "casualty", "noun", "word", "flags")}
               for t in troops]
    return StoredDocument(
        id="casualties-42", title=None, body=body, date="2014-07-02", source="okaz",
        url="https://example.org/news/casualties-42", countries=["IQ"], orgs=["داعش"], troops=[200],
        troops_max=200, casualties=[7, 42], casualties_max=42, flags=["implausible", "rhetorical"],
        troop_mentions=compact,
        extraction={"body": {"countries": [], "organizations": [], "troops": troops}})


def _spans(text: str, form: str) -> list[dict]:
    return [{"start": m.start(), "end": m.end(), "text": form} for m in re.finditer(re.escape(form), text)]


def extraction(text: str) -> tuple[dict, list[str], list[str], list[int]]:
    """Entities of ``text`` found by surface form, in the shape ``indexer extract`` records."""
    countries, orgs, troops = [], [], []
    for code, forms in COUNTRY_FORMS.items():
        ms = [m for f in forms for m in _spans(text, f)]
        if ms:
            countries.append({"code": code, "name": code, "mentions": ms})
    for name, forms in ORG_FORMS.items():
        ms = [m for f in forms for m in _spans(text, f)]
        if ms:
            orgs.append({"name": name, "mentions": ms})
    for value, form in TROOP_FORMS:
        for m in _spans(text, form):
            troops.append({"value": value, "text": form, "start": m["start"], "end": m["end"], "approximate": False})
    return ({"countries": countries, "organizations": orgs, "troops": troops},
            [c["code"] for c in countries], [o["name"] for o in orgs], sorted({t["value"] for t in troops}))


def make_doc(doc_id: str, body: str, title: str | None, n: int) -> StoredDocument:
    ex, countries, orgs, troops = extraction(body)
    full = {"body": ex}
    if title:
        tex, tc, to, tt = extraction(title)
        full["title"] = tex
        countries, orgs, troops = sorted(set(countries) | set(tc)), sorted(set(orgs) | set(to)), sorted(set(troops) | set(tt))
    month = MONTHS[n % len(MONTHS)]
    return StoredDocument(
        id=doc_id, title=title, body=body, date=f"{month}-{n % 27 + 1:02d}" if month else None,
        source=SOURCES[n % len(SOURCES)], url=f"https://example.org/news/{doc_id}", countries=sorted(countries),
        orgs=sorted(orgs), troops=troops, troops_max=max(troops) if troops else None, extraction=full)


def corpus() -> list[StoredDocument]:
    docs = []
    n = 0
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        text = path.read_text(encoding="utf-8").strip()
        docs.append(make_doc(f"seed-{i}", text, TITLES.get(i), n))
        n += 1
        for j, sentence in enumerate(s.strip() for s in re.split(r"(?<=[.])\s+", text)):
            if len(sentence) > 40:
                docs.append(make_doc(f"s{i}-{j:02d}", sentence, None, n))
                n += 1
    docs.append(make_doc("troops-20000", "الجيش العراقي يتقدم نحو الحدود مع سوريا بمشاركة 20000 مقاتل.",
                         "تقدم نحو الحدود السورية", n))
    docs.append(casualties_doc())
    docs.append(EVIL_DOC)
    return docs


_BUILT: dict[str, Path] = {}


def build_index(root: Path) -> Path:
    from search.backends.tantivy_backend import TantivyBackend

    backend = TantivyBackend(root)
    with backend.new_build() as build:
        for d in corpus():
            build.add(d)
        build.commit({"sources": ["tests/test_web_corpus.py"]})
    return root


@pytest.fixture(scope="session")
def web_index(tmp_path_factory) -> Path:
    if "index" not in _BUILT:
        _BUILT["index"] = build_index(tmp_path_factory.mktemp("web-index"))
    return _BUILT["index"]


@pytest.fixture(scope="session")
def web_app(web_index):
    if "app" not in _BUILT:
        from app import create_app

        _BUILT["app"] = create_app({"SEARCH_INDEX": str(web_index), "TESTING": True,
                                    "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": True})
    return _BUILT["app"]


@pytest.fixture
def web_client(web_app):
    return web_app.test_client()


# ---- the corpus itself ------------------------------------------------------------------------
def test_corpus_uses_real_seed_text_with_valid_evidence():
    docs = corpus()
    assert len(docs) > 40 and len({d.id for d in docs}) == len(docs)
    seeds_text = " ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    for d in docs:
        if d.id.startswith("s"):
            assert d.body in seeds_text
        for kind in ("countries", "organizations"):
            for e in d.extraction.get("body", {}).get(kind, []):
                for m in e["mentions"]:
                    assert d.body[m["start"]:m["end"]] == m["text"]
    orgs = {o for d in docs for o in d.orgs}
    assert len(orgs) > 10  # enough for "more" in the sidebar


def test_index_builds(web_index):
    from search.backends.tantivy_backend import TantivyBackend

    assert TantivyBackend(web_index).stats()["documents"] == len(corpus())
