"""railguard.integrations.celery on a real Redis and a real Celery worker process.

The session starts ``redis-server`` on a free loopback port and one worker (solo
pool); each test sends tasks from this process and reads their ``Result`` back.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from celery import Celery
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from railguard import Err, Failure, InternalFailure, Ok, Result, TimeoutFailure
from railguard.families.agents import AgentNotFoundFailure
from railguard.families.kneo import KneoServerFailure
from railguard.integrations.celery import result_task
from railguard.retry import RetryExhaustedFailure
from railguard.testing import instances_of
from tests.ws_strategies import PLAIN, groups

from . import celery_tasks as tasks
from .celery_cluster import Worker, redis_server, running_redis, running_worker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@pytest.fixture(scope="session")
def celery_url() -> Iterator[str]:
    """A throwaway Redis on 127.0.0.1; the tasks' app points at it."""
    server = redis_server()
    if server is None:
        reason = "redis-server is not installed (make / .ci/run install the distribution's)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with running_redis(server) as url:
        tasks.configure(url)
        try:
            yield url
        finally:
            tasks.app.close()


@pytest.fixture(scope="session")
def worker(celery_url: str) -> Iterator[Worker]:
    """One worker process on the default queue, up and answering."""
    with running_worker(celery_url) as process:
        if tasks.ping.delay().get(timeout=30) != Ok("pong"):
            pytest.fail(f"the worker did not start:\n{process.output()}")
        yield process


def _name() -> str:
    return uuid.uuid4().hex


def _store() -> redis.Redis:
    return tasks.store()


@settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.generate],  # each example is ~70 tasks: no shrinking
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.tuples(*(instances_of(cls) for cls in PLAIN)), groups)
def test_every_registered_failure_round_trips(
    worker: Worker, failures: tuple[Failure, ...], group: Failure
) -> None:
    """Each registered failure sent to a task comes back from the backend equal, typed."""
    sent = [*failures, group]
    pending = [tasks.echo.delay(tasks.as_record(failure)) for failure in sent]
    for failure, handle in zip(sent, pending, strict=True):
        assert handle.get(timeout=20, poll=0.01) == Err(failure)


def test_flaky_task_is_retried_to_success(worker: Worker) -> None:
    """Two transient failures, then success: the third attempt's answer comes back."""
    assert tasks.flaky.delay(_name(), 2).get(timeout=20) == Ok(3)


def test_rate_limited_task_waits_its_hint(worker: Worker) -> None:
    """A rate limit with a 0.6 s hint is retried no sooner than 0.6 s later."""
    result = tasks.rate_limited.delay(_name(), 0.6).get(timeout=20)
    times = result.unwrap()
    assert len(times) == 2
    assert 0.6 <= times[1] - times[0] < 5.0


def test_non_retryable_failure_finishes_at_once(worker: Worker) -> None:
    """A not-found failure is not retried: one call, its failure back."""
    name = _name()
    started = time.monotonic()
    result = tasks.missing.delay(name).get(timeout=20)
    assert result == Err(AgentNotFoundFailure(message=f"no agent {name}"))
    assert int(_store().get(f"rg:count:{name}") or 0) == 1
    assert time.monotonic() - started < 5


def test_non_idempotent_task_is_retried_only_with_a_key(worker: Worker) -> None:
    """Without an idempotency key a transient failure comes back; with one it is retried."""
    assert tasks.post.delay(_name()).get(timeout=20) == Err(KneoServerFailure(response_status=503))
    keyed = tasks.post.options(idempotency_key="order-1").delay(_name())
    assert keyed.get(timeout=20) == Ok(2)


def test_exhaustion_keeps_every_attempt(worker: Worker) -> None:
    """A task failing on every attempt ends with the exhaustion failure holding all four."""
    name = _name()
    failure = tasks.down.delay(name).get(timeout=20).failure()
    assert isinstance(failure, RetryExhaustedFailure)
    assert [f.code for f in failure.failures] == ["KNEO_SERVER_ERROR"] * 4
    assert [f.message for f in failure.failures] == [f"down ({n})" for n in range(1, 5)]
    assert failure.error_chain == tuple(f"KNEO_SERVER_ERROR: down ({n})" for n in range(1, 5))
    assert failure.attempt_codes == ("KNEO_SERVER_ERROR",) * 4
    assert failure.max_attempts == tasks.FAST.attempts
    # exhaustion asks for a person: the escalation hook heard of it, on the worker
    assert _store().lrange(f"rg:escalated:{name}", 0, -1) == [b"RETRY_EXHAUSTED"]


def test_regenerate_step_fixes_the_input(worker: Worker) -> None:
    """A code failure runs the regenerate step; the regenerated call succeeds."""
    assert tasks.execute.delay("bug and bug").get(timeout=20) == Ok("fix and fix")


def test_raised_family_exception_comes_back_as_its_failure(worker: Worker) -> None:
    """A family exception raised in a task is its failure on the caller's side."""
    result = tasks.raising.delay("family").get(timeout=20)
    assert result == Err(AgentNotFoundFailure(message="no agent 42"))


def test_unexpected_exception_is_sanitized(worker: Worker, celery_url: str) -> None:
    """An unexpected exception is a generic internal failure; its text is in no Redis key."""
    result = tasks.raising.delay("unexpected").get(timeout=20)
    assert result == Err(InternalFailure())
    client = redis.Redis.from_url(celery_url)
    dumped = [client.dump(key) or b"" for key in client.scan_iter()]
    assert dumped  # the backend holds the results
    assert not [value for value in dumped if tasks.SECRET.encode() in value]
    assert tasks.SECRET in worker.output()  # the detail stays in the worker's log


def test_wait_timeout_is_a_typed_failure(worker: Worker) -> None:
    """A wait that times out is a TimeoutFailure; the task goes on and is read later."""
    pending = tasks.slow.delay(0.5)
    timed_out = pending.get(timeout=0.05).failure()
    assert isinstance(timed_out, TimeoutFailure)
    assert timed_out.details == {"task_id": pending.id, "timeout_seconds": 0.05}
    assert tasks.slow.pending(pending.id).get(timeout=20) == Ok(0.5)


@pytest.mark.anyio
async def test_async_wait(worker: Worker) -> None:
    """Awaiting a task gives its Result; a short timeout gives a TimeoutFailure."""
    pending = tasks.slow.delay(0.3)
    assert isinstance((await pending.wait(timeout=0.05)).failure(), TimeoutFailure)
    assert await pending.wait(timeout=20) == Ok(0.3)
    assert await tasks.missing.delay("async").wait(timeout=20) == Err(
        AgentNotFoundFailure(message="no agent async")
    )


def test_pickle_result_serializer_is_refused() -> None:
    """A railguard task refuses to send when results would be pickled."""
    app = Celery("pickled", broker="memory://", backend="cache+memory://")
    app.conf.result_serializer = "pickle"

    @result_task(app, idempotent=True, name="rg.pickled")
    def task() -> Result[int, Failure]:
        return Ok(1)

    with pytest.raises(ValueError, match="result_serializer is 'pickle'"):
        task.delay()
    assert task() == Ok(1)  # called directly, it runs here
    app.close()


def test_worker_killed_mid_task_loses_no_task(celery_url: str) -> None:
    """acks_late: a worker killed mid-task leaves the message; another worker finishes it."""
    name = _name()
    with running_worker(celery_url, queue="fragile", visibility_timeout=1.0) as first:
        pending = tasks.fragile.delay(name)
        deadline = time.monotonic() + 30
        while not _store().exists(f"rg:started:{name}"):
            assert time.monotonic() < deadline, first.output()
            time.sleep(0.05)
        first.kill()
    assert not pending.ready()
    with running_worker(celery_url, queue="fragile", visibility_timeout=1.0) as second:
        assert pending.get(timeout=30) == Ok("redelivered"), second.output()
