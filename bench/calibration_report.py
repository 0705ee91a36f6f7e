"""Print how the measured traits rank against the human levels of the reference samples.

Run by hand: ``uv run python bench/calibration_report.py``. For each trait that
``shared/reference/writing-samples/index.json`` rates and the stylometry maps, prints the
per-sample levels (ours / human) and Spearman's rank correlation over the 12 texts.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.shared.stylometry.calibration import (  # needs the path above
    calibrated_traits,
    rank_correlations,
    reference_samples,
)


def main() -> None:
    """Print the level table and the per-trait rank correlation."""
    samples = reference_samples()
    traits = calibrated_traits()
    short = {t: t.split("_")[0][:11] for t in traits}
    print(f"{'sample':38s} " + " ".join(f"{short[t]:>11s}" for t in traits))
    print(f"{'':38s} " + " ".join(f"{'ours/human':>11s}" for _ in traits))
    for s in samples:
        cells = " ".join(f"{s.result.traits[t]:>5}/{s.expected[t]:<5}" for t in traits)
        print(f"{s.sample_id:38s} {cells}")
    print()
    print(f"{'trait':32s} Spearman rho (n={len(samples)})")
    for trait, rho in rank_correlations().items():
        print(f"{trait:32s} {rho:+.3f}")


if __name__ == "__main__":
    main()
