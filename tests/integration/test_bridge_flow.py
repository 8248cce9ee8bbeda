"""The bridge document's message-level flow over real connections (websockets and Starlette)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

from railguard import Err, Failure, Ok, Result
from railguard.families import bridge
from railguard.integrations import starlette_ws
from railguard.integrations import websockets as ws_integration
from railguard.integrations.websockets import recv_result

from .servers import running_uvicorn

pytestmark = pytest.mark.integration

VALID_TOOLS = ["crush", "claude", "cursor"]


async def handle(message: Any) -> object:
    """A small bridge server: start sessions, fail the documented ways."""
    kind = message.get("type")
    if kind == "start_session":
        if "tool_name" not in message:
            raise bridge.MissingFieldError("tool_name")
        if message["tool_name"] not in VALID_TOOLS:
            raise bridge.InvalidToolNameError(message["tool_name"], VALID_TOOLS)
        return {"type": "session_started", "session_id": "abc-123"}
    if kind == "set_port":
        raise ValueError("port must be an integer, db password=hunter2")
    if kind == "crash":
        raise RuntimeError("db password is hunter2")
    if kind == "auth":
        raise bridge.AuthenticationError("Invalid token")
    if kind == "flood":
        raise bridge.MaxConnectionsError(current=101, max_connections=100)
    if kind == "lookup":
        return Err(bridge.SessionNotFoundFailure(session_id=message["session_id"]))
    if kind == "ok":
        return Ok({"type": "ok"})
    raise bridge.InvalidMessageTypeError(str(kind))


@pytest.fixture(scope="module")
def starlette_url() -> Iterator[str]:
    """A Starlette app whose endpoint is the bridge flow, served by uvicorn."""
    app = Starlette(routes=[WebSocketRoute("/ws", starlette_ws.bridge_messages(handle))])
    with running_uvicorn(app) as url:
        yield url.replace("http://", "ws://") + "/ws"


@pytest.fixture
async def websockets_url() -> AsyncIterator[str]:
    """A websockets server whose handler is the bridge flow."""
    async with serve(ws_integration.bridge_messages(handle), "127.0.0.1", 0) as server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def _recoverable_then_fatal(uri: str) -> None:
    async with asyncio.timeout(5), connect(uri) as client:

        async def ask(text: str) -> Result[Any, Failure]:
            await client.send(text)
            return await recv_result(client)

        invalid_json = (await ask("{not json")).failure()
        assert isinstance(invalid_json, bridge.InvalidJSONFailure)
        assert await ask('{"type": "bogus"}') == Err(
            bridge.InvalidMessageTypeFailure(message_type="bogus")
        )
        assert await ask('{"type": "start_session"}') == Err(
            bridge.MissingFieldFailure(field_name="tool_name")
        )
        assert await ask('{"type": "start_session", "tool_name": "vim"}') == Err(
            bridge.InvalidToolNameFailure(tool_name="vim", valid_tools=VALID_TOOLS)
        )
        # a bare ValueError's text may hold secrets: the class's fixed message goes out
        assert await ask('{"type": "set_port"}') == Err(bridge.ValidationFailure())
        assert await ask('{"type": "crash"}') == Err(
            bridge.ServerFailure(message="Internal Server Error")
        )
        assert await ask('{"type": "lookup", "session_id": "s1"}') == Err(
            bridge.SessionNotFoundFailure(session_id="s1")
        )
        started = await ask('{"type": "start_session", "tool_name": "claude"}')
        assert started.unwrap() == '{"type": "session_started", "session_id": "abc-123"}'
        assert (await ask('{"type": "ok"}')).unwrap() == '{"type": "ok"}'
        # and a fatal one: frame, then the mapped close
        assert await ask('{"type": "auth"}') == Err(
            bridge.AuthenticationFailure(message="Invalid token")
        )
        await recv_result(client)
        assert client.close_code == 4401


@pytest.mark.anyio
async def test_bridge_flow_on_websockets(websockets_url: str) -> None:
    """On a websockets server: recoverable failures answer and go on; authentication closes."""
    await _recoverable_then_fatal(websockets_url)


@pytest.mark.anyio
async def test_bridge_flow_on_starlette(starlette_url: str) -> None:
    """On a Starlette endpoint under uvicorn: the same flow, the same frames and close."""
    await _recoverable_then_fatal(starlette_url)


@pytest.mark.anyio
@pytest.mark.parametrize("server", ["websockets", "starlette"])
async def test_max_connections_closes_with_4429(
    server: str, websockets_url: str, starlette_url: str
) -> None:
    """MaxConnectionsError is fatal: its frame, then a 4429 close."""
    uri = websockets_url if server == "websockets" else starlette_url
    async with asyncio.timeout(5), connect(uri) as client:
        await client.send('{"type": "flood"}')
        frame = await client.recv()
        assert '"max_connections":100' in frame
        await recv_result(client)
        assert client.close_code == 4429
        assert (
            client.close_reason == "BRIDGE_MAX_CONNECTIONS: Maximum connections exceeded: 101/100"
        )
