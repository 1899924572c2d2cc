"""The article page (query matches and extracted entities marked in the text) and its JSON twin."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from search.facets import country_name
from search.highlight import Highlighter
from search.model import StoredDocument
from search.outlets import outlet_name
from search.query.tree import Phrase, positive_text_nodes
from web import backend
from web.entities import FLAGGED_TITLE, Entity, annotate, summary
from web.formatting import first_words
from web.pages import qs, search_url
from web.params import SearchState, parse_state

bp = Blueprint("doc", __name__)


@dataclass
class DocPage:
    doc: StoredDocument
    state: SearchState
    title_html: str  # safe: built by search.highlight.markup
    body_html: str  # safe: built by search.highlight.markup
    entities: dict[str, list[Entity]]
    versions: list = None  # web.versions.VersionRow, earliest first ([] when alone in its story)
    version_total: int = 1

    @property
    def display_title(self) -> str:
        return self.doc.title or first_words(self.doc.body)

    @property
    def source_link(self) -> str | None:
        """The original article's address, only if it is a web address (never javascript: etc.)."""
        url = (self.doc.url or "").strip()
        return url if urlsplit(url).scheme in ("http", "https") else None

    @property
    def back_url(self) -> str | None:
        """The results this article was opened from, if any."""
        qs_ = self.state.query_string()
        return search_url(qs_) if qs_ else None

    @property
    def canonical(self) -> str:
        return url_for("doc.page", doc_id=self.doc.id) + qs(self.state.query_string())

    def to_json(self) -> dict:
        base = url_for("search.page")
        data = self.doc.to_dict()
        data.update({
            "display_title": self.display_title, "title_html": self.title_html or None,
            "body_html": self.body_html, "query": self.state.q, "canonical_url": self.canonical,
            "back_url": self.back_url, "arrived": self.doc.arrived,
            "source_name": outlet_name(self.doc.source) if self.doc.source else None,
            "countries": [{"code": c, "name": country_name(c)} for c in self.doc.countries],
            "entities": {k: [e.to_json(base) for e in v] for k, v in self.entities.items()},
            "version_count": self.version_total,
            # the same links as the page: each version opens with this search's highlights
            "versions": [v.to_json(url_for("doc.page", doc_id=v.id) + qs(self.state.query_string()))
                         for v in self.versions or []],
        })
        return data


def build_doc_page(doc_id: str) -> DocPage:
    state = parse_state(request.args)
    doc = backend().get(doc_id)
    if doc is None:
        abort(404)
    base = url_for("search.page")
    query = state.tree if state.q else None
    loose = query is not None and lacks_a_phrase(doc, query)
    title_html = annotate(doc.title or "", doc.extraction, "title", query, base, loose)
    body_html = annotate(doc.body or "", doc.extraction, "body", query, base, loose)
    from web.versions import story_rows

    rows, total = story_rows(doc, backend())
    return DocPage(doc, state, title_html, body_html, summary(doc, base), rows, total)


def lacks_a_phrase(doc: StoredDocument, query) -> bool:
    """Whether the article lacks one of the query's quoted phrases (two words or more) as
    typed: it was listed in the continuation for having the phrase's words apart, so those
    words are what the page marks, as the results page did."""
    phrases = [n for n in positive_text_nodes(query) if isinstance(n, Phrase) and len(n.words()) > 1]
    return any(not (Highlighter(p, "title").spans(doc.title or "") or Highlighter(p, "body").spans(doc.body or ""))
                for p in phrases)


@bp.route("/doc/<path:doc_id>")
def page(doc_id):
    model = build_doc_page(doc_id)
    return render_template("doc.html", page=model, state=model.state, flagged_title=FLAGGED_TITLE)


@bp.route("/api/doc/<path:doc_id>")
def api(doc_id):
    return jsonify(build_doc_page(doc_id).to_json())
