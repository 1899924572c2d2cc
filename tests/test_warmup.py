"""The server warms up before answering: the vocabulary and the search path are loaded once."""
import logging

from app import create_app
from web.warmup import warm_up


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_warm_up_loads_the_vocabulary_and_searches_once(seeds_index):
    app = create_app({"SEARCH_INDEX": str(seeds_index), "SECRET_KEY": "t"})
    backend = app.extensions["search_backend"]
    assert backend._vocab is None  # loaded lazily by the first search otherwise
    records, logger = _Records(), logging.getLogger("web.warmup")
    logger.addHandler(records)  # the app's logging set-up replaces the root's handlers
    try:
        took = warm_up(app)
    finally:
        logger.removeHandler(records)
    assert took is not None and took >= 0
    assert backend._vocab is not None and backend.vocabulary() is backend._vocab[1]
    assert any("warmed up in" in m for m in records.messages)
    # the warm-up's word is not written to the log (queries are private)
    assert not any("الموصل" in m for m in records.messages)


def test_warm_up_without_an_index_is_skipped_not_fatal(tmp_path):
    app = create_app({"SEARCH_INDEX": str(tmp_path / "none"), "SECRET_KEY": "t"})
    assert warm_up(app) is None
    assert app.test_client().get("/api/search").status_code in (200, 503)
