"""The caller's side: a sent task's `Result`, waited for synchronously or asynchronously."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Generic, TypeVar, cast

from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import AsyncResult
from returns.result import Failure as Err
from returns.result import Result

from railguard.core import Failure, TimeoutFailure

from ._ids import stored_id, stored_trace_id
from ._records import decode_outcome

__all__ = ["Pending"]

T = TypeVar("T")
F = TypeVar("F", bound=Failure)


class Pending(Generic[T, F]):
    """A task sent to the workers; `get` or `wait` gives its ``Result[T, F]``.

    Besides ``F``, the error side can hold: a `railguard.TimeoutFailure` when the
    wait times out, a `railguard.retry.RetryExhaustedFailure` when the retry
    policy ran out, and the failure of any exception the task raised (sanitized
    to `railguard.InternalFailure` when unexpected).
    """

    __slots__ = ("_result",)

    def __init__(self, result: AsyncResult[object]) -> None:
        self._result = result

    @property
    def id(self) -> str:
        """The Celery task id."""
        return str(self._result.id)

    @property
    def async_result(self) -> AsyncResult[object]:
        """The underlying Celery ``AsyncResult``."""
        return self._result

    @property
    def request_id(self) -> str | None:
        """The request id a failed task ran with, as its worker stored it; else ``None``.

        The sender's id when it sent one (see `REQUEST_ID_HEADER`), else the one the
        worker made. ``None`` before the task finished, for a success, and for a stored
        id that is not a plain token (never read as it is).
        """
        outcome = self._outcome()
        return None if outcome is None else stored_id(outcome)

    @property
    def trace_id(self) -> str | None:
        """The OpenTelemetry trace id a failed task ran in, as its worker stored it; else ``None``.

        Stored when a span was current in the worker (an instrumented worker, or a task
        that opens one). ``None`` before the task finished, for a success, without a
        span, and for a stored value that is not 32 lowercase hex digits.
        """
        outcome = self._outcome()
        return None if outcome is None else stored_trace_id(outcome)

    def _outcome(self) -> Mapping[str, object] | None:
        """The stored outcome of a finished task, when it is a mapping (railguard's)."""
        if not self._result.ready():
            return None
        outcome = self._result.result
        return cast("Mapping[str, object]", outcome) if isinstance(outcome, Mapping) else None

    def ready(self) -> bool:
        """Whether the task has finished (its result is stored)."""
        return self._result.ready()

    def get(self, timeout: float | None = None, *, poll: float = 0.05) -> Result[T, F | Failure]:
        """Block until the task finishes, at most ``timeout`` seconds; never raises.

        Without a timeout this is Celery's own wait (the Redis backend is told by
        pub/sub). With one, the backend is polled every ``poll`` seconds, so the
        timeout is kept to within ``poll`` (Celery's own wait may overrun it by a
        second). A wait that times out is ``Err(TimeoutFailure)`` with ``task_id``
        and ``timeout_seconds`` in its details; the task goes on and can be waited
        for again.
        """
        if timeout is not None:
            end = time.monotonic() + timeout
            while not self._result.ready():
                left = end - time.monotonic()
                if left <= 0:
                    return Err(self._timed_out(timeout))
                time.sleep(min(poll, left))
        try:
            value = self._result.get(propagate=False)
        except CeleryTimeoutError:  # pragma: no cover  # no timeout was given
            return Err(self._timed_out(timeout))
        return cast(Result[T, F | Failure], decode_outcome(value))

    async def wait(
        self, timeout: float | None = None, *, poll: float = 0.05
    ) -> Result[T, F | Failure]:
        """`get` for coroutines: polls the result backend every ``poll`` seconds.

        Each poll runs in a worker thread, so the event loop is never blocked;
        cancelling the coroutine stops the polling.
        """
        loop = asyncio.get_running_loop()
        end = None if timeout is None else loop.time() + timeout
        while not await asyncio.to_thread(self._result.ready):
            left = None if end is None else end - loop.time()
            if left is not None and left <= 0:
                return Err(self._timed_out(timeout))
            await asyncio.sleep(poll if left is None else min(poll, left))
        return await asyncio.to_thread(self.get)  # stored already: one read

    def _timed_out(self, timeout: float | None) -> TimeoutFailure:
        seconds = 0.0 if timeout is None else timeout
        return TimeoutFailure(
            message=f"The task did not finish within {seconds:g} s.",
            details={"task_id": self.id, "timeout_seconds": seconds},
        )

    def __repr__(self) -> str:
        return f"Pending(id={self.id!r})"
