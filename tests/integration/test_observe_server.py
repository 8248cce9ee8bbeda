"""Every failure a real uvicorn server answers is recorded once: log line, series, span event.

Our FastAPI app runs under uvicorn on 127.0.0.1 with railguard's logging (a real
handler), metrics (a fresh prometheus-client registry, scraped in its text format) and
tracing (the OpenTelemetry SDK's in-memory exporter; a small middleware puts each
request and WebSocket in a span). Its upstream is a plain app that answers railguard
envelopes without being instrumented, so every record here is ours. Each of the four
boundary events — a failing HTTP request, a failing WebSocket message, a relayed
upstream failure, an exhausted retry — is checked for exactly what was recorded, once
each, and for its secret: nowhere but the in-process traceback (or, for a peer's own
words, the one line that says what the peer answered).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from websockets.sync.client import connect

from railguard import Err, Failure, NotFoundFailure, RateLimitFailure, Result
from railguard.families.agents import AgentNotFoundFailure
from railguard.http import encode
from railguard.integrations.fastapi import install
from railguard.integrations.httpx import wrap
from railguard.integrations.starlette_ws import serve_messages
from railguard.observe import RequestIdMiddleware
from railguard.retry import FakeClock, RetryPolicy, retry
from tests.observing import on, printed, sample, scrape

from .servers import running_uvicorn

pytest.importorskip("prometheus_client")
pytest.importorskip("opentelemetry.sdk.trace")

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.observing"]  # the fixtures records, registry and spans

SECRET = "db-password-hunter2-ops"
"""Our own secret: in an exception's text, or a client's message."""
PEER_SECRET = "upstream-internal-7f3a9"
"""The upstream's words: in its failure's message, never relayed to our caller."""
TIMEOUT = 10.0


class _Traced:
    """ASGI middleware: each HTTP request and WebSocket in a span of `_Traced.tracer`."""

    tracer: Any = None

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tracer = _Traced.tracer
        if tracer is None or scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        with tracer.start_as_current_span(f"{scope['type']} {scope['path']}"):
            await self.app(scope, receive, send)


def _upstream() -> FastAPI:
    """A peer answering railguard envelopes, not instrumented: it records nothing here."""
    app = FastAPI()

    def answer(failure: Failure) -> Response:
        error = encode(failure)
        return Response(error.body, status_code=error.status, headers=dict(error.headers))

    @app.get("/agents/{agent_id}")
    async def agent(agent_id: str) -> Response:
        return answer(AgentNotFoundFailure(message=f"no agent {agent_id}; {PEER_SECRET}"))

    @app.get("/busy")
    async def busy() -> Response:
        return answer(RateLimitFailure(message=f"slow down; {PEER_SECRET}", retry_after=1.0))

    return app


def _app(upstream: str) -> FastAPI:
    app = FastAPI()
    install(app)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(_Traced)

    @app.get("/agents/{agent_id}")
    async def missing(agent_id: str) -> Result[dict[str, str], Failure]:
        return Err(NotFoundFailure(message="Agent not found"))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError(f"password={SECRET}")

    @app.get("/relay/{agent_id}")
    async def relay(agent_id: str) -> Result[dict[str, str], Failure]:
        async with wrap(httpx.AsyncClient(base_url=upstream, timeout=TIMEOUT)) as api:
            got = await api.get(f"/agents/{agent_id}")
        return got.map(lambda _: {})

    @app.get("/exhaust")
    def exhaust() -> Result[dict[str, str], Failure]:  # sync: FastAPI's thread keeps the span
        policy = RetryPolicy(attempts=2, clock=FakeClock(), wait_jitter=0.0)
        with wrap(httpx.Client(base_url=upstream, timeout=TIMEOUT)) as api:
            got = retry(lambda: api.get("/busy"), idempotent=True, policy=policy)
        return got.map(lambda _: {})

    async def handle(message: object) -> Result[str, Failure]:
        if message == "hello":
            return Err(NotFoundFailure(message="no such greeting"))
        raise ValueError(f"token {SECRET} is wrong")

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await serve_messages(websocket, handle)

    return app


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """Our app and its upstream, served by uvicorn on 127.0.0.1."""
    with running_uvicorn(_upstream()) as upstream, running_uvicorn(_app(upstream)) as url:
        yield url


@pytest.fixture
def traced(spans: tuple[Any, Any]) -> Iterator[Any]:
    """The served app's spans: their in-memory exporter."""
    tracer, exporter = spans
    _Traced.tracer = tracer
    try:
        yield exporter
    finally:
        _Traced.tracer = None


def _span(exporter: Any, name: str) -> Any:
    """The one finished span ``name`` (its end may come just after the response)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        found = [s for s in exporter.get_finished_spans() if s.name == name]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    (span,) = found
    return span


def _events(span: Any) -> list[tuple[str, str, str]]:
    """``(boundary, outcome, code)`` of each failure event on ``span``."""
    return [
        (
            e.attributes["railguard.boundary"],
            e.attributes["railguard.outcome"],
            e.attributes["error.type"],
        )
        for e in span.events
        if e.name == "railguard.failure"
    ]


def _span_text(span: Any) -> str:
    return (
        repr(dict(span.attributes))
        + repr([dict(e.attributes) for e in span.events])
        + repr(span.status.description)
    )


def _series(text: str) -> dict[tuple[str, str, str, str], float]:
    """Every non-zero ``railguard_failures_total`` series: (boundary, outcome, code, category)."""
    from prometheus_client.parser import text_string_to_metric_families

    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "railguard_failures_total" and s.value:
                labels = s.labels
                key = (labels["boundary"], labels["outcome"], labels["code"], labels["category"])
                found[key] = s.value
    return found


def test_failing_http_request(
    base: str, records: list[logging.LogRecord], registry: Any, traced: Any
) -> None:
    """An unexpected exception: one ERROR line, count and span event; its text in exc_info only."""
    response = httpx.get(base + "/boom", timeout=TIMEOUT)
    assert response.status_code == 500
    assert SECRET not in response.text
    (record,) = records  # the only railguard record of the request
    assert (record.name, record.levelno) == ("railguard.http", logging.ERROR)
    assert (
        record.getMessage()
        == "answered INTERNAL: An internal error occurred. (unexpected RuntimeError)"
    )
    assert record.exc_info is not None
    assert SECRET in str(record.exc_info[1])
    assert SECRET not in printed(record)
    text = scrape(registry)
    assert _series(text) == {("http", "answered", "INTERNAL", "internal"): 1.0}
    assert SECRET not in text
    span = _span(traced, "http /boom")
    assert _events(span) == [("http", "answered", "INTERNAL")]
    assert span.attributes["error.type"] == "INTERNAL"
    assert span.status.status_code.name == "ERROR"
    assert SECRET not in _span_text(span)


def test_returned_failure_and_its_request_id(
    base: str, records: list[logging.LogRecord], registry: Any, traced: Any
) -> None:
    """A returned Err: one INFO line with the request id, one series count, no span error status."""
    response = httpx.get(base + "/agents/42", headers={"X-Request-ID": "req-42"}, timeout=TIMEOUT)
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "req-42"
    (record,) = records
    assert (record.name, record.levelno) == ("railguard.http", logging.INFO)
    assert record.getMessage() == "answered NOT_FOUND: Agent not found"
    assert (record.code, record.status, record.request_id) == ("NOT_FOUND", 404, "req-42")  # type: ignore[attr-defined]
    assert _series(scrape(registry)) == {("http", "answered", "NOT_FOUND", "not_found"): 1.0}
    span = _span(traced, "http /agents/42")
    assert _events(span) == [("http", "answered", "NOT_FOUND")]
    assert span.status.status_code.name == "UNSET"  # a client's mistake is not a server error


def test_forged_or_missing_request_id_is_replaced(
    base: str, records: list[logging.LogRecord]
) -> None:
    """A request id that is not a plain token is not trusted: a new one is made and used."""
    forged = "x" * 129
    response = httpx.get(base + "/agents/1", headers={"X-Request-ID": forged}, timeout=TIMEOUT)
    made = response.headers["x-request-id"]
    assert made != forged
    assert len(made) == 32
    (record,) = on(records, "railguard.http")
    assert record.request_id == made  # type: ignore[attr-defined]


def test_failing_websocket_messages(
    base: str, records: list[logging.LogRecord], registry: Any, traced: Any
) -> None:
    """Two failing messages: a frame, a line, a series count and a span event each; no secret."""
    with connect(base.replace("http", "ws", 1) + "/ws", open_timeout=TIMEOUT) as client:
        client.send("hello")
        first = client.recv(timeout=TIMEOUT)
        client.send(f"my token is {SECRET}")
        second = client.recv(timeout=TIMEOUT)
    assert "no such greeting" in str(first)
    assert SECRET not in str(second)
    assert [(r.name, r.levelno, r.getMessage()) for r in records] == [
        ("railguard.websocket", logging.INFO, "answered NOT_FOUND: no such greeting"),
        (
            "railguard.websocket",
            logging.ERROR,
            "answered INTERNAL: An internal error occurred. (unexpected ValueError)",
        ),
    ]
    assert all(SECRET not in printed(r) for r in records)
    text = scrape(registry)
    assert _series(text) == {
        ("websocket", "answered", "NOT_FOUND", "not_found"): 1.0,
        ("websocket", "answered", "INTERNAL", "internal"): 1.0,
    }
    assert SECRET not in text
    span = _span(traced, "websocket /ws")
    assert _events(span) == [
        ("websocket", "answered", "NOT_FOUND"),
        ("websocket", "answered", "INTERNAL"),
    ]
    assert SECRET not in _span_text(span)


def test_relayed_upstream_failure(
    base: str, records: list[logging.LogRecord], registry: Any, traced: Any
) -> None:
    """Received once (the peer's words, in process); answered once as ours, naming its code."""
    response = httpx.get(base + "/relay/a1", timeout=TIMEOUT)
    assert response.status_code == 502
    assert PEER_SECRET not in response.text
    assert [(r.name, r.getMessage()) for r in records] == [
        ("railguard.httpx", f"received AGENT_NOT_FOUND: no agent a1; {PEER_SECRET}"),
        (
            "railguard.http",
            "answered UPSTREAM: An upstream service failed. (upstream AGENT_NOT_FOUND)",
        ),
    ]
    answered = records[1]
    assert answered.levelno == logging.WARNING
    assert (answered.code, answered.upstream_codes) == ("UPSTREAM", ("AGENT_NOT_FOUND",))  # type: ignore[attr-defined]
    assert PEER_SECRET not in printed(answered)
    text = scrape(registry)
    assert _series(text) == {
        ("httpx", "received", "AGENT_NOT_FOUND", "not_found"): 1.0,
        ("http", "answered", "UPSTREAM", "upstream"): 1.0,
    }
    assert PEER_SECRET not in text
    span = _span(traced, "http /relay/a1")
    assert _events(span) == [
        ("httpx", "received", "AGENT_NOT_FOUND"),
        ("http", "answered", "UPSTREAM"),
    ]
    assert span.events[-1].attributes["railguard.upstream_codes"] == ("AGENT_NOT_FOUND",)
    assert span.attributes["error.type"] == "UPSTREAM"
    assert span.status.status_code.name == "ERROR"
    assert PEER_SECRET not in _span_text(span)


def test_exhausted_retry(
    base: str, records: list[logging.LogRecord], registry: Any, traced: Any
) -> None:
    """Two attempts at a busy peer: each received and retried once, one exhaustion, one answer."""
    response = httpx.get(base + "/exhaust", timeout=TIMEOUT)
    assert response.json()["errors"][0]["type"] == "RETRY_EXHAUSTED"
    assert PEER_SECRET not in response.text
    peer = f"received RATE_LIMIT: slow down; {PEER_SECRET}"
    lines = [(r.name, r.getMessage()) for r in records]
    assert lines[:4] == [
        ("railguard.httpx", peer),
        ("railguard.retry", "attempt 1 failed (RATE_LIMIT); sleeping 1.00s"),
        ("railguard.httpx", peer),
        ("railguard.retry", lines[3][1]),
    ]
    assert lines[3][1].startswith("attempt 2 failed (RATE_LIMIT); giving up")
    (answer,) = lines[4:]
    assert answer[0] == "railguard.http"
    assert answer[1].startswith("answered RETRY_EXHAUSTED: ")
    assert answer[1].endswith(" (upstream RATE_LIMIT)")
    assert all(PEER_SECRET not in printed(r) for r in records if r.name != "railguard.httpx")
    text = scrape(registry)
    assert _series(text) == {
        ("httpx", "received", "RATE_LIMIT", "rate_limit"): 2.0,
        ("retry", "attempt", "RATE_LIMIT", "rate_limit"): 2.0,
        ("retry", "exhausted", "RETRY_EXHAUSTED", "workflow"): 1.0,
        ("http", "answered", "RETRY_EXHAUSTED", "workflow"): 1.0,
    }
    rate = {"code": "RATE_LIMIT", "category": "rate_limit"}
    assert sample(text, "railguard_retry_attempts_total", **rate) == 2.0
    assert sample(text, "railguard_retry_exhausted_total", code="RATE_LIMIT") == 1.0
    assert PEER_SECRET not in text
    span = _span(traced, "http /exhaust")
    assert _events(span) == [
        ("httpx", "received", "RATE_LIMIT"),
        ("retry", "attempt", "RATE_LIMIT"),
        ("httpx", "received", "RATE_LIMIT"),
        ("retry", "attempt", "RATE_LIMIT"),
        ("retry", "exhausted", "RETRY_EXHAUSTED"),
        ("http", "answered", "RETRY_EXHAUSTED"),
    ]
    assert PEER_SECRET not in _span_text(span)
