"""Side-by-side ratio measurements: railguard vs a peer, in one process.

Times are CPU seconds (``time.process_time``), so time spent descheduled on a
busy machine is not counted. Each comparison runs many short rounds that
alternate railguard and its peer (and which of them goes first), so load on a
shared machine falls on both alike. Every
round gives one ratio railguard / peer; a row reports the median of those ratios
and their spread (the 10th to 90th percentile), with the median absolute figures.
"""

from __future__ import annotations

import statistics
import time
import timeit
from collections.abc import Callable, Sequence

import attrs


@attrs.frozen
class Ratio:
    """One comparison: ``ratio`` = railguard / peer (times, bytes, or throughputs).

    ``rounds`` holds the per-round ratios when the figure was measured in rounds;
    ``unit`` names what ``railguard`` and ``baseline`` are measured in.
    """

    name: str
    railguard: float
    baseline: float
    target: str
    higher_is_better: bool = False
    rounds: tuple[float, ...] = ()
    unit: str = "s"

    @property
    def ratio(self) -> float:
        """The median per-round ratio, or railguard / baseline for a single measurement."""
        if self.rounds:
            return statistics.median(self.rounds)
        return self.railguard / self.baseline

    @property
    def spread(self) -> tuple[float, float]:
        """The 10th and 90th percentile of the per-round ratios (the ratio itself if none)."""
        if len(self.rounds) < 2:  # quantiles need two points
            return (self.ratio, self.ratio)
        deciles = statistics.quantiles(self.rounds, n=10, method="inclusive")
        return (deciles[0], deciles[-1])

    @property
    def met(self) -> bool:
        """Whether the ratio meets its target (``<= x`` or ``>= x``); a ``-`` target is info."""
        if self.target == "-":
            return True
        op, value = self.target.split()
        return self.ratio <= float(value) if op == "<=" else self.ratio >= float(value)


def best_time(func: Callable[[], object], *, number: int = 20_000, repeat: int = 7) -> float:
    """Seconds per call: the best of ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def cpu_time(func: Callable[[], object], number: int) -> float:
    """CPU seconds per call of ``number`` calls: time spent descheduled is not counted."""
    return timeit.timeit(func, number=number, timer=time.process_time) / number


def alternate(
    railguard: Callable[[], object],
    baseline: Callable[[], object],
    *,
    number: int,
    rounds: int,
) -> tuple[list[float], list[float]]:
    """CPU seconds per call of each, round by round; the side that goes first alternates."""
    rg: list[float] = []
    base: list[float] = []
    for func in (railguard, baseline):  # warm up: caches, specialised bytecode
        cpu_time(func, number)
    for i in range(rounds):
        if i % 2:
            base.append(cpu_time(baseline, number))
            rg.append(cpu_time(railguard, number))
        else:
            rg.append(cpu_time(railguard, number))
            base.append(cpu_time(baseline, number))
    return rg, base


def timed_ratio(
    name: str,
    railguard: Callable[[], object],
    baseline: Callable[[], object],
    target: str,
    *,
    number: int = 2_000,
    rounds: int = 60,
) -> Ratio:
    """A time-per-call comparison (lower is better) measured in alternating rounds."""
    rg, base = alternate(railguard, baseline, number=number, rounds=rounds)
    return paired(name, rg, base, target)


def paired(
    name: str,
    railguard: Sequence[float],
    baseline: Sequence[float],
    target: str,
    *,
    higher_is_better: bool = False,
    unit: str = "s",
) -> Ratio:
    """A comparison from per-round figures measured side by side (round i with round i)."""
    return Ratio(
        name,
        statistics.median(railguard),
        statistics.median(baseline),
        target,
        higher_is_better=higher_is_better,
        rounds=tuple(r / b for r, b in zip(railguard, baseline, strict=True)),
        unit=unit,
    )


def interleaved(
    railguard: Callable[[], object],
    baseline: Callable[[], object],
    *,
    number: int = 20_000,
    rounds: int = 5,
) -> tuple[float, float]:
    """Median seconds per call of each, measured in alternating rounds."""
    rg, base = alternate(railguard, baseline, number=number, rounds=rounds)
    return statistics.median(rg), statistics.median(base)


def describe(value: float, unit: str) -> str:
    """A figure in readable units: ns/µs/ms for seconds, B/KiB/MiB for bytes, else as is."""
    if unit == "s":
        for limit, factor, suffix in ((1e-6, 1e9, "ns"), (1e-3, 1e6, "µs"), (1.0, 1e3, "ms")):
            if value < limit:
                return f"{value * factor:,.1f} {suffix}"
        return f"{value:,.2f} s"
    if unit == "B":
        for limit, factor, suffix in ((1024, 1, "B"), (1024**2, 1 / 1024, "KiB")):
            if value < limit:
                return f"{value * factor:,.0f} {suffix}"
        return f"{value / 1024**2:,.1f} MiB"
    return f"{value:,.0f} {unit}"
