"""httpx: responses become ``Result[httpx.Response, Failure]``, transport errors failures.

One line for every request of a client::

    api = railguard.integrations.httpx.wrap(httpx.Client(base_url=..., timeout=5))
    result = api.get("/agents/42")          # Ok(response) or Err(failure)

Error responses (4xx/5xx) carrying a railguard envelope of any style (recognised by
content type and shape) decode to the class the body names; any other error response
decodes to the generic failure of its status's category (``NotFoundFailure`` for a 404),
or by the kneo document's table when the caller asks for it (``style="kneo"``);
`httpx.HTTPError` (connect, read, timeout, ...) becomes a generic transport failure
whose ``cause`` keeps the exception for logs. The request's ``Idempotency-Key`` header
travels into the failure when it has that field.

Every failure decoded here is marked as coming from a peer (`railguard.core.from_peer`):
matched and read as usual in process, it reaches our own callers only as our
``UpstreamFailure`` (502) unless passed to `railguard.core.expose` (AIP-193).

Request ids: a wrapped client sends the id of the request being served
(`railguard.observe.request_id`) as ``X-Request-ID`` unless the request (or the client's
default headers) already has one, and the peer's id of a failed exchange (its envelope's
``request_id``, else its ``X-Request-ID`` header) is kept with the failure's peer mark:
`railguard.core.peer_request_id` reads it and the log line shows it, but it is never
sent on to our own caller.

For single responses: `from_response` (sync) and `afrom_response` (async, reads
streamed bodies); for a caught exception: `from_error`.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Final, cast, overload

import attrs
import httpx
from returns.result import Failure as Err
from returns.result import Result, Success
from typing_extensions import Unpack

from railguard._wire import excerpt
from railguard.core import (
    Failure,
    InfrastructureFailure,
    InternalFailure,
    MalformedFailure,
    TimeoutFailure,
    UpstreamFailure,
    from_peer,
    parse_retry_after,
)
from railguard.http import DecodeStyle, decode, detect_style
from railguard.http._status import for_status, kneo_network_class
from railguard.http._style import exchange_of
from railguard.observe import report
from railguard.observe._report import listening
from railguard.observe._request_id import REQUEST_ID

from ._httpx_options import BodyOptions, RequestOptions, SendOptions

__all__ = [
    "AsyncResultClient",
    "BodyOptions",
    "RequestOptions",
    "ResultClient",
    "SendOptions",
    "afrom_response",
    "from_error",
    "from_response",
    "wrap",
]

_IDEMPOTENCY_KEY: Final = "idempotency-key"


def _request_key(message: httpx.Response | httpx.HTTPError) -> str | None:
    try:
        request = message.request
    except RuntimeError:  # no request attached (a response built by hand)
        return None
    key: str | None = request.headers.get(_IDEMPOTENCY_KEY)
    return key


def _generic(response: httpx.Response) -> Failure:
    """The generic failure of the status's category; the body kept (capped) in ``details``.

    A peer's 500 is an `UpstreamFailure` (status kept in ``details``): `InternalFailure`
    means a bug of our own.
    """
    status = response.status_code
    body = excerpt(response.content)
    after = parse_retry_after(response.headers.get("retry-after"))
    details: dict[str, object] = {"body": body} if body else {}
    failure = for_status(status, details=details, retry_after=after)  # type: ignore[arg-type]
    if isinstance(failure, InternalFailure):
        return UpstreamFailure(details={**details, "status": status}, retry_after=after)
    return failure


def _decoded(
    response: httpx.Response, idempotency_key: str | None, style: DecodeStyle | None
) -> Failure:
    key = idempotency_key if idempotency_key is not None else _request_key(response)
    status, headers, body = response.status_code, response.headers, response.content
    peer_id = exchange_of(headers, body).request_id  # kept with the mark, never sent on
    if style is None:
        detected = detect_style(headers, body)
        if detected == "kneo":  # no envelope: not a railguard (or family) server
            return from_peer(_generic(response), request_id=peer_id)
        style = detected
    return from_peer(decode(status, headers, body, style, idempotency_key=key), request_id=peer_id)


_REQUEST_ID: Final = "x-request-id"


def _send_id(headers: object, defaults: httpx.Headers) -> httpx.Headers | None:
    """``headers`` plus the served request's id as ``X-Request-ID``; ``None``: leave them.

    Nothing changes outside a request with an id, or when the caller set the header
    (on the request or as one of the client's default headers).
    """
    request_id = REQUEST_ID.get()
    if request_id is None or _REQUEST_ID in defaults:
        return None
    merged = httpx.Headers(headers)  # type: ignore[arg-type]  # httpx's own HeaderTypes
    if _REQUEST_ID in merged:
        return None
    merged[_REQUEST_ID] = request_id
    return merged


def _with_id(request: httpx.Request) -> httpx.Request:
    """A built request, given the served request's id unless it has an ``X-Request-ID``."""
    request_id = REQUEST_ID.get()
    if request_id is not None and _REQUEST_ID not in request.headers:
        request.headers[_REQUEST_ID] = request_id
    return request


def _request_kwargs(kwargs: dict[str, Any], defaults: httpx.Headers) -> dict[str, Any]:
    headers = _send_id(kwargs.get("headers"), defaults)
    return kwargs if headers is None else {**kwargs, "headers": headers}


def _received(failure: Failure) -> Failure:
    """Report a failure received from a peer (`railguard.observe.report`) and return it."""
    if listening(failure, "httpx"):  # nothing built when no one takes the line
        key = getattr(failure, "idempotency_key", None)
        report(failure, boundary="httpx", outcome="received", idempotency_key=key)
    return failure


def from_response(
    response: httpx.Response,
    *,
    idempotency_key: str | None = None,
    style: DecodeStyle | None = None,
) -> Result[httpx.Response, Failure]:
    """``Ok(response)`` for a non-error status, else ``Err(failure)`` decoded from it.

    Reads the body first if it is not read yet (use `afrom_response` for a
    streamed response of an ``AsyncClient``). The failure is marked as a peer's
    (`railguard.core.from_peer`).

    Args:
        response: any response.
        idempotency_key: the request's key; by default its ``Idempotency-Key`` header.
        style: how to read the body; by default a detected envelope, else the generic
            failure of the status's category (a 500 is an ``UpstreamFailure``).
            ``"kneo"`` reads kneo's status table; ``"auto"`` a detected envelope, else
            kneo's table; an envelope style reads only that style.
    """
    if not response.is_error:
        return Success(response)
    response.read()
    return Err(_received(_decoded(response, idempotency_key, style)))


async def afrom_response(
    response: httpx.Response,
    *,
    idempotency_key: str | None = None,
    style: DecodeStyle | None = None,
) -> Result[httpx.Response, Failure]:
    """`from_response` for an ``AsyncClient``: reads a streamed body asynchronously."""
    if not response.is_error:
        return Success(response)
    await response.aread()
    return Err(_received(_decoded(response, idempotency_key, style)))


# httpx's exception tree → failures; most specific first (see httpx/_exceptions.py)
_TRANSPORT: Final[tuple[tuple[type[httpx.HTTPError], type[Failure], str], ...]] = (
    (httpx.TimeoutException, TimeoutFailure, "The request timed out."),
    (httpx.TransportError, InfrastructureFailure, "Could not reach the server."),
    (httpx.DecodingError, MalformedFailure, "The response body could not be decoded."),
    (httpx.TooManyRedirects, UpstreamFailure, "The server redirected too many times."),
    (httpx.HTTPError, InfrastructureFailure, "The request failed."),
)


def from_error(
    exc: httpx.HTTPError,
    *,
    idempotency_key: str | None = None,
    style: DecodeStyle | None = None,
) -> Failure:
    """The failure for an httpx exception.

    ``HTTPStatusError`` (from ``raise_for_status()``) decodes its response (see
    `from_response`). A transport error is `railguard.TimeoutFailure` for timeouts and
    `railguard.InfrastructureFailure` for the rest (connect, read, write, pool, proxy,
    protocol); with ``style="kneo"`` (or ``"auto"``) it is the kneo family's network
    failure, worded as kneo's ``from_http_error`` words it (``"ConnectError: ..."``) and
    marked as a peer's (its text names our network). An undecodable body is a
    `railguard.MalformedFailure`, a redirect loop an `railguard.UpstreamFailure`. The
    failure's ``cause`` is an `railguard.InternalFailure` that keeps ``exc`` for logs
    (``failure.cause.exception``); it never goes on a wire.
    """
    if isinstance(exc, httpx.HTTPStatusError):
        return _decoded(exc.response, idempotency_key, style)
    key = idempotency_key if idempotency_key is not None else _request_key(exc)
    cause = InternalFailure(exception=exc)
    kneo = style in {"kneo", "auto"} and isinstance(exc, httpx.TransportError)
    network = kneo_network_class() if kneo else None
    if network is not None:
        # worded as the kneo transport words it: "ConnectError: [Errno 111] ..."
        text = str(exc)
        name = type(exc).__name__
        kwargs: dict[str, Any] = {"cause": cause, "message": f"{name}: {text}" if text else name}
        if "idempotency_key" in attrs.fields_dict(network):
            kwargs["idempotency_key"] = key
        try:
            return from_peer(network(**kwargs))
        except Exception:  # noqa: BLE001, S110  # a class that needs more: the generic one
            pass
    for exc_type, cls, message in _TRANSPORT:
        if isinstance(exc, exc_type):
            return cls(message=message, cause=cause)
    return InfrastructureFailure(message="The request failed.", cause=cause)  # pragma: no cover


class ResultClient:
    """An ``httpx.Client`` whose requests return ``Result[httpx.Response, Failure]``.

    Every method takes httpx's own arguments. ``client`` is the wrapped client; closing
    this wrapper (or leaving its ``with`` block) closes it. ``style`` is how error
    responses are read (see `from_response`).
    """

    __slots__ = ("client", "style")

    def __init__(self, client: httpx.Client, *, style: DecodeStyle | None = None) -> None:
        self.client: httpx.Client = client
        self.style: DecodeStyle | None = style

    def send(
        self, request: httpx.Request, **kwargs: Unpack[SendOptions]
    ) -> Result[httpx.Response, Failure]:
        """Send a built request."""
        try:
            response = self.client.send(_with_id(request), **kwargs)
        except httpx.HTTPError as exc:
            return Err(_received(from_error(exc, style=self.style)))
        return from_response(response, style=self.style)

    def request(
        self, method: str, url: httpx.URL | str, **kwargs: Unpack[BodyOptions]
    ) -> Result[httpx.Response, Failure]:
        """Send a request (``client.request``'s arguments)."""
        try:
            response = self.client.request(
                method, url, **_request_kwargs(cast("dict[str, Any]", kwargs), self.client.headers)
            )
        except httpx.HTTPError as exc:
            return Err(_received(from_error(exc, style=self.style)))
        return from_response(response, style=self.style)

    def get(
        self, url: httpx.URL | str, **kwargs: Unpack[RequestOptions]
    ) -> Result[httpx.Response, Failure]:
        """``GET``."""
        return self.request("GET", url, **kwargs)

    def head(
        self, url: httpx.URL | str, **kwargs: Unpack[RequestOptions]
    ) -> Result[httpx.Response, Failure]:
        """``HEAD``."""
        return self.request("HEAD", url, **kwargs)

    def options(
        self, url: httpx.URL | str, **kwargs: Unpack[RequestOptions]
    ) -> Result[httpx.Response, Failure]:
        """``OPTIONS``."""
        return self.request("OPTIONS", url, **kwargs)

    def post(
        self, url: httpx.URL | str, **kwargs: Unpack[BodyOptions]
    ) -> Result[httpx.Response, Failure]:
        """``POST``."""
        return self.request("POST", url, **kwargs)

    def put(
        self, url: httpx.URL | str, **kwargs: Unpack[BodyOptions]
    ) -> Result[httpx.Response, Failure]:
        """``PUT``."""
        return self.request("PUT", url, **kwargs)

    def patch(
        self, url: httpx.URL | str, **kwargs: Unpack[BodyOptions]
    ) -> Result[httpx.Response, Failure]:
        """``PATCH``."""
        return self.request("PATCH", url, **kwargs)

    def delete(
        self, url: httpx.URL | str, **kwargs: Unpack[RequestOptions]
    ) -> Result[httpx.Response, Failure]:
        """``DELETE``."""
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        """Close the wrapped client."""
        self.client.close()

    def __enter__(self) -> ResultClient:
        self.client.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.client.__exit__(exc_type, exc, tb)


class AsyncResultClient:
    """An ``httpx.AsyncClient`` whose requests return ``Result[httpx.Response, Failure]``."""

    __slots__ = ("client", "style")

    def __init__(self, client: httpx.AsyncClient, *, style: DecodeStyle | None = None) -> None:
        self.client: httpx.AsyncClient = client
        self.style: DecodeStyle | None = style

    async def send(
        self, request: httpx.Request, **kwargs: Unpack[SendOptions]
    ) -> Result[httpx.Response, Failure]:
        """Send a built request."""
        try:
            response = await self.client.send(_with_id(request), **kwargs)
        except httpx.HTTPError as exc:
            return Err(_received(from_error(exc, style=self.style)))
        return await afrom_response(response, style=self.style)

    async def request(
        self, method: str, url: httpx.URL | str, **kwargs: Unpack[BodyOptions]
    ) -> Result[httpx.Response, Failure]:
        """Send a request (``client.request``'s arguments)."""
        try:
            response = await self.client.request(
                method, url, **_request_kwargs(cast("dict[str, Any]", kwargs), self.client.headers)
            )
        except httpx.HTTPError as exc:
            return Err(_received(from_error(exc, style=self.style)))
        return await afrom_response(response, style=self.style)

    async def get(
        self, url: httpx.URL | str, **kwargs: Unpack[RequestOptions]
    ) -> Result[httpx.Response, Failure]:
        """``GET``."""
        return await self.request("GET", url, **kwargs)

    async def head(
        self, url: httpx.URL | str, **kwargs: Unpack[RequestOptions]
    ) -> Result[httpx.Response, Failure]:
        """``HEAD``."""
        return await self.request("HEAD", url, **kwargs)

    async def options(
        self, url: httpx.URL | str, **kwargs: Unpack[RequestOptions]
    ) -> Result[httpx.Response, Failure]:
        """``OPTIONS``."""
        return await self.request("OPTIONS", url, **kwargs)

    async def post(
        self, url: httpx.URL | str, **kwargs: Unpack[BodyOptions]
    ) -> Result[httpx.Response, Failure]:
        """``POST``."""
        return await self.request("POST", url, **kwargs)

    async def put(
        self, url: httpx.URL | str, **kwargs: Unpack[BodyOptions]
    ) -> Result[httpx.Response, Failure]:
        """``PUT``."""
        return await self.request("PUT", url, **kwargs)

    async def patch(
        self, url: httpx.URL | str, **kwargs: Unpack[BodyOptions]
    ) -> Result[httpx.Response, Failure]:
        """``PATCH``."""
        return await self.request("PATCH", url, **kwargs)

    async def delete(
        self, url: httpx.URL | str, **kwargs: Unpack[RequestOptions]
    ) -> Result[httpx.Response, Failure]:
        """``DELETE``."""
        return await self.request("DELETE", url, **kwargs)

    async def aclose(self) -> None:
        """Close the wrapped client."""
        await self.client.aclose()

    async def __aenter__(self) -> AsyncResultClient:
        await self.client.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.client.__aexit__(exc_type, exc, tb)


@overload
def wrap(client: httpx.Client, *, style: DecodeStyle | None = None) -> ResultClient: ...
@overload
def wrap(client: httpx.AsyncClient, *, style: DecodeStyle | None = None) -> AsyncResultClient: ...
def wrap(
    client: httpx.Client | httpx.AsyncClient, *, style: DecodeStyle | None = None
) -> ResultClient | AsyncResultClient:
    """Make every request of ``client`` return ``Result[httpx.Response, Failure]``.

    ``style``: how error responses are read — by default a railguard envelope when the
    body is one, else the generic failure of the status's category; ``"auto"`` for an
    envelope else the kneo document's table (and kneo's network failure), ``"kneo"`` for
    kneo's table only, or one envelope style.
    """
    if isinstance(client, httpx.AsyncClient):
        return AsyncResultClient(client, style=style)
    given: object = client  # checked at run time: a URL or a requests session is a slip
    if not isinstance(given, httpx.Client):
        raise TypeError(
            f"wrap() takes an httpx.Client or httpx.AsyncClient, not {type(given).__name__}"
            " (write wrap(httpx.Client(base_url=...)))"
        )
    return ResultClient(client, style=style)
