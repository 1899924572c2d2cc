"""Percentiles of timings, shared by the benchmark scripts (run from bench/, or with bench/
on sys.path)."""
from __future__ import annotations


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank on the sorted values)."""
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def p50_p95(values: list[float]) -> list[float]:
    """[p50, p95] rounded to 0.1 (milliseconds in every report)."""
    return [round(pct(values, 50), 1), round(pct(values, 95), 1)]
