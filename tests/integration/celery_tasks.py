"""The Celery app and tasks the integration tests run on a real worker process.

The worker imports this module as ``tests.integration.celery_tasks`` with
``RAILGUARD_CELERY_URL`` pointing at the test Redis; the test process configures
the same app with `configure`. Each task keeps its per-run state in Redis, keyed
by the name the test passes, so tests never share counters.
"""

from __future__ import annotations

import logging
import os
import sys
import time

import redis
from celery import Celery

from railguard import CodeFailure, Err, Failure, Ok, Result
from railguard.families.agents import AgentNotFoundException, AgentNotFoundFailure
from railguard.families.kneo import KneoRateLimitedFailure, KneoServerFailure
from railguard.integrations.celery import Call, TaskInfo, failure_of, record_of, result_task
from railguard.observe import REQUEST_ID
from railguard.retry import RetryPolicy

app = Celery("railguard_tests")

FAST = RetryPolicy(
    attempts=4, deadline=20.0, wait_initial=0.05, wait_max=0.2, wait_jitter=0.0, hint_max=2.0
)
"""Small waits so the tests stay fast; the hint cap (2 s) is above the hints the tests use."""

SECRET = "hunter2-do-not-leak"


def configure(url: str, *, visibility_timeout: float = 3600.0) -> None:
    """Point the app's broker and result backend at ``url`` (JSON only)."""
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        result_expires=600,
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        },
    )


LOG_PREFIX = "railguard-log"
"""Starts each line the worker's ``railguard.celery`` logger writes, with its ``request_id``."""


def _log_request_ids() -> None:
    """Write the worker's ``railguard.celery`` lines, request id included, to its log file."""
    handler = logging.StreamHandler(sys.__stderr__)  # the log file (Celery redirects sys.stderr)
    handler.setFormatter(
        logging.Formatter(
            f"{LOG_PREFIX} %(levelname)s %(message)s request_id=%(request_id)s",
            defaults={"request_id": "-"},
        )
    )
    logging.getLogger("railguard.celery").addHandler(handler)


if "RAILGUARD_CELERY_URL" in os.environ:  # the worker process
    configure(
        os.environ["RAILGUARD_CELERY_URL"],
        visibility_timeout=float(os.environ.get("RAILGUARD_CELERY_VISIBILITY", "3600")),
    )
    _log_request_ids()


def store() -> redis.Redis:
    """A Redis client on the test server (per-run counters and marks)."""
    return redis.Redis.from_url(str(app.conf.broker_url))


class VaultError(Exception):
    """An exception railguard knows nothing about."""


def _count(name: str) -> int:
    return int(store().incr(f"rg:count:{name}"))


@result_task(app, idempotent=True, name="rg.ping")
def ping() -> Result[str, Failure]:
    """Answer ``pong``: the worker is up."""
    return Ok("pong")


@result_task(app, idempotent=False, name="rg.echo")
def echo(record: dict[str, object]) -> Result[None, Failure]:
    """Return the failure of ``record`` (non-idempotent, so never retried)."""
    return Err(failure_of(record))


@result_task(app, idempotent=True, policy=FAST, name="rg.flaky")
def flaky(name: str, failures: int) -> Result[int, KneoServerFailure]:
    """Fail with a transient 5xx ``failures`` times, then answer the number of calls."""
    calls = _count(name)
    if calls <= failures:
        return Err(KneoServerFailure(message=f"busy ({calls})", response_status=503))
    return Ok(calls)


@result_task(app, idempotent=True, policy=FAST, name="rg.rate_limited")
def rate_limited(name: str, hint: float) -> Result[list[float], KneoRateLimitedFailure]:
    """Ask to be retried after ``hint`` seconds once; answer every call's wall time."""
    client = store()
    client.rpush(f"rg:times:{name}", time.time())
    times = [float(value) for value in client.lrange(f"rg:times:{name}", 0, -1)]
    if len(times) == 1:
        return Err(KneoRateLimitedFailure(retry_after=hint))
    return Ok(times)


@result_task(app, idempotent=True, policy=FAST, name="rg.missing")
def missing(name: str) -> Result[int, AgentNotFoundFailure]:
    """Fail with a not-found failure (don't retry)."""
    _count(name)
    return Err(AgentNotFoundFailure(message=f"no agent {name}"))


@result_task(app, idempotent=False, policy=FAST, name="rg.post")
def post(name: str) -> Result[int, KneoServerFailure]:
    """A non-idempotent call failing transiently once."""
    calls = _count(name)
    if calls == 1:
        return Err(KneoServerFailure(response_status=503))
    return Ok(calls)


def _escalate(failure: Failure, info: TaskInfo) -> None:
    store().rpush(f"rg:escalated:{info.call.args[0]}", failure.code)


@result_task(app, idempotent=True, policy=FAST, escalate=_escalate, name="rg.down")
def down(name: str) -> Result[int, KneoServerFailure]:
    """Fail transiently on every call: the policy runs out."""
    calls = _count(name)
    return Err(KneoServerFailure(message=f"down ({calls})", response_status=503))


def _fix(failure: Failure, call: Call) -> Result[Call, Failure]:
    source = str(call.args[0])
    return Ok(Call.of(source.replace("bug", "fix", 1)))


@result_task(app, idempotent=False, policy=FAST, regenerate=_fix, name="rg.execute")
def execute(source: str) -> Result[str, CodeFailure]:
    """Fail with a code failure (regenerate) while the source has a ``bug``."""
    if "bug" in source:
        return Err(CodeFailure(message=f"bug in {source!r}"))
    return Ok(source)


@result_task(app, idempotent=True, policy=FAST, name="rg.raising")
def raising(kind: str) -> Result[None, Failure]:
    """Raise a family exception or an unexpected one carrying a secret."""
    if kind == "family":
        raise AgentNotFoundException("no agent 42")
    raise VaultError(f"connection failed: password={SECRET}")


@result_task(app, idempotent=True, name="rg.slow")
def slow(seconds: float) -> Result[float, Failure]:
    """Sleep ``seconds``, then answer them."""
    time.sleep(seconds)
    return Ok(seconds)


@result_task(app, idempotent=True, acks_late=True, queue="fragile", name="rg.fragile")
def fragile(name: str) -> Result[str, Failure]:
    """The first delivery hangs (the test kills its worker); a redelivery answers at once."""
    if store().set(f"rg:started:{name}", os.getpid(), nx=True):
        time.sleep(60)
        return Ok("first delivery finished")
    return Ok("redelivered")


@result_task(app, idempotent=True, name="rg.whoami")
def whoami() -> Result[str | None, Failure]:
    """Answer the request id the task body runs with."""
    return Ok(REQUEST_ID.get())


@result_task(app, idempotent=True, policy=FAST, name="rg.ids_flaky")
def ids_flaky(name: str, failures: int) -> Result[list[str], KneoServerFailure]:
    """Fail transiently ``failures`` times, then answer the request id each attempt ran with."""
    client = store()
    client.rpush(f"rg:ids:{name}", REQUEST_ID.get() or "-")
    ids = [
        value.decode() if isinstance(value, bytes) else value
        for value in client.lrange(f"rg:ids:{name}", 0, -1)
    ]
    if len(ids) <= failures:
        return Err(KneoServerFailure(message=f"busy ({len(ids)})", response_status=503))
    return Ok(ids)


def as_record(failure: Failure) -> dict[str, object]:
    """A failure's record, as the tests send it to `echo`."""
    return record_of(failure)
