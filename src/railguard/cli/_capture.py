"""Read captured wire text (``curl -i`` output, a body, a WebSocket frame) into a failure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final, Literal

import attrs

from railguard import Failure
from railguard._wire import WireError, read_json
from railguard.http import DecodeStyle, decode
from railguard.websocket import decode_frame, from_close, is_error_frame

__all__ = ["Capture", "CaptureError", "parse_headers", "read_capture"]

_STATUS_LINE: Final = re.compile(r"^HTTP/\d(?:\.\d)?\s+(\d{3})\b")


class CaptureError(ValueError):
    """The input is not something ``railguard decode`` can read."""


@attrs.frozen
class Capture:
    """What was read: the wire form, and the failure it decodes to (``None``: not an error)."""

    kind: Literal["http", "frame", "close"]
    failure: Failure | None
    status: int | None = None


def parse_headers(lines: Sequence[str]) -> list[tuple[str, str]]:
    """``Name: value`` lines as pairs.

    Raises:
        CaptureError: a line has no colon.
    """
    pairs = []
    for line in lines:
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise CaptureError(f"not a header line: {line!r}")
        pairs.append((name.strip(), value.strip()))
    return pairs


def _split_response(text: str) -> tuple[int, list[tuple[str, str]], str]:
    """Status, headers and body of ``curl -i`` output (the last response when there are several)."""
    normalized = text.replace("\r\n", "\n")
    while True:
        head, _, body = normalized.partition("\n\n")
        lines = head.split("\n")
        match = _STATUS_LINE.match(lines[0])
        if match is None:
            raise CaptureError(f"not an HTTP status line: {lines[0][:80]!r}")
        if not _STATUS_LINE.match(body):  # 100 Continue or a redirect followed by curl -L
            return int(match[1]), parse_headers(lines[1:]), body
        normalized = body


def _http(status: int, headers: list[tuple[str, str]], body: str, style: DecodeStyle) -> Capture:
    if status < 400:
        return Capture("http", None, status)
    # text read with surrogateescape (invalid UTF-8) still reaches the decoder, as bytes;
    # ASCII text (no surrogate in it) goes as it is, without a copy
    data = body if body.isascii() else body.encode("utf-8", "surrogatepass")
    return Capture("http", decode(status, headers, data, style), status)


def read_capture(
    text: str,
    *,
    status: int | None = None,
    headers: Sequence[str] = (),
    close_code: int | None = None,
    style: DecodeStyle = "auto",
) -> Capture:
    """Decode captured wire text.

    ``curl -i`` output (starts with ``HTTP/``) is a whole response. With ``status``
    (and ``headers`` lines) the text is a response body. With ``close_code`` it is a
    close reason. Otherwise it is a WebSocket message.

    Raises:
        CaptureError: the text is not a response, body, frame or close it can read.
    """
    if close_code is not None:
        return Capture("close", from_close(close_code, text.strip()))
    if status is not None:
        return _http(status, parse_headers(headers), text, style)
    stripped = text.lstrip()
    if stripped.startswith("HTTP/"):
        return _http(*_split_response(stripped), style)
    if not stripped.startswith("{"):
        raise CaptureError(
            "expected `curl -i` output (HTTP/...), a JSON WebSocket frame, or a body with --status"
        )
    failure = decode_frame(stripped)
    return Capture("frame", failure if _is_error(stripped) else None)


def _is_error(text: str) -> bool:
    try:
        return is_error_frame(read_json(text))
    except WireError:
        return True  # malformed: decode_frame says why
