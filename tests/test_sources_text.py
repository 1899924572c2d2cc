"""Plain-text sources: the seed format, title heuristic, directory walking, ids."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from indexer.sources import Problem, SourceDocument, iter_documents
from indexer.sources.text import split_title

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ID_CHARS = re.compile(r"[A-Za-z0-9._~:-]+")

STORY = ("أعلنت وزارة الخارجية اليوم عن بدء جولة جديدة من المفاوضات في العاصمة، "
         "وقال المتحدث الرسمي إن الوفد سيصل يوم الثلاثاء المقبل.")
STORY2 = "وصلت قافلة المساعدات الإنسانية إلى المدينة بعد أسابيع من الحصار، ووزعت الغذاء والدواء على السكان."
HEADLINE = "وصول قافلة مساعدات إلى المدينة المحاصرة"


def read(paths, **kw) -> tuple[list[SourceDocument], list[Problem]]:
    problems: list[Problem] = []
    docs = list(iter_documents([str(p) for p in paths], problems.append, **kw))
    return docs, problems


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_seeds_load_as_five_untitled_documents_with_stable_ids():
    docs, problems = read([SEEDS])
    assert problems == []
    assert [d.id for d in docs] == [p.stem for p in sorted(SEEDS.glob("*.txt"))]
    assert len(docs) == 5
    for doc, path in zip(docs, sorted(SEEDS.glob("*.txt"))):
        assert doc.title is None
        assert doc.body == path.read_text("utf-8").strip()
        assert doc.origin == str(path)
        assert (doc.date, doc.source, doc.url, doc.author) == (None, None, None, None)
    again, _ = read([SEEDS])
    assert again == docs


def test_a_seed_given_as_a_file_gets_the_same_id():
    path = sorted(SEEDS.glob("*.txt"))[0]
    docs, _ = read([path])
    assert docs[0].id == path.stem


@pytest.mark.parametrize("text, title, body", [
    (f"{HEADLINE}\n\n{STORY2}", HEADLINE, STORY2),
    (f"\n\n  {HEADLINE}  \r\n\r\n{STORY2}\r\n", HEADLINE, STORY2),  # blank lines, CRLF, spaces
    (f"{HEADLINE}\n{STORY2}", None, f"{HEADLINE}\n{STORY2}"),  # one newline: just a paragraph
    (f"{STORY}\n\n{STORY2}", None, f"{STORY}\n\n{STORY2}"),    # a sentence, not a title
    (f"{HEADLINE}:\n\n{STORY2}", None, f"{HEADLINE}:\n\n{STORY2}"),
    (f"{HEADLINE}؟\n\n{STORY2}", None, f"{HEADLINE}؟\n\n{STORY2}"),
    (f"«{HEADLINE}»\n\n{STORY2}", f"«{HEADLINE}»", STORY2),
    (f"{'كلمة ' * 40}\n\n{STORY2}", None, f"{'كلمة ' * 39}كلمة\n\n{STORY2}"),  # > 150 chars
    (HEADLINE, None, HEADLINE),  # nothing after it
])
def test_title_heuristic(tmp_path, text, title, body):
    docs, problems = read([write(tmp_path / "a.txt", text)])
    assert problems == []
    assert (docs[0].title, docs[0].body) == (title, body)


def test_split_title_keeps_paragraphs():
    assert split_title(f"{HEADLINE}\n\n{STORY}\n\n{STORY2}") == (HEADLINE, f"{STORY}\n\n{STORY2}")


def test_body_whitespace_is_tidied_but_paragraphs_kept(tmp_path):
    docs, _ = read([write(tmp_path / "a.txt", f"  {STORY}  \r\n\r\n\r\n\r\n\t{STORY2}\n\n\n")])
    assert docs[0].body == f"{STORY}\n\n{STORY2}"


def test_directories_are_walked_recursively_in_sorted_order_skipping_hidden(tmp_path):
    write(tmp_path / "b.txt", STORY)
    write(tmp_path / "a" / "z.txt", STORY2)
    write(tmp_path / "a" / "b" / "c.txt", HEADLINE + " ١")
    write(tmp_path / ".hidden.txt", "مخفي 1")
    write(tmp_path / ".git" / "x.txt", "مخفي 2")
    write(tmp_path / "a" / ".DS_Store", "مخفي 3")
    write(tmp_path / "NOTES", HEADLINE + " ٢")  # no extension: text if it decodes
    docs, problems = read([tmp_path])
    assert problems == []
    assert [d.id for d in docs] == ["NOTES", "a~b~c", "a~z", "b"]
    assert docs[1].origin == str(tmp_path / "a" / "b" / "c.txt")


def test_several_roots_and_ids_relative_to_each(tmp_path):
    write(tmp_path / "one" / "x" / "a.txt", STORY)
    write(tmp_path / "two" / "b.txt", STORY2)
    docs, _ = read([tmp_path / "one", tmp_path / "two" / "b.txt"])
    assert [d.id for d in docs] == ["x~a", "b"]


def test_ids_are_url_safe_and_distinct_for_arabic_names(tmp_path):
    write(tmp_path / "أخبار" / "خبر 1.txt", STORY)
    write(tmp_path / "تقارير" / "خبر 1.txt", STORY2)
    write(tmp_path / "a~b.txt", HEADLINE)
    docs, problems = read([tmp_path])
    assert problems == []
    ids = [d.id for d in docs]
    assert all(ID_CHARS.fullmatch(i) for i in ids)
    assert len(set(ids)) == 3
    assert ids[0] == "a_b-" + ids[0].split("-")[-1]  # "~" in a name is not a separator
    assert ids == [d.id for d in read([tmp_path])[0]]  # the same on every run


def test_gzipped_text_file(tmp_path):
    (tmp_path / "story.txt.gz").write_bytes(gzip.compress(f"{HEADLINE}\n\n{STORY}".encode()))
    docs, problems = read([tmp_path])
    assert problems == []
    assert (docs[0].id, docs[0].title, docs[0].body) == ("story", HEADLINE, STORY)
    assert docs[0].origin == str(tmp_path / "story.txt.gz")


def test_a_single_path_string_is_accepted(tmp_path):
    path = write(tmp_path / "a.txt", STORY)
    problems = []
    assert [d.body for d in iter_documents(str(path), problems.append)] == [STORY]


def test_iter_documents_is_lazy(tmp_path):
    for i in range(3):
        write(tmp_path / f"{i}.txt", f"{STORY} {i}")
    problems = []
    it = iter_documents([str(tmp_path)], problems.append)
    assert next(it).id == "0"
    (tmp_path / "1.txt").unlink()  # not read yet
    assert [d.id for d in it] == ["2"]
    assert [(p.path, p.kind) for p in problems] == [(str(tmp_path / "1.txt"), "not_found")]
