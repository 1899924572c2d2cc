"""The journalist's path in a real headless Chromium against the real app on a local port.

Search, narrow with a facet, read an article, save the search, open its short link; plus the
JavaScript enhancements, the no-JavaScript fallback and the phone layout. Screenshots go to
the test's tmp dir, or to $SCREENSHOT_DIR when set (to look at them).
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytest_plugins = ("test_web_corpus",)  # its fixtures: web_index, web_app, web_client
DAESH = "داعش"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(web_app):
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, web_app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed: run scripts/install-browser.sh")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed: pip install -e '.[test]'")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    return Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)


def new_page(browser, width=1280, js=True):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=js)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def test_search_facet_article_save_and_short_link(browser, server, shots):
    page, errors = new_page(browser)
    page.goto(server + "/")
    page.fill("header input[name=q]", DAESH)
    page.press("header input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    assert unquote(page.url).endswith(f"/search?q={DAESH}")
    assert page.locator(".hit mark").first.inner_text() == DAESH
    total_all = int(page.locator(".total strong").inner_text().replace(",", ""))

    # Narrow by a country facet: the URL, the chip and the total follow.
    page.locator("#facet-country a", has_text="إيران").first.click()
    page.wait_for_url(re.compile(r"country=IR"))
    assert page.locator(".chip").inner_text().startswith("الدولة")
    total_sy = int(page.locator(".total strong").inner_text().replace(",", ""))
    assert 0 < total_sy < total_all
    assert page.locator("#facet-country li.selected").count() == 1
    page.screenshot(path=str(shots / "search-desktop.png"), full_page=True)
    search_url = page.url

    # Read the first article: query marked, entities linked, a way back.
    page.locator(".hit h3 a").first.click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.locator(".doc .body mark").count() >= 1
    assert page.locator(".doc .body a.ent-country").count() >= 1
    page.screenshot(path=str(shots / "article-desktop.png"), full_page=True)
    page.locator(".crumbs a").click()
    page.wait_for_url(search_url)

    # Save the search under a name and open its short link.
    page.locator("details.save summary").click()
    page.fill("details.save input[name=name]", "داعش وإيران")
    page.locator("details.save button[type=submit]").click()
    page.wait_for_url(re.compile(r"/saved\?new="))
    assert "داعش وإيران" in page.locator(".created").inner_text()
    page.screenshot(path=str(shots / "saved-desktop.png"), full_page=True)
    short = page.locator(".created input").input_value()
    assert re.search(r"/s/[0-9a-f]{8}$", short)
    page.goto(short)
    page.wait_for_url(search_url)
    assert int(page.locator(".total strong").inner_text().replace(",", "")) == total_sy
    assert page.locator("header input[name=q]").input_value() == DAESH
    assert errors == []


def test_javascript_enhancements_copy_button_and_facet_filter(browser, server):
    page, errors = new_page(browser)
    page.goto(server + "/search")
    assert page.locator("button.copy-link").is_visible()  # shown only when JS runs
    orgs = page.locator("#facet-org li")
    before = orgs.evaluate_all("els => els.filter(e => !e.hidden).length")
    page.fill("#facet-org input[name=facet_q]", "جيش")
    visible = orgs.evaluate_all("els => els.filter(e => !e.hidden).map(e => e.innerText)")
    assert 0 < len(visible) < before and all("جيش" in v for v in visible)
    assert page.locator("#facet-org details.more").evaluate("d => d.open")  # matches inside "more"
    # Enter still goes to the full facet page (works the same without JS).
    page.press("#facet-org input[name=facet_q]", "Enter")
    page.wait_for_url(re.compile(r"/facet/org\?facet_q="))
    assert page.locator("#facet-list-all li").count() == len(visible)
    assert errors == []


def test_without_javascript_everything_still_works(browser, server):
    page, _ = new_page(browser, js=False)
    page.goto(server + "/search")
    assert not page.locator("button.copy-link").is_visible()
    page.locator("#facet-troops input[name=troops_min]").fill("1000")
    page.locator("#facet-troops button").click()
    page.wait_for_url(re.compile(r"troops=1000-$"))
    assert "1,000 فأكثر" in page.locator(".chips").inner_text()
    page.goto(server + "/search")
    page.locator("#facet-org summary").click()  # <details> needs no script
    assert page.locator("#facet-org details.more li").first.is_visible()


def test_phone_layout_has_no_horizontal_scroll(browser, server, shots):
    page, errors = new_page(browser, width=390)
    page.goto(server + f"/search?q={DAESH}&country=IQ")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    # Results come before the facets on a phone; the "filter" link jumps to them.
    hits_top = page.locator(".results").bounding_box()["y"]
    facets_top = page.locator(".facets").bounding_box()["y"]
    assert hits_top < facets_top and page.locator(".jump-facets").is_visible()
    page.screenshot(path=str(shots / "search-phone.png"), full_page=False)
    page.goto(server + f"/doc/seed-0?q={DAESH}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "article-phone.png"), full_page=False)
    assert errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_trend_chart_is_drawn_and_a_bar_opens_its_period(browser, server, shots, width):
    page, errors = new_page(browser, width=width)
    page.goto(server + f"/trend?q={DAESH}&q=العراق")
    chart = page.locator("svg.chart")
    assert chart.is_visible() and chart.get_attribute("role") == "img"
    box = chart.bounding_box()
    assert box["width"] > 0.8 * min(width, 1280) - 120 and box["height"] > 50
    bars = page.locator("svg.chart a rect.col")
    assert bars.count() >= 2
    # Each bar is drawn inside the plot (a CSS rule for another .bar once stretched them).
    heights = bars.evaluate_all("els => els.map(e => e.getBoundingClientRect().bottom)")
    assert max(heights) <= box["y"] + box["height"] - 10
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator(".legend-list li").count() == 2
    # Axis numbers sit beside the bars (not over them), dates inside the chart and apart.
    geo = page.evaluate("""() => {
      const svg = document.querySelector('svg.chart');
      const shown = t => getComputedStyle(t).display !== 'none';
      const span = t => { const b = t.getBBox(); return [b.x, b.x + b.width]; };
      const bars = [...svg.querySelectorAll('rect.col')].map(r => r.getBBox()).filter(b => b.height > 0);
      return {bars: Math.max(...bars.map(b => b.x + b.width)), width: svg.viewBox.baseVal.width,
              ys: [...svg.querySelectorAll('text.tick.y')].filter(shown).map(span),
              xs: [...svg.querySelectorAll('text.tick.x')].filter(shown).map(span)}; }""")
    assert geo["ys"] and all(left >= geo["bars"] for left, _ in geo["ys"]), geo
    assert all(0 <= left and right <= geo["width"] for left, right in geo["xs"] + geo["ys"]), geo
    xs = sorted(geo["xs"])
    assert all(a[1] <= b[0] for a, b in zip(xs, xs[1:])), geo
    page.screenshot(path=str(shots / f"trend-{width}.png"), full_page=True)
    bars.first.click()
    page.wait_for_url(re.compile(r"/search\?q=.*&date=\d{4}-\d{2}"))
    assert page.locator(".chip-date").count() == 1
    assert errors == []


def test_results_show_a_small_chart_linking_to_the_full_view(browser, server):
    page, errors = new_page(browser, width=390)
    page.goto(server + f"/search?q={DAESH}")
    assert page.locator("svg.chart.small").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".chart-box.mini figcaption a").click()
    page.wait_for_url(re.compile(r"/trend\?q="))
    assert page.locator("svg.chart").is_visible() and errors == []


def test_batch_page_streams_a_table_that_sorts(browser, server, shots):
    page, errors = new_page(browser)
    page.goto(server + "/batch")
    lines = ["كربلاء", DAESH, "", "بغداد", DAESH, "كلمةغيرموجودة"]
    page.fill("#batch-lines", "\n".join(lines))
    page.locator("button[value=run]").click()
    page.wait_for_selector("tr.progress.done")
    rows = page.locator("tr.row")
    assert rows.count() == 4
    assert page.locator("tr.progress:visible").count() == 1  # only the last progress row shows
    assert "اكتمل: 4 أسطر" in page.locator("tr.progress.done").inner_text()
    assert "دُمجت الأسطر المكررة (سطر واحد)" in page.locator(".notice").first.inner_text()

    def totals():
        return [int(v) for v in page.locator("tr.row td.total").evaluate_all(
            "tds => tds.map(td => td.getAttribute('data-value'))")]

    page.locator("th button", has_text="المقالات").click()  # the JS enhancement
    assert totals() == sorted(totals(), reverse=True) and totals()[-1] == 0
    page.locator("th button", has_text="المقالات").click()
    assert totals() == sorted(totals())
    page.screenshot(path=str(shots / "batch-desktop.png"), full_page=True)
    # Each row links to its own search, whose total is the row's.
    top = page.locator("tr.row td.total a").last
    expected = int(top.inner_text().replace(",", ""))
    top.click()
    page.wait_for_url(re.compile(r"/search\?q="))
    assert int(page.locator(".total strong").inner_text().replace(",", "")) == expected
    assert errors == []


def test_saved_searches_count_what_arrived_since_last_opened_here(browser, server):
    page, errors = new_page(browser)
    page.goto(server + "/search?q=" + DAESH + "&country=SY")
    page.locator("details.save summary").click()
    page.fill("details.save input[name=name]", "داعش في سوريا")
    page.locator("details.save button[type=submit]").click()
    page.wait_for_url(re.compile(r"/saved\?new="))
    row = page.locator("tr.new")
    qs = row.get_attribute("data-qs")
    # Opening the search remembered the newest arrival it saw: nothing new since.
    row.locator("td.new-since", has_text="لا جديد").wait_for()
    # As if it had last been opened long ago: everything it matches is new, and the link shows them.
    page.evaluate("([k]) => localStorage.setItem('seen:' + k, '2000-01-01T00:00:00.000Z')", [qs])
    page.reload()
    page.wait_for_selector("tr.new td.new-since a")
    link = page.locator("tr.new td.new-since a")
    count = int(link.inner_text().split()[0].replace(",", ""))
    link.click()
    page.wait_for_url(re.compile(r"since=2000-01-01T00%3A00%3A00.000Z"))
    assert int(page.locator(".total strong").inner_text().replace(",", "")) == count > 0
    assert page.locator(".chip-since").count() == 1
    assert errors == []


def test_batch_page_fits_a_phone(browser, server, shots):
    page, errors = new_page(browser, width=390)
    # a long unbroken line wraps in its cell instead of widening the table
    page.goto(server + "/batch?q=" + DAESH + "&q=" + "%22الجيش العراقي%22" + "&q=بغداد OR الموصل" + "&q=" + "x" * 300)
    page.wait_for_selector("tr.progress.done")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(shots / "batch-phone.png"), full_page=True)
    assert width <= 390, f"page is {width}px wide on a 390px phone"




def test_did_you_mean_and_latin_expansions(browser, server, shots):
    page, errors = new_page(browser)
    page.goto(server + "/")
    page.fill("header input[name=q]", DAESH + "ش")  # a doubled letter: no article has it
    page.press("header input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    # Zero results: the suggestion's results, and a way to search exactly as typed.
    assert DAESH in page.locator(".showing .showing-query").inner_text()
    assert int(page.locator(".total strong").inner_text().replace(",", "")) > 0
    page.screenshot(path=str(shots / "showing-results-for.png"), full_page=False)
    page.locator(".showing a.instead").click()
    page.wait_for_url(re.compile(r"expand=0"))
    assert page.locator(".total strong").inner_text() == "0"
    assert page.locator("header input[name=q]").input_value() == DAESH + "ش"
    page.locator(".suggestion a.suggest").click()  # "did you mean", offered as a link only
    page.wait_for_url(re.compile(r"/search\?q=[^&]*$"))
    assert unquote(page.url).endswith(f"/search?q={DAESH}")

    # Latin names: "also searched" with a switch that turns it off.
    page.goto(server + "/search?q=Baghdad")
    assert "بغداد" in page.locator(".expansions").inner_text()
    assert page.locator(".hit mark").count() >= 1
    page.screenshot(path=str(shots / "latin-expansion.png"), full_page=False)
    page.locator(".expansions a.expand-off").click()
    page.wait_for_url(re.compile(r"expand=0"))
    assert page.locator(".expansions").count() == 0 and page.locator(".total strong").inner_text() == "0"
    assert errors == []


def test_troop_range_control_is_one_choice_and_shows_the_current_value(browser, server):
    page, errors = new_page(browser)
    page.goto(server + "/search?troops=1000-")       # no fixed range: still shown as the checked choice
    checked = page.locator("#facet-troops input[type=radio]:checked")
    assert checked.count() == 1 and checked.get_attribute("value") == "1000-"
    assert "1,000 فأكثر" in page.locator("#facet-troops label.selected").inner_text()
    # picking another range applies it at once (one choice: the old one is no longer checked)
    page.locator("#facet-troops input[type=radio][value='100-999']").check()
    page.wait_for_url(re.compile(r"troops=100-999$"))
    checked = page.locator("#facet-troops input[type=radio]:checked")
    assert checked.count() == 1 and checked.get_attribute("value") == "100-999"
    # typing a bound picks "other range"; the button applies it
    page.locator("#facet-troops input[name=troops_min]").fill("250")
    assert page.locator("#facet-troops input[data-custom]").is_checked()
    page.locator("#facet-troops button").click()
    page.wait_for_url(re.compile(r"troops=250-$"))
    assert page.locator("#facet-troops input[type=radio]:checked").get_attribute("value") == "250-"
    # "الكل" clears the filter
    page.locator("#facet-troops input[type=radio][value='any']").check()
    page.wait_for_url(re.compile(r"/search$"))
    assert errors == []


def test_more_count_follows_the_facet_filter_box(browser, server):
    page, errors = new_page(browser)
    page.goto(server + "/search")
    count = page.locator("#facet-org .more-count")
    more_items = page.locator("#facet-org details.more li")
    assert int(count.inner_text()) == more_items.count()
    page.fill("#facet-org input[name=facet_q]", "جيش")
    shown = more_items.evaluate_all("els => els.filter(e => !e.hidden).length")
    assert int(count.inner_text()) == shown
    page.fill("#facet-org input[name=facet_q]", "")
    assert int(count.inner_text()) == more_items.count()
    assert errors == []


def test_arrow_keys_move_the_range_choice_without_reloading(browser, server):
    page, errors = new_page(browser)
    page.goto(server + "/search")
    page.locator("#facet-troops input[type=radio]").first.focus()
    page.keyboard.press("ArrowDown")  # each arrow press changes the choice: it must not submit
    page.wait_for_timeout(300)
    assert page.url == server + "/search"
    checked = page.locator("#facet-troops input[type=radio]:checked")
    assert checked.count() == 1 and checked.get_attribute("value") != "any"
    value = checked.get_attribute("value")
    page.locator("#facet-troops button[type=submit]").click()  # applied with the button, as without JS
    page.wait_for_url(re.compile("troops=" + re.escape(value) + "$"))
    assert errors == []


def test_deleting_a_saved_search_asks_first_and_the_list_fits_a_phone(browser, server, shots):
    page, errors = new_page(browser, width=390)
    page.goto(server + "/search?q=كربلاء&country=IQ")
    page.locator("details.save summary").click()
    page.fill("details.save input[name=name]", "<b>كربلاء</b> للحذف")
    page.locator("details.save button[type=submit]").click()
    page.wait_for_url(re.compile(r"/saved\?new="))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # a card per saved search
    page.screenshot(path=str(shots / "saved-phone.png"), full_page=False)
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.locator("tr.new form.delete button").click()
    page.wait_for_timeout(300)
    assert "/saved?new=" in page.url and page.locator("tr.new").count() == 1  # "no": nothing happens
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.locator("tr.new form.delete button").click()
    page.wait_for_url(re.compile(r"/saved\?deleted=1"))
    assert asked[0] == asked[1] and "«<b>كربلاء</b> للحذف»" in asked[0]  # the name as text, never markup
    assert page.locator("tr", has_text="للحذف").count() == 0
    assert errors == []


def test_the_first_tab_offers_to_skip_the_facets(browser, server):
    page, errors = new_page(browser)
    page.goto(server + f"/search?q={DAESH}")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("a => a === document.activeElement") and skip.is_visible()
    page.keyboard.press("Enter")
    # the next Tab lands in the results, not in the sidebar's dozens of facet links
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#results') !== null")
    assert errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_articles_lacking_a_word_follow_the_complete_matches_under_a_divider(browser, server, shots, width):
    page, errors = new_page(browser, width=width)
    page.goto(server + "/search?q=" + DAESH + " بغداد")  # 7 articles with both words, then the others
    total = int(page.locator(".total strong").inner_text().replace(",", ""))
    divider = page.locator("h2.partial-divider")
    assert divider.is_visible() and "تنقصها كلمة واحدة" in divider.inner_text()
    # the 7 complete matches above the divider, the first articles lacking a word below it
    complete = page.locator("ol.hits:not(.partial) > li.hit")
    partial = page.locator("ol.hits.partial > li.hit")
    assert complete.count() == total == 7 and partial.count() == 3
    assert complete.last.bounding_box()["y"] < divider.bounding_box()["y"] < partial.first.bounding_box()["y"]
    assert partial.first.locator(".missing bdi").inner_text() in (DAESH, "بغداد")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    divider.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"continuation-{width}.png"), full_page=False)
    # "hide them": the complete matches only
    page.locator("h2.partial-divider a.partial-off").click()
    page.wait_for_url(re.compile(r"partial=0"))
    assert page.locator("h2.partial-divider").count() == 0 and page.locator("li.hit").count() == 7
    assert errors == []
