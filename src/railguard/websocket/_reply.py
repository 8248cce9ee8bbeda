"""What a server sends for a failure: the error frame, and the close when it is fatal."""

from __future__ import annotations

import json
import logging
from typing import Final

import attrs

from railguard._wire import BRIDGE, dumps, write
from railguard.core import Failure, InternalFailure

from ._close import close_code, close_reason
from ._frames import Style, encode_frame

__all__ = ["ErrorReply", "error_reply", "reply_parts"]

_log = logging.getLogger("railguard.websocket")


@attrs.frozen
class ErrorReply:
    """The answer to a failure: send ``frame``, then close with ``close`` when it is set.

    Integrations do exactly that; this value keeps the decision sans-I/O.
    """

    failure: Failure
    frame: str
    close: tuple[int, str] | None
    """``(code, reason)`` when the connection must end, else ``None``."""


def error_reply(
    failure: Failure, *, style: Style = "bridge", close: bool | None = None
) -> ErrorReply:
    """Return the frame to send for ``failure`` and, when it is fatal, the close that follows.

    Args:
        failure: what went wrong.
        style: the frame style (see `encode_frame`).
        close: force (``True``) or suppress (``False``) the close; by default the
            failure's semantics decide (`Failure.fatal`). A failure before the
            connection is accepted, or one that ends a handler, always closes.
            See `Failure.fatal`.
    """
    frame, closing = reply_parts(failure, style=style, close=close)
    return ErrorReply(failure=failure, frame=frame, close=closing)


def reply_parts(
    failure: Failure, *, style: Style = "bridge", close: bool | None = None
) -> tuple[str, tuple[int, str] | None]:
    """`error_reply` without the wrapper value: ``(frame, close or None)``, for hot paths."""
    try:
        # `encode_frame`'s bridge path, inline: the default style, on every send
        frame = (
            dumps(write(failure, BRIDGE))
            if style == "bridge"
            else encode_frame(failure, style=style)
        )
    except (TypeError, ValueError):
        # A field JSON cannot carry is a bug in the failure's construction; the
        # peer still gets a (sanitized) error frame rather than a dropped connection.
        _log.exception("railguard: encoding %s failed", type(failure).__qualname__)
        frame = encode_frame(InternalFailure(), style=style)
    if not frame.isascii():  # `_sendable`'s test, inline: frames are ASCII (JSON escapes)
        frame = _sendable(frame)
    if close is None:
        close = _class_fatal.get(type(failure))
        if close is None:
            close = _fatal(failure)
    if close:
        return frame, (close_code(failure), close_reason(failure))
    return frame, None


_class_fatal: dict[type[Failure], bool] = {}
"""`Failure.fatal` of each class whose ``fatal`` and ``category`` are the class's own."""
_FATAL: Final = Failure.__dict__["fatal"]
_CATEGORY: Final = Failure.__dict__["category"]


def _fatal(failure: Failure) -> bool:
    """``failure.fatal``, kept per class when no instance can differ (read once per class).

    `Failure.fatal` reads the class's declared ``fatal``, else its category's: both are
    the class's unless a subclass makes ``category`` a field or redefines ``fatal``.
    """
    fatal = failure.fatal
    cls = type(failure)
    if cls.fatal is _FATAL and cls.category is _CATEGORY:
        _class_fatal[cls] = fatal
    return fatal


def _sendable(frame: str) -> str:
    """``frame``, with lone surrogates escaped as JSON does, so that it encodes as UTF-8.

    A WebSocket text frame must be UTF-8; sending one that is not drops the connection
    without a close frame. JSON's escape carries the same string losslessly.
    """
    if frame.isascii():
        return frame
    try:
        frame.encode()
    except UnicodeEncodeError:
        return json.dumps(json.loads(frame), ensure_ascii=True, separators=(",", ":"))
    return frame
