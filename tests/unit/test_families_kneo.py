"""The kneo family (seed 002): from_response, Retry-After, bodies, transient statuses, causes."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from railguard import Category, Failure, InfrastructureFailure, Recovery, TimeoutFailure
from railguard.families.kneo import (
    KneoAuthError,
    KneoConflictError,
    KneoError,
    KneoFailure,
    KneoIdempotencyMismatchError,
    KneoNetworkError,
    KneoNotFoundError,
    KneoPermissionError,
    KneoRateLimited,
    KneoServerError,
    KneoServerFailure,
    from_http_error,
    from_response,
)
from railguard.testing import exceptions_equal

TABLE = [
    (401, None, KneoAuthError),
    (403, None, KneoPermissionError),
    (404, None, KneoNotFoundError),
    (409, None, KneoConflictError),
    (409, "key-1", KneoIdempotencyMismatchError),
    (429, None, KneoRateLimited),
    (500, None, KneoServerError),
    (502, "key-1", KneoServerError),
    (503, None, KneoServerError),
    (599, None, KneoServerError),
    (400, None, KneoError),
    (418, "key-1", KneoError),
    (302, None, KneoError),
    (101, None, KneoError),
]


@pytest.mark.parametrize(("status", "key", "cls"), TABLE)
def test_from_response_follows_the_table(
    status: int, key: str | None, cls: type[KneoError]
) -> None:
    """Each status maps to the document's exception; 409 with a key is a mismatch."""
    exc = from_response(httpx.Response(status), idempotency_key=key)
    assert type(exc) is cls
    assert (exc.status, exc.idempotency_key) == (status, key)


def test_from_response_reads_request_id_and_json_body() -> None:
    """``X-Request-ID`` becomes ``request_id``; a JSON body is parsed, its detail shown."""
    response = httpx.Response(
        404, headers={"X-Request-ID": "req-42"}, json={"detail": "run r1 not found"}
    )
    exc = from_response(response)
    assert exc.request_id == "req-42"
    assert exc.body == {"detail": "run r1 not found"}
    assert str(exc) == "HTTP 404 Not Found: run r1 not found"


@pytest.mark.parametrize(
    ("content", "body"),
    [
        (b"upstream exploded", "upstream exploded"),
        (b"", None),
        (b"[1, 2]", [1, 2]),
        (b"NaN", "NaN"),
    ],
)
def test_from_response_body_is_json_or_raw_text(content: bytes, body: object) -> None:
    """The body is the parsed JSON, else the raw text, else ``None``; NaN is not JSON."""
    exc = from_response(httpx.Response(500, content=content))
    assert exc.body == body
    assert exceptions_equal(exc, exc.failure.to_exception())


def test_retry_after_in_seconds() -> None:
    """``Retry-After: 12`` gives ``retry_after == 12.0`` and an AFTER_HINT failure."""
    exc = from_response(httpx.Response(429, headers={"Retry-After": "12"}))
    assert isinstance(exc, KneoRateLimited)
    assert exc.retry_after == 12.0
    assert exc.failure.retry.recovery is Recovery.AFTER_HINT
    assert exc.failure.retry.after == 12.0


def test_retry_after_as_http_date() -> None:
    """An HTTP-date ``Retry-After`` gives the seconds until then (never negative)."""
    when = datetime.now(UTC) + timedelta(seconds=120)
    exc = from_response(httpx.Response(429, headers={"Retry-After": format_datetime(when, True)}))
    assert exc.retry_after is not None
    assert 100 < exc.retry_after <= 120
    past = from_response(
        httpx.Response(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    )
    assert past.retry_after == 0.0


def test_garbage_retry_after_is_no_hint() -> None:
    """An unparseable ``Retry-After`` is ignored."""
    assert from_response(httpx.Response(429, headers={"Retry-After": "soon"})).retry_after is None


@pytest.mark.parametrize(
    ("status", "recovery"),
    [
        (429, Recovery.AFTER_HINT),
        (502, Recovery.BACKOFF),
        (503, Recovery.BACKOFF),
        (504, Recovery.BACKOFF),
        (500, Recovery.DONT_RETRY),
        (501, Recovery.DONT_RETRY),
        (401, Recovery.DONT_RETRY),
        (404, Recovery.DONT_RETRY),
    ],
)
def test_transient_statuses_are_retryable(status: int, recovery: Recovery) -> None:
    """429/502/503/504 are transient (as the transport's retry policy says); others are not."""
    failure = from_response(httpx.Response(status)).failure
    assert failure.recovery is recovery
    assert failure.retry.retryable is (recovery is not Recovery.DONT_RETRY)


def test_server_failure_answers_with_the_platform_status() -> None:
    """A kneo failure answers with the platform's error status; others fall back to 502."""
    assert KneoServerFailure(response_status=503).status == 503
    assert KneoFailure(response_status=302).status == 502
    assert KneoFailure(response_status=499).status == 502
    assert KneoFailure(response_status=418).status == 418


def test_network_error_keeps_the_httpx_error_as_cause() -> None:
    """A transport error becomes ``KneoNetworkError`` with ``__cause__`` the httpx error."""
    error = httpx.ConnectError("connection refused")
    exc = from_http_error(error, idempotency_key="k")
    assert isinstance(exc, KneoNetworkError)
    assert exc.__cause__ is error
    assert (exc.status, exc.idempotency_key, str(exc)) == (
        None,
        "k",
        "ConnectError: connection refused",
    )
    failure = exc.failure
    assert failure.category is Category.INFRASTRUCTURE
    assert failure.recovery is Recovery.BACKOFF
    assert isinstance(failure.cause, InfrastructureFailure)


def test_read_timeout_cause_is_a_timeout_failure() -> None:
    """A read timeout's cause converts to a timeout failure."""
    exc = from_http_error(httpx.ReadTimeout("read timed out"))
    assert isinstance(exc, KneoNetworkError)
    assert isinstance(exc.failure.cause, TimeoutFailure)


def test_status_error_is_mapped_by_its_response() -> None:
    """An ``httpx.HTTPStatusError`` is mapped by its response, the error kept as cause."""
    request = httpx.Request("POST", "https://platform.invalid/v1/runs")
    response = httpx.Response(409, request=request)
    error = httpx.HTTPStatusError("conflict", request=request, response=response)
    exc = from_http_error(error, idempotency_key="key-9")
    assert isinstance(exc, KneoIdempotencyMismatchError)
    assert exc.__cause__ is error


def test_keyword_only_constructor_pickles_and_copies() -> None:
    """Keyword-only exceptions survive pickle, copy and deepcopy with every attribute."""
    exc = KneoRateLimited(
        "slow down", status=429, body={"a": [1]}, request_id="r", idempotency_key="k", retry_after=3
    )
    for clone in (pickle.loads(pickle.dumps(exc)), copy.copy(exc), copy.deepcopy(exc)):  # noqa: S301  # our own bytes
        assert exceptions_equal(exc, clone)


def test_every_exception_carries_the_documented_attributes() -> None:
    """Every kneo exception has status, body, request_id and idempotency_key."""
    exc = KneoNotFoundError("gone")
    assert (exc.status, exc.body, exc.request_id, exc.idempotency_key) == (None, None, None, None)
    assert Failure.from_exception(exc) == exc.failure
    assert exc.failure.to_exception().status is None


def test_importing_kneo_does_not_import_httpx() -> None:
    """``railguard.families.kneo`` loads without httpx; only the caller's response is read."""
    import subprocess
    import sys

    code = "import sys, railguard.families.kneo; print('httpx' in sys.modules)"
    out = subprocess.run(  # noqa: S603  # our own interpreter, a fixed script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
