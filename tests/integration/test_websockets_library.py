"""The ``websockets`` integration over real connections on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure as Err
from returns.result import Success
from websockets.asyncio.client import connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from railguard import (
    AuthenticationFailure,
    ConflictFailure,
    Failure,
    FailureGroup,
    InternalFailure,
    NotFoundFailure,
    Ok,
    RateLimitFailure,
    Result,
    ValidationFailure,
)
from railguard.integrations.websockets import (
    failure_from_closed,
    failure_handler,
    recv_result,
    send_failure,
    serve_messages,
)
from railguard.testing import instances_of
from railguard.websocket import (
    WebSocketClosedFailure,
    close_code,
    close_reason,
    decode_frame,
    encode_frame,
)
from tests.ws_strategies import PLAIN, groups

from ._loop import LoopThread, loop_thread

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.observing"]  # the fixture records

_plain = PLAIN

Handler = Callable[[ServerConnection], Awaitable[None]]


async def _start(handler: Handler) -> tuple[Server, str]:
    server = await serve(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"ws://127.0.0.1:{port}"


async def _echo(connection: ServerConnection) -> None:
    """Decode each frame the client sends and send the failure back with railguard."""
    async for message in connection:
        await send_failure(connection, decode_frame(message), close=False)


class Echo:
    """A live echo server on a loop thread; each round trip opens its own connection.

    (A connection per example: a step cut short by a timeout cannot leave a
    stray frame for the next example to read.)
    """

    def __init__(self, thread: LoopThread) -> None:
        self.thread = thread
        self.server, self.uri = thread.run(_start(_echo))

    def round_trip(self, failure: Failure) -> Result[Any, Failure]:
        """Send ``failure``'s frame; return what the client reads back."""

        async def go() -> Result[Any, Failure]:
            async with asyncio.timeout(5), connect(self.uri) as client:
                await client.send(encode_frame(failure))
                return await recv_result(client)

        return self.thread.run(go())

    def close(self) -> None:
        """Close the server."""
        self.server.close()
        self.thread.run(self.server.wait_closed())


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    """One echo server and connection shared by the module's round-trip tests."""
    with loop_thread() as thread:
        server = Echo(thread)
        try:
            yield server
        finally:
            server.close()


@pytest.mark.parametrize("cls", _plain, ids=lambda cls: cls.__name__)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_registered_failure_travels_and_comes_back_equal(
    echo: Echo, cls: type[Failure], data: st.DataObject
) -> None:
    """Each registered failure class, sent over a real connection, is received equal."""
    failure = data.draw(instances_of(cls))
    assert echo.round_trip(failure) == Err(failure)


@settings(max_examples=10, deadline=None)
@given(group=groups)
def test_failure_groups_travel_and_come_back_equal(
    echo: Echo, group: FailureGroup[Failure]
) -> None:
    """Groups of failures survive a real connection too."""
    assert echo.round_trip(group) == Err(group)


@pytest.fixture
async def start() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Start websockets servers for one test; all are closed afterwards."""
    servers: list[Server] = []

    async def start(handler: Handler) -> str:
        server, uri = await _start(handler)
        servers.append(server)
        return uri

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def _echo_and_close(connection: ServerConnection) -> None:
    """Decode the frame the client sends and send that failure back as fatal."""
    await send_failure(connection, decode_frame(await connection.recv()), close=True)


@pytest.fixture(scope="module")
def closing() -> Iterator[tuple[LoopThread, str]]:
    """A server that answers one frame with that failure, then closes."""
    with loop_thread() as thread:
        server, uri = thread.run(_start(_echo_and_close))
        try:
            yield thread, uri
        finally:
            server.close()
            thread.run(server.wait_closed())


async def _frame_then_close(uri: str, failure: Failure) -> tuple[Failure, int | None, str | None]:
    """Send ``failure``; read the error frame, then the close."""
    async with asyncio.timeout(5), connect(uri) as client:
        await client.send(encode_frame(failure))
        first = await recv_result(client)
        second = await recv_result(client)
        assert isinstance(first, Err)
        assert isinstance(second, Err)
        return first.failure(), client.close_code, client.close_reason


@pytest.mark.parametrize("cls", _plain, ids=lambda cls: cls.__name__)
@settings(max_examples=3, deadline=None)
@given(data=st.data(), long=st.booleans())
def test_close_code_and_reason_on_the_wire_are_the_mapped_ones(
    closing: tuple[LoopThread, str], cls: type[Failure], data: st.DataObject, long: bool
) -> None:
    """A fatal send puts the frame, then the mapped close code and reason, on the wire."""
    failure = data.draw(instances_of(cls))
    if long:
        failure = attrs.evolve(failure, message="é€😀" * 40)
    thread, uri = closing
    frame, code, reason = thread.run(_frame_then_close(uri, failure))
    assert frame == failure
    assert code == close_code(failure)
    assert reason == close_reason(failure)
    assert len(reason.encode()) <= 123


@pytest.mark.anyio
async def test_a_received_error_frame_is_logged_once(
    start: Callable[[Handler], Awaitable[str]], records: list[logging.LogRecord]
) -> None:
    """recv_result logs a peer's error frame once (its words in process); other messages not."""

    async def handler(connection: ServerConnection) -> None:
        await connection.send(encode_frame(RateLimitFailure(message="slow down; peer-words")))
        await connection.send('{"ok": true}')
        await connection.wait_closed()

    uri = await start(handler)
    async with asyncio.timeout(5), connect(uri) as client:
        assert isinstance(await recv_result(client), Err)
        assert await recv_result(client) == Success('{"ok": true}')
    assert [(r.name, r.levelno, r.getMessage()) for r in records] == [
        ("railguard.websocket", logging.INFO, "received RATE_LIMIT: slow down; peer-words")
    ]
    assert records[0].outcome == "received"  # type: ignore[attr-defined]  # a structured field


@pytest.mark.anyio
async def test_recoverable_failures_keep_the_connection_open(
    start: Callable[[Handler], Awaitable[str]],
) -> None:
    """serve_messages answers recoverable failures and goes on; a fatal one closes."""

    async def handle(message: str | bytes) -> object:
        match message:
            case "missing":
                raise NotFoundFailure(message="no such thing").to_exception()
            case "invalid":
                return Err(ValidationFailure(message="bad input"))
            case "unwrap":
                result: Result[str, Failure] = Err(ConflictFailure(message="busy"))
                return result.unwrap()
            case "login":
                return Err(AuthenticationFailure(message="who are you?"))
            case "dict":
                return Ok({"ok": True})
            case _:
                return None

    async def handler(connection: ServerConnection) -> None:
        await serve_messages(connection, handle)

    uri = await start(handler)
    async with asyncio.timeout(5), connect(uri) as client:
        for message, expected in [
            ("missing", NotFoundFailure(message="no such thing")),
            ("invalid", ValidationFailure(message="bad input")),
            ("unwrap", ConflictFailure(message="busy")),
        ]:
            await client.send(message)
            assert await recv_result(client) == Err(expected)
        await client.send("nothing")  # no reply: the next message answers the next request
        await client.send("dict")
        assert await recv_result(client) == Success('{"ok": true}')
        await client.send("login")
        assert await recv_result(client) == Err(AuthenticationFailure(message="who are you?"))
        closed = await recv_result(client)
        assert client.close_code == 4401
        assert closed == Err(AuthenticationFailure(message="who are you?"))


@pytest.mark.anyio
async def test_failure_handler_reports_what_the_handler_raises(
    start: Callable[[Handler], Awaitable[str]],
) -> None:
    """A raised family exception, or an unwrap, becomes the frame and the mapped close."""

    @failure_handler
    async def handler(connection: ServerConnection) -> None:
        await connection.recv()
        result: Result[str, Failure] = Err(ConflictFailure(message="seat taken"))
        result.unwrap()

    uri = await start(handler)
    async with asyncio.timeout(5), connect(uri) as client:
        await client.send("go")
        assert await recv_result(client) == Err(ConflictFailure(message="seat taken"))
        await recv_result(client)
        assert client.close_code == 4409


@pytest.mark.anyio
async def test_unexpected_exceptions_are_sanitized(
    start: Callable[[Handler], Awaitable[str]], caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected exception reaches the client as a bare internal failure and 1011."""

    @failure_handler
    async def handler(connection: ServerConnection) -> None:
        raise RuntimeError("db password is hunter2")

    uri = await start(handler)
    async with asyncio.timeout(5), connect(uri) as client:
        frame = await client.recv()
        assert "hunter2" not in frame
        assert decode_frame(frame) == InternalFailure()
        with pytest.raises(ConnectionClosed):
            await client.recv()
        assert client.close_code == 1011
    assert "answered INTERNAL: An internal error occurred." in caplog.text


@pytest.mark.anyio
async def test_abrupt_close_is_a_dropped_connection(
    start: Callable[[Handler], Awaitable[str]],
) -> None:
    """A server that drops the TCP connection gives a 1006 WebSocketClosedFailure."""

    async def handler(connection: ServerConnection) -> None:
        await connection.recv()
        connection.transport.abort()

    uri = await start(handler)
    async with asyncio.timeout(5), connect(uri) as client:
        await client.send("go")
        result = await recv_result(client)
        failure = result.failure()
        assert isinstance(failure, WebSocketClosedFailure)
        assert failure.close_code == 1006


@pytest.mark.anyio
async def test_failure_from_closed_prefers_the_received_close() -> None:
    """failure_from_closed reads the peer's close frame when there is one."""
    from websockets.frames import Close

    exc = ConnectionClosed(Close(4409, "CONFLICT: taken"), Close(4409, "CONFLICT: taken"), True)
    assert failure_from_closed(exc) == ConflictFailure(message="taken")
    sent_only = ConnectionClosed(None, Close(1011, "keepalive ping timeout"))
    assert failure_from_closed(sent_only).category.value == "internal"


@pytest.mark.anyio
async def test_messages_that_are_not_error_frames_pass_through(
    start: Callable[[Handler], Awaitable[str]],
) -> None:
    """recv_result leaves ordinary messages (JSON, text mentioning errors, bytes) alone."""
    messages: list[str | bytes] = ['{"type": "result", "error": null}', '"error"', b"\x00", "{"]

    async def handler(connection: ServerConnection) -> None:
        for message in messages:
            await connection.send(message)
        await connection.recv()

    uri = await start(handler)
    async with asyncio.timeout(5), connect(uri) as client:
        for message in messages:
            assert await recv_result(client) == Success(message)


@pytest.mark.anyio
async def test_handshake_check_returning_a_result_accepts_on_ok() -> None:
    """A handshake_errors check typed `-> Result[None, F]`: Ok(None) accepts, Err refuses."""
    from websockets.exceptions import InvalidStatus
    from websockets.http11 import Request

    from railguard.integrations.websockets import failure_from_handshake, handshake_errors

    def check(connection: ServerConnection, request: Request) -> Result[None, Failure]:
        if request.path.endswith("token=ok"):
            return Ok(None)
        return Err(AuthenticationFailure(message="no token"))

    async def greet(connection: ServerConnection) -> None:
        await connection.send("welcome")

    async with serve(greet, "127.0.0.1", 0, process_request=handshake_errors(check)) as server:
        uri = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with asyncio.timeout(5), connect(uri + "/?token=ok") as client:
            assert await client.recv() == "welcome"
        with pytest.raises(InvalidStatus) as caught:
            async with asyncio.timeout(5), connect(uri + "/"):
                pass
    assert caught.value.response.status_code == 401
    assert failure_from_handshake(caught.value) == AuthenticationFailure(message="no token")


@pytest.mark.anyio
async def test_refused_handshake_becomes_a_failure() -> None:
    """A handshake refused with an error frame body decodes to that failure; else by status."""
    from websockets.asyncio.server import serve as serve_with
    from websockets.datastructures import Headers
    from websockets.exceptions import InvalidStatus
    from websockets.http11 import Request, Response

    from railguard import Category, UnknownFailure
    from railguard.integrations.websockets import failure_from_handshake

    refusal = AuthenticationFailure(message="token expired")

    def refuse(connection: ServerConnection, request: Request) -> Response:
        body = encode_frame(refusal).encode() if request.path == "/frame" else b"go away"
        return Response(401, "Unauthorized", Headers(), body)

    async def never(connection: ServerConnection) -> None:
        raise AssertionError("not reached")

    async with serve_with(never, "127.0.0.1", 0, process_request=refuse) as server:
        uri = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        refused: dict[str, Failure] = {}
        for path in ("/frame", "/plain"):
            with pytest.raises(InvalidStatus) as caught:
                async with asyncio.timeout(5), connect(uri + path):
                    pass
            refused[path] = failure_from_handshake(caught.value)
    assert refused["/frame"] == refusal
    plain = refused["/plain"]
    assert isinstance(plain, UnknownFailure)
    assert plain.category is Category.AUTHENTICATION
    assert plain.raw == "go away"


@pytest.mark.anyio
async def test_a_lone_surrogate_in_a_message_still_reaches_the_client(
    start: Callable[[Handler], Awaitable[str]],
) -> None:
    """A failure whose message holds a lone surrogate arrives whole, then the mapped close."""
    failure = NotFoundFailure(message="no agent \ud800 here")

    @failure_handler
    async def handler(connection: ServerConnection) -> None:
        raise failure.to_exception()

    uri = await start(handler)
    async with asyncio.timeout(5), connect(uri) as client:
        assert await recv_result(client) == Err(failure)
        await recv_result(client)
        assert client.close_code == close_code(failure)
