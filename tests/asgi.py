"""Calling an ASGI app in process, as a server would: shared by the integration tests."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp


async def websocket_messages(app: ASGIApp, path: str) -> list[MutableMapping[str, Any]]:
    """What ``app`` sends to a client that connects to ``path`` and then waits."""
    sent: list[MutableMapping[str, Any]] = []
    incoming = [{"type": "websocket.connect"}]

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop() if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [],
        "scheme": "ws",
        "root_path": "",
        "asgi": {"version": "3.0"},
    }
    await app(scope, receive, send)
    return sent
