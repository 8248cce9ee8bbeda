"""Celery tasks returning ``Result``: failures through the result backend, retried by semantics.

Install with the ``celery`` extra. `result_task` registers a function returning
``Result[T, F]`` as a Celery task; ``task.delay(...)`` gives a `Pending` whose
`Pending.get` (or ``await`` `Pending.wait`) is the ``Result[T, F]`` again, the
failure typed as it was returned. Failures cross the result backend as their JSON
records (Celery's JSON serializer, never pickle); retries are scheduled by Celery
from each failure's ``retry`` semantics, bounded by a `railguard.retry.RetryPolicy`.
The caller's request id travels in the `REQUEST_ID_HEADER` message header; the task
runs with it (`railguard.observe.REQUEST_ID`), and a failed task's outcome keeps it
(`Pending.request_id`).
"""

from ._ids import HEADER as REQUEST_ID_HEADER
from ._pending import Pending
from ._records import failure_of, record_of
from ._task import (
    LOGGER_NAME,
    Call,
    Escalate,
    Regenerate,
    ResultTask,
    Sender,
    TaskInfo,
    result_task,
)

__all__ = [
    "LOGGER_NAME",
    "REQUEST_ID_HEADER",
    "Call",
    "Escalate",
    "Pending",
    "Regenerate",
    "ResultTask",
    "Sender",
    "TaskInfo",
    "failure_of",
    "record_of",
    "result_task",
]
