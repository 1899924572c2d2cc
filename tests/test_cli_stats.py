"""`indexer stats` through the real command: documents, facet values, size, build, analyzer."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SEEDS
from search.analysis import ANALYZER_VERSION, speedups

INDEXER = str(Path(sys.executable).with_name("indexer"))


def _indexer(*args, env=None):
    return subprocess.run([INDEXER, *args], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, **(env or {})})


def test_stats_json_describes_the_seeds_index(seeds_index):
    done = _indexer("stats", "--index", str(seeds_index), "--json")
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout)
    assert s["exists"] and s["documents"] == 5 and s["size_bytes"] > 10_000
    assert s["analyzer_version"] == ANALYZER_VERSION
    assert s["analysis_core"] == speedups.describe()
    assert s["build"]["sources"] == [str(SEEDS)] and s["build"]["built_at"].endswith("Z")
    assert s["build"]["analyzer_version"] == ANALYZER_VERSION and s["build"]["documents"] == 5
    facets = s["facets"]
    assert set(facets) == {"country", "org", "source", "troops"}
    countries = {v["value"]: v for v in facets["country"]["values"]}
    # Every seed is about Iraq; the label is the Arabic name.
    assert countries["IQ"] == {"value": "IQ", "label": "العراق", "count": 5}
    assert countries["SY"]["label"] == "سوريا"
    assert len(facets["country"]["values"]) == 10 and facets["country"]["distinct"] > 10
    assert facets["country"]["documents"] == 5
    orgs = {v["value"]: v["count"] for v in facets["org"]["values"]}
    assert orgs["تنظيم الدولة الإسلامية (داعش)"] == 5
    # The seeds are text files: no source.
    assert facets["source"]["values"] == [] and facets["source"]["documents"] == 0
    troops = facets["troops"]
    assert [v["value"] for v in troops["values"]] == ["1-99", "100-999", "1000-9999", "10000-"]
    assert troops["values"][3]["label"] == "10,000 فأكثر"
    assert sum(v["count"] for v in troops["values"]) == troops["documents"] >= 1


def test_stats_text_and_top(seeds_index):
    done = _indexer("stats", "--index", str(seeds_index), "--top", "3")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "documents:  5\n" in out
    assert f"from {SEEDS}" in out and f"analyzer:   {ANALYZER_VERSION}\n" in out
    assert f"analysis:   {speedups.describe()}\n" in out
    assert "IQ  العراق" in out and "تنظيم الدولة الإسلامية (داعش)" in out
    assert "10,000 فأكثر" in out
    country_block = out.split("country (")[1].split("\norg (")[0]
    assert len(country_block.strip().splitlines()) == 1 + 3  # heading and the top 3


def test_stats_flags_an_index_built_with_another_analyzer(tmp_path, seeds_index):
    index = tmp_path / "idx"
    shutil.copytree(seeds_index, index)
    gen = index / "generations" / (index / "CURRENT").read_text().strip()
    build = json.loads((gen / "build.json").read_text(encoding="utf-8"))
    build["analyzer_version"] = "0.old"
    (gen / "build.json").write_text(json.dumps(build), encoding="utf-8")
    done = _indexer("stats", "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert "0.old" in done.stdout and "run `indexer reindex`" in done.stdout


def test_stats_without_an_index(tmp_path):
    done = _indexer("stats", "--index", str(tmp_path / "none"))
    assert done.returncode == 0 and "no index at" in done.stdout and "indexer reindex" in done.stdout
    data = json.loads(_indexer("stats", "--index", str(tmp_path / "none"), "--json").stdout)
    assert data["exists"] is False and data["documents"] == 0


def test_stats_says_which_analysis_core_runs(tmp_path):
    done = _indexer("stats", "--index", str(tmp_path / "none"), env={"SEARCH_PURE_PYTHON": "1"})
    assert done.returncode == 0, done.stderr
    assert "analysis:   pure-python (" in done.stdout
    assert ("forced by SEARCH_PURE_PYTHON=1" if speedups.available() else "not built") in done.stdout
    done = _indexer("stats", "--index", str(tmp_path / "none"), "--json", env={"SEARCH_PURE_PYTHON": "0"})
    core = json.loads(done.stdout)["analysis_core"]
    assert core.startswith("compiled (C extension") if speedups.available() else core.startswith("pure-python")
