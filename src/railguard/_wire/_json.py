"""The one bounded JSON reader and the one JSON writer, with the caps every reader shares."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Final

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "RAW_LIMIT",
    "WireError",
    "dumps",
    "excerpt",
    "read_json",
]

MAX_BYTES: Final = 1 << 20
"""Largest document any reader parses: 1 MiB (of UTF-8). Larger input is refused unparsed."""

MAX_DEPTH: Final = 32
"""Deepest nesting of arrays and objects any reader accepts (and of failures in failures)."""

RAW_LIMIT: Final = 4096
"""Characters of a refused or foreign document kept as its ``raw`` excerpt."""


class WireError(ValueError):
    """Input that does not fit: not JSON, over a cap, or a value of the wrong type.

    Only the readers raise it, and every public decoder turns it into a failure.
    ``detail`` is the JSON parser's own text when there is one (what the bridge
    document sends back), else the message.
    """

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = message if detail is None else detail


def _reject_constant(name: str) -> object:
    raise WireError(f"{name} is not JSON")


# compact, ASCII-only (a lone surrogate is escaped, never an encoding error later), strict
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)
_SCAN: Final[Callable[[str, int], tuple[object, int]]] = _DECODER.scan_once  # type: ignore[attr-defined]  # set by its __init__
_TOKENS: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')

dumps: Final = _ENCODER.encode
"""The one JSON writer: compact, ASCII-only, refuses NaN and infinities (``ValueError``)."""


def _too_deep(text: str, limit: int) -> bool:
    """Whether arrays/objects nest deeper than ``limit`` (brackets in strings do not count)."""
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


def read_json(
    data: bytes | bytearray | memoryview | str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> object:
    """Parse one JSON document within the caps; raise `WireError` for anything else.

    Refused: more than ``max_bytes`` bytes, nesting deeper than ``max_depth``, text
    that is not UTF-8, ``NaN``/``Infinity``, integers beyond Python's digit limit and
    trailing data. Never raises `RecursionError` or anything but `WireError`.
    """
    kind = type(data)
    if kind is bytes:
        if len(data) > max_bytes:
            raise WireError(f"larger than {max_bytes} bytes")
        try:
            text = data.decode()  # type: ignore[union-attr]  # bytes
        except UnicodeDecodeError:
            raise WireError("not UTF-8") from None
    elif isinstance(data, str):
        # a character takes at most 4 bytes: only count bytes when it may matter
        if len(data) * 4 > max_bytes and len(data.encode("utf-8", "surrogatepass")) > max_bytes:
            raise WireError(f"larger than {max_bytes} bytes")
        text = data
    else:
        return read_json(bytes(data), max_bytes=max_bytes, max_depth=max_depth)
    if text.count("{") + text.count("[") > max_depth and _too_deep(text, max_depth):
        raise WireError(f"nested deeper than {max_depth} levels")
    start = _skip(text) if text and text[0] in _SPACE else 0
    try:
        document, end = _SCAN(text, start)  # `JSONDecoder.raw_decode`, without its frame
    except StopIteration as stop:
        error = json.JSONDecodeError("Expecting value", text, stop.value)
        raise WireError(f"not JSON ({error})", detail=str(error)) from None
    except WireError:
        raise
    except RecursionError:  # pragma: no cover  # the depth scan comes first
        raise WireError("nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, the int digit limit
        raise WireError(f"not JSON ({exc})", detail=str(exc)) from None
    if end != len(text) and not text[end:].isspace():
        raise WireError("not JSON (extra data)")
    return document


_SPACE: Final = frozenset(" \t\n\r")


def _skip(text: str) -> int:
    """Index of the first non-whitespace character (``raw_decode`` does not skip it)."""
    return len(text) - len(text.lstrip(" \t\n\r"))


def excerpt(data: object, limit: int = RAW_LIMIT) -> str | None:
    """The first ``limit`` characters of a document, as text (``None`` if it is not text)."""
    if isinstance(data, str):
        return data[:limit]
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data[: limit * 4]).decode("utf-8", "replace")[:limit]
    return None
