"""Bad input: every case is reported once (path, line, kind), skipped, and the rest still read."""
from __future__ import annotations

import builtins
import gzip
import json
import os
from pathlib import Path

import pytest

from indexer.sources import Problem, SourceDocument, iter_documents
from indexer.sources import walk

STORY = "أعلنت وزارة الخارجية اليوم عن بدء جولة جديدة من المفاوضات في العاصمة."
OTHER = "وصلت قافلة المساعدات الإنسانية إلى المدينة بعد أسابيع من الحصار."
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def read(paths, **kw) -> tuple[list[SourceDocument], list[Problem]]:
    problems: list[Problem] = []
    docs = list(iter_documents([str(p) for p in paths], problems.append, **kw))
    return docs, problems


def where(problems: list[Problem], root: Path) -> list[tuple[str, int | None, str]]:
    return [(os.path.relpath(p.path, root), p.line, p.kind) for p in problems]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_problem_str_and_kind_check():
    assert str(Problem("a/b.jsonl", 7, "invalid JSON", "malformed_json")) == "a/b.jsonl:7: invalid JSON"
    assert str(Problem("a/b.txt", None, "empty file", "empty")) == "a/b.txt: empty file"
    with pytest.raises(ValueError):
        Problem("x", None, "r", "no-such-kind")


def test_nonexistent_path(tmp_path):
    write(tmp_path / "ok.txt", STORY)
    docs, problems = read([tmp_path / "missing", tmp_path / "ok.txt", "/no/such/dir/"])
    assert [d.body for d in docs] == [STORY]
    assert [(p.path, p.line, p.kind) for p in problems] == [
        (str(tmp_path / "missing"), None, "not_found"), ("/no/such/dir/", None, "not_found")]


def test_empty_files_of_every_format(tmp_path):
    for name in ("a.txt", "b.jsonl", "c.json", "d.sgml", "e", "f.json.gz"):
        write(tmp_path / name, gzip.compress(b"") if name.endswith(".gz") else b"")
    write(tmp_path / "g.txt", " \n\t\r\n ")
    write(tmp_path / "h.json", "\n  \n")
    write(tmp_path / "i.jsonl", "\n\n")
    write(tmp_path / "j.sgml", "  \n")
    docs, problems = read([tmp_path])
    assert docs == []
    assert where(problems, tmp_path) == [(n, None, "empty") for n in (
        "a.txt", "b.jsonl", "c.json", "d.sgml", "e", "f.json.gz", "g.txt", "h.json", "i.jsonl", "j.sgml")]


def test_binary_files(tmp_path):
    write(tmp_path / "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)))
    write(tmp_path / "a.txt", PNG)
    write(tmp_path / "b.jsonl", PNG)
    write(tmp_path / "c.json", PNG)
    write(tmp_path / "d.sgml", PNG)
    write(tmp_path / "ok.txt", STORY)
    docs, problems = read([tmp_path])
    assert [d.id for d in docs] == ["ok"]
    assert where(problems, tmp_path) == [(n, None, "binary") for n in ("a.txt", "b.jsonl", "c.json", "d.sgml",
                                                                       "photo.jpg")]


def test_unsupported_formats(tmp_path):
    write(tmp_path / "report.pdf", b"%PDF-1.4 ...")
    write(tmp_path / "page.html", "<html>x</html>")
    write(tmp_path / "data.tar.gz", gzip.compress(b"x"))
    docs, problems = read([tmp_path])
    assert docs == []
    assert where(problems, tmp_path) == [("data.tar.gz", None, "unsupported"), ("page.html", None, "unsupported"),
                                         ("report.pdf", None, "unsupported")]


def test_truncated_json_array_reports_the_last_line_and_keeps_earlier_records(tmp_path):
    text = json.dumps([{"body": f"{STORY} {i}"} for i in range(5)], ensure_ascii=False, indent=2)
    path = write(tmp_path / "a.json", text[:text.index(f"{STORY} 3") + 20])
    docs, problems = read([path])
    assert [d.id for d in docs] == ["a.json:0", "a.json:1", "a.json:2"]
    last_line = path.read_text("utf-8").count("\n") + 1
    assert [(p.line, p.kind) for p in problems] == [(last_line, "malformed_json")]
    assert problems[0].reason == "truncated JSON: the file ends inside a value (after 3 records; rest of file skipped)"


def test_json_syntax_error_reports_its_exact_line(tmp_path):
    records = [json.dumps({"body": f"{STORY} {i}", "n": i}, ensure_ascii=False, indent=2) for i in range(6)]
    records[4] = records[4].replace('"n": 4', '"n": 4 oops')
    path = write(tmp_path / "a.json", "[\n" + ",\n".join(records) + "\n]\n")
    bad_line = path.read_text("utf-8").splitlines().index('  "n": 4 oops') + 1
    docs, problems = read([path])
    assert len(docs) == 4
    assert [(p.line, p.kind) for p in problems] == [(bad_line, "malformed_json")]
    assert "invalid JSON: lexical error: invalid char in json text" in problems[0].reason


def test_malformed_line_in_a_100000_line_jsonl_file(tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(1, 100_001):
            f.write('{"body": "خبر رقم %d", "title": "عنوان' % i + ('"}\n' if i != 73_519 else '}\n'))
    problems: list[Problem] = []
    count = sum(1 for _ in iter_documents([str(path)], problems.append))
    assert count == 99_999
    assert [(p.path, p.line, p.kind) for p in problems] == [(str(path), 73_519, "malformed_json")]
    assert problems[0].reason.startswith("invalid JSON: Unterminated string")


def test_jsonl_lines_that_are_not_objects(tmp_path):
    path = write(tmp_path / "a.jsonl", f'{{"body": "{STORY}"}}\n[1, 2]\n"text"\n{{"body": "{OTHER}"}}\n')
    docs, problems = read([path])
    assert len(docs) == 2
    assert [(p.line, p.kind) for p in problems] == [(2, "malformed_json"), (3, "malformed_json")]
    assert problems[0].reason == "expected a JSON object, got list"


def test_records_missing_their_body(tmp_path):
    write(tmp_path / "a.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"body": STORY}, {"title": "بلا نص"}, {"body": "   "}, {"content": None, "text": OTHER}]))
    write(tmp_path / "b.json", json.dumps([{"title": "x", "content": ""}, {"content": STORY + "!"}], indent=2))
    docs, problems = read([tmp_path])
    assert [d.origin.split("/")[-1] for d in docs] == ["a.jsonl:1", "a.jsonl:4", "b.json:item 1"]
    assert where(problems, tmp_path) == [("a.jsonl", 2, "missing_body"), ("a.jsonl", 3, "missing_body"),
                                         ("b.json", 2, "missing_body")]
    assert problems[2].reason == "item 0: no body (none of body, content, text)"


def test_files_over_max_file_bytes(tmp_path):
    write(tmp_path / "big.txt", STORY * 100)
    write(tmp_path / "big.json.gz", gzip.compress(json.dumps([{"body": OTHER * 100}]).encode()))  # small on disk
    write(tmp_path / "small.txt", STORY)
    docs, problems = read([tmp_path], max_file_bytes=2000)
    assert [d.id for d in docs] == ["small"]
    assert where(problems, tmp_path) == [("big.json.gz", None, "too_large"), ("big.txt", None, "too_large")]
    assert "over the 2,000-byte limit" in problems[1].reason
    assert len(read([tmp_path])[0]) == 3  # no limit by default


@pytest.fixture
def deny(monkeypatch):
    """Make paths unreadable: chmod 000, and when running as root (which ignores modes)
    make open() and os.scandir() raise as they would for anyone else."""
    denied: set[str] = set()
    restore: list[tuple[Path, int]] = []

    def deny_path(path: Path) -> None:
        restore.append((path, path.stat().st_mode))
        path.chmod(0)
        denied.add(str(path))

    if os.geteuid() == 0:
        real_open, real_scandir = builtins.open, os.scandir

        def fake_open(file, *args, **kwargs):
            if str(file) in denied:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        def fake_scandir(path="."):
            if str(path) in denied:
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(walk, "open", fake_open, raising=False)
        monkeypatch.setattr(walk.os, "scandir", fake_scandir)
    yield deny_path
    for path, mode in restore:
        path.chmod(mode)


def test_unreadable_file_and_directory(tmp_path, deny):
    write(tmp_path / "a.txt", STORY)
    write(tmp_path / "locked.txt", OTHER)
    write(tmp_path / "private" / "c.txt", STORY + " 2")
    write(tmp_path / "z.txt", STORY + " 3")
    deny(tmp_path / "locked.txt")
    deny(tmp_path / "private")
    docs, problems = read([tmp_path])
    assert [d.id for d in docs] == ["a", "z"]
    assert where(problems, tmp_path) == [("locked.txt", None, "unreadable"), ("private", None, "unreadable")]
    assert problems[0].reason == "permission denied"


def test_broken_symlink_and_symlink_loop(tmp_path):
    write(tmp_path / "d" / "a.txt", STORY)
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    (tmp_path / "d" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    docs, problems = read([tmp_path / "d"])
    assert [d.id for d in docs] == ["a"]
    assert where(problems, tmp_path) == [("d/gone.txt", None, "not_found")]


def test_duplicates_are_reported_naming_the_first_document(tmp_path):
    write(tmp_path / "a.txt", STORY)
    write(tmp_path / "b.jsonl", json.dumps({"id": "x1", "body": "  " + STORY.replace(" ", "  \n ")},
                                           ensure_ascii=False) + "\n" + json.dumps({"body": OTHER}, ensure_ascii=False))
    write(tmp_path / "c.txt", OTHER + "\n")
    docs, problems = read([tmp_path])
    assert [d.id for d in docs] == ["a", "b.jsonl:2"]
    assert where(problems, tmp_path) == [("b.jsonl", 1, "duplicate"), ("c.txt", None, "duplicate")]
    assert problems[0].reason == "duplicate of a (same text); skipped"
    assert problems[1].reason == "duplicate of b.jsonl:2 (same text); skipped"
    docs, problems = read([tmp_path], dedupe=False)
    assert len(docs) == 4 and problems == []


def test_reused_ids_are_reported_and_made_unique(tmp_path):
    write(tmp_path / "a.jsonl", json.dumps({"id": "n-1", "body": STORY}, ensure_ascii=False))
    write(tmp_path / "b.jsonl", json.dumps({"id": "n-1", "body": OTHER}, ensure_ascii=False))
    docs, problems = read([tmp_path])
    assert [d.id for d in docs] == ["n-1", "n-1:dup2"]
    assert where(problems, tmp_path) == [("b.jsonl", 1, "duplicate_id")]
    assert problems[0].reason == "id n-1 already used by another document; indexed as n-1:dup2"


def test_corrupt_gzip(tmp_path):
    write(tmp_path / "a.jsonl.gz", gzip.compress(("\n".join(json.dumps({"body": f"{STORY} {i}"})
                                                          for i in range(2000))).encode())[:3000])
    write(tmp_path / "b.txt.gz", b"\x1f\x8b not really gzip")
    docs, problems = read([tmp_path])
    assert len(docs) > 0  # what was readable before the cut
    assert where(problems, tmp_path) == [("a.jsonl.gz", None, "corrupt"), ("b.txt.gz", None, "corrupt")]


def test_a_directory_full_of_bad_input_never_raises(tmp_path):
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "bin.txt", PNG)
    write(tmp_path / "trunc.json", '[{"body": "x"')
    write(tmp_path / "bad.jsonl", "{nope}\n")
    write(tmp_path / "bad.zip", b"PK\x03\x04garbage")
    write(tmp_path / "bad.sgml", "<DOC><TEXT>x")
    write(tmp_path / "bad.gz", b"\x1f\x8b\x08garbage")
    write(tmp_path / "odd.xml", "<root/>")
    write(tmp_path / "good.txt", STORY)
    docs, problems = read([tmp_path, tmp_path / "nope"], max_file_bytes=10_000)
    assert [d.id for d in docs] == ["good"]
    assert len(problems) == 9
    assert all(p.path.startswith(str(tmp_path)) and p.reason for p in problems)
