"""Stories and coverage over time through the real Flask app on a real index of crafted versions."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest

from story_corpus import ARTICLES, STORIES, write_jsonl


@pytest.fixture(scope="module")
def story_app(tmp_path_factory):
    from app import create_app
    from indexer.reindex import reindex
    from search.backends.tantivy_backend import TantivyBackend

    root = tmp_path_factory.mktemp("web-stories")
    src = write_jsonl(root / "articles.jsonl")
    summary = reindex(TantivyBackend(root / "idx"), [str(src)], workers=0)
    assert summary.committed and summary.stories == len(set(STORIES.values()))
    return create_app({"SEARCH_INDEX": str(root / "idx"), "TESTING": True, "SECRET_KEY": "t"})


@pytest.fixture
def c(story_app):
    return story_app.test_client()


def q(text: str) -> str:
    return quote(text)


SOME = "الرمادي OR أربيل OR البصرة"  # two stories of versions and one article alone


def test_search_json_counts_articles_and_stories_and_lists_versions(c):
    data = c.get("/api/search?q=" + q("الرمادي")).get_json()
    assert data["total"] == 3 and data["stories"] == 1 and data["stories_exact"] is True
    assert data["versions"] == "stories" and "versions=all" in data["versions_url"]
    (hit,) = data["hits"]
    assert hit["story"] == "bridge-b" and hit["version_count"] == 3
    assert {v["id"] for v in hit["versions"]} | {hit["id"]} == {"bridge-a", "bridge-b", "bridge-c"}
    assert all(v["doc_url"].startswith("/doc/") and v["source"] for v in hit["versions"])
    assert hit["story_url"] == "/doc/bridge-b#versions"
    every = c.get("/api/search?q=" + q("الرمادي") + "&versions=all").get_json()
    assert every["total"] == 3 and every["stories"] is None and len(every["hits"]) == 3
    assert every["canonical_url"].endswith("versions=all")


def test_pages_are_pages_of_stories(c):
    seen = []
    for page in (1, 2):
        data = c.get("/api/search?sort=date" + (f"&page={page}" if page > 1 else "")).get_json()
        assert data["stories"] == 6 and data["total"] == len(ARTICLES) and data["pagination"]["pages"] == 1
        seen += [h["story"] for h in data["hits"]]
        if not data["pagination"]["next"]:
            break
    assert len(seen) == len(set(seen)) == 6


def test_results_page_says_articles_in_stories_and_offers_every_version(c):
    html = c.get("/search?q=" + q(SOME)).get_data(as_text=True)
    # counted nouns as Arabic writes them: 3 to 10 take the plural
    assert re.search(r"<strong>6</strong> مقالات في <b class=\"stories\">3</b> قصص", html)
    assert "versions=all" in html and re.search(r"و(نسخة أخرى|نسختان أخريان|\d+ نسخ أخرى) من القصة نفسها", html)
    assert html.count('<li class="hit">') == 3
    every = c.get("/search?q=" + q(SOME) + "&versions=all").get_data(as_text=True)
    assert every.count('<li class="hit">') == 6 and "اجمع نسخ القصة الواحدة" in every
    assert c.get("/search").get_data(as_text=True).count('<li class="hit">') == 6


def test_versions_parameter_is_validated_and_canonical(c):
    assert c.get("/api/search?versions=some").status_code == 400
    assert "versions" in c.get("/api/search?versions=some").get_json()["error"]
    resp = c.get("/search?versions=all&q=" + q("الرمادي") + "&sort=date")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("sort=date&versions=all")
    # The agreed order: ... date, since, sort, expand, versions, page.
    resp = c.get("/search?page=2&versions=all&expand=0&sort=date&since=2015-01-01&q=" + q("الرمادي"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(
        "&since=2015-01-01T00%3A00%3A00.000Z&sort=date&expand=0&versions=all&page=2")


def test_csv_has_a_story_column(c):
    rows = list(csv.reader(io.StringIO(c.get("/search.csv?q=" + q("الرمادي")).get_data().decode("utf-8-sig"))))
    assert rows[0][:2] == ["id", "story"] and {r[1] for r in rows[1:]} == {"bridge-b"} and len(rows) == 4


def test_article_lists_every_version_with_what_it_changes(c):
    data = c.get("/api/doc/bridge-c").get_json()
    assert data["story"] == "bridge-b" and data["version_count"] == 3
    assert [v["id"] for v in data["versions"]] == ["bridge-b", "bridge-a", "bridge-c"]  # by date
    first, second, third = data["versions"]
    assert first["earliest"] and first["changes"] is None and third["current"]
    assert "أمس" in " ".join(second["changes"]["added"]) and "اليوم" in " ".join(second["changes"]["dropped"])
    assert any("رويترز" in t for t in second["changes"]["dropped"])  # the dateline bridge-b has
    html = c.get("/doc/bridge-c").get_data(as_text=True)
    assert 'id="versions"' in html and "<ins>" in html and "<del>" in html and "الأقدم" in html
    alone = c.get("/api/doc/alone-0").get_json()
    assert alone["versions"] == [] and alone["version_count"] == 1


def test_story_versions_are_named_by_outlet_and_open_with_the_search(c):
    html = c.get("/search?q=" + q("الرمادي")).get_data(as_text=True)
    summary = re.search(r'<details class="versions">\s*<summary>(.*?)</summary>(.*?)</details>', html, re.S)
    assert summary, html
    # outlets by their names (search/data/outlets.tsv), never their source ids; Arabic count agreement
    assert "ونسختان أخريان من القصة نفسها:" in summary.group(1)
    assert "الرياض" in summary.group(0) and "عكاظ" in summary.group(0)
    assert "alriyadh" not in summary.group(0) and "okaz" not in summary.group(0)
    page = c.get("/doc/bridge-c?q=" + q("الرمادي")).get_data(as_text=True)
    versions = page[page.index('id="versions"'):]
    assert "عكاظ" in versions and ">okaz<" not in versions
    # the JSON twin's version links carry the search, as the page's links do
    data = c.get("/api/doc/bridge-c?q=" + q("الرمادي")).get_json()
    assert all(v["doc_url"].endswith("?q=" + q("الرمادي").replace("%20", "+")) for v in data["versions"])


def test_version_changes_ignore_punctuation_only_differences():
    from web.versions import word_changes

    # wire copies differ in quote marks and in the space after a full stop: not a change
    assert word_changes('قال "لوقف القتال" في القاعدة.وفقا للمصدر.', "قال «لوقف القتال» في القاعدة. وفقا للمصدر").same
    change = word_changes("قصفت الطائرات مواقع التنظيم، أمس.", "قصفت الطائرات مواقعَ التنظيم اليوم.")
    assert change.added == ["مواقعَ", "اليوم"] and change.dropped == ["مواقع", "أمس"]


def test_date_facet_drills_down_to_days(c):
    data = c.get("/api/search?date=2015-07").get_json()
    days = {v["value"]: v["count"] for v in data["facets"]["day"]["values"]}
    assert days["2015-07-21"] == 3 and days["2015-07-25"] == 2
    assert "day" not in c.get("/api/search").get_json()["facets"]
    html = c.get("/search?date=2015-07-21").get_data(as_text=True)
    assert 'class="histogram dense days"' in html and "date=2015-07-21" in html
    assert "أيام يوليو 2015" in html and "اليوم:" not in html  # "اليوم" alone reads "today"


# ---- coverage over time ---------------------------------------------------------------------------

def test_api_trend_has_the_documented_shape_and_sums_to_the_totals(c):
    data = c.get(f"/api/trend?q={q('الرمادي')}&q={q('أربيل')}").get_json()
    assert data["interval"] == "day" and [s["query"] for s in data["series"]] == ["الرمادي", "أربيل"]
    for s in data["series"]:
        assert set(s["buckets"][0]) == {"key", "count"}
        total = c.get("/api/search?q=" + q(s["query"])).get_json()["total"]
        assert sum(b["count"] for b in s["buckets"]) == s["total"] == total and s["undated"] == 0
    bridge = {b["key"]: b["count"] for b in data["series"][0]["buckets"]}
    assert bridge["2015-07-21"] == 2 and bridge["2015-07-22"] == 1 and bridge["2015-07-23"] == 0
    # One span for all series: from the first day of any of them to the last.
    assert [b["key"] for b in data["series"][1]["buckets"]] == ["2015-07-21", "2015-07-22", "2015-07-23"]
    assert [b["count"] for b in data["series"][1]["buckets"]] == [0, 0, 2]


def test_trend_series_search_latin_names_as_the_search_page_does(c):
    # Forgiving search (issue 10): "Ramadi" also searches الرمادي, unless expand=0.
    arabic = c.get("/api/trend?q=" + q("الرمادي")).get_json()["series"][0]
    latin = c.get("/api/trend?q=Ramadi").get_json()["series"][0]
    assert latin["total"] == arabic["total"] == c.get("/api/search?q=Ramadi").get_json()["total"] > 0
    assert latin["buckets"] == arabic["buckets"]
    assert c.get("/api/trend?q=Ramadi&expand=0").get_json()["series"][0]["total"] == 0
    # and says so, page and JSON twin alike
    assert any("Ramadi ← الرمادي" in n for n in c.get("/api/trend?q=Ramadi").get_json()["notices"])
    assert "Ramadi ← الرمادي" in c.get("/trend?q=Ramadi").get_data(as_text=True)
    assert c.get("/api/trend?q=Ramadi&expand=0").get_json()["notices"] == []


def test_trend_intervals_filters_and_shares(c):
    weeks = c.get(f"/api/trend?q={q(SOME)}&interval=week").get_json()
    assert weeks["interval"] == "week" and weeks["series"][0]["buckets"] == [{"key": "2015-07-20", "count": 6}]
    months = c.get(f"/api/trend?q={q(SOME)}&interval=month&source=okaz").get_json()
    assert months["series"][0]["buckets"] == [{"key": "2015-07", "count": 1}]
    inline = c.get(f"/api/trend?q={q('الرمادي source:okaz')}").get_json()
    assert inline["series"][0]["total"] == 1
    share = c.get(f"/api/trend?q={q('الرمادي')}&scale=share").get_json()["series"][0]
    by_key = dict(zip([b["key"] for b in share["buckets"]], share["shares"]))
    assert by_key["2015-07-21"] == pytest.approx(2 / 3) and by_key["2015-07-22"] == pytest.approx(1 / 2)


@pytest.mark.parametrize("qs, words", [
    ("q=a&q=b&q=c&q=d&q=e&q=f", "6"), ("q=a&q=", "فارغ"), ("", "لا استعلام"),
    ("q=a&date=1900..2015&interval=day", "400"), ("q=a&date=1000..2900", "400"),
    ("q=a&interval=hour", "hour"), ("q=a&scale=log", "log"), ("q=a&date=2015-13", "2015"),
])
def test_trend_bad_input_is_a_clear_400(c, qs, words):
    for path in ("/api/trend", "/trend.csv", "/trend"):
        if path == "/trend" and qs == "":
            continue  # the page without a query is the empty form
        resp = c.get(f"{path}?{qs}")
        assert resp.status_code == 400, (path, qs)
        body = resp.get_json()["error"] if path == "/api/trend" else resp.get_data(as_text=True)
        assert words in body


def test_trend_page_draws_an_accessible_svg_without_inline_styles(c):
    resp = c.get(f"/trend?q={q('الرمادي')}&q={q('<b>سوريا</b>')}&q={q('أربيل')}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Content-Security-Policy" in resp.headers
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg and "aria-labelledby" in svg
    assert "style=" not in svg and "<script" not in html.lower().replace('<script src="/static/app.js" defer></script>', "")
    assert "&lt;b&gt;سوريا&lt;/b&gt;" in svg and "<b>سوريا" not in html
    assert re.search(r'<a href="/search\?q=[^"]+&amp;date=2015-07-21"', svg)  # a bar opens that day
    assert 'class="col s2"' in svg and 'class="swatch s2"' in html


def test_trend_csv_and_the_small_chart_on_results(c):
    rows = list(csv.reader(io.StringIO(c.get(f"/trend.csv?q={q('الرمادي')}&q={q('=cmd')}").get_data()
                                       .decode("utf-8-sig"))))
    assert rows[0] == ["period", "from", "to", "الرمادي", "'=cmd"]
    assert ["2015-07-21", "2015-07-21", "2015-07-21", "2", "0"] in rows
    html = c.get("/search?q=" + q("الرمادي")).get_data(as_text=True)
    assert 'class="chart small"' in html and "/trend?q=" in html
    data = c.get("/api/search?q=" + q("الرمادي")).get_json()
    assert data["trend"]["series"][0]["total"] == 3 and data["trend_url"].startswith("/trend?q=")


def test_dates_outside_the_engines_range_are_clamped_not_a_500(c):
    data = c.get("/api/search?date=1000..2900").get_json()
    assert data["total"] == len(ARTICLES)


def test_word_changes_are_bounded_for_long_articles():
    from web.versions import MAX_PASSAGE_WORDS, MAX_PASSAGES, word_changes

    base = " ".join(f"كلمة{i}" for i in range(5000))
    other = " ".join(f"كلمة{i}" if i % 50 else f"بديل{i}" for i in range(5000))
    change = word_changes(base, other)
    assert change.truncated and len(change.added) == MAX_PASSAGES == len(change.dropped)
    assert change.added[0] == "بديل0" and change.dropped[0] == "كلمة0"
    long_insert = word_changes("أ ب", "أ " + " ".join(["ج"] * 100) + " ب")
    assert long_insert.added[0].endswith("…") and len(long_insert.added[0].split()) == MAX_PASSAGE_WORDS + 1
    assert word_changes("نص واحد", "نص  واحد").same
