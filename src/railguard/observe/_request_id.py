"""Request ids: an incoming ``X-Request-ID`` (or a new one) on every log line and envelope.

`RequestIdMiddleware` is plain ASGI (any framework): it reads the request's (or
WebSocket handshake's) ``X-Request-ID`` when it is a plain token (letters, digits,
``._:-``, up to 128 characters; anything else could forge log lines, so a new id
replaces it), else makes one, keeps it in a context variable for the request's task
(read by `railguard.observe.report` and by every envelope and error frame answered
in it), and sends it back on the response (or the WebSocket's accept).

`trace_id` is the current OpenTelemetry span's trace id, read only when the
application has imported OpenTelemetry itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from typing import Any, Final

from railguard.core import plain_request_id

__all__ = ["REQUEST_ID", "RequestIdMiddleware", "accept_request_id", "request_id", "trace_id"]

REQUEST_ID: Final[ContextVar[str | None]] = ContextVar("railguard_request_id", default=None)
"""The id of the request being served in this context (``None`` outside one)."""

_HEADER: Final = b"x-request-id"
_ANSWERS: Final = frozenset(
    {"http.response.start", "websocket.accept", "websocket.http.response.start"}
)
"""The messages that start an answer: the id goes back on their headers."""

_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_App = Callable[[_Scope, _Receive, _Send], Awaitable[None]]


def request_id() -> str | None:
    """The id of the request being served, if any."""
    return REQUEST_ID.get()


_get_current: Callable[[], object] | None = None
"""OpenTelemetry's current-context reader, kept once the application has imported tracing."""


def _otel_get_current() -> Callable[[], object] | None:
    global _get_current  # noqa: PLW0603  # found once, then kept
    if "opentelemetry.trace" in sys.modules:
        _get_current = _context_reader(sys.modules.get("opentelemetry.context"))
    return _get_current


def _context_reader(context: object) -> Callable[[], object] | None:
    """``context.get_current``, or the one ``ContextVar``'s ``get`` it reads (a probe).

    OpenTelemetry's default runtime context, ``ContextVarsRuntimeContext``, keeps the
    current context in a ``ContextVar`` (private names): its own ``get`` answers the
    same without two Python calls. Any other runtime context, or a release that
    changes these names, gets ``get_current`` itself.
    """
    get_current = getattr(context, "get_current", None)
    runtime = getattr(context, "_RUNTIME_CONTEXT", None)
    variable = getattr(runtime, "_current_context", None)
    contextvars_context = sys.modules.get("opentelemetry.context.contextvars_context")
    default_runtime = getattr(contextvars_context, "ContextVarsRuntimeContext", None)
    if (
        default_runtime is not None
        and type(runtime) is default_runtime
        and isinstance(variable, ContextVar)
        and callable(get_current)
        and variable.get() is get_current()
    ):
        return variable.get
    return get_current


def in_otel_context() -> bool:
    """Whether an OpenTelemetry context is current (it may hold a span): the cheap test.

    ``False`` without looking when the application has not imported
    ``opentelemetry.trace`` (railguard never imports it for this).
    """
    get_current = _get_current or _otel_get_current()
    if get_current is None:
        return False
    try:
        return bool(get_current())  # an empty context holds no span
    except Exception:  # noqa: BLE001  # a broken context must not break an answer
        return False


def trace_id() -> str | None:
    """The trace id of the current OpenTelemetry span (32 lowercase hex digits), if any.

    ``None`` when no valid span is current, and without looking when the application
    has not imported ``opentelemetry.trace`` (railguard never imports it for this).
    """
    if not in_otel_context():
        return None
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:  # pragma: no cover  # imported, then taken out of sys.modules
        return None
    try:
        span = trace.get_current_span().get_span_context()
    except Exception:  # noqa: BLE001  # a broken tracer must not break an answer
        return None
    return format(span.trace_id, "032x") if span.is_valid else None


def accept_request_id(value: str | bytes | None) -> str:
    """``value`` when it is a plain token (an ``X-Request-ID`` to keep), else a new id.

    A plain token is what `railguard.core.plain_request_id` keeps.
    """
    kept = plain_request_id(value)
    if kept is not None:
        return kept
    return os.urandom(16).hex()  # 32 hex digits, as uuid4().hex, without importing uuid


def _incoming(scope: _Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == _HEADER:
            kept = plain_request_id(value)
            if kept is not None:
                return kept
    return accept_request_id(None)


class RequestIdMiddleware:
    """ASGI middleware: each HTTP request and WebSocket gets its id (see the module)."""

    def __init__(self, app: _App) -> None:
        self.app = app

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        """Serve ``scope`` with its request id set; the response (or accept) carries it back."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = _incoming(scope)
        token = REQUEST_ID.set(rid)
        raw = rid.encode("ascii")

        async def sender(message: MutableMapping[str, Any]) -> None:
            if message["type"] in _ANSWERS:
                headers = list(message.get("headers", ()))
                if all(name.lower() != _HEADER for name, _ in headers):
                    headers.append((_HEADER, raw))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sender)
        finally:
            REQUEST_ID.reset(token)
