"""The backend contract: what every search backend must do over the same corpus.

Parameterized over backends: tantivy always; Elasticsearch when ``ES_URL`` points to a
live cluster (``docker compose up -d elasticsearch`` then ``ES_URL=http://localhost:9200
ES_USERNAME=elastic ES_PASSWORD=... make test``). Each Elasticsearch run works in its own
throw-away prefix and deletes its indices afterwards.

Expected results come from a small reference model (``Oracle``) that evaluates the shared
query plan directly on the Python analysis of each document: a backend passes when it
finds exactly the documents the plan describes, counts facets the same way, and so on.
The corpus is built by ``corpus()``: the seed articles (through the indexer's own reader
and facet extraction when those are importable) plus a few hand-made articles for the
cases the seeds lack (titles, stop-word gaps, missing dates, HTML-special characters).
"""
from __future__ import annotations

import html
from dataclasses import replace
import os
import re
import uuid
from collections import Counter
from pathlib import Path

import pytest

from search.analysis import CHAINS, analyze_field
from search.backends.base import Backend, BackendError
from search.backends.tantivy_schema import parse_date
from search.facets import FACETS, RangeFacet
from search.fields import TEXT_SCOPES, text_field
from search.model import Range, SearchRequest, StoredDocument
from search.query import parse
from search.query.plan import (All, AtLeast, Bool, Clause, DisMax, Keyword, Nothing, NumRange, PhraseTerms,
                               PrefixTerm, Rank, Term, build_plan, with_filters)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

ES_URL = os.environ.get("ES_URL")
BACKENDS = [
    pytest.param("tantivy", id="tantivy"),
    pytest.param("elasticsearch", id="elasticsearch", marks=[
        pytest.mark.es,
        pytest.mark.skipif(not ES_URL, reason="set ES_URL to run the contract against a live Elasticsearch")]),
]

# ---- the corpus ------------------------------------------------------------------------------

# The seeds carry no metadata: give them dates and sources, and facets when extraction is absent.
SEED_META = [
    dict(date="2014-06-12", source="aawsat", countries=["IQ"], orgs=["داعش"], troops=[1000]),
    dict(date="2014-06-20T09:15:00", source="alriyadh", countries=["IQ", "SY"], orgs=["التحالف الدولي", "داعش"],
         troops=[300, 5000]),
    dict(date="2014-08-03", source="aawsat", countries=["SY"], orgs=["داعش"], troops=[]),
    dict(date="2015-01-15", source="okaz", countries=["IQ", "US"], orgs=[], troops=[20000]),
    dict(date=None, source="alriyadh", countries=["IQ", "SY", "IR"], orgs=["داعش"], troops=[50]),
]

EXTRA = [
    StoredDocument(id="x-gap", title="الدولة الإسلامية في العراق",
                   body="أعلن مقاتلو الدولة الإسلامية في العراق سيطرتهم على بلدة جديدة، وقال شهود إن <القوات> & "
                        "العشائر انسحبت قبل وصولهم.",
                   date="2014-06-25", source="okaz", countries=["IQ"], orgs=["داعش"], troops=[700], troops_max=700,
                   url="https://example.org/x-gap", author="مراسل", origin="contract/x-gap",
                   extraction={"body": {"troops": [{"value": 700, "evidence": "700 مقاتل"}]}}),
    StoredDocument(id="x-adjacent", title="العراق",
                   body="قالت مصادر إن الإسلامية العراق تسمية خاطئة، وإن الأمريكية مخطئة.",
                   date="2014-06-25", source="aawsat", countries=["IQ", "US"], orgs=[], troops=[], troops_max=None),
    StoredDocument(id="x-nodate", title=None, body="بيان قصير عن كربلاء دون تاريخ.", date=None, source=None,
                   countries=[], orgs=[], troops=[12], troops_max=12),
    # Compound names joined and spaced, a phrase with clitics, and the same words scattered.
    StoredDocument(id="x-joined", title="الرئيس عبدربه منصور هادي يعود",
                   body="قال الرئيس اليمني عبدربه منصور هادي إن الحكومة ستعود قريبا.",
                   date="2015-07-20", source="okaz", countries=["YE"], orgs=[], troops=[], troops_max=None),
    StoredDocument(id="x-spaced", title="هادي في الرياض",
                   body="التقى الرئيس عبد ربه منصور هادي وزير الخارجية. ولعبدالله بن زايد دور في اللقاء.",
                   date="2015-07-21", source="aawsat", countries=["YE"], orgs=[], troops=[], troops_max=None),
    StoredDocument(id="x-clitic", title="تشييع ضحايا التفجير",
                   body="شيع الأهالي ضحايا التفجير الذي وقع بمسجد الإمام الصادق في الكويت.",
                   date="2015-07-02", source="alriyadh", countries=["KW"], orgs=[], troops=[], troops_max=None),
    StoredDocument(id="x-scattered", title="الإمام والمسجد",
                   body="قال الإمام إن المسجد مفتوح، وإن الصادق من صدق في عمله.",
                   date="2015-07-03", source="alriyadh", countries=[], orgs=[], troops=[], troops_max=None),
    # casualty counts are their own facet and sort; a flagged force size stays out of troops
    StoredDocument(id="x-casualties", title="مقتل 42 من عناصر داعش", body="قتل 42 من عناصر داعش وأسر 7 آخرون، "
                   "فيما قال خطيب: فنحن 20 مليون جندي.", date="2014-07-02", source="okaz", countries=["IQ"],
                   orgs=["داعش"], troops=[], troops_max=None, casualties=[7, 42], casualties_max=42,
                   flags=["implausible", "rhetorical"],
                   troop_mentions=[{"value": 42, "upper": None, "bound": None, "kind": "casualties",
                                    "casualty": "killed", "noun": "members", "word": "عنصر", "flags": []},
                                   {"value": 20000000, "upper": None, "bound": None, "kind": "force",
                                    "casualty": None, "noun": "soldiers", "word": "جندي",
                                    "flags": ["implausible", "rhetorical"]}]),
]


def seed_documents() -> list[StoredDocument]:
    """The seed articles as StoredDocuments: via the indexer when it is there, else read directly.

    Switch here when the pipeline changes; the assertions do not depend on how facets were
    extracted, because the oracle reads them off the documents themselves.
    """
    try:
        from indexer.sources import iter_documents
    except ImportError:
        iter_documents = None
    try:
        from indexer.pipeline import to_stored
    except ImportError:
        to_stored = None
    if iter_documents is not None:
        sources = sorted(iter_documents([str(SEEDS)], lambda problem: None), key=lambda s: s.id)
        bases = [to_stored(s) if to_stored else StoredDocument(id=s.id, title=s.title, body=s.body,
                                                               origin=s.origin) for s in sources]
    else:
        bases = [StoredDocument(id=p.stem, body=p.read_text(encoding="utf-8").strip(), origin=str(p))
                 for p in sorted(SEEDS.glob("*.txt"))]
    docs = []
    for i, base in enumerate(bases):
        meta = SEED_META[i % len(SEED_META)]  # more seeds later: the metadata repeats
        facets = {} if to_stored else {"countries": meta["countries"], "orgs": meta["orgs"], "troops": meta["troops"],
                                       "troops_max": max(meta["troops"]) if meta["troops"] else None}
        fields = {**base.__dict__, "date": meta["date"], "source": meta["source"], **facets}
        docs.append(StoredDocument(**fields))
    return docs


def corpus() -> list[StoredDocument]:
    return seed_documents() + EXTRA


# ---- the reference model ---------------------------------------------------------------------

class Oracle:
    """Evaluates plan clauses on the Python analysis of each document (the meaning of a plan)."""

    def __init__(self, docs: list[StoredDocument]):
        self.docs = docs
        self.fields: dict[str, dict[str, list]] = {}
        for d in docs:
            per = {}
            for scope, text in (("title", d.title), ("body", d.body)):
                for chain in CHAINS:
                    per[text_field(scope, chain)] = analyze_field(chain, text) if text else []
            self.fields[d.id] = per

    def match(self, clause: Clause, d: StoredDocument) -> bool:
        if isinstance(clause, All):
            return True
        if isinstance(clause, Nothing):
            return False
        if isinstance(clause, Term):
            return any(t.term == clause.term for t in self.fields[d.id][clause.field])
        if isinstance(clause, PrefixTerm):
            return any(t.term.startswith(clause.prefix) for t in self.fields[d.id][clause.field])
        if isinstance(clause, PhraseTerms):
            assert clause.slop == 0, "sloppy phrases only score (Rank bonus), they never decide a match"
            at = {(t.position, t.term) for t in self.fields[d.id][clause.field]}
            starts = {p for p, term in at if term == clause.terms[0]}
            return any(all((s + off, term) in at for off, term in zip(clause.positions, clause.terms, strict=True))
                       for s in starts)
        if isinstance(clause, Keyword):
            return bool(set(self.values(d, clause.field)) & set(clause.values))
        if isinstance(clause, NumRange):
            if clause.is_date:
                when = parse_date(d.date)
                low, high = parse_date(clause.low), parse_date(clause.high)
                return when is not None and (low is None or when >= low) and (high is None or when <= high)
            return any((clause.low is None or v >= clause.low) and (clause.high is None or v <= clause.high)
                       for v in self.values(d, clause.field))
        if isinstance(clause, DisMax):
            return any(self.match(c, d) for c in clause.options)
        if isinstance(clause, AtLeast):
            return sum(self.match(c, d) for c in clause.clauses) >= clause.minimum
        if isinstance(clause, Rank):
            return self.match(clause.match, d)  # bonus clauses only score
        if isinstance(clause, Bool):
            return (all(self.match(c, d) for c in clause.must + clause.filter)
                    and not any(self.match(c, d) for c in clause.must_not)
                    and (not clause.should or any(self.match(c, d) for c in clause.should)))
        raise TypeError(clause)

    @staticmethod
    def values(d: StoredDocument, field: str) -> list:
        return {"id": [d.id], "story": [d.story or d.id],
                "country": d.countries, "org": d.orgs, "source": [d.source] if d.source else [],
                "month": [d.month] if d.month else [], "troops": d.troops,
                "troops_max": [d.troops_max] if d.troops_max is not None else [],
                "casualties": d.casualties, "flags": d.flags,
                "casualties_max": [d.casualties_max] if d.casualties_max is not None else []}[field]

    def hits(self, request: SearchRequest) -> set[str]:
        plan = build_plan(request)
        return {d.id for d in self.docs if self.match(plan.full(), d)}

    def facet(self, request: SearchRequest, name: str) -> dict[str, int]:
        """Disjunctive counts: the query and every facet filter except this facet's own."""
        plan = build_plan(request)
        clause = with_filters(plan.query, plan.filters_except(name))
        facet = FACETS[name]
        counts: Counter = Counter()
        for d in self.docs:
            if not self.match(clause, d):
                continue
            if isinstance(facet, RangeFacet):
                for b in facet.buckets:
                    v = getattr(d, facet.field)
                    if v is not None and (b.low is None or v >= b.low) and (b.high is None or v <= b.high):
                        counts[b.key] += 1
            else:
                counts.update(set(self.values(d, facet.field)))
        return dict(counts)


# ---- backends --------------------------------------------------------------------------------

def make_backend(kind: str, root: Path) -> Backend:
    if kind == "tantivy":
        from search.backends.tantivy_backend import TantivyBackend

        return TantivyBackend(root / "index")
    from search.backends.elasticsearch_backend import ElasticsearchBackend

    return ElasticsearchBackend.from_env(prefix=f"contract-{uuid.uuid4().hex[:12]}", replicas=0)


def drop_backend(backend: Backend) -> None:
    if backend.name == "elasticsearch":
        client = backend.client
        names = list(client.indices.get_alias(index=f"{backend.alias}-*"))
        for name in names:
            client.indices.delete(index=name)
    backend.close()


def load(backend: Backend, docs: list[StoredDocument]) -> None:
    with backend.new_build() as build:
        for d in docs:
            build.add(backend.prepare(d))
        build.commit({"sources": ["contract"]})


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, tmp_path_factory):
    """A backend holding the corpus, shared by the read-only tests."""
    backend = make_backend(request.param, tmp_path_factory.mktemp(request.param))
    load(backend, corpus())
    yield backend
    drop_backend(backend)


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path):
    """A backend of its own, for tests that write."""
    backend = make_backend(request.param, tmp_path)
    load(backend, corpus())
    yield backend
    drop_backend(backend)


@pytest.fixture(scope="module")
def oracle():
    return Oracle(corpus())


def req(q: str = "", **kw) -> SearchRequest:
    return SearchRequest(query=parse(q).tree, **kw)


def all_hits(backend: Backend, request: SearchRequest) -> list:
    """Every hit of a request, paging through the results with its page size."""
    out, page = [], 1
    while True:
        res = backend.search(SearchRequest(**{**request.__dict__, "page": page}))
        out.extend(res.hits)
        if len(res.hits) < request.page_size:
            return out
        page += 1


# ---- matching --------------------------------------------------------------------------------

QUERIES = [
    "داعش", "كربلاء", "بغداد", "الموصل", "العراق",  # words
    '"الدولة الإسلامية"', '"القوات العراقية"',  # phrases
    "الإسلامية-في-العراق",  # a word whose analysis has a stop-word gap
    "داعش بغداد", "كربلاء OR الموصل", "داعش -الموصل", "-داعش", "(كربلاء OR الموصل) -بغداد",  # AND, OR, minus
    "الأمري*", "كرب*",  # prefixes
    "title:العراق", "body:العراق", "country:SY", "org:داعش داعش", "source:okaz",  # field filters
    "عبدربه", "عبد ربه", "عبدربه هادي", '"عبد ربه منصور"', "عبدالله", '"مسجد الإمام الصادق"',  # names, clitics
    "الرئيس منصور هادي الخارجية",  # a long question (may lack a word)
]


@pytest.mark.parametrize("q", QUERIES)
def test_same_hits_as_the_plan_says(loaded, oracle, q):
    request = req(q, page_size=50)
    res = loaded.search(request)
    assert {h.id for h in res.hits} == oracle.hits(request)
    assert res.total == len(oracle.hits(request))


# Forgiving queries (issue 10): repaired by the shared parser, so both engines get the same plan.
FORGIVING = ["داعش AND الموصل", "داعش and بغداد", "داعش NOT الموصل", "كربلاء or الموصل", "كربلاء او الموصل",
             "«الدولة الإسلامية»", "🔥 داعش^5", "#داعش", "دا\u200cعش", "في", "!!!", "country:العراق داعش",
             "country:ZZ كربلاء", '"الدولة الإسلامية في العراق']
LATIN = ["Mosul", "Baghdad", "ISIS", "Karbala", "Iraq -Syria"]


@pytest.mark.parametrize("q", FORGIVING)
def test_forgiving_queries_find_what_the_plan_says(loaded, oracle, q):
    request = req(q, page_size=50)
    res = loaded.search(request)
    assert {h.id for h in res.hits} == oracle.hits(request) and res.total == len(oracle.hits(request))


@pytest.mark.parametrize("q", LATIN)
def test_latin_name_expansions_find_what_the_plan_says(loaded, oracle, q):
    from search.query.names import expand

    tree, found = expand(parse(q).tree)
    assert found
    request = SearchRequest(query=tree, page_size=50)
    res = loaded.search(request)
    assert {h.id for h in res.hits} == oracle.hits(request) and res.total == len(oracle.hits(request))


def test_the_forgiving_queries_are_not_vacuous(oracle):
    from search.query.names import expand

    found = {q: len(oracle.hits(req(q))) for q in FORGIVING}
    assert found["داعش AND الموصل"] == len(oracle.hits(req("داعش الموصل"))) > 0
    assert found["«الدولة الإسلامية»"] == len(oracle.hits(req('"الدولة الإسلامية"'))) > 0
    assert found["🔥 داعش^5"] == found["#داعش"] == found["دا\u200cعش"] == len(oracle.hits(req("داعش"))) > 0
    assert found["!!!"] == 0 and 0 < found["في"] < len(corpus())
    assert found["كربلاء او الموصل"] == len(oracle.hits(req("كربلاء OR الموصل"))) > 0
    mosul = oracle.hits(SearchRequest(query=expand(parse("Mosul").tree)[0]))
    assert mosul and mosul == oracle.hits(req("الموصل"))


def test_the_queries_are_not_vacuous(oracle):
    found = {q: len(oracle.hits(req(q))) for q in QUERIES}
    assert found["داعش"] >= 3 and found["كربلاء"] >= 2 and found['"الدولة الإسلامية"'] >= 2
    assert 0 < found["الإسلامية-في-العراق"] < len(corpus())
    assert "x-adjacent" not in oracle.hits(req("الإسلامية-في-العراق"))  # the gap must be there
    assert 0 < found["الأمري*"] and 0 < found["title:العراق"] < found["العراق"]


def test_compound_names_match_joined_and_spaced_both_ways(loaded, oracle):
    """عبدربه finds عبد ربه and the reverse, as a word and in a phrase, on every backend."""
    for q in ("عبدربه", "عبد ربه", "عبدربه هادي", '"عبد ربه منصور"', '"عبدربه منصور"'):
        request = req(q, page_size=50)
        assert {"x-joined", "x-spaced"} <= oracle.hits(request), q
        assert {h.id for h in loaded.search(request).hits} == oracle.hits(request), q
    # The pair stays a name: ربه alone elsewhere is not عبد ربه.
    assert "x-scattered" not in oracle.hits(req("عبد ربه"))
    # ولعبدالله (with clitics, joined) is found by the spaced query.
    assert "x-spaced" in {h.id for h in loaded.search(req("عبد الله", page_size=50)).hits}


def test_a_quoted_phrase_forgives_clitics_but_not_scattered_words(loaded, oracle):
    request = req('"مسجد الإمام الصادق"', page_size=50)
    hits = {h.id for h in loaded.search(request).hits}
    assert "x-clitic" in hits  # بمسجد الإمام الصادق
    assert "x-scattered" not in hits  # الإمام ... المسجد ... الصادق, not together
    assert hits == oracle.hits(request)
    # The plain words, unquoted, match both.
    assert {"x-clitic", "x-scattered"} <= {h.id for h in loaded.search(req("مسجد الإمام الصادق", page_size=50)).hits}


def test_every_word_is_required_and_the_continuation_lacks_exactly_one(loaded, oracle):
    from search.query.plan import continuation_units, lower_query, unit_query

    q = "الرئيس منصور هادي الخارجية"
    complete, partial = req(q, page_size=50), req(q, page_size=50, match="partial")
    found = {h.id for h in loaded.search(complete).hits}
    rest = {h.id for h in loaded.search(partial).hits}
    assert found == oracle.hits(complete) == {"x-spaced"}  # the only article with all four words
    assert rest == oracle.hits(partial) and "x-joined" in rest  # it lacks الخارجية
    units = continuation_units(parse(q).tree)
    assert len(units) == 4
    for d in oracle.docs:
        held = sum(oracle.match(lower_query(unit_query(u)), d) for u in units)
        assert (d.id in found) == (held == 4) and (d.id in rest) == (held == 3), d.id
    # AND typed or not, the same result set
    for form in ("الرئيس AND منصور AND هادي AND الخارجية", "الرئيس && منصور هادي الخارجية"):
        assert {h.id for h in loaded.search(req(form, page_size=50)).hits} == found


def continued_ids(backend, q: str, size: int, collapse: bool) -> tuple[list[str], list]:
    """Every page of ``q`` as the results page lists it (complete, then the continuation)."""
    from search.continuation import continue_page

    out, conts, page = [], [], 1
    while True:
        request = req(q, page=page, page_size=size, collapse=collapse, facets=())
        result, cont = continue_page(backend, request, backend.search(request))
        out += [h.id for h in result.hits]
        conts.append(cont)
        if len(result.hits) < size:
            return out, conts
        page += 1


@pytest.mark.parametrize("size", [1, 2, 3])
@pytest.mark.parametrize("q", ["العراق سوريا", "داعش العراق", "الرئيس منصور هادي الخارجية"])
def test_continuation_pages_are_exact_across_the_boundary(loaded, oracle, q, size):
    complete = [h.id for h in all_hits(loaded, req(q, collapse=False, page_size=4))]
    partial = [h.id for h in all_hits(loaded, req(q, collapse=False, page_size=4, match="partial"))]
    assert set(complete) == oracle.hits(req(q)) and set(partial) == oracle.hits(req(q, match="partial"))
    for collapse in (False, True):  # every article is its own story here
        got, conts = continued_ids(loaded, q, size, collapse)
        assert got == complete + partial, collapse
        assert all(c.complete == len(complete) and c.total == len(partial) for c in conts)
        # where the continuation starts on each page
        starts = [(i, c.start) for i, c in enumerate(conts) if c.start is not None]
        boundary = len(complete) // size
        assert starts[0] == (boundary, len(complete) % size) and all(s == 0 for _, s in starts[1:])


@pytest.mark.parametrize("filters,ranges", [
    ({"country": ("SY",)}, {}),
    ({"country": ("SY", "TR")}, {}),
    ({"country": ("IQ",), "source": ("aawsat", "okaz")}, {}),
    ({"org": ("داعش",)}, {"troops": Range(100, 9999)}),
    ({}, {"date": Range("2014-06-01", "2014-06-30T23:59:59")}),
    ({"source": ("alriyadh",)}, {"date": Range("2014-06-01", None), "troops": Range(1000, None)}),
    ({}, {"casualties": Range(10, None)}),
    ({"country": ("IQ",)}, {"casualties": Range(1, 99), "troops": Range(None, 999)}),
])
@pytest.mark.parametrize("q", ["", "داعش"])
def test_filters_and_disjunctive_facet_counts(loaded, oracle, q, filters, ranges):
    request = req(q, filters=filters, ranges=ranges, page_size=50)
    res = loaded.search(request)
    assert {h.id for h in res.hits} == oracle.hits(request)
    for name in request.facets:
        got = {b.value: b.count for b in res.facets[name].buckets if b.count}
        assert got == oracle.facet(request, name), name
        selected = {b.value for b in res.facets[name].buckets if b.selected}
        assert selected == set(filters.get(name, ())), name


def test_month_facet_is_chronological(loaded):
    months = [b.value for b in loaded.search(req("")).facets["month"].buckets]
    assert months == sorted(months) and len(months) >= 3


def test_a_selected_value_without_matches_is_still_listed(loaded):
    res = loaded.search(req("كربلاء", filters={"country": ("TR",)}))
    assert res.total == 0
    tr = [(b.value, b.count, b.selected) for b in res.facets["country"].buckets if b.value == "TR"]
    assert tr == [("TR", 0, True)]


# ---- highlighting ----------------------------------------------------------------------------

MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


@pytest.mark.parametrize("q", ["داعش", "بغداد", "العراق", "الموصل"])
def test_snippets_mark_the_matched_surface_words(loaded, oracle, q):
    request = req(q, page_size=50)
    wanted = {c: {t.term for t in analyze_field(c, q)} for c in ("arabic", "arabic_plus")}
    body_hits = {d.id for d in oracle.docs if oracle.match(build_plan(req(f"body:{q}")).query, d)}
    res = loaded.search(request)
    assert res.hits
    for h in res.hits:
        marked = [html.unescape(m) for m in MARK.findall(h.snippet)]
        if h.id in body_hits:
            assert marked, (h.id, h.snippet)
        for text in marked:
            terms = {t.term for c in wanted for t in analyze_field(c, text)}
            assert terms & (wanted["arabic"] | wanted["arabic_plus"]), (text, h.snippet)


def test_titles_are_marked_whole_and_text_is_escaped(loaded):
    hit = {h.id: h for h in loaded.search(req("العشائر", page_size=50)).hits}["x-gap"]
    assert "&lt;القوات&gt; &amp;" in hit.snippet and "<mark>العشائر</mark>" in hit.snippet
    assert hit.title_html == html.escape(hit.title)  # highlighted, but nothing in it matched
    titled = {h.id: h for h in loaded.search(req("title:العراق")).hits}
    assert "<mark>العراق</mark>" in titled["x-adjacent"].title_html


def test_long_bodies_give_a_bounded_snippet(loaded):
    res = loaded.search(req("كربلاء"))
    seed = [h for h in res.hits if not h.id.startswith("x-")]
    assert seed
    for h in seed:
        text = html.unescape(MARK.sub(r"\1", h.snippet))
        assert len(text) <= 260 + 40 and (text.startswith("… ") or text.endswith(" …"))


def test_no_highlight_requested_gives_plain_leading_snippets(loaded):
    res = loaded.search(req("داعش", highlight=False))
    assert res.hits and all("<mark>" not in h.snippet and h.title_html is None for h in res.hits)


# ---- pages and sorting -----------------------------------------------------------------------

@pytest.mark.parametrize("sort", ["relevance", "date", "troops", "casualties"])
def test_pagination_has_no_overlaps_and_a_stable_total(loaded, sort):
    n = len(corpus())
    seen, totals = [], set()
    for page in range(1, n // 3 + 2):
        res = loaded.search(req("", sort=sort, page=page, page_size=3))
        totals.add(res.total)
        seen += [h.id for h in res.hits]
    assert totals == {n} and len(seen) == len(set(seen)) == n


def test_sort_by_date_newest_first_undated_last(loaded):
    hits = all_hits(loaded, req("", sort="date", page_size=4))
    dates = [parse_date(h.date) for h in hits]
    known = [d for d in dates if d is not None]
    assert known == sorted(known, reverse=True)
    assert all(d is None for d in dates[len(known):]) and len(known) < len(dates)


def test_sort_by_troops_largest_first(loaded):
    docs = {d.id: d for d in corpus()}
    hits = all_hits(loaded, req("", sort="troops", page_size=4))
    values = [docs[h.id].troops_max for h in hits]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True) and all(v is None for v in values[len(known):])
    assert all(h.score is None for h in hits)


def test_sort_by_casualties_largest_first_force_sizes_apart(loaded):
    docs = {d.id: d for d in corpus()}
    hits = all_hits(loaded, req("", sort="casualties", page_size=4))
    values = [docs[h.id].casualties_max for h in hits]
    known = [v for v in values if v is not None]
    assert known and known == sorted(known, reverse=True) and all(v is None for v in values[len(known):])
    top = next(h for h in hits if h.id == "x-casualties")
    assert top.casualties == [7, 42] and top.troops == [] and top.troop_mentions[0]["kind"] == "casualties"
    # the flagged 20 million is in the evidence, not in the force-size filter
    assert "x-casualties" not in {h.id for h in all_hits(loaded, req("", ranges={"troops": Range(1, None)}))}


def test_facet_include_counts_exactly_the_given_values(loaded, oracle):
    request = req("", facets=("org", "source"), facet_include={"org": ("داعش", "no-such-org", "التحالف الدولي")})
    res = loaded.search(request)
    full = oracle.facet(request, "org")
    got = {b.value: b.count for b in res.facets["org"].buckets}
    assert got == {k: v for k, v in full.items() if k in ("داعش", "التحالف الدولي")}
    assert {b.value for b in res.facets["source"].buckets} == set(oracle.facet(request, "source"))


def test_relevance_puts_title_and_exact_matches_first(loaded):
    hits = loaded.search(req("العراق")).hits
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(s is not None for s in scores)


# ---- documents -------------------------------------------------------------------------------

def test_get_returns_the_document_as_stored(loaded):
    for d in corpus():
        assert loaded.get(d.id) == replace(d, story=d.id)  # no two versions of one text in the corpus
    assert loaded.get("no-such-id") is None


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_iter_matches_returns_every_match_in_the_search_order(loaded, oracle, sort):
    request = req("داعش OR العراق", sort=sort, page_size=4)
    exported = list(loaded.iter_matches(request, batch=2))
    assert {d.id for d in exported} == oracle.hits(request) and len(exported) == len(oracle.hits(request))
    if sort == "date":
        assert [d.id for d in exported] == [h.id for h in all_hits(loaded, request)]
    assert all(isinstance(d, StoredDocument) and d.body for d in exported)
    assert {d.id for d in loaded.iter_matches(req(""), batch=3)} == {d.id for d in corpus()}


def test_upsert_and_delete(fresh):
    n = len(corpus())
    assert fresh.upsert([StoredDocument(id="x-nodate", body="نص جديد عن الرقة", countries=["SY"])]) == 1
    assert fresh.get("x-nodate").body == "نص جديد عن الرقة"
    assert fresh.search(req("")).total == n
    assert {h.id for h in fresh.search(req("الرقة")).hits} >= {"x-nodate"}
    assert fresh.delete(["x-gap", "no-such-id"]) == 1
    assert fresh.get("x-gap") is None and fresh.search(req("")).total == n - 1


def test_the_vocabulary_follows_the_documents(fresh):
    """Did-you-mean's vocabulary: what a full rebuild of the live documents would give, after any write."""
    from search.vocabulary import Vocabulary, document_terms

    def of(docs):
        v = Vocabulary()
        for d in docs:
            v.add(document_terms(d.title, d.body))
        return dict(v.counts)

    assert dict(fresh.vocabulary().counts) == of(corpus())
    replacement = StoredDocument(id="x-nodate", body="نص جديد عن الرقة", countries=["SY"])
    fresh.upsert([replacement, StoredDocument(id="x-new", title="زنجبيلستان", body="خبر")])
    fresh.delete(["x-gap"])
    live = [d for d in corpus() if d.id not in ("x-nodate", "x-gap")] + [
        replacement, StoredDocument(id="x-new", title="زنجبيلستان", body="خبر")]
    assert dict(fresh.vocabulary().counts) == of(live)
    assert fresh.vocabulary().df("زنجبيلستان") == 1 and fresh.vocabulary().df("العشائر") == 0


def test_rebuild_switches_atomically_and_abort_keeps_the_live_index(fresh):
    n = len(corpus())
    before = fresh.stats()["generation"]
    build = fresh.new_build()
    build.add(fresh.prepare(StoredDocument(id="only", body="وثيقة واحدة")))
    getattr(build, "flush", lambda: None)()
    assert fresh.search(req("")).total == n  # readers still see the live index
    build.abort()
    assert fresh.stats()["generation"] == before and fresh.search(req("")).total == n
    with pytest.raises(RuntimeError):
        with fresh.new_build() as failing:
            failing.add(StoredDocument(id="only", body="وثيقة واحدة"))
            raise RuntimeError("interrupted")
    assert fresh.stats()["generation"] == before and fresh.search(req("")).total == n
    load(fresh, [StoredDocument(id="only", body="وثيقة واحدة")])
    after = fresh.stats()
    assert after["generation"] != before and after["documents"] == 1 and fresh.search(req("")).total == 1
    assert after["build"]["sources"] == ["contract"]


def test_saved_searches_survive_a_rebuild(fresh):
    store = fresh.saved_searches()
    from search.saved import AlreadySaved

    one = store.save("الموصل", "q=%D8%A7%D9%84%D9%85%D9%88%D8%B5%D9%84", saved_by="هدى")
    with pytest.raises(AlreadySaved):  # the same search under a new name: asked, not renamed
        store.save("الموصل ٢", "q=%D8%A7%D9%84%D9%85%D9%88%D8%B5%D9%84")
    assert store.rename(one.slug, "الموصل ٢").slug == one.slug and store.get(one.slug).name == "الموصل ٢"
    other = store.save("حلب", "q=%D8%AD%D9%84%D8%A8")
    load(fresh, corpus())
    assert store.get(one.slug).saved_by == "هدى" and one.slug in {s.slug for s in store.list()}
    assert store.delete(other.slug) and store.get(other.slug) is None


def test_stats_describe_the_live_index(loaded):
    s = loaded.stats()
    assert s["exists"] and s["documents"] == len(corpus()) and s["backend"] == loaded.name


def test_exists_and_missing_index(tmp_path):
    from search.backends.tantivy_backend import TantivyBackend

    empty = TantivyBackend(tmp_path / "none")
    assert not empty.exists()
    with pytest.raises(BackendError):
        empty.search(req("x"))


@pytest.mark.es
@pytest.mark.skipif(not ES_URL, reason="set ES_URL to run against a live Elasticsearch")
def test_elasticsearch_missing_alias_is_a_backend_error():
    from search.backends.elasticsearch_backend import ElasticsearchBackend

    be = ElasticsearchBackend.from_env(prefix=f"contract-missing-{uuid.uuid4().hex[:8]}")
    try:
        assert not be.exists()
        with pytest.raises(BackendError):
            be.search(req("x"))
    finally:
        be.close()


@pytest.mark.es
@pytest.mark.skipif(not ES_URL, reason="set ES_URL to run against a live Elasticsearch")
def test_elasticsearch_indexes_the_python_tokens_of_every_chain(loaded_es):
    """The plan sends Python-analyzed terms: the index must hold the same ones, every chain.

    The base chain is analyzed by the cluster itself (Lucene's ArabicAnalyzer); the others
    arrive pre-analyzed and go through the ``pre_analyzed`` analyzer. A word of only tatweel
    has the empty term in Lucene; the pre-analyzed fields carry it as a gap, as tantivy does.
    """
    from search.analysis import ES_ANALYZER_NAMES, joined_terms
    from search.backends.common import GAP
    from search.backends.elasticsearch_mapping import PRE_ANALYZED, PRE_ANALYZED_CHAINS

    index = loaded_es.client.indices.get_alias(name=loaded_es.alias)
    (name,) = list(index)
    for d in corpus():
        for text in filter(None, (d.title, d.body)):
            got = loaded_es.client.indices.analyze(index=name, analyzer=ES_ANALYZER_NAMES["arabic"], text=text)
            es_tokens = [(t["token"], t["position"]) for t in got["tokens"]]
            assert es_tokens == [(t.term, t.position) for t in analyze_field("arabic", text)], d.id
            for chain in PRE_ANALYZED_CHAINS:
                got = loaded_es.client.indices.analyze(index=name, analyzer=PRE_ANALYZED,
                                                       text=joined_terms(chain, text, GAP))
                es_tokens = [(t["token"], t["position"]) for t in got["tokens"]]
                assert es_tokens == [(t.term, t.position) for t in analyze_field(chain, text) if t.term], (chain, d.id)


@pytest.fixture(scope="module")
def loaded_es(tmp_path_factory):
    backend = make_backend("elasticsearch", tmp_path_factory.mktemp("es"))
    load(backend, corpus())
    yield backend
    drop_backend(backend)


def test_scopes_are_known():
    assert TEXT_SCOPES == ("title", "body")


# ---- stories (docs/stories.md) ---------------------------------------------------------------

@pytest.fixture(scope="module", params=BACKENDS)
def storied(request, tmp_path_factory):
    """A backend rebuilt by the real reindex from crafted versions of three stories."""
    from indexer.reindex import reindex
    from story_corpus import write_jsonl

    root = tmp_path_factory.mktemp(f"stories-{request.param}")
    backend = make_backend(request.param, root)
    summary = reindex(backend, [str(write_jsonl(root / "a.jsonl", reverse=True))], workers=0)
    assert summary.committed
    yield backend
    drop_backend(backend)


def test_versions_are_grouped_under_their_earliest_version(storied):
    from story_corpus import STORIES

    assert {i: storied.get(i).story for i in STORIES} == STORIES


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_collapsed_pages_are_exact_on_every_engine(storied, sort):
    from story_corpus import ARTICLES, STORIES

    every = all_hits(storied, req("", sort=sort, collapse=False, page_size=4))
    expected = list(dict.fromkeys(STORIES[h.id] for h in every))
    pages = [storied.search(req("", sort=sort, page=p, page_size=2)) for p in (1, 2, 3, 4)]
    assert [STORIES[h.id] for r in pages for h in r.hits] == expected
    assert all(r.total == len(ARTICLES) and r.stories == len(expected) for r in pages)
    first = {h.story: h for r in pages for h in r.hits}
    assert first["bridge-b"].version_count == 3 and len(first["bridge-b"].versions) == 2
    assert first["aid-1"].version_count == 2 and first["alone-0"].version_count == 1


@pytest.mark.parametrize("size", [1, 2, 3])
@pytest.mark.parametrize("q,complete,rest", [
    ("الجسر اليوم", ["bridge-b"], ["aid-1"]),  # bridge-a lacks اليوم: its story is already shown
    ("اليوم المدينة", ["aid-1", "bridge-b"], []),  # aid-2 and bridge-a: both stories shown above
])
def test_no_story_is_shown_again_after_the_complete_matches(storied, q, complete, rest, size):
    from story_corpus import STORIES

    got, conts = continued_ids(storied, q, size, collapse=True)
    assert sorted(STORIES[i] for i in got[:len(complete)]) == complete
    assert [STORIES[i] for i in got[len(complete):]] == rest
    assert all(c.complete == len(complete) and c.stories == len(rest) for c in conts)
    # every version listed: the versions lacking a word follow, their stories again
    every, _ = continued_ids(storied, q, size, collapse=False)
    assert {STORIES[i] for i in every} == set(complete) | set(rest) and len(every) > len(got)


def test_period_counts_agree_with_the_documents(storied):
    from story_corpus import ARTICLES

    request = req("", collapse=False, facets=())
    total, first, last = storied.date_span(request)
    assert (total, first, last) == (len(ARTICLES), "2015-07-20", "2015-07-25")
    days = storied.period_counts(request, "day", 40)
    assert sum(days.values()) == len(ARTICLES) and days["2015-07-21"] == 3
    assert storied.period_counts(request, "month", 5) == {"2015-07": len(ARTICLES)}
    # A query's span counts what its search counts (tantivy: one aggregation, no count search).
    for q in ("الجسر", "الجسر اليوم", "لاوجودلهذهالكلمة"):
        r = req(q, collapse=False, facets=())
        assert storied.date_span(r)[0] == storied.search(r).total, q


# ---- arrival time and batch rows -------------------------------------------------------------

def test_arrival_is_stamped_kept_on_update_sorted_and_filtered(fresh):
    from search.arrival import from_ms, to_ms

    built = {h.id: h.arrived for h in all_hits(fresh, req("", page_size=50))}
    assert len(built) == len(corpus()) and len(set(built.values())) == 1  # the build's one stamp
    (t0,) = set(built.values())
    assert fresh.newest_arrival() == t0
    fresh.upsert([StoredDocument(id="x-new-1", body="خبر جديد عن الرقة"),
                  StoredDocument(id="x-gap", body="نص محدّث عن الرقة", countries=["SY"])])
    fresh.upsert([StoredDocument(id="x-new-2", body="خبر أحدث عن الرقة")])
    t1, t2 = fresh.get("x-new-1").arrived, fresh.get("x-new-2").arrived
    assert t0 < t1 < t2 and fresh.newest_arrival() == t2
    assert fresh.get("x-gap").arrived == t0  # an update keeps the arrival time
    hits = fresh.search(req("", sort="arrived", page_size=3)).hits
    assert [h.id for h in hits[:2]] == ["x-new-2", "x-new-1"] and hits[2].arrived == t0
    assert all(h.score is None for h in hits)
    after = Range(from_ms(to_ms(t0) + 1), None)
    res = fresh.search(req("", ranges={"arrived": after}, page_size=50))
    assert {h.id for h in res.hits} == {"x-new-1", "x-new-2"} and res.total == 2
    assert fresh.search(req("الرقة", ranges={"arrived": Range(from_ms(to_ms(t1) + 1), None)})).total == 1
    # Facet counts honour the arrival filter too.
    assert sum(b.count for b in res.facets["source"].buckets) == 0
    arrivals = {i: ms for i, _digest, ms in fresh.iter_arrivals()}
    assert arrivals["x-gap"] == to_ms(t0) and arrivals["x-new-2"] == to_ms(t2) and len(arrivals) == len(corpus()) + 2


def test_iter_arrivals_gives_the_digests_and_an_explicit_arrival_is_kept(fresh):
    doc = StoredDocument(id="x-dated", body="وثيقة قديمة", arrived="2020-01-02T03:04:05.678Z", digest=12345)
    fresh.upsert([doc])
    assert fresh.get("x-dated").arrived == "2020-01-02T03:04:05.678Z"
    rows = {i: (d, ms) for i, d, ms in fresh.iter_arrivals()}
    assert rows["x-dated"][0] == 12345 and rows["x-gap"][0] is None


@pytest.mark.parametrize("q", QUERIES)
def test_batch_rows_count_like_the_search(loaded, oracle, q):
    filters = {"country": ("IQ",)} if "country:" not in q else {}
    request = req(q, filters=filters, page_size=0, facets=(), highlight=False)
    summary = loaded.summarize(request, top=3)
    expected = oracle.hits(request)
    assert summary.total == len(expected) == loaded.search(req(q, filters=filters)).total
    docs = [d for d in corpus() if d.id in expected]
    countries = Counter(c for d in docs for c in set(d.countries))
    got = dict(summary.facets["country"])
    assert len(got) == min(3, len(countries)) and all(countries[c] == n for c, n in got.items())
    assert not got or min(got.values()) >= max([n for c, n in countries.items() if c not in got], default=0)
    dates = sorted(parse_date(d.date).date().isoformat() for d in docs if parse_date(d.date))
    assert (summary.first_date, summary.last_date) == ((dates[0], dates[-1]) if dates else (None, None))
