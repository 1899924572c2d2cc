"""Batch search through the real app over the web test corpus: totals, CSV, JSON, streaming,
saving, and bad input."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

pytest_plugins = ("test_web_corpus",)  # its fixtures: web_index, web_app, web_client

LINES = ["داعش", "كربلاء", '"الجيش العراقي"', "بغداد OR الموصل", "title:داعش", "كلمةغيرموجودة"]


def token(client) -> str:
    page = client.get("/batch").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def api_total(client, qs: str) -> int:
    resp = client.get("/api/search?" + qs)
    assert resp.status_code == 200
    return resp.get_json()["total"]


def test_each_total_equals_the_single_search(web_client):
    qs = urlencode([("q", line) for line in LINES] + [("country", "IQ")])
    data = web_client.get("/api/batch?" + qs).get_json()
    assert [r["line"] for r in data["rows"]] == LINES
    for row in data["rows"]:
        assert row["url"].startswith("/search?q=") and "country=IQ" in row["url"]
        assert row["total"] == api_total(web_client, row["url"].split("?", 1)[1]), row
    totals = {r["line"]: r["total"] for r in data["rows"]}
    assert totals["داعش"] > totals['"الجيش العراقي"'] > 0 and totals["كلمةغيرموجودة"] == 0
    daesh = data["rows"][0]
    # Top countries/organizations are counted within the row's matches (country=IQ applies).
    assert daesh["countries"][0] == {"code": "IQ", "name": "العراق", "count": daesh["total"]}
    assert daesh["orgs"][0]["name"] == "داعش" and len(daesh["orgs"]) <= 3
    assert daesh["first_date"] <= daesh["last_date"]
    search = web_client.get("/api/search?" + daesh["url"].split("?", 1)[1]).get_json()
    months = [v["value"] for v in search["facets"]["month"]["values"] if v["count"]]
    assert daesh["first_date"][:7] == months[0] and daesh["last_date"][:7] == months[-1]


def test_html_table_streams_row_by_row_with_a_progress_count(web_client):
    qs = urlencode([("q", line) for line in LINES])
    resp = web_client.get("/batch?" + qs)
    assert resp.status_code == 200 and resp.is_streamed
    assert resp.headers["X-Accel-Buffering"] == "no"
    chunks = [c.decode() for c in resp.response]
    rows = [i for i, c in enumerate(chunks) if '<tr class="row' in c]
    assert len(rows) == len(LINES) and len(set(rows)) == len(LINES)  # one row per chunk, sent in turn
    assert "جارٍ البحث… 1 من 6 أسطر" in chunks[rows[0]] and "اكتمل" not in "".join(chunks[:rows[-1]])
    page = "".join(chunks)
    assert page.count('<tr class="progress"') == len(LINES) and "اكتمل: 6 أسطر." in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/app.js" defer>'] and " style=" not in page
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "/batch.csv?" in page and "/api/batch?" in page


def test_csv_of_a_batch(web_client):
    qs = urlencode([("q", line) for line in LINES] + [("source", "aawsat")])
    resp = web_client.get("/batch.csv?" + qs)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["line", "query", "total", "countries", "organizations", "first_date", "last_date", "url",
                       "repeated", "note"]
    assert [r[0] for r in rows[1:]] == LINES
    for r in rows[1:]:
        assert int(r[2]) == api_total(web_client, urlsplit(r[7]).query)
        assert "source=aawsat" in r[7] and r[7].startswith("http")


def test_post_save_and_share_a_long_batch(web_client):
    lines = [f"{w} {i}" if i % 7 else w for i, w in enumerate(["داعش", "بغداد", "كربلاء"] * 40)]
    text = "\n".join(lines + ["", "   ", "داعش", " داعش  "])
    resp = web_client.post("/batch", data={"csrf_token": token(web_client), "lines": text, "action": "run",
                                           "country": "IQ, SY"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and page.count('<tr class="row') == len(set(lines))
    assert "دُمجت" in page and "تُجوهلت الأسطر الفارغة (سطران)" in page and "×" in page
    assert "الدولة:</span> <bdi>العراق" in page

    saved = web_client.post("/batch", data={"csrf_token": token(web_client), "lines": text, "action": "save",
                                            "name": "قائمة الاختبار", "country": "IQ"})
    assert saved.status_code == 303
    slug = dict(parse_qsl(urlsplit(saved.headers["Location"]).query))["new"]
    listing = web_client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "قائمة الاختبار" in listing and f"/b/{slug}" in listing
    assert f'value="http://localhost/b/{slug}"' in listing  # the link offered to copy is the list's own
    assert web_client.get(f"/s/{slug}").headers["Location"].endswith(f"/b/{slug}")
    shared = web_client.get(f"/b/{slug}").get_data(as_text=True)
    assert shared.count('<tr class="row') == len(set(lines)) and f"/b/{slug}.csv" in shared
    data = web_client.get(f"/api/batch/{slug}").get_json()
    merged = len(lines) - len(set(lines)) + 2
    assert data["name"] == "قائمة الاختبار" and data["lines"] == len(set(lines)) and data["duplicates_merged"] == merged
    assert data["rows"][0]["repeated"] == lines.count("داعش") + 2 and data["filters"] == "country=IQ"
    csv_rows = web_client.get(f"/b/{slug}.csv").get_data().decode("utf-8-sig").splitlines()
    assert len(csv_rows) == 1 + len(set(lines))
    item = next(s for s in web_client.get("/api/saved").get_json()["saved"] if s["slug"] == slug)
    assert item["kind"] == "batch" and item["short_url"].endswith(f"/b/{slug}")
    # The same list saved again keeps its link; a one-line batch is not the search of that line.
    again = web_client.post("/batch", data={"csrf_token": token(web_client), "lines": text, "action": "save",
                                            "country": "IQ"})
    assert f"new={slug}" in again.headers["Location"]


def test_bad_input_gets_clear_messages_never_a_500(web_client):
    t = token(web_client)
    assert web_client.post("/batch", data={"lines": "داعش"}).status_code == 400  # no CSRF token
    too_many = "\n".join(f"سطر {i}" for i in range(1001))
    resp = web_client.post("/batch", data={"csrf_token": t, "lines": too_many})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "أطول من 1,000 سطر" in page and "سطر 1000" in page  # the list is kept
    resp = web_client.post("/batch", data={"csrf_token": t, "lines": "داعش\n" + "ب" * 1200 + "\n(كربلاء"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "السطر أطول من 1,000 حرف" in page and page.count('<tr class="row') == 3
    assert "قوس" in page  # the forgiving parser's repair is reported on its row
    many = web_client.get("/api/batch?" + urlencode([("q", str(i)) for i in range(51)]))
    assert many.status_code == 400 and "50" in many.get_json()["error"]
    assert web_client.get("/api/batch?q=x&country=XX").status_code == 400
    assert web_client.get("/b/zzzzzzzz").status_code == 404 and web_client.get("/api/batch/00000000").status_code == 404
    empty = web_client.post("/batch", data={"csrf_token": t, "lines": "\n \n", "action": "save"})
    assert empty.status_code == 400
    xss = "<script>alert(1)</script>"
    page = web_client.get("/batch?q=" + quote(xss)).get_data(as_text=True)
    assert xss not in page and "&lt;script&gt;" in page
    assert web_client.post("/batch", data={"csrf_token": t, "lines": "داعش", "action": "json"}).get_json()["rows"]


def test_the_batch_form_without_lines(web_client):
    page = web_client.get("/batch").get_data(as_text=True)
    assert '<textarea id="batch-lines" name="lines"' in page and "batch-table" not in page


def test_sqlite_store_gains_the_kind_column_and_keeps_old_rows(tmp_path):
    import sqlite3

    from search.saved import SqliteSavedSearches

    path = tmp_path / "saved.sqlite3"
    with sqlite3.connect(path) as db:  # a store as it was before batches
        db.execute("CREATE TABLE saved_search (slug TEXT PRIMARY KEY, name TEXT NOT NULL,"
                   " query_string TEXT NOT NULL, created_at TEXT NOT NULL)")
        db.execute("INSERT INTO saved_search VALUES ('0123abcd', 'old', 'q=x', '2020-01-01T00:00:00Z')")
    store = SqliteSavedSearches(path)
    assert store.get("0123abcd").kind == "search"
    batch = store.save("قائمة", "q=x", kind="batch")
    search = store.save("بحث", "q=x")
    assert batch.kind == "batch" and batch.slug != search.slug and store.get(batch.slug).kind == "batch"
    assert {s.kind for s in SqliteSavedSearches(path).list()} == {"search", "batch"}
