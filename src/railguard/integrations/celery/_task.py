"""The task decorator: a ``Result``-returning function run by Celery, retried by its failures."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Generic, ParamSpec, TypeVar, cast

import attrs
from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded, TaskPredicate
from returns.result import Result, Success

from railguard.core import Failure, InternalFailure, MalformedFailure, Recovery, TimeoutFailure
from railguard.observe import REQUEST_ID, report
from railguard.retry import DEFAULT_POLICY, RetryExhaustedFailure, RetryPolicy, sleep_for

from ._ids import retry_headers, running_with_id, sent_headers
from ._pending import Pending
from ._records import Outcome, Record, err_outcome, failure_of, ok_outcome, record_of

__all__ = [
    "LOGGER_NAME",
    "Call",
    "Escalate",
    "Regenerate",
    "ResultTask",
    "Sender",
    "TaskInfo",
    "result_task",
]

P = ParamSpec("P")
T = TypeVar("T")
F = TypeVar("F", bound=Failure)

LOGGER_NAME = "railguard.celery"
_log = logging.getLogger(LOGGER_NAME)


@attrs.frozen
class Call:
    """A task's arguments, as they cross the broker (JSON values)."""

    args: tuple[object, ...] = ()
    kwargs: Mapping[str, object] = attrs.field(factory=dict)

    @classmethod
    def of(cls, *args: object, **kwargs: object) -> Call:
        """The call ``task(*args, **kwargs)``."""
        return cls(args, kwargs)


@attrs.frozen
class TaskInfo:
    """Which task and attempt a hook is called for."""

    name: str
    task_id: str
    attempt: int
    call: Call


Regenerate = Callable[[Failure, Call], Result[Call, Failure]]
"""A regenerate step: new arguments from the failure and the call that failed."""
Escalate = Callable[[Failure, TaskInfo], object]
"""An escalation hook: told of every failure that asks for a person (``ESCALATE``)."""


@attrs.frozen
class _Spec:
    """Everything a worker needs to run one attempt and decide what follows."""

    name: str
    function: Callable[..., Result[object, object]]
    idempotent: bool
    policy: RetryPolicy
    regenerate: Regenerate | None
    escalate: Escalate | None


class ResultTask(Generic[P, T, F]):
    """A Celery task made from a function returning ``Result[T, F]`` (see `result_task`).

    Calling it runs the function here, once; `delay` sends it to the workers and
    gives a `Pending` whose `Pending.get` / `Pending.wait` is the ``Result``.
    """

    __slots__ = ("_function", "_queue", "_task")

    def __init__(
        self, function: Callable[P, Result[T, F]], task: Task[..., object], queue: str | None
    ) -> None:
        self._function = function
        self._task = task
        self._queue = queue

    @property
    def name(self) -> str:
        """The Celery task name (the function's module and qualified name by default)."""
        return str(self._task.name)

    @property
    def celery_task(self) -> Task[..., object]:
        """The registered Celery task (it takes one argument: the call's envelope)."""
        return self._task

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Result[T, F]:
        """Run the function in this process, once (no broker, no retry)."""
        return self._function(*args, **kwargs)

    def delay(self, *args: P.args, **kwargs: P.kwargs) -> Pending[T, F]:
        """Send the task to the workers with these arguments (JSON values)."""
        return self.options().delay(*args, **kwargs)

    def options(
        self,
        *,
        idempotency_key: str | None = None,
        countdown: float | None = None,
        queue: str | None = None,
        request_id: str | None = None,
    ) -> Sender[P, T, F]:
        """The same task with sending options.

        Args:
            idempotency_key: lets a non-idempotent task be retried (the function
                is expected to honour the key, e.g. by sending it downstream).
            countdown: seconds before the first attempt may start.
            queue: the queue to send to (default: the task's, see `result_task`).
            request_id: the id the task runs with (letters, digits, ``._:-``, at
                most 128; else `ValueError` when sent); default: the current
                `railguard.observe.REQUEST_ID`, if any.
        """
        return Sender(
            self._task,
            idempotency_key=idempotency_key,
            countdown=countdown,
            queue=queue or self._queue,
            request_id=request_id,
        )

    def pending(self, task_id: str) -> Pending[T, F]:
        """The `Pending` of a task sent earlier (by any process), from its id."""
        return Pending(self._task.AsyncResult(task_id))


class Sender(Generic[P, T, F]):
    """A `ResultTask` with sending options (`ResultTask.options`)."""

    __slots__ = ("_countdown", "_key", "_queue", "_request_id", "_task")

    def __init__(
        self,
        task: Task[..., object],
        *,
        idempotency_key: str | None,
        countdown: float | None,
        queue: str | None,
        request_id: str | None = None,
    ) -> None:
        self._task = task
        self._key = idempotency_key
        self._countdown = countdown
        self._queue = queue
        self._request_id = request_id

    def delay(self, *args: P.args, **kwargs: P.kwargs) -> Pending[T, F]:
        """Send the task with these arguments and options.

        The message carries the request id (`ResultTask.options`, else the current
        `railguard.observe.REQUEST_ID`) in its ``railguard_request_id`` header.
        """
        serializer = self._task.app.conf.result_serializer
        if serializer != "json":
            raise ValueError(
                f"railguard tasks store their results as JSON; result_serializer is {serializer!r}"
            )
        envelope = {"args": list(args), "kwargs": dict(kwargs), "key": self._key, "attempts": []}
        sent = self._task.apply_async(
            (envelope,),
            countdown=self._countdown,  # type: ignore[arg-type]  # None: Celery's default
            queue=self._queue,  # type: ignore[arg-type]  # None: the task's own queue
            headers=sent_headers(self._request_id),  # type: ignore[arg-type]  # None: no header
        )
        return Pending(sent)


def result_task(
    app: Celery,
    *,
    idempotent: bool,
    policy: RetryPolicy = DEFAULT_POLICY,
    regenerate: Regenerate | None = None,
    escalate: Escalate | None = None,
    name: str | None = None,
    acks_late: bool = False,
    queue: str | None = None,
) -> Callable[[Callable[P, Result[T, F]]], ResultTask[P, T, F]]:
    """Register a function returning ``Result[T, F]`` as a Celery task of ``app``.

    On the worker, each attempt's ``Err`` (or raised exception, mapped by
    `railguard.Failure.from_exception`) is handled by its ``failure.retry``:
    backoff, the server's hint (capped by ``policy.hint_max``) and reconnect
    become a Celery retry with that countdown (only if ``idempotent`` or the
    call has an idempotency key); regenerate asks ``regenerate`` for new
    arguments and retries at once; don't-retry and escalate finish at once,
    escalate calling ``escalate`` first. ``policy`` bounds attempts and the
    deadline (wall-clock seconds since the first attempt started, across
    workers); when it runs out the task returns a `RetryExhaustedFailure`
    holding every attempt's failure. Results go to the backend as JSON records.

    Args:
        app: the Celery application.
        idempotent: whether running the function twice is harmless.
        policy: attempts, deadline, waits and hint cap.
        regenerate: new arguments for a failure whose recovery is regenerate;
            without it such failures finish at once.
        escalate: called (on the worker) with every failure the task finishes
            with whose recovery is escalate, exhaustion included.
        name: the task name (default: the function's module and qualified name).
        acks_late: acknowledge the message only after the attempt (a worker
            lost mid-task leaves the message to be delivered again).
        queue: the queue it is sent to unless `ResultTask.options` names another
            (Celery's routing applies when neither does).
    """

    def decorate(function: Callable[P, Result[T, F]]) -> ResultTask[P, T, F]:
        spec = _Spec(
            name=name or f"{function.__module__}.{function.__qualname__}",
            function=cast(Callable[..., Result[object, object]], function),
            idempotent=idempotent,
            policy=policy,
            regenerate=regenerate,
            escalate=escalate,
        )

        def run(task: Task[..., object], envelope: object) -> Outcome:
            with running_with_id(task):  # every report and stored failure carries the id
                if not _is_envelope(envelope):  # sent by hand, not through `ResultTask.delay`
                    return err_outcome(MalformedFailure(message=_NOT_AN_ENVELOPE))
                return _attempt(spec, task, cast(Mapping[str, object], envelope))

        options: dict[str, object] = {
            "name": spec.name,
            "bind": True,
            "serializer": "json",
            "max_retries": None,  # the policy bounds the retries
            "acks_late": acks_late,
        }
        register = cast(Callable[..., Callable[..., "Task[..., object]"]], app.task)
        return ResultTask(function, register(**options)(run), queue)

    return decorate


# --- the worker's side -----------------------------------------------------------------------


_NOT_AN_ENVELOPE = "The task was sent without railguard's call envelope; use ResultTask.delay."


def _is_envelope(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("args"), list)
        and isinstance(value.get("kwargs"), dict)
        and isinstance(value.get("attempts"), list)
    )


def _attempt(spec: _Spec, task: Task[..., object], envelope: Mapping[str, object]) -> Outcome:
    """Run one attempt; return its outcome, or raise Celery's ``Retry`` to schedule the next."""
    call = Call(
        tuple(cast(Sequence[object], envelope.get("args") or ())),
        dict(cast(Mapping[str, object], envelope.get("kwargs") or {})),
    )
    records = list(cast(Sequence[Record], envelope.get("attempts") or ()))
    first = envelope.get("first")
    started = first if isinstance(first, float) else time.time()
    info = TaskInfo(spec.name, str(task.request.id), len(records) + 1, call)
    outcome = _run(spec, call)
    if isinstance(outcome, Success):
        return ok_outcome(outcome.unwrap())
    failure = outcome
    key = envelope.get("key")
    step = _next(
        spec, failure, info, elapsed=time.time() - started, repeatable=isinstance(key, str)
    )
    if isinstance(step, _Exhausted):
        chain = [*(failure_of(record) for record in records), failure]
        return _finish(spec, _exhaust(spec, chain, step.deadline), info)
    if isinstance(step, Failure):
        return _finish(spec, step, info)
    next_call, countdown = step
    report(failure, boundary="celery", outcome="attempt", log=False)  # logged just below
    _log.info(
        "railguard: %s attempt %d failed with %s; retrying in %.2fs",
        spec.name,
        info.attempt,
        failure.code,
        countdown,
        extra={"request_id": REQUEST_ID.get()},  # as `report`'s lines carry it
    )
    retried = {
        "args": list(next_call.args),
        "kwargs": dict(next_call.kwargs),
        "key": key,
        "attempts": [*records, record_of(failure)],
        "first": started,
    }
    raise task.retry(  # the same request id for every attempt, even a generated one
        args=(retried,), kwargs={}, countdown=countdown, headers=retry_headers(task)
    )


def _run(spec: _Spec, call: Call) -> Failure | Success[object]:
    """One attempt: the function's ``Ok`` (as `Success`) or its failure, raised ones mapped."""
    try:
        result = spec.function(*call.args, **call.kwargs)
    except TaskPredicate:  # Celery's own control flow (Retry, Ignore, Reject)
        raise
    except SoftTimeLimitExceeded:
        return TimeoutFailure(message="The task exceeded its soft time limit.")
    except Exception as exc:  # noqa: BLE001  # every raise becomes a failure, sanitized
        # an unexpected one keeps its exception for the log (never the backend): `_finish`
        return Failure.from_exception(exc)
    if isinstance(result, Success):
        return cast(Success[object], result)
    error = result.failure()
    if isinstance(error, Failure):
        return error
    _log.error("railguard: task %s returned Err(%r), not a railguard Failure", spec.name, error)
    return InternalFailure()


@attrs.frozen
class _Exhausted:
    deadline: float | None  # set when the deadline, not the attempt count, ran out


def _next(  # noqa: PLR0911  # one return per rule, as railguard.retry plans
    spec: _Spec, failure: Failure, info: TaskInfo, *, elapsed: float, repeatable: bool
) -> Failure | _Exhausted | tuple[Call, float]:
    """The failure to finish with, exhaustion, or the call to retry and its countdown."""
    recovery = failure.recovery
    if not failure.retry.retryable:  # don't retry, escalate
        return failure
    if recovery is Recovery.REGENERATE:
        if spec.regenerate is None:
            return failure
    elif not (spec.idempotent or repeatable):  # backoff, after hint, reconnect: the same call
        return failure
    policy = spec.policy
    if info.attempt >= policy.attempts:
        return _Exhausted(None)
    countdown = sleep_for(failure, info.attempt, policy)
    if elapsed + countdown >= policy.deadline:
        return _Exhausted(policy.deadline)
    if recovery is not Recovery.REGENERATE or spec.regenerate is None:
        return info.call, countdown
    regenerated = spec.regenerate(failure, info.call)
    if isinstance(regenerated, Success):
        return regenerated.unwrap(), countdown
    return regenerated.failure()  # a failing step ends the task with its failure


def _exhaust(
    spec: _Spec, chain: list[Failure], deadline: float | None
) -> RetryExhaustedFailure[Failure]:
    """The exhaustion failure, as `railguard.retry` builds it, over every attempt's failure."""
    made = len(chain)
    failure = RetryExhaustedFailure(
        operation_type=spec.name,
        max_attempts=spec.policy.attempts,
        failures=tuple(chain),
        details={
            "attempts_made": made,
            "stopped_by": "attempts" if deadline is None else "deadline",
        },
    )
    if deadline is None:
        return failure
    return attrs.evolve(
        failure,
        message=f"Retry deadline of {deadline:g}s for {spec.name} reached after {made} attempt"
        + ("s" if made != 1 else ""),
    )


def _finish(spec: _Spec, failure: Failure, info: TaskInfo) -> Outcome:
    """The outcome of a failed task; a failure asking for a person goes to the hook first."""
    report(failure, boundary="celery")
    if failure.recovery is Recovery.ESCALATE and spec.escalate is not None:
        try:
            spec.escalate(failure, info)
        except Exception:  # noqa: BLE001  # a broken hook must not lose the result
            _log.exception("railguard: the escalation hook of %s failed", spec.name)
    return err_outcome(failure)
