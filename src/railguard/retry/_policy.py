"""The retry policy value and the clocks it reads and sleeps with."""

from __future__ import annotations

import asyncio
import math
import random
import time
from typing import Protocol

import attrs

__all__ = ["SYSTEM_CLOCK", "Clock", "FakeClock", "RetryPolicy", "SystemClock"]


class Clock(Protocol):
    """Where the retry engine reads the time and how it sleeps (sync and async)."""

    def now(self) -> float:
        """Monotonic seconds."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Suspend the current task for ``seconds``."""
        ...


@attrs.frozen
class SystemClock:
    """The real clock: ``time.monotonic``, ``time.sleep`` and ``asyncio.sleep``."""

    def now(self) -> float:
        """Monotonic seconds (``time.monotonic``)."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds`` (``time.sleep``)."""
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Suspend for ``seconds`` (``asyncio.sleep``)."""
        await asyncio.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
"""The clock every policy uses unless told otherwise."""


class FakeClock:
    """A clock for tests: sleeping advances it at once and is recorded in `sleeps`.

    ``advance`` simulates time spent inside an attempt.
    """

    __slots__ = ("_now", "sleeps")

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self.sleeps: list[float] = []
        """Every sleep requested, in order."""

    def now(self) -> float:
        """The fake time in seconds."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the time forward without recording a sleep."""
        self._now += seconds

    def sleep(self, seconds: float) -> None:
        """Record the sleep and advance the time; returns at once."""
        self.sleeps.append(seconds)
        self._now += seconds

    async def asleep(self, seconds: float) -> None:
        """Record the sleep and advance the time; returns at once."""
        self.sleep(seconds)

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now!r}, sleeps={self.sleeps!r})"


def _positive_finite(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{attribute.name} must be a positive finite number of seconds")


def _non_negative_finite(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a non-negative finite number")


def _at_least_one(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1")


def _exp_base(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 1):
        raise ValueError("wait_exp_base must be a finite number >= 1")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How long and how often a failing call may be retried; bounded by construction.

    A retry stops at whichever comes first: ``attempts`` calls made, or the next
    sleep would end at or past ``deadline`` seconds after the first attempt
    started. Neither bound can be switched off.

    Args:
        attempts: the most calls made, the first included (``>= 1``).
        deadline: seconds from the first attempt after which no attempt starts.
        wait_initial: the first backoff wait, in seconds.
        wait_max: no backoff wait is longer than this.
        wait_exp_base: each backoff wait is this many times the previous one.
        wait_jitter: a random ``0..wait_jitter`` seconds added to each backoff wait.
        hint_max: a server's ``Retry-After`` hint is waited out up to this many seconds.
        clock: where time is read and how to sleep; `FakeClock` in tests.
    """

    attempts: int = attrs.field(default=5, validator=_at_least_one)
    deadline: float = attrs.field(default=60.0, validator=_positive_finite)
    wait_initial: float = attrs.field(default=0.2, validator=_non_negative_finite)
    wait_max: float = attrs.field(default=5.0, validator=_non_negative_finite)
    wait_exp_base: float = attrs.field(default=2.0, validator=_exp_base)
    wait_jitter: float = attrs.field(default=0.5, validator=_non_negative_finite)
    hint_max: float = attrs.field(default=30.0, validator=_non_negative_finite)
    clock: Clock = attrs.field(default=SYSTEM_CLOCK, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.wait_max < self.wait_initial:
            raise ValueError("wait_max must not be smaller than wait_initial")

    def backoff(self, attempt: int) -> float:
        """The backoff wait after failed attempt number ``attempt`` (1-based), jitter included.

        ``min(wait_max, wait_initial * wait_exp_base ** (attempt - 1) + U(0, wait_jitter))``.
        """
        try:
            base = self.wait_initial * self.wait_exp_base ** max(attempt - 1, 0)
        except OverflowError:
            base = self.wait_max
        jitter = random.uniform(0, self.wait_jitter) if self.wait_jitter else 0.0  # noqa: S311  # jitter, not cryptography
        return min(self.wait_max, base + jitter)

    def hinted(self, after: float) -> float:
        """The wait for a server's hint of ``after`` seconds: the hint, capped at ``hint_max``.

        A negative hint waits nothing; a nonsensical one (NaN) waits ``hint_max``.
        """
        if math.isnan(after):
            return self.hint_max
        return min(max(after, 0.0), self.hint_max)
