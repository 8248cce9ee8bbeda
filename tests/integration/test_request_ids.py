"""Request ids, trace ids and localized messages on every wire, through real servers (issue 12)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from returns.result import Result
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from railguard import Err, Failure, NotFoundFailure, UpstreamFailure
from railguard.core import is_from_peer, peer_request_id
from railguard.families.agents import AgentNotFoundFailure
from railguard.http import Style, decode, encode, exchange_of
from railguard.integrations.httpx import wrap
from railguard.integrations.starlette import FailureResponse, install
from railguard.integrations.starlette_ws import serve_messages
from railguard.integrations.websockets import echo_request_id, recv_result, request_context
from railguard.integrations.websockets import serve_messages as ws_serve_messages
from railguard.messages import LocalizedMessage, Messages
from railguard.observe import REQUEST_ID, RequestIdMiddleware
from railguard.websocket import Exchange, decode_frame, encode_frame, frame_exchange

from .servers import running_uvicorn

pytestmark = pytest.mark.integration

STYLES: tuple[Style, ...] = ("agents", "problem", "bridge")
FAILURE = AgentNotFoundFailure(message="Agent a1 not found.")


async def _returned(request: Request) -> Response:
    """A route returning ``Err(failure)`` (answered through ``FailureResponse``)."""
    return FailureResponse(FAILURE)


async def _raised(request: Request) -> Response:
    """A route raising the failure's exception (answered by the root handler)."""
    raise FAILURE.to_exception()


async def _ws(websocket: WebSocket) -> None:
    """Answer every message with the failure's error frame (recoverable: the loop goes on)."""

    async def handle(message: object) -> Result[str, Failure]:
        return Err(NotFoundFailure(message="no such session"))

    await serve_messages(websocket, handle)


def _app(style: Style, *, request_ids: bool) -> Starlette:
    app = Starlette(
        routes=[
            Route("/returned", _returned),
            Route("/raised", _raised),
            WebSocketRoute("/ws", _ws),
        ]
    )
    install(app, style)
    if request_ids:
        app.add_middleware(RequestIdMiddleware)
    return app


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[tuple[str, bool], str]]:
    """One server per style, with and without `RequestIdMiddleware`."""
    with (
        running_uvicorn(_app("agents", request_ids=True)) as agents,
        running_uvicorn(_app("problem", request_ids=True)) as problem,
        running_uvicorn(_app("bridge", request_ids=True)) as bridge,
        running_uvicorn(_app("agents", request_ids=False)) as agents_plain,
        running_uvicorn(_app("problem", request_ids=False)) as problem_plain,
        running_uvicorn(_app("bridge", request_ids=False)) as bridge_plain,
    ):
        yield {
            ("agents", True): agents,
            ("problem", True): problem,
            ("bridge", True): bridge,
            ("agents", False): agents_plain,
            ("problem", False): problem_plain,
            ("bridge", False): bridge_plain,
        }


@pytest.mark.parametrize("route", ["returned", "raised"])
@pytest.mark.parametrize("style", STYLES)
def test_the_request_id_is_in_the_envelope_and_the_header(
    servers: dict[tuple[str, bool], str], style: Style, route: str
) -> None:
    """Each style's envelope names the request's X-Request-ID; the header agrees."""
    response = httpx.get(f"{servers[style, True]}/{route}", headers={"X-Request-ID": "req-7f3a.1"})
    assert response.status_code == 404
    assert response.json()["request_id"] == "req-7f3a.1"
    assert response.headers["x-request-id"] == "req-7f3a.1"
    assert "trace_id" not in response.json()  # no span is current
    assert exchange_of(response.headers, response.content).request_id == "req-7f3a.1"
    assert decode(response.status_code, response.headers, response.content, style) == FAILURE


@pytest.mark.parametrize("style", STYLES)
def test_a_request_without_an_id_gets_a_new_one_in_the_envelope(
    servers: dict[tuple[str, bool], str], style: Style
) -> None:
    """Without an incoming id the middleware makes one; the envelope and header name it."""
    response = httpx.get(f"{servers[style, True]}/returned")
    made = response.headers["x-request-id"]
    assert len(made) == 32
    assert response.json()["request_id"] == made


@pytest.mark.parametrize("route", ["returned", "raised"])
@pytest.mark.parametrize("style", STYLES)
def test_without_the_middleware_the_body_is_the_documented_one(
    servers: dict[tuple[str, bool], str], style: Style, route: str
) -> None:
    """No request id is set: the body is byte for byte the plain encoding, no header added."""
    response = httpx.get(f"{servers[style, False]}/{route}", headers={"X-Request-ID": "req-7f3a.1"})
    assert response.content == encode(FAILURE, style, instance=f"/{route}").body
    assert "x-request-id" not in response.headers


async def _frame_and_header(url: str, headers: dict[str, str]) -> tuple[str, str | None]:
    async with connect(url, additional_headers=headers) as connection:
        assert connection.response is not None
        echoed = connection.response.headers.get("X-Request-ID")
        await connection.send("hello")
        frame = await connection.recv()
    assert isinstance(frame, str)
    return frame, echoed


def test_a_starlette_websocket_frame_carries_the_session_id(
    servers: dict[tuple[str, bool], str],
) -> None:
    """The handshake's X-Request-ID is the session's: on the accept and in every frame."""
    url = servers["agents", True].replace("http://", "ws://") + "/ws"
    frame, echoed = asyncio.run(_frame_and_header(url, {"X-Request-ID": "ws-session-1"}))
    assert echoed == "ws-session-1"
    assert json.loads(frame)["request_id"] == "ws-session-1"
    assert frame_exchange(frame).request_id == "ws-session-1"
    assert decode_frame(frame) == NotFoundFailure(message="no such session")


def test_a_starlette_websocket_without_an_id_gets_one(
    servers: dict[tuple[str, bool], str],
) -> None:
    """A handshake without X-Request-ID: a new id, the same on the accept and in the frame."""
    url = servers["agents", True].replace("http://", "ws://") + "/ws"
    frame, echoed = asyncio.run(_frame_and_header(url, {}))
    assert echoed is not None
    assert len(echoed) == 32
    assert json.loads(frame)["request_id"] == echoed


def test_a_starlette_websocket_without_the_middleware_has_no_id(
    servers: dict[tuple[str, bool], str],
) -> None:
    """No middleware: the frame is exactly the documented bridge frame."""
    url = servers["agents", False].replace("http://", "ws://") + "/ws"
    frame, echoed = asyncio.run(_frame_and_header(url, {"X-Request-ID": "ws-session-1"}))
    assert echoed is None
    assert set(json.loads(frame)) == {"type", "message", "code", "error_code"}


async def _websockets_library(headers: dict[str, str]) -> tuple[str, str | None]:
    async def handle(message: object) -> Result[str, Failure]:
        return Err(NotFoundFailure(message="no such session"))

    async def handler(connection: ServerConnection) -> None:
        await ws_serve_messages(connection, handle)

    async with serve(
        request_context(handler), "127.0.0.1", 0, process_response=echo_request_id
    ) as server:
        port = server.sockets[0].getsockname()[1]
        return await _frame_and_header(f"ws://127.0.0.1:{port}", headers)


@pytest.mark.parametrize("given", ["lib-session-9", None, "not a token\r\n"])
def test_a_websockets_library_session_gets_its_id(given: str | None) -> None:
    """`request_context` and `echo_request_id`: the handshake's id (or a new one) everywhere."""
    frame, echoed = asyncio.run(
        _websockets_library({} if given is None else {"X-Request-ID": given.strip()})
    )
    assert echoed is not None
    if given == "lib-session-9":
        assert echoed == given
    else:
        assert len(echoed) == 32  # absent or not a plain token: a new one
    assert json.loads(frame)["request_id"] == echoed


class _Span:
    """ASGI middleware: each request runs in an OpenTelemetry SDK span (as instrumentation does)."""

    provider = TracerProvider()
    seen: list[str] = []  # noqa: RUF012  # the trace ids of the spans, in order

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with self.provider.get_tracer("tests").start_as_current_span("request") as span:
            self.seen.append(format(span.get_span_context().trace_id, "032x"))
            await self.app(scope, receive, send)


@pytest.mark.parametrize("style", STYLES)
def test_the_current_span_gives_the_trace_id(style: Style) -> None:
    """With an active OpenTelemetry span, each style's envelope carries its trace id."""
    app = _app(style, request_ids=False)
    app.add_middleware(_Span)
    with running_uvicorn(app) as url:
        for route in ("returned", "raised"):
            response = httpx.get(f"{url}/{route}")
            body = response.json()
            assert body["trace_id"] == _Span.seen[-1]
            assert len(body["trace_id"]) == 32
            assert "request_id" not in body
            assert exchange_of(response.headers, response.content).trace_id == _Span.seen[-1]
            assert decode(response.status_code, response.headers, response.content, style) == (
                FAILURE
            )


# --- relayed failures: our id forwarded, the peer's id kept in process, never relayed ------


class _MintsIds:
    """ASGI middleware of the upstream: records the incoming id, serves under its own."""

    received: list[str | None] = []  # noqa: RUF012  # the X-Request-ID of each request

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", ()))
        incoming = headers.get(b"x-request-id")
        self.received.append(None if incoming is None else incoming.decode())
        token = REQUEST_ID.set(f"upstream-{len(self.received)}")
        try:
            await self.app(scope, receive, send)
        finally:
            REQUEST_ID.reset(token)


def _upstream() -> Starlette:
    app = Starlette(routes=[Route("/agents/a1", _returned)])
    install(app, "problem")
    app.add_middleware(_MintsIds)
    return app


def _ours(upstream: str, seen: list[tuple[str | None, bool]]) -> Starlette:
    async def relay(request: Request) -> Response:
        async with wrap(httpx.AsyncClient(base_url=upstream)) as api:
            got = await api.get("/agents/a1")
        peer = got.failure()
        seen.append((peer_request_id(peer), is_from_peer(peer)))
        return FailureResponse(peer)

    app = Starlette(routes=[Route("/relay", relay)])
    install(app)
    app.add_middleware(RequestIdMiddleware)
    return app


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_the_id_goes_upstream_and_the_answer_carries_ours() -> None:
    """Our id goes upstream; the peer's own id is kept and logged; our caller sees ours only."""
    seen: list[tuple[str | None, bool]] = []
    keep = _Keep()
    logger = logging.getLogger("railguard.httpx")
    logger.addHandler(keep)
    logger.setLevel(logging.INFO)
    try:
        with (
            running_uvicorn(_upstream()) as upstream,
            running_uvicorn(_ours(upstream, seen)) as ours,
        ):
            response = httpx.get(f"{ours}/relay", headers={"X-Request-ID": "ours-1"})
    finally:
        logger.removeHandler(keep)
        logger.setLevel(logging.NOTSET)
    assert _MintsIds.received[-1] == "ours-1"  # forwarded as X-Request-ID
    peer_id = f"upstream-{len(_MintsIds.received)}"
    assert seen == [(peer_id, True)]  # the peer's own id, readable in process
    assert response.status_code == 502
    body: dict[str, Any] = response.json()
    assert body["errors"][0]["type"] == "UPSTREAM"
    assert body["request_id"] == "ours-1"
    assert response.headers["x-request-id"] == "ours-1"
    assert peer_id not in response.text + str(response.headers)
    assert decode(502, response.headers, response.content) == UpstreamFailure()
    (line,) = [r for r in keep.records if getattr(r, "outcome", None) == "received"]
    assert (line.request_id, line.peer_request_id) == ("ours-1", peer_id)  # type: ignore[attr-defined]


def test_a_caller_set_id_is_not_replaced() -> None:
    """A request (or client) that sets X-Request-ID itself keeps it."""
    with running_uvicorn(_upstream()) as upstream:

        async def call() -> None:
            token = REQUEST_ID.set("ours-2")
            try:
                async with wrap(httpx.AsyncClient(base_url=upstream)) as api:
                    await api.get("/agents/a1", headers={"X-Request-ID": "explicit"})
                async with wrap(
                    httpx.AsyncClient(base_url=upstream, headers={"X-Request-ID": "default"})
                ) as api:
                    await api.get("/agents/a1")
                async with wrap(httpx.AsyncClient(base_url=upstream)) as api:
                    await api.send(api.client.build_request("GET", "/agents/a1"))
            finally:
                REQUEST_ID.reset(token)
            with wrap(httpx.Client(base_url=upstream)) as api:
                api.get("/agents/a1")  # outside a request: nothing is sent

        asyncio.run(call())
    assert _MintsIds.received[-4:] == ["explicit", "default", "ours-2", None]


async def _recv_peer_frame(frame: str) -> Failure:
    async def handler(connection: ServerConnection) -> None:
        await connection.send(frame)
        await connection.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        async with connect(f"ws://127.0.0.1:{port}") as connection:
            result = await recv_result(connection)
    return result.failure()


def test_a_peer_frame_keeps_the_peers_id_in_process() -> None:
    """`recv_result` marks the frame's failure as a peer's, with the peer's request id."""
    frame = encode_frame(FAILURE, exchange=Exchange(request_id="peer-ws-3"))
    failure = asyncio.run(_recv_peer_frame(frame))
    assert failure == FAILURE
    assert is_from_peer(failure)
    assert peer_request_id(failure) == "peer-ws-3"


# --- localized messages ----------------------------------------------------------------------

MESSAGES = Messages()


def _localized_app(style: Style) -> Starlette:
    app = Starlette(
        routes=[
            Route("/returned", _returned),
            Route("/raised", _raised),
            WebSocketRoute("/ws", _ws),
        ]
    )
    install(app, style, messages=MESSAGES)
    app.add_middleware(RequestIdMiddleware)
    return app


@pytest.mark.parametrize("style", STYLES)
def test_each_envelope_carries_the_localized_message(style: Style) -> None:
    """The caller's Accept-Language picks the locale; the failure's own message is unchanged."""
    with running_uvicorn(_localized_app(style)) as url:
        for route in ("returned", "raised"):
            german = httpx.get(
                f"{url}/{route}",
                headers={"Accept-Language": "de-AT, en;q=0.5", "X-Request-ID": "loc-1"},
            )
            plain = httpx.get(f"{url}/{route}")
            body = german.json()
            assert body["localized_message"] == {
                "locale": "de",
                "message": MESSAGES.user_message(FAILURE, "de"),
            }
            assert body["request_id"] == "loc-1"
            assert plain.json()["localized_message"]["locale"] == "en"
            exchange = exchange_of(german.headers, german.content)
            assert exchange.localized_message == LocalizedMessage(
                "de", MESSAGES.user_message(FAILURE, "de")
            )
            assert decode(german.status_code, german.headers, german.content, style) == FAILURE
    assert MESSAGES.user_message(FAILURE, "de") != MESSAGES.user_message(FAILURE, "en")


def test_a_fastapi_app_localizes_too() -> None:
    """`railguard.integrations.fastapi.install(app, messages=...)` is the same keyword."""
    from fastapi import FastAPI

    from railguard.integrations.fastapi import install as install_fastapi

    app = FastAPI()
    install_fastapi(app, "problem", messages=MESSAGES)

    @app.get("/agents/{agent_id}")
    async def agent(agent_id: str) -> Result[dict[str, str], AgentNotFoundFailure]:
        return Err(FAILURE)

    with running_uvicorn(app) as url:
        response = httpx.get(f"{url}/agents/a1", headers={"Accept-Language": "de"})
    assert response.json()["localized_message"] == {
        "locale": "de",
        "message": MESSAGES.user_message(FAILURE, "de"),
    }
    assert response.json()["detail"] == FAILURE.message


def test_a_starlette_websocket_frame_is_localized() -> None:
    """The handshake's Accept-Language localizes every frame of the session."""
    failure = NotFoundFailure(message="no such session")
    with running_uvicorn(_localized_app("agents")) as url:
        ws_url = url.replace("http://", "ws://") + "/ws"
        frame, _ = asyncio.run(
            _frame_and_header(ws_url, {"Accept-Language": "de", "X-Request-ID": "ws-loc"})
        )
    exchange = frame_exchange(frame)
    assert exchange.localized_message == LocalizedMessage(
        "de", MESSAGES.user_message(failure, "de")
    )
    assert exchange.request_id == "ws-loc"
    assert decode_frame(frame) == failure


def test_a_websockets_library_session_is_localized() -> None:
    """`request_context(handler, messages=...)` localizes the session's frames."""

    async def run() -> tuple[str, str | None]:
        async def handle(message: object) -> Result[str, Failure]:
            return Err(NotFoundFailure(message="no such session"))

        async def handler(connection: ServerConnection) -> None:
            await ws_serve_messages(connection, handle)

        async with serve(request_context(handler, messages=MESSAGES), "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            return await _frame_and_header(
                f"ws://127.0.0.1:{port}", {"Accept-Language": "de;q=1, en;q=0.1"}
            )

    frame, _ = asyncio.run(run())
    localized = frame_exchange(frame).localized_message
    assert localized is not None
    assert localized.locale == "de"


class _Broken(Messages):
    def localize(self, failure: Failure, accept_language: str | None) -> LocalizedMessage:
        raise LookupError("no catalog")


def test_a_broken_localizer_leaves_the_answer_unlocalized(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Localizing that fails is logged; the envelope goes out without the member."""
    app = Starlette(routes=[Route("/returned", _returned)])
    install(app, messages=_Broken())
    with caplog.at_level(logging.ERROR, logger="railguard.messages"), running_uvicorn(app) as url:
        response = httpx.get(f"{url}/returned", headers={"Accept-Language": "de"})
    assert response.status_code == 404
    assert response.content == encode(FAILURE).body
    assert "localizing AGENT_NOT_FOUND failed" in caplog.text
