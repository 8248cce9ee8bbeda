"""railguard for the ``websockets`` library (asyncio API): failures out, failures back in.

Server side:

* `send_failure` sends a failure's error frame, then closes with its mapped
  code when the failure is fatal (or when asked to).
* `failure_handler` wraps a connection handler: an exception (a family
  exception, ``result.unwrap()`` on an ``Err``, anything) becomes the frame and
  the close instead of a bare 1011.
* `serve_messages` runs the message loop: recoverable failures answer with a
  frame and the loop goes on; fatal ones answer, close and end it.
* `handshake_errors` wraps a ``process_request`` hook: what it raises (or an
  ``Err`` it returns) refuses the handshake with the failure's status and its
  error frame as the body, instead of a plain-text 500.
* `request_context` wraps a handler so that the session has a request id (the
  handshake's ``X-Request-ID`` when it is a plain token, else a new one), as
  `railguard.observe.RequestIdMiddleware` gives ASGI apps: every error frame of the
  session and every log line about it carry it. `echo_request_id` is the
  ``process_response`` hook that sends it back on the handshake response.

Client side:

* `recv_result` reads one message as ``Ok(message)``, or ``Err(failure)`` for an
  error frame or a close; `failure_from_closed` and `failure_from_handshake`
  turn ``websockets``' exceptions into failures. The peer's request id (the
  frame's ``request_id``, the refused handshake's ``X-Request-ID``) is kept with
  the failure's peer mark (`railguard.core.peer_request_id`), never sent on.

The distiller connection lifecycle (`connect_distiller`, `DistillerServer`) and the
bridge message flow (`bridge_messages`) build on these.
"""

from __future__ import annotations

import functools
import inspect
import weakref
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

from returns.result import Failure as Err
from returns.result import Result, Success
from websockets.asyncio.connection import Connection
from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Request, Response
from websockets.typing import Data

from railguard._wire import WireError, read_json
from railguard.core import Category, Failure, UnknownFailure, from_peer
from railguard.observe import report
from railguard.observe._report import listening
from railguard.observe._request_id import REQUEST_ID, accept_request_id
from railguard.websocket import (
    CloseCode,
    MalformedFrameFailure,
    Style,
    WebSocketClosedFailure,
    bridge_failure,
    decode_frame,
    from_close,
    from_frame_dict,
    is_error_frame,
    parse_bridge_message,
)
from railguard.websocket._frames import frame_exchange
from railguard.websocket._reply import reply_parts

from ._distiller import (
    HEARTBEAT,
    INBOX_SIZE,
    DistillerConnection,
    DistillerServer,
    connect_distiller,
    distiller_failure_for_close,
    is_heartbeat,
    uuid_from_query,
)
from ._exchange import LOCALIZE, frame_in_exchange
from ._ws_common import FailureOf, Parse, answer, failure_of, not_a_failure

if TYPE_CHECKING:
    from railguard.messages import Messages

__all__ = [
    "HEARTBEAT",
    "INBOX_SIZE",
    "DistillerConnection",
    "DistillerServer",
    "bridge_messages",
    "connect_distiller",
    "distiller_failure_for_close",
    "echo_request_id",
    "error_frame_failure",
    "failure_from_closed",
    "failure_from_handshake",
    "failure_handler",
    "handshake_errors",
    "is_heartbeat",
    "recv_result",
    "request_context",
    "send_failure",
    "serve_messages",
    "session_request_id",
    "uuid_from_query",
]

H = TypeVar("H", bound=Connection)

ProcessRequest: TypeAlias = Callable[
    [ServerConnection, Request], Awaitable[Response | None] | Response | None
]
"""A ``serve()`` ``process_request`` hook."""


async def send_failure(
    connection: Connection,
    failure: Failure,
    *,
    style: Style = "bridge",
    close: bool | None = None,
) -> bool:
    """Send ``failure``'s error frame; close with its mapped code when it is fatal.

    Args:
        connection: a ``websockets`` asyncio connection (server or client side).
        failure: what to report.
        style: the frame style (see `railguard.websocket.encode_frame`).
        close: force or suppress the close; by default the failure's `fatal` decides.

    Returns:
        Whether the connection was closed (or was already closed).
    """
    if listening(failure, "websocket"):  # nothing built when no one takes the line
        report(failure, boundary="websocket")
    frame, closing = reply_parts(failure, style=style, close=close)
    try:
        await connection.send(frame_in_exchange(frame, failure))
        if closing is not None:
            await connection.close(*closing)
    except ConnectionClosed:
        return True
    return closing is not None


def failure_from_closed(exc: ConnectionClosed) -> Failure:
    """Return the failure a closed connection stands for (see `railguard.websocket.from_close`).

    The peer's close frame is read when one arrived; else the one this side sent
    (a keepalive timeout sends 1011); else the connection dropped (1006).
    """
    frame = exc.rcvd if exc.rcvd is not None else exc.sent
    if frame is None:
        return WebSocketClosedFailure(
            message="The WebSocket connection dropped without a close frame.",
            close_code=CloseCode.ABNORMAL_CLOSURE,
        )
    return from_close(frame.code, frame.reason)


def failure_from_handshake(exc: InvalidStatus) -> Failure:
    """Return the failure of a refused handshake (the server answered HTTP, not 101).

    A body holding an error frame decodes to its failure; otherwise the status
    decides the category and the body is kept as ``raw``.
    """
    response = exc.response
    body = bytes(response.body)
    if body:
        failure = decode_frame(body)
        if not isinstance(failure, (UnknownFailure, MalformedFrameFailure)):
            peer_id = frame_exchange(body).request_id or response.headers.get("X-Request-ID")
            return from_peer(failure, request_id=peer_id)
    status = response.status_code
    return UnknownFailure(
        message=f"The server refused the WebSocket connection (HTTP {status}).",
        code="WEBSOCKET_HANDSHAKE_REFUSED",
        status=_status(status),
        category=Category.for_status(status),
        raw=body[:256].decode("utf-8", "replace") or None,
    )


def _status(code: int) -> HTTPStatus:
    try:
        return HTTPStatus(code)
    except ValueError:
        return HTTPStatus.BAD_GATEWAY


async def recv_result(connection: Connection) -> Result[Data, Failure]:
    """Receive one message: ``Ok(message)``, or ``Err(failure)`` for an error frame or a close.

    A text message is an error frame when it is a JSON object whose ``type`` is
    ``"error"``; other messages (JSON or not) come back as they are. A received error
    frame is reported once (`railguard.observe.report`, ``received`` on
    ``railguard.websocket``): the peer's message is in that line, and in no answer of ours.
    """
    try:
        message = await connection.recv()
    except ConnectionClosed as exc:
        return Err(from_peer(failure_from_closed(exc)))
    frame = _error_frame(message)
    if frame is not None:
        # a peer's failure: answered as ours on our wires; its id kept for our logs
        failure = from_frame_dict(frame, raw=cast(str, message))
        failure = from_peer(failure, request_id=frame_exchange(frame).request_id)
        if listening(failure, "websocket"):  # the peer's words, logged here
            report(failure, boundary="websocket", outcome="received")
        return Err(failure)
    return Success(message)


def _error_frame(message: Data) -> dict[str, Any] | None:
    """``message`` parsed, if it is an error frame."""
    if not isinstance(message, str) or '"error"' not in message:
        return None
    try:
        obj: Any = read_json(message)  # the one bounded reader: every cap
    except WireError:
        return None
    return obj if is_error_frame(obj) else None


def error_frame_failure(message: Data) -> Failure | None:
    """The failure of ``message`` if it is an error frame, else ``None``."""
    frame = _error_frame(message)
    return None if frame is None else from_frame_dict(frame, raw=cast(str, message))


_session_ids: weakref.WeakKeyDictionary[ServerConnection, str] = weakref.WeakKeyDictionary()


def session_request_id(connection: ServerConnection) -> str:
    """The session's request id, the same on every call.

    The handshake's ``X-Request-ID`` when it is a plain token (letters, digits, ``._:-``,
    up to 128 characters), else a new one.
    """
    found = _session_ids.get(connection)
    if found is None:
        request = connection.request
        given = None if request is None else request.headers.get("X-Request-ID")
        found = _session_ids[connection] = accept_request_id(given)
    return found


def echo_request_id(
    connection: ServerConnection, request: Request, response: Response
) -> Response | None:
    """A ``serve()`` ``process_response`` hook: the handshake response names the session's id.

    ``serve(request_context(handler), process_response=echo_request_id)``; a response
    that already has an ``X-Request-ID`` keeps it.
    """
    if "X-Request-ID" not in response.headers:
        response.headers["X-Request-ID"] = session_request_id(connection)
    return None


def request_context(
    handler: Callable[[ServerConnection], Awaitable[None]],
    *,
    messages: Messages | None = None,
) -> Callable[[ServerConnection], Awaitable[None]]:
    """Wrap a ``serve()`` handler: the session runs with its request id (and language) set.

    The id (`session_request_id`) is what `railguard.observe.request_id` gives inside the
    handler, so every error frame the session sends carries it as ``request_id`` and
    every log line about it names it; the id is the same the `echo_request_id` hook sends.
    With ``messages``, every frame also carries ``localized_message``: the failure's
    message for end users in the language the handshake's ``Accept-Language`` prefers.
    """

    @functools.wraps(handler)
    async def wrapped(connection: ServerConnection) -> None:
        token = REQUEST_ID.set(session_request_id(connection))
        localize = None
        if messages is not None:
            request = connection.request
            accept = None if request is None else request.headers.get("Accept-Language")
            localize = LOCALIZE.set((messages, accept))
        try:
            await handler(connection)
        finally:
            if localize is not None:
                LOCALIZE.reset(localize)
            REQUEST_ID.reset(token)

    return wrapped


def failure_handler(
    handler: Callable[[H], Awaitable[None]],
    *,
    style: Style = "bridge",
    failure_of: FailureOf = failure_of,
) -> Callable[[H], Awaitable[None]]:
    """Wrap a ``websockets`` connection handler so that what it raises reaches the client.

    An exception ending the handler is sent as its error frame, then the
    connection closes with the mapped code: the handler is over, so even a
    recoverable failure closes. A client that already left is not an error.

    Args:
        handler: the ``serve()`` handler to wrap.
        style: the frame style.
        failure_of: exception → failure (default: the catalog's mapping;
            unexpected exceptions become a sanitized internal failure and are logged).
    """
    convert = failure_of

    @functools.wraps(handler)
    async def wrapped(connection: H) -> None:
        try:
            await handler(connection)
        except ConnectionClosed:
            return
        except Exception as exc:  # noqa: BLE001  # every failure is reported to the peer
            await send_failure(connection, convert(exc), style=style, close=True)

    return wrapped


async def serve_messages(
    connection: ServerConnection,
    handle: Callable[[Any], Awaitable[object]],
    *,
    style: Style = "bridge",
    parse: Parse | None = None,
    failure_of: FailureOf = failure_of,
) -> None:
    """Run the message loop of one connection until it closes or a fatal failure ends it.

    ``handle`` gets each message (as received, or what ``parse`` made of it) and
    returns the reply (``str``, ``bytes``, a JSON-able mapping, ``None`` for no
    reply, or a ``Result`` of one). A failure it returns as ``Err`` or raises
    (or that ``parse`` returns) is answered with an error frame; a fatal one
    then closes the connection with its mapped code.
    """
    try:
        async for message in connection:
            reply, failure = await answer(message, handle, parse=parse, failure_of=failure_of)
            if failure is not None:
                if await send_failure(connection, failure, style=style):
                    return
            elif reply is not None:
                await connection.send(reply)
    except ConnectionClosed:
        return


def bridge_messages(
    handle: Callable[[Any], Awaitable[object]], *, style: Style = "bridge"
) -> Callable[[ServerConnection], Awaitable[None]]:
    """A ``serve()`` handler running the bridge document's message-level flow.

    Each message is parsed as JSON (``InvalidJSONError`` when it is not) and
    given to ``handle``; a ``ValueError`` it raises answers as ``ValidationError``,
    a bridge exception as itself, anything else as ``exception_to_dict`` would
    (see `railguard.websocket.bridge_failure`). Recoverable failures (invalid
    JSON, unknown message type, missing field, invalid tool name) answer and the
    connection goes on; fatal ones (authentication, max connections) close it.
    """

    def convert(exc: BaseException) -> Failure:
        return bridge_failure(exc, convert=failure_of)

    async def handler(connection: ServerConnection) -> None:
        await serve_messages(
            connection, handle, style=style, parse=parse_bridge_message, failure_of=convert
        )

    return handler


def handshake_errors(
    process_request: Callable[[ServerConnection, Request], object],
    *,
    style: Style = "bridge",
    failure_of: FailureOf = failure_of,
) -> ProcessRequest:
    """Wrap a ``serve()`` ``process_request`` hook so that its failures reach the client.

    An exception it raises (the policy of `railguard.wire_failure` decides what
    is said; an unexpected one is a sanitized 500, logged) or an ``Err(failure)``
    it returns refuses the handshake with the failure's HTTP status and its error
    frame as a JSON body, which `failure_from_handshake` reads back. ``None`` or a
    ``Response`` it returns, bare or as ``Ok(...)``, is passed on (``None`` accepts).
    """

    async def wrapped(connection: ServerConnection, request: Request) -> Response | None:
        try:
            result = process_request(connection, request)
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:  # noqa: BLE001  # every failure is reported to the peer
            return _refusal(failure_of(exc), style)
        if isinstance(result, Err):
            inner = result.failure()
            if not isinstance(inner, Failure):
                inner = not_a_failure(inner, "a handshake check")
            return _refusal(inner, style)
        if isinstance(result, Success):  # a check returning Result: Ok(None) accepts
            result = result.unwrap()
        if result is None or isinstance(result, Response):
            return result
        raise TypeError(f"process_request returned {type(result).__name__}, not a Response")

    return wrapped


def _refusal(failure: Failure, style: Style) -> Response:
    if listening(failure, "websocket"):
        report(failure, boundary="websocket")
    frame, _ = reply_parts(failure, style=style, close=False)
    body = frame_in_exchange(frame, failure).encode()
    status = int(failure.status)
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return Response(status, _status(status).phrase, headers, body)
