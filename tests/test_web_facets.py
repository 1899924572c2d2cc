"""Facets journalists can trust: troop and casualty ranges as one-choice controls, casualties
apart from force sizes, numbers labelled with the noun the text used, flagged numbers kept out,
and search-within-facet over every value of the index (both engines)."""
from __future__ import annotations

import re
from urllib.parse import quote

from test_web_corpus import corpus

pytest_plugins = ("test_web_corpus",)


def html(resp) -> str:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def api(client, qs: str = "") -> dict:
    resp = client.get("/api/search" + ("?" + qs if qs else ""))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def section(page: str, name: str) -> str:
    start = page.index(f'id="facet-{name}"')
    return page[start:page.index("</section>", start)]


# ---- troop and casualty ranges ----------------------------------------------------------------
def test_troop_range_is_a_radio_control_and_every_canonical_value_shows_selected(web_client):
    page = html(web_client.get("/search"))
    troops = section(page, "troops")
    assert troops.count('type="radio" name="troops"') >= 3 and " checked" not in troops     # no range: none ticked
    # a fixed range: its own radio is checked
    troops = section(html(web_client.get("/search?troops=1000-9999")), "troops")
    assert re.search(r'value="1000-9999" checked', troops) and troops.count(" checked") == 1
    # the README's own example is no fixed range: listed as its own checked choice, counted exactly
    data = api(web_client, "troops=1000-")
    chosen = [v for v in data["facets"]["troops"]["values"] if v["selected"]]
    assert [(v["value"], v["label"], v.get("custom")) for v in chosen] == [("1000-", "1,000 فأكثر", True)]
    assert chosen[0]["count"] == data["total"] == len([d for d in corpus() if (d.troops_max or 0) >= 1000])
    troops = section(html(web_client.get("/search?troops=1000-")), "troops")
    assert 'value="1000-" checked' in troops and "1,000 فأكثر" in troops
    assert 'name="troops_min" min="0" max="999999999" inputmode="numeric" value="1000"' in troops


def test_range_control_form_fields_fold_into_the_canonical_parameter(web_client):
    # picking "other range" takes the bounds; picking a fixed range ignores stale bounds
    assert web_client.get("/search?troops=custom&troops_min=5&troops_max=").headers["Location"] == "/search?troops=5-"
    assert web_client.get("/search?troops=100-999&troops_min=5&troops_max=9").headers["Location"] == \
        "/search?troops=100-999"
    assert web_client.get("/search?troops=&troops_min=&troops_max=").headers["Location"] == "/search"
    assert web_client.get("/search?troops=any&troops_min=5&troops_max=").headers["Location"] == "/search"
    assert web_client.get("/search?troops=&troops_min=5&troops_max=").headers["Location"] == "/search?troops=5-"
    assert web_client.get("/search?casualties=custom&casualties_min=10&casualties_max=50").headers["Location"] == \
        "/search?casualties=10-50"
    resp = web_client.get("/search?casualties=9-1")
    assert resp.status_code == 400 and "الخسائر البشرية" in resp.get_data(as_text=True)


def test_casualties_are_their_own_facet_filter_and_sort_in_the_agreed_order(web_client):
    data = api(web_client)
    page = html(web_client.get("/search"))
    order = [page.index(f'id="facet-{n}"') for n in ("country", "org", "troops", "casualties", "month")]
    assert order == sorted(order)
    casualties = {v["value"]: v["count"] for v in data["facets"]["casualties"]["values"]}
    assert casualties == {"10-99": 1}
    qs = "q=" + quote("داعش") + "&troops=100-999&casualties=10-&sort=casualties"
    data = api(web_client, qs)
    assert data["canonical_url"] == "/search?" + qs       # q, troops, casualties, sort: the agreed order
    assert [h["id"] for h in data["hits"]] == ["casualties-42"]
    assert [(f["facet"], f["label"]) for f in data["filters"]] == [("troops", "100–999"), ("casualties", "10 فأكثر")]
    top = api(web_client, "sort=casualties")["hits"][0]
    assert top["id"] == "casualties-42" and top["casualties"] == [7, 42]
    assert "الأكثر خسائر" in html(web_client.get("/search"))


def test_csv_has_force_sizes_and_casualties_apart(web_client):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(web_client.get("/search.csv?casualties=10-").get_data().decode("utf-8-sig"))))
    assert rows[0][-2:] == ["troops", "casualties"] and rows[1][0] == "casualties-42"
    assert rows[1][-2:] == ["200", "7; 42"] and rows[1][5] == "عكاظ"  # after id, story, title, date, source


def test_hits_label_numbers_with_their_noun_and_kind_and_keep_flagged_ones_unlinked(web_client):
    hit = api(web_client, "casualties=10-99")["hits"][0]
    numbers = {(n["label"], n["noun"], n["casualty"], n["flagged"]): n["search_url"] for n in hit["numbers"]}
    assert numbers[("200–999", "جندي", None, False)] == "/search?troops=100-999&casualties=10-99"
    assert numbers[("42", "عنصر", "killed", False)] == "/search?casualties=10-99"
    assert numbers[("7", "عنصر", "captured", False)] == "/search?casualties=1-9"
    assert numbers[("20,000,000", "جندي", None, True)] is None
    page = html(web_client.get("/search?casualties=10-99"))
    assert '<bdi>42</bdi> عنصر · قتلى' in page and 'class="tag tag-casualties"' in page
    assert re.search(r'<span class="tag tag-troops flagged" title="[^"]+">\s*<bdi>20,000,000</bdi> جندي', page)


def test_article_lists_force_sizes_and_casualties_apart_with_flagged_evidence(web_client):
    page = html(web_client.get("/doc/casualties-42"))
    assert '<a class="ent ent-casualties" href="/search?casualties=10-99"' in page
    assert '<a class="ent ent-troops" href="/search?troops=100-999"' in page
    assert re.search(r'<span class="ent ent-flagged" title="[^"]+">20 مليون جندي</span>', page)
    assert "مستبعد من التصفية والترتيب" in page
    data = web_client.get("/api/doc/casualties-42").get_json()
    casualties = {(e["label"], e["casualty"]) for e in data["entities"]["casualties"]}
    assert casualties == {("42", "killed"), ("7", "captured")}
    flagged = [e for e in data["entities"]["troops"] if e["flagged"]]
    assert flagged and flagged[0]["search_url"] is None and flagged[0]["evidence"] == ["20 مليون جندي"]
    assert data["troop_mentions"] and data["casualties_max"] == 42


# ---- search within a facet: every value ---------------------------------------------------------
def test_search_within_facet_reaches_values_beyond_the_listed_ones(web_client, monkeypatch):
    import web.facet_views as fv

    monkeypatch.setattr(fv, "FACET_PAGE_SIZE", 3)     # stands for the 1,000 most frequent values
    listed = web_client.get("/api/facet/org").get_json()
    assert len(listed["values"]) == 3 and listed["other"] > 0
    rare = "النقشبندية"
    assert rare not in {v["value"] for v in listed["values"]}
    found = web_client.get("/api/facet/org?facet_q=" + quote("نقشبند")).get_json()
    expected = len([d for d in corpus() if rare in d.orgs])
    assert [(v["value"], v["count"]) for v in found["values"]] == [(rare, expected)]
    assert found["matched_values"] == 1
    # within the current search: the same value, counted under the other filters
    found = web_client.get("/api/facet/org?country=SY&facet_q=" + quote("نقشبند")).get_json()
    assert all(v["count"] == len([d for d in corpus() if rare in d.orgs and "SY" in d.countries])
               for v in found["values"])
    # outlets are matched by name too
    found = web_client.get("/api/facet/source?facet_q=" + quote("عكاظ")).get_json()
    assert [v["value"] for v in found["values"]] == ["okaz"]
    # regular-expression characters are plain text
    assert web_client.get("/api/facet/org?facet_q=" + quote(".*(")).get_json()["values"] == []


def test_every_value_is_listed_once_per_index_version(web_app):
    backend = web_app.extensions["search_backend"]
    values = backend.facet_values("org")
    assert set(values) == {o for d in corpus() for o in d.orgs} and list(values) == sorted(values)
    assert backend.facet_values("org") is values     # cached until the index changes


def test_more_count_is_marked_for_the_filter_box(web_client):
    org = section(html(web_client.get("/search")), "org")
    assert re.search(r'<summary>المزيد \(<span class="more-count">\d+</span>\)</summary>', org)
