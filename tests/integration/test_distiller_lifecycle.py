"""The distiller connection lifecycle, produced by real ``websockets`` connections."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from http import HTTPStatus
from typing import Any

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from railguard import Err, Failure, NotFoundFailure
from railguard.families.distiller import (
    AuthenticationError,
    ConnectionClosedError,
    ConnectionTimeoutError,
    UserAlreadyConnectedError,
    WebSocketReceiveError,
    WebSocketSendError,
)
from railguard.integrations.websockets import (
    HEARTBEAT,
    DistillerConnection,
    DistillerServer,
    connect_distiller,
    distiller_failure_for_close,
    is_heartbeat,
)
from railguard.websocket import encode_frame

pytestmark = [pytest.mark.integration, pytest.mark.anyio]
pytest_plugins = ["tests.observing"]  # the fixture records

Handler = Callable[[ServerConnection], Awaitable[None]]
SHORT = 0.2
"""Heartbeat and idle timeouts: short, so the lifecycle cases stay fast."""


@pytest.fixture
async def start() -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """Start ``websockets`` servers on 127.0.0.1 for one test; all close afterwards."""
    servers: list[Server] = []

    async def start(handler: Handler, **kwargs: Any) -> str:
        server = await serve(handler, "127.0.0.1", 0, **kwargs)
        servers.append(server)
        return f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def _echo(message: Any) -> object:
    if message.get("type") == "login":
        raise AuthenticationError("API key rejected")
    return {"type": "answer", "echo": message}


async def test_second_connection_with_an_active_uuid_is_refused(
    start: Callable[..., Awaitable[str]],
) -> None:
    """A UUID already connected gets UserAlreadyConnectedError (409); others are unaffected."""
    server = DistillerServer(_echo, heartbeat_interval=None)
    uri = await start(server)
    async with (
        asyncio.timeout(5),
        connect_distiller(f"{uri}/?uuid=user_123", heartbeat_timeout=None) as first,
    ):
        await first.send({"type": "query"})
        assert await first.recv() == {"type": "answer", "echo": {"type": "query"}}
        assert server.active == {"user_123"}
        async with connect_distiller(f"{uri}/?uuid=user_123", heartbeat_timeout=None) as second:
            with pytest.raises(UserAlreadyConnectedError) as caught:
                await second.recv()  # the error frame
            assert caught.value.status == HTTPStatus.CONFLICT
            with pytest.raises(UserAlreadyConnectedError):
                await second.recv()  # the 4409 close that follows it
            assert second.connection.close_code == 4409
            with pytest.raises(UserAlreadyConnectedError):
                await second.send({"type": "query"})  # the ended connection says why
        await first.send({"type": "still here"})
        assert (await first.recv())["echo"] == {"type": "still here"}
    await asyncio.sleep(0.05)
    assert server.active == frozenset()
    async with (
        asyncio.timeout(5),
        connect_distiller(f"{uri}/?uuid=user_123", heartbeat_timeout=None) as again,
    ):
        await again.send({"type": "back"})
        assert (await again.recv())["echo"] == {"type": "back"}


async def test_missed_heartbeat_times_out_with_last_ping(
    start: Callable[..., Awaitable[str]],
) -> None:
    """A server whose heartbeats stop gives ConnectionTimeoutError with extra['last_ping']."""

    async def one_ping_then_silence(connection: ServerConnection) -> None:
        await connection.send(HEARTBEAT)
        await connection.wait_closed()

    uri = await start(one_ping_then_silence)
    async with asyncio.timeout(5), connect_distiller(uri, heartbeat_timeout=SHORT) as client:
        with pytest.raises(ConnectionTimeoutError) as caught:
            await client.recv()
    error = caught.value
    assert error.status == HTTPStatus.GATEWAY_TIMEOUT
    assert error.extra["last_ping"] is not None
    assert error.extra["last_ping"] == client.last_ping
    assert client.connection.close_code == 4504


async def test_no_heartbeat_at_all_times_out_with_no_last_ping(
    start: Callable[..., Awaitable[str]],
) -> None:
    """Without a single heartbeat, the timeout says last_ping is None."""
    uri = await start(DistillerServer(_echo, heartbeat_interval=None))
    async with (
        asyncio.timeout(5),
        connect_distiller(f"{uri}/?uuid=quiet", heartbeat_timeout=SHORT) as client,
    ):
        with pytest.raises(ConnectionTimeoutError) as caught:
            await client.recv()
    assert caught.value.extra["last_ping"] is None


async def test_heartbeats_keep_the_connection_alive(start: Callable[..., Awaitable[str]]) -> None:
    """Regular heartbeats, never shown to the caller, keep a slow answer from timing out."""

    async def slow(message: Any) -> object:
        await asyncio.sleep(SHORT * 3)
        return {"type": "answer"}

    uri = await start(DistillerServer(slow, heartbeat_interval=SHORT / 4))
    async with (
        asyncio.timeout(5),
        connect_distiller(f"{uri}/?uuid=patient", heartbeat_timeout=SHORT) as client,
    ):
        await client.send({"type": "query"})
        assert await client.recv() == {"type": "answer"}
        assert client.last_ping is not None


async def test_idle_session_is_closed_by_the_server(start: Callable[..., Awaitable[str]]) -> None:
    """A silent client is closed by the server: ConnectionTimeoutError with last_ping."""
    server = DistillerServer(_echo, heartbeat_interval=SHORT / 4, idle_timeout=SHORT)
    uri = await start(server)
    async with (
        asyncio.timeout(5),
        connect_distiller(f"{uri}/?uuid=idle", heartbeat_timeout=SHORT * 2) as client,
    ):
        with pytest.raises(ConnectionTimeoutError) as caught:
            await client.recv()  # the error frame
        with pytest.raises(ConnectionTimeoutError):
            await client.recv()  # the 4504 close that follows it
        assert client.connection.close_code == 4504
    assert caught.value.extra["last_ping"] is not None
    assert caught.value.extra["idle_timeout"] == SHORT


async def test_abrupt_close_is_connection_closed(start: Callable[..., Awaitable[str]]) -> None:
    """A server that drops the TCP connection gives ConnectionClosedError."""

    async def drop(connection: ServerConnection) -> None:
        await connection.recv()
        connection.transport.abort()

    uri = await start(drop)
    async with asyncio.timeout(5), connect_distiller(uri, heartbeat_timeout=None) as client:
        await client.send({"type": "query"})
        with pytest.raises(ConnectionClosedError) as caught:
            await client.recv()
    assert caught.value.extra["close_code"] == 1006


async def test_server_going_away_is_connection_closed(
    start: Callable[..., Awaitable[str]],
) -> None:
    """A close the client did not ask for (1001 going away) is ConnectionClosedError."""

    async def leave(connection: ServerConnection) -> None:
        await connection.close(1001, "restarting")

    uri = await start(leave)
    async with asyncio.timeout(5), connect_distiller(uri, heartbeat_timeout=None) as client:
        with pytest.raises(ConnectionClosedError) as caught:
            await client.recv()
    assert caught.value.extra == {"close_code": 1001, "close_reason": "restarting"}


async def test_normal_close_ends_iteration(start: Callable[..., Awaitable[str]]) -> None:
    """``async for`` over the connection stops cleanly on a normal close."""

    async def two_then_done(connection: ServerConnection) -> None:
        await connection.send('{"n": 1}')
        await connection.send(HEARTBEAT)
        await connection.send('{"n": 2}')

    uri = await start(two_then_done)
    async with asyncio.timeout(5), connect_distiller(uri, heartbeat_timeout=None) as client:
        assert [message async for message in client] == [{"n": 1}, {"n": 2}]


async def test_unparsable_message_is_receive_error_and_the_connection_goes_on(
    start: Callable[..., Awaitable[str]],
) -> None:
    """A message that is not JSON gives WebSocketReceiveError; the next one still arrives."""

    async def garbage_then_fine(connection: ServerConnection) -> None:
        await connection.send("{not json")
        await connection.send('{"ok": true}')
        await connection.wait_closed()

    uri = await start(garbage_then_fine)
    async with asyncio.timeout(5), connect_distiller(uri, heartbeat_timeout=None) as client:
        with pytest.raises(WebSocketReceiveError) as caught:
            await client.recv()
        assert caught.value.extra["excerpt"] == "{not json"
        assert await client.recv() == {"ok": True}


async def test_a_received_error_frame_is_logged_once(
    start: Callable[..., Awaitable[str]], records: list[logging.LogRecord]
) -> None:
    """The client logs a server's error frame once, ``received CODE: message``; nothing else."""

    async def failure_then_fine(connection: ServerConnection) -> None:
        await connection.send(encode_frame(NotFoundFailure(message="no such run; peer-words")))
        await connection.send('{"ok": true}')
        await connection.wait_closed()

    uri = await start(failure_then_fine)
    async with asyncio.timeout(5), connect_distiller(uri, heartbeat_timeout=None) as client:
        assert isinstance(await client.recv_result(), Err)
        assert await client.recv() == {"ok": True}
    assert [(r.name, r.levelno, r.getMessage()) for r in records] == [
        ("railguard.websocket", logging.INFO, "received NOT_FOUND: no such run; peer-words")
    ]


async def test_unsendable_message_is_send_error(start: Callable[..., Awaitable[str]]) -> None:
    """A message that cannot be serialised gives WebSocketSendError."""
    uri = await start(DistillerServer(_echo, heartbeat_interval=None))
    async with (
        asyncio.timeout(5),
        connect_distiller(f"{uri}/?uuid=sender", heartbeat_timeout=None) as client,
    ):
        with pytest.raises(WebSocketSendError):
            await client.send({"when": object()})
        await client.send({"type": "fine"})
        assert (await client.recv())["echo"] == {"type": "fine"}


async def test_fatal_failure_from_the_handler_closes(start: Callable[..., Awaitable[str]]) -> None:
    """The handler's AuthenticationError reaches the client as itself; 4401 closes."""
    uri = await start(DistillerServer(_echo, heartbeat_interval=None))
    async with (
        asyncio.timeout(5),
        connect_distiller(f"{uri}/?uuid=login", heartbeat_timeout=None) as client,
    ):
        await client.send({"type": "login"})
        with pytest.raises(AuthenticationError) as caught:
            await client.recv()
        assert caught.value.message == "API key rejected"
        with pytest.raises(ConnectionClosedError):
            await client.recv()
        assert client.connection.close_code == 4401


async def test_missing_uuid_is_refused(start: Callable[..., Awaitable[str]]) -> None:
    """A connection without a UUID gets a validation failure and a 4400 close."""
    uri = await start(DistillerServer(_echo, heartbeat_interval=None))
    async with asyncio.timeout(5), connect_distiller(uri, heartbeat_timeout=None) as client:
        result = await client.recv_result()
        assert isinstance(result, Err)
        assert result.failure().code == "VALIDATION"


async def test_handshake_refused_with_409_is_user_already_connected(
    start: Callable[..., Awaitable[str]],
) -> None:
    """A server refusing the handshake with HTTP 409 gives UserAlreadyConnectedError."""

    def refuse(connection: ServerConnection, request: Request) -> Response:
        return Response(409, "Conflict", Headers(), b"taken")

    async def never(connection: ServerConnection) -> None:
        raise AssertionError("not reached")

    uri = await start(never, process_request=refuse)
    with pytest.raises(UserAlreadyConnectedError):
        async with asyncio.timeout(5), connect_distiller(uri, heartbeat_timeout=None):
            pass


def test_heartbeat_recognition() -> None:
    """Heartbeats are ``{"type": "PING"}`` in any spacing, or ``PING``; nothing else."""
    assert is_heartbeat(HEARTBEAT)
    assert is_heartbeat('{ "type" : "PING" }')
    assert is_heartbeat("PING")
    assert not is_heartbeat('{"type": "PONG"}')
    assert not is_heartbeat(b"PING")
    assert not is_heartbeat(json.dumps({"type": "answer", "text": "PING"}))


@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        (4409, "", UserAlreadyConnectedError),
        (4504, "", ConnectionTimeoutError),
        (4408, "", ConnectionTimeoutError),
        (1011, "keepalive ping timeout", ConnectionTimeoutError),
        (1000, "", ConnectionClosedError),
        (1006, "", ConnectionClosedError),
        (4401, "", ConnectionClosedError),
        (4409, "distiller.client.user_already_connected: taken", UserAlreadyConnectedError),
    ],
)
def test_close_codes_map_to_distiller_errors(
    code: int, reason: str, expected: type[Exception]
) -> None:
    """Closes without a frame still map onto the distiller's connection errors."""
    failure: Failure = distiller_failure_for_close(code, reason, last_ping="2026-01-01T00:00:00")
    error = failure.to_exception()
    assert type(error) is expected
    if expected is ConnectionTimeoutError:
        assert error.extra["last_ping"] == "2026-01-01T00:00:00"  # type: ignore[attr-defined]


async def test_the_inbox_is_bounded_and_loses_nothing(
    start: Callable[..., Awaitable[str]],
) -> None:
    """A flood waits in at most inbox_size messages (back-pressure); all arrive, in order."""
    count = 2000

    async def flood(connection: ServerConnection) -> None:
        for number in range(count):
            await connection.send(json.dumps({"n": number}))
            if number % 50 == 0:
                await connection.send(HEARTBEAT)
        await connection.wait_closed()

    uri = await start(flood)
    async with (
        asyncio.timeout(10),
        connect_distiller(uri, heartbeat_timeout=SHORT, inbox_size=8) as client,
    ):
        await asyncio.sleep(SHORT * 3)  # a slow consumer: longer than the heartbeat timeout
        assert client._inbox.qsize() <= 8
        received = [(await client.recv())["n"] for _ in range(count)]
    assert received == list(range(count))


def test_the_inbox_needs_room_for_a_message() -> None:
    """An inbox_size below 1 is refused."""
    with pytest.raises(ValueError, match="inbox_size"):
        DistillerConnection(None, heartbeat_timeout=None, inbox_size=0)  # type: ignore[arg-type]
