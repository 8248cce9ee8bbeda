"""``railguard.retry`` per call against tenacity with the same policy.

The call fails twice with a timeout (backoff) and then succeeds; sleeps are faked
on both sides. The peer is what a service writes with tenacity alone: a decorated
function retried while it returns an ``Err`` whose failure is retryable, 5
attempts or 60 s, exponential backoff from 0.2 s doubling to 5 s plus 0-0.5 s
jitter (railguard's default policy, written the tenacity way).
"""

from __future__ import annotations

import inspect
import time

import tenacity

from benchmarks._harness import Ratio, timed_ratio
from railguard import Err, Failure, Ok, Result, TimeoutFailure
from railguard.retry import RetryPolicy, retry


class _NoSleep:
    """A clock that reads the real time and returns from sleeps at once."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        pass

    async def asleep(self, seconds: float) -> None:
        pass


POLICY = RetryPolicy(clock=_NoSleep())
_calls = [0]


def flaky() -> Result[int, Failure]:
    """Fails twice with a timeout, then succeeds."""
    _calls[0] += 1
    if _calls[0] % 3:
        return Err(TimeoutFailure())
    return Ok(_calls[0])


def _retryable(result: Result[int, Failure]) -> bool:
    return isinstance(result, Err) and result.failure().retry.retryable


# tenacity 9 names the first wait ``multiplier`` (``initial`` is deprecated there)
_FIRST = (
    "multiplier"
    if "multiplier" in inspect.signature(tenacity.wait_exponential_jitter).parameters
    else "initial"
)


@tenacity.retry(
    stop=tenacity.stop_after_attempt(5) | tenacity.stop_after_delay(60),
    wait=tenacity.wait_exponential_jitter(max=5, exp_base=2, jitter=0.5, **{_FIRST: 0.2}),
    retry=tenacity.retry_if_result(_retryable),
    sleep=lambda seconds: None,
)
def _tenacity_flaky() -> Result[int, Failure]:
    return flaky()


def with_railguard() -> Result[int, Failure]:
    """One retried call through `railguard.retry.retry`."""
    _calls[0] = 0
    return retry(flaky, idempotent=True, policy=POLICY)


def with_tenacity() -> Result[int, Failure]:
    """One retried call through the tenacity-decorated function."""
    _calls[0] = 0
    return _tenacity_flaky()


def run() -> list[Ratio]:
    """The retry comparison."""
    assert with_railguard() == with_tenacity() == Ok(3)
    return [
        timed_ratio(
            "retry per call (fails twice, then succeeds) vs tenacity",
            with_railguard,
            with_tenacity,
            "<= 1.2",
            number=100,
            rounds=40,
        )
    ]
