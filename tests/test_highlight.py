from search.highlight import Highlighter, Span, highlight_all, markup, snippet
from search.query import parse


def test_markup_escapes_everything_but_marks():
    text = '<script>alert(1)</script> داعش & "x"'
    start = text.index("داعش")
    html = highlight_all(text, [(start, start + 4)])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>داعش</mark>" in html and "&amp;" in html


def test_overlapping_spans_nest_per_segment():
    html = markup("abcdef", [Span(0, 4), Span(2, 6, "<b>", "</b>")])
    assert html == "<mark>ab</mark><mark><b>cd</b></mark><b>ef</b>"


def test_spans_point_at_original_words():
    text = 'قال إن "داعش" سيطر على الموصل، وإن داعش يتراجع.'
    spans = Highlighter(parse("داعش").tree).spans(text)
    assert [text[s:e] for s, e in spans] == ["داعش", "داعش"]


def test_negated_words_are_not_highlighted():
    text = "داعش في سوريا"
    spans = Highlighter(parse("داعش -سوريا").tree).spans(text)
    assert [text[s:e] for s, e in spans] == ["داعش"]


def test_snippet_picks_the_window_with_matches():
    text = "كلام " * 200 + "هنا داعش والعراق " + "كلام " * 200
    hl = Highlighter(parse("داعش").tree)
    out = snippet(text, hl.spans(text), max_chars=120)
    assert "<mark>داعش</mark>" in out and out.startswith("… ") and out.endswith(" …")
    assert len(out) < 200


def test_snippet_never_cuts_through_a_match():
    text = "كلام " * 60 + "داعش " + "كلام " * 10 + "ضد داعش" + "وكلام" * 100
    spans = Highlighter(parse("داعش").tree).spans(text)
    for width in range(60, 200, 7):
        out = snippet(text, spans, max_chars=width)
        assert out.count("<mark>") == out.count("</mark>")
        assert "<mark>دا</mark>" not in out and "<mark>داع</mark>" not in out
