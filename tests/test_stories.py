"""Stories: versions grouped at index time, collapsed results with exact pages, add/delete.

Real engine, real `indexer` command, a handful of crafted articles (tests/story_corpus.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from search.backends.tantivy_backend import TantivyBackend
from search.model import SearchRequest
from search.query import parse
from story_corpus import ARTICLES, STORIES, write_jsonl

INDEXER = str(Path(sys.executable).with_name("indexer"))


def _indexer(*args, env=None):
    return subprocess.run([INDEXER, *args], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, **(env or {})})


def _reindex(tmp_path: Path, ids=None, window: int | None = None, reverse: bool = False) -> TantivyBackend:
    src = write_jsonl(tmp_path / "articles.jsonl", ids, reverse)
    index = tmp_path / "idx"
    env = {"INDEXER_STORY_WINDOW": str(window)} if window is not None else None
    done = _indexer("reindex", str(src), "--index", str(index), "--workers", "0", "-q", env=env)
    assert done.returncode == 0, done.stderr
    return TantivyBackend(index)


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    # Newest first and a window of 0: every document is written as soon as it is read, before
    # its story's earliest version arrives, so the fix-up pass must rename the stories.
    return _reindex(tmp_path_factory.mktemp("stories"), window=0, reverse=True)


def test_versions_share_the_id_of_their_earliest_version(grouped):
    assert {i: grouped.get(i).story for i, *_ in ARTICLES} == STORIES
    build = grouped.stats()["build"]
    assert build["stories"] == len(set(STORIES.values()))
    assert grouped.search(_req("", collapse=False, page_size=1)).total == len(ARTICLES)
    _vocabulary_matches_the_documents(grouped)  # the fix-up pass rewrote versions


def test_a_reorder_window_gives_the_same_stories(tmp_path):
    backend = _reindex(tmp_path, window=2000)
    assert {i: backend.get(i).story for i, *_ in ARTICLES} == STORIES


def _req(q="", **kw):
    return SearchRequest(query=parse(q).tree, **kw)


def _vocabulary_matches_the_documents(backend: TantivyBackend) -> None:
    """The did-you-mean vocabulary (issue 10) counts each indexed document exactly once,
    also after story fix-ups and relabels, which rewrite documents."""
    from search.vocabulary import Vocabulary, document_terms

    truth = Vocabulary()
    for d in backend.iter_matches(_req("", collapse=False)):
        truth.add(document_terms(d.title, d.body))
    assert backend.vocabulary().counts == Vocabulary.from_bytes(truth.to_bytes()).counts


@pytest.mark.parametrize("sort", ["relevance", "date"])
@pytest.mark.parametrize("q", ["", "العراق OR سوريا OR البصرة OR النفط OR الدوري"])
def test_collapsed_pages_hold_exactly_the_next_stories_in_rank_order(grouped, q, sort):
    every = grouped.search(_req(q, sort=sort, collapse=False, page_size=100))
    expected, seen = [], set()
    for h in every.hits:  # the best-ranked version represents its story
        if STORIES[h.id] not in seen:
            seen.add(STORIES[h.id])
            expected.append(h.id)
    got, page = [], 1
    while True:
        res = grouped.search(_req(q, sort=sort, page=page, page_size=2))
        assert res.total == every.total and res.stories == len(expected) and res.stories_exact
        if not res.hits:
            break
        got += [h.id for h in res.hits]
        page += 1
    assert got == expected and page == (len(expected) + 1) // 2 + 1


def test_a_collapsed_hit_lists_its_other_matching_versions(grouped):
    res = grouped.search(_req("الرمادي"))
    (hit,) = res.hits
    assert res.total == 3 and res.stories == 1
    assert hit.story == "bridge-b" and hit.version_count == 3
    others = {v.id for v in hit.versions}
    assert others == {"bridge-a", "bridge-b", "bridge-c"} - {hit.id}
    assert all(v.source and v.date for v in hit.versions)
    assert [v.date for v in hit.versions] == sorted(v.date for v in hit.versions)
    # Filters narrow the versions too: only the matching ones are counted.
    (alone,) = grouped.search(_req("الرمادي source:aawsat")).hits
    assert alone.id == "bridge-c" and alone.version_count == 1 and alone.versions == []


def test_versions_all_shows_every_copy(grouped):
    res = grouped.search(_req("الرمادي", collapse=False))
    assert res.total == 3 and len(res.hits) == 3 and res.stories is None


def test_add_joins_a_story_and_an_earlier_version_renames_it(tmp_path):
    backend = _reindex(tmp_path, ids={"bridge-a", "bridge-c", "aid-1", "alone-0"})
    assert backend.get("bridge-c").story == "bridge-a"
    new = write_jsonl(tmp_path / "new.jsonl", {"aid-2"})
    done = _indexer("add", str(new), "--index", str(backend.root))
    assert done.returncode == 0, done.stderr
    assert backend.get("aid-2").story == "aid-1" and backend.get("aid-1").story == "aid-1"

    earliest = write_jsonl(tmp_path / "earliest.jsonl", {"bridge-b"})
    done = _indexer("add", str(earliest), "--index", str(backend.root))
    assert done.returncode == 0, done.stderr
    assert "2 other versions took a new story id" in done.stdout
    assert {i: backend.get(i).story for i in ("bridge-a", "bridge-b", "bridge-c")} == dict.fromkeys(
        ("bridge-a", "bridge-b", "bridge-c"), "bridge-b")
    assert backend.get("alone-0").story == "alone-0"
    assert backend.search(_req("الرمادي")).stories == 1
    _vocabulary_matches_the_documents(backend)


def test_deleting_the_earliest_version_passes_the_story_on(tmp_path):
    backend = _reindex(tmp_path)
    done = _indexer("delete", "bridge-b", "--index", str(backend.root))
    assert done.returncode == 0, done.stderr
    assert backend.get("bridge-b") is None
    # The next one by date (then id) names the story now.
    assert backend.get("bridge-a").story == "bridge-a" and backend.get("bridge-c").story == "bridge-a"
    (hit,) = backend.search(_req("الرمادي")).hits
    assert hit.version_count == 2
    done = _indexer("delete", "talks-2", "--index", str(backend.root))  # not the earliest: nothing moves
    assert done.returncode == 0 and "new story id" not in done.stdout
    assert backend.get("talks-3").story == "talks-1"
    _vocabulary_matches_the_documents(backend)


def test_the_build_fingerprint_covers_story_detection():
    # `indexer reindex --if-changed` (issue 13) must rebuild when the signature or threshold changes.
    import search.stories
    import search.stories.signature
    from indexer.fingerprint import PIPELINE_PATHS, ROOT, _files

    covered = {os.path.abspath(f) for p in PIPELINE_PATHS for f in _files(str(ROOT / p))}
    assert {os.path.abspath(m.__file__) for m in (search.stories, search.stories.signature)} <= covered


def test_the_rebuild_that_upgrades_the_layout_keeps_arrival_times(tmp_path):
    # The story fields bumped the layout (5) after arrival times came (4, issue 15): the first
    # rebuild after upgrading still reads the older generation's arrivals, or every feed floods.
    import json

    from search.backends.base import BackendError

    ids = {"bridge-a", "aid-1", "alone-0"}
    backend = _reindex(tmp_path, ids=ids)
    before = {d.id: d.arrived for d in backend.iter_matches(_req("", collapse=False))}
    assert set(before) == ids and all(before.values())
    build = backend.gens.dir / backend.gens.current_name() / "build.json"
    info = json.loads(build.read_text(encoding="utf-8"))
    build.write_text(json.dumps({**info, "layout": 4}), encoding="utf-8")
    with pytest.raises(BackendError, match="layout 4"):
        TantivyBackend(backend.root).search(_req(""))  # not served, but its arrivals are read
    upgraded = _reindex(tmp_path, ids=ids)
    assert {d.id: d.arrived for d in upgraded.iter_matches(_req("", collapse=False))} == before

    build = upgraded.gens.dir / upgraded.gens.current_name() / "build.json"
    info = json.loads(build.read_text(encoding="utf-8"))
    build.write_text(json.dumps({**info, "layout": 3}), encoding="utf-8")  # before arrival times
    again = _reindex(tmp_path, ids=ids)
    assert all(d.arrived > before[d.id] for d in again.iter_matches(_req("", collapse=False)))
