"""The one bounded JSON reader and the one JSON writer, with the caps every reader shares."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Final

from ._density import UNCOUNTED, crowded

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
    document sends back), else the message; ``error`` the parser's or the UTF-8
    decoder's own exception, for readers that answer it as they always did.
    """

    def __init__(
        self, message: str, *, detail: str | None = None, error: ValueError | None = None
    ) -> None:
        super().__init__(message)
        self.detail = message if detail is None else detail
        self.error = error


def _reject_constant(name: str) -> object:
    raise WireError(f"{name} is not JSON")


# compact, ASCII-only (a lone surrogate is escaped, never an encoding error later), strict
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)
_SCAN: Final[Callable[[str, int], tuple[object, int]]] = _DECODER.scan_once  # type: ignore[attr-defined]  # set by its __init__

SHARE_ABOVE: Final = 16 * 1024
"""Documents longer than this (characters) share their objects' repeated short strings."""
_SHARED_STRINGS: Final = 1024
"""At most this many distinct strings are remembered per document for sharing."""
_SHARE_LIMIT: Final = 64
"""Only strings shorter than this are shared (long ones seldom repeat)."""
_shared: dict[str, str] = {}


def _share(obj: dict[str, object]) -> dict[str, object]:
    """``object_hook``: an object's short string values, one object per distinct text.

    The parser already shares repeated keys; a document of thousands of items with the
    same ``"type": "VALIDATION"`` would otherwise hold thousands of equal strings. Any
    value handed back equals the parsed one, so a memo shared between threads is
    harmless (it is cleared after each document).
    """
    memo = _shared
    for key, value in obj.items():
        if type(value) is str and len(value) < _SHARE_LIMIT:
            found = memo.get(value)
            if found is None:
                if len(memo) < _SHARED_STRINGS:
                    memo[value] = value
            elif found is not value:
                obj[key] = found  # same key: the dict does not grow while iterated
    return obj


_SHARING: Final = json.JSONDecoder(parse_constant=_reject_constant, object_hook=_share)
_SCAN_SHARING: Final[Callable[[str, int], tuple[object, int]]] = _SHARING.scan_once  # type: ignore[attr-defined]  # set by its __init__


def _prebuilt() -> Callable[[object, int], list[str]] | None:
    """The C encoder `dumps` uses, built once; ``None`` where it cannot be trusted.

    ``JSONEncoder.encode`` builds this C encoder anew for every call (about half the
    cost of a small document); its settings are fixed, so it is built once here. No
    circular-reference markers: a shared memo would keep stale ids after an error, and
    what is written here is a tree (records built from frozen values). The encoder is
    CPython's ``json.encoder.c_make_encoder``, not a documented API: where it is missing,
    takes other arguments or writes other text than ``JSONEncoder`` on a probe document,
    `dumps` uses ``JSONEncoder.encode``.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover  # an interpreter without json's C speedups
        return None
    probe = {"a": [1, 2.5, None, True], "é\ud800": {"": "x\n"}}
    try:
        encoder = make(
            None,
            _ENCODER.default,
            json.encoder.encode_basestring_ascii,
            None,
            _ENCODER.key_separator,
            _ENCODER.item_separator,
            False,
            False,
            False,
        )
        text = "".join(encoder(probe, 0))
    except Exception:  # noqa: BLE001  # pragma: no cover  # another signature: the slow path
        return None
    return encoder if text == _ENCODER.encode(probe) else None


_ITERENCODE: Final = _prebuilt()


def dumps(obj: object) -> str:
    """The one JSON writer: compact, ASCII-only, refuses NaN and infinities (``ValueError``)."""
    if _ITERENCODE is None:  # pragma: no cover  # no trusted C encoder here (`_prebuilt`)
        return _ENCODER.encode(obj)
    return "".join(_ITERENCODE(obj, 0))


_BRACKETS: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|([\[{]+|[\]}]+)', re.DOTALL)
"""A string (skipped: its group is empty) or a run of openers or closers outside strings."""
_SQUARE: Final = str.maketrans("{}", "[]")


def _too_deep(text: str, limit: int) -> bool:
    """Whether arrays/objects may nest deeper than ``limit`` (brackets in strings do not count).

    Every step runs in C: the brackets outside strings are picked out (one list entry
    per string or run of brackets, a run of one bracket being a shared character;
    never a copy of the text), ``{}`` count as ``[]``, then innermost ``[]``
    pairs are removed level by level. A document nested ``d`` deep empties in ``d``
    passes; brackets left unpaired add to the depth. Never less than the parser's own
    nesting: exact for JSON, conservative for broken text.
    """
    rest = "".join(_BRACKETS.findall(text)).translate(_SQUARE)
    passes = 0
    while rest:
        shorter = rest.replace("[]", "")
        if len(shorter) == len(rest):
            break
        passes += 1
        if passes > limit:
            return True
        rest = shorter
    return passes + rest.count("[") > limit


def read_json(  # noqa: PLR0912  # the parse inline: one frame on every decode
    data: bytes | bytearray | memoryview | str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> object:
    """Parse one JSON document within the caps; raise `WireError` for anything else.

    Refused: more than ``max_bytes`` bytes, more values or objects than its size allows
    (`_density.crowded`), nesting deeper than ``max_depth``, text that is not UTF-8,
    ``NaN``/``Infinity``, integers beyond Python's digit limit and trailing data.
    Never raises `RecursionError` or anything but `WireError`.

    The caps are checked before anything is parsed, the bytes are decoded once and
    parsed once; a document over `SHARE_ABOVE` characters shares the repeated short
    strings of its objects (`_share`), so its tree stays close to its text's size.
    """
    kind = type(data)
    if kind is bytes:
        if len(data) > max_bytes:
            raise WireError(f"larger than {max_bytes} bytes")
        try:
            text = data.decode()  # type: ignore[union-attr]  # bytes
        except UnicodeDecodeError as exc:
            raise WireError("not UTF-8", error=exc) from None
    elif isinstance(data, str):
        # a character takes at most 4 bytes: only count bytes when it may matter
        if len(data) * 4 > max_bytes and len(data.encode("utf-8", "surrogatepass")) > max_bytes:
            raise WireError(f"larger than {max_bytes} bytes")
        text = data
    else:
        return read_json(bytes(data), max_bytes=max_bytes, max_depth=max_depth)
    objects, arrays = text.count("{"), text.count("[")
    if len(text) > UNCOUNTED:  # first: it bounds what the depth scan reads
        crowd = crowded(text, objects, arrays)
        if crowd is not None:
            raise WireError(crowd)
    if objects + arrays > max_depth and _too_deep(text, max_depth):
        raise WireError(f"nested deeper than {max_depth} levels")
    # the one document of ``text`` (its caps checked), with `WireError` for broken JSON;
    # inline here, not a function of its own: one frame less on every decode
    start = _skip(text) if text and text[0] in _SPACE else 0
    sharing = len(text) > SHARE_ABOVE
    try:
        document, end = (_SCAN_SHARING if sharing else _SCAN)(text, start)
    except StopIteration as stop:
        error = json.JSONDecodeError("Expecting value", text, stop.value)
        raise WireError(f"not JSON ({error})", detail=str(error), error=error) from None
    except WireError:
        raise
    except RecursionError:  # pragma: no cover  # the depth scan comes first
        raise WireError("nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, the int digit limit
        raise WireError(f"not JSON ({exc})", detail=str(exc), error=exc) from None
    finally:
        if sharing:
            _shared.clear()
    if end != len(text) and not text[end:].isspace():
        extra = json.JSONDecodeError("Extra data", text, end)
        raise WireError("not JSON (extra data)", error=extra)
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
