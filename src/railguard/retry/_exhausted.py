"""The failure a retry returns when its policy runs out: every attempt's failure kept, in order.

It is the executor document's ``MaxAttemptsExceededFailure`` (``operation_type``,
``max_attempts``, ``error_chain`` as the document's strings), plus the attempts'
failures themselves, typed, in ``failures``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic

import attrs
import typing_extensions

from railguard.core import Failure
from railguard.families.executor import MaxAttemptsExceededFailure

__all__ = ["RetryExhaustedFailure", "exhausted"]

F_co = typing_extensions.TypeVar("F_co", bound=Failure, covariant=True, default=Failure)


# abstract=True: not a catalog entry of its own. On the wire and as an exception it is
# the executor's MaxAttemptsExceededFailure (code EXECUTOR_MAX_ATTEMPTS_EXCEEDED).
@attrs.frozen(kw_only=True)
class RetryExhaustedFailure(MaxAttemptsExceededFailure, Generic[F_co], abstract=True):
    """A retried call failed on every attempt its policy allowed; a person must act.

    ``failures`` holds each attempt's failure, typed, in order (``error_chain`` the
    same as ``"CODE: message"`` strings, as the executor document keeps them); the
    last one is also the ``cause``, so ``unwrap_or_raise`` raises
    ``MaxAttemptsExceededError`` with the last attempt's exception as ``__cause__``.
    """

    failures: tuple[F_co, ...]


def exhausted(
    *,
    operation: str,
    max_attempts: int,
    chain: Sequence[F_co],
    deadline: float | None,
) -> RetryExhaustedFailure[F_co]:
    """Build the exhaustion failure.

    ``deadline`` is given when the deadline, not the attempt count, ended the retry.
    """
    made = len(chain)
    failure = RetryExhaustedFailure(
        operation_type=operation,
        max_attempts=max_attempts,
        error_chain=tuple(f"{failure.code}: {failure.message}" for failure in chain),
        failures=tuple(chain),
        cause=chain[-1] if chain else None,
        details={
            "attempts_made": made,
            "stopped_by": "attempts" if deadline is None else "deadline",
        },
    )
    if deadline is None:
        return failure  # the document's message: "Maximum {operation} attempts (N) exceeded"
    return attrs.evolve(
        failure,
        message=(
            f"Retry deadline of {deadline:g}s for {operation} reached after "
            f"{made} attempt{'s' if made != 1 else ''}"
        ),
    )
