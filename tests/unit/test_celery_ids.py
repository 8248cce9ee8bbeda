"""Request ids in railguard.integrations.celery: the header sent, the ids stored, the id read back.

The worker's side runs in Celery's eager mode (the task and its retries run in this
process when sent); the same on a real worker and Redis is in
tests/integration/test_celery.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from celery import Celery
from opentelemetry.sdk.trace import TracerProvider

from railguard import Err, Failure, MalformedFailure, NotFoundFailure, Ok, Result
from railguard.core import is_from_peer, peer_request_id, public_failure
from railguard.families.kneo import KneoServerFailure
from railguard.integrations.celery import REQUEST_ID_HEADER, record_of, result_task
from railguard.integrations.celery._ids import (
    plain_token,
    sent_headers,
    stored_id,
    stored_trace_id,
)
from railguard.integrations.celery._records import decode_outcome, err_outcome, ok_outcome
from railguard.observe import REQUEST_ID, report
from railguard.retry import RetryExhaustedFailure, RetryPolicy
from tests.observing import printed

pytest_plugins = ["tests.observing"]  # the fixture records

POLICY = RetryPolicy(attempts=3, deadline=30.0, wait_initial=0.0, wait_jitter=0.0)
FAILURE = NotFoundFailure(message="Agent 7 not found")


@pytest.fixture
def request_id() -> Iterator[str]:
    """`REQUEST_ID` set for the test, as while a request is served."""
    token = REQUEST_ID.set("req-7f3a")
    try:
        yield "req-7f3a"
    finally:
        REQUEST_ID.reset(token)


@pytest.fixture
def app() -> Iterator[Celery]:
    """An eager Celery app: a task (and its retries) runs in this process when sent."""
    eager = Celery("eager-ids", broker="memory://", backend="cache+memory://")
    eager.conf.update(task_always_eager=True, task_store_eager_result=True)
    yield eager
    eager.close()


# --- what a failed outcome stores ------------------------------------------------------------


def test_a_failed_outcome_stores_the_current_request_id(request_id: str) -> None:
    """Beside the record, as an envelope frame holds it beside ``error``."""
    assert err_outcome(FAILURE) == {"err": record_of(FAILURE), "request_id": request_id}


def test_without_an_id_or_a_span_the_outcome_is_the_record_alone() -> None:
    """No id, no span: exactly ``{"err": record}``; an ``Ok`` never stores ids."""
    assert err_outcome(FAILURE) == {"err": record_of(FAILURE)}
    token = REQUEST_ID.set("req-1")
    try:
        assert ok_outcome(3) == {"ok": 3}
    finally:
        REQUEST_ID.reset(token)


def test_a_failed_outcome_stores_the_current_trace_id(request_id: str) -> None:
    """Inside an OpenTelemetry span, its trace id (32 lowercase hex digits) is stored too."""
    with TracerProvider().get_tracer("t").start_as_current_span("task") as span:
        outcome = err_outcome(FAILURE)
    trace = format(span.get_span_context().trace_id, "032x")
    assert outcome == {"err": record_of(FAILURE), "request_id": request_id, "trace_id": trace}


def test_an_exhausted_outcome_stores_the_id_once_beside_its_attempts(request_id: str) -> None:
    """The attempts' records hold no id: the outcome's one id is the task's."""
    attempt = KneoServerFailure(response_status=503)
    exhausted = RetryExhaustedFailure(operation_type="t", max_attempts=1, failures=(attempt,))
    outcome = err_outcome(exhausted)
    assert outcome["request_id"] == request_id
    assert outcome["attempts"] == [record_of(attempt)]


# --- what the reader keeps -------------------------------------------------------------------


def test_a_task_failure_is_read_back_as_our_own() -> None:
    """The failure read back is the task's, unmarked: our boundaries answer it as it is."""
    outcome = {"err": record_of(FAILURE), "request_id": "worker-1"}
    failure = decode_outcome(outcome).failure()
    assert failure == FAILURE
    assert not is_from_peer(failure)
    assert peer_request_id(failure) is None
    assert public_failure(failure) is failure  # what any boundary of ours would send
    assert stored_id(outcome) == "worker-1"  # what Pending.request_id reads


@pytest.mark.parametrize(
    "stored",
    [
        123,
        None,
        ["worker-1"],
        {"id": "worker-1"},
        "",
        "a" * 129,
        "a" * 100_000,
        "worker-1\nERROR forged line",
        "worker\r1",
        "\x1b[2Jworker",
        "worker 1",
        "wörker",
        "worker\x00",
    ],
)
def test_a_malformed_stored_id_is_dropped(stored: object, records: list[logging.LogRecord]) -> None:
    """Not a plain token: the failure is read, its id dropped; no crash, no forged line."""
    outcome = {"err": record_of(FAILURE), "request_id": stored}
    failure = decode_outcome(outcome).failure()
    assert failure == FAILURE
    assert stored_id(outcome) is None
    report(failure, boundary="celery", outcome="received")
    assert [r.peer_request_id for r in records] == [None]  # type: ignore[attr-defined]
    assert "forged" not in printed(records[0])


@pytest.mark.parametrize(
    "stored",
    [
        None,
        123,
        "",
        "0" * 31,
        "0" * 33,
        "4BF92F3577B34DA6A3CE929D0E0E4736",  # upper case: not as OpenTelemetry writes it
        "4bf92f3577b34da6a3ce929d0e0e473g",
        "4bf92f3577b34da6a3ce929d0e0e4736\n",
        ["4bf92f3577b34da6a3ce929d0e0e4736"],
    ],
)
def test_a_malformed_stored_trace_id_is_dropped(stored: object) -> None:
    """Not 32 lowercase hex digits: ``None``, the failure still read."""
    outcome = {"err": record_of(FAILURE), "trace_id": stored}
    assert decode_outcome(outcome).failure() == FAILURE
    assert stored_trace_id(outcome) is None
    assert stored_trace_id({"err": record_of(FAILURE)}) is None


def test_no_failure_read_back_is_marked_as_a_peers() -> None:
    """A malformed outcome and an exception Celery hands back are ours too (no mark)."""
    malformed = decode_outcome({"neither": 1}).failure()
    assert isinstance(malformed, MalformedFailure)
    assert not is_from_peer(malformed)
    raised = decode_outcome(RuntimeError("lost")).failure()
    assert not is_from_peer(raised)
    assert decode_outcome({"ok": 1, "request_id": "worker-1"}) == Ok(1)


# --- the header sent -------------------------------------------------------------------------


def test_the_current_id_is_sent_unless_the_caller_gives_one(request_id: str) -> None:
    """`REQUEST_ID` goes in the header; an explicit id wins; without either, no header."""
    assert sent_headers(None) == {REQUEST_ID_HEADER: request_id}
    assert sent_headers("job-1") == {REQUEST_ID_HEADER: "job-1"}
    REQUEST_ID.set(None)
    assert sent_headers(None) is None


def test_a_current_id_that_is_no_plain_token_is_not_sent() -> None:
    """Whoever set it, a forged current id stays home (the worker makes one)."""
    token = REQUEST_ID.set("a\nforged")
    try:
        assert sent_headers(None) is None
    finally:
        REQUEST_ID.reset(token)


def test_an_explicit_id_that_is_no_plain_token_is_refused(app: Celery) -> None:
    """``options(request_id=...)`` with a forged id is the caller's mistake, said at once."""

    @result_task(app, idempotent=True, name="ids.refused")
    def task() -> Result[int, Failure]:
        return Ok(1)

    with pytest.raises(ValueError, match="request_id is letters, digits"):
        task.options(request_id="a b\nc").delay()


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("req-1", True),
        ("a.b:c_d-E9", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("", False),
        ("a b", False),
        ("é", False),
        (b"req-1", False),
        (1, False),
    ],
)
def test_plain_tokens(value: object, plain: bool) -> None:
    """Letters, digits and ``._:-``, 1 to 128, as a ``str``: what `RequestIdMiddleware` keeps."""
    assert plain_token(value) is plain


# --- the worker's side (eager) ---------------------------------------------------------------


def test_the_task_runs_with_the_senders_id_and_the_caller_keeps_its_own(
    app: Celery, request_id: str
) -> None:
    """The body sees the sent id; after the task, `REQUEST_ID` is the caller's again."""
    seen: list[str | None] = []

    @result_task(app, idempotent=True, policy=POLICY, name="ids.seen")
    def task() -> Result[int, KneoServerFailure]:
        seen.append(REQUEST_ID.get())
        return Err(KneoServerFailure(response_status=503))

    sent = task.options(request_id="job-9").delay()
    assert seen == ["job-9"] * 3  # every retry ran with it
    assert REQUEST_ID.get() == request_id  # reset: nothing leaks into the caller
    failure = sent.get(timeout=5).failure()
    assert isinstance(failure, RetryExhaustedFailure)
    assert sent.request_id == "job-9"


def test_a_task_sent_without_an_id_keeps_the_one_it_made_across_retries(app: Celery) -> None:
    """No id: the first attempt makes one, every retry runs with it, none leaks out."""
    seen: list[str | None] = []

    @result_task(app, idempotent=True, policy=POLICY, name="ids.made")
    def task() -> Result[int, KneoServerFailure]:
        seen.append(REQUEST_ID.get())
        if len(seen) < 3:
            return Err(KneoServerFailure(response_status=503))
        raise RuntimeError("boom")

    sent = task.delay()
    assert sent.get(timeout=5).failure().code == "INTERNAL"  # the raised RuntimeError
    assert len(set(seen)) == 1
    assert seen[0] is not None
    assert len(seen[0]) == 32
    assert sent.request_id == seen[0]
    assert REQUEST_ID.get() is None


def test_every_report_line_of_the_task_carries_its_id(
    app: Celery, records: list[logging.LogRecord]
) -> None:
    """The task's final failure is logged once, with the task's request id."""

    @result_task(app, idempotent=True, name="ids.logged")
    def task() -> Result[int, NotFoundFailure]:
        return Err(FAILURE)

    task.options(request_id="job-log").delay()
    answered = [r for r in records if r.name == "railguard.celery"]
    assert [(r.getMessage(), r.request_id) for r in answered] == [  # type: ignore[attr-defined]
        ("answered NOT_FOUND: Agent 7 not found", "job-log")
    ]


def test_the_trace_id_a_task_failed_in_is_read_back(app: Celery) -> None:
    """Sent inside a span (eager: the task runs in it), the stored trace id is `trace_id`."""

    @result_task(app, idempotent=True, name="ids.traced")
    def task() -> Result[int, NotFoundFailure]:
        return Err(FAILURE)

    with TracerProvider().get_tracer("t").start_as_current_span("send") as span:
        sent = task.delay()
    assert sent.get(timeout=5) == Err(FAILURE)
    assert sent.trace_id == format(span.get_span_context().trace_id, "032x")
    untraced = task.delay()
    assert untraced.get(timeout=5) == Err(FAILURE)
    assert untraced.trace_id is None  # no span, nothing stored


def test_a_success_has_no_stored_ids(app: Celery, request_id: str) -> None:
    """``Ok`` stores no ids: both read ``None``, inside a span too."""

    @result_task(app, idempotent=True, name="ids.fine")
    def task() -> Result[int, NotFoundFailure]:
        return Ok(1)

    with TracerProvider().get_tracer("t").start_as_current_span("send"):
        sent = task.delay()
    assert sent.get(timeout=5) == Ok(1)
    assert (sent.request_id, sent.trace_id) == (None, None)
