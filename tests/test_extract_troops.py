"""Troop numbers: number parsing, tie to personnel nouns, kinds, negatives."""
from pathlib import Path

import pytest
from pyarabic import number as pyarabic_number

from indexer.extract import extract_facets
from indexer.extract.normalize import NormText
from indexer.extract.numbers import find_numbers

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def values(text):
    return [n.value for n in find_numbers(NormText(text))]


@pytest.mark.parametrize("text, expected", [
    ("275", [275]), ("٢٧٥", [275]), ("44,500", [44500]), ("44.500", [44500]), ("1.5 مليون", [1500000]),
    ("خمسمئة", [500]), ("خمسمائة", [500]), ("ستمئة", [600]), ("ثلاثون", [30]), ("ألف", [1000]),
    ("60 ألف", [60000]), ("5 آلاف", [5000]), ("مليون ونصف المليون", [1500000]),
    ("ثلاثة آلاف وخمسمئة", [3500]), ("ألفا", [2000]), ("ألفي", [2000]), ("مليونا", [2000000]),
    ("خمسة وعشرون ألفا", [25000]), ("مئتا ألف", [200000]), ("50 ألفا و570", [50570]),
    ("12 الفا و500", [12500]), ("ثلاثة عشر", [13]), ("نصف مليون", [500000]),
    ("بين 7 آلاف و8 آلاف", [7000, 8000]), ("900 و1100", [900, 1100]),
    ("أحد الجنود", []), ("آلاف العراقيين", []), ("بضعة عشر", []),
])
def test_number_parsing(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize("text", ["خمسمئة", "ستمئة", "ثلاثون", "ألف", "ثلاثة آلاف وخمسمئة",
                                  "خمسة وعشرون ألفا", "أربعة آلاف", "ثلاثمائة وخمسون"])
def test_agrees_with_pyarabic_where_pyarabic_is_right(text):
    assert values(text) == [pyarabic_number.text2number(text)]


@pytest.mark.parametrize("text", ["60 ألف", "مليون ونصف المليون", "ألفي", "مئتا ألف"])
def test_fixes_pyarabic_gaps(text):
    # pyarabic reads these as 1000 / 1000000 / 0 / 1000
    assert values(text) != [pyarabic_number.text2number(text)]


def troops(text):
    ex = extract_facets(text)
    for t in ex.troops:
        assert text[t.start:t.end] == t.text
    return ex.troops


@pytest.mark.parametrize("name, expected, vague", [
    ("000_4d25402dd40d2927.txt", [1000], []),
    ("001_b033b946fa2d7a3b.txt", [500, 600], []),
    ("002_373097a3583d7df3.txt", [500, 60000], [(20, 99, "casualties"), (200, 999, "force")]),
    ("003_3c9b909a0e592931.txt", [1500000, 2000000, 275], [(20, 99, "force")]),
    ("004_e24ef0227a9d806f.txt", [], []),
])
def test_seed_articles(name, expected, vague):
    # exact numbers as before; vague quantities (العشرات من عناصر، مئات المقاتلين) are now ranges
    text = (SEEDS / name).read_text(encoding="utf-8")
    assert [t.value for t in troops(text) if t.bound != "vague"] == expected
    assert [(t.value, t.upper, t.kind) for t in troops(text) if t.bound == "vague"] == vague


def test_seed_details():
    text = (SEEDS / "003_3c9b909a0e592931.txt").read_text(encoding="utf-8")
    by_value = {t.value: t for t in troops(text)}
    assert by_value[275].approximate and by_value[275].country == "US"
    assert by_value[275].text == "نحو 275 من أفراد"
    assert by_value[1500000].bound == "lower"
    text = (SEEDS / "001_b033b946fa2d7a3b.txt").read_text(encoding="utf-8")
    assert {t.value: t.country for t in troops(text)} == {500: None, 600: "IQ"}


@pytest.mark.parametrize("text, value, kind, casualty", [
    ("أرسلت بريطانيا 500 جندي إلى العراق", 500, "force", None),
    ("ونشرت قوة قوامها 1500 رجل", 1500, "force", None),
    ("وصل عدد المقاتلين إلى 3000", 3000, "force", None),
    ("تقدم سبعة آلاف متطوع لبرنامج التدريب العسكري", 7000, "force", None),
    ("أسفرت المعارك عن مقتل 19 مسلحاً من تنظيم داعش", 19, "casualties", "killed"),
    ("قتل 31 مسلحا واعتقل 171 اخرين", 171, "casualties", "arrested"),    # was "captured" before #12
    ("مصرع 12 جنديا وإصابة 11 آخرين", 11, "casualties", "wounded"),
    ("أسرت المقاومة 40 من مسلحي جماعة الحوثي", 40, "casualties", "captured"),
    ("وقالت إن 102 من المسلحين قتلوا", 102, "casualties", "killed"),
    ("والقتلى هم 21 من حزب الله و62 من مقاتلي المعارضة", 62, "casualties", "killed"),
])
def test_values_and_kinds(text, value, kind, casualty):
    found = {t.value: t for t in troops(text)}
    assert value in found
    assert (found[value].kind, found[value].casualty) == (kind, casualty)


@pytest.mark.parametrize("text, value, approximate, bound", [
    ("توجه أكثر من ألف مجند", 1000, True, "lower"),
    ("ما لا يقل عن 115 مسلحا", 115, True, "lower"),
    ("قرابة ثلاثة آلاف مقاتل", 3000, True, None),
    ("مقتل 28 عنصرا على الاقل من الفصائل", 28, True, "lower"),
    ("حوالى400 آخرين بعد 260 مقاتلا", 260, False, None),
])
def test_qualifiers(text, value, approximate, bound):
    t = next(t for t in troops(text) if t.value == value)
    assert (t.approximate, t.bound) == (approximate, bound)


def test_ranges():
    (t,) = troops("تنتشر قوة يتراوح عددها بين 7 و8 آلاف جندي")
    assert (t.value, t.upper, t.bound) == (7000, 8000, "range")
    assert t.text == "بين 7 و8 آلاف جندي"
    (t,) = troops("فقدت أستراليا وحلفاؤها ما بين 900 و1100 جندي")
    assert (t.value, t.upper) == (900, 1100)


@pytest.mark.parametrize("text", [
    "على بعد 30 كيلومترا إلى الشمال من العاصمة بغداد",
    "وحضره أكثر من ثلاثين وزير دفاع",
    "تأييد 35 دولة في مجلس الأمن",
    "بعد سقوط صدام حسين عام 2003",
    "مقتل 11 مدنيا وإصابة 13 آخرين",
    "على مساحة 14 ألف كلم2 بين نهر دجلة والحدود",
    "تبرع بمبلغ 500 مليون دولار للجيش",
    "تتراوح نسبة 50% من الجنود",
    "7. جندي متدرب: عمر أحمد",
    "أحد الجنود قال إن",
    "بلغ عدد المتطوعين 200 متطوع في المهرجان الخيري",     # charity volunteers
    "القائمة الرسمية المكونة من 30 عنصرًا للمنتخب",          # a football squad
    "قتل أسرة من ثمانية أفراد في القصف",                     # family members
    "خمسة آلاف عنصر من الشرطة",                               # police
    "192 مبنى للانضمام إلى مواقع التراث",
])
def test_not_troops(text):
    assert troops(text) == []


def test_max_troops_uses_force_numbers_only():
    ex = extract_facets("أرسلت الحكومة 3 آلاف جندي بعد مقتل 12000 مسلح")
    assert ex.troop_values == [3000, 12000]
    assert ex.max_troops == 3000
    assert extract_facets("مقتل 12 جنديا").max_troops is None


def test_to_dict_shape():
    (t,) = extract_facets("نشرت 3 آلاف جندي أميركي").to_dict()["troops"]
    assert t["value"] == 3000 and t["kind"] == "force" and t["country"] == "US"
    assert set(t) >= {"value", "text", "start", "end", "approximate", "kind"}


# ---- issue #12: kinds, nouns, sides, vague quantities, flags (sentences from SaudiNewsNet) -----
@pytest.mark.parametrize("text, value, upper, kind", [
    ("نشر مئات الجنود من دول الخليج الاعضاء في التحالف العربي حول عدن", 200, 999, "force"),
    ("ووضع الجيش التايواني عشرات الآلاف من الجنود في حالة تأهب", 20000, 99999, "force"),
    ("وصل بضعة آلاف مقاتل إلى المدينة", 3000, 9000, "force"),
    ("مقتل العشرات من عناصر تنظيم داعش بغرب العراق", 20, 99, "casualties"),
    ("بعد أن قضت على عشرات الإرهابيين", 20, 99, "casualties"),
])
def test_vague_quantities_are_ranges(text, value, upper, kind):
    (t,) = troops(text)
    assert (t.value, t.upper, t.bound, t.approximate, t.kind) == (value, upper, "vague", True, kind)
    assert t.size == value          # the facets use the lower end


@pytest.mark.parametrize("text, value, casualty", [
    ("بقدر ما أسعدني القبض على 431 داعشياً في المملكة", 431, "arrested"),
    ("إن تنظيم الدولة أعدم الخميس بالرصاص 22 جنديا عراقيا", 22, "executed"),
    ("وأعلن الجيش أن 7 جنود في عداد المفقودين بعد المعارك", 7, "missing"),
    ("كما تمكنت المقاومة الشعبية من أسر عشرة من عناصر المليشيا", 10, "captured"),
    ("مما ادى لمقتل 31 عسكريا على متنها", 31, "killed"),
    ("إلى مصرع 34 متمردا وإصابة أكثر من 40 آخرين بجروح", 40, "wounded"),
])
def test_casualty_types(text, value, casualty):
    found = {t.value: t for t in troops(text)}
    assert (found[value].kind, found[value].casualty) == ("casualties", casualty)


def test_coordinated_counts_share_the_kind_a_later_cue_gives():
    text = ("إن 28 عنصرا من الجيش العراقي ومليشيا الحشد الشعبي و18 مقاتلا من تنظيم الدولة، "
            "قتلوا وأصيب 27 بينهم 12 من تنظيم داعش في معارك عنيفة")
    found = {t.value: t for t in troops(text)}
    assert (found[28].kind, found[28].casualty) == ("casualties", "killed")
    assert found[18].kind == "casualties"


def test_a_strength_word_makes_a_force_size_despite_an_earlier_casualty():
    found = {t.value: t for t in troops("وأوضحت المصادر أن 3 عناصر من هذه الفرقة، قتلوا أيضا، "
                                        "علما بأن عددهم لا يتخطى الـ54 عنصرا")}
    assert found[3].kind == "casualties" and found[54].kind == "force"


def test_a_casualty_cue_in_another_clause_does_not_count():
    # "قتلى الحوثيين بالعشرات، فيما شوهد العشرات من المسلحين يلوذون بالفرار": the fleeing ones are no casualties
    (t,) = troops("وأشار المصدر إلى أن قتلى الحوثيين بالعشرات، فيما شوهد العشرات من المسلحين يلوذون بالفرار")
    assert t.kind == "force"


@pytest.mark.parametrize("text, noun, word", [
    ("أرسلت بريطانيا 500 جندي إلى العراق", "soldiers", "جندي"),
    ("على الرغم من تواجد ثلاثين ألف مقاتل من الشرطة والجيش لحماية الموصل", "fighters", "مقاتل"),
    ("شارك فيها خمسة آلاف شرطي ضد ناشطين مفترضين من تنظيم داعش", "police", "شرطي"),
    ("قتل ما لا يقل عن 17 عنصرًا من قوات الامن التركية منذ ان باشر متمردو حزب العمال", "members", "عنصر"),
    ("وصل إلى 500 مجند بحسب الخدمات الأمنية", "recruits", "مجند"),
    ("نحو 3500 جندي ومستشار عسكري أميركي موجودين في العراق", "soldiers", "جندي"),
])
def test_noun_class_is_the_noun_the_text_used(text, noun, word):
    t = troops(text)[0]
    assert (t.noun, t.word) == (noun, word)


def test_police_need_military_context_and_civil_services_never_count():
    assert troops("خمسة آلاف عنصر من الشرطة") == []
    assert troops("يتصدى لها نحو تسعة آلاف من أفراد الإطفاء في أنحاء الولاية") == []
    (t,) = troops("مقتل 17 من رجال الأمن في هجوم إرهابي")
    assert (t.noun, t.kind) == ("police", "casualties")


def test_side_is_the_organization_or_nationality_the_text_names():
    found = {t.value: t for t in troops("مقتل 49 مسلحا من تنظيم داعش وقتل 14 حوثيا وخمسة جنود أمريكيين")}
    assert found[49].org == "تنظيم الدولة الإسلامية (داعش)"
    assert found[14].org == "جماعة الحوثي (أنصار الله)"         # the noun names its side
    assert found[5].country == "US"


@pytest.mark.parametrize("text, flags", [
    ("إن كنتم قتلتم 20 جنديا فنحن 20 مليون جندي نحمي وطن", ["implausible", "rhetorical"]),
    ("جيش كوريا الشمالية هو الأكبر في العالم حيث يبلغ قوامه نحو 9.5 مليون جندي", ["implausible"]),
    ("ولو حشدوا مليون جندي لما تغير شيء", ["rhetorical"]),
    ("وصول عدد الجنود المشاركين في التحالف إلى مليون جندي", []),
])
def test_flagged_numbers_keep_evidence_but_stay_out_of_the_facets(text, flags):
    ex = extract_facets(text)
    big = max(ex.troops, key=lambda t: t.value)
    assert big.flags == flags and big.text
    assert (big.size in ex.force_values) == (not flags)


def test_force_and_casualty_values():
    ex = extract_facets("أرسلت الحكومة 3 آلاف جندي بعد مقتل 12000 مسلح، فنحن 20 مليون جندي")
    assert ex.force_values == [3000] and ex.casualty_values == [12000]
    assert (ex.max_troops, ex.max_casualties) == (3000, 12000)
