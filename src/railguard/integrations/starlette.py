"""Starlette: every error of an app answered with a railguard envelope (HTTP) or frame (WebSocket).

One call, ``install(app)``, registers ONE root handler: Starlette resolves handlers by
walking the exception's MRO, so the handler registered on the root answers every
exception an endpoint raises (and overrides Starlette's and FastAPI's defaults for
their own exceptions). What the peer is told comes from `railguard.wire_failure`
(family and railguard exceptions carry their failure; anything unexpected is a
sanitized 500, logged with its traceback). An HTTP request gets a response in the
configured envelope style; a WebSocket gets the error frame and a close with the
mapped code. A guard in place of Starlette's ``ServerErrorMiddleware`` answers what
escapes the user's own middleware the same way, even with ``debug=True``.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException, WebSocketException
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from railguard._wire._status import own_status
from railguard.core import Details, Failure, InternalFailure, public_failure, wire_failure
from railguard.http import CONTENT_TYPES, DEFAULT_TYPE_BASE, HttpError, Style, encode
from railguard.http._status import for_status
from railguard.observe import report
from railguard.observe._report import listening

from ._exchange import http_in_exchange, localize_stack
from .starlette_ws import WebSocketFailureMiddleware, send_failure

if TYPE_CHECKING:
    from railguard.messages import Messages

__all__ = [
    "STARLETTE_FAILURES",
    "FailureResponse",
    "FrameworkFailure",
    "Responder",
    "error_response",
    "install",
    "responder_of",
]

_log = logging.getLogger("railguard.integrations.starlette")

_NO_BODY: Final = frozenset({204, 205, 304})
_RAW_CONTENT_TYPES: Final = {
    value: (b"content-type", value.encode("latin-1")) for value in CONTENT_TYPES.values()
}

_UNSEEN: Final = object()

FrameworkFailure = Callable[[Any, HTTPConnection], Failure]
"""How a framework's own exception (``HTTPException``, a validation error) becomes a failure."""


def _http_exception(exc: HTTPException, connection: HTTPConnection) -> Failure:
    """Our own status: its category's generic failure, else a `StatusFailure` (405, 415, ...).

    Never an `UnknownFailure`, which speaks of a peer. A status outside 400-599 that
    gets here (a redirect raised in the user's middleware, where plain Starlette
    answers 500 too; the root handler answers one from a route bare) is a logged 500.
    """
    status = exc.status_code
    detail: object = exc.detail  # typed str, but FastAPI's may hold any JSON value
    if not 400 <= status <= 599:  # the error statuses
        return InternalFailure(exception=exc)
    if isinstance(detail, str):
        return own_status(status, detail)
    return own_status(status, details=Details({"detail": detail}))


def _websocket_exception(exc: WebSocketException, connection: HTTPConnection) -> Failure:
    return InternalFailure(exception=exc) if exc.code == 1011 else for_status(400, exc.reason)


STARLETTE_FAILURES: Final[Mapping[type[Exception], FrameworkFailure]] = {
    HTTPException: _http_exception,
    WebSocketException: _websocket_exception,
}
"""Starlette's own exceptions; `install` adds the framework's (FastAPI's validation errors)."""


# -- responses --------------------------------------------------------------------------


_LENGTHS: Final[dict[int, tuple[bytes, bytes]]] = {}
"""The ``content-length`` header of each body length seen (bodies are capped in size)."""


def _content_length(body: bytes) -> tuple[bytes, bytes]:
    size = len(body)
    found = _LENGTHS.get(size)
    if found is None:
        found = (b"content-length", b"%d" % size)
        if len(_LENGTHS) < 65536:
            _LENGTHS[size] = found
    return found


def _raw_headers(error: HttpError, headers: Mapping[str, str] | None) -> list[tuple[bytes, bytes]]:
    """The response's raw headers: the encoded ones, ``headers`` not already set, the length."""
    encoded = error.headers
    content_type = _RAW_CONTENT_TYPES.get(encoded.get("content-type", ""))
    if content_type is not None and len(encoded) == 1:
        if not headers:  # the usual answer: the style's content type and the length
            body = error.body
            return [content_type, _LENGTHS.get(len(body)) or _content_length(body)]
        raw = [content_type]
    else:
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in encoded.items()]
    if headers:
        own = {name for name, _ in raw}
        for key, value in headers.items():
            name = key.lower().encode("latin-1")
            if name not in own and name != b"content-length":
                raw.append((name, value.encode("latin-1")))
    raw.append(_content_length(error.body))
    return raw


class _EnvelopeResponse(Response):
    """A response whose body and headers are already encoded (no re-rendering)."""

    def __init__(self, error: HttpError, headers: Mapping[str, str] | None) -> None:
        self.status_code = error.status
        self.background = None
        self.body = error.body
        self.raw_headers = _raw_headers(error, headers)


def _to_response(error: HttpError, *, headers: Mapping[str, str] | None = None) -> Response:
    if error.status in _NO_BODY:
        return Response(status_code=error.status, headers=dict(headers or {}))
    return _EnvelopeResponse(error, headers)


def _request_target(scope: Mapping[str, Any]) -> str | None:
    """The path as the client sent it (``raw_path``, escapes kept), else the decoded one.

    The problem style's ``instance``: ``/a%2Fb`` stays distinct from ``/a/b``.
    """
    raw = scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("latin-1")
    path = scope.get("path")
    return path if isinstance(path, str) else None


def error_response(
    failure: Failure,
    *,
    style: Style = "agents",
    type_base: str = DEFAULT_TYPE_BASE,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A Starlette response carrying ``failure`` in the given envelope style.

    As every boundary answers: a peer's failure is answered as our own
    (`railguard.core.public_failure`), and the exchange's request id, trace id and
    localized message are added when set.
    """
    public = public_failure(failure)
    error = encode(public, style, type_base=type_base, instance=instance)
    return _to_response(http_in_exchange(error, public), headers=headers)


@attrs.frozen
class Responder:
    """Answers failures and exceptions for one app: its style, problem ``type`` base, framework."""

    style: Style
    type_base: str
    framework: Mapping[type[Exception], FrameworkFailure] = STARLETTE_FAILURES
    _converters: dict[type[BaseException], object] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    """The framework mapping found for each exception type (by MRO), once per type."""
    _answered: dict[type[BaseException], bool] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    """Whether Starlette would hand each exception type to `handle` (see `answers`)."""

    def encoded(self, failure: Failure, path: str | None) -> HttpError:
        """``failure`` encoded in the app's style; an unencodable failure gives a generic 500."""
        instance = path if self.style == "problem" else None
        public = public_failure(failure)
        if listening(public, "http"):
            report(public, boundary="http")
        try:
            error = encode(public, self.style, type_base=self.type_base, instance=instance)
            return http_in_exchange(error, public)  # the request's id and trace id, when set
        except Exception:  # noqa: BLE001  # an unencodable failure is a bug: answer a generic 500
            _log.exception("railguard: encoding %s failed", type(failure).__qualname__)
            return encode(InternalFailure(), self.style, type_base=self.type_base)

    def respond(
        self, failure: Failure, path: str | None, headers: Mapping[str, str] | None = None
    ) -> Response:
        """The response carrying ``failure``; an unencodable failure answers a generic 500."""
        return _to_response(self.encoded(failure, path), headers=headers)

    def _converter(self, exc_type: type[BaseException]) -> FrameworkFailure | None:
        """The framework's mapping for ``exc_type`` (the most specific in its MRO), remembered."""
        found: FrameworkFailure | None = None
        for klass in exc_type.__mro__:
            found = self.framework.get(klass)
            if found is not None:
                break
        self._converters[exc_type] = found
        return found

    def failure_for(self, exc: BaseException, connection: HTTPConnection | None) -> Failure:
        """What the peer is told about ``exc``: the framework's mapping, else the wire policy.

        An unexpected exception is logged with its traceback where the failure is answered.
        """
        if connection is not None:
            convert = self._converters.get(type(exc), _UNSEEN)
            if convert is _UNSEEN:
                convert = self._converter(type(exc))
            if convert is not None:
                return cast(FrameworkFailure, convert)(exc, connection)
        return wire_failure(exc)

    async def handle(self, connection: HTTPConnection, exc: Exception) -> Response | None:
        """THE exception handler, registered on the root class: a response, or a frame and close."""
        if connection.scope["type"] == "websocket":
            if not isinstance(exc, WebSocketDisconnect) and isinstance(connection, WebSocket):
                await send_failure(connection, self.failure_for(exc, connection), close=True)
            return None
        return self.http_response(connection, exc)

    def http_response(self, connection: HTTPConnection, exc: Exception) -> Response:
        """The answer `handle` gives ``exc`` on an HTTP request (called without a coroutine)."""
        headers = None
        if isinstance(exc, HTTPException):
            headers = exc.headers
            if exc.status_code in _NO_BODY or exc.status_code < 400:
                return Response(status_code=exc.status_code, headers=headers)
        if self._converters.get(type(exc), _UNSEEN) is None:  # known: no framework mapping
            failure = wire_failure(exc)
        else:
            failure = self.failure_for(exc, connection)
        path = _request_target(connection.scope) if self.style == "problem" else None
        return _to_response(self.encoded(failure, path), headers=headers)

    def answers(
        self, exc: Exception, handlers: tuple[Mapping[Any, Any], Mapping[int, Any]]
    ) -> bool:
        """Whether Starlette, given the app's ``handlers``, would answer ``exc`` with `handle`.

        ``handlers`` is the pair ``ExceptionMiddleware`` puts in each request's scope
        (by class, by status). As Starlette does: a status handler first for an
        ``HTTPException``, then the first class of the MRO that has a handler. The
        app's handlers are fixed once its middleware stack is built, so the answer is
        remembered per exception type.
        """
        by_class, by_status = handlers
        if isinstance(exc, HTTPException) and exc.status_code in by_status:
            return False
        found = self._answered.get(type(exc))
        if found is None:
            handler = next((by_class[c] for c in type(exc).__mro__ if c in by_class), None)
            found = self._answered[type(exc)] = handler == self.handle
        return found

    def resolve(self, exc: BaseException) -> Failure:
        """`failure_for` without a connection (the WebSocket guard's signature)."""
        return self.failure_for(exc, None)


_DEFAULT = Responder("agents", DEFAULT_TYPE_BASE)


_SCOPE_KEY: Final = "railguard.responder"
"""Where the guard leaves the app's responder in each request's scope."""


def responder_of(scope: Scope) -> Responder:
    """The responder installed on the scope's app, else the default (agents envelope)."""
    app = scope.get("app")
    guarded: tuple[object, Responder] | None = scope.get(_SCOPE_KEY)
    if guarded is not None and guarded[0] is app:
        return guarded[1]
    state = getattr(app, "state", None)
    found = getattr(state, "railguard", None)
    return found if isinstance(found, Responder) else _DEFAULT


class FailureResponse(Response):
    """A route's returned failure, encoded in the app's installed style when it is sent.

    Routes that return ``Err(failure)`` answer with this: no exception is raised
    and caught on the way.
    """

    def __init__(self, failure: Failure, headers: Mapping[str, str] | None = None) -> None:
        self.failure = failure
        self.background: BackgroundTask | None = None
        self._extra = headers
        self.body = b""
        self.raw_headers: list[tuple[bytes, bytes]] = []

    @property
    def status_code(self) -> int:  # type: ignore[override]  # read from the failure when asked
        """The failure's HTTP status."""
        return int(self.failure.status)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Encode the failure in the installed style and send it."""
        responder = responder_of(scope)
        path = _request_target(scope) if responder.style == "problem" else None
        error = responder.encoded(self.failure, path)
        if error.status in _NO_BODY or scope["type"] != "http":
            response = _to_response(error, headers=self._extra)
            response.background = self.background
            await response(scope, receive, send)
            return
        # what Starlette's Response sends, without building one
        raw = _raw_headers(error, self._extra)
        await send({"type": "http.response.start", "status": error.status, "headers": raw})
        await send({"type": "http.response.body", "body": error.body})
        background = self.background
        # FastAPI hands every returned response its (usually empty) BackgroundTasks
        if background is not None and getattr(background, "tasks", True):
            await background()


# -- the guard --------------------------------------------------------------------------


class _Guard:
    """In place of ``ServerErrorMiddleware``: answers what no handler took, even with debug.

    Starlette sends exceptions without a handler (those raised by the user's own
    middleware) to ``ServerErrorMiddleware``, which answers a plain 500, or a traceback
    page when ``debug=True``, and re-raises. The guard answers with the envelope
    instead, whatever order middleware was added in; once a response has started it
    re-raises, as that middleware would. It takes that middleware's place (outermost)
    rather than sitting inside it: every request then crosses one layer, not two.
    """

    def __init__(
        self,
        app: ASGIApp,
        responder: Responder,
        owner: object = None,
        replaced: ServerErrorMiddleware | None = None,
    ) -> None:
        self.app = app
        self.responder = responder
        self.owner = (owner, responder)
        """The app the responder is installed on, for `responder_of`."""
        self.websocket = WebSocketFailureMiddleware(app, failure_of=responder.resolve)
        self.after_start = None if replaced is None or replaced.debug else replaced.handler
        """The app's own 500 handler, which ``ServerErrorMiddleware`` called (for its side
        effects, its response unsent) on an exception after the response started."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[_SCOPE_KEY] = self.owner
        started = False

        def sender(message: Message) -> Awaitable[None]:
            # not a coroutine function: ``send``'s own awaitable, without one more frame
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            return send(message)

        try:
            await self.app(scope, receive, sender)
        except Exception as exc:
            if started:
                # as ServerErrorMiddleware did: the app's 500 handler runs, nothing is sent
                if self.after_start is not None:
                    await _run_handler(self.after_start, Request(scope), exc)
                raise
            # as the root handler answers in a route: an HTTPException keeps its status
            # and headers (``WWW-Authenticate``, ``Location``), anything else its failure
            response = await self.responder.handle(Request(scope, receive), exc)
            if response is not None:  # pragma: no branch  # `handle` answers every HTTP request
                await response(scope, receive, send)


async def _run_handler(handler: ExceptionHandler, request: Request, exc: Exception) -> None:
    """Call an exception handler as Starlette does (a sync one in the thread pool)."""
    call = cast("Callable[[Request, Exception], object]", handler)
    if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None)  # noqa: B004  # an object with an async __call__
    ):
        await cast("Awaitable[object]", call(request, exc))
    else:
        await run_in_threadpool(call, request, exc)


def _root_handler(stack: ASGIApp, responder: Responder) -> None:
    """Register the root handler on ``Exception`` in the stack's ``ExceptionMiddleware``.

    Starlette hands an app-level ``Exception`` handler to ``ServerErrorMiddleware``
    (outside every middleware, traceback page in debug); registered on the
    ``ExceptionMiddleware`` itself it is the root of the MRO lookup. Middleware
    is followed through its ``app`` attribute; without one the guard answers.
    """
    app: object = stack
    for _ in range(64):
        if isinstance(app, ExceptionMiddleware):
            app.add_exception_handler(Exception, cast(ExceptionHandler, responder.handle))
            return
        app = getattr(app, "app", None)
        if app is None:
            return


def _guard_stack(app: Starlette, responder: Responder) -> None:
    """When the stack is built: the root handler, and the guard for ``ServerErrorMiddleware``."""
    build = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        stack = build()
        _root_handler(stack, responder)
        if isinstance(stack, ServerErrorMiddleware):
            # the guard answers everything that middleware would (see `_Guard`)
            return _Guard(stack.app, responder, app, stack)
        return _Guard(stack, responder, app)

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]  # per app


# -- install ----------------------------------------------------------------------------


def install(
    app: Starlette,
    style: Style = "agents",
    *,
    type_base: str = DEFAULT_TYPE_BASE,
    framework: Mapping[type[Exception], FrameworkFailure] | None = None,
    messages: Messages | None = None,
) -> Responder:
    """Answer every error of ``app`` with the ``style`` envelope (HTTP) or frame (WebSocket).

    Args:
        app: a Starlette (or FastAPI) application, not yet started.
        style: ``"agents"`` (default), ``"problem"`` or ``"bridge"``.
        type_base: base of the problem ``type`` URIs (link them to your docs).
        framework: further framework exceptions and their failures (FastAPI's validation
            errors); Starlette's ``HTTPException`` and ``WebSocketException`` are included.
        messages: every envelope and frame then carries ``localized_message``, the
            failure's message for end users in the language the request's
            ``Accept-Language`` prefers (`railguard.messages.Messages.localize`).

    Returns:
        The app's responder (also ``app.state.railguard``).

    Raises:
        RuntimeError: railguard is already installed on ``app``.
        ValueError: ``style`` is not an envelope style.
    """
    if style not in CONTENT_TYPES:
        raise ValueError(f"unknown style {style!r}: use one of {', '.join(CONTENT_TYPES)}")
    if getattr(app.state, "railguard", None) is not None:
        raise RuntimeError("railguard is already installed on this app")
    responder = Responder(style, type_base, {**STARLETTE_FAILURES, **(framework or {})})
    app.state.railguard = responder
    # ONE handler on the root class ``Exception`` (see `_root_handler`): Starlette walks
    # the MRO, so it answers every exception. The framework's own exceptions get the
    # same handler, overriding the defaults Starlette and FastAPI register for them.
    for exc_type in responder.framework:
        app.add_exception_handler(exc_type, cast(ExceptionHandler, responder.handle))
    _guard_stack(app, responder)
    if messages is not None:
        localize_stack(app, messages)
    return responder
