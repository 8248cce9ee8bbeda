"""HTTP error responses ⇄ failures: sans-I/O ``encode`` and ``decode``.

Pure functions over failures, statuses, headers and bytes; no framework is
imported. ``encode(failure, style)`` gives an immutable `HttpError`
(``status``, ``headers``, ``body``); ``decode(status, headers, body, style)``
gives a `railguard.Failure` and never raises. Styles:

- ``"agents"`` (default): ``{"code": "NOT_FOUND", "message", "errors": [{"type", "message"}]}``;
- ``"problem"``: RFC 9457 ``application/problem+json``;
- ``"bridge"``: ``{"type": "error", "message", "code": 404, ...}``;
- ``"kneo"`` (decode only): the class by the kneo document's status table;
- ``"auto"`` (decode only): any of the envelopes, by content type and shape, else kneo.

A round trip is lossless in the three envelope styles:
``decode(*encode(f, style), style) == f`` (see ``docs/boundaries/http.md``).
"""

from ._codec import (
    CONTENT_TYPES,
    DEFAULT_TYPE_BASE,
    DecodeStyle,
    HttpError,
    Style,
    decode,
    detect_style,
    encode,
)
from ._wire import MAX_BODY_BYTES, RAW_LIMIT, HeadersLike, parse_retry_after

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_TYPE_BASE",
    "MAX_BODY_BYTES",
    "RAW_LIMIT",
    "DecodeStyle",
    "HeadersLike",
    "HttpError",
    "Style",
    "decode",
    "detect_style",
    "encode",
    "parse_retry_after",
]
