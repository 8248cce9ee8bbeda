"""Request ids across the broker: the header a task is sent with, the worker's id, the stored ids.

The sender puts the caller's id (`railguard.observe.REQUEST_ID`, or the one given to
`ResultTask.options`) in the message header `HEADER`. The worker runs each task with
`REQUEST_ID` set to that header when it is a plain token (what `RequestIdMiddleware`
keeps of an ``X-Request-ID``), else to a new id, and resets it after the task; a
retry is sent with the id the worker kept. A failed task's outcome carries the id
(and the current OpenTelemetry trace id) beside its record, as an envelope frame
carries them beside ``error``. The reader's `Pending.request_id` and
`Pending.trace_id` are well-formed stored ids; anything else reads as ``None``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Final, TypeGuard, cast

from celery import Task

from railguard._wire._exchange import valid_trace_id
from railguard.core import plain_request_id
from railguard.observe._request_id import REQUEST_ID, accept_request_id, trace_id

__all__ = [
    "HEADER",
    "add_ids",
    "plain_token",
    "retry_headers",
    "running_with_id",
    "sent_headers",
    "stored_id",
    "stored_trace_id",
]

HEADER: Final = "railguard_request_id"
"""The task message header that carries the sender's request id."""


def plain_token(value: object) -> TypeGuard[str]:
    """Whether ``value`` is an id to keep: a ``str`` of letters, digits, ``._:-``, ≤ 128."""
    return type(value) is str and plain_request_id(value) is not None


def sent_headers(request_id: str | None) -> dict[str, str] | None:
    """The headers of a task sent now: ``request_id``, else the current id (``None``: none).

    An explicit ``request_id`` that is not a plain token is the caller's mistake
    (`ValueError`); a current id that is not one is not sent (the worker makes one).
    """
    if request_id is not None:
        if not plain_token(request_id):
            raise ValueError(
                f"a task's request_id is letters, digits and '._:-' (at most 128), "
                f"not {request_id[:40]!r}"
            )
        return {HEADER: request_id}
    current = REQUEST_ID.get()
    return {HEADER: current} if current is not None and plain_token(current) else None


def _incoming(task: Task[..., object]) -> str:
    """The id the task was sent with when it is a plain token, else a new one."""
    headers = task.request.headers
    value = headers.get(HEADER) if isinstance(headers, Mapping) else None
    return accept_request_id(value if isinstance(value, str) else None)


@contextmanager
def running_with_id(task: Task[..., object]) -> Iterator[str]:
    """Run the block with `REQUEST_ID` set to the task's id (reset after, however it ends)."""
    request_id = _incoming(task)
    token = REQUEST_ID.set(request_id)
    try:
        yield request_id
    finally:
        REQUEST_ID.reset(token)


def retry_headers(task: Task[..., object]) -> dict[str, str]:
    """The headers of the task's retry: its own, with the id this attempt ran with."""
    headers = task.request.headers
    kept: dict[str, object] = dict(headers) if isinstance(headers, Mapping) else {}
    kept[HEADER] = REQUEST_ID.get()
    return cast("dict[str, str]", kept)  # celery-types' type; another tool's may be any JSON


def add_ids(outcome: dict[str, object]) -> None:
    """Store the current request id and trace id (when set) in a failed ``outcome``."""
    request_id = REQUEST_ID.get()
    if request_id is not None:
        outcome["request_id"] = request_id
    trace = trace_id()
    if trace is not None:
        outcome["trace_id"] = trace


def stored_id(outcome: Mapping[str, object]) -> str | None:
    """The worker's request id of a stored outcome; ``None`` when absent or not a plain token."""
    value = outcome.get("request_id")
    return value if plain_token(value) else None


def stored_trace_id(outcome: Mapping[str, object]) -> str | None:
    """The worker's trace id of a stored outcome; ``None`` when absent or malformed.

    Well-formed is what `add_ids` stores: OpenTelemetry's 32 lowercase hex digits.
    """
    value = outcome.get("trace_id")
    return cast("str", value) if valid_trace_id(value) else None
