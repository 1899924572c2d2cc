"""Atom feeds of searches: /search.atom?… and /s/<slug>.atom, newest arrivals first.

Feed readers poll every few minutes, so a poll first asks the index for one number (the
newest matching arrival and the total, a count-only search) and answers 304 when the
reader's ETag or date still matches; the feed itself is built only when something changed.
"""
from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, abort, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.http import http_date, is_resource_modified

from search.backends.common import parse_date
from web import backend
from web.pages import hit_view, qs, search_url
from web.params import SearchState, parse_state

bp = Blueprint("feed", __name__)

FEED_SIZE = 30
FEED_VERSION = "1"  # part of the ETag: bump when the feed's markup changes
SITE_NAME = "أرشيف الأخبار"
ATOM = "application/atom+xml; charset=utf-8"
_SLUG = re.compile(r"^[0-9a-f]{8}$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def feed_query(state: SearchState) -> str:
    """What a feed follows: the search without its page, sort and versions (a feed is always
    by arrival, one entry per article)."""
    return state.query_string(page=1, sort="relevance", versions="", partial=True)


def feed_url(state: SearchState) -> str:
    return url_for("feed.search") + qs(feed_query(state))


@bp.route("/search.atom", endpoint="search")
def search_feed():
    from web.saved_views import describe

    state = parse_state(request.args)
    query = feed_query(state)
    return feed_response(state, title=f"{SITE_NAME}: {describe(query)}",
                         self_url=url_for("feed.search", _external=True) + qs(query))


@bp.route("/s/<slug>.atom", endpoint="saved")
def saved_feed(slug):
    from web.saved_views import store

    saved = store().get(slug) if _SLUG.match(slug) else None
    if saved is None or getattr(saved, "kind", "search") != "search":
        abort(404)
    state = parse_state(MultiDict(parse_qsl(saved.query_string)))
    return feed_response(state, title=f"{SITE_NAME}: {saved.name}",
                         self_url=url_for("feed.saved", slug=slug, _external=True))


def feed_response(state: SearchState, title: str, self_url: str) -> Response:
    be = backend()
    # Every article is an entry, versions of one story too (docs/stories.md): a feed says what
    # entered the archive, and collapsing would make which version a reader sees depend on
    # when it polls.
    head = be.search(state.request(page_size=1, page=1, sort="arrived", facets=(), highlight=False, collapse=False))
    newest = head.hits[0].arrived if head.hits else None
    tag = f"{FEED_VERSION}|{be.generation()}|{newest}|{head.total}|{self_url}|{title}"
    etag = hashlib.blake2b(tag.encode("utf-8"), digest_size=12).hexdigest()
    updated = parse_date(newest or be.newest_arrival()) or parse_date("1970-01-01")
    headers = {"ETag": f'"{etag}"', "Last-Modified": http_date(updated), "Cache-Control": "no-cache"}
    if not is_resource_modified(request.environ, etag=etag, last_modified=updated):
        return Response(status=304, headers=headers)
    result = be.search(state.request(page_size=FEED_SIZE, page=1, sort="arrived", facets=(), collapse=False))
    body = atom(state, result.hits, title, self_url, updated)
    return Response(body, headers=headers, content_type=ATOM)


def atom(state: SearchState, hits, title: str, self_url: str, updated) -> bytes:
    """The Atom 1.0 document (RFC 4287): feed id, title, updated, author, self and alternate links."""
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(_xml(title))
    fg.updated(updated)
    fg.author({"name": SITE_NAME})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=request.host_url.rstrip("/") + search_url(state.query_string(page=1, sort="arrived", versions="all")),
            rel="alternate", type="text/html")
    fg.language("ar")
    fg.generator("arabic-news-search")
    doc_qs = state.query_string(page=1, sort="relevance")
    for hit in hits:
        view = hit_view(hit, state, doc_qs, hit.lead)
        page = url_for("doc.page", doc_id=hit.id, _external=True)
        fe = fg.add_entry(order="append")
        fe.id(page)  # permanent: the article's own address
        fe.title(_xml(view.display_title))
        fe.updated(parse_date(hit.arrived) or updated)
        published = parse_date(hit.date)
        if published is not None:
            fe.published(published)
        fe.link(href=page + qs(doc_qs), rel="alternate", type="text/html")
        if hit.source:
            fe.author({"name": _xml(hit.source)})
        fe.content(_xml(entry_html(hit)), type="html")
    return fg.atom_str(pretty=False)


def entry_html(hit) -> str:
    """Outlet and article date, then the snippet (already escaped HTML with <mark> only)."""
    from markupsafe import escape

    from web.formatting import day_label

    meta = " · ".join(str(escape(x)) for x in (hit.source, day_label(hit.date)) if x)
    return (f"<p>{meta}</p>" if meta else "") + f'<p dir="rtl">{hit.snippet}</p>'


def _xml(text: str) -> str:
    """Text XML 1.0 can carry (control characters and lone surrogates dropped)."""
    return _NOT_XML.sub("", text or "")
