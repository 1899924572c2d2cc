"""The compiled analysis core agrees exactly with the pure-Python code, and is optional.

The comparisons switch between the two implementations themselves and skip, saying so,
when the core was not built (the suites of conftest.BOTH_IMPLEMENTATIONS then run on pure
Python only).
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import sysconfig
import unicodedata
from itertools import islice
from pathlib import Path

import pytest

from search.analysis import CHAINS, analyze_field, joined_terms_all, speedups
from search.analysis.filters import (ArabicNormalizationFilter, ArabicStemFilter, DecimalDigitFilter,
                                     LowerCaseFilter, StopFilter)
from search.analysis.tokenizer import StandardTokenizer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SAUDI = ROOT.parent / "shared" / "data" / "saudinewsnet"
GAP = "\ue000"


def _both(fn, *args):
    """``fn(*args)`` on the compiled core and on pure Python (restoring the current one)."""
    if not speedups.available():
        pytest.skip(f"compiled analysis core {speedups.unavailable_reason()}")
    current = "compiled" if speedups.core is not None else "pure"
    try:
        speedups.use("compiled")
        compiled = fn(*args)
        speedups.use("pure")
        pure = fn(*args)
    finally:
        speedups.use(current)
    return compiled, pure


def _everything(texts):
    out = []
    from indexer.extract import extract_facets

    for text in texts:
        out.append((joined_terms_all(CHAINS, text, GAP),
                    [analyze_field(chain, text) for chain in CHAINS],
                    extract_facets(text).to_dict()))
    return out


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.rglob("*.txt"))]
    if SAUDI.exists():
        from indexer.sources import iter_documents

        for doc in islice(iter_documents([str(SAUDI)], lambda problem: None), 150):
            texts += [t for t in (doc.title, doc.body) if t]
    return texts


def test_seeds_and_corpus_sample_analyze_and_extract_identically():
    texts = _texts()
    compiled, pure = _both(_everything, texts)
    assert len(compiled) == len(texts) >= 20
    for text, a, b in zip(texts, compiled, pure):
        assert a == b, text[:80]


def test_tokenizer_fast_path_agrees_on_random_texts():
    # Characters around every rule of the fast path: word characters of both classes,
    # marks, separators, joiners (alone and in runs), and characters only the grammar knows.
    pool = list("ab1 .,،:;'\"_-«»()*#%\n\t") + [
        "عرب", "ال", "ً", "ٰ", "\u200f", "\u200d", "😀", "👍🏽", "1\u20e3", "🇸🇦", "漢字", "カタ", "٪",
        'א"ב', "ไทย", "\xa0", "٫", "٬", "١٢", "۱۲", "ـ", "x.y", "3.5", "\u0300", "\U0001d400", "’", "‘",
        "“", "…", "\u2028", "é", "İ", "Σ", "ﻻ", "..", ",,", "'a",
    ]
    tokenizer = StandardTokenizer()
    rng = random.Random(14)
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 16))) for _ in range(2500)]
    texts += ["ب" * 300 + " نهاية", "كلمة " + "x" * 256 + ".", "a" * 255, "a" * 256]
    compiled, pure = _both(lambda: [(tokenizer.tokenize(t), tokenizer.words(t)) for t in texts])
    for text, a, b in zip(texts, compiled, pure):
        assert a == b, repr(text)
        assert a[1] == a[0][0], repr(text)  # words() are the surfaces of tokenize()


def test_filters_agree_on_every_character():
    from search.analysis.analyzer import _run

    filters = [LowerCaseFilter(), DecimalDigitFilter(), ArabicNormalizationFilter(), StopFilter("_arabic_"),
               ArabicStemFilter()]
    # Every BMP character alone and after letters (stemmer lengths, casing in context), plus
    # the affixes and stop words around real words.
    chars = [chr(c) for c in range(1, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    terms = chars + ["ab" + c for c in chars[::7]] + ["İSTANBUL", "ΟΔΟΣ", "Σσς", "١٢٠٠", "۱۲۳", "߁߂"]
    stemmer = filters[-1]
    for prefix in (*stemmer.prefixes, ""):
        for suffix in (*stemmer.suffixes, ""):
            for core in ("", "ك", "كت", "كتب", "مدرس"):
                terms.append(prefix + core + suffix)
    terms += sorted(filters[3].stopwords)

    def run_each():
        return [[_run([f])(t) for t in terms] for f in filters] + [[_run(filters)(t) for t in terms]]

    compiled, pure = _both(run_each)
    for f, a, b in zip([*filters, "all"], compiled, pure):
        diff = [(t, x, y) for t, x, y in zip(terms, a, b) if x != y]
        assert not diff, (f, diff[:5])
    assert unicodedata.decimal("١") == 1  # the same Unicode database in both


def test_char_map_tracks_deleted_positions():
    if not speedups.available():
        pytest.skip(f"compiled analysis core {speedups.unavailable_reason()}")
    from search.analysis import _speedups

    table = str.maketrans({"ة": "ه", "ـ": None, "َ": None, "أ": "ا"})
    charmap = _speedups.CharMap(table)
    for text in ["", "abc", "مدرسةَ", "ـأـ", "أَأَ", "xـyـ"]:
        mapped, deleted = charmap.translate_tracking(text)
        assert mapped == text.translate(table) == charmap.translate(text)
        expected = [i for i, c in enumerate(text) if c in "ـَ"]
        assert deleted == (expected or None)


def test_utf8_length():
    if not speedups.available():
        pytest.skip(f"compiled analysis core {speedups.unavailable_reason()}")
    from search.analysis import _speedups

    for text in ["", "abc", "العراق", "😀 x", "é\u0800\uffff", "\ud800"]:
        assert _speedups.utf8_length(text) == len(text.encode("utf-8", "surrogatepass"))


def _python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, timeout=120)


def test_environment_forces_the_fallback():
    code = ("from search.analysis import speedups, analyze\n"
            "print(speedups.active(), speedups.describe(), [t.term for t in analyze('في الولايات المتحدة')])")
    out = _python(code, SEARCH_PURE_PYTHON="1")
    assert out.returncode == 0, out.stderr
    why = "forced by SEARCH_PURE_PYTHON=1" if speedups.available() else "compiled core not built"
    assert out.stdout.startswith(f"pure-python pure-python ({why}"), out.stdout
    assert "['ولا', 'متحد']" in out.stdout


def test_without_the_built_module_everything_runs_on_python():
    # As on a machine without a compiler: the extension cannot be imported.
    code = ("import sys\n"
            "sys.modules['search.analysis._speedups'] = None\n"
            "from search.analysis import speedups, analyze, joined_terms_all, CHAINS\n"
            "from indexer.extract import extract_facets\n"
            "print(speedups.active(), speedups.describe())\n"
            "print(joined_terms_all(CHAINS, 'أرسلت بريطانيا 500 جندي إلى العراق', '_'))\n"
            "print(extract_facets('أرسلت بريطانيا 500 جندي إلى العراق').country_codes)\n")
    out = _python(code, SEARCH_PURE_PYTHON="0")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("pure-python pure-python (compiled core not built:"), out.stdout
    assert "['GB', 'IQ']" in out.stdout


@pytest.mark.slow
def test_build_without_a_compiler_succeeds_without_the_extension(tmp_path):
    # CC=false: every compiler call fails, as on a machine without one. setup.py marks the
    # extension optional, so the build succeeds with a warning and builds nothing.
    env = {**os.environ, "CC": "false", "LDSHARED": "false"}
    out = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--build-lib", str(tmp_path / "lib"),
                          "--build-temp", str(tmp_path / "tmp")], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'building extension "search.analysis._speedups" failed' in out.stderr, out.stderr
    assert not list(tmp_path.rglob("*.so"))
    # And with a compiler, the same command builds it (where one is present).
    if sysconfig.get_config_var("CC") and subprocess.run(["sh", "-c", "command -v cc || command -v gcc"],
                                                         capture_output=True).returncode == 0:
        out = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--build-lib", str(tmp_path / "lib2"),
                              "--build-temp", str(tmp_path / "tmp2")], cwd=ROOT, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, out.stderr
        assert list((tmp_path / "lib2").rglob("_speedups*.so"))


def test_gap_spans_equal_the_grammar_on_the_gap_in_place():
    # The memo relies on the grammar's spans depending on the gap's characters only.
    tokenizer = StandardTokenizer()
    pool = list(" .,*#%٪:'\"-\n") + ["4.5", "1,200", "😀", "1\u20e3", "x.y", "ab", "عرب", "ً", "漢", "ไทย"]
    rng = random.Random(10)
    for _ in range(1500):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 14)))
        start = rng.randint(0, len(text))
        stop = rng.randint(start, len(text))
        for _ in range(2):  # computed, then remembered
            assert tokenizer._gap_spans(text, start, stop) == tokenizer._grammar_spans(text, start, stop), (text, start)


def test_extraction_word_positions_agree():
    from indexer.extract.normalize import NormText

    rng = random.Random(12)
    pool = ["العراق", "سوريا", "و", "في", " ", "  ", "،", ".", "ـ", "َ", "\n", "داعش", "1500", "٢٠"]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 30))) for _ in range(400)]

    def positions():
        out = []
        for text in texts:
            doc = NormText(text)
            wanted = set(rng.sample(sorted(doc.words | {"", "x"}), k=min(3, len(doc.words) + 2)))
            doc.index(wanted)
            out.append((doc.norm, doc.words, doc._pos, [doc.span(a, a + 1) for a in range(len(doc.norm))]))
        return out

    state = rng.getstate()
    compiled = _both(lambda: (rng.setstate(state), positions())[1])
    assert compiled[0] == compiled[1]
