"""Calibration helpers shared by the tests and ``bench/calibration_report.py``.

Loads the 12 reference writing samples (``../shared/reference/writing-samples``) with their
human ``expected_levels`` and ranks the mapped levels against them (Spearman's rho).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from personagen_shared.stylometry import SCALE_MAPPINGS, StylometryResult, analyse_text

SAMPLES_DIR = (
    Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "writing-samples"
)


@dataclass(frozen=True)
class ReferenceSample:
    """One reference text: its id, register, text, human levels and our analysis of it."""

    sample_id: str
    register: str
    text: str
    expected: dict[str, int]
    result: StylometryResult


@cache
def reference_samples() -> tuple[ReferenceSample, ...]:
    """The 12 reference samples, analysed once per process."""
    index = json.loads((SAMPLES_DIR / "index.json").read_text(encoding="utf-8"))
    samples = []
    for entry in index["samples"]:
        text = (SAMPLES_DIR / entry["file"]).read_text(encoding="utf-8")
        samples.append(
            ReferenceSample(
                entry["id"], entry["register"], text, entry["expected_levels"], analyse_text(text)
            )
        )
    return tuple(samples)


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks of ``values``; ties get the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rank correlation: Pearson's r of the (tie-averaged) ranks; NaN if constant."""
    if len(a) != len(b) or len(a) < 2:
        raise ValueError("need two sequences of the same length >= 2")
    ra, rb = ranks(a), ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    return cov / math.sqrt(va * vb) if va and vb else math.nan


def calibrated_traits() -> list[str]:
    """The traits with human levels in ``index.json`` that the stylometry maps."""
    expected = reference_samples()[0].expected
    return [trait for trait in expected if trait in SCALE_MAPPINGS]


def rank_correlations() -> dict[str, float]:
    """Trait -> Spearman's rho between our mapped levels and the human levels (12 texts)."""
    samples = reference_samples()
    return {
        trait: spearman(
            [float(s.result.traits[trait]) for s in samples],
            [float(s.expected[trait]) for s in samples],
        )
        for trait in calibrated_traits()
    }
