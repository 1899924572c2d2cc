"""JSON Lines and JSON (array / object) sources: fields, aliases, dates, ids, streaming."""
from __future__ import annotations

import gzip
import json
import tracemalloc
from pathlib import Path

import pytest

from indexer.sources import Problem, SourceDocument, iter_documents
from indexer.sources.dates import parse_date

BODIES = [
    "أعلنت وزارة الخارجية اليوم عن بدء جولة جديدة من المفاوضات في العاصمة.",
    "وصلت قافلة المساعدات الإنسانية إلى المدينة بعد أسابيع من الحصار.",
    "قال مسؤولون إن القوات الحكومية استعادت السيطرة على الطريق الرئيسي.",
]


def read(paths, **kw) -> tuple[list[SourceDocument], list[Problem]]:
    problems: list[Problem] = []
    docs = list(iter_documents([str(p) for p in paths], problems.append, **kw))
    return docs, problems


def jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def test_jsonl_fields(tmp_path):
    path = jsonl(tmp_path / "news.jsonl", [
        {"id": "aw-1", "title": " عنوان  الخبر ", "body": BODIES[0], "date": "2015-07-21 02:51:32",
         "source": "aawsat", "url": "http://aawsat.com/x", "author": "لندن: مراسل"},
        {"content": BODIES[1], "date_extracted": "21/07/2015", "headline": "عنوان"},
        {"text": BODIES[2], "published": "Tue, 21 Jul 2015 10:00:00 +0300", "extra": [1, {"a": 2}]},
    ])
    docs, problems = read([path])
    assert problems == []
    assert docs[0] == SourceDocument(
        id="aw-1", title="عنوان الخبر", body=BODIES[0], date="2015-07-21T02:51:32", source="aawsat",
        url="http://aawsat.com/x", author="لندن: مراسل", origin=f"{path}:1")
    assert (docs[1].id, docs[1].title, docs[1].body, docs[1].date) == ("news.jsonl:2", "عنوان", BODIES[1], "2015-07-21")
    assert (docs[2].id, docs[2].date, docs[2].origin) == ("news.jsonl:3", "2015-07-21T10:00:00", f"{path}:3")


def test_field_names_are_case_insensitive_and_first_alias_wins(tmp_path):
    path = jsonl(tmp_path / "a.ndjson", [
        {"Title": "t", "Body": BODIES[0], "content": "ignored", "Date": "2015-07-21", "ID": 7},
        {"body": "  ", "content": BODIES[1], "date": None, "date_extracted": "2015-07-22"},
    ])
    docs, problems = read([path])
    assert problems == []
    assert [(d.id, d.title, d.body, d.date) for d in docs] == [
        ("7", "t", BODIES[0], "2015-07-21"), ("a.ndjson:2", None, BODIES[1], "2015-07-22")]


def test_body_given_as_paragraph_list(tmp_path):
    docs, _ = read([jsonl(tmp_path / "a.jsonl", [{"body": [BODIES[0], BODIES[1]]}])])
    assert docs[0].body == f"{BODIES[0]}\n\n{BODIES[1]}"


def test_blank_lines_in_jsonl_are_ignored_and_line_numbers_kept(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("\n" + json.dumps({"body": BODIES[0]}) + "\n\n  \n" + json.dumps({"body": BODIES[1]}), "utf-8")
    docs, problems = read([path])
    assert problems == []
    assert [d.origin for d in docs] == [f"{path}:2", f"{path}:5"]


def test_json_array_pretty_printed(tmp_path):
    path = tmp_path / "2015-07-21.json"
    path.write_text(json.dumps([{"content": b, "source": "sabq", "title": f"t{i}"} for i, b in enumerate(BODIES)],
                               ensure_ascii=False, indent=2), "utf-8")
    docs, problems = read([path])
    assert problems == []
    assert [d.body for d in docs] == BODIES
    assert [d.id for d in docs] == ["2015-07-21.json:0", "2015-07-21.json:1", "2015-07-21.json:2"]
    assert docs[1].origin == f"{path}:item 1"
    assert docs[1].source == "sabq"


def test_json_single_object_and_concatenated_values(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"id": "x", "body": BODIES[0]}), "utf-8")
    many = tmp_path / "many.json"  # JSON Lines saved as .json, plus an array
    many.write_text(json.dumps({"body": BODIES[1]}) + "\n" + json.dumps([{"body": BODIES[2]}]), "utf-8")
    docs, problems = read([one, many])
    assert problems == []
    assert [(d.id, d.body) for d in docs] == [("x", BODIES[0]), ("many.json:0", BODIES[1]), ("many.json:1", BODIES[2])]


def test_nested_values_do_not_confuse_records(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps([
        {"body": BODIES[0], "tags": ["a", {"b": [1, 2, {"c": None}]}], "meta": {"x": {"y": []}}},
        {"meta": {"body": "not at the top level"}, "text": BODIES[1]},
    ]), "utf-8")
    docs, problems = read([path])
    assert problems == []
    assert [d.body for d in docs] == BODIES[:2]


def test_non_object_items_are_reported_and_skipped(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[\n"text",\n[1, [2]],\n{"body": "%s"},\n3\n]' % BODIES[0], "utf-8")
    docs, problems = read([path])
    assert [d.id for d in docs] == ["a.json:2"]
    # a scalar has no line of its own (the parser is fed from "{" to "{"): its index says where
    assert [(p.line, p.kind) for p in problems] == [(None, "malformed_json"), (3, "malformed_json"),
                                                    (None, "malformed_json")]
    assert "item 0: expected a JSON object, got a string" in problems[0].reason
    assert "item 1" in problems[1].reason and "item 3" in problems[2].reason


def test_minified_json_on_one_long_line(tmp_path):
    path = tmp_path / "a.json"
    records = [{"body": f"{BODIES[i % 3]} رقم {i}", "tags": "[{"} for i in range(3000)]
    path.write_text(json.dumps(records, ensure_ascii=False, separators=(",", ":")), "utf-8")
    assert path.stat().st_size > 300_000 and path.read_bytes().count(b"\n") == 0
    docs, problems = read([path])
    assert problems == [] and len(docs) == 3000
    assert docs[-1].origin == f"{path}:item 2999"


def test_gzipped_json_and_jsonl(tmp_path):
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(json.dumps({"body": BODIES[0]}).encode()))
    (tmp_path / "b.json.gz").write_bytes(gzip.compress(json.dumps([{"body": BODIES[1]}]).encode()))
    docs, problems = read([tmp_path])
    assert problems == []
    assert [(d.id, d.body) for d in docs] == [("a.jsonl:1", BODIES[0]), ("b.json:0", BODIES[1])]


def test_large_json_array_is_streamed_not_loaded(tmp_path):
    path = tmp_path / "big.json"
    body = BODIES[0] * 20  # ~1.3 KB of Arabic, ~2.5 KB of UTF-8
    with path.open("w", encoding="utf-8") as f:
        f.write("[\n")
        for i in range(8000):
            f.write(("," if i else "") + json.dumps({"id": i, "content": f"{body} {i}", "source": "s"},
                                                  ensure_ascii=False) + "\n")
        f.write("]\n")
    size = path.stat().st_size
    assert size > 20_000_000
    tracemalloc.start()
    count = sum(1 for _ in iter_documents([str(path)], lambda p: None, dedupe=False))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 8000
    assert peak < 4_000_000, f"peak {peak:,} bytes for a {size:,}-byte file"


@pytest.mark.parametrize("value, expected", [
    ("2015-07-21", "2015-07-21"),
    ("2015-07-21 02:51:32", "2015-07-21T02:51:32"),
    ("2015-07-21T02:51:32.123+03:00", "2015-07-21T02:51:32"),
    ("2015-07-21T02:51:32Z", "2015-07-21T02:51:32"),
    ("2015/7/1", "2015-07-01"),
    ("21/07/2015", "2015-07-21"),
    ("05/07/2015 10:00", "2015-07-05T10:00:00"),  # day first
    ("07/21/2015", "2015-07-21"),                 # month first when it must be
    ("21.07.2015", "2015-07-21"),
    ("20150721", "2015-07-21"),
    ("Tue, 21 Jul 2015 02:51:32 +0300", "2015-07-21T02:51:32"),
    ("July 21, 2015", "2015-07-21"),
    ("21 juillet 2015", "2015-07-21"),
    ("21 يوليو 2015", "2015-07-21"),
    ("الثلاثاء ٢١ تموز ٢٠١٥", "2015-07-21"),
    ("1 كانون الثاني/يناير 2015 3:30 pm", "2015-01-01T15:30:00"),
    ("٢٠١٥-٠٧-٢١", "2015-07-21"),
    (1437446400, "2015-07-21T02:40:00"),
    (1437446400000, "2015-07-21T02:40:00"),
    ("2015-02-30", None), ("Jul 2015", None), ("amanhã", None), ("", None), (None, None), (True, None),
])
def test_dates(value, expected):
    assert parse_date(value) == expected
