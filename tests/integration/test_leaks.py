"""The leak test: the same secret-bearing exceptions through every integration, over real servers.

Each case raises one exception (secret text, file paths, nested causes, exception
groups, an unwrapped ``Err``, a broken family exception) in one integration — FastAPI
HTTP and WebSocket, an exception from a user's middleware added after ``install``,
plain Starlette HTTP and WebSocket, a ``websockets`` server, the bridge message flow
and a tenacity retry loop — with ``debug`` on and off where the framework has it.
Every wire must carry exactly what `railguard.wire_failure` decides (the bridge flow:
its document's mapping of that), byte for byte the same body or frame on every wire,
and no secret, path or traceback anywhere: status line, headers, body, frame, close reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import httpx
import pytest
import tenacity
from fastapi import FastAPI
from fastapi import WebSocket as FastAPIWebSocket
from returns.result import Failure as Err
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Request as HandshakeRequest

from railguard import ConflictFailure, Failure, NotFoundFailure, RailguardError, Result
from railguard.core import wire_failure
from railguard.families import bridge
from railguard.http import decode, encode
from railguard.integrations import fastapi as rg_fastapi
from railguard.integrations import starlette as rg_starlette
from railguard.integrations import websockets as rg_websockets
from railguard.integrations.starlette_ws import websocket_errors
from railguard.retry import failure_of, retry_if_retryable_failure
from railguard.websocket import bridge_failure, close_code, close_reason, decode_frame, encode_frame

from ._loop import LoopThread, loop_thread
from .servers import running_uvicorn

pytestmark = pytest.mark.integration

SECRET = "hunter2-sk-live-7f3a"
PATH = "/srv/railguard/private/"
FORBIDDEN = (SECRET, PATH, "Traceback", 'File "', "hunter2")


def _chained(outer: BaseException, inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException as caught:
            raise outer from caught
    except BaseException as raised:  # the chained exception is the case
        return raised


def _unwrapped() -> BaseException:
    result: Result[str, ValueError] = Err(ValueError(f"db password={SECRET}"))
    try:
        result.unwrap()
    except Exception as exc:  # returns' UnwrapFailedError
        return exc
    raise AssertionError("unwrap() on an Err must raise")


def _json_error() -> BaseException:
    try:
        json.loads('{"token": "' + SECRET + '", }')
    except json.JSONDecodeError as exc:
        return exc
    raise AssertionError("the document is not JSON")


def _deep_group() -> BaseException:
    exc: Exception = ValueError(SECRET)
    for _ in range(100):
        exc = ExceptionGroup(SECRET, [exc])
    return exc


CASES: dict[str, Callable[[], BaseException]] = {
    "value_error": lambda: ValueError(f"db password={SECRET}"),
    "key_error": lambda: KeyError(SECRET),
    "file_not_found": lambda: FileNotFoundError(2, "No such file", f"{PATH}{SECRET}.toml"),
    "permission": lambda: PermissionError(13, "Permission denied", f"{PATH}{SECRET}"),
    "os_error_with_path": lambda: OSError(f"cannot open {PATH}{SECRET}/db.sqlite"),
    "timeout": lambda: TimeoutError(f"{SECRET} did not answer"),
    "json_decode": _json_error,
    "nested_causes": lambda: _chained(
        RuntimeError(f"outer {SECRET}"), _chained(KeyError(PATH), ValueError(SECRET))
    ),
    "family_with_secret_cause": lambda: _chained(
        bridge.SessionNotFoundError("s-1"), ValueError(f"db password={SECRET}")
    ),
    "railguard_error_from_os_error": lambda: _chained(
        RailguardError(NotFoundFailure(message="Agent 42 not found.")), OSError(PATH + SECRET)
    ),
    "group_with_a_secret_member": lambda: ExceptionGroup(
        SECRET, [ValueError(SECRET), NotFoundFailure().to_exception()]
    ),
    "group_of_failures": lambda: ExceptionGroup(
        SECRET, [NotFoundFailure().to_exception(), ConflictFailure().to_exception()]
    ),
    "group_nested_100_deep": _deep_group,
    "unwrap_of_an_exception": _unwrapped,
    "bridge_exception_with_unknown_code": lambda: bridge.ZhinengBridgeException(SECRET, code=999),
}

HTTP_WIRES = (
    "fastapi_http",
    "fastapi_http_debug",
    "fastapi_middleware_after_install",
    "fastapi_middleware_after_install_debug",
    "starlette_http",
    "starlette_http_debug",
    "retry",
    "retry_debug",
)
WS_WIRES = (
    "fastapi_ws",
    "fastapi_ws_debug",
    "starlette_ws",
    "starlette_ws_debug",
    "websockets",
    "bridge_flow",
)
HANDSHAKE_WIRES = ("websockets_handshake",)


def _raise(case: str) -> Any:
    raise CASES[case]()


# -- the servers ------------------------------------------------------------------------------


class _LateMiddleware(BaseHTTPMiddleware):
    """A user's middleware, added after install, that fails on /mw/ paths."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Raise the case named by the path, else pass the request on."""
        if request.url.path.startswith("/mw/"):
            _raise(request.url.path.rsplit("/", 1)[1])
        return await call_next(request)


def _fastapi_app(*, debug: bool) -> FastAPI:
    app = FastAPI(debug=debug)
    rg_fastapi.install(app)

    @app.get("/http/{case}")
    def http_case(case: str) -> dict[str, str]:
        return dict(_raise(case))

    @app.websocket("/ws/{case}")
    async def ws_case(websocket: FastAPIWebSocket, case: str) -> None:
        await websocket.accept()
        _raise(case)

    @app.get("/retry/{case}")
    def retry_case(case: str) -> Result[dict[str, str], Failure]:
        retrying = tenacity.Retrying(
            retry=retry_if_retryable_failure(idempotent=True),
            stop=tenacity.stop_after_attempt(2),
            wait=tenacity.wait_none(),
            retry_error_callback=lambda state: Err(failure_of(state)),
        )
        result: Result[dict[str, str], Failure] = retrying(_raise, case)
        return result

    app.add_middleware(_LateMiddleware)
    return app


def _starlette_app(*, debug: bool) -> Starlette:
    async def http_case(request: Request) -> Response:
        return Response(_raise(request.path_params["case"]))

    @websocket_errors()
    async def ws_case(websocket: WebSocket) -> None:
        await websocket.accept()
        _raise(websocket.path_params["case"])

    app = Starlette(
        debug=debug,
        routes=[Route("/http/{case}", http_case), WebSocketRoute("/ws/{case}", ws_case)],
    )
    rg_starlette.install(app)
    return app


async def _websockets_handler(connection: ServerConnection) -> None:
    assert connection.request is not None
    _raise(connection.request.path.rsplit("/", 1)[1])


async def _bridge_handle(message: Any) -> object:
    return _raise(message["case"])


def _refuse(connection: ServerConnection, request: HandshakeRequest) -> None:
    _raise(request.path.rsplit("/", 1)[1])


@attrs.frozen
class Servers:
    """Every server's base URL, and the loop the websockets servers and clients run on."""

    urls: dict[str, str]
    loop: LoopThread


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    """FastAPI and Starlette apps (debug on and off) under uvicorn; two websockets servers."""
    with (
        running_uvicorn(_fastapi_app(debug=False)) as fastapi_url,
        running_uvicorn(_fastapi_app(debug=True)) as fastapi_debug_url,
        running_uvicorn(_starlette_app(debug=False)) as starlette_url,
        running_uvicorn(_starlette_app(debug=True)) as starlette_debug_url,
        loop_thread() as loop,
    ):

        async def start() -> tuple[Server, Server, Server]:
            plain = await serve(rg_websockets.failure_handler(_websockets_handler), "127.0.0.1", 0)
            flow = await serve(rg_websockets.bridge_messages(_bridge_handle), "127.0.0.1", 0)
            refusing = await serve(
                _websockets_handler,
                "127.0.0.1",
                0,
                process_request=rg_websockets.handshake_errors(_refuse),
            )
            return plain, flow, refusing

        plain, flow, refusing = loop.run(start())
        urls = {
            "fastapi": fastapi_url,
            "fastapi_debug": fastapi_debug_url,
            "starlette": starlette_url,
            "starlette_debug": starlette_debug_url,
            "websockets": f"ws://127.0.0.1:{plain.sockets[0].getsockname()[1]}",
            "bridge_flow": f"ws://127.0.0.1:{flow.sockets[0].getsockname()[1]}",
            "websockets_handshake": f"ws://127.0.0.1:{refusing.sockets[0].getsockname()[1]}",
        }
        try:
            yield Servers(urls, loop)
        finally:
            for server in (plain, flow, refusing):
                server.close()
                loop.run(server.wait_closed())


def _http_url(servers: Servers, wire: str, case: str) -> str:
    debug = "_debug" if wire.endswith("_debug") else ""
    kind = wire.removesuffix("_debug")
    if kind == "fastapi_http":
        return f"{servers.urls['fastapi' + debug]}/http/{case}"
    if kind == "fastapi_middleware_after_install":
        return f"{servers.urls['fastapi' + debug]}/mw/{case}"
    if kind == "retry":
        return f"{servers.urls['fastapi' + debug]}/retry/{case}"
    return f"{servers.urls['starlette' + debug]}/http/{case}"


def _ws_url(servers: Servers, wire: str, case: str) -> str:
    debug = "_debug" if wire.endswith("_debug") else ""
    kind = wire.removesuffix("_debug")
    if kind == "fastapi_ws":
        return servers.urls["fastapi" + debug].replace("http://", "ws://") + f"/ws/{case}"
    if kind == "starlette_ws":
        return servers.urls["starlette" + debug].replace("http://", "ws://") + f"/ws/{case}"
    if kind == "websockets":
        return f"{servers.urls['websockets']}/{case}"
    return servers.urls["bridge_flow"]


async def _exchange(
    url: str, case: str, *, bridge_flow: bool, closes: bool
) -> tuple[str, int | None, str]:
    """One connection: the error frame, then the close code and reason when it closes."""
    async with asyncio.timeout(5), connect(url) as client:
        if bridge_flow:
            await client.send(json.dumps({"case": case}))
        frame = await client.recv()
        assert isinstance(frame, str)
        if not closes:  # a recoverable failure in the message flow: the session goes on
            return frame, None, ""
        with contextlib.suppress(ConnectionClosed):
            await client.recv()
        return frame, client.close_code, client.close_reason or ""


async def _refused(url: str) -> InvalidStatus:
    """The handshake's refusal (the server answered HTTP instead of 101)."""
    try:
        async with asyncio.timeout(5), connect(url):
            pass
    except InvalidStatus as exc:
        return exc
    raise AssertionError("the handshake must be refused")


# -- the test ---------------------------------------------------------------------------------


def _assert_clean(*parts: str) -> None:
    for part in parts:
        for forbidden in FORBIDDEN:
            assert forbidden not in part, (forbidden, part[:300])


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("wire", HTTP_WIRES + WS_WIRES + HANDSHAKE_WIRES)
def test_every_wire_answers_every_exception_sanitized_and_identically(
    servers: Servers, wire: str, case: str
) -> None:
    """Each wire carries exactly the policy's failure, byte-identical, with no secret or trace."""
    exc = CASES[case]()
    if wire in HTTP_WIRES:
        expected = wire_failure(exc)
        response = httpx.get(_http_url(servers, wire, case), timeout=5)
        head = f"{response.status_code} {response.reason_phrase} {response.headers}"
        _assert_clean(head, response.text)
        assert response.status_code == expected.status
        assert response.content == encode(expected).body
        assert decode(response.status_code, response.headers, response.content) == expected
        return
    if wire in HANDSHAKE_WIRES:
        expected = wire_failure(exc)
        refused = servers.loop.run(_refused(f"{servers.urls[wire]}/{case}"))
        body = bytes(refused.response.body).decode()
        _assert_clean(str(refused.response.headers), body)
        assert refused.response.status_code == expected.status
        assert body == encode_frame(expected)
        assert rg_websockets.failure_from_handshake(refused) == expected
        return
    expected = bridge_failure(exc) if wire == "bridge_flow" else wire_failure(exc)
    flow = wire == "bridge_flow"
    closes = expected.fatal or not flow  # a handler that raised is over; a flow goes on
    frame, code, reason = servers.loop.run(
        _exchange(_ws_url(servers, wire, case), case, bridge_flow=flow, closes=closes)
    )
    _assert_clean(frame, reason)
    assert frame == encode_frame(expected)
    assert decode_frame(frame) == expected
    if closes:
        assert (code, reason) == (close_code(expected), close_reason(expected))
