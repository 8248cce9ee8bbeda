"""railguard for Starlette and FastAPI WebSocket endpoints.

* `websocket_errors` decorates one endpoint; `WebSocketFailureMiddleware` covers
  every WebSocket route of an app. Either way, an exception escaping the
  endpoint (a family exception, ``result.unwrap()`` on an ``Err``, anything)
  is answered with its error frame and a close with the mapped code. Before
  ``accept()`` the connection is accepted first, so the client reads the real
  code and frame instead of a bare HTTP 403 or a 1006.
* `send_failure` reports one failure from inside an endpoint; `serve_messages`
  runs the message loop (recoverable failures answer and go on, fatal ones
  close); `bridge_messages` is the bridge document's flow as an endpoint.
* `handle_websocket_exception` is a Starlette exception handler for WebSocket
  connections, for apps that register handlers (an app-wide HTTP handler
  should hand WebSocket connections to it: it cannot answer them with a
  response).

HTTP errors are the HTTP integration's business; this module only touches
``websocket`` scopes.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from railguard.core import Failure
from railguard.observe import report
from railguard.observe._report import listening
from railguard.websocket import (
    Style,
    bridge_failure,
    error_reply,
    from_close,
    parse_bridge_message,
)

from ._exchange import frame_in_exchange
from ._ws_common import FailureOf, Parse, answer, failure_of

__all__ = [
    "WebSocketFailureMiddleware",
    "bridge_messages",
    "failure_from_disconnect",
    "handle_websocket_exception",
    "send_failure",
    "serve_messages",
    "websocket_errors",
]

P = ParamSpec("P")
T = TypeVar("T")
_log = logging.getLogger("railguard.websocket")


async def send_failure(
    websocket: WebSocket,
    failure: Failure,
    *,
    style: Style = "bridge",
    close: bool | None = None,
) -> bool:
    """Send ``failure``'s error frame; close with its mapped code when it is fatal.

    A connection not yet accepted is accepted first and always closed after the
    frame (it cannot go on without an endpoint to serve it). The frame carries the
    session's ``request_id`` (`railguard.observe.RequestIdMiddleware`) and the current
    span's ``trace_id`` when there are ones.

    Returns:
        Whether the connection is now closed.
    """
    if listening(failure, "websocket"):  # nothing built when no one takes the line
        report(failure, boundary="websocket")
    if websocket.application_state is WebSocketState.DISCONNECTED:
        return True
    if websocket.application_state is WebSocketState.RESPONSE:
        return True  # an HTTP denial response was started: nothing more can be sent
    if websocket.application_state is WebSocketState.CONNECTING:
        close = True
    reply = error_reply(failure, style=style, close=close)
    try:
        if websocket.application_state is WebSocketState.CONNECTING:
            await websocket.accept()
        await websocket.send_text(frame_in_exchange(reply.frame, failure))
        if reply.close is not None:
            code, reason = reply.close
            await websocket.close(code, reason)
    except (WebSocketDisconnect, OSError, RuntimeError):
        # The client left meanwhile; there is nobody to tell.
        return True
    return reply.close is not None


async def handle_websocket_exception(websocket: WebSocket, exc: Exception) -> None:
    """A Starlette exception handler for WebSocket connections: frame, then the mapped close.

    Register it for WebSocket routes (``exception_handlers={SomeError: ...}``), or
    call it from an app-wide handler when the connection is a ``WebSocket``:
    an HTTP response cannot be sent on a WebSocket.
    """
    if isinstance(exc, WebSocketDisconnect):
        return
    await send_failure(websocket, failure_of(exc), close=True)


def failure_from_disconnect(exc: WebSocketDisconnect) -> Failure:
    """Return the failure a client's disconnect stands for (its close code and reason)."""
    return from_close(exc.code, exc.reason)


def _find_websocket(args: tuple[object, ...], kwargs: dict[str, object]) -> WebSocket | None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, WebSocket):
            return value
    return None


def websocket_errors(
    *, style: Style = "bridge", failure_of: FailureOf = failure_of
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T | None]]]:
    """Decorate a WebSocket endpoint so that what it raises reaches the client.

    Works on Starlette endpoints (``async def ws(websocket)``) and FastAPI ones
    (the signature is kept, so dependencies still resolve)::

        @app.websocket("/ws")
        @websocket_errors()
        async def ws(websocket: WebSocket) -> None: ...

    The endpoint is over when it raises, so the frame is always followed by a
    close with the failure's mapped code.
    """
    convert = failure_of

    def decorate(endpoint: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T | None]]:
        @functools.wraps(endpoint)
        async def wrapped(*args: P.args, **kwargs: P.kwargs) -> T | None:
            try:
                return await endpoint(*args, **kwargs)
            except WebSocketDisconnect:
                return None
            except Exception as exc:
                websocket = _find_websocket(args, kwargs)
                if websocket is None:
                    raise
                await send_failure(websocket, convert(exc), style=style, close=True)
                return None

        return wrapped

    return decorate


async def serve_messages(
    websocket: WebSocket,
    handle: Callable[[Any], Awaitable[object]],
    *,
    style: Style = "bridge",
    parse: Parse | None = None,
    failure_of: FailureOf = failure_of,
) -> None:
    """Accept if needed, then run the message loop until the client leaves or a fatal failure.

    ``handle`` gets each message (``str`` or ``bytes``, or what ``parse`` made of
    it) and returns the reply (``str``, ``bytes``, a JSON-able mapping, ``None``,
    or a ``Result`` of one). A failure it returns as ``Err`` or raises (or that
    ``parse`` returns) is answered with an error frame; a fatal one then closes
    the connection with its mapped code.
    """
    if websocket.application_state is WebSocketState.CONNECTING:
        await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data: str | bytes | None = message.get("text")
        if data is None:
            data = message.get("bytes") or b""
        reply, failure = await answer(data, handle, parse=parse, failure_of=failure_of)
        if failure is not None:
            if await send_failure(websocket, failure, style=style):
                return
        elif isinstance(reply, str):
            await websocket.send_text(reply)
        elif reply is not None:
            await websocket.send_bytes(reply)


def bridge_messages(
    handle: Callable[[Any], Awaitable[object]], *, style: Style = "bridge"
) -> Callable[[WebSocket], Awaitable[None]]:
    """A WebSocket endpoint running the bridge document's message-level flow.

    Each message is parsed as JSON (``InvalidJSONError`` when it is not) and
    given to ``handle``; a ``ValueError`` it raises answers as ``ValidationError``,
    a bridge exception as itself, anything else as ``exception_to_dict`` would
    (see `railguard.websocket.bridge_failure`). Recoverable failures answer and
    the connection goes on; fatal ones (authentication, max connections) close it.
    """

    def convert(exc: BaseException) -> Failure:
        return bridge_failure(exc, convert=failure_of)

    async def endpoint(websocket: WebSocket) -> None:
        await serve_messages(
            websocket, handle, style=style, parse=parse_bridge_message, failure_of=convert
        )

    return endpoint


class WebSocketFailureMiddleware:
    """ASGI middleware: an exception escaping any WebSocket endpoint reaches the client.

    ``app.add_middleware(WebSocketFailureMiddleware)`` (Starlette or FastAPI). The
    exception is answered with its error frame and a close with the mapped code;
    before ``accept()`` the connection is accepted first. HTTP requests pass
    through untouched.
    """

    def __init__(
        self, app: ASGIApp, *, style: Style = "bridge", failure_of: FailureOf = failure_of
    ) -> None:
        self.app = app
        self.style: Style = style
        self.failure_of = failure_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve ``scope``; report what a WebSocket endpoint raises."""
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        state = _Tracked(receive, send)
        try:
            await self.app(scope, state.receive, state.send)
        except WebSocketDisconnect:
            return
        except Exception as exc:
            if state.closed:
                raise
            await state.report(self.failure_of(exc), self.style)


class _Tracked:
    """The ASGI ``receive``/``send`` of one WebSocket, remembering where the handshake is."""

    def __init__(self, receive: Receive, send: Send) -> None:
        self._receive = receive
        self._send = send
        self.connected = False  # the server's "websocket.connect" was received
        self.accepted = False
        self.closed = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "websocket.connect":
            self.connected = True
        elif message["type"] == "websocket.disconnect":
            self.closed = True
        return message

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "websocket.accept":
            self.accepted = True
        elif kind in ("websocket.close", "websocket.http.response.start"):
            self.closed = True
        await self._send(message)

    async def report(self, failure: Failure, style: Style) -> None:
        if listening(failure, "websocket"):
            report(failure, boundary="websocket")
        reply = error_reply(failure, style=style, close=True)
        assert reply.close is not None  # noqa: S101  # close=True always gives one
        code, reason = reply.close
        try:
            if not self.accepted:
                if not self.connected:
                    await self.receive()
                await self.send({"type": "websocket.accept", "subprotocol": None, "headers": []})
            frame = frame_in_exchange(reply.frame, failure)
            await self.send({"type": "websocket.send", "text": frame})
            await self.send({"type": "websocket.close", "code": code, "reason": reason})
        except Exception as exc:  # noqa: BLE001  # the client left: nobody to tell
            _log.debug("railguard: could not report a failure to a WebSocket client: %r", exc)
