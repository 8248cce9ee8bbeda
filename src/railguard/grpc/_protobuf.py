"""The protobuf wire format of the google.rpc messages railguard sends, written by hand.

Building a ``google.rpc.Status`` through protobuf objects (five messages, three ``Any``
packs, a map) costs more than the rest of an error response. These writers give the
bytes protobuf gives for the same message (proto3: fields in number order, empty
strings and zero numbers left out, every map entry with its key and value); the tests
check them against protobuf's own serialization. Each field is a one-byte tag (field
number << 3 | wire type: 0 varint, 2 length-delimited), then its varint or its length
and bytes; the few Python operations per field are the point of this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

__all__ = [
    "BAD_REQUEST",
    "ERROR_INFO",
    "LOCALIZED_MESSAGE",
    "REQUEST_INFO",
    "RETRY_INFO",
    "bad_request",
    "error_info",
    "request_info",
    "retry_info",
    "status",
]

_SMALL: Final = tuple(bytes((n,)) for n in range(0x80))


def _varint(value: int) -> bytes:
    """A base-128 varint; a negative ``int32``/``int64`` as its ten-byte two's complement."""
    if 0 <= value < 0x80:
        return _SMALL[value]
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _text(tag: bytes, text: str) -> bytes:
    """A string field under its ``tag``, or nothing when empty (proto3's default)."""
    if not text:
        return b""
    data = text.encode("utf-8")
    size = len(data)
    return tag + (_SMALL[size] if size < 0x80 else _varint(size)) + data


def _chunk(tag: bytes, data: bytes) -> bytes:
    """A length-delimited field (bytes, message) under its ``tag``, even when empty."""
    size = len(data)
    return tag + (_SMALL[size] if size < 0x80 else _varint(size)) + data


def _number(tag: bytes, value: int) -> bytes:
    """A varint field (``int32``, ``int64``), or nothing when zero."""
    return tag + _varint(value) if value else b""


def _type_url(name: str) -> bytes:
    """The ``Any.type_url`` field (1) naming ``google.rpc.<name>``."""
    return _text(b"\x0a", "type.googleapis.com/google.rpc." + name)


ERROR_INFO: Final = _type_url("ErrorInfo")
RETRY_INFO: Final = _type_url("RetryInfo")
BAD_REQUEST: Final = _type_url("BadRequest")
LOCALIZED_MESSAGE: Final = _type_url("LocalizedMessage")
REQUEST_INFO: Final = _type_url("RequestInfo")


def status(
    code: int,
    message: str,
    details: Iterable[tuple[bytes, bytes]],
    locale: str,
    localized: str | None = None,
) -> bytes:
    """The ``google.rpc.Status`` railguard sends: code, message, details, ``LocalizedMessage``.

    Each detail is an ``Any`` of a type (`ERROR_INFO`, ...) and that message's bytes;
    the last is a ``LocalizedMessage`` in ``locale``: ``localized`` (a message for end
    users), or the message again when it is ``None``.
    """
    text = _text(b"\x12", message)  # Status.message and LocalizedMessage.message: field 2 both
    parts = [_number(b"\x08", code), text]
    shown = text if localized is None else _text(b"\x12", localized)
    localized_bytes = _text(b"\x0a", locale) + shown
    for type_url, value in (*details, (LOCALIZED_MESSAGE, localized_bytes)):
        # an Any: its type_url, then its value unless empty (proto3's default)
        parts.append(_chunk(b"\x1a", type_url + _chunk(b"\x12", value) if value else type_url))
    return b"".join(parts)


_keys: dict[str, bytes] = {}


def error_info(reason: str, domain: str, metadata: Mapping[str, str]) -> bytes:
    """A ``google.rpc.ErrorInfo``; the metadata entries in ``metadata``'s order."""
    parts = [_text(b"\x0a", reason), _text(b"\x12", domain)]
    for key, value in metadata.items():
        head = _keys.get(key)
        if head is None:  # the map entry's key field: the few record keys, built once each
            head = _chunk(b"\x0a", key.encode("utf-8"))
            if len(_keys) < 1024:
                _keys[key] = head
        parts.append(_chunk(b"\x1a", head + _chunk(b"\x12", value.encode("utf-8"))))
    return b"".join(parts)


def retry_info(seconds: int, nanos: int) -> bytes:
    """A ``google.rpc.RetryInfo`` whose ``retry_delay`` is the ``Duration`` given."""
    return _chunk(b"\x0a", _number(b"\x08", seconds) + _number(b"\x10", nanos))


def bad_request(violations: Iterable[tuple[str, str, str]]) -> bytes:
    """A ``google.rpc.BadRequest`` of ``(field, description, reason)`` field violations."""
    return b"".join(
        [
            _chunk(b"\x0a", _text(b"\x0a", field) + _text(b"\x12", text) + _text(b"\x1a", reason))
            for field, text, reason in violations
        ]
    )


def request_info(request_id: str, serving_data: str) -> bytes:
    """A ``google.rpc.RequestInfo``: the request's id and what served it."""
    return _text(b"\x0a", request_id) + _text(b"\x12", serving_data)
