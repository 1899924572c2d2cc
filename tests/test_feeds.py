"""Arrival times and Atom feeds end to end: the real `indexer` commands on a real index, the
real app reading it. A feed gains exactly the added article; a rebuild keeps every entry and
its time (a renamed file too); an unchanged feed answers 304."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import quote

import feedparser
import pytest
from click.testing import CliRunner

from indexer.cli import main as indexer
from search.backends.tantivy_backend import TantivyBackend

pytest_plugins = ("test_web_corpus",)  # its fixtures: web_index, web_app, web_client
ATOM = "{http://www.w3.org/2005/Atom}"
WORD = "الفلوجة"
TEXTS = {
    "alpha": "قصف الطيران مواقع التنظيم قرب الفلوجة فجر اليوم.",
    "beta": "وصلت قافلة مساعدات إلى الفلوجة بعد حصار طويل.",
    "gamma": "افتتاح جسر جديد فوق نهر دجلة في الموصل.",
}


def run(*args):
    result = CliRunner().invoke(indexer, [*args])
    assert result.exit_code == 0, result.output
    return result.output


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path):
    from app import create_app

    src, index = tmp_path / "src", tmp_path / "index"
    for name, text in TEXTS.items():
        write(src, name, text)
    run("reindex", str(src), "--index", str(index), "--workers", "0", "-q")
    app = create_app({"SEARCH_INDEX": str(index), "TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": True})
    return src, index, app.test_client()


def rfc4287_entries(body: bytes) -> list[dict]:
    """Check the Atom 1.0 requirements (RFC 4287 §4.1) explicitly; the entries, newest first."""
    root = ET.fromstring(body)
    assert root.tag == ATOM + "feed"

    def one(parent, name):
        found = parent.findall(ATOM + name)
        assert len(found) == 1, f"atom:{name} must occur exactly once in {parent.tag}"
        return found[0]

    def date(el):  # RFC 3339 date-time
        return dt.datetime.fromisoformat(el.text.replace("Z", "+00:00"))

    assert one(root, "id").text.startswith("http") and one(root, "title").text
    date(one(root, "updated"))
    assert root.find(f"{ATOM}author/{ATOM}name").text  # entries may lack one, so the feed has one
    links = {link.get("rel", "alternate"): link for link in root.findall(ATOM + "link")}
    assert links["self"].get("type") == "application/atom+xml" and "alternate" in links
    entries = []
    for e in root.findall(ATOM + "entry"):
        content = one(e, "content")
        assert content.get("type") == "html" and "<script" not in content.text
        alternate = [link for link in e.findall(ATOM + "link") if link.get("rel", "alternate") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("href").startswith("http")
        entries.append({"id": one(e, "id").text, "title": one(e, "title").text, "updated": date(one(e, "updated")),
                        "link": alternate[0].get("href"), "content": content.text})
    assert [x["updated"] for x in entries] == sorted((x["updated"] for x in entries), reverse=True)
    parsed = feedparser.parse(body)  # what feed readers use
    assert not parsed.bozo and len(parsed.entries) == len(entries)
    return entries


def feed(client, url, **headers):
    resp = client.get(url, headers=headers)
    assert resp.status_code in (200, 304), resp.get_data(as_text=True)[:300]
    return resp


def test_feed_gains_exactly_the_added_article_and_a_rebuild_keeps_every_time(site, tmp_path):
    src, index, client = site
    url = "/search.atom?q=" + quote(WORD)
    first = feed(client, url)
    assert first.headers["Content-Type"].startswith("application/atom+xml")
    before = rfc4287_entries(first.data)
    assert {e["id"].rsplit("/", 1)[1] for e in before} == {"alpha", "beta"}
    assert all(e["link"].endswith("?q=" + quote(WORD)) for e in before)  # the article with the query marked
    assert "&lt;mark&gt;" in first.get_data(as_text=True)

    # Unchanged: 304 for the ETag and for the date, no body.
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert feed(client, url, **{"If-None-Match": etag}).status_code == 304
    assert feed(client, url, **{"If-Modified-Since": modified}).status_code == 304
    assert feed(client, url, **{"If-None-Match": '"other"'}).status_code == 200

    # `indexer add`: exactly the new article appears, first, with a later time.
    write(tmp_path / "new", "delta", "اشتباكات عنيفة في محيط الفلوجة مساء أمس.")
    run("add", str(tmp_path / "new" / "delta.txt"), "--index", str(index))
    after = feed(client, url, **{"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    entries = rfc4287_entries(after.data)
    assert [e["id"] for e in entries[1:]] == [e["id"] for e in before]
    assert entries[0]["id"].endswith("/doc/delta") and entries[0]["updated"] > before[0]["updated"]
    assert {e["id"]: e["updated"] for e in entries[1:]} == {e["id"]: e["updated"] for e in before}

    # Re-adding an existing id (new text) keeps its arrival time.
    write(src, "alpha", TEXTS["alpha"] + " وقال شهود إن القصف استمر ساعات.")
    run("add", str(src / "alpha.txt"), "--index", str(index))
    times = {e["id"]: e["updated"] for e in rfc4287_entries(feed(client, url).data)}
    assert times == {e["id"]: e["updated"] for e in entries}

    # A full rebuild of the same sources (plus the added file): same entries, same times.
    write(src, "delta", "اشتباكات عنيفة في محيط الفلوجة مساء أمس.")
    out = run("reindex", str(src), "--index", str(index), "--workers", "0")
    assert "arrival times kept: 4 by id, 0 by content" in out
    assert {e["id"]: e["updated"] for e in rfc4287_entries(feed(client, url).data)} == times

    # A renamed file keeps its time (matched by its text).
    (src / "beta.txt").rename(src / "beta-renamed.txt")
    out = run("reindex", str(src), "--index", str(index), "--workers", "0")
    assert "arrival times kept: 3 by id, 1 by content" in out
    renamed = {e["id"].rsplit("/", 1)[1]: e["updated"] for e in rfc4287_entries(feed(client, url).data)}
    old = {k.rsplit("/", 1)[1]: v for k, v in times.items()}
    assert renamed["beta-renamed"] == old["beta"] and "beta" not in renamed
    assert {k: v for k, v in renamed.items() if k != "beta-renamed"} == {k: v for k, v in old.items() if k != "beta"}


def test_since_shows_only_what_arrived_later_and_sort_by_arrival(site, tmp_path):
    src, index, client = site
    mark = TantivyBackend(index).newest_arrival()
    write(tmp_path / "new", "delta", "اشتباكات عنيفة في محيط الفلوجة مساء أمس.")
    run("add", str(tmp_path / "new"), "--index", str(index))
    data = client.get("/api/search?q=" + quote(WORD) + "&since=" + quote(mark)).get_json()
    assert data["total"] == 1 and data["hits"][0]["id"] == "delta" and data["since"] == mark
    assert data["hits"][0]["arrived"] > mark
    # Canonical place (after date, before sort), a removable chip, and a clear 400 for nonsense.
    resp = client.get("/search?sort=date&since=" + quote(mark) + "&q=" + quote(WORD))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(
        f"/search?q={quote(WORD)}&since={quote(mark, safe='')}&sort=date")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "وصل إلى الأرشيف بعد" in page and 'class="chip chip-since"' in page
    assert client.get("/search?since=" + quote("2026-11-21 14:05")).status_code == 302  # accepted, made canonical
    bad = client.get("/api/search?since=yesterday")
    assert bad.status_code == 400 and "وقت الوصول" in bad.get_json()["error"]
    # A well-formed time in a year no arrival can have says which part is wrong.
    early = client.get("/api/search?since=0001-01-01").get_json()
    assert early["status"] == 400 and "السنة 0001" in early["error"] and "1000" in early["error"]
    newest = client.get("/api/search?sort=arrived").get_json()["hits"]
    assert newest[0]["id"] == "delta" and [h["arrived"] for h in newest] == sorted(
        (h["arrived"] for h in newest), reverse=True)
    # The search page tells app.js the newest arrival (for "new since you last looked").
    page = client.get("/search?q=" + quote(WORD)).get_data(as_text=True)
    assert f'data-seen-mark="{TantivyBackend(index).newest_arrival()}"' in page
    assert 'type="application/atom+xml"' in page and "/search.atom?q=" in page
    import json

    stats = json.loads(run("stats", "--index", str(index), "--json"))
    assert stats["arrivals"]["first"] == mark < stats["arrivals"]["last"] == newest[0]["arrived"]


def test_saved_search_feed_and_links(site):
    src, index, client = site
    page = client.get("/search?q=" + quote(WORD)).get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/saved", data={"csrf_token": token, "name": "الفلوجة", "query": "q=" + quote(WORD)})
    slug = resp.headers["Location"].rsplit("=", 1)[1]
    listing = client.get("/saved").get_data(as_text=True)
    assert f'<link rel="alternate" type="application/atom+xml" title="الفلوجة (Atom)" href="/s/{slug}.atom">' in listing
    entries = rfc4287_entries(feed(client, f"/s/{slug}.atom").data)
    assert len(entries) == 2
    assert client.get(f"/api/saved/{slug}").get_json()["feed_url"].endswith(f"/s/{slug}.atom")
    assert client.get("/s/zzzzzzzz.atom").status_code == 404
    assert client.get("/search.atom?country=XX").status_code == 400


def test_every_version_of_a_story_is_its_own_entry(site, tmp_path):
    # Stories (issue 11): results show one hit per story, a feed lists every article that arrived.
    src, index, client = site
    url = "/search.atom?q=" + quote(WORD)
    before = [e["id"] for e in rfc4287_entries(feed(client, url).data)]
    write(tmp_path / "new", "alpha-copy", TEXTS["alpha"].rstrip(".") + " بحسب مصادر محلية.")
    run("add", str(tmp_path / "new"), "--index", str(index))
    assert TantivyBackend(index).get("alpha-copy").story == "alpha"  # a version of alpha's story
    entries = [e["id"] for e in rfc4287_entries(feed(client, url + "&versions=all").data)]
    assert entries[0].endswith("/doc/alpha-copy") and entries[1:] == before
    assert [e["id"] for e in rfc4287_entries(feed(client, url).data)] == entries
    assert client.get("/api/search?q=" + quote(WORD)).get_json()["stories"] == 2  # the page still groups them


def test_a_feed_of_nothing_is_still_valid(site):
    _, _, client = site
    assert rfc4287_entries(feed(client, "/search.atom?q=" + quote("كلمةغيرموجودة")).data) == []


def test_hostile_article_text_stays_text_in_the_feed(web_client):
    entries = {e["id"].rsplit("/", 1)[1]: e for e in rfc4287_entries(feed(web_client, "/search.atom?"
                                                                            "source=%3Ci%3Eevil-source%3C%2Fi%3E").data)}
    evil = entries["evil"]
    # The title is Atom text (shown as is); the HTML content has the markup escaped, only <mark> is live.
    assert evil["title"].startswith("عنوان <img") and "&lt;script&gt;" in evil["content"]
    assert "<script" not in evil["content"] and "<b>" not in evil["content"] and "&lt;i&gt;evil-source" in evil["content"]
