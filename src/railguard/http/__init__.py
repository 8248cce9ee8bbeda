"""HTTP error responses ⇄ failures: sans-I/O ``encode`` and ``decode``.

Pure functions over failures, statuses, headers and bytes; no framework is
imported. ``encode(failure, style)`` gives an immutable `HttpError`
(``status``, ``headers``, ``body``); ``decode(status, headers, body, style)``
gives a `railguard.Failure` and never raises for any response. The styles are
the rows of `STYLES` (an `EnvelopeStyle` each):

- ``"agents"`` (default): ``{"code": "NOT_FOUND", "message", "errors": [{"type", "message"}]}``;
- ``"problem"``: RFC 9457 ``application/problem+json``;
- ``"bridge"``: ``{"type": "error", "message", "code": 404, ...}`` (the WebSocket bridge frame);
- ``"kneo"`` (decode only): the kneo family's status table (`railguard.families.kneo`);
- ``"auto"`` (decode only): any of the envelopes, by content type and shape, else kneo.

An answer's exchange members (`Exchange`: ``request_id``, ``trace_id``,
``localized_message``) are top-level members of the envelope when the integration
serving it has them (`with_exchange` adds them to an encoding); `exchange_of` reads
them back. A round trip is lossless in the three envelope styles:
``decode(*encode(f, style), style) == f`` (see ``docs/boundaries/http.md``).
Importing this package registers every family, so decoding never depends on what
was imported before.
"""

from railguard._wire import MAX_BYTES as MAX_BODY_BYTES
from railguard._wire import MAX_DEPTH, RAW_LIMIT
from railguard.core import parse_retry_after

from ._codec import CONTENT_TYPES, STYLES, DecodeStyle, Style, decode, detect_style, encode
from ._headers import HeadersLike
from ._style import (
    DEFAULT_TYPE_BASE,
    EnvelopeStyle,
    Exchange,
    HttpError,
    Reading,
    exchange_of,
    with_exchange,
)

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_TYPE_BASE",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "RAW_LIMIT",
    "STYLES",
    "DecodeStyle",
    "EnvelopeStyle",
    "Exchange",
    "HeadersLike",
    "HttpError",
    "Reading",
    "Style",
    "decode",
    "detect_style",
    "encode",
    "exchange_of",
    "parse_retry_after",
    "with_exchange",
]
