"""Error frames: a failure as one JSON text frame, and any text back into a failure.

Both frame styles are layouts of railguard's one record (`railguard._wire`): the
bridge frame is the very layout of the HTTP bridge style, so a frame's text decodes
over HTTP (``railguard.http.decode(..., style="bridge")``) to the same failure.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final, Literal, TypeAlias, cast

import attrs

from railguard._catalog import load_catalog
from railguard._wire import (
    BRIDGE,
    ENVELOPE,
    MAX_BYTES,
    MAX_DEPTH,
    Context,
    WireError,
    dumps,
    excerpt,
    read,
    read_bridge,
    read_json,
    write,
)
from railguard._wire._exchange import EMPTY, Exchange, bridge_record, read_exchange, splice
from railguard.core import Failure, MalformedFailure

__all__ = [
    "MAX_DEPTH",
    "MAX_FRAME_SIZE",
    "Exchange",
    "MalformedFrameFailure",
    "Style",
    "decode_frame",
    "encode_frame",
    "frame_dict",
    "frame_exchange",
    "from_frame_dict",
    "is_error_frame",
]

_log = logging.getLogger("railguard.websocket")

Style: TypeAlias = Literal["bridge", "envelope"]
"""Frame styles: the bridge document's flat frame, or a nested ``{"error": {...}}`` one."""

MAX_FRAME_SIZE: Final = MAX_BYTES
"""Largest frame `decode_frame` parses by default, in bytes (1 MiB, websockets' ``max_size``)."""
_RAW_EXCERPT: Final = 256


@attrs.frozen(kw_only=True)
class MalformedFrameFailure(MalformedFailure, code="WEBSOCKET_MALFORMED_FRAME"):
    """A received WebSocket message is not a well-formed error frame.

    ``problem`` says why (not JSON, too large, too deep, a field of the wrong
    type, ...); ``raw`` keeps the first 256 characters of the message.
    """

    message: str = "The peer sent a malformed error frame."
    problem: str = ""


load_catalog()  # every family is registered before the first frame is decoded

# --- encoding --------------------------------------------------------------------------


def frame_dict(
    failure: Failure, *, style: Style = "bridge", exchange: Exchange = EMPTY
) -> dict[str, object]:
    """Return the error frame of ``failure`` as a JSON-able dict (before ``json.dumps``).

    Args:
        failure: the failure to send.
        style: ``"bridge"`` (default): the bridge document's flat frame
            ``{"type": "error", "message", "code": <status>, "error_code", <fields>...}``;
            ``"envelope"``: ``{"type": "error", "error": {"code", "status", "message", ...}}``.
        exchange: the session's ``request_id`` and ``trace_id``, written as top-level
            members when set (see `frame_exchange`).

    Raises:
        ValueError: ``style`` is not a frame style.
        TypeError: a field holds a value its declared type does not allow.
    """
    if style == "bridge":
        frame = write(failure, BRIDGE)
    elif style == "envelope":
        frame = {"type": "error", "error": write(failure, ENVELOPE)}
    else:
        raise ValueError(f"unknown frame style {style!r}; use one of ['bridge', 'envelope']")
    if exchange is EMPTY:
        return frame
    return cast("dict[str, object]", read_json(splice(dumps(frame), failure, exchange)))


def encode_frame(failure: Failure, *, style: Style = "bridge", exchange: Exchange = EMPTY) -> str:
    """Return the JSON text frame of ``failure``; `decode_frame` gives back an equal failure.

    The frame carries the failure's code, status, message, typed fields, details,
    retry hint and cause chain; the text is ASCII (JSON escapes), so any message,
    lone surrogates included, can be sent. ``exchange``'s members (the session's
    request id, the trace id) are top-level members when set; `frame_exchange` reads
    them back.

    Raises:
        TypeError: a field holds a value its declared type does not allow.
    """
    if style == "bridge":  # the default, and the hot path
        frame = dumps(write(failure, BRIDGE))
    else:
        frame = dumps(frame_dict(failure, style=style))
    return frame if exchange is EMPTY else splice(frame, failure, exchange)


# --- decoding --------------------------------------------------------------------------


def decode_frame(
    text: str | bytes, *, max_size: int = MAX_FRAME_SIZE, max_depth: int = MAX_DEPTH
) -> Failure:
    """Return the failure a received error frame stands for; never raises.

    Frames of both styles are understood, as is the bridge document's own frame
    without an ``error_code`` (it decodes by its status, its extra keys kept as
    details). Only registered classes are ever built. Anything that is not an
    error frame gives a `MalformedFrameFailure` saying why.

    Args:
        text: the message as received (text, or bytes holding UTF-8).
        max_size: larger messages are rejected unparsed (bytes of UTF-8).
        max_depth: messages nesting arrays/objects deeper are rejected unparsed.
    """
    try:
        if not isinstance(text, (str, bytes, bytearray, memoryview)):
            return _malformed(repr(text), f"not text but {type(text).__name__}")  # type: ignore[unreachable]  # guards untyped callers
        obj = read_json(text, max_bytes=max_size, max_depth=max_depth)
    except WireError as exc:
        return _malformed(text, str(exc))
    except Exception as exc:  # noqa: BLE001  # decoding is total by contract
        _log.exception("railguard: decoding a frame failed unexpectedly")
        return _malformed(None, f"undecodable ({type(exc).__name__})")
    if type(obj) is not dict:
        return _malformed(text, "not a JSON object")
    raw = text if isinstance(text, str) else excerpt(text, _RAW_EXCERPT)
    return from_frame_dict(cast(dict[str, Any], obj), raw=raw)


def frame_exchange(frame: str | bytes | Mapping[str, Any]) -> Exchange:
    """The exchange members of an error frame (text, or already parsed); never raises.

    ``request_id`` and ``trace_id`` are read from the frame's top level; absent or
    ill-formed ones (and anything that is not a JSON object) read as ``None``.
    """
    if isinstance(frame, Mapping):
        return read_exchange(frame)
    try:
        obj = read_json(frame)
    except Exception:  # noqa: BLE001  # total: anything unreadable has no members
        return EMPTY
    return read_exchange(cast("dict[str, object]", obj)) if type(obj) is dict else EMPTY


def is_error_frame(obj: object) -> bool:
    """Whether a parsed message is an error frame (``{"type": "error", ...}``)."""
    return isinstance(obj, dict) and obj.get("type") == "error"


def from_frame_dict(obj: Mapping[str, Any], *, raw: str | None = None) -> Failure:
    """Return the failure of an already parsed error frame; never raises.

    Args:
        obj: the parsed frame (``{"type": "error", ...}``).
        raw: the frame's text, kept (capped) by the failures that keep one.
    """
    try:
        if obj.get("type") != "error":
            return _malformed(raw, "not an error frame (its type is not 'error')")
        inner = obj.get("error")
        ctx = Context(body=None if raw is None else raw[:_RAW_EXCERPT])
        if isinstance(inner, dict) and "message" not in obj:
            return read(inner, ENVELOPE, ctx)
        obj = obj if type(obj) is dict else dict(obj)  # read, not changed
        return read_bridge(*bridge_record(obj, ctx))
    except WireError as exc:
        return _malformed(raw, str(exc))
    except Exception as exc:  # noqa: BLE001  # decoding is total by contract
        _log.exception("railguard: decoding a frame failed unexpectedly")
        return _malformed(raw, f"undecodable ({type(exc).__name__})")


def _malformed(raw: object, problem: str) -> MalformedFrameFailure:
    return MalformedFrameFailure(problem=problem, raw=excerpt(raw, _RAW_EXCERPT))
