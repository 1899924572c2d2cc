"""The web UI through Flask's test client: URLs, facets, pages, article, saved searches, export."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from test_web_corpus import EVIL_DOC, XSS, corpus

from search.model import MAX_PAGE

pytest_plugins = ("test_web_corpus",)  # its fixtures: web_index, web_app, web_client
DAESH = "داعش"


def html(resp) -> str:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def api(client, qs: str = "") -> dict:
    resp = client.get("/api/search" + ("?" + qs if qs else ""))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def q(s: str) -> str:
    return quote(s)


def matching(pred) -> list:
    return [d for d in corpus() if pred(d)]


# ---- search page and its JSON twin -----------------------------------------------------------
def test_home_browses_everything_rtl_arabic(web_client):
    page = html(web_client.get("/"))
    assert '<html lang="ar" dir="rtl">' in page
    assert "كل المقالات" in page
    data = api(web_client)
    assert data["total"] == len(corpus())
    assert {"country", "org", "troops", "month", "source"} <= set(data["facets"])


def test_query_total_hits_marks_and_query_kept(web_client):
    data = api(web_client, f"q={q(DAESH)}")
    expected = {d.id for d in matching(lambda d: DAESH in d.body or DAESH in (d.title or ""))}
    assert data["total"] >= len(expected) - 2 and data["total"] > 10
    assert all("<mark>" in h["snippet"] for h in data["hits"])
    page = html(web_client.get(f"/search?q={q(DAESH)}"))
    assert f'value="{DAESH}"' in page  # the query box keeps the query
    assert f"<mark>{DAESH}</mark>" in page
    assert f"<strong>{data['total']}</strong>" in page


def test_hit_shows_title_or_first_words_source_date_entities_troops(web_client):
    data = api(web_client, "q=" + q("كربلاء"))
    by_id = {h["id"]: h for h in data["hits"]}
    titled = by_id["seed-0"]
    assert titled["display_title"] == "آلاف العراقيين يتطوعون لقتال داعش"
    untitled = by_id["s0-00"]
    assert untitled["title"] is None and untitled["display_title"].startswith("في معركة الاصطفاف ضد داعش")
    assert titled["source"] and titled["date"]
    assert {c["code"] for c in titled["countries"]} >= {"IQ"}
    assert 1000 in titled["troops"]
    page = html(web_client.get("/search?q=" + q("كربلاء")))
    assert "1,000</bdi> جندي" in page
    # Country tag adds that filter to the current search.
    assert f'href="/search?q={q("كربلاء")}&amp;country=IQ"' in page
    assert "1 يونيو 2014" in page and "aawsat" in page


def test_facets_have_labels_counts_and_selection(web_client):
    data = api(web_client, "country=IQ")
    country = {v["value"]: v for v in data["facets"]["country"]["values"]}
    assert country["IQ"]["label"] == "العراق" and country["IQ"]["selected"]
    assert country["SY"]["label"] == "سوريا" and not country["SY"]["selected"]
    # Disjunctive: SY's count is what selecting it (OR) would add, not the overlap with IQ.
    n_sy = len(matching(lambda d: "SY" in d.countries))
    assert country["SY"]["count"] == n_sy
    assert country["SY"]["url"] == "/search?country=IQ&country=SY"
    both = api(web_client, "country=IQ&country=SY")
    assert both["total"] == len(matching(lambda d: {"IQ", "SY"} & set(d.countries)))
    # Across facets: AND.
    anded = api(web_client, "country=SY&org=" + q("التحالف الدولي"))
    assert anded["total"] == len(matching(lambda d: "SY" in d.countries and "التحالف الدولي" in d.orgs))


def test_outlets_show_by_name_in_facet_hits_chips_and_article(web_client):
    data = api(web_client, "source=aawsat")
    source = {v["value"]: v for v in data["facets"]["source"]["values"]}
    assert source["aawsat"]["label"] == "الشرق الأوسط" and source["rt-arabic"]["label"] == "rt-arabic"
    assert data["filters"][0]["label"] == "الشرق الأوسط"
    hit = data["hits"][0]
    assert (hit["source"], hit["source_name"]) == ("aawsat", "الشرق الأوسط")
    page = html(web_client.get("/search?source=aawsat"))
    assert '<bdi class="source" title="aawsat">الشرق الأوسط</bdi>' in page
    assert "الشرق الأوسط" in html(web_client.get(f"/facet/source?facet_q={q('الشرق')}"))
    doc = web_client.get(f"/api/doc/{hit['id']}").get_json()
    assert doc["source"] == "aawsat" and doc["source_name"] == "الشرق الأوسط"
    assert "الشرق الأوسط</bdi>" in html(web_client.get(f"/doc/{hit['id']}"))


def test_long_facet_shows_top_ten_then_more_and_facet_search(web_client):
    page = html(web_client.get("/search"))
    section = page[page.index('id="facet-org"'):page.index('id="facet-troops"')]
    top = section[:section.index('<details class="more"')]
    assert top.count("<li") == 10
    assert "المزيد" in section and 'name="facet_q"' in section
    assert 'action="/facet/org"' in section


def test_facet_search_boxes_say_what_they_search(web_client):
    page = html(web_client.get("/search"))
    # "ابحث في الدولة" would read "search in the country"
    assert 'placeholder="ابحث عن منظمة"' in page and "ابحث في المنظمة" not in page
    troops = html(web_client.get("/facet/troops"))
    assert 'name="facet_q"' not in troops  # a handful of fixed ranges: nothing to search


def test_facet_page_and_json_twin_search_within_values(web_client):
    page = html(web_client.get("/facet/org?country=IQ&facet_q=" + q("جيش")))
    assert "الجيش العراقي" in page and "جيش المهدي" in page and "البيت الأبيض" not in page
    assert '<link rel="canonical"' in page
    data = web_client.get("/api/facet/org?country=IQ&facet_q=" + q("جيش")).get_json()
    labels = {v["label"] for v in data["values"]}
    assert labels and all("جيش" in label for label in labels)
    # Loose Arabic matching: alef and ta marbuta variants still find the value.
    data = web_client.get("/api/facet/org?facet_q=" + q("الامن")).get_json()
    assert "مجلس الأمن الدولي" in {v["label"] for v in data["values"]}
    # Links go back to the search with the value toggled and the other filters kept.
    value = next(v for v in data["values"] if v["label"] == "مجلس الأمن الدولي")
    assert value["url"].startswith("/search?org=")
    assert web_client.get("/facet/nope").status_code == 404
    assert web_client.get("/api/facet/nope").get_json()["error"]


def test_troops_ranges_and_min_max_form(web_client):
    data = api(web_client, "troops=1000-")
    assert data["total"] == len(matching(lambda d: (d.troops_max or 0) >= 1000))
    troops = {v["value"]: v for v in data["facets"]["troops"]["values"]}
    assert troops["1000-9999"]["count"] >= 1 and troops["10000-"]["count"] == 1
    # The min/max form redirects to the canonical troops parameter.
    resp = web_client.get("/search?troops_min=500&troops_max=&q=")
    assert resp.status_code == 302 and resp.headers["Location"] == "/search?troops=500-"
    resp = web_client.get("/search?troops_min=&troops_max=")
    assert resp.headers["Location"] == "/search"


def test_month_histogram_and_date_form(web_client):
    data = api(web_client)
    months = [v["value"] for v in data["facets"]["month"]["values"]]
    assert months == sorted(months) and "2014-06" in months and "2014-11" in months  # gap month filled
    page = html(web_client.get("/search?date=2014-06..2014-08"))
    assert 'class="histogram' in page and "bar h20 selected" in page
    assert 'name="date_from" value="2014-06"' in page
    resp = web_client.get("/search?date_from=2014-06&date_to=2014-08")
    assert resp.headers["Location"] == "/search?date=2014-06..2014-08"
    data = api(web_client, "date=2014-06..2014-08")
    assert data["total"] == len(matching(lambda d: d.date and "2014-06" <= d.date[:7] <= "2014-08"))


def test_chips_remove_one_filter_and_clear_all(web_client):
    qs = f"q={q(DAESH)}&country=IQ&country=SY&troops=1000-&date=2014-06..2014-12&sort=date"
    data = api(web_client, qs)
    chips = {(f["facet"], f["value"]): f["remove_url"] for f in data["filters"]}
    assert chips[("country", "IQ")] == f"/search?q={q(DAESH)}&country=SY&troops=1000-&date=2014-06..2014-12&sort=date"
    assert data["clear_url"] == f"/search?q={q(DAESH)}&sort=date"
    page = html(web_client.get("/search?" + qs))
    assert page.count('class="chip chip-') == 4 and "مسح كل المرشحات" in page
    assert "1,000 فأكثر" in page and "يونيو 2014 – ديسمبر 2014" in page


def test_no_results_offers_dropping_the_most_restrictive_filter(web_app, web_client):
    # IQ+org داعش gives many; adding source=none-such kills everything. Dropping source is best.
    qs = f"country=IQ&org={q(DAESH)}&source=aawsat&troops=10000-"
    data = api(web_client, qs)
    assert data["total"] == 0
    s = data["relaxation"]
    assert s["facet"] == "troops" and s["total"] > 0
    assert api(web_client, urlsplit(s["url"]).query)["total"] == s["total"]
    from werkzeug.datastructures import MultiDict

    from web.params import parse_state
    from web.relax import relaxations

    with web_app.test_request_context():
        options = relaxations(parse_state(MultiDict(parse_qsl(qs))), web_app.extensions["search_backend"])
    assert [o.total for o in options] == sorted((o.total for o in options), reverse=True)
    assert options[0].facet == "troops" and {o.facet for o in options} == {"country", "org", "source", "troops"}
    page = html(web_client.get("/search?" + qs))
    assert "لا توجد مقالات" in page and "أزِله لعرض" in page


def test_nothing_found_shows_no_empty_filter_sidebar(web_client):
    page = html(web_client.get("/search?q=!!!"))
    assert 'class="layout no-facets"' in page and 'class="facets"' not in page and 'href="#facets"' not in page
    assert 'class="facets"' in html(web_client.get("/search?q=" + q(DAESH)))


def test_counted_nouns_follow_arabic_number_agreement():
    from web.formatting import counted, noun

    assert [counted(n, "article") for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 1736)] == [
        "0 مقال", "مقال واحد", "مقالان", "3 مقالات", "10 مقالات", "11 مقالًا", "99 مقالًا", "100 مقال",
        "102 مقال", "103 مقالات", "1,736 مقالًا"]
    assert [noun(n, "story") for n in (1, 2, 5, 25, 1000)] == ["قصة", "قصتان", "قصص", "قصة", "قصة"]
    assert counted(1, "value") == "قيمة واحدة" and counted(4, "line") == "4 أسطر"
    # After a preposition the dual is genitive ("في قصتين"، "من سطرين"); the other forms stay.
    assert [noun(n, "story", "genitive") for n in (1, 2, 5, 25, 1000)] == ["قصة", "قصتين", "قصص", "قصة", "قصة"]
    assert counted(2, "line", "genitive") == "سطرين" and counted(2, "value", "genitive") == "قيمتين"
    assert counted(1, "line", "genitive") == "سطر واحد" and counted(12, "article", "genitive") == "12 مقالًا"
    # The verb after articles lacking a word takes their pronoun: one, two, more.
    from web.formatting import lacking

    assert [f"{counted(n, 'article')} {lacking(n)}" for n in (1, 2, 3, 11, 100)] == [
        "مقال واحد تنقصه", "مقالان تنقصهما", "3 مقالات تنقصها", "11 مقالًا تنقصها", "100 مقال تنقصها"]


def test_no_results_without_filters_says_so(web_client):
    page = html(web_client.get("/search?q=" + q("كلمةغيرموجودةأبدا")))
    assert "لا توجد مقالات" in page and "تصفّح كل المقالات" in page


def test_sort_links_and_pagination(web_client):
    data = api(web_client, "sort=date")
    dates = [h["date"] for h in data["hits"] if h["date"]]
    assert dates == sorted(dates, reverse=True)
    total = data["total"]
    last = (total + 9) // 10
    page2 = api(web_client, "sort=date&page=2")
    assert not {h["id"] for h in data["hits"]} & {h["id"] for h in page2["hits"]}
    assert page2["pagination"]["prev"] == 1 and page2["pagination"]["next"] == 3
    page = html(web_client.get("/search?sort=date&page=2"))
    assert 'rel="prev" href="/search?sort=date"' in page and 'rel="next" href="/search?sort=date&amp;page=3"' in page
    assert f'href="/search?sort=date&amp;page={last}"' in page and 'aria-current="page">2<' in page
    assert '<ol class="hits" start="11">' in page
    assert "الأحدث</strong>" in page
    troops = api(web_client, "sort=troops")["hits"]
    assert troops[0]["id"] == "troops-20000"


def test_page_past_results_and_past_max_page(web_client):
    page = html(web_client.get("/search?page=50"))
    assert "بعد آخر صفحة" in page
    resp = web_client.get(f"/search?page={MAX_PAGE + 1}")
    assert resp.status_code == 400 and "CSV" in resp.get_data(as_text=True)
    assert web_client.get(f"/api/search?page={MAX_PAGE}").status_code == 200


def test_pagination_is_capped_at_max_page():
    from web.pagination import Pagination

    p = Pagination(page=MAX_PAGE, page_size=10, total=50_000)
    assert p.capped and p.last == MAX_PAGE and p.next is None
    assert [link.page for link in p.links()] == [1, None, MAX_PAGE - 2, MAX_PAGE - 1, MAX_PAGE]
    p = Pagination(page=5, page_size=10, total=95)
    assert [link.page for link in p.links()] == [1, 2, 3, 4, 5, 6, 7, None, 10]
    assert Pagination(page=1, page_size=10, total=3).links() == []


# ---- URLs are the product ---------------------------------------------------------------------
def test_non_canonical_urls_redirect_once_to_the_canonical_url(web_client):
    resp = web_client.get("/search?page=1&sort=relevance&country=sy&country=IQ&q=" + q("  داعش   الموصل ") + "&v=1")
    assert resp.status_code == 302
    loc = resp.headers["Location"]
    assert loc == "/search?q=" + quote("داعش الموصل", safe="").replace("%20", "+") + "&country=IQ&country=SY"
    again = web_client.get(loc)
    assert again.status_code == 200  # canonical URLs never redirect (no loops)
    assert f'<link rel="canonical" href="{loc.replace("&", "&amp;")}">' in again.get_data(as_text=True)
    assert web_client.get("/?q=x").headers["Location"] == "/search?q=x"
    assert web_client.get("/search?q=x&utm_source=mail").headers["Location"] == "/search?q=x"


def test_encoding_differences_do_not_redirect(web_client):
    assert web_client.get("/search?q=%D8%AF%D8%A7%D8%B9%D8%B4%20x").status_code == 200


def test_api_reports_canonical_url_and_notices_without_redirect(web_client):
    data = api(web_client, "country=sy&q=" + q('"داعش'))
    assert data["canonical_url"].startswith("/search?q=") and data["canonical_url"].endswith("country=SY")
    assert data["notices"]  # unclosed quote
    page = web_client.get("/search?q=" + q('"داعش') + "&country=sy")
    assert page.status_code == 200 and "علامة تنصيص" in page.get_data(as_text=True)


@pytest.mark.parametrize("qs, needle", [
    ("country=XX", "رمز دولة"), ("page=-1", "رقم الصفحة"), ("page=abc", "رقم الصفحة"),
    ("troops=abc", "عدد القوات"), ("troops=500-100", "مقلوب"), ("date=2014-13-40", "تاريخ غير موجود"),
    ("date=2014-02-30", "تاريخ غير موجود"), ("sort=random", "ترتيب"), ("v=2", "إصدار"),
    ("troops_min=x", "عدد القوات"), ("q=" + "x" * 1200, "طويل"), ("page=%D9%A3x", "رقم الصفحة"),
    ("date=9999-12-31", "خارج النطاق"), ("date=9999-12", "خارج النطاق"), ("since=0001-01-01", "وقت الوصول"),
])
def test_bad_parameters_are_400_with_readable_arabic(web_client, qs, needle):
    for path in ("/search", "/search.csv", "/facet/country", "/doc/seed-0"):
        resp = web_client.get(f"{path}?{qs}")
        body = resp.get_data(as_text=True)
        assert resp.status_code == 400, (path, qs)
        assert needle in body and "Traceback" not in body
    resp = web_client.get(f"/api/search?{qs}")
    assert resp.status_code == 400 and needle in resp.get_json()["error"]


def test_invalid_utf8_and_unknown_routes_never_500(web_client):
    assert web_client.get("/search?q=%ff%fe").status_code in (200, 302)
    assert web_client.get("/doc/does-not-exist").status_code == 404
    assert web_client.get("/api/doc/does-not-exist").get_json()["status"] == 404
    assert web_client.get("/api/nothing").get_json()["error"]


ABSURD = ["q=" + "ا" * 999, "q=%C3%28%ff", "q=" + "(" * 300, "q=" + q('"') * 51 + "x", "q=AND%20" * 5 + "OR",
          "q=a&q=b&q=c", "page=0", "page=99999999999999999999", "page=%D9%A1", "page=1&page=2",
          "country=zz&country=", "org=" + "x" * 201, "troops=99999999999-", "troops=custom&troops_min=-1",
          "casualties=--", "date=0000", "date=2015-07..", "date=..", "since=9999-99-99", "since=" + "9" * 30,
          "sort=", "expand=", "versions=ALL", "v=1&v=2", "interval=year", "scale=share", "facet_q=" + "x" * 101]
ROUTES = ["/search", "/api/search", "/search.csv", "/search.atom", "/doc/seed-0", "/api/doc/seed-0",
          "/facet/country", "/api/facet/troops", "/facet/day", "/trend?q=a", "/api/trend?q=a", "/trend.csv?q=a",
          "/batch?q=a", "/api/batch?q=a", "/batch.csv?q=a"]


def test_absurd_parameters_on_every_route_are_never_a_500(web_client):
    for route in ROUTES:
        for qs in ABSURD:
            resp = web_client.get(route + ("&" if "?" in route else "?") + qs)
            body = resp.get_data(as_text=True)
            assert resp.status_code < 500 and "Traceback" not in body, (route, qs, body[:300])


def test_backend_failure_is_a_readable_error_without_traceback(web_index):
    from app import create_app

    app = create_app({"SEARCH_INDEX": str(web_index), "SECRET_KEY": "x", "PROPAGATE_EXCEPTIONS": False})

    def boom(request):
        raise RuntimeError("secret internals")

    app.extensions["search_backend"].search = boom
    resp = app.test_client().get("/search")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "secret internals" not in body and "خطأ داخلي" in body
    assert app.test_client().get("/api/search").get_json()["status"] == 500


def test_missing_index_is_503(tmp_path):
    from app import create_app

    client = create_app({"SEARCH_INDEX": str(tmp_path / "none"), "SECRET_KEY": "x"}).test_client()
    assert client.get("/search").status_code == 503
    assert client.get("/api/search").get_json()["status"] == 503
    assert client.get("/search.csv").status_code == 503


# ---- article page -----------------------------------------------------------------------------
def test_article_highlights_query_and_links_entities(web_client):
    page = html(web_client.get(f"/doc/seed-0?q={q(DAESH)}&country=IQ"))
    body = page[page.index('<div class="body"'):]
    assert f"<mark>{DAESH}</mark>" in body
    assert '<a class="ent ent-country" href="/search?country=IQ"' in body
    assert f'<a class="ent ent-org" href="/search?org={q(DAESH)}"' in body
    assert '<a class="ent ent-troops" href="/search?troops=1000-9999"' in body
    # Both layers on one word: the mark nests inside the entity link.
    assert f'href="/search?org={q(DAESH)}" title="منظمة: {DAESH}"><mark>{DAESH}</mark></a>' in body
    assert f'href="/search?q={q(DAESH)}&amp;country=IQ"' in page  # back to the results
    assert '<link rel="canonical" href="/doc/seed-0?q=' in page


def test_article_json_twin(web_client):
    data = web_client.get(f"/api/doc/seed-0?q={q(DAESH)}").get_json()
    assert data["id"] == "seed-0" and f"<mark>{DAESH}</mark>" in data["body_html"]
    assert data["entities"]["country"][0]["value"] == "IQ"
    assert data["entities"]["troops"][0]["label"] == "1,000"
    assert data["entities"]["troops"][0]["search_url"] == "/search?troops=1000-9999"
    untitled = web_client.get("/api/doc/s0-00").get_json()
    assert untitled["title"] is None and untitled["display_title"].startswith("في معركة")


def test_article_tolerates_bad_offsets():
    from search.model import StoredDocument
    from web.entities import annotate

    doc = StoredDocument(id="x", body="العراق وسوريا", extraction={"body": {
        "countries": [{"code": "IQ", "mentions": [{"start": 0, "end": 6, "text": "العراق"},
                                                 {"start": 50, "end": 60, "text": "zz"},
                                                 {"start": 2, "end": 4, "text": "غلط"}]}],
        "organizations": [{"name": "x", "mentions": [{"start": "a"}]}], "troops": [{"value": "many"}]}})
    out = annotate(doc.body, doc.extraction, "body", None, "/search")
    assert out.count("<a ") == 1 and out.endswith("وسوريا")


# ---- saved searches ---------------------------------------------------------------------------
def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_save_search_needs_csrf(web_client):
    resp = web_client.post("/saved", data={"name": "x", "query": "q=x"})
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)


def test_save_search_short_link_list_and_json(web_client):
    qs = f"q={q(DAESH)}&country=IQ&sort=date"
    page = html(web_client.get("/search?" + qs))
    resp = web_client.post("/saved", data={"csrf_token": csrf_token(page), "name": "داعش في العراق",
                                           "query": "sort=date&country=iq&q=" + q(DAESH) + "&page=3"})
    assert resp.status_code == 303
    slug = dict(parse_qsl(urlsplit(resp.headers["Location"]).query))["new"]
    listing = html(web_client.get(resp.headers["Location"]))
    assert "داعش في العراق" in listing and f"/s/{slug}" in listing
    short = web_client.get(f"/s/{slug}")
    assert short.status_code == 302 and short.headers["Location"] == "/search?" + qs  # canonical, page dropped
    data = web_client.get("/api/saved").get_json()
    item = next(s for s in data["saved"] if s["slug"] == slug)
    assert item["name"] == "داعش في العراق" and item["short_url"].endswith(f"/s/{slug}")
    assert item["description"] == "«داعش» · الدولة: العراق"
    assert "«داعش» · الدولة: العراق" in listing
    assert web_client.get(f"/api/saved/{slug}").get_json()["query_string"] == qs
    # The same search saved again under its name keeps its link.
    again = web_client.post("/saved", data={"csrf_token": csrf_token(page), "name": "داعش في العراق", "query": qs})
    assert f"new={slug}" in again.headers["Location"]
    assert web_client.get("/s/zzzzzzzz").status_code == 404
    assert web_client.get("/s/..%2F..").status_code == 404


def test_save_rejects_invalid_search_and_long_names(web_client):
    token = csrf_token(html(web_client.get("/search")))
    assert web_client.post("/saved", data={"csrf_token": token, "name": "x", "query": "country=XX"}).status_code == 400
    resp = web_client.post("/saved", data={"csrf_token": token, "name": "x" * 500, "query": "q=x"})
    assert resp.status_code == 400 and "طويل" in resp.get_data(as_text=True)


def test_saved_names_drop_control_characters(web_client):
    # A name of control characters only (NUL, escape) is no name (it would show as an empty
    # link): the search is named by its query, as when no name is given.
    token = csrf_token(html(web_client.get("/search")))
    resp = web_client.post("/saved", data={"csrf_token": token, "name": "\x00\x1b", "query": "q=تدمر"})
    assert resp.status_code == 303
    slug = resp.headers["Location"].rsplit("new=", 1)[1]
    assert web_client.get(f"/api/saved/{slug}").get_json()["name"] == "تدمر"
    resp = web_client.post("/saved", data={"csrf_token": token, "name": "تدمر\x00 الأثرية", "saved_by": "\x07هدى",
                                           "query": "q=تدمر&country=SY"})
    assert resp.status_code == 303
    listed = html(web_client.get(resp.headers["Location"]))
    assert "تدمر الأثرية" in listed and "\x00" not in listed and "\x07" not in listed
    batch = web_client.post("/batch", data={"csrf_token": token, "lines": "تدمر", "name": "\x00", "action": "save"})
    assert batch.status_code == 303
    assert "\x00" not in html(web_client.get(batch.headers["Location"]))


def test_saving_the_same_search_under_a_new_name_asks_before_renaming(web_client):
    token = csrf_token(html(web_client.get("/search")))
    first = web_client.post("/saved", data={"csrf_token": token, "name": "الموصل", "saved_by": "هدى",
                                            "query": f"q={q('الموصل')}"})
    slug = dict(parse_qsl(urlsplit(first.headers["Location"]).query))["new"]
    asked = web_client.post("/saved", data={"csrf_token": token, "name": "معركة الموصل", "query": f"q={q('الموصل')}"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 409 and "محفوظ باسم" in page and "الموصل" in page and "معركة الموصل" in page
    assert web_client.get(f"/api/saved/{slug}").get_json()["name"] == "الموصل"  # not renamed silently
    confirm = re.search(r'action="(/saved/[0-9a-f]{8}/rename)"', page).group(1)
    assert confirm == f"/saved/{slug}/rename"
    done = web_client.post(confirm, data={"csrf_token": csrf_token(page), "name": "معركة الموصل"})
    assert done.status_code == 303
    item = web_client.get(f"/api/saved/{slug}").get_json()
    assert item["name"] == "معركة الموصل" and item["saved_by"] == "هدى"
    assert "هدى" in html(web_client.get("/saved"))  # "saved by" is shown in the list


def test_rename_and_delete_from_the_list(web_client):
    token = csrf_token(html(web_client.get("/search")))
    resp = web_client.post("/saved", data={"csrf_token": token, "name": "حلب", "query": f"q={q('حلب')}"})
    slug = dict(parse_qsl(urlsplit(resp.headers["Location"]).query))["new"]
    listing = html(web_client.get("/saved"))
    assert f'action="/saved/{slug}/rename"' in listing and f'action="/saved/{slug}/delete"' in listing
    # Writing routes need the CSRF token.
    assert web_client.post(f"/saved/{slug}/rename", data={"name": "x"}).status_code == 400
    assert web_client.post(f"/saved/{slug}/delete").status_code == 400
    assert web_client.post(f"/saved/{slug}/rename", data={"csrf_token": token, "name": " "}).status_code == 400
    assert web_client.post(f"/saved/{slug}/rename", data={"csrf_token": token, "name": "حلب ٢٠١٦"}).status_code == 303
    assert web_client.get(f"/api/saved/{slug}").get_json()["name"] == "حلب ٢٠١٦"
    gone = web_client.post(f"/saved/{slug}/delete", data={"csrf_token": token})
    assert gone.status_code == 303 and "حُذف" in html(web_client.get(gone.headers["Location"]))
    assert web_client.get(f"/s/{slug}").status_code == 404
    assert web_client.post(f"/saved/{slug}/delete", data={"csrf_token": token}).status_code == 404
    assert web_client.post("/saved/zzzz/rename", data={"csrf_token": token, "name": "x"}).status_code == 404


def test_saved_search_json_twins_write_with_the_csrf_token(web_client):
    listing = web_client.get("/api/saved").get_json()
    token = listing["csrf_token"]
    assert web_client.post("/api/saved", json={"name": "x", "query": "q=x"}).status_code == 400  # no token
    headers = {"X-CSRFToken": token}
    made = web_client.post("/api/saved", json={"name": "كركوك", "query": f"q={q('كركوك')}", "saved_by": "Omar"},
                           headers=headers)
    assert made.status_code == 201
    item = made.get_json()
    assert item["name"] == "كركوك" and item["saved_by"] == "Omar" and item["short_url"].endswith(item["slug"])
    again = web_client.post("/api/saved", json={"name": "كركوك ٢", "query": f"q={q('كركوك')}"}, headers=headers)
    assert again.status_code == 409 and again.get_json()["existing"]["slug"] == item["slug"]
    # names and queries are text: a list or an object is a clear 400, never stored as its repr
    for body in ({"name": {"a": 1}, "query": "q=x"}, {"name": "x", "query": ["q=x"]}, {"name": "x", "saved_by": [1]}):
        refused = web_client.post("/api/saved", json=body, headers=headers)
        assert refused.status_code == 400 and "نص" in refused.get_json()["error"], body
    assert web_client.post(f"/api/saved/{item['slug']}/rename", json={"name": ["x"]}, headers=headers).status_code == 400
    renamed = web_client.post(f"/api/saved/{item['slug']}/rename", json={"name": "كركوك ٢"}, headers=headers)
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "كركوك ٢"
    deleted = web_client.post(f"/api/saved/{item['slug']}/delete", headers=headers)
    assert deleted.get_json() == {"deleted": True, "slug": item["slug"]}
    assert web_client.get(f"/api/saved/{item['slug']}").status_code == 404


def test_saved_search_json_with_lone_surrogates_is_a_clear_400(web_client):
    # JSON may carry "\ud800" (half of a UTF-16 pair): no UTF-8 text holds it, so the store
    # could not write it; a 400 names the problem instead of a 500.
    headers = {"X-CSRFToken": web_client.get("/api/saved").get_json()["csrf_token"]}
    made = web_client.post("/api/saved", json={"name": "حلب", "query": "q=" + q("حلب")}, headers=headers)
    assert made.status_code == 201
    bodies = ['{"name": "\\ud800x", "query": "q=x"}', '{"name": "x", "saved_by": "\\udfff", "query": "q=x"}',
              '{"name": "x", "query": "q=x&org=\\ud83d"}']
    for body in bodies:
        refused = web_client.post("/api/saved", data=body, content_type="application/json", headers=headers)
        assert refused.status_code == 400 and "غير صالحة" in refused.get_json()["error"], body
    renamed = web_client.post(f"/api/saved/{made.get_json()['slug']}/rename", data='{"name": "\\ud83d"}',
                              content_type="application/json", headers=headers)
    assert renamed.status_code == 400
    pair = web_client.post("/api/saved", data='{"name": "\\ud83d\\ude00 حلب", "query": "q=x"}',
                           content_type="application/json", headers=headers)
    assert pair.status_code == 201 and pair.get_json()["name"] == "😀 حلب"  # a whole pair is a character


def test_saved_search_json_nested_too_deep_is_a_clear_400(web_client):
    # 5,000 nested brackets exhaust the JSON parser's recursion: a malformed body, not a 500.
    headers = {"X-CSRFToken": web_client.get("/api/saved").get_json()["csrf_token"]}
    deep = "[" * 5000 + "]" * 5000
    made = web_client.post("/api/saved", json={"name": "تكريت", "query": "q=" + q("تكريت")}, headers=headers)
    for path in ("/api/saved", f"/api/saved/{made.get_json()['slug']}/rename"):
        resp = web_client.post(path, data=deep, content_type="application/json", headers=headers)
        assert resp.status_code == 400 and "JSON" in resp.get_json()["error"], path


def test_saved_store_is_durable(tmp_path):
    from search.saved import AlreadySaved, SqliteSavedSearches

    a = SqliteSavedSearches(tmp_path / "s.sqlite3")
    saved = a.save("اسم", "q=x", saved_by="هدى")
    b = SqliteSavedSearches(tmp_path / "s.sqlite3")
    assert b.get(saved.slug) == saved and b.list()[0].slug == saved.slug and saved.saved_by == "هدى"
    assert a.save("اسم", "q=x") == saved
    with pytest.raises(AlreadySaved):
        a.save("آخر", "q=x")
    assert b.get(saved.slug).name == "اسم"
    assert a.rename(saved.slug, "آخر").name == "آخر" and b.get(saved.slug).name == "آخر"
    assert a.save("ب", "q=y").slug != saved.slug
    assert a.delete(saved.slug) and b.get(saved.slug) is None and not a.delete(saved.slug)
    assert a.rename(saved.slug, "x") is None
    with pytest.raises(ValueError):
        a.save("", "q=z")


def test_a_saved_search_file_from_before_saved_by_is_migrated(tmp_path):
    import sqlite3

    from search.saved import SqliteSavedSearches

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE saved_search (slug TEXT PRIMARY KEY, name TEXT NOT NULL,"
                   " query_string TEXT NOT NULL, created_at TEXT NOT NULL)")
        db.execute("INSERT INTO saved_search VALUES ('abcdef01', 'قديم', 'q=x', '2020-01-01T00:00:00Z')")
    store = SqliteSavedSearches(path)
    assert store.get("abcdef01").name == "قديم" and store.get("abcdef01").saved_by is None
    assert store.save("جديد", "q=y", saved_by="Omar").saved_by == "Omar"


# ---- export -----------------------------------------------------------------------------------
def test_csv_streams_every_match_with_bom(web_client):
    resp = web_client.get("/search.csv?q=" + q(DAESH) + "&page=3")
    assert resp.status_code == 200 and resp.is_streamed
    assert resp.headers["Content-Type"].startswith("text/csv") and "attachment" in resp.headers["Content-Disposition"]
    raw = resp.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["id", "story", "title", "date", "source", "source_name", "url", "countries", "organizations",
                       "troops", "casualties"]
    assert len(rows) - 1 == api(web_client, "q=" + q(DAESH))["total"]  # all of them, not one page
    seed = next(r for r in rows if r[0] == "seed-0")
    assert seed[1] == "seed-0"  # its own story
    assert "IQ" in seed[7].split("; ") and DAESH in seed[8] and "1000" in seed[9]
    # outlets by name; an id missing from search/data/outlets.tsv still shows as it is
    names = {r[4]: r[5] for r in rows[1:] if r[4]}
    assert names["aawsat"] == "الشرق الأوسط" and names["alriyadh"] == "الرياض"
    assert names["rt-arabic"] == "rt-arabic"


def test_csv_export_is_not_capped(web_app, monkeypatch):
    from search.model import StoredDocument

    many = (StoredDocument(id=str(i), body="", title=f"t{i}") for i in range(25_000))
    monkeypatch.setattr(web_app.extensions["search_backend"], "iter_matches", lambda request, batch=500: many)
    raw = web_app.test_client().get("/search.csv").get_data()
    assert raw.count(b"\r\n") == 25_001


def test_csv_neutralises_formulas():
    from web.export_views import cell

    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and cell("داعش") == "داعش" and cell(None) == ""


# ---- security ---------------------------------------------------------------------------------
def test_csp_and_no_inline_script_or_style(web_client):
    for url in ("/", "/search?q=x", "/doc/seed-0", "/saved", "/facet/org", "/search?country=XX"):
        resp = web_client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        page = resp.get_data(as_text=True)
        assert "<script>" not in page and " style=" not in page and "<style" not in page
        assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/app.js" defer>']


def test_xss_in_query_is_escaped(web_client):
    page = html(web_client.get("/search?q=" + q(XSS + ' "><img src=x onerror=alert(1)>')))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    data = api(web_client, "q=" + q(XSS))
    assert data["query"] == XSS  # JSON carries the raw text; JSON is not HTML


def test_xss_in_facet_values_is_escaped(web_client):
    page = html(web_client.get("/search?org=" + q(XSS)))
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    page = html(web_client.get("/facet/org?facet_q=" + q(XSS)))
    assert "<script>alert" not in page
    page = html(web_client.get("/search?q=" + q("عريض")))
    assert "<script>alert" not in page


def test_xss_in_article_text_title_source_and_url_is_escaped(web_client):
    page = html(web_client.get(f"/doc/{EVIL_DOC.id}?q={q(DAESH)}"))
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>عريض</b>" not in page
    assert "<i>evil-source</i>" not in page and "javascript:" not in page
    assert "&lt;script&gt;" in page and f"<mark>{DAESH}</mark>" in page
    page = html(web_client.get("/search?q=" + q("عريض")))
    assert "<img src=x" not in page and "&lt;b&gt;" in page


# ---- small pieces -----------------------------------------------------------------------------
def test_fold_matches_arabic_spelling_variants():
    from web.formatting import fold

    assert fold("مجلس الأمن") == fold("مجلس الامن") and fold("الشُّرطة") == fold("الشرطه")
    assert fold("  NATO ") == "nato"


def test_month_view_fills_gaps_and_marks_selected_range():
    from werkzeug.datastructures import MultiDict

    from search.model import FacetBucket, FacetResult
    from web.facets import MonthView
    from web.params import parse_state

    fr = FacetResult("month", [FacetBucket("2014-11", 4), FacetBucket("2015-02", 2)])
    block = MonthView().block(fr, parse_state(MultiDict({"date": "2014-12..2015-02"})))
    assert [i.value for i in block.items] == ["2014-11", "2014-12", "2015-01", "2015-02"]
    assert [i.count for i in block.items] == [4, 0, 0, 2] and [i.level for i in block.items] == [20, 0, 0, 10]
    assert [i.selected for i in block.items] == [False, True, True, True]
    assert block.form == {"from": "2014-12", "to": "2015-02"} and block.items[0].label == "نوفمبر 2014"


def test_labels_and_first_words():
    from web.formatting import day_label, first_words
    from web.params import date_label, troops_label

    assert troops_label("1000-") == "1,000 فأكثر" and troops_label("-50") == "حتى 50"
    assert troops_label("1000-9999") == "1,000–9,999"
    assert date_label("2014-06..2014-12") == "يونيو 2014 – ديسمبر 2014" and date_label("2015..") == "منذ 2015"
    assert day_label("2015-07-21T02:51:32") == "21 يوليو 2015" and day_label(None) == ""
    assert first_words("واحد اثنان ثلاثة", 2) == "واحد اثنان …"
