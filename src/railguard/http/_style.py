"""An envelope style as a table row, and what every style shares (responses, contexts)."""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple, Protocol, cast

import attrs

from railguard._wire import MAX_BYTES, Context, Schema, WireError, read_json
from railguard._wire._exchange import EMPTY, MEMBERS, Exchange, read_exchange, splice
from railguard.core import Failure, parse_retry_after

from ._headers import HeadersLike, WireHeaders, header_safe, read_headers, retry_after_header

__all__ = [
    "DEFAULT_TYPE_BASE",
    "NO_DOCUMENT",
    "DecodeFn",
    "EncodeFn",
    "EnvelopeStyle",
    "Exchange",
    "HttpError",
    "Reading",
    "WireError",
    "context_of",
    "exchange_members",
    "exchange_of",
    "parse",
    "respond",
    "with_exchange",
]

DEFAULT_TYPE_BASE: Final = "urn:railguard:failure:"
"""Default base of problem ``type`` URIs; set ``type_base`` to your docs to make them links."""


class HttpError(NamedTuple):
    """An encoded error response: status, headers and body. Immutable.

    A named tuple, so ``decode(*encode(failure))`` reads as the round trip it is.
    """

    status: int
    headers: Mapping[str, str]
    """Lower-case names: ``content-type``; ``retry-after``, ``x-request-id`` when due."""
    body: bytes


class EncodeFn(Protocol):
    """A style's encoder: the whole response for a failure."""

    def __call__(
        self, failure: Failure, *, type_base: str, instance: str | None
    ) -> HttpError: ...  # pragma: no cover  # a protocol


class Reading(NamedTuple):
    """What a style's decoder reads: the parsed document (or its absence) and the context."""

    status: int
    headers: WireHeaders
    body: bytes | str
    document: object
    """The parsed JSON body; `NO_DOCUMENT` when the body is empty, too large or not JSON."""
    context: Context
    type_base: str


class DecodeFn(Protocol):
    """A style's decoder: a failure from a response that is in this style."""

    def __call__(self, reading: Reading) -> Failure: ...  # pragma: no cover  # a protocol


@attrs.frozen
class EnvelopeStyle:
    """One envelope style: one row of `railguard.http.STYLES`.

    The encoder, the decoder, detection and OpenAPI generation all read the row,
    so a new style is one module that declares its row, plus the row in `STYLES`.
    """

    name: str
    """The style's name (``"agents"``), as ``encode``/``decode`` take it."""
    media_type: str
    """The ``Content-Type`` of its bodies."""
    encode: EncodeFn | None
    """Failure → response; ``None`` for a style that only decodes (``kneo``)."""
    decode: DecodeFn
    """A response in this style → failure; raises ``WireError`` for a body that does not fit."""
    detect: Callable[[str, object], bool]
    """Whether a response (content type, parsed body) is in this style."""
    openapi_schemas: Callable[[str], dict[str, dict[str, Any]]]
    """OpenAPI components of the envelope, given the ``$ref`` prefix (``#/components/schemas/``)."""
    schema_name: str | None = None
    """The component naming the whole envelope (a response's ``$ref``), when there is one."""


class _Missing:
    """There is no parsed document."""

    def __repr__(self) -> str:
        return "NO_DOCUMENT"


NO_DOCUMENT: Final = _Missing()


def context_of(
    status: int, wire: WireHeaders, body: bytes | str, idempotency_key: str | None
) -> Context:
    """The decoding context: status, ``Retry-After`` hint, request id, idempotency key, body."""
    return Context(
        status,
        wire.retry_after,
        wire.request_id,
        idempotency_key if idempotency_key is not None else wire.idempotency_key,
        body,
    )


def parse(body: bytes | str) -> object:
    """The body's JSON document, within the one set of caps; ``WireError`` otherwise."""
    return read_json(body)


def respond(
    failure: Failure, schema: Schema, status: int, base: Mapping[str, str], body: bytes
) -> HttpError:
    """The response: ``base`` headers plus ``retry-after`` and ``x-request-id`` when due."""
    keys = schema.keys
    if failure.retry_after is None and not keys:
        return HttpError(status, base, body)  # the common case: nothing to add
    retry_after = None
    if "retry_after_header" in keys:
        # the agents document's retry_after text, sent as is when it is a valid Retry-After
        text = header_safe(getattr(failure, "retry_after_header", None))
        if text is not None and parse_retry_after(text) is not None:
            retry_after = text
    if retry_after is None and failure.retry_after is not None:
        retry_after = retry_after_header(parse_retry_after(failure.retry_after))
    request_id = header_safe(getattr(failure, "request_id", None)) if "request_id" in keys else None
    if retry_after is None and request_id is None:
        return HttpError(status, base, body)
    headers = dict(base)
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if request_id is not None:
        headers["x-request-id"] = request_id
    return HttpError(status, types.MappingProxyType(headers), body)


def with_exchange(error: HttpError, failure: Failure, exchange: Exchange) -> HttpError:
    """``error`` (the encoding of ``failure``) carrying ``exchange``'s members.

    The body gets them as top-level members (see `railguard._wire._exchange.splice`) and
    the ``x-request-id`` header names the exchange's request (in place of the one a
    failure's own ``request_id`` field set), so the header and the body always agree.
    """
    if (
        exchange.request_id is None
        and exchange.trace_id is None
        and (exchange.localized_message is None)
    ):
        return error
    body = splice(error.body.decode(), failure, exchange).encode()
    headers = error.headers
    if exchange.request_id is not None:
        request_id = header_safe(exchange.request_id)
        if request_id is not None:
            headers = types.MappingProxyType({**headers, "x-request-id": request_id})
        elif "x-request-id" in headers:  # an id no header can hold: the body alone names it
            headers = types.MappingProxyType(
                {k: v for k, v in headers.items() if k != "x-request-id"}
            )
    return HttpError(error.status, headers, body)


def exchange_of(headers: HeadersLike, body: bytes | str) -> Exchange:
    """The exchange members of an error response: request id, trace id, localized message.

    Read from the envelope's top-level members (any style); the request id falls back
    to the ``X-Request-ID`` header. Never raises: a body that is not a JSON object (or
    members of the wrong form) read as absent.
    """
    wire = read_headers(headers)
    found = EMPTY
    text = body.decode("latin-1") if isinstance(body, bytes) else body  # the markers are ASCII
    if body and len(body) <= MAX_BYTES and any(f'"{name}"' in text for name in MEMBERS):
        try:
            doc = read_json(body)
        except WireError:
            doc = None
        if type(doc) is dict:
            found = read_exchange(cast("dict[str, object]", doc))
    if found.request_id is None and wire.request_id is not None:
        return attrs.evolve(found, request_id=wire.request_id)
    return found


def exchange_members() -> dict[str, dict[str, Any]]:
    """The OpenAPI properties of the exchange members every envelope may carry."""
    return {
        "request_id": {
            # null only from a failure's own nullable ``request_id`` field (kneo's) that
            # is a top-level member of its style, answered without an exchange id
            "type": ["string", "null"],
            "description": "The X-Request-ID of the request answered (when the server has one).",
        },
        "trace_id": {
            "type": "string",
            "pattern": "^[0-9a-f]{32}$",
            "description": "The trace the answer was given in (W3C trace context).",
        },
        "localized_message": {
            "type": "object",
            "description": "The message for end users in the caller's language (AIP-193).",
            "required": ["locale", "message"],
            "properties": {"locale": {"type": "string"}, "message": {"type": "string"}},
            "additionalProperties": False,
        },
    }
