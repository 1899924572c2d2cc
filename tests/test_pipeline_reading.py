"""Sources read by a process of their own give exactly what reading in place gives."""
from __future__ import annotations

import pickle

import pytest

import indexer.pipeline as pipeline
from conftest import SEEDS
from indexer.pipeline import ReadingProcess
from indexer.reindex import reindex
from indexer.sources import iter_documents
from search.backends.tantivy_backend import TantivyBackend


def _archive(path, n: int):
    path.mkdir()
    bodies = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for i in range(n):
        (path / f"doc{i:04d}.txt").write_text(f"{bodies[i % len(bodies)]}\nنسخة {i}", encoding="utf-8")
    (path / "copy.txt").write_text(f"{bodies[0]}\nنسخة 0", encoding="utf-8")  # a duplicate
    (path / "empty.txt").write_bytes(b"")
    (path / "broken.json").write_text('[{"body": "خبر"}, {"body": ', encoding="utf-8")
    return path


def test_reading_process_gives_the_same_documents_problems_and_bytes(tmp_path, monkeypatch):
    src = _archive(tmp_path / "src", 150)  # three chunks
    here = reindex(TantivyBackend(tmp_path / "a"), [str(src)], workers=0)
    monkeypatch.setattr(pipeline, "READING_PROCESS_MIN_BYTES", 0)
    assert ReadingProcess.suitable(iter_documents, [str(src)], 1)
    apart = reindex(TantivyBackend(tmp_path / "b"), [str(src)], workers=1)
    assert (apart.indexed, apart.input_bytes, apart.skipped, apart.notes) == \
        (here.indexed, here.input_bytes, here.skipped, here.notes)
    assert [(p.path, p.kind) for p in apart.problems] == [(p.path, p.kind) for p in here.problems]
    a, b = TantivyBackend(tmp_path / "a"), TantivyBackend(tmp_path / "b")
    assert a.get("doc0123").to_dict() == b.get("doc0123").to_dict()
    # The workers counted the vocabulary (and left no spool behind): the same as counted here.
    assert dict(b.vocabulary().counts) == dict(a.vocabulary().counts) and len(a.vocabulary()) > 100
    assert not list(b.gens.current_path().glob("vocabulary-parts*"))
    # A rebuild keeps the live index's arrival times, by id and by content, either way.
    before = {d: b.get(d).arrived for d in ("doc0001", "doc0007")}
    assert all(before.values())
    (src / "doc0007.txt").rename(src / "renamed.txt")
    again_here = reindex(a, [str(src)], workers=0)
    again_apart = reindex(b, [str(src)], workers=1)
    assert (again_apart.arrivals_kept, again_apart.arrivals_by_content) == \
        (again_here.arrivals_kept, again_here.arrivals_by_content) == (here.indexed - 1, 1)
    assert b.get("doc0001").arrived == before["doc0001"] and b.get("renamed").arrived == before["doc0007"]


def test_small_inputs_and_closures_are_read_in_place(tmp_path):
    src = _archive(tmp_path / "src", 3)
    assert not ReadingProcess.suitable(iter_documents, [str(src)], 2)  # under the size threshold
    assert not ReadingProcess.suitable(lambda sources, on_problem: iter([]), [str(SEEDS)], 2)
    assert not ReadingProcess.suitable(iter_documents, [str(src)], 0)


def failing_read(sources, on_problem):
    yield from iter_documents(sources, on_problem)
    raise ValueError("the archive ended badly")


def test_an_error_while_reading_reaches_the_indexing_process(tmp_path):
    src = _archive(tmp_path / "src", 70)
    problems, sizes = [], []
    chunks = iter(ReadingProcess(failing_read, [str(src)], problems.append, sizes.append))
    docs = []
    with pytest.raises(ValueError, match="ended badly"):
        for chunk, arrivals in chunks:
            assert arrivals is None  # no live index to keep arrival times from
            docs += pickle.loads(chunk)
    # The full chunk before the error arrived (the run fails anyway: nothing is committed).
    assert len(docs) == 64 and {p.kind for p in problems} >= {"empty", "duplicate"}
    assert sum(sizes) > 70 * 100


def test_a_build_refuses_to_publish_an_incomplete_vocabulary(tmp_path):
    from indexer.pipeline import to_stored
    from search.backends.base import BackendError

    backend = TantivyBackend(tmp_path / "idx")
    docs = [to_stored(d) for d in iter_documents([str(SEEDS)], lambda problem: None)][:3]
    build = backend.new_build()
    for doc in docs:
        build.add(build.prepare(doc))  # counted by the build's prepare, as a worker would
    build.prepare.documents -= 1  # as if a worker's counts had not arrived
    with pytest.raises(BackendError, match="vocabulary counts cover 2 of 3"):
        build.commit({})
    build.abort()
    assert not backend.exists()
