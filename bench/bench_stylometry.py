"""Benchmark the measured stylometry: median and p95 time per sample size.

Run by hand (single process, one core): ``uv run python bench/bench_stylometry.py [--runs N]``.
Texts of 1,000, 10,000 and 20,000 words are built from the 12 reference samples
(``../shared/reference/writing-samples``), paragraphs in a different rotation for every run so
that no run hits textstat's per-text cache (a real service sees a new text per request). The
pronunciation dictionary is loaded before timing (``warm_up``; its one-off cost is printed).
Both wall-clock and process CPU time are printed: on a shared machine the CPU time is the
fairer measure of "on one core". The issue's target: a 10,000-word sample in under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from personagen_shared.stylometry import analyse_text, warm_up
from personagen_shared.stylometry.counts import _word_shape
from personagen_shared.stylometry.tokens import WORD_RE, split_paragraphs

SAMPLES_DIR = (
    Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "writing-samples"
)
SIZES = (1_000, 10_000, 20_000)


def reference_paragraphs() -> list[str]:
    """Every paragraph of the 12 reference texts, in file order."""
    paragraphs: list[str] = []
    for path in sorted(SAMPLES_DIR.glob("*.txt")):
        paragraphs.extend(split_paragraphs(path.read_text(encoding="utf-8")))
    return paragraphs


def build_text(paragraphs: list[str], words: int, rotation: int) -> str:
    """About ``words`` words of whole paragraphs, starting at paragraph ``rotation``."""
    chosen: list[str] = []
    count = 0
    i = rotation
    while count < words:
        paragraph = paragraphs[i % len(paragraphs)]
        chosen.append(paragraph)
        count += len(WORD_RE.findall(paragraph))
        i += 1
    return "\n\n".join(chosen)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` by linear interpolation."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def main() -> None:
    """Time ``analyse_text`` (validation + metrics + traits) per size and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per size (default 30)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="empty the per-word syllable cache before every run (a never-seen vocabulary)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    warm_up()
    print(f"warm-up (CMU dictionary load): {(time.perf_counter() - started) * 1000:.0f} ms")
    paragraphs = reference_paragraphs()
    print(
        f"{'words':>8} {'runs':>5} {'wall median':>12} {'wall p95':>9} "
        f"{'CPU median':>11} {'CPU p95':>8}  (ms)"
    )
    for size in SIZES:
        texts = [build_text(paragraphs, size, 7 * run + 1) for run in range(args.runs + 1)]
        analyse_text(texts[0], max_words=10**9)  # one untimed run: first-call caches
        wall, cpu = [], []
        for text in texts[1:]:
            if args.cold:
                _word_shape.cache_clear()
            w0, c0 = time.perf_counter(), time.process_time()
            analyse_text(text, max_words=10**9)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        words = statistics.fmean(len(WORD_RE.findall(t)) for t in texts[1:])
        print(
            f"{words:8.0f} {args.runs:5d} {statistics.median(wall):12.1f} "
            f"{percentile(wall, 0.95):9.1f} {statistics.median(cpu):11.1f} "
            f"{percentile(cpu, 0.95):8.1f}"
        )


if __name__ == "__main__":
    main()
