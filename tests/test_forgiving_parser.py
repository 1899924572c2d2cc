"""Forgiving parsing (issue 10): operators, noise, quotes, stopwords, fields, Latin names, spelling.

Parse-level and plan-level checks; the same queries through the real app and index are in
test_forgiving_web.py, and both engines' compilers see the trees in test_contract.py and
test_es_query.py.
"""
from __future__ import annotations

import pytest

from search.query import And, Filter, MatchNone, Not, Or, Phrase, Word, parse
from search.query.names import country_code, dictionary, expand, latin_key
from search.query.noise import tidy
from search.query.plan import All, Nothing, lower_query
from search.query.suggest import apply, best_correction, candidates, corrections
from search.query.tree import to_text

D, M, S = Word("داعش"), Word("الموصل"), Word("سوريا")


@pytest.mark.parametrize("q", ["داعش AND الموصل", "داعش and الموصل", "داعش && الموصل", "داعش & الموصل",
                               "داعش، الموصل", "داعش ; الموصل", "AND داعش الموصل AND"])
def test_and_as_people_write_it(q):
    p = parse(q)
    assert p.tree == And((D, M)) and not p.notices


@pytest.mark.parametrize("q", ["داعش NOT سوريا", "داعش not سوريا", "داعش -سوريا"])
def test_not_as_people_write_it(q):
    assert parse(q).tree == And((D, Not(S)))


@pytest.mark.parametrize("q", ["داعش OR الدولة", "داعش or الدولة", "داعش || الدولة", "داعش | الدولة"])
def test_or_as_people_write_it(q):
    p = parse(q)
    assert p.tree == Or((D, Word("الدولة"))) and not p.notices


@pytest.mark.parametrize("word", ["او", "أو"])
def test_arabic_or_between_terms_reads_as_or_and_offers_the_literal_phrase(word):
    p = parse(f"داعش {word} الدولة الموصل")
    assert p.tree == Or((D, And((Word("الدولة"), M))))  # like "a OR b c": OR binds loosest
    assert len(p.notices) == 1 and "OR" in p.notices[0] and word in p.notices[0]
    assert p.alternatives == [(f'"داعش {word} الدولة"', f'"داعش {word} الدولة" الموصل')]
    assert parse(p.alternatives[0][1]).tree == And((Phrase(f"داعش {word} الدولة"), M))
    assert parse(f"داعش {word} الدولة").tree == Or((D, Word("الدولة")))
    # Not between two terms: a stopword like any other, nothing said.
    assert parse(f"{word} داعش").tree == And((Word(word), D)) and not parse(f"{word} داعش").notices


@pytest.mark.parametrize("q", ["«الدولة الإسلامية»", "“الدولة الإسلامية”", "„الدولة الإسلامية“", '"الدولة الإسلامية"'])
def test_typographic_quotes_are_phrase_quotes(q):
    assert parse(q).tree == Phrase("الدولة الإسلامية")


@pytest.mark.parametrize("q", ["🔥 داعش", "داعش 👍🏽", "#داعش", "دا\u200cعش", "دا\u200dعش", "دا\u200fعش", "\u200eداعش",
                               "داعـــش", "داعش!!!", "؟داعش؟", "داعش.", "🇸🇦داعش"])
def test_harmless_noise_is_removed_silently(q):
    p = parse(q)
    assert lower_query(p.tree) == lower_query(D) and not p.notices, (q, p)


@pytest.mark.parametrize("q,notice", [("داعش^5", "^"), ("داعش^", "^"), ("داعش~", "~"), ("داعش~2", "~"),
                                      ("@ISIS_news داعش", "@ISIS_news")])
def test_meaningful_noise_is_removed_with_a_notice(q, notice):
    p = parse(q)
    assert p.tree == D and len(p.notices) == 1 and notice in p.notices[0]


def test_hashtags_digits_and_separators():
    assert parse("#داعش_الإرهابي").tree == And((D, Word("الإرهابي")))
    assert parse("داعش2014").tree == And((D, Word("2014")))
    assert parse("١٠٠٠جندي").tree == And((Word("١٠٠٠"), Word("جندي")))
    assert parse("F16").tree == Word("F16")  # Latin model names stay whole
    assert parse("1,200 جندي").tree == And((Word("1,200"), Word("جندي")))
    assert tidy('"الجيش العراقي"~3')[0] == '"الجيش العراقي"'


def test_unclosed_quote_keeps_a_words_fallback():
    p = parse('"داعش الموصل')
    assert p.tree == Phrase("داعش الموصل") and p.notices
    assert p.words_fallback == And((D, M))
    p = parse('سوريا "داعش الموصل')
    assert p.words_fallback == And((S, D, M))
    assert parse('"داعش الموصل"').words_fallback is None
    assert parse('"داعش').words_fallback is None  # one word: the phrase is the word


@pytest.mark.parametrize("q", ['""', "!!!", "...", "🔥", "OR", '" "', "-"])
def test_nothing_searchable_matches_nothing_with_a_notice(q):
    p = parse(q)
    assert p.tree == MatchNone() and p.notices, q
    assert lower_query(p.tree) == Nothing()


def test_empty_query_still_browses_everything():
    p = parse("")
    assert lower_query(p.tree) == All() and not p.notices


@pytest.mark.parametrize("q,tree", [("في", Phrase("في")), ("من هو", Phrase("من هو")),
                                    ("في OR من", Or((Phrase("في"), Phrase("من")))),
                                    ("title:في", Phrase("في", ("title",)))])
def test_stopword_only_queries_search_the_words_as_written(q, tree):
    p = parse(q)
    assert p.tree == tree and len(p.notices) == 1
    assert lower_query(p.tree) != All()
    # A stopword among other words is still ignored, silently.
    assert parse(f"داعش {q}").notices == [] or q == "title:في"


def test_unknown_fields_are_searched_as_words():
    p = parse("foo:داعش")
    assert p.tree == And((Word("foo"), D)) and "foo" in p.notices[0]
    assert parse('author:"داعش الموصل"').tree == And((Word("author"), Phrase("داعش الموصل")))
    # Arabic text around a colon is just text.
    assert not parse("قال:داعش").notices


@pytest.mark.parametrize("value,code", [("iq", "IQ"), ("IQ", "IQ"), ("العراق", "IQ"), ("Iraq", "IQ"),
                                        ("Irak", "IQ"), ("سوريا", "SY"), ("Syrie", "SY"), ("yemen", "YE")])
def test_country_filter_in_the_query_takes_codes_and_names(value, code):
    p = parse(f"country:{value} داعش")
    assert p.tree == And((Filter("country", code), D)) and not p.notices


def test_unknown_country_in_the_query_gets_the_url_parameters_message():
    p = parse("country:ZZ داعش")
    assert p.tree == D
    assert p.notices[0].startswith("رمز دولة غير معروف: ZZ (استخدم رموز ISO مثل IQ أو SY)")
    assert country_code("ZZ") is None and country_code("Atlantis") is None


# ---- Latin names -----------------------------------------------------------------------------

@pytest.mark.parametrize("latin,arabic", [
    ("Mosul", "الموصل"), ("MOSUL", "الموصل"), ("al-Mosul", "الموصل"), ("Mossoul", "الموصل"),
    ("Raqqa", "الرقة"), ("Raqa", "الرقة"), ("Rakka", "الرقة"), ("ar-Raqqah", "الرقة"), ("Aleppo", "حلب"),
    ("Sanaa", "صنعاء"), ("Sana'a", "صنعاء"), ("Aden", "عدن"), ("Baghdad", "بغداد"), ("Yemen", "اليمن"),
    ("Yémen", "اليمن"), ("Iran", "إيران"), ("Houthis", "الحوثيين"), ("ISIS", "داعش"), ("ISIL", "داعش"),
    ("Daesh", "داعش"), ("Hezbollah", "حزب الله"), ("Peshmerga", "البشمركة"), ("Irak", "العراق"),
    ("Deir ez-Zor", "دير الزور"), ("Islamic State", "داعش"), ("Saudi Arabia", "السعودية"),
])
def test_latin_names_expand_to_their_arabic_forms(latin, arabic):
    tree, found = expand(parse(latin).tree)
    assert [e.latin for e in found] == [latin] and arabic in found[0].arabic
    assert isinstance(tree, Or) and Word(arabic) in tree.children


def test_every_cldr_country_is_in_the_dictionary():
    from babel import Locale

    d = dictionary()
    for code in ("IQ", "SY", "YE", "LY", "EG", "LB", "JO", "TR", "SA", "KW", "QA", "BH", "AE", "OM", "FR", "BR", "JP"):
        for locale in ("en", "fr"):
            name = Locale(locale).territories[code]
            forms = d[latin_key(name)]  # the CLDR Arabic name, or a shorter form it contains
            assert any(f in Locale("ar").territories[code] for f in forms), (code, name, forms)


def test_expansion_keeps_structure_and_leaves_arabic_alone():
    tree, found = expand(parse("داعش Mosul -Raqqa").tree)
    assert tree == And((D, Or((Word("Mosul"), M)), Not(Or((Word("Raqqa"), Word("الرقة"))))))
    assert [e.latin for e in found] == ["Mosul", "Raqqa"]
    assert expand(parse("داعش الموصل").tree) == (parse("داعش الموصل").tree, [])
    for common in ("is", "the", "and", "Hit", "x" * 500):
        assert expand(parse(common).tree)[1] == []


def test_names_data_files_are_consistent():
    import json
    from importlib import resources

    orgs = {e["name"] for e in json.loads(resources.files("indexer.extract").joinpath("data/orgs.json").read_text())["entities"]}
    latin = json.loads(resources.files("indexer.extract").joinpath("data/orgs_latin.json").read_text())
    assert set(latin) - {"_about"} <= orgs
    places = json.loads(resources.files("search.query").joinpath("data/places.json").read_text())["places"]
    assert len(places) >= 150 and all(p["arabic"] and p["latin"] for p in places)
    assert {p["country"] for p in places} >= {"IQ", "SY", "YE", "SA", "LY", "EG", "LB", "JO", "TR"}


# ---- did you mean ----------------------------------------------------------------------------

DF = {"الموصل": 3000, "داعش": 1700, "بغداد": 400, "بعدد": 300, "المسلحين": 900, "الرياض": 2000,
      "الموصلي": 40, "التحالف": 800, "الجيش": 2500, "الحوثيين": 500, "الحوثين": 18}


@pytest.mark.parametrize("typed,meant", [
    ("الموصلل", "الموصل"),  # doubled letter
    ("الموصال", "الموصل"),  # extra alef
    ("بغدد", "بغداد"),  # missing alef
    ("المسلحبن", "المسلحين"),  # dot confusion ي/ب
    ("الرياص", "الرياض"),  # dots ص/ض
    ("التحالق", "التحالف"),  # dots ف/ق
    ("داعشش", "داعش"),
    ("الجيس", "الجيش"),
])
def test_arabic_aware_corrections(typed, meant):
    assert best_correction(typed, lambda t: DF.get(t, 0)) == meant


def test_frequent_words_and_real_rare_words_are_left_alone():
    df = lambda t: DF.get(t, 0)  # noqa: E731
    assert best_correction("الموصل", df) is None
    assert corrections(parse("الحوثين").tree, df) == []  # in 18 documents: meant (meant_df 20)
    assert best_correction("كلمةغريبةجدا", df) is None


def test_suggestion_work_is_bounded_by_the_word_not_the_vocabulary():
    looked_up = []

    def df(term):
        looked_up.append(term)
        return DF.get(term, 0)

    assert candidates("ب" * 2000, df) == {} and looked_up == []  # too long: not looked at
    corrections(parse(" ".join(["بغددد" + "ب" * i for i in range(10)] + ["ب" * 1000])).tree, df)
    # At most MAX_WORDS words, each with look-ups bounded by its capped length: ~60 single
    # edits a letter, then ~10 cheap edits a letter of each cheap one (< 40,000 at 20 letters).
    from search.query.suggest import MAX_WORDS

    assert 0 < len(looked_up) <= MAX_WORDS * 40_000


def test_apply_replaces_words_in_words_and_phrases():
    tree = parse('بغدد "الموصلل داعش" -بغدد').tree
    fixed = apply(tree, {"بغدد": "بغداد", "الموصلل": "الموصل"})
    assert to_text(fixed) == 'بغداد "الموصل داعش" -بغدد'


def test_long_words_go_through_every_step():
    # The parser, the names dictionary, the suggester and the plan on a 1,000-character word
    # (their time is measured by bench/bench_long_tokens.py).
    word = "ب" * 1000
    p = parse(word)
    assert p.tree == Word(word) and expand(p.tree) == (p.tree, [])
    assert corrections(p.tree, lambda t: 0) == []
    assert lower_query(p.tree) != All()
