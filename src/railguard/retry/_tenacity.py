"""tenacity building blocks that read ``failure.retry``, for users' own ``Retrying``."""

from __future__ import annotations

import tenacity
from returns.result import Failure as Err
from tenacity.retry import retry_base
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from railguard.core import Failure, Recovery, wire_failure

from ._plan import sleep_for
from ._policy import RetryPolicy

__all__ = [
    "failure_of",
    "retry_if_retryable_failure",
    "stop_by_policy",
    "wait_by_failure",
]


def failure_of(state: tenacity.RetryCallState) -> Failure | None:
    """The failure of an attempt: its ``Err`` value, or its exception's failure.

    An exception becomes the failure `railguard.wire_failure` gives
    (``ConnectionError`` → infrastructure, a family exception → its pair,
    anything else — a ``ValueError`` too — a sanitized internal failure that
    keeps it as ``.exception``): a value that may reach a peer carries nothing
    of an exception's text. ``None`` for a success or no outcome yet.
    """
    outcome = state.outcome
    if outcome is None:
        return None
    if outcome.failed:
        exc = outcome.exception()
        return wire_failure(exc) if exc is not None else None
    value = outcome.result()
    if isinstance(value, Err):
        inner = value.failure()
        if isinstance(inner, Failure):
            return inner
    return None


class retry_if_retryable_failure(retry_base):  # noqa: N801  # tenacity's naming
    """Retry while the attempt's failure asks to retry the same call (backoff, after-hint).

    Regenerate and reconnect need a step tenacity cannot run, and don't-retry
    and escalate never retry: for those the outcome is returned (or raised).
    A non-idempotent call without an idempotency key is never retried.
    """

    def __init__(self, *, idempotent: bool, idempotency_key: str | None = None) -> None:
        self.repeatable: bool = idempotent or idempotency_key is not None

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        """Whether to retry after this attempt."""
        failure = failure_of(retry_state)
        if failure is None or not self.repeatable:
            return False
        return failure.recovery in (Recovery.BACKOFF, Recovery.AFTER_HINT)


class wait_by_failure(wait_base):  # noqa: N801  # tenacity's naming
    """Wait the server's hint (capped by the policy) when the failure has one, else back off.

    Backoff is the policy's exponential wait with jitter for the attempt number.
    """

    def __init__(self, policy: RetryPolicy | None = None) -> None:
        self.policy: RetryPolicy = policy if policy is not None else RetryPolicy()

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        """The wait before the next attempt, in seconds."""
        failure = failure_of(retry_state)
        if failure is None:
            return self.policy.backoff(retry_state.attempt_number)
        return sleep_for(failure, retry_state.attempt_number, self.policy)


class stop_by_policy(stop_base):  # noqa: N801  # tenacity's naming
    """Stop after the policy's attempts, or before a sleep that would pass its deadline.

    The deadline is measured on tenacity's own clock (``seconds_since_start``).
    """

    def __init__(self, policy: RetryPolicy | None = None) -> None:
        self.policy: RetryPolicy = policy if policy is not None else RetryPolicy()

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        """Whether to stop retrying."""
        if retry_state.attempt_number >= self.policy.attempts:
            return True
        elapsed = retry_state.seconds_since_start or 0.0
        upcoming = float(getattr(retry_state, "upcoming_sleep", 0.0))
        return elapsed + upcoming >= self.policy.deadline
