"""Small helpers shared by the benchmarks: timing samples and their summary."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: with 300 samples, p95 is the 285th smallest, an actual measured request."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(samples: list[float]) -> dict[str, float]:
    """Median, p95 and max of samples taken in seconds, as milliseconds."""
    return {
        "median_ms": round(statistics.median(samples) * 1000, 1) if samples else 0.0,
        "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1) if samples else 0.0,
    }


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    result: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - started


def timed(run: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    samples, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = run()
        samples.append(time.perf_counter() - started)
    return samples, value
