"""Every failure answered by a real uvicorn server (and its httpx client) is recorded once."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from starlette.websockets import WebSocket
from websockets.sync.client import connect

from railguard import Err, Failure, NotFoundFailure, RateLimitFailure, Result, ValidationFailure
from railguard.integrations.fastapi import install
from railguard.integrations.httpx import wrap
from railguard.integrations.starlette_ws import serve_messages
from railguard.observe import RequestIdMiddleware
from railguard.retry import FakeClock, RetryPolicy, retry

from .servers import running_uvicorn

prometheus_client = pytest.importorskip("prometheus_client")

from railguard.observe import metrics  # noqa: E402

pytestmark = pytest.mark.integration

SECRET = "db-password-hunter2-ops"
TIMEOUT = 10.0


def _app() -> FastAPI:
    app = FastAPI()
    install(app)
    app.add_middleware(RequestIdMiddleware)

    @app.get("/agents/{agent_id}")
    async def missing(agent_id: str) -> Result[dict[str, str], Failure]:
        return Err(NotFoundFailure(message="Agent not found"))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError(f"password={SECRET}")

    @app.get("/busy")
    async def busy() -> Result[dict[str, str], Failure]:
        return Err(RateLimitFailure(message="Slow down", retry_after=1.0))

    async def handle(message: object) -> Result[str, Failure]:
        return Err(ValidationFailure(message="bad message"))

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await serve_messages(websocket, handle)

    return app


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1."""
    with running_uvicorn(_app()) as url:
        yield url


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    """The railguard loggers' records from INFO up (all threads)."""
    handler = _Records()
    root = logging.getLogger("railguard")
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


@pytest.fixture
def registry() -> Iterator[object]:
    """A fresh Prometheus registry, railguard's counters installed on it."""
    fresh = prometheus_client.CollectorRegistry()
    metrics.install(fresh)
    try:
        yield fresh
    finally:
        metrics.uninstall()


def _count(registry: object, name: str, **labels: str) -> float:
    value = prometheus_client.CollectorRegistry.get_sample_value(registry, name, labels)
    return 0.0 if value is None else float(value)


def _text(registry: object) -> str:
    return bytes(prometheus_client.generate_latest(registry)).decode()


def _mine(records: list[logging.LogRecord], name: str) -> list[logging.LogRecord]:
    return [r for r in records if r.name == name]


def test_failing_http_request_is_logged_and_counted_once(
    base: str, records: list[logging.LogRecord], registry: object
) -> None:
    """A returned Err: one INFO line on railguard.http, one count, the wire's words."""
    response = httpx.get(base + "/agents/42", timeout=TIMEOUT)
    assert response.status_code == 404
    (record,) = _mine(records, "railguard.http")
    assert record.levelno == logging.INFO
    assert record.getMessage() == "answered NOT_FOUND: Agent not found"
    assert (record.code, record.status) == ("NOT_FOUND", 404)  # type: ignore[attr-defined]
    labels = {"code": "NOT_FOUND", "category": "not_found", "boundary": "http"}
    assert _count(registry, "railguard_failures_total", outcome="answered", **labels) == 1.0


def test_request_id_is_on_the_line_and_sent_back(
    base: str, records: list[logging.LogRecord]
) -> None:
    """An incoming X-Request-ID is the line's ``request_id`` and comes back on the response."""
    response = httpx.get(base + "/agents/1", headers={"X-Request-ID": "req-42"}, timeout=TIMEOUT)
    assert response.headers["x-request-id"] == "req-42"
    (record,) = _mine(records, "railguard.http")
    assert record.request_id == "req-42"  # type: ignore[attr-defined]


def test_forged_or_missing_request_id_is_replaced(
    base: str, records: list[logging.LogRecord]
) -> None:
    """A request id that is not a plain token is not trusted: a new one is made and used."""
    forged = "x" * 129
    response = httpx.get(base + "/agents/1", headers={"X-Request-ID": forged}, timeout=TIMEOUT)
    made = response.headers["x-request-id"]
    assert made != forged
    assert len(made) == 32
    (record,) = _mine(records, "railguard.http")
    assert record.request_id == made  # type: ignore[attr-defined]


def test_unexpected_exception_is_logged_once_with_traceback_and_no_secret_outside_it(
    base: str, records: list[logging.LogRecord], registry: object
) -> None:
    """One ERROR line whose exc_info is the exception; message, fields, metrics hold no secret."""
    response = httpx.get(base + "/boom", timeout=TIMEOUT)
    assert response.status_code == 500
    assert SECRET not in response.text
    errors = [r for r in records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    (record,) = errors
    assert record.name == "railguard.http"
    assert record.exc_info is not None
    assert SECRET in str(record.exc_info[1])
    fields = {k: v for k, v in vars(record).items() if k not in {"exc_info", "exc_text"}}
    assert SECRET not in repr(fields)
    assert SECRET not in _text(registry)
    assert _count(
        registry,
        "railguard_failures_total",
        code="INTERNAL",
        category="internal",
        boundary="http",
        outcome="answered",
    ) == (1.0)


def test_failing_websocket_message_is_logged_and_counted_once(
    base: str, records: list[logging.LogRecord], registry: object
) -> None:
    """An Err answering one message: one frame, one line on railguard.websocket, one count."""
    with connect(base.replace("http", "ws", 1) + "/ws", open_timeout=TIMEOUT) as client:
        client.send("hello")
        frame = client.recv(timeout=TIMEOUT)
    assert "bad message" in str(frame)
    (record,) = _mine(records, "railguard.websocket")
    assert record.getMessage() == "answered VALIDATION: bad message"
    labels = {"code": "VALIDATION", "category": "validation", "boundary": "websocket"}
    assert _count(registry, "railguard_failures_total", outcome="answered", **labels) == 1.0


def test_relayed_upstream_failure_and_exhausted_retry(
    base: str, records: list[logging.LogRecord], registry: object
) -> None:
    """Two attempts at a 429: each answered and received once; one exhaustion counted."""
    clock = FakeClock()
    policy = RetryPolicy(attempts=2, clock=clock, wait_jitter=0.0)
    with wrap(httpx.Client(base_url=base, timeout=TIMEOUT)) as client:
        result = retry(lambda: client.get("/busy"), idempotent=True, policy=policy)
    assert isinstance(result, Err)
    assert len(_mine(records, "railguard.http")) == 2
    received = _mine(records, "railguard.httpx")
    assert [r.getMessage() for r in received] == ["received RATE_LIMIT: Slow down"] * 2
    rate = {"code": "RATE_LIMIT", "category": "rate_limit"}
    assert (
        _count(registry, "railguard_failures_total", boundary="http", outcome="answered", **rate)
        == 2.0
    )
    assert (
        _count(registry, "railguard_failures_total", boundary="httpx", outcome="received", **rate)
        == 2.0
    )
    assert _count(registry, "railguard_retry_attempts_total", **rate) == 2.0
    assert _count(registry, "railguard_retry_exhausted_total", code="RATE_LIMIT") == 1.0
