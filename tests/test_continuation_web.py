"""The strict result set and its continuation through the real app on a real index.

Every count (total, facets, CSV, batch rows, trend series, feeds) is of complete matches
only, with or without AND typed; the results page then continues with the articles lacking
one word, separated, counted apart, each naming the word it lacks, one hit per story.
The index: the story corpus (versions of three wire stories) plus a few crafted articles,
built by the real `indexer reindex` (so story ids are the indexer's own).
"""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote, urlencode

import pytest
from click.testing import CliRunner

from story_corpus import ARTICLES, STORIES

CRAFTED = [  # id, source, body
    ("m1", "okaz", "داعش يفجر جسرا في الموصل شمال العراق"),
    ("m2", "okaz", "معارك بين الجيش ومسلحي داعش قرب الموصل"),
    ("m3", "sabq", "نازحون من الموصل يصلون إلى أربيل"),  # lacks داعش
    ("m4", "sabq", "داعش يهاجم بلدة في ريف حلب"),  # lacks الموصل
    ("m5", "sabq", "الحوثيون يسيطرون على مبان في صنعاء"),
]
BOTH = "داعش الموصل"
COMPLETE = {"m1", "m2"}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from indexer.cli import main

    root = tmp_path_factory.mktemp("continuation")
    rows = [{"id": i, "title": f"خبر {i}", "content": body, "date": date, "source": source}
            for i, date, source, body in ARTICLES]
    rows += [{"id": i, "title": body, "content": body, "date": "2015-07-21T08:00:00", "source": source}
             for i, source, body in CRAFTED]
    src = root / "a.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    result = CliRunner().invoke(main, ["reindex", str(src), "--index", str(root / "idx"), "--workers", "0", "-q"])
    assert result.exit_code == 0, result.output
    return root / "idx"


@pytest.fixture(scope="module")
def c(index):
    from app import create_app

    return create_app({"SEARCH_INDEX": str(index), "TESTING": True, "SECRET_KEY": "t"}).test_client()


def api(c, q: str, **params) -> dict:
    resp = c.get("/api/search", query_string={"q": q, **params})
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_json()


def test_implicit_and_explicit_and_count_the_same_complete_matches(c):
    implicit = api(c, BOTH)
    assert implicit["total"] == len(COMPLETE)
    for form in ("داعش AND الموصل", "داعش and الموصل", "داعش && الموصل", "داعش، الموصل"):
        data = api(c, form)
        assert data["total"] == implicit["total"] and data["stories"] == implicit["stories"], form
        assert {h["id"] for h in data["hits"] if not h["partial"]} == COMPLETE, form
    # AND typed: every word required and nothing listed after them; the comma is no operator.
    assert api(c, "داعش AND الموصل")["partial_total"] is None
    assert api(c, "داعش، الموصل")["partial_total"] == implicit["partial_total"] > 0


def test_counts_everywhere_are_of_complete_matches_only(c):
    data = api(c, BOTH)
    assert data["facets"]["source"]["values"] == [
        {**data["facets"]["source"]["values"][0], "value": "okaz", "count": 2}]  # no sabq: m3, m4 lack a word
    rows = list(csv.DictReader(io.StringIO(c.get("/search.csv?q=" + quote(BOTH)).get_data().decode("utf-8-sig"))))
    assert {r["id"] for r in rows} == COMPLETE
    batch = c.get("/api/batch?" + urlencode([("q", BOTH), ("q", "داعش AND الموصل")])).get_json()
    assert [r["total"] for r in batch["rows"]] == [2, 2]
    trend = c.get("/api/trend?q=" + quote(BOTH)).get_json()["series"][0]
    assert trend["total"] == sum(b["count"] for b in trend["buckets"]) == 2
    feed = c.get("/search.atom?q=" + quote(BOTH)).get_data(as_text=True)
    assert feed.count("<entry>") == 2 and "/doc/m3" not in feed and "/doc/m4" not in feed


def test_the_continuation_follows_the_complete_matches_naming_the_missing_word(c):
    data = api(c, BOTH)
    hits = data["hits"]
    assert data["partial_start"] == 2 and data["partial_rank"] == 3 and data["partial_units"] == ["داعش", "الموصل"]
    assert [h["partial"] for h in hits] == [False, False] + [True] * (len(hits) - 2)
    assert {h["id"] for h in hits[:2]} == COMPLETE and all(h["missing"] == [] for h in hits[:2])
    missing = {h["id"]: h["missing"] for h in hits[2:]}
    assert missing["m3"] == ["داعش"] and missing["m4"] == ["الموصل"]
    # The three versions of the bridge story lack الموصل: one hit for the story.
    bridge = [h for h in hits if STORIES.get(h["id"]) == "bridge-b"]
    assert len(bridge) == 1 and bridge[0]["version_count"] == 3 and bridge[0]["missing"] == ["الموصل"]
    assert data["partial_total"] == 5 and data["partial_stories"] == 3
    assert data["pagination"]["pages"] == 1 and data["stories"] == 2
    # Every version: the articles, and pages over both parts.
    every = api(c, BOTH, versions="all")
    assert every["partial_total"] == 5 and len(every["hits"]) == 7 and every["partial_start"] == 2
    page2 = api(c, "الجسر اليوم", versions="all", page=1)
    assert {h["id"] for h in page2["hits"]} == {"bridge-b", "bridge-c", "bridge-a", "aid-1"}


def test_a_story_shown_among_complete_matches_is_not_shown_again(c):
    # bridge-b and bridge-c have both words, bridge-a lacks اليوم: the story is shown once,
    # above; aid-1 (no الجسر) follows.
    data = api(c, "الجسر اليوم")
    assert [STORIES[h["id"]] for h in data["hits"]] == ["bridge-b", "aid-1"]
    assert data["partial_total"] == 1 and data["partial_stories"] == 1 and data["hits"][1]["missing"] == ["الجسر"]


def test_no_complete_match_lists_the_articles_lacking_one_word_under_a_notice(c):
    data = api(c, "الموصل حلب")  # m3 and m1, m2 lack حلب; m4 and the talks story lack الموصل
    assert data["total"] == 0 and data["partial_total"] == 7 and data["partial_start"] == 0
    missing = {h["id"]: h["missing"] for h in data["hits"]}
    assert missing["m3"] == ["حلب"] and missing["m4"] == ["الموصل"] and data["partial_stories"] == len(missing) == 5
    assert any("تُعرض 7 مقالات تنقصها كلمة واحدة" in n for n in data["notices"])
    page = c.get("/search?q=" + quote("الموصل حلب")).get_data(as_text=True)
    assert 'class="empty partial-only"' in page and "لا توجد مقالات تطابق هذا البحث" not in page
    assert page.count('class="hit partial"') == 5


def test_a_misspelt_word_is_corrected_before_the_continuation_is_shown(c):
    # 0 complete matches: the spelling fix comes first (a typo is the word every article lacks);
    # the page then continues the corrected query.
    data = api(c, "داعش الموصلل")
    assert data["showing"]["reason"] == "spelling" and data["showing"]["query"] == BOTH
    assert data["total"] == 2 and data["partial_total"] == api(c, BOTH)["partial_total"]
    assert data["partial_units"] == ["داعش", "الموصل"]
    # Exactly as typed (expand=0): no rescue, the typed query's own continuation.
    typed = api(c, "داعش الموصلل", expand="0")
    assert typed["total"] == 0 and typed["showing"] is None and typed["suggestion"]["query"] == BOTH
    assert {h["missing"][0] for h in typed["hits"]} == {"الموصلل"}


def test_single_words_and_ors_have_no_continuation(c):
    for q in ("داعش", '"داعش"', "داعش OR الموصل", "", '"عبد ربه"'):  # a quoted name stays one name
        data = api(c, q)
        assert data["partial_total"] is None and not any(h["partial"] for h in data["hits"]), q


def test_a_quoted_phrase_continues_with_its_words_apart(c):
    # No article has "بلدة داعش" as written; m4 has both words apart ("داعش يهاجم بلدة").
    data = api(c, '"بلدة داعش"')
    assert data["total"] == 0 and data["partial_units"] == data["partial_phrases"] == ['"بلدة داعش"']
    assert [(h["id"], h["missing"]) for h in data["hits"]] == [("m4", ['"بلدة داعش"'])]
    # Its words, apart, are what it matches: both are marked.
    assert "<mark>داعش</mark>" in data["hits"][0]["snippet"] and "<mark>بلدة</mark>" in data["hits"][0]["snippet"]
    assert any("كما كتبته؛ يُعرض مقال واحد تنقصه العبارة كما كتبتها" in n for n in data["notices"])
    page = c.get("/search?q=" + quote('"بلدة داعش"')).get_data(as_text=True)
    assert "مقالات فيها كلمات العبارة متفرقة" in page and page.count('class="hit partial"') == 1
    # With the phrase as written somewhere, that article comes first, apart from the others.
    found = api(c, '"داعش يفجر"')
    assert [h["id"] for h in found["hits"] if not h["partial"]] == ["m1"] and found["partial_total"] == 0


def test_the_article_page_marks_a_loosened_phrase_s_words_where_the_phrase_is_missing(c):
    # m4 was listed for "بلدة داعش" with the words apart: its page marks both words, as the hit did.
    doc = c.get("/api/doc/m4", query_string={"q": '"بلدة داعش"'}).get_json()
    assert "<mark>بلدة</mark>" in doc["body_html"] and "<mark>داعش</mark>" in doc["body_html"]
    # m1 has "داعش يفجر" as typed: the phrase is marked whole, and a lone word of another
    # phrase that m1 lacks is marked only when some phrase is missing.
    doc = c.get("/api/doc/m1", query_string={"q": '"داعش يفجر" "الموصل العراق"'}).get_json()
    assert "<mark>الموصل</mark>" in doc["body_html"] and "العراق</mark>" in doc["body_html"]


def test_an_article_with_every_phrase_as_typed_marks_phrases_only():
    from types import SimpleNamespace

    from search.query.parser import parse
    from web.doc_views import lacks_a_phrase

    doc = SimpleNamespace(title="قصف في حلب", body="داعش يفجر جسرا في الموصل، وقرب الجسر داعش")
    assert not lacks_a_phrase(doc, parse('"داعش يفجر" حلب').tree)
    assert lacks_a_phrase(doc, parse('"داعش يفجر" "الجسر داعش يهاجم"').tree)
    assert not lacks_a_phrase(doc, parse('"داعش" الموصل').tree)  # a quoted word is no phrase


def test_a_phrase_of_three_words_loosened_may_lack_one_of_them(c):
    # No article has "داعش يهاجم الموصل" as written, nor its three words: m4 lacks الموصل,
    # m1 and m2 lack يهاجم; m3 has only الموصل (two words missing: not listed).
    data = api(c, '"داعش يهاجم الموصل"', versions="all")
    assert data["total"] == 0 and data["partial_phrases_lacking"] == ['"داعش يهاجم الموصل"']
    assert {h["id"] for h in data["hits"]} == {"m1", "m2", "m4"} and data["partial_total"] == 3
    # Each names the phrase's word it lacks.
    assert {h["id"]: h["missing"] for h in data["hits"]} == {"m1": ["يهاجم"], "m2": ["يهاجم"], "m4": ["الموصل"]}
    assert any("فيها كلمات العبارة متفرقة أو معظمها" in n for n in data["notices"])
    page = c.get("/search?q=" + quote('"داعش يهاجم الموصل"')).get_data(as_text=True)
    assert "مقالات فيها كلمات العبارة متفرقة أو معظمها" in page
    # An article with all three words apart comes before those lacking one (m1 before m2,
    # though m2 has its two words closer together).
    hits = api(c, '"الموصل داعش يفجر"', versions="all")["hits"]
    assert [h["id"] for h in hits] == ["m1", "m2"]
    # m1 has every word, not as the phrase: it lacks the phrase as typed; m2 lacks يفجر.
    assert [h["missing"] for h in hits] == [['"الموصل داعش يفجر"'], ["يفجر"]]
    # Two words stay two: a loosened two-word phrase keeps both (the test above).
    assert api(c, '"بلدة داعش"')["partial_phrases_lacking"] == []


def test_a_phrase_that_finds_plenty_as_typed_is_not_loosened(c, monkeypatch):
    import search.continuation

    assert api(c, '"داعش يفجر"')["partial_total"] == 0  # 1 story as typed: its words apart are offered
    monkeypatch.setattr(search.continuation, "PHRASE_RESCUE", 1)
    data = api(c, '"داعش يفجر"')
    assert data["total"] == 1 and data["partial_total"] is None and data["partial_url"] is None
    hidden = c.get("/search?q=" + quote('"داعش يفجر"') + "&partial=0").get_data(as_text=True)
    assert 'class="partial-on"' not in hidden  # nothing to offer back
    # A word beside the phrase may still be missing.
    assert api(c, '"يهاجم بلدة" الموصل')["partial_units"] == ['"يهاجم بلدة"', "الموصل"]


def test_a_phrase_and_one_word_continue_with_the_articles_that_lack_the_word(c):
    # m4 has the phrase and lacks الموصل; m3 has الموصل without the phrase: the phrase is
    # never the part an article may lack.
    data = api(c, '"يهاجم بلدة" الموصل')
    assert data["total"] == 0 and data["partial_units"] == ['"يهاجم بلدة"', "الموصل"]
    assert [(h["id"], h["missing"]) for h in data["hits"]] == [("m4", ["الموصل"])]
    assert data["partial_total"] == 1 and data["partial_phrases"] == ['"يهاجم بلدة"']
    page = c.get("/search?q=" + quote('"يهاجم بلدة" الموصل')).get_data(as_text=True)
    assert "مقالات تنقصها كلمة واحدة أو عبارة كما كتبتها" in page
    hidden = c.get("/search?q=" + quote('"يهاجم بلدة" الموصل') + "&partial=0").get_data(as_text=True)
    assert "اعرض بعدها المقالات التي تنقصها كلمة واحدة أو عبارة كما كتبتها" in hidden


def test_the_partial_parameter_is_canonical_validated_and_switches_it_off(c):
    off = api(c, BOTH, partial="0")
    assert off["partial_total"] is None and [h["id"] for h in off["hits"]] != [] and off["total"] == 2
    assert len(off["hits"]) == 2 and off["canonical_url"].endswith("&partial=0")
    assert off["partial_url"] == api(c, BOTH)["canonical_url"]
    resp = c.get("/search?" + urlencode([("q", BOTH), ("page", "1"), ("partial", "0"), ("versions", "all")]))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("&versions=all&partial=0")
    assert c.get("/search?q=x&partial=2").status_code == 400
    assert c.get("/api/search?q=x&partial=yes").get_json()["status"] == 400
    # the page offers it back
    page = c.get("/search?q=" + quote(BOTH) + "&partial=0").get_data(as_text=True)
    assert 'class="partial-on"' in page and "partial-divider" not in page


def test_the_page_separates_the_continuation_with_its_count(c):
    page = c.get("/search?q=" + quote(BOTH)).get_data(as_text=True)
    head, divider, rest = page.partition('<h2 class="partial-divider" id="partial">')
    assert divider and head.count('class="hit"') == 2 and 'class="hit partial"' not in head
    assert "مقالات تنقصها كلمة واحدة من كلماتك" in rest[:300] and "(5 مقالات" in rest[:300]
    assert rest.count('class="hit partial"') == 3 and '<p class="missing">تنقصها: <bdi>داعش</bdi></p>' in rest
    assert 'class="partial-off"' in rest and "partial=0" in rest[:600]
    assert 'class="partial-count"' in head  # the summary says what follows


def test_counts_after_a_preposition_take_the_genitive_dual(c):
    # "النتائج: 2 مقالان في 2 قصتين": the dual after في is genitive (web/formatting.py).
    page = c.get("/search?q=" + quote(BOTH)).get_data(as_text=True)
    assert '<strong>2</strong> مقالان في <b class="stories">2</b> قصتين' in page
    rows = c.get("/batch?" + urlencode([("q", BOTH), ("q", "داعش")])).get_data(as_text=True)
    assert "من سطرين" in rows and "سطران</td>" not in rows.replace("اكتمل: سطران.", "")


def test_the_json_twin_says_whether_the_continuation_story_count_is_exact(c):
    data = api(c, BOTH)
    assert data["partial_stories"] == 3 and data["partial_stories_exact"] is True
    assert api(c, BOTH, versions="all")["partial_stories_exact"] is None  # no stories when every version is listed
    assert api(c, "داعش")["partial_stories_exact"] is None  # no continuation


def test_the_csv_link_says_the_continuation_is_not_in_the_file(c):
    # The CSV holds the complete matches only; with a continuation on the page the link says so.
    data = api(c, BOTH)
    assert data["csv_total"] == 2 and data["csv_includes_partial"] is False
    page = c.get("/search?q=" + quote(BOTH)).get_data(as_text=True)
    link = page[page.index('class="csv"'):][:400]
    assert "2 تحوي كل الكلمات" in link and "لا يشمل" in link
    # Only articles lacking a word: the page lists them, the file has none, and says why.
    only = c.get("/search?q=" + quote("الموصل حلب")).get_data(as_text=True)
    link = only[only.index('class="csv"'):][:400]
    assert "0 تحوي كل الكلمات" in link
    rows = list(csv.DictReader(io.StringIO(c.get("/search.csv?q=" + quote("الموصل حلب")).get_data().decode("utf-8-sig"))))
    assert rows == []
    # No continuation: the plain count.
    plain = c.get("/search?q=" + quote("داعش")).get_data(as_text=True)
    link = plain[plain.index('class="csv"'):][:300]
    assert "تحوي كل الكلمات" not in link and "لا يشمل" not in link


def test_and_typed_with_partial_off_offers_no_continuation_to_switch_on(c):
    # AND typed has no continuation, so partial=0 hides nothing: no link promising one.
    data = api(c, "داعش AND الموصل", partial="0")
    assert data["partial_url"] is None and data["partial_total"] is None
    page = c.get("/search?" + urlencode([("q", "داعش AND الموصل"), ("partial", "0")])).get_data(as_text=True)
    assert 'class="partial-on"' not in page
    assert api(c, BOTH, partial="0")["partial_url"] is not None  # without AND, it is offered back
