"""The WebSocket, gRPC, httpx and retry boundaries report only when someone listens.

Each asks `railguard.observe._report.listening` (retry: `observed`, it logs by itself)
before calling `report`: with no observer and a logger that drops the line, `report` is
never called; with either, it is called exactly as before (same arguments), and the
line is logged / the observer called.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import grpc
import pytest
from returns.result import Failure as Err

from railguard import NotFoundFailure
from railguard.integrations import grpc as rg_grpc
from railguard.integrations import httpx as rg_httpx
from railguard.integrations import starlette_ws, websockets
from railguard.observe import Observation, add_observer, remove_observer
from railguard.retry import _engine, retry

pytest_plugins = ["tests.observing"]  # the fixture records

FAILURE = NotFoundFailure(message="no such agent")  # INFO: below a default logger's level


class _Calls:
    """`report`, recorded, then called for real."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[tuple[tuple[object, ...], dict[str, object]]] = []

    def __call__(self, *args: object, **kwargs: object) -> None:
        self.calls.append((args, kwargs))
        self.real(*args, **kwargs)


@pytest.fixture
def quiet() -> Iterator[None]:
    """The railguard loggers drop every failure's line (nothing handles them)."""
    root = logging.getLogger("railguard")
    old = root.level
    root.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        root.setLevel(old)


class _Connection:
    """A ``websockets`` connection that keeps what is sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, message: str) -> None:
        self.sent.append(message)

    async def close(self, code: int, reason: str) -> None:
        pass


def _patch(monkeypatch: pytest.MonkeyPatch, module: Any) -> _Calls:
    calls = _Calls(module.report)
    monkeypatch.setattr(module, "report", calls)
    return calls


@pytest.mark.anyio
@pytest.mark.usefixtures("quiet")
async def test_websocket_send_reports_only_when_observed(monkeypatch: pytest.MonkeyPatch) -> None:
    """``send_failure``: no report call when no one listens; the same call when observed."""
    calls = _patch(monkeypatch, websockets)
    connection = _Connection()
    await websockets.send_failure(connection, FAILURE)  # type: ignore[arg-type]  # a stand-in
    assert calls.calls == []
    seen: list[Observation] = []
    add_observer(seen.append)
    try:
        await websockets.send_failure(connection, FAILURE)  # type: ignore[arg-type]  # a stand-in
    finally:
        remove_observer(seen.append)
    assert calls.calls == [((FAILURE,), {"boundary": "websocket"})]
    assert [(o.boundary, o.outcome, o.failure) for o in seen] == [
        ("websocket", "answered", FAILURE)
    ]
    assert connection.sent[0] == connection.sent[1]  # the frame is the same either way


@pytest.mark.anyio
async def test_websocket_send_logs_when_the_logger_takes_the_line(
    records: list[logging.LogRecord],
) -> None:
    """With no observer but a logger taking INFO, the line is still logged."""
    await websockets.send_failure(_Connection(), FAILURE)  # type: ignore[arg-type]  # a stand-in
    assert [(r.name, r.getMessage()) for r in records] == [
        ("railguard.websocket", "answered NOT_FOUND: no such agent")
    ]


@pytest.mark.anyio
@pytest.mark.usefixtures("quiet")
async def test_websocket_refusal_and_received_frames_report_only_when_observed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refused handshake and a received error frame ask first too."""
    calls = _patch(monkeypatch, websockets)
    response = websockets._refusal(FAILURE, "bridge")
    assert response.status_code == 404
    frame = bytes(response.body).decode()

    async def recv() -> str:
        return frame

    peer = SimpleNamespace(recv=recv)
    received = await websockets.recv_result(peer)  # type: ignore[arg-type]  # a stand-in
    assert isinstance(received, Err)
    assert calls.calls == []
    seen: list[Observation] = []
    add_observer(seen.append)
    try:
        websockets._refusal(FAILURE, "bridge")
        received = await websockets.recv_result(peer)  # type: ignore[arg-type]  # a stand-in
    finally:
        remove_observer(seen.append)
    assert calls.calls == [
        ((FAILURE,), {"boundary": "websocket"}),
        ((received.failure(),), {"boundary": "websocket", "outcome": "received"}),
    ]
    assert [o.outcome for o in seen] == ["answered", "received"]


@pytest.mark.anyio
@pytest.mark.usefixtures("quiet")
async def test_starlette_websocket_reports_only_when_observed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Starlette WebSocket sender asks first as well."""
    from starlette.websockets import WebSocketState

    calls = _patch(monkeypatch, starlette_ws)
    gone = SimpleNamespace(application_state=WebSocketState.DISCONNECTED)
    assert await starlette_ws.send_failure(gone, FAILURE)  # type: ignore[arg-type]  # a stand-in
    assert calls.calls == []
    seen: list[Observation] = []
    add_observer(seen.append)
    try:
        await starlette_ws.send_failure(gone, FAILURE)  # type: ignore[arg-type]  # a stand-in
    finally:
        remove_observer(seen.append)
    assert calls.calls == [((FAILURE,), {"boundary": "websocket"})]
    assert len(seen) == 1


class _Aborted(Exception):
    pass


class _Context:
    """A servicer context that keeps the status it aborts with."""

    status: grpc.Status | None = None

    def abort_with_status(self, status: grpc.Status) -> None:
        self.status = status
        raise _Aborted


@pytest.mark.usefixtures("quiet")
def test_grpc_answer_reports_only_when_observed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gRPC server's answer: no report call when no one listens; the same call when observed."""
    calls = _patch(monkeypatch, rg_grpc)
    context = _Context()
    with pytest.raises(_Aborted):
        rg_grpc._abort(context, FAILURE)  # type: ignore[arg-type]  # a stand-in
    assert calls.calls == []
    assert context.status is not None
    seen: list[Observation] = []
    add_observer(seen.append)
    try:
        with pytest.raises(_Aborted):
            rg_grpc._abort(context, FAILURE)  # type: ignore[arg-type]  # a stand-in
    finally:
        remove_observer(seen.append)
    assert calls.calls == [((FAILURE,), {"boundary": "grpc"})]
    assert [(o.boundary, o.outcome) for o in seen] == [("grpc", "answered")]


class _RpcError(grpc.RpcError):
    """A failed call as the sync stack raises it, answering with ``status``."""

    def __init__(self, status: grpc.Status) -> None:
        self.status = status

    def code(self) -> grpc.StatusCode:
        return self.status.code

    def details(self) -> str:
        return self.status.details

    def trailing_metadata(self) -> Any:
        return self.status.trailing_metadata


@pytest.mark.usefixtures("quiet")
def test_grpc_received_reports_only_when_observed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gRPC client's received failure: reported only when someone listens."""
    error = _RpcError(rg_grpc.rich_status(FAILURE))
    calls = _patch(monkeypatch, rg_grpc)
    assert rg_grpc._received(error).code == "NOT_FOUND"
    assert calls.calls == []
    seen: list[Observation] = []
    add_observer(seen.append)
    try:
        received = rg_grpc._received(error)
    finally:
        remove_observer(seen.append)
    assert calls.calls == [((received,), {"boundary": "grpc", "outcome": "received"})]
    assert [(o.boundary, o.outcome) for o in seen] == [("grpc", "received")]


@pytest.mark.usefixtures("quiet")
def test_httpx_received_reports_only_when_observed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The httpx client's received failure: reported only when someone listens."""
    calls = _patch(monkeypatch, rg_httpx)
    rg_httpx._received(FAILURE)
    assert calls.calls == []
    seen: list[Observation] = []
    add_observer(seen.append)
    try:
        rg_httpx._received(FAILURE)
    finally:
        remove_observer(seen.append)
    expected = {"boundary": "httpx", "outcome": "received", "idempotency_key": None}
    assert calls.calls == [((FAILURE,), expected)]
    assert [(o.boundary, o.outcome) for o in seen] == [("httpx", "received")]


def test_retry_reports_to_observers_only_when_there_are_some(
    monkeypatch: pytest.MonkeyPatch, records: list[logging.LogRecord]
) -> None:
    """Retry logs by itself: ``report`` (observers only) is called only when one is installed.

    Even when the logger takes every line: report(log=False) would have nothing to do.
    """
    calls = _patch(monkeypatch, _engine)
    assert isinstance(retry(lambda: Err(FAILURE), idempotent=True), Err)
    assert calls.calls == []
    seen: list[Observation] = []
    add_observer(seen.append)
    try:
        assert isinstance(retry(lambda: Err(FAILURE), idempotent=True), Err)
    finally:
        remove_observer(seen.append)
    assert calls.calls == [
        ((FAILURE,), {"boundary": "retry", "outcome": "attempt", "log": False}),
    ]
    assert [(o.boundary, o.outcome) for o in seen] == [("retry", "attempt")]
