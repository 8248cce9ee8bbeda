"""Starlette and FastAPI WebSocket endpoints over a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Query
from fastapi import WebSocket as FastAPIWebSocket
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure as Err
from returns.result import Success
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from railguard import (
    AuthenticationFailure,
    AuthorizationFailure,
    ConflictFailure,
    Failure,
    InternalFailure,
    NotFoundFailure,
    RailguardError,
    Result,
    ValidationFailure,
)
from railguard.integrations.starlette_ws import (
    WebSocketFailureMiddleware,
    failure_from_disconnect,
    handle_websocket_exception,
    send_failure,
    serve_messages,
    websocket_errors,
)
from railguard.integrations.websockets import recv_result
from railguard.testing import instances_of
from railguard.websocket import close_code, close_reason, decode_frame, encode_frame
from tests.ws_strategies import PLAIN

from ._loop import LoopThread, loop_thread
from .servers import running_uvicorn

pytestmark = pytest.mark.integration

_plain = PLAIN


@websocket_errors()
async def before_accept(websocket: WebSocket) -> None:
    """Refuse the connection before accepting it."""
    raise AuthenticationFailure(message="token expired").to_exception()


@websocket_errors()
async def after_accept(websocket: WebSocket) -> None:
    """Accept, read one message, then fail."""
    await websocket.accept()
    await websocket.receive_text()
    raise NotFoundFailure(message="no such session").to_exception()


@websocket_errors()
async def unwraps(websocket: WebSocket) -> None:
    """Call unwrap() on an Err inside the endpoint."""
    await websocket.accept()
    result: Result[str, Failure] = Err(ConflictFailure(message="already running"))
    result.unwrap()


@websocket_errors()
async def crashes(websocket: WebSocket) -> None:
    """Fail in an unexpected way."""
    await websocket.accept()
    raise KeyError("secret-key-123")


async def echo(websocket: WebSocket) -> None:
    """Send back each received frame's failure, keeping the connection open."""
    await websocket.accept()
    async for message in websocket.iter_text():
        await send_failure(websocket, decode_frame(message), close=False)


async def messages(websocket: WebSocket) -> None:
    """A message loop: recoverable failures answer, fatal ones close."""

    async def handle(message: str | bytes) -> object:
        if message == "bad":
            return Err(ValidationFailure(message="bad message"))
        if message == "forbidden":
            raise AuthorizationFailure(message="admins only").to_exception()
        if message == "login":
            raise AuthenticationFailure(message="who?").to_exception()
        return {"echo": message}

    await serve_messages(websocket, handle)


async def bare_before_accept(websocket: WebSocket) -> None:
    """An undecorated endpoint failing before accept (the middleware covers it)."""
    raise ConflictFailure(message="duplicate session").to_exception()


async def bare_after_accept(websocket: WebSocket) -> None:
    """An undecorated endpoint failing after accept (the middleware covers it)."""
    await websocket.accept()
    raise ValidationFailure(message="missing field").to_exception()


starlette_app = Starlette(
    routes=[
        WebSocketRoute("/before", before_accept),
        WebSocketRoute("/after", after_accept),
        WebSocketRoute("/unwrap", unwraps),
        WebSocketRoute("/crash", crashes),
        WebSocketRoute("/echo", echo),
        WebSocketRoute("/messages", messages),
    ]
)
middleware_app = Starlette(
    routes=[
        WebSocketRoute("/before", bare_before_accept),
        WebSocketRoute("/after", bare_after_accept),
    ],
    middleware=[Middleware(WebSocketFailureMiddleware)],
)
handled_app = Starlette(
    routes=[
        WebSocketRoute("/before", bare_before_accept),
        WebSocketRoute("/after", bare_after_accept),
    ],
    exception_handlers={RailguardError: handle_websocket_exception},
)
fastapi_app = FastAPI()


@fastapi_app.websocket("/items")
@websocket_errors()
async def fastapi_items(websocket: FastAPIWebSocket, item: str = Query()) -> None:
    """A FastAPI endpoint with a query dependency; unknown items fail before accept."""
    if item != "known":
        raise NotFoundFailure(message=f"no item {item}").to_exception()
    await websocket.accept()
    await websocket.send_text(item)
    await websocket.close()


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, str]]:
    """The three apps, served by uvicorn for the whole module."""
    with (
        running_uvicorn(starlette_app) as plain,
        running_uvicorn(middleware_app) as wrapped,
        running_uvicorn(fastapi_app) as fast,
        running_uvicorn(handled_app) as handled,
    ):
        yield {
            name: url.replace("http://", "ws://")
            for name, url in (
                ("starlette", plain),
                ("middleware", wrapped),
                ("fastapi", fast),
                ("handlers", handled),
            )
        }


async def _frame_and_close(uri: str, send: str | None = None) -> tuple[object, int | None, str]:
    async with asyncio.timeout(5), connect(uri) as client:
        if send is not None:
            await client.send(send)
        frame = await recv_result(client)
        with pytest.raises(ConnectionClosed):
            await client.recv()
        return frame, client.close_code, client.close_reason or ""


@pytest.mark.anyio
async def test_failure_before_accept_reaches_the_client(urls: dict[str, str]) -> None:
    """Raised before accept(): the client still reads the frame and the mapped 4401."""
    frame, code, reason = await _frame_and_close(urls["starlette"] + "/before")
    assert frame == Err(AuthenticationFailure(message="token expired"))
    assert code == 4401
    assert reason == "AUTHENTICATION: token expired"


@pytest.mark.anyio
async def test_failure_after_accept_reaches_the_client(urls: dict[str, str]) -> None:
    """Raised after accept(): frame, then the mapped close code."""
    frame, code, _ = await _frame_and_close(urls["starlette"] + "/after", send="hello")
    assert frame == Err(NotFoundFailure(message="no such session"))
    assert code == 4404


@pytest.mark.anyio
async def test_unwrap_on_err_sends_the_failure_inside(urls: dict[str, str]) -> None:
    """result.unwrap() on an Err answers with the failure it holds."""
    frame, code, _ = await _frame_and_close(urls["starlette"] + "/unwrap")
    assert frame == Err(ConflictFailure(message="already running"))
    assert code == 4409


@pytest.mark.anyio
async def test_unexpected_exception_is_sanitized(
    urls: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected exception gives a bare internal failure and 1011; it is logged."""
    frame, code, reason = await _frame_and_close(urls["starlette"] + "/crash")
    assert frame == Err(InternalFailure())
    assert code == 1011
    assert "secret-key-123" not in reason
    assert "answered INTERNAL: An internal error occurred." in caplog.text


@pytest.mark.anyio
async def test_message_loop_keeps_recoverable_and_closes_fatal(urls: dict[str, str]) -> None:
    """serve_messages: validation and authorization answer; authentication closes."""
    async with asyncio.timeout(5), connect(urls["starlette"] + "/messages") as client:
        await client.send("bad")
        assert await recv_result(client) == Err(ValidationFailure(message="bad message"))
        await client.send("forbidden")
        assert await recv_result(client) == Err(AuthorizationFailure(message="admins only"))
        await client.send("hi")
        assert await recv_result(client) == Success('{"echo": "hi"}')
        await client.send("login")
        assert await recv_result(client) == Err(AuthenticationFailure(message="who?"))
        closed = await recv_result(client)
        assert isinstance(closed, Err)
        assert client.close_code == 4401


@pytest.mark.anyio
@pytest.mark.parametrize("app", ["middleware", "handlers"])
@pytest.mark.parametrize(
    ("path", "failure", "code"),
    [
        ("/before", ConflictFailure(message="duplicate session"), 4409),
        ("/after", ValidationFailure(message="missing field"), 4400),
    ],
)
async def test_app_wide_reporting_covers_undecorated_endpoints(
    urls: dict[str, str], app: str, path: str, failure: Failure, code: int
) -> None:
    """The middleware, or handle_websocket_exception as a handler, report every endpoint."""
    frame, got, reason = await _frame_and_close(urls[app] + path)
    assert frame == Err(failure)
    assert got == code
    assert reason == close_reason(failure)


@pytest.mark.anyio
async def test_fastapi_endpoint_keeps_its_dependencies(urls: dict[str, str]) -> None:
    """The decorator keeps FastAPI's signature: query parameters still resolve."""
    async with asyncio.timeout(5), connect(urls["fastapi"] + "/items?item=known") as client:
        assert await client.recv() == "known"
    frame, code, _ = await _frame_and_close(urls["fastapi"] + "/items?item=nope")
    assert frame == Err(NotFoundFailure(message="no item nope"))
    assert code == 4404


def test_disconnect_codes_become_failures() -> None:
    """A client's disconnect code reads back as a failure."""
    from starlette.websockets import WebSocketDisconnect

    failure = failure_from_disconnect(WebSocketDisconnect(4409, "CONFLICT: taken"))
    assert failure == ConflictFailure(message="taken")


@pytest.fixture(scope="module")
def client_loop() -> Iterator[LoopThread]:
    """A loop thread for the synchronous hypothesis round trips."""
    with loop_thread() as thread:
        yield thread


@pytest.mark.parametrize("cls", _plain, ids=lambda cls: cls.__name__)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_every_registered_failure_travels_through_starlette(
    urls: dict[str, str], client_loop: LoopThread, cls: type[Failure], data: st.DataObject
) -> None:
    """Each registered failure class, echoed by a Starlette endpoint, is received equal."""
    failure = data.draw(instances_of(cls))

    async def go() -> object:
        async with asyncio.timeout(5), connect(urls["starlette"] + "/echo") as client:
            await client.send(encode_frame(failure))
            return await recv_result(client)

    assert client_loop.run(go()) == Err(failure)
    assert close_code(failure)  # every one also has a mapped close code
