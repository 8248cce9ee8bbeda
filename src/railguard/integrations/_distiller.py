"""The distiller connection lifecycle over the ``websockets`` library, client and server side.

The distiller document's connection errors arise from real connection events:

* the UUID already has an open connection: ``UserAlreadyConnectedFailure`` (409);
* no heartbeat within the interval, or the server closed the idle session:
  ``ConnectionTimeoutFailure`` (504) with ``extra["last_ping"]``;
* any other close, or a dropped connection: ``ConnectionClosedFailure`` (503);
* a message could not be sent / parsed: ``WebSocketSendFailure`` /
  ``WebSocketReceiveFailure``.

The heartbeat is an application message, ``{"type": "PING"}``, sent by the
server every ``heartbeat_interval`` seconds: ASGI servers cannot send protocol
pings, so a message works with every server. The client never hands it to
its caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import attrs
from returns.result import Failure as Err
from returns.result import Result, Success
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Data

from railguard._wire import WireError, read_json
from railguard.core import Category, Failure, ValidationFailure
from railguard.families.distiller import (
    ConnectionClosedFailure,
    ConnectionFailure,
    ConnectionTimeoutFailure,
    UserAlreadyConnectedFailure,
    WebSocketReceiveFailure,
    WebSocketSendFailure,
)
from railguard.observe import report
from railguard.websocket import (
    CloseCode,
    Style,
    WebSocketClosedFailure,
    close_code,
    close_reason,
    from_close,
    from_frame_dict,
    is_error_frame,
)

from ._ws_common import FailureOf, answer, failure_of

__all__ = [
    "HEARTBEAT",
    "INBOX_SIZE",
    "DistillerConnection",
    "DistillerServer",
    "connect_distiller",
    "distiller_failure_for_close",
    "is_heartbeat",
    "uuid_from_query",
]

_log = logging.getLogger("railguard.websocket")

HEARTBEAT: Final = '{"type":"PING"}'
"""The heartbeat message the server sends and the client waits for."""


def is_heartbeat(message: Data) -> bool:
    """Whether ``message`` is a heartbeat: ``{"type": "PING"}`` (any spacing) or ``PING``."""
    if not isinstance(message, str) or "PING" not in message or len(message) > 64:
        return False
    if message.strip() == "PING":
        return True
    try:
        obj = json.loads(message)
    except ValueError:
        return False
    return isinstance(obj, dict) and obj.get("type") == "PING"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def distiller_failure_for_close(
    code: int | None, reason: str = "", *, last_ping: str | None = None
) -> Failure:
    """The distiller failure a close stands for, from the client's side.

    A reason naming a distiller connection failure gives it back; otherwise
    4409 (conflict) is a duplicate session, a timeout code (4408, 4504, 3008) or
    a keepalive timeout is a `ConnectionTimeoutFailure`, anything else a
    `ConnectionClosedFailure`. Timeouts carry ``last_ping`` in their details.
    """
    failure = from_close(code, reason)
    context: dict[str, object] = {"close_code": code, "close_reason": reason}
    if isinstance(failure, ConnectionFailure):
        if isinstance(failure, ConnectionTimeoutFailure):
            return attrs.evolve(failure, details={**failure.details, "last_ping": last_ping})
        return failure
    message = failure.message
    if failure.category is Category.CONFLICT:
        return UserAlreadyConnectedFailure(message=message, details=context)
    if failure.category is Category.TIMEOUT or reason == "keepalive ping timeout":
        return ConnectionTimeoutFailure(
            message=message, details={**context, "last_ping": last_ping}
        )
    if isinstance(failure, WebSocketClosedFailure):
        return ConnectionClosedFailure(message=message, details=context)
    return ConnectionClosedFailure(message=message, details=context, cause=failure)


class _Ended:
    """The reader's last word: the failure that ended the connection."""

    __slots__ = ("failure",)

    def __init__(self, failure: Failure) -> None:
        self.failure = failure


INBOX_SIZE: Final = 256
"""How many received messages a `DistillerConnection` holds for ``recv()`` by default.

When the inbox is full the reader stops reading: the server is slowed down by the
connection's own flow control (``websockets``' ``max_queue``, then TCP) instead of
this process growing without bound. Time spent waiting on a slow consumer does not
count against the heartbeat timeout.
"""


class DistillerConnection:
    """A ``websockets`` client connection that speaks in distiller errors.

    Use `connect_distiller`. ``recv()`` returns the next parsed JSON message,
    skipping heartbeats; every way the connection can fail is raised as the
    distiller document's exception (``UserAlreadyConnectedError``,
    ``ConnectionTimeoutError``, ``ConnectionClosedError``, ``WebSocketSendError``,
    ``WebSocketReceiveError``) or, for an error frame the server sent, that
    failure's own exception. ``recv_result()`` gives the same as a ``Result``.
    At most ``inbox_size`` (`INBOX_SIZE`) received messages wait for ``recv()``.
    """

    def __init__(
        self,
        connection: ClientConnection,
        *,
        heartbeat_timeout: float | None,
        inbox_size: int = INBOX_SIZE,
    ) -> None:
        if inbox_size < 1:
            raise ValueError(f"inbox_size must be at least 1, not {inbox_size}")
        self.connection = connection
        self.heartbeat_timeout = heartbeat_timeout
        self.last_ping: str | None = None
        """When the last heartbeat arrived (ISO 8601, UTC), ``None`` before the first."""
        self._inbox: asyncio.Queue[Data | _Ended] = asyncio.Queue(maxsize=inbox_size)
        self._ended: Failure | None = None
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        timeout = self.heartbeat_timeout
        deadline = None if timeout is None else loop.time() + timeout
        try:
            async with asyncio.timeout_at(deadline) as scope:
                async for message in self.connection:
                    if is_heartbeat(message):
                        self.last_ping = _now()
                        if timeout is not None:
                            scope.reschedule(loop.time() + timeout)
                        continue
                    if self._inbox.full():
                        # our consumer is behind, not the server silent: pause the monitor
                        scope.reschedule(None)
                        await self._inbox.put(message)
                        if timeout is not None:
                            scope.reschedule(loop.time() + timeout)
                    else:
                        self._inbox.put_nowait(message)
            self._end(self._closed(self.connection.close_code, self.connection.close_reason))
        except TimeoutError:
            failure = ConnectionTimeoutFailure(
                message=f"No heartbeat from the server within {timeout} seconds.",
                details={"last_ping": self.last_ping, "heartbeat_timeout": timeout},
            )
            self._end(failure)
            with contextlib.suppress(ConnectionClosed):
                await self.connection.close(close_code(failure), close_reason(failure))
        except ConnectionClosed as exc:
            frame = exc.rcvd if exc.rcvd is not None else exc.sent
            if frame is None:
                self._end(
                    ConnectionClosedFailure(
                        message="The connection dropped without a close frame.",
                        details={"close_code": int(CloseCode.ABNORMAL_CLOSURE)},
                    )
                )
            else:
                self._end(self._closed(frame.code, frame.reason))

    def _closed(self, code: int | None, reason: str | None) -> Failure:
        return distiller_failure_for_close(code, reason or "", last_ping=self.last_ping)

    def _end(self, failure: Failure) -> None:
        if self._ended is None:
            self._ended = failure
        with contextlib.suppress(asyncio.QueueFull):  # a full inbox: recv_result finds it
            self._inbox.put_nowait(_Ended(failure))

    async def recv_result(self) -> Result[Any, Failure]:
        """The next message parsed as JSON, or the failure that stands in its way.

        A received error frame is reported once (``received`` on ``railguard.websocket``).
        """
        if self._ended is not None and self._inbox.empty():
            return Err(self._ended)  # every call after the end gets it too
        item = await self._inbox.get()
        if isinstance(item, _Ended):
            return Err(item.failure)
        try:
            obj: Any = read_json(item)  # the one bounded reader: every cap
        except WireError as exc:  # the parser's own words when it is not JSON
            return Err(
                WebSocketReceiveFailure(
                    message=f"Could not parse a message from the server: {exc.error or exc}",
                    details={"excerpt": str(item)[:200]},
                )
            )
        if is_error_frame(obj):
            failure = from_frame_dict(obj, raw=item if isinstance(item, str) else None)
            if isinstance(failure, ConnectionTimeoutFailure) and "last_ping" not in failure.details:
                # the server's idle close does not know when this side last heard from it
                failure = attrs.evolve(
                    failure, details={**failure.details, "last_ping": self.last_ping}
                )
            report(failure, boundary="websocket", outcome="received")
            return Err(failure)
        return Success(obj)

    async def recv(self) -> Any:
        """The next message parsed as JSON; raises the distiller exception of any failure."""
        result = await self.recv_result()
        if isinstance(result, Err):
            raise result.failure().to_exception()
        return result.unwrap()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        """Messages until the server closes normally (1000); other endings raise."""
        while True:
            result = await self.recv_result()
            if isinstance(result, Err):
                failure = result.failure()
                if failure.details.get("close_code") == CloseCode.NORMAL_CLOSURE:
                    return
                raise failure.to_exception()
            yield result.unwrap()

    async def send(self, message: Mapping[str, Any] | str | bytes) -> None:
        """Send a message (a mapping goes as JSON).

        Raises:
            WebSocketSendError: the message could not be serialised or written.
            ConnectionError: (a subclass) the connection had ended; why it ended.
        """
        if self._ended is not None:
            raise self._ended.to_exception()
        try:
            data = message if isinstance(message, (str, bytes)) else json.dumps(message)
        except (TypeError, ValueError) as exc:
            raise WebSocketSendFailure(
                message=f"Could not serialise the message: {exc}"
            ).to_exception() from exc
        try:
            await self.connection.send(data)
        except ConnectionClosed as exc:
            await asyncio.sleep(0)  # let the reader record why the connection ended
            raise self._why_closed(exc).to_exception() from exc
        except Exception as exc:
            raise WebSocketSendFailure(
                message=f"Could not send the message: {type(exc).__name__}"
            ).to_exception() from exc

    def _why_closed(self, exc: ConnectionClosed) -> Failure:
        if self._ended is not None:
            return self._ended
        frame = exc.rcvd or exc.sent
        return self._closed(frame.code if frame else None, frame.reason if frame else "")

    async def close(self) -> None:
        """Close the connection normally and stop the reader."""
        await self.connection.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@contextlib.asynccontextmanager
async def connect_distiller(
    uri: str,
    *,
    heartbeat_timeout: float | None,
    inbox_size: int = INBOX_SIZE,
    **connect_kwargs: Any,
) -> AsyncIterator[DistillerConnection]:
    """Connect to a distiller-style server; errors come out as the distiller's exceptions.

    Args:
        uri: the ``ws://`` or ``wss://`` URI (the UUID in it as the server expects).
        heartbeat_timeout: seconds without a heartbeat before
            ``ConnectionTimeoutError``; ``None`` turns the monitor off.
        inbox_size: how many received messages wait for ``recv()`` before the
            reader stops reading (back-pressure); see `INBOX_SIZE`.
        connect_kwargs: passed to ``websockets.asyncio.client.connect``.

    Raises:
        UserAlreadyConnectedError: the server refused the handshake with 409.
        ConnectionError: (a subclass) the handshake failed otherwise.
    """
    try:
        connection = await connect(uri, **connect_kwargs)
    except InvalidStatus as exc:
        status = exc.response.status_code
        failure: Failure = (
            UserAlreadyConnectedFailure(details={"status": status})
            if status == 409
            else ConnectionClosedFailure(
                message=f"The server refused the connection (HTTP {status}).",
                details={"status": status},
            )
        )
        raise failure.to_exception() from exc
    except (OSError, TimeoutError) as exc:
        raise ConnectionFailure(
            message=f"Could not connect to the server: {type(exc).__name__}"
        ).to_exception() from exc
    client = DistillerConnection(
        connection, heartbeat_timeout=heartbeat_timeout, inbox_size=inbox_size
    )
    try:
        yield client
    finally:
        await client.close()


def uuid_from_query(connection: ServerConnection) -> str | None:
    """The ``uuid`` query parameter of the handshake request (``ws://host/path?uuid=...``)."""
    request = connection.request
    if request is None:
        return None
    values = parse_qs(urlsplit(request.path).query).get("uuid")
    return values[0] if values else None


MessageHandler = Callable[[Any], Awaitable[object]]


class DistillerServer:
    """The server side of the lifecycle for ``websockets``: pass it to ``serve()``.

    * one active connection per UUID: a second one gets the
      ``UserAlreadyConnectedFailure`` frame and a 4409 close;
    * a heartbeat ``{"type": "PING"}`` every ``heartbeat_interval`` seconds;
    * a client silent for ``idle_timeout`` seconds gets the
      ``ConnectionTimeoutFailure`` frame and a 4504 close;
    * every message is parsed as JSON and given to ``handle(message)``; what it
      returns is the reply, a failure it returns or raises is answered with an
      error frame, and a fatal one closes the connection.
    """

    def __init__(
        self,
        handle: MessageHandler,
        *,
        heartbeat_interval: float | None = 20.0,
        idle_timeout: float | None = None,
        uuid_of: Callable[[ServerConnection], str | None] = uuid_from_query,
        style: Style = "bridge",
        failure_of: FailureOf = failure_of,
    ) -> None:
        self.handle = handle
        self.heartbeat_interval = heartbeat_interval
        self.idle_timeout = idle_timeout
        self.uuid_of = uuid_of
        self.style: Style = style
        self.failure_of = failure_of
        self._active: dict[str, ServerConnection] = {}

    @property
    def active(self) -> frozenset[str]:
        """The UUIDs with an open connection."""
        return frozenset(self._active)

    async def __call__(self, connection: ServerConnection) -> None:
        """Serve one connection (the ``serve()`` handler)."""
        from .websockets import send_failure  # noqa: PLC0415  # the public module imports this one

        uuid = self.uuid_of(connection)
        if not uuid:
            failure = ValidationFailure(message="A uuid is required to connect.")
            await send_failure(connection, failure, style=self.style, close=True)
            return
        if uuid in self._active:
            duplicate = UserAlreadyConnectedFailure(
                message=f"User {uuid} is already connected in another session.",
                details={"uuid": uuid},
            )
            await send_failure(connection, duplicate, style=self.style, close=True)
            return
        self._active[uuid] = connection
        heartbeat = asyncio.get_running_loop().create_task(self._heartbeat(connection))
        try:
            await self._serve(connection, send_failure)
        finally:
            heartbeat.cancel()
            if self._active.get(uuid) is connection:
                del self._active[uuid]

    async def _heartbeat(self, connection: ServerConnection) -> None:
        if self.heartbeat_interval is None:
            return
        with contextlib.suppress(ConnectionClosed):
            while True:
                await connection.send(HEARTBEAT)
                await asyncio.sleep(self.heartbeat_interval)

    async def _serve(
        self, connection: ServerConnection, send_failure: Callable[..., Awaitable[bool]]
    ) -> None:
        loop = asyncio.get_running_loop()
        idle = self.idle_timeout
        last_message: str | None = None
        try:
            async with asyncio.timeout_at(None if idle is None else loop.time() + idle) as scope:
                async for message in connection:
                    last_message = _now()
                    if idle is not None:
                        scope.reschedule(loop.time() + idle)
                    if await self._answer(connection, message, send_failure):
                        return
        except TimeoutError:
            timeout = ConnectionTimeoutFailure(
                message=f"The session was idle for more than {idle} seconds.",
                details={"idle_timeout": idle, "last_message": last_message},
            )
            await send_failure(connection, timeout, style=self.style, close=True)
        except ConnectionClosed:
            return

    async def _answer(
        self,
        connection: ServerConnection,
        message: Data,
        send_failure: Callable[..., Awaitable[bool]],
    ) -> bool:
        """Answer one message; whether the connection is now closed."""
        reply, failure = await answer(
            message, self.handle, parse=_parse_json, failure_of=self.failure_of
        )
        if failure is not None:
            return await send_failure(connection, failure, style=self.style)
        if reply is not None:
            await connection.send(reply)
        return False


def _parse_json(message: str | bytes) -> Result[Any, Failure]:
    try:
        return Success(read_json(message))
    except WireError as exc:  # not JSON or not UTF-8 (the parser's own error), or over a cap
        return Err(Failure.from_exception(exc.error or exc))
