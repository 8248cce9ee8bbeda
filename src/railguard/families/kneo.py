"""The kneo-client errors (seed 002), as failures and as the document's exceptions.

Every failure of the client surfaces as a ``KneoError``, keyed by HTTP status::

    KneoError
    ├── KneoNetworkError
    ├── KneoAuthError
    ├── KneoPermissionError
    ├── KneoNotFoundError
    ├── KneoConflictError
    │   └── KneoIdempotencyMismatchError
    ├── KneoRateLimited
    └── KneoServerError

Every exception is built as ``KneoError(message, *, status, body, request_id,
idempotency_key)``; `from_response` maps an ``httpx.Response`` by the
document's table. The failures keep the exception's ``status`` as
``response_status`` (``None`` for transport failures) and its ``body`` as
frozen JSON. Beyond the document, every exception also takes ``retry_after``
(seconds; the ``Retry-After`` hint of any response, documented on
``KneoRateLimited``) and ``details``, so that a failure's hint and details
survive the exception.

httpx is never imported by this module: `from_response` only reads the
response it is given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final, cast

import attrs

from railguard._wire import WireError, excerpt, freeze_owned, read_json
from railguard.core import (
    Category,
    Details,  # get_type_hints resolves JSONValue here too
    JSONValue,
    Recovery,
    parse_retry_after,
    thaw_json,
)

from ._pairing import (
    ArgsMessage,
    Attr,
    Family,
    PairedException,
    PairedFailure,
    details_attr,
    frozen_json,
    json_attr,
)

if TYPE_CHECKING:
    import httpx
    from typing_extensions import override

__all__ = [
    "KneoAuthError",
    "KneoAuthFailure",
    "KneoConflictError",
    "KneoConflictFailure",
    "KneoError",
    "KneoFailure",
    "KneoIdempotencyMismatchError",
    "KneoIdempotencyMismatchFailure",
    "KneoNetworkError",
    "KneoNetworkFailure",
    "KneoNotFoundError",
    "KneoNotFoundFailure",
    "KneoPermissionError",
    "KneoPermissionFailure",
    "KneoRateLimited",
    "KneoRateLimitedFailure",
    "KneoServerError",
    "KneoServerFailure",
    "exception_class_for",
    "failure_class_for",
    "freeze_body",
    "from_http_error",
    "from_response",
    "message_for",
    "read_body",
    "response_error",
    "response_failure",
    "text_body",
]

TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
"""Statuses the kneo transport retries (with network errors): the transient ones."""

# --- failures -----------------------------------------------------------------------


def _frozen_body(value: JSONValue | Mapping[str, Any] | list[Any]) -> JSONValue:
    """Converter of ``body``: `frozen_json`, but a frozen value (`read_body`) is kept as is."""
    if value is None or type(value) is str or type(value) is Details:
        return cast(JSONValue, value)
    if type(value) is tuple and _frozen_items(value):
        return value
    return frozen_json(value)  # anything else: the exact freeze


def _frozen_items(items: tuple[object, ...]) -> bool:
    """Whether every item of a tuple is already a frozen JSON value."""
    for item in items:
        kind = type(item)
        if kind is str or kind is int or kind is bool or item is None or kind is Details:
            continue
        if kind is float and math.isfinite(cast(float, item)):
            continue
        if kind is tuple and _frozen_items(cast("tuple[object, ...]", item)):
            continue
        return False
    return True


@attrs.frozen(kw_only=True)
class KneoFailure(PairedFailure, code="KNEO_ERROR", category=Category.UPSTREAM):
    """The kneo platform answered with a status no other kneo failure models.

    It answers with the platform's status when that is an HTTP error status,
    else 502; retrying does not help.
    """

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> KneoError: ...

    message: str = "The kneo platform returned an error."
    response_status: int | None = None
    body: JSONValue = attrs.field(default=None, converter=_frozen_body)
    request_id: str | None = None
    idempotency_key: str | None = None

    @property
    def status(self) -> HTTPStatus:
        """The platform's error status, else the class's status."""
        status = self.response_status
        if status is not None and 400 <= status < 600:
            try:
                return HTTPStatus(status)
            except ValueError:
                pass
        return self._default_status or self.category.default_status


@attrs.frozen(kw_only=True)
class KneoNetworkFailure(KneoFailure, code="KNEO_NETWORK_ERROR", category=Category.INFRASTRUCTURE):
    """DNS, connect, TLS or read timeout below HTTP; answers 503, transient: retry with backoff."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> KneoNetworkError: ...

    message: str = "Could not reach the kneo platform."


@attrs.frozen(kw_only=True)
class KneoAuthFailure(KneoFailure, code="KNEO_AUTH_ERROR", category=Category.AUTHENTICATION):
    """The API key is missing or invalid (401); check the profile, do not retry."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> KneoAuthError: ...

    message: str = "The API key is missing or invalid."
    response_status: int | None = 401


@attrs.frozen(kw_only=True)
class KneoPermissionFailure(
    KneoFailure, code="KNEO_PERMISSION_ERROR", category=Category.AUTHORIZATION
):
    """The API key lacks the scope for this operation (403); do not retry."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> KneoPermissionError: ...

    message: str = "The API key is not allowed to do this."
    response_status: int | None = 403


@attrs.frozen(kw_only=True)
class KneoNotFoundFailure(KneoFailure, code="KNEO_NOT_FOUND", category=Category.NOT_FOUND):
    """The resource does not exist, often a stale ID (404); do not retry."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> KneoNotFoundError: ...

    message: str = "The resource does not exist."
    response_status: int | None = 404


@attrs.frozen(kw_only=True)
class KneoConflictFailure(KneoFailure, code="KNEO_CONFLICT", category=Category.CONFLICT):
    """The resource's state conflicts with the request (409); a person must resolve it."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> KneoConflictError: ...

    message: str = "The request conflicts with the resource's state."
    response_status: int | None = 409


@attrs.frozen(kw_only=True)
class KneoIdempotencyMismatchFailure(
    KneoConflictFailure, code="KNEO_IDEMPOTENCY_MISMATCH", category=Category.CONFLICT
):
    """An Idempotency-Key was reused with a different payload (409): a caller bug, escalate."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> KneoIdempotencyMismatchError: ...

    message: str = "The Idempotency-Key was reused with a different payload."


@attrs.frozen(kw_only=True)
class KneoRateLimitedFailure(KneoFailure, code="KNEO_RATE_LIMITED", category=Category.RATE_LIMIT):
    """The rate limit was hit (429); retry after ``retry_after`` seconds (the server's hint)."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> KneoRateLimited: ...

    message: str = "Rate limit hit."
    response_status: int | None = 429


@attrs.frozen(kw_only=True)
class KneoServerFailure(
    KneoFailure, code="KNEO_SERVER_ERROR", category=Category.UPSTREAM, recovery=Recovery.BACKOFF
):
    """The platform failed with a 5xx after the transport's retries.

    502, 503, 504 (or an unknown status) are transient, so retry with backoff;
    any other 5xx is not.
    """

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> KneoServerError: ...

    message: str = "The kneo platform failed."

    @property
    def recovery(self) -> Recovery:
        """Backoff for 502/503/504 or an unknown status; don't retry any other status."""
        status = self.response_status
        if status is None or status in TRANSIENT_STATUSES:
            return Recovery.BACKOFF
        return Recovery.DONT_RETRY


# --- exceptions ---------------------------------------------------------------------

_KNEO = Family(
    base=(
        ArgsMessage(),
        Attr("response_status", "status"),
        json_attr("body"),
        Attr("request_id"),
        Attr("idempotency_key"),
        Attr("retry_after"),
        details_attr(),
    )
)


class KneoError(PairedException, failure=KneoFailure, family=_KNEO):
    """Base of every kneo-client error; carries the failing response's context.

    Args:
        message: what went wrong.
        status: the HTTP status, or ``None`` for transport-level failures.
        body: the parsed JSON the platform returned, raw text, or ``None``.
        request_id: the ``X-Request-ID`` echoed by the server.
        idempotency_key: the ``Idempotency-Key`` sent on the failing request.
        retry_after: seconds from the ``Retry-After`` header (railguard: every class).
        details: extra context (railguard addition).
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> KneoFailure: ...

    status: int | None
    body: Any
    request_id: str | None
    idempotency_key: str | None
    retry_after: float | None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: Any = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        retry_after: float | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.request_id = request_id
        self.idempotency_key = idempotency_key
        self.retry_after = retry_after
        self.details: dict[str, Any] = dict(details or {})


class KneoNetworkError(KneoError, failure=KneoNetworkFailure):
    """DNS / connect / TLS / read timeout; ``__cause__`` is the ``httpx.HTTPError``."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> KneoNetworkFailure: ...


class KneoAuthError(KneoError, failure=KneoAuthFailure):
    """HTTP 401: missing or invalid API key."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> KneoAuthFailure: ...


class KneoPermissionError(KneoError, failure=KneoPermissionFailure):
    """HTTP 403: the API key is valid but lacks the required scope."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> KneoPermissionFailure: ...


class KneoNotFoundError(KneoError, failure=KneoNotFoundFailure):
    """HTTP 404: the resource does not exist."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> KneoNotFoundFailure: ...


class KneoConflictError(KneoError, failure=KneoConflictFailure):
    """HTTP 409 (generic): resource state, optimistic-lock failure, ..."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> KneoConflictFailure: ...


class KneoIdempotencyMismatchError(KneoConflictError, failure=KneoIdempotencyMismatchFailure):
    """HTTP 409 on a request with an Idempotency-Key: the key was reused with another payload."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> KneoIdempotencyMismatchFailure: ...


class KneoRateLimited(KneoError, failure=KneoRateLimitedFailure):
    """HTTP 429; ``retry_after`` carries the server's hint in seconds."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> KneoRateLimitedFailure: ...


class KneoServerError(KneoError, failure=KneoServerFailure):
    """HTTP 5xx: server-side failure, after the transport's retries."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> KneoServerFailure: ...


# --- mapping responses --------------------------------------------------------------

STATUS_TABLE: Mapping[int, type[KneoFailure]] = {
    401: KneoAuthFailure,
    403: KneoPermissionFailure,
    404: KneoNotFoundFailure,
    409: KneoConflictFailure,
    429: KneoRateLimitedFailure,
}
"""The document's table: the failure class of each status with one of its own.

A 409 on a request sent with an ``Idempotency-Key`` is the key's mismatch, any 5xx
the server's failure, any other status the family's base (`failure_class_for`).
Every reader of kneo responses (`from_response`, ``railguard.http.decode(...,
style="kneo")``) goes through `response_error`, so this table and the wording are
the only copy.
"""

_REASON_KEYS = ("detail", "message", "error")
_REASON_LIMIT = 1000


def failure_class_for(status: int, *, idempotency_key: str | None = None) -> type[KneoFailure]:
    """The failure class for an HTTP status, by the document's table."""
    if status == 409 and idempotency_key is not None:  # the document's 409
        return KneoIdempotencyMismatchFailure
    if 500 <= status < 600:  # any 5xx
        return KneoServerFailure
    return STATUS_TABLE.get(status, KneoFailure)


def exception_class_for(status: int, *, idempotency_key: str | None = None) -> type[KneoError]:
    """The exception class for an HTTP status, by the document's table."""
    exception_type = failure_class_for(status, idempotency_key=idempotency_key).exception_type
    return cast("type[KneoError]", exception_type)


_REFUSED: Final = object()
"""What `_parse` gives for a body the bounded reader refuses (or an empty one)."""


def _parse(content: bytes | str) -> object:
    """The body's plain JSON (railguard's one bounded reader), else `_REFUSED`."""
    if not content:
        return _REFUSED
    try:
        return read_json(content)
    except (WireError, TypeError, ValueError):
        return _REFUSED


def text_body(content: bytes | str) -> str | None:
    """A body that is not JSON (or over the caps) as the kneo errors keep it: capped text."""
    return excerpt(content) if content else None


def freeze_body(document: object) -> JSONValue:
    """A parsed body, frozen for a failure, in place (``document`` must not be used after).

    What JSON cannot carry (an exponent that overflows to infinity) is kept as its
    ``str``, as `frozen_json` does.
    """
    try:
        return cast(JSONValue, freeze_owned(document))
    except WireError:
        return frozen_json(cast(JSONValue, document))


def _plain_body(document: object) -> object:
    """A parsed body as the exception keeps it: itself, unless a float overflowed."""
    if type(document) is not dict and type(document) is not list:
        return thaw_json(frozen_json(cast(JSONValue, document)))
    stack: list[object] = [document]
    while stack:
        value = stack.pop()
        items = cast(dict[str, object], value).values() if type(value) is dict else value
        for item in cast("list[object]", items):
            kind = type(item)
            if kind is dict or kind is list:
                stack.append(item)
            elif kind is float and not math.isfinite(cast(float, item)):
                return thaw_json(frozen_json(cast(JSONValue, document)))
    return document


def read_body(content: bytes | str) -> JSONValue:
    """A response body as the kneo errors keep it: parsed JSON, else text, else ``None``.

    JSON is read by railguard's one bounded reader (1 MiB, 32 levels); a body it
    refuses is kept as text, cut to 4096 characters.
    """
    document = _parse(content)
    return text_body(content) if document is _REFUSED else freeze_body(document)


_PHRASES: Mapping[int, str] = {418: "I'm a teapot"}  # RFC 2324's spelling, as httpx has it


def _phrase(status: int) -> str:
    """The standard reason phrase of a status (never the server's own text)."""
    phrase = _PHRASES.get(status)
    if phrase is not None:
        return phrase
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def message_for(status: int, body: JSONValue) -> str:
    """The kneo client's wording: ``HTTP 404 Not Found: <the body's detail, message or error>``.

    The phrase is the status's standard one, whatever reason text the server sent, so
    every reader of the same response (`from_response`, ``railguard.http``) agrees.
    """
    message = f"HTTP {status} {_phrase(status)}".rstrip()
    if isinstance(body, Mapping):
        for key in _REASON_KEYS:
            value = body.get(key)
            if isinstance(value, str) and value:
                return f"{message}: {value[:_REASON_LIMIT]}"
    return message


def response_failure(
    status: int,
    body: JSONValue,
    *,
    request_id: str | None = None,
    retry_after: object = None,
    idempotency_key: str | None = None,
) -> KneoFailure:
    """The kneo failure for a response's parts, its body already read (`read_body`).

    What ``response_error(...).failure`` gives, built directly: the body is not
    converted again (``railguard.http.decode(..., style="kneo")`` reads through here).
    """
    cls = failure_class_for(status, idempotency_key=idempotency_key)
    return cls(
        message=message_for(status, body),
        response_status=status,
        body=body,
        request_id=request_id,
        idempotency_key=idempotency_key,
        retry_after=parse_retry_after(retry_after),
    )


def response_error(
    status: int,
    content: bytes | str,
    *,
    request_id: str | None = None,
    retry_after: object = None,
    idempotency_key: str | None = None,
) -> KneoError:
    """The kneo exception for a response's parts (sans-I/O `from_response`).

    The body is parsed once and kept as the plain JSON it is (or the capped text of
    a body that is not JSON); its ``failure`` freezes it.

    Args:
        status: the response status.
        content: the response body.
        request_id: the ``X-Request-ID`` header.
        retry_after: the ``Retry-After`` header (seconds, ``1.5``, or an HTTP-date),
            read by `railguard.parse_retry_after`.
        idempotency_key: the ``Idempotency-Key`` the request was sent with.
    """
    document = _parse(content)
    body = text_body(content) if document is _REFUSED else _plain_body(document)
    cls = exception_class_for(status, idempotency_key=idempotency_key)
    return cls(
        message_for(status, cast(JSONValue, body)),
        status=status,
        body=body,
        request_id=request_id,
        idempotency_key=idempotency_key,
        retry_after=parse_retry_after(retry_after),
    )


def _content(response: httpx.Response) -> bytes:
    try:
        return response.content
    except RuntimeError:  # a streamed response that was not read
        return b""


def from_response(response: httpx.Response, *, idempotency_key: str | None = None) -> KneoError:
    """Map an ``httpx.Response`` to the kneo exception its status calls for.

    401 → `KneoAuthError`, 403 → `KneoPermissionError`, 404 → `KneoNotFoundError`,
    409 → `KneoConflictError` (`KneoIdempotencyMismatchError` when the request
    carried ``idempotency_key``), 429 → `KneoRateLimited`, 5xx →
    `KneoServerError`, anything else → `KneoError`. ``request_id`` comes from
    ``X-Request-ID``, ``retry_after`` from ``Retry-After`` (seconds or an
    HTTP-date), ``body`` is the parsed JSON or the raw text (see `response_error`).
    """
    headers = response.headers
    return response_error(
        response.status_code,
        _content(response),
        request_id=headers.get("X-Request-ID"),
        retry_after=headers.get("Retry-After"),
        idempotency_key=idempotency_key,
    )


def from_http_error(error: httpx.HTTPError, *, idempotency_key: str | None = None) -> KneoError:
    """Wrap an httpx error the way the kneo transport does; ``__cause__`` is ``error``.

    A transport error becomes a `KneoNetworkError`; an ``httpx.HTTPStatusError``
    (it has a response) is mapped by `from_response`.
    """
    response = getattr(error, "response", None)
    exc: KneoError
    if response is not None:
        exc = from_response(response, idempotency_key=idempotency_key)
    else:
        text = str(error)
        name = type(error).__name__
        exc = KneoNetworkError(f"{name}: {text}" if text else name, idempotency_key=idempotency_key)
    exc.__cause__ = error
    return exc
