"""Zip archives of JSON, JSON Lines and text files; the SaudiNewsNet archives as they are."""
from __future__ import annotations

import gzip
import json
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from indexer.sources import Problem, SourceDocument, iter_documents

SAUDINEWSNET = Path("/work/shared/data/saudinewsnet")
BODIES = [
    "أعلنت وزارة الخارجية اليوم عن بدء جولة جديدة من المفاوضات في العاصمة.",
    "وصلت قافلة المساعدات الإنسانية إلى المدينة بعد أسابيع من الحصار.",
    "قال مسؤولون إن القوات الحكومية استعادت السيطرة على الطريق الرئيسي.",
    "أكد البنك المركزي أن معدل التضخم تراجع خلال الربع الأخير من العام.",
]


def read(paths, **kw) -> tuple[list[SourceDocument], list[Problem]]:
    problems: list[Problem] = []
    docs = list(iter_documents([str(p) for p in paths], problems.append, **kw))
    return docs, problems


def make_zip(path: Path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_zip_of_a_json_array_like_saudinewsnet(tmp_path):
    records = [{"source": "aawsat", "url": f"http://aawsat.com/{i}", "date_extracted": "2015-07-21 02:51:32",
                "title": f"عنوان {i}", "author": "", "content": b} for i, b in enumerate(BODIES)]
    path = make_zip(tmp_path / "2015-07-21.zip",
                    {"2015-07-21.json": json.dumps(records, ensure_ascii=False, indent=4).encode()})
    docs, problems = read([path])
    assert problems == []
    assert [d.id for d in docs] == [f"2015-07-21.zip~2015-07-21.json:{i}" for i in range(4)]
    assert docs[2].origin == f"{path}/2015-07-21.json:item 2"
    assert (docs[0].source, docs[0].url, docs[0].date, docs[0].author, docs[0].title) == (
        "aawsat", "http://aawsat.com/0", "2015-07-21T02:51:32", None, "عنوان 0")


def test_zip_members_of_every_format_in_name_order(tmp_path):
    path = make_zip(tmp_path / "mixed.zip", {
        "z/story.txt": f"عنوان قصير\n\n{BODIES[0]}".encode(),
        "a.jsonl": (json.dumps({"body": BODIES[1]}) + "\n").encode(),
        "m/docs.sgml": f'<DOC id="AFP_ARB_20000101.0001"><TEXT><P>{BODIES[2]}</P></TEXT></DOC>'.encode(),
        "b.json.gz": gzip.compress(json.dumps([{"body": BODIES[3]}]).encode()),
        "__MACOSX/._a.jsonl": b"\x00\x05\x16\x07",
        ".hidden/x.txt": b"hidden",
        "dir/": b"",
    })
    docs, problems = read([path])
    assert problems == []
    assert [d.id for d in docs] == ["mixed.zip~a.jsonl:1", "mixed.zip~b.json:0", "AFP_ARB_20000101.0001",
                                    "mixed.zip~z~story"]
    assert [d.origin for d in docs] == [f"{path}/a.jsonl:1", f"{path}/b.json.gz:item 0", f"{path}/m/docs.sgml:1",
                                        f"{path}/z/story.txt"]
    assert docs[3].title == "عنوان قصير"


def test_stored_and_deflated_members(tmp_path):
    a = make_zip(tmp_path / "a.zip", {"a.txt": BODIES[0].encode()}, zipfile.ZIP_STORED)
    b = make_zip(tmp_path / "b.zip", {"b.txt": BODIES[1].encode()}, zipfile.ZIP_BZIP2)
    docs, problems = read([a, b])
    assert problems == []
    assert [d.body for d in docs] == BODIES[:2]


def test_zip_problems(tmp_path):
    make_zip(tmp_path / "a.zip", {"inner.zip": b"PK...", "big.txt": BODIES[0].encode() * 100,
                                  "ok.txt": BODIES[1].encode(), "empty.txt": b"", "bad.json": b'[{"body": "x"'})
    (tmp_path / "b.zip").write_bytes(b"PK\x03\x04 this is not a zip archive")
    make_zip(tmp_path / "c.zip", {})
    docs, problems = read([tmp_path], max_file_bytes=1000)
    assert [d.body for d in docs] == [BODIES[1]]
    got = {(p.path, p.line, p.kind) for p in problems}
    assert got == {
        (f"{tmp_path}/a.zip/bad.json", 1, "malformed_json"),
        (f"{tmp_path}/a.zip/big.txt", None, "too_large"),
        (f"{tmp_path}/a.zip/empty.txt", None, "empty"),
        (f"{tmp_path}/a.zip/inner.zip", None, "unsupported"),
        (f"{tmp_path}/b.zip", None, "corrupt"),
        (f"{tmp_path}/c.zip", None, "empty"),
    }


def test_damaged_member_keeps_what_was_read_before(tmp_path):
    path = make_zip(tmp_path / "a.zip", {"a.txt": BODIES[0].encode(), "b.txt": (BODIES[1] * 50).encode()})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("b.txt")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start:start + 20] = bytes(20)  # garble the compressed bytes of b.txt
    path.write_bytes(bytes(data))
    docs, problems = read([path])
    assert [d.body for d in docs] == [BODIES[0]]
    assert [(p.path, p.kind) for p in problems] == [(f"{path}/b.txt", "corrupt")]


saudinewsnet = pytest.mark.skipif(not SAUDINEWSNET.is_dir(), reason="SaudiNewsNet data not available")


@saudinewsnet
def test_saudinewsnet_loads_every_article():
    """31,030 articles: each is indexed, or reported as a duplicate or as missing its body."""
    started = time.process_time()  # CPU: the machine may be shared
    problems: list[Problem] = []
    sources = Counter()
    count = 0
    for doc in iter_documents([str(SAUDINEWSNET)], problems.append):
        count += 1
        sources[doc.source] += 1
        assert doc.body and doc.date and doc.date.startswith("2015-")
    elapsed = time.process_time() - started
    kinds = Counter(p.kind for p in problems)
    assert kinds == {"duplicate": 772, "missing_body": 354, "not_article": 1}  # README.md
    assert count == 29_904
    assert count + kinds["duplicate"] + kinds["missing_body"] == 31_030
    assert len(sources) == 14  # newspapers
    assert elapsed < 15, f"{elapsed:.1f} s of CPU to read SaudiNewsNet (about 2 s expected)"


@saudinewsnet
def test_saudinewsnet_without_dedupe_and_stable_ids():
    path = sorted(SAUDINEWSNET.glob("*.zip"))[2]
    problems: list[Problem] = []
    first = [d.id for d in iter_documents([str(path)], problems.append, dedupe=False)]
    again = [d.id for d in iter_documents([str(path)], lambda p: None, dedupe=False)]
    with zipfile.ZipFile(path) as z:
        total = len(json.loads(z.read(z.namelist()[0])))
    assert first == again
    assert len(first) + len(problems) == total
    assert {p.kind for p in problems} <= {"missing_body"}
    assert first[0] == f"{path.name}~{path.stem}.json:0"
    assert len(set(first)) == len(first)
