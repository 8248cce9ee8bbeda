"""The app under load: one FastAPI app with ``install()`` per style, and a WebSocket flood route.

``GET /<style>/<case>/<rid>`` answers `cases.HTTP_CASES`; ``/ws/flood`` runs the bridge
message flow over `cases.WS_OPS`. Every app has `RequestIdMiddleware`, so each response
carries the request's own ``X-Request-ID`` back.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from railguard import Err, Failure, Result
from railguard.core import from_peer
from railguard.http import Style
from railguard.integrations.fastapi import install
from railguard.integrations.starlette_ws import bridge_messages
from railguard.observe import RequestIdMiddleware

from .cases import (
    SECRET,
    STYLES,
    agent_missing,
    conflict,
    kneo_conflict,
    not_found,
    rate_limited,
    session_missing,
    ws_bye,
    ws_tool,
)


def build_style_app(style: Style) -> FastAPI:
    """A FastAPI app answering in ``style``, its routes under ``/<style>/``."""
    app = FastAPI()
    install(app, style)
    app.add_middleware(RequestIdMiddleware)

    @app.get(f"/{style}/ok/{{rid}}")
    async def ok(rid: str) -> dict[str, str]:
        return {"id": rid}

    @app.get(f"/{style}/returned/{{rid}}")
    async def returned(rid: str) -> Result[dict[str, str], Failure]:
        return Err(not_found(rid))

    @app.get(f"/{style}/raised/{{rid}}")
    async def raised(rid: str) -> dict[str, str]:
        raise conflict(rid).to_exception()

    @app.get(f"/{style}/agent/{{rid}}")
    async def agent(rid: str) -> dict[str, str]:
        raise agent_missing(rid).to_exception()

    @app.get(f"/{style}/kneo/{{rid}}")
    async def kneo(rid: str) -> Result[dict[str, str], Failure]:
        return Err(kneo_conflict(rid))

    @app.get(f"/{style}/bridge/{{rid}}")
    async def bridge(rid: str) -> dict[str, str]:
        raise session_missing(rid).to_exception()

    @app.get(f"/{style}/unwrapped/{{rid}}")
    async def unwrapped(rid: str) -> dict[str, str]:
        result: Result[dict[str, str], Failure] = Err(rate_limited(rid))
        return result.unwrap()

    @app.get(f"/{style}/secret/{{rid}}")
    async def secret(rid: str) -> dict[str, str]:
        raise ValueError(f"{SECRET} for {rid}")

    @app.get(f"/{style}/upstream/{{rid}}")
    async def upstream(rid: str) -> Result[dict[str, str], Failure]:
        return Err(from_peer(not_found(f"{rid} {SECRET}")))

    @app.get(f"/{style}/invalid/{{rid}}")
    async def invalid(rid: str, count: int) -> dict[str, str]:
        return {"id": rid, "count": str(count)}

    return app


async def handle_ws(message: Any) -> object:
    """One flood message ``{"op", "id"}``: echo, return or raise its failure."""
    op, rid = message["op"], message["id"]
    if op == "echo":
        return {"id": rid}
    if op == "get":
        return Err(not_found(rid))
    if op == "raise":
        raise conflict(rid).to_exception()
    if op == "tool":
        raise ws_tool(rid).to_exception()
    if op == "secret":
        raise ValueError(f"{SECRET} {rid}")
    raise ws_bye(rid).to_exception()


def build_ws_app() -> FastAPI:
    """A FastAPI app with ``install()`` and the flood route ``/ws/flood``."""
    app = FastAPI()
    install(app)
    app.add_api_websocket_route("/ws/flood", bridge_messages(handle_ws))
    return app


def build_app() -> ASGIApp:
    """Every app behind one ASGI callable, chosen by the path's first segment."""
    apps: dict[str, ASGIApp] = {style: build_style_app(style) for style in STYLES}
    apps["ws"] = build_ws_app()

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        first = scope["path"].split("/", 2)[1]
        await apps.get(first, apps["agents"])(scope, receive, send)

    return dispatch
