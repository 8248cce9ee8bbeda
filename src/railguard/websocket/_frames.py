"""Error frames: a failure as one JSON text frame, and any text back into a failure."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final

import attrs

from railguard.core import (
    Category,
    Failure,
    MalformedFailure,
    UnknownFailure,
    lookup,
    thaw_json,
)

from . import _fields
from ._fields import STYLE_KEYS, ClassCodec, FieldError, Style, _codecs, class_codec

__all__ = [
    "MAX_DEPTH",
    "MAX_FRAME_SIZE",
    "MalformedFrameFailure",
    "decode_frame",
    "encode_frame",
    "frame_dict",
    "from_frame_dict",
    "is_error_frame",
]

_log = logging.getLogger("railguard.websocket")

MAX_FRAME_SIZE: Final = 1 << 20
"""Largest frame `decode_frame` parses by default, in bytes (1 MiB, websockets' ``max_size``)."""
MAX_DEPTH: Final = 64
"""Deepest nesting of arrays and objects `decode_frame` parses by default."""
_RAW_EXCERPT: Final = 256
# One encoder for every frame: compact, UTF-8 as is, strict about NaN.
_encoder: Final = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_STYLES: Final = frozenset(STYLE_KEYS)
_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


@attrs.frozen(kw_only=True)
class MalformedFrameFailure(MalformedFailure, code="WEBSOCKET_MALFORMED_FRAME"):
    """A received WebSocket message is not a well-formed error frame.

    ``problem`` says why (not JSON, too large, too deep, a field of the wrong
    type, ...); ``raw`` keeps the first 256 characters of the message.
    """

    message: str = "The peer sent a malformed error frame."
    problem: str = ""


# --- encoding --------------------------------------------------------------------------


def frame_dict(failure: Failure, *, style: Style = "bridge") -> dict[str, object]:
    """Return the error frame of ``failure`` as a JSON-able dict (before ``json.dumps``).

    Args:
        failure: the failure to send.
        style: ``"bridge"`` (default): the bridge document's flat frame
            ``{"type": "error", "message", "code": <status>, "error_code", <fields>...}``;
            ``"envelope"``: ``{"type": "error", "error": {"code", "status", "message", ...}}``.
    """
    if style == "bridge":
        return _object(failure, "bridge", top=True)
    if style == "envelope":
        return {"type": "error", "error": _object(failure, "envelope")}
    raise ValueError(f"unknown frame style {style!r}; use one of {sorted(_STYLES)}")


def encode_frame(failure: Failure, *, style: Style = "bridge") -> str:
    """Return the JSON text frame of ``failure``; `decode_frame` gives back an equal failure.

    The frame carries the failure's code, status, message, typed fields, details,
    retry hint and cause chain.

    Raises:
        ValueError: a field holds a float JSON cannot carry (NaN, infinity).
        TypeError: a field holds a value JSON cannot carry.
    """
    if style == "bridge":  # the default, and the hot path
        return _encoder.encode(_object(failure, "bridge", top=True))
    return _encoder.encode(frame_dict(failure, style=style))


def _object(failure: Failure, style: Style, *, top: bool = False) -> dict[str, object]:
    codec = _codecs[style].get(type(failure)) or class_codec(type(failure), style)
    code = failure.code if codec.code is None else codec.code
    status = int(failure.status) if codec.status is None else codec.status
    obj: dict[str, object]
    if style == "bridge":
        if top:
            obj = {"type": "error", "message": failure.message, "code": status, "error_code": code}
        else:
            obj = {"message": failure.message, "code": status, "error_code": code}
    else:
        obj = {"code": code, "status": status, "message": failure.message}
    if codec.code is None and code != codec.cls.default_code:
        obj["kind"] = codec.cls.default_code  # the class, when the instance's code differs
    if codec.instance_category:
        obj["category"] = failure.category.value
    if codec.fields:
        _typed_fields(failure, codec, style, obj)
    if failure.details:
        if style == "bridge":
            _flat_details(failure, codec, obj)
        else:
            obj["details"] = thaw_json(failure.details)
    if failure.retry_after is not None:
        obj["retry_after"] = failure.retry_after
    if failure.cause is not None:
        obj["cause"] = _object(failure.cause, style)
    return obj


def _flat_details(failure: Failure, codec: ClassCodec, obj: dict[str, object]) -> None:
    """Bridge frames merge details into the frame (``to_dict()``); clashing keys nest."""
    taken = codec.taken
    nested: dict[str, object] | None = None
    for key, value in failure.details.items():
        plain = value if type(value) in _SCALARS else thaw_json(value)
        if key in taken:
            if nested is None:
                nested = {}
            nested[key] = plain
        else:
            obj[key] = plain
    if nested is not None:
        obj["details"] = nested


def _typed_fields(
    failure: Failure, codec: ClassCodec, style: Style, obj: dict[str, object]
) -> None:
    nested: dict[str, object] | None = None
    for field in codec.fields:
        value = getattr(failure, field.name)
        if field.encode is not None and value is not None:
            value = field.encode(value, style)
        if field.nested:
            if nested is None:
                nested = {}
            nested[field.key] = value
        else:
            obj[field.key] = value
    if nested is not None:
        obj["fields"] = nested


# --- decoding --------------------------------------------------------------------------

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str, limit: int) -> bool:
    if text.count("{") + text.count("[") <= limit:
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        first = match.group()[0]
        if first in "[{":
            depth += 1
            if depth > limit:
                return True
        elif first in "]}":
            depth -= 1
    return False


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def decode_frame(
    text: str | bytes, *, max_size: int = MAX_FRAME_SIZE, max_depth: int = MAX_DEPTH
) -> Failure:
    """Return the failure a received error frame stands for; never raises.

    Frames of both styles are understood, as is a plain bridge frame without an
    ``error_code`` (it becomes an `railguard.UnknownFailure` keeping status,
    message and extra keys). Only registered classes are ever built. Anything
    that is not an error frame gives a `MalformedFrameFailure` saying why.

    Args:
        text: the message as received (text, or bytes holding UTF-8).
        max_size: larger messages are rejected unparsed (bytes of UTF-8).
        max_depth: messages nesting arrays/objects deeper are rejected unparsed.
    """
    try:
        return _decode(text, max_size, max_depth)
    except Exception as exc:  # noqa: BLE001  # decoding is total by contract
        _log.exception("railguard: decoding a frame failed unexpectedly")
        return _malformed(text, f"undecodable ({type(exc).__name__})")


def _decode(text: str | bytes, max_size: int, max_depth: int) -> Failure:  # noqa: PLR0911  # one return per rejection
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if len(data) > max_size:
            return _malformed(data, f"too large: {len(data)} bytes, the limit is {max_size}")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return _malformed(data, "not UTF-8")
    elif not isinstance(text, str):  # callers may not be typed
        return _malformed(repr(text), f"not text but {type(text).__name__}")  # type: ignore[unreachable]  # guards untyped callers
    # A character takes at most 4 bytes: only count bytes when it may matter.
    if len(text) * 4 > max_size and len(text.encode("utf-8", "surrogatepass")) > max_size:
        return _malformed(text, f"too large: more than {max_size} bytes")
    if _too_deep(text, max_depth):
        return _malformed(text, f"nested deeper than {max_depth} levels")
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        return _malformed(text, f"not JSON: {exc}")
    except RecursionError:
        return _malformed(text, "nested too deeply")
    if not isinstance(obj, dict):
        return _malformed(text, "not a JSON object")
    return from_frame_dict(obj, raw=text)


def is_error_frame(obj: object) -> bool:
    """Whether a parsed message is an error frame (``{"type": "error", ...}``)."""
    return isinstance(obj, dict) and obj.get("type") == "error"


def from_frame_dict(obj: Mapping[str, Any], *, raw: str | None = None) -> Failure:
    """Return the failure of an already parsed error frame; never raises.

    Args:
        obj: the parsed frame (``{"type": "error", ...}``).
        raw: the frame's text, kept (capped) by the failures that keep one.
    """
    if obj.get("type") != "error":
        return _malformed(raw, "not an error frame (its type is not 'error')")
    inner = obj.get("error")
    if isinstance(inner, dict) and "message" not in obj:
        style: Style = "envelope"
        body: Mapping[str, Any] = inner
    else:
        style = "bridge"
        body = obj
    try:
        return _from_object(body, style, raw)
    except FieldError as exc:
        return _malformed(raw, str(exc))
    except Exception as exc:  # noqa: BLE001  # decoding is total by contract
        _log.exception("railguard: decoding a frame failed unexpectedly")
        return _malformed(raw, f"undecodable ({type(exc).__name__})")


def _from_object(obj: Mapping[str, Any], style: Style, raw: str | None) -> Failure:
    keys = STYLE_KEYS[style]
    kind = obj.get("kind")
    code = kind if isinstance(kind, str) else obj.get(keys.code)
    cls = lookup(code) if isinstance(code, str) else None
    if cls is None:
        return _unknown(obj, style, raw)
    return _build(class_codec(cls, style), obj, style)


def _build(codec: ClassCodec, obj: Mapping[str, Any], style: Style) -> Failure:
    keys = STYLE_KEYS[style]
    cls = codec.cls
    code = cls.default_code
    kwargs: dict[str, Any] = {}
    if "message" in obj:
        kwargs["message"] = _field(code, "message", _fields._check_str, obj["message"])
    if codec.instance_code:
        kwargs["code"] = _field(code, keys.code, _fields._check_str, obj.get(keys.code, code))
    if codec.instance_status and keys.status in obj:
        kwargs["status"] = _field(code, keys.status, _fields._decode_status, obj[keys.status])
    if codec.instance_category and "category" in obj:
        kwargs["category"] = _field(code, "category", _decode_category, obj["category"])
    nested = obj.get("fields")
    if nested is not None and not isinstance(nested, dict):
        raise FieldError(f"{code}: 'fields' must be an object")
    for field in codec.fields:
        source = nested if field.nested else obj
        if source is None or field.key not in source:
            if field.has_default:
                continue
            raise FieldError(f"{code}: the required field {field.key!r} is missing")
        kwargs[field.alias] = _field(code, field.key, field.decode, source[field.key])
    _common(code, obj, style, kwargs)
    if style == "bridge":
        _leftover_details(code, obj, codec.taken, kwargs)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise FieldError(f"{code}: the fields do not build a {cls.__name__} ({exc})") from None


def _common(code: str, obj: Mapping[str, Any], style: Style, kwargs: dict[str, Any]) -> None:
    details = obj.get("details")
    if details is not None:
        kwargs["details"] = _field(code, "details", _fields._decode_details, details)
    retry_after = obj.get("retry_after")
    if retry_after is not None:
        kwargs["retry_after"] = _field(code, "retry_after", _fields._check_float, retry_after)
    cause = obj.get("cause")
    if cause is not None:
        if not isinstance(cause, dict):
            raise FieldError(f"{code}: 'cause' must be an object")
        kwargs["cause"] = _from_object(cause, style, raw=None)


def _leftover_details(
    code: str, obj: Mapping[str, Any], taken: frozenset[str], kwargs: dict[str, Any]
) -> None:
    """A bridge frame's keys that are not the frame's own are details (merged flat)."""
    extra = {key: value for key, value in obj.items() if key not in taken}
    if not extra:
        return
    nested = obj.get("details")
    merged: dict[str, object] = dict(nested) if isinstance(nested, dict) else {}
    merged.update(extra)
    kwargs["details"] = _field(code, "details", _fields._decode_details, merged)


def _field(code: str, key: str, decode: _fields.Decoder, value: object) -> Any:
    try:
        return decode(value)
    except FieldError as exc:
        raise FieldError(f"{code}: field {key!r}: {exc}") from None


def _decode_category(value: object) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise FieldError(f"{value!r} is not a category") from None


_UNKNOWN_KEYS = frozenset({"type", "message", "category", "details", "retry_after", "cause", "raw"})


def _unknown(obj: Mapping[str, Any], style: Style, raw: str | None) -> Failure:
    """A frame whose code is not registered (or absent): an `UnknownFailure` keeping it all."""
    keys = STYLE_KEYS[style]
    code = obj.get(keys.code)
    status_value = obj.get(keys.status)
    status = HTTPStatus.INTERNAL_SERVER_ERROR
    if isinstance(status_value, int) and not isinstance(status_value, bool):
        with contextlib.suppress(ValueError):
            status = HTTPStatus(status_value)
    label = code if isinstance(code, str) else "UNKNOWN"
    kwargs: dict[str, Any] = {
        "code": label,
        "status": status,
        "category": Category.for_status(status),
    }
    message = obj.get("message")
    if isinstance(message, str):
        kwargs["message"] = message
    category = obj.get("category")
    if isinstance(category, str):
        with contextlib.suppress(ValueError):
            kwargs["category"] = Category(category)
    if "raw" in obj:
        kwargs["raw"] = _field(label, "raw", _optional_str, obj["raw"])
    else:
        kwargs["raw"] = _excerpt(raw)
    _common(label, obj, style, kwargs)
    known = _UNKNOWN_KEYS | {keys.code, keys.status}
    extra = {k: v for k, v in obj.items() if k not in known}
    if extra:
        # A foreign frame's own keys (the bridge's ``tool_name``, ...) join the details.
        base = obj.get("details")
        merged: dict[str, object] = dict(base) if isinstance(base, dict) else {}
        for key, value in extra.items():
            merged.setdefault(key, value)
        kwargs["details"] = _field(label, "details", _fields._decode_details, merged)
    return UnknownFailure(**kwargs)


def _optional_str(value: object) -> str | None:
    return None if value is None else _fields._check_str(value)


def _excerpt(raw: str | bytes | None) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw[: _RAW_EXCERPT * 4].decode("utf-8", "replace")
    return raw[:_RAW_EXCERPT]


def _malformed(raw: str | bytes | None, problem: str) -> MalformedFrameFailure:
    return MalformedFrameFailure(problem=problem, raw=_excerpt(raw))


def _nested(obj: object) -> Failure:
    """A failure inside a field (a group's members): its style is told by its keys."""
    if not isinstance(obj, dict):
        raise FieldError(f"expected a failure object, got {_fields._json_type(obj)}")
    style: Style = "envelope" if isinstance(obj.get("code"), str) else "bridge"
    return _from_object(obj, style, raw=None)


_fields.bind(_object, _nested)
