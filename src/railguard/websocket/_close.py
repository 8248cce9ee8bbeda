"""Close codes: the `CloseCode` enum and the mapping between failures and closes."""

from __future__ import annotations

import enum
import re
from http import HTTPStatus
from typing import Final

import attrs

from railguard.core import Category, Failure, Recovery, StatusFailure, UnknownFailure, lookup

__all__ = [
    "MAX_REASON_BYTES",
    "RESERVED_CLOSE_CODES",
    "CloseCode",
    "WebSocketClosedFailure",
    "close_code",
    "close_meaning",
    "close_reason",
    "from_close",
    "is_sendable",
    "truncate_reason",
]

MAX_REASON_BYTES: Final = 123
"""A close frame's payload is at most 125 bytes, two of them the code (RFC 6455 §5.5)."""


class CloseCode(enum.IntEnum):
    """WebSocket close codes: RFC 6455 §7.4.1, the IANA registry, and railguard's private range.

    The private range (4000-4999) follows the GraphQL-over-WebSocket protocol's
    convention: ``4000 + HTTP status`` (4400, 4401, 4403, 4409, 4429, 4500, ...),
    so any client can read the HTTP meaning back out of it.
    """

    NORMAL_CLOSURE = 1000
    """The purpose of the connection has been fulfilled."""
    GOING_AWAY = 1001
    """An endpoint is going away: a server shutting down, a browser leaving the page."""
    PROTOCOL_ERROR = 1002
    """An endpoint broke the WebSocket protocol."""
    UNSUPPORTED_DATA = 1003
    """An endpoint received a type of data it cannot accept."""
    # 1004 is reserved and has no meaning: not defined here.
    NO_STATUS_RCVD = 1005
    """Reserved, never sent: a close frame arrived without a code."""
    ABNORMAL_CLOSURE = 1006
    """Reserved, never sent: the connection dropped without a close frame."""
    INVALID_FRAME_PAYLOAD_DATA = 1007
    """A message's data did not match its type (non-UTF-8 text)."""
    POLICY_VIOLATION = 1008
    """A message violated the endpoint's policy; the generic code when none fits better."""
    MESSAGE_TOO_BIG = 1009
    """A message was too big to process."""
    MANDATORY_EXT = 1010
    """The client needed an extension the server did not negotiate."""
    INTERNAL_ERROR = 1011
    """The server hit an unexpected condition."""
    SERVICE_RESTART = 1012
    """The service is restarting (IANA registry)."""
    TRY_AGAIN_LATER = 1013
    """A temporary condition, e.g. overload; try again later (IANA registry)."""
    BAD_GATEWAY = 1014
    """A gateway received an invalid response upstream (IANA registry)."""
    TLS_HANDSHAKE = 1015
    """Reserved, never sent: the TLS handshake failed."""

    UNAUTHORIZED_IANA = 3000
    """Registered (IANA): unauthorized. Received only; railguard sends 4401."""
    FORBIDDEN_IANA = 3003
    """Registered (IANA): forbidden. Received only; railguard sends 4403."""
    TIMEOUT_IANA = 3008
    """Registered (IANA): timeout. Received only; railguard sends 4408 or 4504."""

    BAD_REQUEST = 4400
    """400: the message was invalid (GraphQL-over-WebSocket ``BadRequest``)."""
    UNAUTHORIZED = 4401
    """401: not authenticated (GraphQL-over-WebSocket ``Unauthorized``)."""
    FORBIDDEN = 4403
    """403: not allowed (GraphQL-over-WebSocket ``Forbidden``)."""
    NOT_FOUND = 4404
    """404: the resource does not exist."""
    REQUEST_TIMEOUT = 4408
    """408: the peer was too slow (GraphQL-over-WebSocket ``ConnectionInitialisationTimeout``)."""
    CONFLICT = 4409
    """409: conflicts with the state, e.g. a duplicate session (``SubscriberAlreadyExists``)."""
    UNPROCESSABLE_ENTITY = 4422
    """422: the message was understood but invalid."""
    TOO_MANY_REQUESTS = 4429
    """429: rate limit or connection limit (``TooManyInitialisationRequests``)."""
    INTERNAL_SERVER_ERROR = 4500
    """500 (received only; railguard sends 1011 for a 500)."""
    SERVICE_UNAVAILABLE = 4503
    """503 (received only; railguard sends 1013 for a 503)."""
    GATEWAY_TIMEOUT = 4504
    """504: an operation or the connection timed out (``ConnectionAcknowledgementTimeout``)."""


RESERVED_CLOSE_CODES: Final = frozenset({1004, 1005, 1006, 1015})
"""Codes an endpoint must never put in a close frame (RFC 6455 §7.4.1)."""


def is_sendable(code: int) -> bool:
    """Whether ``code`` may be sent in a close frame (RFC 6455 §7.4.2)."""
    return (1000 <= code <= 1014 and code not in RESERVED_CLOSE_CODES) or 3000 <= code <= 4999


# Statuses with an RFC 6455 / IANA code that says the same thing.
_CLOSE_FOR_STATUS: Final[dict[int, CloseCode]] = {
    413: CloseCode.MESSAGE_TOO_BIG,
    415: CloseCode.UNSUPPORTED_DATA,
    500: CloseCode.INTERNAL_ERROR,
    502: CloseCode.BAD_GATEWAY,
    503: CloseCode.TRY_AGAIN_LATER,
}


def close_code(failure: Failure) -> int:
    """Return the close code that ends a connection because of ``failure``.

    In order: a `WebSocketClosedFailure` relays its own code when it may be sent;
    a protocol failure closes with 1008 (policy violation); a status with an
    RFC 6455 equivalent uses it (413 → 1009, 415 → 1003, 500 → 1011, 502 → 1014,
    503 → 1013); any other 4xx/5xx status closes with ``4000 + status``
    (401 → 4401, 409 → 4409, 429 → 4429, 504 → 4504); anything else with 1008.
    Never a reserved code (1004, 1005, 1006, 1015).
    """
    if isinstance(failure, WebSocketClosedFailure) and is_sendable(failure.close_code):
        return failure.close_code
    if failure.category is Category.PROTOCOL:
        return CloseCode.POLICY_VIOLATION
    status = int(failure.status)
    rfc = _CLOSE_FOR_STATUS.get(status)
    if rfc is not None:
        return rfc
    if 400 <= status <= 599:
        return 4000 + status
    return CloseCode.POLICY_VIOLATION


def truncate_reason(text: str, limit: int = MAX_REASON_BYTES) -> str:
    """Return ``text`` cut to at most ``limit`` bytes of UTF-8, never inside a character."""
    data = text.encode("utf-8", "replace")  # a lone surrogate becomes "?"
    if len(data) > limit:
        data = data[:limit]  # may end inside a character: "ignore" drops that tail
    return data.decode("utf-8", "ignore")


def close_reason(failure: Failure) -> str:
    """Return the close reason for ``failure``: ``"CODE: message"`` within 123 bytes of UTF-8.

    `from_close` reads the code back; a `WebSocketClosedFailure` relays its own reason.
    """
    if isinstance(failure, WebSocketClosedFailure):
        return truncate_reason(failure.reason)
    code = failure.code
    if lookup(code) is not type(failure):
        # an instance-level code naming another class (or none): name the class itself,
        # so that `from_close` never builds another family's class from it
        code = type(failure).default_code
    return truncate_reason(f"{code}: {failure.message}")


def _recovery_after_close(category: Category) -> Recovery:
    default = category.default_recovery
    if default in (Recovery.BACKOFF, Recovery.AFTER_HINT, Recovery.RECONNECT):
        return Recovery.RECONNECT
    return default


@attrs.frozen(kw_only=True)
class WebSocketClosedFailure(
    Failure,
    code="WEBSOCKET_CLOSED",
    category=Category.INFRASTRUCTURE,
    recovery=Recovery.RECONNECT,
    fatal=True,
):
    """The WebSocket connection closed; ``close_code`` and ``reason`` are the peer's.

    Its category and status are read from the close code (4401 is an
    authentication failure, 1011 an internal one, 1006 a dropped connection);
    a failure that may succeed on retry asks to reconnect first.
    """

    message: str = "The WebSocket connection closed."
    close_code: int = CloseCode.ABNORMAL_CLOSURE
    reason: str = ""
    status: HTTPStatus = HTTPStatus.SERVICE_UNAVAILABLE
    category: Category = Category.INFRASTRUCTURE

    @property
    def recovery(self) -> Recovery:
        """Reconnect first when retrying may help; otherwise the category's strategy."""
        return _recovery_after_close(self.category)


# Received codes with a meaning of their own: (category, status).
_I = Category.INFRASTRUCTURE
_P = Category.PROTOCOL
_S = HTTPStatus
_MEANING: Final[dict[int, tuple[Category, HTTPStatus]]] = {
    1000: (_I, _S.SERVICE_UNAVAILABLE),
    1001: (_I, _S.SERVICE_UNAVAILABLE),
    1002: (_P, _S.BAD_REQUEST),
    1003: (_P, _S.UNSUPPORTED_MEDIA_TYPE),
    1005: (_I, _S.SERVICE_UNAVAILABLE),
    1006: (_I, _S.SERVICE_UNAVAILABLE),
    1007: (_P, _S.BAD_REQUEST),
    1008: (_P, _S.BAD_REQUEST),
    1009: (Category.VALIDATION, _S.REQUEST_ENTITY_TOO_LARGE),
    1010: (_P, _S.BAD_REQUEST),
    1011: (Category.INTERNAL, _S.INTERNAL_SERVER_ERROR),
    1012: (_I, _S.SERVICE_UNAVAILABLE),
    1013: (_I, _S.SERVICE_UNAVAILABLE),
    1014: (Category.UPSTREAM, _S.BAD_GATEWAY),
    1015: (_I, _S.SERVICE_UNAVAILABLE),
    3000: (Category.AUTHENTICATION, _S.UNAUTHORIZED),
    3003: (Category.AUTHORIZATION, _S.FORBIDDEN),
    3008: (Category.TIMEOUT, _S.REQUEST_TIMEOUT),
}


def close_meaning(code: int) -> tuple[Category, HTTPStatus]:
    """The category and HTTP status a received close code stands for."""
    meaning = _MEANING.get(code)
    if meaning is not None:
        return meaning
    if 4400 <= code <= 4599:
        try:
            status = HTTPStatus(code - 4000)
        except ValueError:
            pass
        else:
            return Category.for_status(status), status
    return _I, _S.SERVICE_UNAVAILABLE


_CODE_PREFIX = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]{0,99}): (.*)", re.DOTALL)
# Classes whose meaning lives in instance fields a reason cannot carry.
_NOT_FROM_REASON: Final = frozenset({StatusFailure, UnknownFailure, WebSocketClosedFailure})


def from_close(code: int | None, reason: str | None = "") -> Failure:
    """Return the failure a received close stands for; never raises.

    A reason of the form ``"CODE: message"`` naming a registered failure that can
    be built from its message alone gives that failure (what `close_reason`
    writes). Anything else gives a `WebSocketClosedFailure` keeping the code and
    reason, with the category and status the code stands for. Only registered
    classes are ever built.

    Args:
        code: the received close code; ``None`` when the close frame had none (1005).
        reason: the received close reason (``None`` reads as none).
    """
    if not isinstance(code, int) or isinstance(code, bool):
        code = CloseCode.NO_STATUS_RCVD
    if not isinstance(reason, str):
        reason = ""
    message = reason
    match = _CODE_PREFIX.fullmatch(reason)
    if match is not None:
        message = match.group(2)
        cls = lookup(match.group(1))
        if cls is not None and cls not in _NOT_FROM_REASON:
            try:
                return cls(message=message)
            except (TypeError, ValueError):
                pass
    category, status = close_meaning(code)
    return WebSocketClosedFailure(
        message=message or _default_message(code),
        close_code=code,
        reason=reason,
        status=status,
        category=category,
    )


def _default_message(code: int) -> str:
    try:
        name = CloseCode(code).name.replace("_", " ").lower()
    except ValueError:
        return f"The WebSocket connection closed with code {code}."
    return f"The WebSocket connection closed with code {code} ({name})."
