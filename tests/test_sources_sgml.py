"""TREC / LDC Gigaword SGML sources."""
from __future__ import annotations

import gzip
from pathlib import Path

from indexer.sources import Problem, SourceDocument, iter_documents

GIGAWORD = """<DOC id="AFP_ARB_20000101.0001" type="story" >
<HEADLINE>
الأمم المتحدة &amp; الأزمة
</HEADLINE>
<DATELINE>
بيروت 1-1 (اف ب) -
</DATELINE>
<TEXT>
<P>
أعلنت الأمم المتحدة اليوم أن
المفاوضات ستستأنف الأسبوع المقبل &lt;بحسب&gt; مصادر مطلعة.
</P>
<P>
وقال المتحدث <B>باسم</B> المنظمة إن &quot;الوفود&quot; وصلت.
</P>
</TEXT>
</DOC>
<DOC id="XIN_ARB_20000102.0007" type="multi" >
<HEADLINE>خبر ثان</HEADLINE>
<TEXT>
<P>وصلت قافلة المساعدات الإنسانية إلى المدينة بعد أسابيع من الحصار.</P>
</TEXT>
</DOC>
"""

TREC = """<DOC>
<DOCNO> 19940513_AFP_ARB.0001 </DOCNO>
<HEADER>
<DATE> 1994-05-13 </DATE>
</HEADER>
<BODY>
<HEADLINE> عنوان الخبر </HEADLINE>
<TEXT>
السطر الأول من الفقرة الأولى
والسطر الثاني منها.

الفقرة الثانية.
</TEXT>
</BODY>
</DOC>
"""


def read(paths, **kw) -> tuple[list[SourceDocument], list[Problem]]:
    problems: list[Problem] = []
    docs = list(iter_documents([str(p) for p in paths], problems.append, **kw))
    return docs, problems


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_gigaword_documents(tmp_path):
    path = write(tmp_path / "afp_arb_200001.sgml", GIGAWORD)
    docs, problems = read([path])
    assert problems == []
    first, second = docs
    assert first == SourceDocument(
        id="AFP_ARB_20000101.0001", title="الأمم المتحدة & الأزمة",
        body=("بيروت 1-1 (اف ب) -\n\n"
              "أعلنت الأمم المتحدة اليوم أن المفاوضات ستستأنف الأسبوع المقبل <بحسب> مصادر مطلعة.\n\n"
              'وقال المتحدث باسم المنظمة إن "الوفود" وصلت.'),
        date="2000-01-01", source="afp", url=None, author=None, origin=f"{path}:1")
    assert (second.id, second.date, second.source, second.origin) == (
        "XIN_ARB_20000102.0007", "2000-01-02", "xin", f"{path}:18")


def test_trec_documents_without_paragraph_tags(tmp_path):
    docs, problems = read([write(tmp_path / "a.sgm", TREC)])
    assert problems == []
    assert (docs[0].id, docs[0].title, docs[0].date, docs[0].source) == (
        "19940513_AFP_ARB.0001", "عنوان الخبر", "1994-05-13", "afp")
    assert docs[0].body == "السطر الأول من الفقرة الأولى والسطر الثاني منها.\n\nالفقرة الثانية."


def test_sgml_recognised_by_content_gzip_and_xml(tmp_path):
    (tmp_path / "afp_arb_200001.gz").write_bytes(gzip.compress(GIGAWORD.encode()))  # LDC layout
    write(tmp_path / "noext", "\n  " + TREC)
    write(tmp_path / "c.xml", '<?xml version="1.0"?>\n<DOCSTREAM>\n' + GIGAWORD.replace("AFP", "NHR").replace(
        "XIN", "HYT").replace("المتحدة", "المتحدة.") + "</DOCSTREAM>\n")
    write(tmp_path / "d.xml", '<?xml version="1.0"?><rss><item>x</item></rss>')
    docs, problems = read([tmp_path])
    assert [d.id for d in docs] == ["AFP_ARB_20000101.0001", "XIN_ARB_20000102.0007", "NHR_ARB_20000101.0001",
                                    "19940513_AFP_ARB.0001"]
    assert [(p.path, p.kind) for p in problems] == [
        (f"{tmp_path}/c.xml", "duplicate"),  # same text as XIN_ARB_20000102.0007
        (f"{tmp_path}/d.xml", "unsupported")]
    assert docs[0].origin == f"{tmp_path}/afp_arb_200001.gz:1"


def test_documents_without_id_get_positional_ids(tmp_path):
    text = "<DOC><TEXT>نص أول</TEXT></DOC><DOC><TEXT>نص ثان</TEXT></DOC>\n<DOC>\n<TEXT>نص ثالث</TEXT>\n</DOC>\n"
    docs, problems = read([write(tmp_path / "a.sgml", text)])
    assert problems == []
    assert [(d.id, d.body, d.origin) for d in docs] == [
        ("a.sgml:0", "نص أول", f"{tmp_path}/a.sgml:1"), ("a.sgml:1", "نص ثان", f"{tmp_path}/a.sgml:1"),
        ("a.sgml:2", "نص ثالث", f"{tmp_path}/a.sgml:2")]


def test_sgml_problems(tmp_path):
    text = ("<DOC id='A_ARB_20000101.1'>\n<TEXT>\n<P>نص أول</P>\n</TEXT>\n</DOC>\n"      # 1: fine
            "<DOC id='A_ARB_20000101.2'>\n<HEADLINE>بلا نص</HEADLINE>\n</DOC>\n"         # 6: no body
            "</DOC>\n"                                                                   # 9: stray
            "<DOC id='A_ARB_20000101.3'>\n<TEXT>نص مقطوع\n"                               # 10: not closed
            "<DOC id='A_ARB_20000101.4'>\n<TEXT>نص رابع</TEXT>\n</DOC>\n"                 # 12: fine
            "<DOC id='A_ARB_20000101.5'>\n<TEXT>نص لا ينتهي\n")                          # 15: truncated
    docs, problems = read([write(tmp_path / "a.sgml", text)])
    assert [d.id for d in docs] == ["A_ARB_20000101.1", "A_ARB_20000101.4"]
    assert [(p.line, p.kind) for p in problems] == [
        (6, "missing_body"), (9, "malformed_sgml"), (10, "malformed_sgml"), (15, "malformed_sgml")]
    assert str(problems[3]) == f"{tmp_path}/a.sgml:15: truncated: <DOC> is never closed"


def test_sgml_file_without_documents(tmp_path):
    docs, problems = read([write(tmp_path / "a.sgml", "<HTML>لا شيء هنا</HTML>\n")])
    assert docs == []
    assert [(p.line, p.kind) for p in problems] == [(None, "malformed_sgml")]
