"""HTML character references and stray markup are cleaned at ingestion, in every format."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.extract import extract_facets
from indexer.sources import iter_documents
from indexer.sources.markup import decode_refs, reader_text, strip_tags

# As scraped (SaudiNewsNet titles carry &quot; and &#8220; / &#8221;).
TITLE = "&quot;داعش&quot; يتبنى &#8220;هجوم&#8221; الكويت &amp;&#39;ردود&#39;"
TITLE_SEEN = "\"داعش\" يتبنى “هجوم” الكويت &'ردود'"
BODY = ("أرسلت بريطانيا 500 جندي <strong>إلى العراق</strong>.<br>وقالت &quot;الوزارة&quot; إن "
        "النسبة x < 5 و y > 3 وإن <<الوفد>> وصل.<p>شركة AT&T و S&P500 &amp;amp;quot;عاديتان&amp;amp;quot;.</p>")
BODY_SEEN = ("أرسلت بريطانيا 500 جندي إلى العراق.\nوقالت \"الوزارة\" إن "
             "النسبة x < 5 و y > 3 وإن <<الوفد>> وصل.\nشركة AT&T و S&P500 \"عاديتان\".")


def read(path: Path):
    problems = []
    docs = list(iter_documents([str(path)], problems.append))
    assert problems == []
    return docs


def test_reader_text_units():
    assert decode_refs("&quot;x&quot; &#8220;y&#8221; &#x27;z&#x27;") == "\"x\" “y” 'z'"
    assert decode_refs("AT&T &para S&P500 a&b") == "AT&T &para S&P500 a&b"      # no ";": kept
    assert strip_tags("a<br/>b<B>c</B><span class=\"x\">d</span>") == "a\nbcd"
    assert strip_tags("x < 5 و y > 3، a<b and c>d، <<نص>>") == "x < 5 و y > 3، a<b and c>d، <<نص>>"
    assert strip_tags("a<!-- note -->b<script>alert(1)</script>c") == "abc"
    assert reader_text("&lt;b&gt; مكتوبة") == "<b> مكتوبة"     # escaped markup is text
    assert reader_text(None) is None and reader_text("") == ""


def _jsonl(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"title": TITLE, "body": BODY, "author": "&quot;مراسل&quot;"},
                               ensure_ascii=False) + "\n", "utf-8")
    return path


def _json(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"title": TITLE, "content": BODY}], ensure_ascii=False), "utf-8")
    return path


def _sgml(tmp_path):
    path = tmp_path / "a.sgml"
    body = BODY.replace("<p>", "\n\n").replace("</p>", "")
    path.write_text(f'<DOC id="X_ARB_20150721.0001">\n<HEADLINE>{TITLE}</HEADLINE>\n<TEXT>\n{body}\n</TEXT>\n</DOC>\n',
                    "utf-8")
    return path


def _text(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(f"{TITLE}\n\n{BODY}", "utf-8")
    return path


@pytest.mark.parametrize("make", [_jsonl, _json, _sgml, _text])
def test_every_format_stores_the_text_readers_see(tmp_path, make):
    (doc,) = read(make(tmp_path))
    assert doc.title == TITLE_SEEN
    assert "&quot;" not in doc.body and "<strong>" not in doc.body and "quot" not in doc.body
    assert " ".join(doc.body.split()) == " ".join(BODY_SEEN.split())
    # the evidence offsets point into the stored text
    ex = extract_facets(doc.body)
    (troop,) = ex.troops
    assert doc.body[troop.start:troop.end] == troop.text == "500 جندي"
    assert all(doc.body[m.start:m.end] == m.text for c in ex.countries for m in c.mentions)
