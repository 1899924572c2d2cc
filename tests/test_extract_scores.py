"""Accuracy on the annotated seeds and the hand-annotated SaudiNewsNet samples."""
import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "extraction"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


score_seeds = _load("score_seeds")


def _shared():
    try:
        return score_seeds.shared_dir()
    except FileNotFoundError:
        pytest.skip("shared/ (gold and SaudiNewsNet) not available")


def test_seed_scores_meet_targets():
    _shared()
    result = score_seeds.score()
    for key, target in score_seeds.TARGETS.items():
        assert result[key] >= target, (key, result[key], result["problems"])


@pytest.mark.parametrize("sample", ["troops-sample.jsonl", "troops-heldout.jsonl"])
def test_troop_samples_meet_targets(sample):
    if not (_shared() / "data" / "saudinewsnet").is_dir():
        pytest.skip("SaudiNewsNet not available")
    scorer = _load("score_troops_sample")
    result = scorer.score(BENCH / sample)
    assert result["sentences"] >= 60
    for key, target in scorer.TARGETS.items():
        assert result[key] >= target, (key, result[key], [w for _, w in result["problems"]])


@pytest.mark.parametrize("sample", ["troops-kinds.jsonl", "troops-kinds-heldout.jsonl"])
def test_troop_kinds_force_vs_casualties(sample):
    """Force sizes apart from casualty counts, on hand-labelled sentences (bench/extraction/README.md)."""
    if not (_shared() / "data" / "saudinewsnet").is_dir():
        pytest.skip("SaudiNewsNet not available")
    scorer = _load("score_troops_kinds")
    result = scorer.score(BENCH / sample)
    assert result["sentences"] >= 60 and result["counts"]["force_must"] >= 15
    failed = {k: result[k] for k, ok in scorer.passes(result).items() if not ok}
    assert not failed, (failed, [w for _, w in result["problems"]])


def test_discovered_organizations_precision():
    """Pattern-discovered organizations: >= 0.95 of the hand-labelled values still produced are
    real organizations, and no more real ones are lost than measured (bench/extraction/README.md)."""
    if not (_shared() / "data" / "saudinewsnet").is_dir():
        pytest.skip("SaudiNewsNet not available")
    scorer = _load("score_orgs_sample")
    result = scorer.score()
    assert result["values"] >= 200 and all(total >= 200 for _, total in result["as_drawn"].values())
    assert result["precision"] >= scorer.TARGETS["precision"], result["errors"]
    assert result["lost_orgs"] <= 90, result["lost"]
