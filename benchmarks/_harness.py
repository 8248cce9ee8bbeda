"""Side-by-side ratio measurements: railguard vs a baseline, in one process."""

from __future__ import annotations

import timeit
from collections.abc import Callable

import attrs


@attrs.frozen
class Ratio:
    """One comparison: ``ratio`` = railguard time / baseline time (or throughput ratio)."""

    name: str
    railguard: float
    baseline: float
    target: str
    higher_is_better: bool = False

    @property
    def ratio(self) -> float:
        """railguard / baseline."""
        return self.railguard / self.baseline

    @property
    def met(self) -> bool:
        """Whether the ratio meets its target (``<= x`` or ``>= x``)."""
        op, value = self.target.split()
        return self.ratio <= float(value) if op == "<=" else self.ratio >= float(value)


def best_time(func: Callable[[], object], *, number: int = 20_000, repeat: int = 7) -> float:
    """Seconds per call: the best of ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def interleaved(
    railguard: Callable[[], object],
    baseline: Callable[[], object],
    *,
    number: int = 20_000,
    rounds: int = 5,
) -> tuple[float, float]:
    """Best seconds per call of each, measured alternately so load affects both alike."""
    rg: list[float] = []
    base: list[float] = []
    for _ in range(rounds):
        rg.append(best_time(railguard, number=number, repeat=1))
        base.append(best_time(baseline, number=number, repeat=1))
    return min(rg), min(base)
