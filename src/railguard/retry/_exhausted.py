"""The failure a retry returns when its policy runs out: every attempt's failure kept, in order.

Provisional: once the executor family lands, this is its ``MaxAttemptsExceededFailure``
(same fields), and this module only builds it.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from railguard.core import Category, Failure

__all__ = ["RetryExhaustedFailure", "exhausted"]


@attrs.frozen(kw_only=True)
class RetryExhaustedFailure(Failure, code="RETRY_EXHAUSTED", category=Category.WORKFLOW):
    """A retried operation failed on every attempt its policy allowed; a person must act.

    ``error_chain`` holds each attempt's failure in order; the last one is also the
    ``cause``, so the raised exception's ``__cause__`` is the last attempt's exception.
    """

    message: str = "The maximum number of attempts was exceeded."
    operation_type: str
    max_attempts: int
    error_chain: tuple[Failure, ...]


def exhausted(
    *,
    operation: str,
    max_attempts: int,
    chain: Sequence[Failure],
    deadline: float | None,
) -> RetryExhaustedFailure:
    """Build the exhaustion failure.

    ``deadline`` is given when the deadline, not the attempt count, ended the retry.
    """
    made = len(chain)
    if deadline is None:
        message = f"Maximum {operation} attempts ({max_attempts}) exceeded"
    else:
        message = (
            f"Retry deadline of {deadline:g}s for {operation} reached after "
            f"{made} attempt{'s' if made != 1 else ''}"
        )
    return RetryExhaustedFailure(
        message=message,
        operation_type=operation,
        max_attempts=max_attempts,
        error_chain=tuple(chain),
        cause=chain[-1] if chain else None,
        details={
            "attempts_made": made,
            "stopped_by": "attempts" if deadline is None else "deadline",
        },
    )
