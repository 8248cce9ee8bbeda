"""The exchange an answer belongs to: its ids and localized message, put on envelopes and frames.

Every integration that answers a failure (an HTTP envelope, a WebSocket error frame)
asks `current_exchange` for the members of the exchange being served: the request id
`railguard.observe.RequestIdMiddleware` (or `railguard.integrations.websockets.request_context`)
set, the current OpenTelemetry span's trace id, and the failure's message for end users
in the caller's language when the app was given a `railguard.messages.Messages`
(`localize_stack`). With none of them it is `EMPTY` and nothing is added: three
context-variable reads and a dictionary lookup.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final, TypeVar

from railguard._wire._exchange import EMPTY, Exchange, splice
from railguard.core import Failure
from railguard.http._style import HttpError, with_exchange
from railguard.observe._request_id import (
    REQUEST_ID,
    _App,
    _Receive,
    _Scope,
    _Send,
    in_otel_context,
    trace_id,
)

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from railguard.messages import LocalizedMessage, Messages

__all__ = [
    "LOCALIZE",
    "Localize",
    "current_exchange",
    "frame_in_exchange",
    "http_in_exchange",
    "localize_stack",
    "localized_message",
]

_log = logging.getLogger("railguard.messages")

LOCALIZE: Final[ContextVar[tuple[Messages, str | None] | None]] = ContextVar(
    "railguard_localize", default=None
)
"""The app's `Messages` and the request's ``Accept-Language`` (``None`` outside such an app)."""


def current_exchange(failure: Failure) -> Exchange:
    """The members of the exchange being served, for the answer ``failure`` (`EMPTY` if none)."""
    request_id = REQUEST_ID.get()
    trace = trace_id()
    if request_id is None and trace is None and LOCALIZE.get() is None:
        return EMPTY
    return Exchange(request_id, trace, localized_message(failure))


def localized_message(failure: Failure) -> LocalizedMessage | None:
    """``failure``'s message for end users as `LOCALIZE` asks (``None`` when it is unset)."""
    localize = LOCALIZE.get()
    if localize is None:
        return None
    messages, accept_language = localize
    try:
        return messages.localize(failure, accept_language)
    except Exception:  # noqa: BLE001  # a broken catalog must not break the answer
        _log.exception("railguard: localizing %s failed", failure.code)
        return None


_modules: Final = sys.modules
_TRACE: Final = "opentelemetry.trace"
_T = TypeVar("_T", HttpError, str)


def _spliced(encoded: _T, failure: Failure, add: Callable[[_T, Failure, Exchange], _T]) -> _T:
    exchange = current_exchange(failure)
    return encoded if exchange is EMPTY else add(encoded, failure, exchange)


def _plain() -> bool:
    """No id, no messages, no span: the answer goes as it is (the common case, cheap)."""
    return (
        REQUEST_ID.get() is None
        and LOCALIZE.get() is None
        and (_TRACE not in _modules or not in_otel_context())
    )


def http_in_exchange(error: HttpError, failure: Failure) -> HttpError:
    """``error`` (the encoding of the public ``failure``) with the current exchange's members."""
    return error if _plain() else _spliced(error, failure, with_exchange)


def frame_in_exchange(frame: str, failure: Failure) -> str:
    """``frame`` (the error frame of ``failure``) with the current exchange's members."""
    return frame if _plain() else _spliced(frame, failure, splice)


_ACCEPT_LANGUAGE: Final = b"accept-language"


class Localize:
    """ASGI middleware: each HTTP request and WebSocket runs with `LOCALIZE` set.

    Outermost in the app (see `localize_stack`), so even what the app's guard answers
    is localized.
    """

    def __init__(self, app: _App, messages: Messages) -> None:
        self.app = app
        self.messages = messages

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        """Serve ``scope`` with the messages and its ``Accept-Language`` in `LOCALIZE`."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        accept_language = None
        for name, value in scope.get("headers", ()):
            if name == _ACCEPT_LANGUAGE:
                accept_language = bytes(value).decode("latin-1")
                break
        token = LOCALIZE.set((self.messages, accept_language))
        try:
            await self.app(scope, receive, send)
        finally:
            LOCALIZE.reset(token)


def localize_stack(app: Starlette, messages: Messages) -> None:
    """Make every envelope and frame of ``app`` carry its ``localized_message``.

    The app's middleware stack, when it is built, is wrapped in `Localize`.
    """
    build = app.build_middleware_stack

    def build_middleware_stack() -> Any:
        return Localize(build(), messages)

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]  # per app
