"""railguard.integrations.celery on a real Redis and a real Celery worker process.

The session starts ``redis-server`` on a free loopback port and one worker (solo
pool); each test sends tasks from this process and reads their ``Result`` back.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
import redis
from celery import Celery
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from railguard import Err, Failure, InternalFailure, Ok, Result, TimeoutFailure
from railguard.core import is_from_peer, public_failure
from railguard.families.agents import AgentNotFoundFailure
from railguard.families.kneo import KneoServerFailure
from railguard.integrations.celery import REQUEST_ID_HEADER, Pending, result_task
from railguard.observe import REQUEST_ID
from railguard.retry import RetryExhaustedFailure
from railguard.testing import instances_of
from tests.ws_strategies import PLAIN, groups

from . import celery_tasks as tasks
from .celery_cluster import Worker, redis_server, running_redis, running_worker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

T = TypeVar("T")
F = TypeVar("F", bound=Failure)


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


# --- request ids across the broker -----------------------------------------------------------

HEX_ID = re.compile(r"[0-9a-f]{32}")


def _made(request_id: str | None) -> bool:
    """Whether ``request_id`` is one the worker made (`railguard.observe.accept_request_id`)."""
    return request_id is not None and HEX_ID.fullmatch(request_id) is not None


def _sent_with(request_id: str | None, send: Callable[[], Pending[T, F]]) -> Pending[T, F]:
    """``send()`` while `REQUEST_ID` is ``request_id`` (as a request being served)."""
    token = REQUEST_ID.set(request_id)
    try:
        return send()
    finally:
        REQUEST_ID.reset(token)


def _log_lines(worker: Worker, text: str) -> list[str]:
    """The worker's ``railguard.celery`` lines (with their ``request_id``) that hold ``text``."""
    return [
        line
        for line in worker.output().splitlines()
        if line.startswith(tasks.LOG_PREFIX) and text in line
    ]


def _stored(pending: Pending[T, F]) -> dict[str, object]:
    """The outcome the worker stored in the result backend, as JSON."""
    outcome = pending.async_result.result
    assert isinstance(outcome, dict)
    return outcome


def test_request_id_goes_to_the_worker_its_log_the_record_and_back(worker: Worker) -> None:
    """The sender's id: the task's log line, the stored record, then `Pending.request_id`."""
    name = _name()
    pending = _sent_with("req-celery-7f3a", lambda: tasks.missing.delay(name))
    failure = pending.get(timeout=20).failure()
    assert failure == AgentNotFoundFailure(message=f"no agent {name}")
    assert pending.request_id == "req-celery-7f3a"
    assert _stored(pending)["request_id"] == "req-celery-7f3a"
    assert "trace_id" not in _stored(pending)  # the worker has no OpenTelemetry span
    assert pending.trace_id is None
    lines = _log_lines(worker, f"answered AGENT_NOT_FOUND: no agent {name}")
    assert len(lines) == 1
    assert lines[0].endswith(" request_id=req-celery-7f3a")
    # the task's failure is the application's own: our boundaries answer it as it is
    assert not is_from_peer(failure)
    assert public_failure(failure) is failure


def test_a_task_sent_without_an_id_gets_one_of_its_own(worker: Worker) -> None:
    """No id on the sender: the worker makes one, logs and stores it; each task its own."""
    first, second = _name(), _name()
    sent = [tasks.missing.delay(name) for name in (first, second)]
    assert all(isinstance(p.get(timeout=20).failure(), AgentNotFoundFailure) for p in sent)
    ids = [pending.request_id for pending in sent]
    assert all(_made(i) for i in ids), ids
    assert ids[0] != ids[1]
    for name, request_id in zip((first, second), ids, strict=True):
        lines = _log_lines(worker, f"no agent {name}")
        assert [line.rsplit(" ", 1)[-1] for line in lines] == [f"request_id={request_id}"]
    assert _made(tasks.whoami.delay().get(timeout=20).unwrap())
    assert tasks.whoami.options(request_id="job-7").delay().get(timeout=20) == Ok("job-7")


def test_a_forged_id_is_replaced_never_logged(worker: Worker) -> None:
    """A header that is not a plain token (a forged log line) is replaced by a new id."""
    forged = "x\nrailguard-log ERROR forged-line request_id=admin"
    name = _name()
    raw = tasks.missing.celery_task.apply_async(
        ({"args": [name], "kwargs": {}, "key": None, "attempts": []},),
        headers={REQUEST_ID_HEADER: forged},
    )
    pending = Pending[int, AgentNotFoundFailure](raw)
    assert isinstance(pending.get(timeout=20).failure(), AgentNotFoundFailure)
    request_id = pending.request_id
    assert _made(request_id)
    assert _log_lines(worker, f"no agent {name}")[0].endswith(f" request_id={request_id}")
    assert "forged-line" not in worker.output()
    # a current id that is no plain token is not sent at all: the worker makes one
    assert _made(_sent_with(forged, tasks.whoami.delay).get(timeout=20).unwrap())


def test_request_ids_do_not_leak_from_one_task_to_the_next(worker: Worker) -> None:
    """The solo worker runs a task with an id, then one without: the second has its own."""
    assert _sent_with("req-a", tasks.whoami.delay).get(timeout=20) == Ok("req-a")
    assert _made(tasks.whoami.delay().get(timeout=20).unwrap())


def test_retries_keep_the_request_id(worker: Worker) -> None:
    """Every attempt runs with the sender's id, or with the one the first attempt made."""
    sent = _sent_with("req-retry-1", lambda: tasks.ids_flaky.delay(_name(), 2))
    assert sent.get(timeout=20) == Ok(["req-retry-1"] * 3)
    retried = _log_lines(worker, "railguard: rg.ids_flaky attempt")
    assert [line.rsplit(" ", 1)[-1] for line in retried] == ["request_id=req-retry-1"] * 2
    made = tasks.ids_flaky.delay(_name(), 2).get(timeout=20).unwrap()
    assert len(made) == 3
    assert len(set(made)) == 1
    assert _made(made[0])
    exhausted = _sent_with("req-retry-2", lambda: tasks.down.delay(_name()))
    failure = exhausted.get(timeout=20).failure()
    assert isinstance(failure, RetryExhaustedFailure)
    assert exhausted.request_id == "req-retry-2"
    assert _stored(exhausted)["request_id"] == "req-retry-2"
