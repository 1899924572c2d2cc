"""Elasticsearch indexes exactly the Python chains' terms and positions: proven with Lucene 10.5.1.

No cluster runs on our machines, so the analyzers Elasticsearch would build from the index
settings we send (``elasticsearch_mapping.analysis_settings``) are rebuilt from the real
Lucene classes its factories use, in a small Java harness compiled here
(``tests/lucene_harness/AnalyzeHarness.java``): the base chain from its settings (and, as a
check, Lucene's own ``ArabicAnalyzer``), the other chains as what they are in Elasticsearch,
the ``pre_analyzed`` whitespace tokenizer and gap stop filter over the strings the backend
sends. Each text's term/position stream must equal the Python chain's: 0 differences over
the contract corpus, 400 SaudiNewsNet articles, the Lucene fixture sentences and edge cases.

Needs a JDK 21+ (``JAVA_HOME``, ``/usr/lib/jvm/*`` or ``javac`` on the PATH) and the Lucene
jars of the ``nlp4j-local-search`` wheel (the ``test`` extra); skips with a message otherwise.
"""
from __future__ import annotations

import base64
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from search.analysis import ES_ANALYZER_NAMES, NATIVE_CHAINS, analyze_field
from search.backends.common import GAP
from search.backends.elasticsearch_mapping import (PRE_ANALYZED, PRE_ANALYZED_CHAINS, analysis_settings,
                                                   analyzed_fields, to_action)
from search.fields import TEXT_SCOPES, text_field

HERE = Path(__file__).resolve().parent
HARNESS = HERE / "lucene_harness" / "AnalyzeHarness.java"
LUCENE_VERSION = "10.5.1"
SAUDINEWSNET_ARTICLES = 400
EDGE_TEXTS = [
    "ـــ بغدادـ ـ", "في على من", "قال إن في العراق", "الولاياتالمتحدة جنوبالعراق فيمعركة لايمكن",
    "مسؤول مسئول الشؤون الشئون ١٢٠٠ ۱۲۰۰ 1,200 ١٬٢٠٠ ١٫٥", "ﻻ ﺍﻟﻌﺮﺍﻕ ﷲ", "الأمريكيّة الأميركية الامريكية",
    "ب" * 300 + " نهاية", "😀 👍🏽 🇸🇦 漢字 カタカナ U.S.A. don't", "\U0001d400\U0001d401 𝐀𝐁", "İSTANBUL ΟΔΟΣ",
    "مُحَمَّدٌ وَالكِتَابُ", "  ", "",
]


# ---- finding the JDK and the jars --------------------------------------------------------------

def _java_major(home: Path) -> int:
    release = home / "release"
    text = release.read_text(errors="replace") if release.exists() else ""
    m = re.search(r'JAVA_VERSION="(\d+)', text)
    if not m:
        try:
            out = subprocess.run([str(home / "bin" / "java"), "-version"], capture_output=True, text=True,
                                 timeout=30).stderr
        except (OSError, subprocess.TimeoutExpired):
            return 0
        m = re.search(r'version "(\d+)', out)
    return int(m.group(1)) if m else 0


def find_jdk(minimum: int = 21) -> Path | None:
    """A JDK home (with javac) of version >= ``minimum``: JAVA_HOME, /usr/lib/jvm/*, then PATH."""
    candidates = [os.environ.get("JAVA_HOME")] + sorted(glob.glob("/usr/lib/jvm/*"), reverse=True)
    javac = shutil.which("javac")
    if javac:
        candidates.append(str(Path(javac).resolve().parent.parent))
    for c in candidates:
        if c and (Path(c) / "bin" / "javac").exists() and _java_major(Path(c)) >= minimum:
            return Path(c)
    return None


def lucene_jars(dest: Path) -> list[Path]:
    """lucene-core and lucene-analysis-common, unpacked from the nlp4j-local-search wheel's jar."""
    spec = importlib.util.find_spec("nlp4j_local_search")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("nlp4j-local-search is not installed (pip install -e '.[test]'): no Lucene jars")
    outer = sorted(Path(next(iter(spec.submodule_search_locations))).glob("jars/*/*.jar"))
    wanted = [f"lucene-core-{LUCENE_VERSION}.jar", f"lucene-analysis-common-{LUCENE_VERSION}.jar"]
    out = []
    for jar in outer:
        with zipfile.ZipFile(jar) as z:
            for name in wanted:
                if name in z.namelist():
                    target = dest / name
                    target.write_bytes(z.read(name))
                    out.append(target)
    if len(out) != len(wanted):
        pytest.skip(f"the nlp4j-local-search wheel carries no Lucene {LUCENE_VERSION} jars: {outer}")
    return out


@pytest.fixture(scope="module")
def lucene(tmp_path_factory):
    """A function running commands through the compiled harness (see AnalyzeHarness.java)."""
    jdk = find_jdk()
    if jdk is None:
        pytest.skip("no JDK 21+ found (JAVA_HOME, /usr/lib/jvm/*, javac on PATH): Lucene parity not checked")
    work = tmp_path_factory.mktemp("lucene")
    classpath = os.pathsep.join(str(j) for j in lucene_jars(work))
    subprocess.run([str(jdk / "bin" / "javac"), "-encoding", "UTF-8", "-cp", classpath, "-d", str(work),
                    str(HARNESS)], check=True, capture_output=True, timeout=300)

    def run(commands: list[str]) -> list[str]:
        proc = subprocess.run([str(jdk / "bin" / "java"), "-cp", os.pathsep.join([classpath, str(work)]),
                               "AnalyzeHarness"], input="\n".join(commands) + "\n", capture_output=True,
                              text=True, encoding="utf-8", timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout.split("\n")[:-1]

    return run


# ---- the analyzers Elasticsearch builds from our settings ----------------------------------------

def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def harness_definition(name: str, analysis: dict) -> list[str]:
    """Harness commands rebuilding one analyzer of ``analysis`` as Elasticsearch's factories do.

    Only the component types our settings use are translated; any other one fails the test
    (it would need its own Lucene class here)."""
    spec = analysis["analyzer"][name]
    assert spec["type"] == "custom" and not spec.get("char_filter"), spec
    lines = [f"analyzer {name}"]
    tok = spec["tokenizer"]
    if tok == "standard":
        lines.append("tokenizer standard 255")  # Elasticsearch's default max_token_length
    else:
        t = analysis["tokenizer"][tok]
        assert t["type"] == "whitespace", t
        lines.append(f"tokenizer whitespace {t.get('max_token_length', 255)}")
    builtins = {"lowercase", "decimal_digit", "arabic_normalization"}
    for f in spec["filter"]:
        if f in builtins:
            lines.append(f"filter {f}")
            continue
        d = analysis["filter"][f]
        if d["type"] == "stop" and d["stopwords"] == "_arabic_":
            lines.append("filter stop_arabic")
        elif d["type"] == "stop":
            assert isinstance(d["stopwords"], list) and not d.get("ignore_case") and d.get("remove_trailing", True)
            lines.append("filter stop " + " ".join(_b64(w) for w in d["stopwords"]))
        elif d["type"] == "stemmer" and d["language"] == "arabic":
            lines.append("filter stemmer_arabic")
        else:
            raise AssertionError(f"no Lucene translation for filter {f}: {d}")
    lines.append("end")
    return lines


def _parse(line: str) -> list[tuple[str, int]]:
    out = []
    for item in line.split(" ") if line else []:
        term, pos = item.rsplit(":", 1)
        out.append((base64.b64decode(term).decode("utf-8"), int(pos)))
    return out


# ---- the corpus --------------------------------------------------------------------------------

def _shared(*parts: str) -> Path | None:
    for root in (HERE.parents[1] / "shared", Path("/work/shared")):
        if root.joinpath(*parts).exists():
            return root.joinpath(*parts)
    return None


def corpus_texts() -> dict[str, list[str]]:
    """Texts by origin: the contract corpus, 400 SaudiNewsNet articles, Lucene fixture sentences."""
    import json

    from indexer.sources import iter_documents
    from test_contract import corpus

    out = {"contract": [t for d in corpus() for t in (d.title, d.body) if t], "edge cases": EDGE_TEXTS}
    snn = _shared("data", "saudinewsnet")
    if snn is not None:
        docs = []
        for doc in iter_documents([str(snn)], lambda problem: None):
            docs += [t for t in (doc.title, doc.body) if t]
            if len(docs) >= 2 * SAUDINEWSNET_ARTICLES:
                break
        out["saudinewsnet"] = docs
    fixture = _shared("fixtures", "lucene-arabic-dev.jsonl")
    if fixture is not None:
        with fixture.open(encoding="utf-8") as fh:
            out["lucene fixture"] = [json.loads(line)["text"] for line in fh if line.strip()]
    return out


@pytest.fixture(scope="module")
def texts():
    return corpus_texts()


# ---- the test ----------------------------------------------------------------------------------

def _commands(analysis: dict, texts: list[str]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Harness commands, and per output line (origin chain, analyzer, text)."""
    native = [ES_ANALYZER_NAMES[c] for c in NATIVE_CHAINS]
    cmds = [line for name in native + [PRE_ANALYZED] for line in harness_definition(name, analysis)]
    cmds.append("builtin lucene_arabic arabic")
    expected = []
    for text in texts:
        for chain in NATIVE_CHAINS:
            for analyzer in (ES_ANALYZER_NAMES[chain], "lucene_arabic"):
                cmds.append(f"text {analyzer} {_b64(text)}")
                expected.append((chain, analyzer, text))
        for chain in PRE_ANALYZED_CHAINS:
            from search.analysis import joined_terms

            cmds.append(f"text {PRE_ANALYZED} {_b64(joined_terms(chain, text, GAP))}")
            expected.append((chain, PRE_ANALYZED, text))
    return cmds, expected


def python_stream(chain: str, analyzer: str, text: str) -> list[tuple[str, int]]:
    """What the index must hold for ``text`` under ``chain``, as (term, position)."""
    tokens = analyze_field(chain, text)
    if analyzer == PRE_ANALYZED:
        # A word of only tatweel has Lucene's empty term; whitespace cannot carry it, so the
        # pre-analyzed fields (like tantivy's) index it as a gap: same positions, no term.
        return [(t.term, t.position) for t in tokens if t.term]
    return [(t.term, t.position) for t in tokens]


@pytest.mark.slow
def test_elasticsearch_chains_equal_the_python_chains_in_lucene(lucene, texts):
    analysis = analysis_settings()
    report, first = [], {}
    for origin, items in texts.items():
        cmds, expected = _commands(analysis, items)
        lines = lucene(cmds)
        assert len(lines) == len(expected), (origin, len(lines), len(expected))
        diffs = 0
        for line, (chain, analyzer, text) in zip(lines, expected):
            want = python_stream(chain, analyzer, text)
            if _parse(line) != want:
                diffs += 1
                first.setdefault(origin, (chain, analyzer, text[:120], _parse(line)[:8], want[:8]))
        report.append(f"{origin}: {len(items)} texts x {len(NATIVE_CHAINS) * 2 + len(PRE_ANALYZED_CHAINS)} "
                      f"streams, {diffs} differences")
    print("\n".join(report))
    if "saudinewsnet" not in texts:
        print("SaudiNewsNet not found (shared/data/saudinewsnet): checked without it")
    assert not first, first


def test_the_harness_can_tell_a_difference(lucene):
    """The comparison is live: a chain Elasticsearch would run differently is caught."""
    analysis = analysis_settings()
    cmds = harness_definition(PRE_ANALYZED, analysis) + [f"text {PRE_ANALYZED} {_b64('الولاياتالمتحدة')}"]
    (line,) = lucene(cmds)
    assert _parse(line) == [("الولاياتالمتحدة", 0)]
    assert python_stream("arabic_plus", PRE_ANALYZED, "الولاياتالمتحدة") != _parse(line)


def test_the_sent_documents_are_the_joined_python_terms():
    from search.model import StoredDocument

    doc = StoredDocument(id="x", title="في الموصل", body="قال إن ـــ الولاياتالمتحدة")
    sent = to_action(doc)["_source"]
    assert analyzed_fields(doc) == {k: v for k, v in sent.items() if k.endswith(("_plus", "_exact"))}
    for scope in TEXT_SCOPES:
        for chain in PRE_ANALYZED_CHAINS:
            assert text_field(scope, chain) in sent
