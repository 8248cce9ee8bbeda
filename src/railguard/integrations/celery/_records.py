"""What a railguard task stores in Celery's result backend, and how the caller reads it back.

A task's return value is an *outcome*, always stored in the ``SUCCESS`` state with
Celery's JSON serializer: ``{"ok": value}`` or ``{"err": record}``, where ``record``
is the failure's JSON record; an exhausted retry adds ``"attempts"``: the record of
every attempt's failure, in order. A failed outcome also holds the task's
``request_id`` and, when a span was current, its ``trace_id`` (`._ids`). Exceptions
never reach the backend: a raised one is mapped to its failure first
(`railguard.Failure.from_exception`). A failure read back is the application's own,
as the task returned it (no peer mark: a task is the application's code, not an
upstream service); the stored request id is read by `Pending.request_id`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import attrs
from returns.result import Failure as Err
from returns.result import Result, Success

from railguard import _wire
from railguard._catalog import load_catalog
from railguard.core import Failure, MalformedFailure
from railguard.families.executor import MaxAttemptsExceededFailure
from railguard.retry import RetryExhaustedFailure

from ._ids import add_ids

load_catalog()  # a record from another process may name any registered class

__all__ = ["Outcome", "Record", "decode_outcome", "err_outcome", "ok_outcome"]

Record = dict[str, object]
"""A failure's JSON-ready record."""
Outcome = dict[str, object]
"""What the task returns to Celery (and Celery stores): ``{"ok": ...}`` or ``{"err": ...}``."""

_RAW_CAP = 200


# The one place records are made and read: railguard's one wire model, in the layout
# of the WebSocket envelope's ``error`` object (the record every wire carries).
def _record_of(failure: Failure) -> Record:
    return _wire.write(failure, _wire.ENVELOPE)


def _failure_of(record: Mapping[str, object]) -> Failure:
    try:
        return _wire.read(dict(record), _wire.ENVELOPE, _wire.Context())
    except _wire.WireError as error:
        return _malformed(record, str(error))


def record_of(failure: Failure) -> Record:
    """The failure's JSON record (an exhausted retry's attempts travel beside it)."""
    return _record_of(failure)


def failure_of(record: object) -> Failure:
    """The failure of a record; anything else decodes to a `MalformedFailure` (never raises)."""
    if not isinstance(record, Mapping):
        return _malformed(record)
    return _failure_of(cast(Mapping[str, object], record))


def ok_outcome(value: object) -> Outcome:
    """The stored form of ``Ok(value)``."""
    return {"ok": value}


def err_outcome(failure: Failure) -> Outcome:
    """The stored form of ``Err(failure)``; an exhausted retry keeps every attempt's record.

    The current request id and trace id (the task's, on a worker) are stored beside it.
    """
    outcome: Outcome = {"err": record_of(failure)}
    if isinstance(failure, RetryExhaustedFailure):
        outcome["attempts"] = [record_of(attempt) for attempt in failure.failures]
    add_ids(outcome)
    return outcome


def decode_outcome(value: object) -> Result[object, Failure]:
    """The `Result` of a stored outcome (or of the exception Celery hands back); never raises."""
    if isinstance(value, BaseException):  # a foreign task, a revoke, a lost worker
        return Err(Failure.from_exception(value))
    if isinstance(value, Mapping):
        if "ok" in value:
            return Success(value["ok"])
        if "err" in value:
            failure = failure_of(value["err"])
            attempts = value.get("attempts")
            if isinstance(attempts, Sequence):
                failure = _exhausted(failure, [failure_of(item) for item in attempts])
            return Err(failure)
    return Err(_malformed(value))


def _exhausted(failure: Failure, attempts: list[Failure]) -> Failure:
    """The stored exhaustion with its attempts (an executor record, as older stores kept it)."""
    if isinstance(failure, RetryExhaustedFailure):
        return attrs.evolve(failure, failures=tuple(attempts))
    if isinstance(failure, MaxAttemptsExceededFailure):
        return RetryExhaustedFailure.from_executor(failure, attempts)
    return failure


def _malformed(value: object, problem: str | None = None) -> MalformedFailure:
    return MalformedFailure(
        message=problem or "The task's stored result is not a railguard outcome.",
        raw=repr(value)[:_RAW_CAP],
    )
