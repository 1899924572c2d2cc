from search.query import And, Filter, MatchAll, MatchNone, Not, Or, Phrase, Prefix, Word, parse
from search.query.parser import MAX_CLAUSES, MAX_QUERY_CHARS
from search.query.tree import to_text


def test_words_default_to_and():
    assert parse("داعش العراق").tree == And((Word("داعش"), Word("العراق")))


def test_phrase_minus_prefix_fields():
    tree = parse('"الجيش العراقي" -سوريا امريك* title:الموصل country:iq').tree
    assert tree == And((Phrase("الجيش العراقي"), Not(Word("سوريا")), Prefix("امريك"),
                        Word("الموصل", ("title",)), Filter("country", "IQ")))


def test_or_binds_looser_than_and():
    assert parse("a OR b c").tree == Or((Word("a"), And((Word("b"), Word("c")))))


def test_negated_group_and_phrase():
    assert parse('-(a b)').tree == Not(And((Word("a"), Word("b"))))
    assert parse('-"x y" z').tree == And((Not(Phrase("x y")), Word("z")))


def test_malformed_input_degrades_with_notices():
    p = parse('"unclosed phrase')
    assert p.tree == Phrase("unclosed phrase") and p.notices
    p = parse("OR")  # typed, but nothing searchable: nothing, with a notice (never all)
    assert p.tree == MatchNone() and p.notices
    p = parse("a OR")
    assert p.tree == Word("a") and p.notices
    p = parse("((a")
    assert p.tree == Word("a") and p.notices
    p = parse("a))")
    assert p.tree == Word("a") and p.notices


def test_control_characters_and_length_are_bounded():
    p = parse("داعش\x00\x07العراق")
    assert p.tree == And((Word("داعش"), Word("العراق")))
    assert p.notices
    p = parse("غ" * 5000)
    assert isinstance(p.tree, Word) and len(p.tree.text) == MAX_QUERY_CHARS
    p = parse(" ".join(f"w{i}" for i in range(500)))
    assert len(p.tree.children) == MAX_CLAUSES and p.notices


def test_random_garbage_never_raises_and_round_trips():
    import random

    rng = random.Random(7)
    for alphabet in ('ab دع "()-*:OR|\x01\u200f', 'ab دع "()-'):
        for _ in range(2000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
            canonical = to_text(parse(text).tree)
            # Canonicalization is idempotent: the canonical text is its own canonical form.
            assert to_text(parse(canonical).tree) == canonical, text
