"""A Celery task's failures reach railguard.observe once: attempts to observers, the end logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from celery import Celery

from railguard import Err, Failure, InternalFailure, Result
from railguard.families.kneo import KneoRateLimitedFailure
from railguard.integrations.celery import result_task
from railguard.observe import Observation, add_observer, remove_observer
from railguard.retry import RetryPolicy

POLICY = RetryPolicy(attempts=3, deadline=30.0, wait_initial=0.0, wait_jitter=0.0, hint_max=0.0)
SECRET = "celery-secret-hunter2"


@pytest.fixture
def app() -> Iterator[Celery]:
    """An eager Celery app: tasks run in this process when sent."""
    eager = Celery("eager-observe", broker="memory://", backend="cache+memory://")
    eager.conf.update(task_always_eager=True, result_serializer="json")
    yield eager
    eager.close()


@pytest.fixture
def seen() -> Iterator[list[Observation]]:
    """Every observation reported while the test runs."""
    observations: list[Observation] = []
    add_observer(observations.append)
    yield observations
    remove_observer(observations.append)


def test_retried_then_failing_task_reports_each_attempt_and_the_end_once(
    app: Celery, seen: list[Observation], caplog: pytest.LogCaptureFixture
) -> None:
    """A retried attempt is observed once; the unexpected end is logged once, no secret on it."""
    script: list[Result[str, Failure]] = [Err(KneoRateLimitedFailure(retry_after=0.0))]

    @result_task(app, idempotent=True, policy=POLICY, name="observe.flaky")
    def flaky() -> Result[str, Failure]:
        if script:
            return script.pop(0)
        raise RuntimeError(f"password={SECRET}")

    with caplog.at_level(logging.INFO, logger="railguard.celery"):
        result = flaky.delay().get()
    assert result == Err(InternalFailure())
    assert [(o.outcome, o.failure.code) for o in seen] == [
        ("attempt", "KNEO_RATE_LIMITED"),
        ("answered", "INTERNAL"),
    ]
    answered = [r for r in caplog.records if r.getMessage().startswith("answered ")]
    assert len(answered) == 1
    assert answered[0].levelno == logging.ERROR
    assert answered[0].exc_info is not None
    assert SECRET not in answered[0].getMessage()
