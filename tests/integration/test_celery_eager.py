"""railguard.integrations.celery's decisions, run in Celery's eager mode (no broker, no worker).

Eager mode runs a task and its retries in this process at once (countdowns are
not waited), so each retry rule is checked quickly; the countdown chosen is read
from the ``railguard.celery`` log. The same rules on a real worker are in test_celery.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded

from railguard import (
    CodeFailure,
    ConflictFailure,
    Err,
    Failure,
    InternalFailure,
    MalformedFailure,
    Ok,
    Result,
    TimeoutFailure,
)
from railguard.families.distiller import ConnectionClosedFailure
from railguard.families.kneo import KneoRateLimitedFailure
from railguard.integrations.celery import (
    LOGGER_NAME,
    Call,
    Pending,
    TaskInfo,
    failure_of,
    result_task,
)
from railguard.retry import RetryExhaustedFailure, RetryPolicy

POLICY = RetryPolicy(attempts=3, deadline=30.0, wait_initial=0.0, wait_jitter=0.0, hint_max=2.0)


@pytest.fixture
def app() -> Iterator[Celery]:
    """An eager Celery app: tasks run in this process when sent."""
    eager = Celery("eager", broker="memory://", backend="cache+memory://")
    eager.conf.update(task_always_eager=True, result_serializer="json")
    yield eager
    eager.close()


def _script(*results: Result[str, Failure]) -> list[Result[str, Failure]]:
    return list(results)


def test_the_hint_is_capped_by_the_policy(app: Celery, caplog: pytest.LogCaptureFixture) -> None:
    """A 1000 s hint becomes a countdown of hint_max (2 s), then the retry succeeds."""
    script = _script(Err(KneoRateLimitedFailure(retry_after=1000.0)), Ok("done"))

    @result_task(app, idempotent=True, policy=POLICY, name="eager.hinted")
    def hinted() -> Result[str, Failure]:
        return script.pop(0)

    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        assert hinted.delay().get() == Ok("done")
    assert "retrying in 2.00s" in caplog.text


def test_the_deadline_ends_the_retry(app: Celery) -> None:
    """A countdown past the policy's deadline ends the task with exhaustion (by deadline)."""
    policy = RetryPolicy(attempts=5, deadline=1.0, hint_max=5.0)

    @result_task(app, idempotent=True, policy=policy, name="eager.late")
    def late() -> Result[str, Failure]:
        return Err(KneoRateLimitedFailure(retry_after=3.0))

    failure = late.delay().get().failure()
    assert isinstance(failure, RetryExhaustedFailure)
    assert failure.details["stopped_by"] == "deadline"
    assert failure.message == "Retry deadline of 1s for eager.late reached after 1 attempt"
    assert failure.failures == (KneoRateLimitedFailure(retry_after=3.0),)


def test_reconnect_is_retried_as_a_fresh_call(app: Celery) -> None:
    """A reconnect failure is retried (each attempt opens its own connections)."""
    script = _script(Err(ConnectionClosedFailure()), Ok("again"))

    @result_task(app, idempotent=True, policy=POLICY, name="eager.reconnect")
    def session() -> Result[str, Failure]:
        return script.pop(0)

    assert session.delay().get() == Ok("again")


def test_regenerate_without_a_step_finishes_at_once(app: Celery) -> None:
    """A code failure with no regenerate step is the task's result, after one attempt."""
    calls: list[str] = []

    @result_task(app, idempotent=True, policy=POLICY, name="eager.no_step")
    def run(source: str) -> Result[str, CodeFailure]:
        calls.append(source)
        return Err(CodeFailure())

    assert run.delay("x").get() == Err(CodeFailure())
    assert calls == ["x"]


def test_a_failing_regenerate_step_ends_the_task(app: Celery) -> None:
    """The regenerate step's own failure is the task's result."""

    def give_up(failure: Failure, call: Call) -> Result[Call, Failure]:
        return Err(ConflictFailure(message="cannot fix"))

    @result_task(app, idempotent=True, policy=POLICY, regenerate=give_up, name="eager.give_up")
    def run(source: str) -> Result[str, CodeFailure]:
        return Err(CodeFailure())

    assert run.delay("x").get() == Err(ConflictFailure(message="cannot fix"))


def test_escalate_calls_the_hook_once_and_finishes(app: Celery) -> None:
    """An escalate failure is not retried; the hook hears of it with the task's details."""
    heard: list[tuple[Failure, TaskInfo]] = []

    def escalate(failure: Failure, info: TaskInfo) -> None:
        heard.append((failure, info))
        raise RuntimeError("the pager is down")  # a broken hook loses nothing

    @result_task(app, idempotent=True, policy=POLICY, escalate=escalate, name="eager.conflict")
    def book(seat: str) -> Result[str, ConflictFailure]:
        return Err(ConflictFailure(message=f"{seat} is taken"))

    assert book.delay("12A").get() == Err(ConflictFailure(message="12A is taken"))
    [(failure, info)] = heard
    assert failure == ConflictFailure(message="12A is taken")
    assert (info.name, info.attempt, info.call) == ("eager.conflict", 1, Call.of("12A"))


def test_an_err_that_is_not_a_failure_is_internal(app: Celery) -> None:
    """Err("text") is not a railguard failure: the caller gets a sanitized internal failure."""

    @result_task(app, idempotent=True, name="eager.foreign")
    def foreign() -> Result[str, Failure]:
        return Err("secret text")  # type: ignore[arg-type]  # what a type checker would reject

    assert foreign.delay().get() == Err(InternalFailure())


def test_a_soft_time_limit_is_a_timeout(app: Celery) -> None:
    """Celery's soft time limit inside a task becomes a TimeoutFailure (retried, then exhausted)."""

    @result_task(app, idempotent=True, policy=POLICY, name="eager.soft")
    def soft() -> Result[str, Failure]:
        raise SoftTimeLimitExceeded

    failure = soft.delay().get().failure()
    assert isinstance(failure, RetryExhaustedFailure)
    assert [f.code for f in failure.failures] == ["TIMEOUT"] * POLICY.attempts
    assert isinstance(failure.failures[-1], TimeoutFailure)
    assert failure.status == failure.failures[-1].status


def test_foreign_stored_results_read_as_failures() -> None:
    """A stored value that is no railguard outcome is malformed; a stored error is its failure."""
    app = Celery("stored", broker="memory://", backend="cache+memory://")

    @result_task(app, idempotent=True, name="stored.reader")
    def reader() -> Result[int, Failure]:
        return Ok(0)

    app.backend.store_result("plain", 42, "SUCCESS")
    app.backend.mark_as_failure("raised", TimeoutError("slow"))
    malformed = reader.pending("plain").get(timeout=5).failure()
    assert isinstance(malformed, MalformedFailure)
    assert malformed.raw == "42"
    assert isinstance(reader.pending("raised").get(timeout=5).failure(), TimeoutFailure)
    assert isinstance(failure_of("not a record"), MalformedFailure)
    app.close()


def test_a_task_sent_by_hand_is_malformed(app: Celery) -> None:
    """Sending the Celery task without railguard's envelope gives a MalformedFailure."""

    @result_task(app, idempotent=True, name="eager.by_hand")
    def task(x: int) -> Result[int, Failure]:
        return Ok(x)

    stored = task.celery_task.delay(1)
    failure = Pending[int, Failure](stored).get(timeout=5).failure()
    assert isinstance(failure, MalformedFailure)
