"""`RetryExhaustedFailure`: what a retry returns when its policy runs out (also `railguard.retry`).

Defined outside `railguard.retry` (which needs tenacity) so every process's catalog
holds it: a decoder without the retry extra still reads ``RETRY_EXHAUSTED``.

`RetryExhaustedFailure` answers with the last attempt's status; on a wire it carries
only the attempts' codes (``attempt_codes``), never their messages: the typed chain
(``failures``) stays in process. Where the executor family is used (its document's
``MaxAttemptsExceededFailure`` with ``error_chain`` strings), `to_executor` and
`from_executor` map to and from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Generic

import attrs
import typing_extensions

from railguard.core import Category, Failure, RailguardError, attach_cause

if TYPE_CHECKING:
    from railguard.families.executor import MaxAttemptsExceededFailure

__all__ = ["RetryExhaustedFailure", "exhausted"]

F_co = typing_extensions.TypeVar("F_co", bound=Failure, covariant=True, default=Failure)


def _last_status(self: RetryExhaustedFailure[Failure]) -> HTTPStatus:
    return self.failures[-1].status if self.failures else HTTPStatus.INTERNAL_SERVER_ERROR


def _codes(self: RetryExhaustedFailure[Failure]) -> tuple[str, ...]:
    return tuple(failure.code for failure in self.failures)


def _default_message(self: RetryExhaustedFailure[Failure]) -> str:
    return f"Maximum {self.operation_type} attempts ({self.max_attempts}) exceeded"


@attrs.frozen(kw_only=True)
class RetryExhaustedFailure(
    Failure, Generic[F_co], code="RETRY_EXHAUSTED", category=Category.WORKFLOW
):
    """A retried call failed on every attempt its policy allowed; a person must act.

    ``failures`` holds each attempt's failure, typed, in order (in process only: it
    is neither compared nor sent); ``attempt_codes`` their codes, which is all a wire
    carries of them. ``status`` is the last attempt's. ``unwrap_or_raise`` raises a
    `railguard.RailguardError` whose ``__cause__`` is the last attempt's exception.
    """

    operation_type: str
    max_attempts: int
    failures: tuple[F_co, ...] = attrs.field(default=(), eq=False, repr=False)
    attempt_codes: tuple[str, ...] = attrs.field(
        default=attrs.Factory(_codes, takes_self=True), converter=tuple
    )
    status: HTTPStatus = attrs.field(
        default=attrs.Factory(_last_status, takes_self=True), converter=HTTPStatus
    )
    message: str = attrs.field(default=attrs.Factory(_default_message, takes_self=True))

    @property
    def error_chain(self) -> tuple[str, ...]:
        """The executor document's ``"CODE: message"`` strings, one per attempt (in process)."""
        return tuple(f"{failure.code}: {failure.message}" for failure in self.failures)

    def to_exception(self) -> Exception:
        """A `railguard.RailguardError` carrying this failure; the last attempt's as cause."""
        exc = attach_cause(RailguardError(self), self)
        if exc.__cause__ is None and self.failures:
            exc.__cause__ = self.failures[-1].to_exception()
        return exc

    def to_executor(self) -> MaxAttemptsExceededFailure:
        """The executor document's ``MaxAttemptsExceededFailure`` for this exhaustion.

        Its ``error_chain`` strings hold the attempts' messages and its cause is the
        last attempt: use it where the executor family is spoken (its records).
        """
        from railguard.families.executor import MaxAttemptsExceededFailure  # noqa: PLC0415

        return MaxAttemptsExceededFailure(
            operation_type=self.operation_type,
            max_attempts=self.max_attempts,
            error_chain=self.error_chain,
            message=self.message,
            details=self.details,
            cause=self.failures[-1] if self.failures else self.cause,
            retry_after=self.retry_after,
        )

    @classmethod
    def from_executor(
        cls, failure: MaxAttemptsExceededFailure, attempts: Sequence[Failure]
    ) -> RetryExhaustedFailure[Failure]:
        """The exhaustion for the executor's failure and the attempts it stands for."""
        return RetryExhaustedFailure(
            operation_type=failure.operation_type,
            max_attempts=failure.max_attempts,
            failures=tuple(attempts),
            message=failure.message,
            details=failure.details,
            retry_after=failure.retry_after,
        )


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
        failures=tuple(chain),
        details={
            "attempts_made": made,
            "stopped_by": "attempts" if deadline is None else "deadline",
        },
    )
    if deadline is None:
        return failure  # "Maximum {operation} attempts (N) exceeded", as the executor words it
    return attrs.evolve(
        failure,
        message=(
            f"Retry deadline of {deadline:g}s for {operation} reached after "
            f"{made} attempt{'s' if made != 1 else ''}"
        ),
    )
