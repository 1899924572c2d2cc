"""Encodings: UTF-8 (with/without BOM), UTF-16 with BOM, windows-1256, ISO-8859-6, and refusals."""
from __future__ import annotations

import codecs
import json
import random
from pathlib import Path

import pytest

from indexer.sources import Problem, SourceDocument, iter_documents
from indexer.sources.encoding import DecodeError, decode

STORY = ("أعلنت وزارة الخارجية اليوم عن بدء جولة جديدة من المفاوضات في العاصمة، "
         "وقال المتحدث الرسمي إن الوفد سيصل يوم الثلاثاء المقبل.")
MIXED = "قال الرئيس Barack Obama في مؤتمر صحفي عقده في واشنطن إن بلاده ستواصل دعم الحكومة"
SHORT = "سلام عليكم"
TITLE = "عنوان الخبر"

ENCODINGS = {  # name -> function producing the file bytes
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-sig": lambda t: t.encode("utf-8-sig"),
    "utf-16": lambda t: t.encode("utf-16"),  # BOM + native order
    "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "cp1256": lambda t: t.encode("cp1256"),
    "iso-8859-6": lambda t: t.encode("iso8859_6"),
}
FORMATS = {  # extension -> (file text for (title, body), expected origin suffix)
    ".txt": lambda title, body: f"{title}\n\n{body}\n",
    ".jsonl": lambda title, body: json.dumps({"title": title, "body": body}, ensure_ascii=False) + "\n",
    ".json": lambda title, body: json.dumps([{"title": title, "body": body}], ensure_ascii=False, indent=1),
    ".sgml": lambda title, body: f"<DOC id=\"X_ARB_20150721.1\">\n<HEADLINE>{title}</HEADLINE>\n"
                                 f"<TEXT>\n<P>{body}</P>\n</TEXT>\n</DOC>\n",
}


def read(paths, **kw) -> tuple[list[SourceDocument], list[Problem]]:
    problems: list[Problem] = []
    docs = list(iter_documents([str(p) for p in paths], problems.append, **kw))
    return docs, problems


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("body", [STORY, MIXED, SHORT], ids=["story", "mixed", "short"])
def test_exact_round_trip(tmp_path, encoding, ext, body):
    path = tmp_path / f"doc{ext}"
    path.write_bytes(ENCODINGS[encoding](FORMATS[ext](TITLE, body)))
    docs, problems = read([path])
    assert problems == []
    assert [(d.title, d.body) for d in docs] == [(TITLE, body)]


@pytest.mark.parametrize("encoding, expected", [
    ("cp1256", "cp1256"), ("iso8859_6", "iso8859_6"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
    ("utf-16", "utf-16"), ("utf-32", "utf-32"),
])
def test_detected_encoding_names(encoding, expected):
    assert decode(STORY.encode(encoding)) == (STORY, expected)


def test_western_legacy_text_falls_back_to_charset_normalizer(tmp_path):
    french = "Le président a déclaré que la délégation arrivera à Genève mardi prochain. " * 4
    (tmp_path / "fr.txt").write_bytes(french.encode("latin-1"))
    (tmp_path / "fr2.txt").write_bytes(("L’État a déclaré « très bientôt » à Genève, où l’été est chaud. " * 6)
                                       .encode("cp1252"))
    docs, problems = read([tmp_path])
    assert problems == []
    assert docs[0].body == french.strip()
    assert docs[1].body.startswith("L’État a déclaré « très bientôt » à Genève")


def test_random_bytes_are_binary(tmp_path):
    rng = random.Random(1256)
    (tmp_path / "a.txt").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (tmp_path / "b.txt").write_bytes(bytes(rng.randrange(1, 256) for _ in range(4096)))  # no NUL
    (tmp_path / "c.bin").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (tmp_path / "d.json").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    docs, problems = read([tmp_path])
    assert docs == []
    assert [(Path(p.path).name, p.line, p.kind) for p in problems] == [
        ("a.txt", None, "binary"), ("b.txt", None, "binary"), ("c.bin", None, "binary"), ("d.json", None, "binary")]
    assert "NUL" in problems[0].reason and "control bytes" in problems[1].reason


def test_high_bytes_that_fit_no_encoding_are_undecodable(tmp_path):
    rng = random.Random(6)
    (tmp_path / "a.txt").write_bytes(bytes(rng.randrange(128, 256) for _ in range(4096)))
    docs, problems = read([tmp_path])
    assert docs == []
    assert [(p.line, p.kind) for p in problems] == [(None, "undecodable")]


def test_utf16_without_bom_is_refused_not_guessed(tmp_path):
    (tmp_path / "a.txt").write_bytes(STORY.encode("utf-16-le"))
    docs, problems = read([tmp_path])
    assert docs == [] and [p.kind for p in problems] == ["binary"]


def test_damaged_utf8_is_reported_with_its_line_not_read_as_cp1256(tmp_path):
    data = STORY.encode() + b"\n" + STORY.encode()[:-2] + b"\n" + STORY.encode()  # cut inside a letter
    (tmp_path / "a.txt").write_bytes(data)
    docs, problems = read([tmp_path])
    assert docs == []
    assert [(p.line, p.kind) for p in problems] == [(2, "undecodable")]
    assert "invalid UTF-8 byte 0xd9" in problems[0].reason


def test_truncated_utf16_is_undecodable(tmp_path):
    (tmp_path / "a.txt").write_bytes(STORY.encode("utf-16")[:-1])
    docs, problems = read([tmp_path])
    assert docs == [] and [p.kind for p in problems] == ["undecodable"]


def test_one_undecodable_jsonl_line_is_skipped_the_rest_kept(tmp_path):
    lines = [json.dumps({"body": f"{STORY} {i}"}, ensure_ascii=False).encode() for i in range(5)]
    lines[2] = json.dumps({"body": STORY}, ensure_ascii=False).encode("utf-8").replace(
        STORY[:5].encode(), STORY[:5].encode("cp1256"))
    (tmp_path / "a.jsonl").write_bytes(b"\n".join(lines))
    docs, problems = read([tmp_path])
    assert [d.origin.rsplit(":", 1)[1] for d in docs] == ["1", "2", "4", "5"]
    assert [(p.line, p.kind) for p in problems] == [(3, "undecodable")]


def test_invalid_utf8_inside_a_json_array_keeps_earlier_records(tmp_path):
    records = [json.dumps({"body": f"{STORY} {i}"}, ensure_ascii=False).encode() for i in range(4)]
    records[2] = records[2].replace(STORY[:5].encode(), STORY[:5].encode("cp1256"))
    (tmp_path / "a.json").write_bytes(b"[\n" + b",\n".join(records) + b"\n]\n")
    docs, problems = read([tmp_path])
    assert len(docs) == 2
    assert [(p.line, p.kind) for p in problems] == [(4, "undecodable")]


def sgml_docs(count: int) -> str:
    return "".join(f"<DOC id=\"A_ARB_20150721.{i}\">\n<TEXT>\n{STORY} {i}\n</TEXT>\n</DOC>\n"
                   for i in range(1, count + 1))


@pytest.mark.parametrize("encoding, bad_byte", [("utf-8", b"\xd9"), ("iso8859_6", b"\xff")])
def test_a_bad_byte_in_an_sgml_stream_drops_only_its_document(tmp_path, encoding, bad_byte):
    lines = sgml_docs(3).encode(encoding).split(b"\n")
    lines[7] += bad_byte  # line 8: the text of the second <DOC>, which starts on line 6
    (tmp_path / "a.sgml").write_bytes(b"\n".join(lines))
    docs, problems = read([tmp_path])
    assert [d.id for d in docs] == ["A_ARB_20150721.1", "A_ARB_20150721.3"]
    assert [(p.line, p.kind) for p in problems] == [(8, "undecodable")]
    assert "<DOC> from line 6 skipped" in problems[0].reason


def test_iso_8859_6_with_an_undefined_byte_is_not_read_as_cp1256(tmp_path):
    (tmp_path / "a.txt").write_bytes(f"{STORY}\n{STORY}".encode("iso8859_6") + b"\xff")
    docs, problems = read([tmp_path])
    assert docs == []
    assert [(p.line, p.kind) for p in problems] == [(2, "undecodable")]
    assert problems[0].reason.startswith("invalid ISO-8859-6 byte 0xff")


def test_decode_error_carries_kind_and_line():
    with pytest.raises(DecodeError) as info:
        decode(b"\x00\x01binary")
    assert info.value.kind == "binary"
