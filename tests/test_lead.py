"""The lead field: an article that names the query words in its headline or first lines
ranks above one that names them only further down (search/lead.py, Ranking.lead)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from search.lead import LEAD_CHARS, lead_text

FILLER = " ".join(["وتناول الاجتماع عددا من الموضوعات ذات الاهتمام المشترك بين البلدين"] * 12)


def test_the_lead_is_the_headline_and_the_first_lines_cut_after_a_word():
    body = "كلمة " * 100
    lead = lead_text("العنوان", body)
    title, first = lead.split("\n")
    assert title == "العنوان" and len(first) <= LEAD_CHARS and first.endswith("كلمة")
    assert lead_text(None, "قصير") == "قصير" and lead_text("", "") == ""
    assert lead_text("عنوان", "x" * (LEAD_CHARS + 50)) == "عنوان\n" + "x" * LEAD_CHARS  # no space: a hard cut


def test_the_planner_adds_one_lead_term_per_query_word():
    from search.query.parser import parse
    from search.query.plan import Rank, Term, lower_query
    from search.query.ranking import RANKING

    clause = lower_query(parse('المنامة "ميناء خليفة"').tree, RANKING)
    assert isinstance(clause, Rank)
    lead = [b for b in clause.bonus if isinstance(b, Term) and b.field == "lead_plus"]
    assert [t.term for t in lead] == ["منام", "ميناء", "خليف"] and all(t.boost == RANKING.lead for t in lead)
    # Nothing to rank by for an empty query or a pure filter.
    assert not isinstance(lower_query(parse("").tree, RANKING), Rank)


def _index(tmp_path, early_first: bool):
    from indexer.cli import main

    word = "المنامة"
    late = {"id": "late", "title": "خبر محلي", "content": f"{FILLER} {word} ختام", "date": "2015-07-21", "source": "okaz"}
    early = {"id": "early", "title": "خبر محلي", "content": f"{word} ختام {FILLER}", "date": "2015-07-21", "source": "okaz"}
    rows = [early, late] if early_first else [late, early]
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out = CliRunner().invoke(main, ["reindex", str(src), "--index", str(tmp_path / "idx"), "--workers", "0", "-q"])
    assert out.exit_code == 0, out.output
    return tmp_path / "idx"


@pytest.mark.parametrize("early_first", [False, True])
def test_an_article_naming_the_word_in_its_first_lines_ranks_first(tmp_path, early_first):
    # Same words, same length, same count: only where the word stands differs (one story:
    # every version listed), and the
    # indexing order is tried both ways so that a tie cannot pass for the lead bonus.
    from app import create_app

    c = create_app({"SEARCH_INDEX": str(_index(tmp_path, early_first)), "TESTING": True,
                    "SECRET_KEY": "t"}).test_client()
    hits = c.get("/api/search", query_string={"q": "المنامة", "versions": "all"}).get_json()["hits"]
    assert [h["id"] for h in hits] == ["early", "late"]
    assert hits[0]["score"] > hits[1]["score"]


def test_the_build_fingerprint_covers_the_lead():
    # `indexer reindex --if-changed` must rebuild when what the lead holds changes.
    import os

    import search.lead
    from indexer.fingerprint import PIPELINE_PATHS, ROOT, _files

    covered = {os.path.abspath(f) for p in PIPELINE_PATHS for f in _files(str(ROOT / p))}
    assert os.path.abspath(search.lead.__file__) in covered
