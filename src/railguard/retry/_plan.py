"""What to do after a failed attempt, decided from the failure alone: pure, no tenacity."""

from __future__ import annotations

import enum
from typing import NamedTuple

from railguard.core import Failure, Recovery

from ._policy import RetryPolicy

__all__ = ["Action", "Plan", "Step", "plan", "sleep_for"]


class Step(enum.Enum):
    """The recovery step run before the next attempt."""

    NONE = "none"
    RECONNECT = "reconnect"
    REGENERATE = "regenerate"


class Action(enum.Enum):
    """The outcome of planning."""

    RETURN = "return"
    """Not retryable here: the failure is returned as it is."""
    RETRY = "retry"
    """Sleep, run the step, try again."""
    GIVE_UP = "give_up"
    """Retryable, but the policy's attempts or deadline are spent."""


class Plan(NamedTuple):
    """The decision after one failed attempt (a tuple: made once per attempt, cheaply)."""

    action: Action
    reason: str
    sleep: float = 0.0
    step: Step = Step.NONE


_BACKOFF, _AFTER_HINT = Recovery.BACKOFF, Recovery.AFTER_HINT
_RECONNECT, _REGENERATE = Recovery.RECONNECT, Recovery.REGENERATE


def sleep_for(failure: Failure, attempt: int, policy: RetryPolicy) -> float:
    """The wait before retrying after ``failure`` on attempt number ``attempt``.

    A server's hint (``failure.retry.after``) always wins, capped at
    ``policy.hint_max``; otherwise a regeneration retries at once and
    everything else backs off exponentially with jitter.
    """
    semantics = failure.retry
    if semantics.after is not None:
        return policy.hinted(semantics.after)
    if semantics.recovery is _REGENERATE:
        return 0.0
    return policy.backoff(attempt)


def plan(  # noqa: PLR0911  # one return per rule, in the order the docs list them
    failure: Failure,
    *,
    attempt: int,
    elapsed: float,
    policy: RetryPolicy,
    repeatable: bool,
    can_reconnect: bool,
    can_regenerate: bool,
    from_step: bool = False,
) -> Plan:
    """Decide what follows failed attempt number ``attempt`` (1-based).

    Args:
        failure: the attempt's failure.
        attempt: how many attempts have been made, this one included.
        elapsed: seconds since the first attempt started.
        policy: the bounds.
        repeatable: the call is idempotent or carries an idempotency key.
        can_reconnect: a reconnect step was supplied.
        can_regenerate: a regenerate step was supplied.
        from_step: the failure came from a recovery step, not from the call;
            repeating a step is always allowed.
    """
    # identity tests throughout: an Enum member's hash is computed in Python
    recovery = failure.recovery
    if recovery is _REGENERATE:
        if not can_regenerate:
            return Plan(Action.RETURN, "recovery is regenerate and no regenerate step was given")
        step = Step.REGENERATE
    elif recovery is _BACKOFF or recovery is _AFTER_HINT or recovery is _RECONNECT:
        if recovery is _RECONNECT and not can_reconnect:
            return Plan(Action.RETURN, "recovery is reconnect and no reconnect step was given")
        if not (repeatable or from_step):
            return Plan(Action.RETURN, "the call is not idempotent and has no idempotency key")
        step = Step.RECONNECT if recovery is _RECONNECT else Step.NONE
    else:  # don't retry, escalate
        return Plan(Action.RETURN, f"recovery is {recovery.value}")
    if attempt >= policy.attempts:
        return Plan(Action.GIVE_UP, f"{attempt} attempts made", 0.0, step)
    sleep = sleep_for(failure, attempt, policy)
    if elapsed + sleep >= policy.deadline:
        return Plan(
            Action.GIVE_UP,
            f"sleeping {sleep:.2f}s would pass the {policy.deadline:g}s deadline",
            sleep=sleep,
            step=step,
        )
    return Plan(Action.RETRY, recovery.value, sleep, step)
