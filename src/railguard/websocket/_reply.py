"""What a server sends for a failure: the error frame, and the close when it is fatal."""

from __future__ import annotations

import json
import logging

import attrs

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
        frame = encode_frame(failure, style=style)
    except (TypeError, ValueError):
        # A field JSON cannot carry is a bug in the failure's construction; the
        # peer still gets a (sanitized) error frame rather than a dropped connection.
        _log.exception("railguard: encoding %s failed", type(failure).__qualname__)
        frame = encode_frame(InternalFailure(), style=style)
    frame = _sendable(frame)
    if failure.fatal if close is None else close:
        return frame, (close_code(failure), close_reason(failure))
    return frame, None


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
