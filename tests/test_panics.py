"""Native panics (tantivy's Rust code) answer as a server error page, never as no answer."""
import tantivy

from app import create_app
from search.backends.tantivy_query import compile_clause
from search.query.plan import PhraseTerms


def _app(seeds_index):
    app = create_app({"SEARCH_INDEX": str(seeds_index), "SECRET_KEY": "t"})

    @app.route("/panic-for-test")
    def panic():
        # A real panic of the real engine: tantivy refuses a phrase of one term.
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("body")
        tantivy.Query.phrase_query(sb.build(), "body", ["x"])
        return "unreachable"

    return app


def test_a_panic_in_a_view_is_a_500_page_and_the_app_keeps_serving(seeds_index):
    client = _app(seeds_index).test_client()
    resp = client.get("/panic-for-test")
    assert resp.status_code == 500
    assert "خطأ داخلي" in resp.get_data(as_text=True)
    assert "PanicException" not in resp.get_data(as_text=True)  # no trace on the page
    assert client.get("/api/search?q=داعش").status_code == 200


def test_a_one_term_phrase_clause_compiles_to_its_term(seeds_index):
    from search.backends.tantivy_backend import TantivyBackend

    backend = TantivyBackend(seeds_index)
    searcher = backend._index().searcher()
    one = compile_clause(backend.schema, PhraseTerms("body", ("داعش",), (0,), 1.0))
    assert searcher.search(one, limit=10, count=True).count == 4
