"""The guard in place of Starlette's ServerErrorMiddleware: what it answers, what it re-raises."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from railguard.integrations.starlette import install

SECRET = "db password=hunter2"


class _Boom:
    """User middleware that raises before the app answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/middleware":
            raise RuntimeError(SECRET)
        await self.app(scope, receive, send)


async def _stream(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        yield b"partial"
        raise RuntimeError(SECRET)

    return StreamingResponse(body())


def _app(seen: list[BaseException], *, debug: bool) -> Starlette:
    async def server_error(request: Request, exc: Exception) -> Response:
        seen.append(exc)
        return PlainTextResponse("custom 500", status_code=500)

    app = Starlette(debug=debug, routes=[Route("/stream", _stream)])
    app.add_middleware(_Boom)
    app.add_exception_handler(500, server_error)
    install(app)
    return app


def _call(app: Starlette, path: str) -> tuple[list[MutableMapping[str, Any]], BaseException | None]:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
    }
    sent: list[MutableMapping[str, Any]] = []
    requested: list[bool] = []

    async def receive() -> dict[str, Any]:
        if requested:  # the request was read: wait (a streaming response listens here)
            await asyncio.Event().wait()
        requested.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def run() -> BaseException | None:
        try:
            await app(scope, receive, send)
        except Exception as exc:  # what reaches the server is the result
            return exc
        return None

    return sent, asyncio.run(run())


def test_guard_replaces_server_error_middleware() -> None:
    """The built stack's outer layer is the guard, not a second layer around it."""
    app = _app([], debug=False)
    _call(app, "/middleware")
    assert not isinstance(app.middleware_stack, ServerErrorMiddleware)


@pytest.mark.parametrize("debug", [False, True])
def test_middleware_error_gets_the_envelope_and_stays_in_process(debug: bool) -> None:
    """An exception from user middleware gets a sanitized 500 envelope, even in debug."""
    seen: list[BaseException] = []
    sent, escaped = _call(_app(seen, debug=debug), "/middleware")
    assert escaped is None
    assert sent[0]["status"] == 500
    body = json.loads(sent[1]["body"])
    assert body["code"] == "INTERNAL_SERVER_ERROR"
    assert SECRET not in sent[1]["body"].decode()
    assert seen == []  # answered by railguard: the app's 500 handler is not asked


def test_error_after_the_response_started_reaches_the_server_and_the_500_handler() -> None:
    """After a start nothing more is sent; the app's 500 handler still runs, the error re-raises."""
    seen: list[BaseException] = []
    sent, escaped = _call(_app(seen, debug=False), "/stream")
    assert isinstance(escaped, RuntimeError)
    assert [m["type"] for m in sent][:2] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200
    assert seen == [escaped]
