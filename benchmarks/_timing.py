"""Timing: warm up, repeat, keep every sample, report p50 and p95."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Stats:
    """Repeated measurements of one quantity (seconds, or bytes for frame sizes)."""

    samples: tuple[float, ...]
    #: The samples were measured on fewer iterations and multiplied by this factor.
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not self.samples:
            raise ValueError("Stats needs at least one sample")

    @classmethod
    def of(cls, samples: Sequence[float], scale: float = 1.0) -> Stats:
        return cls(tuple(float(sample) * scale for sample in samples), scale)

    @property
    def count(self) -> int:
        return len(self.samples)

    def percentile(self, q: float) -> float:
        return float(np.percentile(np.asarray(self.samples), q))

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    def to_json(self, unit: str = "s") -> dict[str, Any]:
        return {
            f"p50_{unit}": self.p50,
            f"p95_{unit}": self.p95,
            "count": self.count,
            "scaled_by": self.scale,
        }


def measure(
    function: Callable[[], Any],
    *,
    repeats: int,
    warmup: int = 1,
    min_repeats: int = 3,
    budget: float = 5.0,
    scale: float = 1.0,
    check: Callable[[Any], None] | None = None,
) -> Stats:
    """Time ``function()`` after ``warmup`` calls: ``repeats`` samples, fewer past ``budget`` s.

    ``check``, when given, receives the result of the first warm-up call (or of the
    first timed call when there is no warm-up) and raises if it is wrong, so a
    fast but wrong function can never produce a figure.
    """
    checked = check is None
    for _ in range(warmup):
        result = function()
        if not checked:
            check(result)
            checked = True
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < repeats:
        begin = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - begin)
        if not checked:
            check(result)
            checked = True
        if len(samples) >= min_repeats and time.perf_counter() - started > budget:
            break
    return Stats.of(samples, scale)
