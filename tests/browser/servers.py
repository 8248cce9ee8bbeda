"""The servers the browser talks to: a FastAPI app with ``install()`` and a ``websockets`` one.

The FastAPI app also serves the page (`page.html`, with the cases written in) and
holds the end of the page back until the page posts ``/done``: the page's ``load``
event, which ``--dump-dom`` waits for, comes after every case has finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, WebSocket
from starlette.responses import Response, StreamingResponse
from starlette.websockets import WebSocketDisconnect
from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request as HandshakeRequest

from railguard import (
    AuthenticationFailure,
    ConflictFailure,
    Err,
    NotFoundFailure,
    RateLimitFailure,
)
from railguard.core import Failure
from railguard.families import bridge
from railguard.integrations import websockets as rg_websockets
from railguard.integrations.fastapi import install
from railguard.integrations.starlette_ws import (
    bridge_messages,
    failure_from_disconnect,
    send_failure,
    serve_messages,
)

PAGE = Path(__file__).with_name("page.html")
SECRET = "hunter2"
"""In every secret-bearing exception; must appear nowhere the browser can see."""
PAGE_HOLD = 60.0
"""The longest the page's end is held back waiting for ``/done``."""


@dataclass
class Seen:
    """What the servers observed: the failures clients' closes stood for."""

    closes: list[Failure] = field(default_factory=list)
    done: asyncio.Event | None = None


async def _bridge_handle(message: Any) -> object:
    if message.get("type") == "secret":
        raise ValueError(f"token={SECRET}")
    if message.get("type") == "bye":
        raise bridge.AuthenticationError("Invalid token")
    return {"echo": message}


def build_app(cases: Sequence[dict[str, object]], seen: Seen) -> FastAPI:
    """The FastAPI app (``install()``, no decorator on the routes) and the page."""
    app = FastAPI()
    install(app)

    @app.get("/")
    async def page() -> Response:
        seen.done = asyncio.Event()
        head, tail = PAGE.read_text().split("</script>", 1)
        head = head.replace("/*CASES*/", json.dumps(list(cases)))

        async def body() -> AsyncIterator[str]:
            yield head + "</script>"
            assert seen.done is not None  # set above
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(seen.done.wait(), PAGE_HOLD)
            yield tail + "\n</body>\n</html>\n"

        return StreamingResponse(body(), media_type="text/html; charset=utf-8")

    @app.post("/done")
    async def done() -> dict[str, bool]:
        if seen.done is not None:
            seen.done.set()
        return {"done": True}

    @app.websocket("/ws/family")
    async def family(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        raise NotFoundFailure(message="no session 1").to_exception()

    async def returned_handle(message: str | bytes) -> object:
        if message == "take":
            return Err(ConflictFailure(message="seat taken"))
        return Err(AuthenticationFailure(message="token expired"))

    @app.websocket("/ws/returned")
    async def returned(websocket: WebSocket) -> None:
        await serve_messages(websocket, returned_handle)

    @app.websocket("/ws/secret")
    async def secret(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        raise ValueError(f"db-password={SECRET}")

    app.add_api_websocket_route("/ws/bridge", bridge_messages(_bridge_handle))

    @app.websocket("/ws/items")
    async def items(websocket: WebSocket, count: int = Query()) -> None:
        await websocket.accept()
        await websocket.send_text(str(count))

    @app.websocket("/ws/limited")
    async def limited(websocket: WebSocket) -> None:
        await websocket.accept()
        limit = RateLimitFailure(message="slow down", retry_after=30)
        await send_failure(websocket, limit, close=True)  # recoverable, closed on purpose

    @app.websocket("/ws/listen")
    async def listen(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            await websocket.receive_text()
        except WebSocketDisconnect as exc:
            seen.closes.append(failure_from_disconnect(exc))

    return app


async def _lib_handler(connection: ServerConnection) -> None:
    path = connection.request.path if connection.request is not None else ""
    if path == "/bridge":
        await rg_websockets.bridge_messages(_bridge_handle)(connection)
        return
    await connection.recv()
    if path == "/secret":
        raise RuntimeError(f"api_key={SECRET}")
    raise bridge.AuthorizationError("Admin privileges required")


lib_handler = rg_websockets.failure_handler(_lib_handler)
"""The ``websockets`` server's handler: ``failure_handler`` over every path."""


def _refuse(connection: ServerConnection, request: HandshakeRequest) -> object:
    if request.path == "/refused":
        return Err(AuthenticationFailure(message="no token"))
    return None


refusing = rg_websockets.handshake_errors(_refuse)
"""The ``websockets`` server's ``process_request``: ``/refused`` is refused before the upgrade."""
