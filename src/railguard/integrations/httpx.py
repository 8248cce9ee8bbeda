"""httpx: responses become ``Result[httpx.Response, Failure]``, transport errors failures.

One line for every request of a client::

    api = railguard.integrations.httpx.wrap(httpx.Client(base_url=..., timeout=5))
    result = api.get("/agents/42")          # Ok(response) or Err(failure)

Error responses (4xx/5xx) carrying a railguard envelope of any style (recognised by
content type and shape) decode to the original failure class; other error responses
decode by the kneo document's status table; `httpx.HTTPError` (connect, read, timeout,
...) becomes a transport failure whose ``cause`` keeps the exception for logs. The
request's ``Idempotency-Key`` header travels into the failure when it has that field.

For single responses: `from_response` (sync) and `afrom_response` (async, reads
streamed bodies); for a caught exception: `from_error`.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Final, overload

import attrs
import httpx
from returns.result import Failure as Err
from returns.result import Result, Success

from railguard.core import (
    Failure,
    InfrastructureFailure,
    InternalFailure,
    MalformedFailure,
    TimeoutFailure,
    UpstreamFailure,
)
from railguard.http import decode
from railguard.http._status import kneo_network_class
from railguard.observe import report

__all__ = [
    "AsyncResultClient",
    "ResultClient",
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


def _decoded(response: httpx.Response, idempotency_key: str | None) -> Failure:
    key = idempotency_key if idempotency_key is not None else _request_key(response)
    return decode(
        response.status_code, response.headers, response.content, "auto", idempotency_key=key
    )


def _received(failure: Failure) -> Failure:
    """Report a failure received from a peer (`railguard.observe.report`) and return it."""
    key = getattr(failure, "idempotency_key", None)
    report(failure, boundary="httpx", outcome="received", idempotency_key=key)
    return failure


def from_response(
    response: httpx.Response, *, idempotency_key: str | None = None
) -> Result[httpx.Response, Failure]:
    """``Ok(response)`` for a non-error status, else ``Err(failure)`` decoded from it.

    Reads the body first if it is not read yet (use `afrom_response` for a
    streamed response of an ``AsyncClient``).

    Args:
        response: any response.
        idempotency_key: the request's key; by default its ``Idempotency-Key`` header.
    """
    if not response.is_error:
        return Success(response)
    response.read()
    return Err(_received(_decoded(response, idempotency_key)))


async def afrom_response(
    response: httpx.Response, *, idempotency_key: str | None = None
) -> Result[httpx.Response, Failure]:
    """`from_response` for an ``AsyncClient``: reads a streamed body asynchronously."""
    if not response.is_error:
        return Success(response)
    await response.aread()
    return Err(_received(_decoded(response, idempotency_key)))


# httpx's exception tree → failures; most specific first (see httpx/_exceptions.py)
_TRANSPORT: Final[tuple[tuple[type[httpx.HTTPError], type[Failure], str], ...]] = (
    (httpx.TimeoutException, TimeoutFailure, "The request timed out."),
    (httpx.TransportError, InfrastructureFailure, "Could not reach the server."),
    (httpx.DecodingError, MalformedFailure, "The response body could not be decoded."),
    (httpx.TooManyRedirects, UpstreamFailure, "The server redirected too many times."),
    (httpx.HTTPError, InfrastructureFailure, "The request failed."),
)


def from_error(exc: httpx.HTTPError, *, idempotency_key: str | None = None) -> Failure:
    """The failure for an httpx exception.

    ``HTTPStatusError`` (from ``raise_for_status()``) decodes its response. A
    transport error (connect, read, write, pool, proxy, protocol; timeouts) is the
    kneo family's network failure (message as kneo's ``from_http_error`` words it:
    ``"ConnectError: ..."``) when that family is registered, else
    `railguard.TimeoutFailure` for timeouts and `railguard.InfrastructureFailure` for
    the rest; an undecodable body is a `railguard.MalformedFailure`, a redirect loop an
    `railguard.UpstreamFailure`. The failure's ``cause`` is an `railguard.InternalFailure`
    that keeps ``exc`` for logs (``failure.cause.exception``); it never goes on a wire.
    """
    if isinstance(exc, httpx.HTTPStatusError):
        return _decoded(exc.response, idempotency_key)
    key = idempotency_key if idempotency_key is not None else _request_key(exc)
    cause = InternalFailure(exception=exc)
    network = kneo_network_class() if isinstance(exc, httpx.TransportError) else None
    if network is not None:
        # worded as the kneo transport words it: "ConnectError: [Errno 111] ..."
        text = str(exc)
        name = type(exc).__name__
        kwargs: dict[str, Any] = {"cause": cause, "message": f"{name}: {text}" if text else name}
        if "idempotency_key" in attrs.fields_dict(network):
            kwargs["idempotency_key"] = key
        try:
            return network(**kwargs)
        except Exception:  # noqa: BLE001, S110  # a class that needs more: the generic one
            pass
    for exc_type, cls, message in _TRANSPORT:
        if isinstance(exc, exc_type):
            return cls(message=message, cause=cause)
    return InfrastructureFailure(message="The request failed.", cause=cause)  # pragma: no cover


class ResultClient:
    """An ``httpx.Client`` whose requests return ``Result[httpx.Response, Failure]``.

    Every method takes httpx's own arguments. ``client`` is the wrapped client; closing
    this wrapper (or leaving its ``with`` block) closes it.
    """

    __slots__ = ("client",)

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def send(self, request: httpx.Request, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """Send a built request."""
        try:
            response = self.client.send(request, **kwargs)
        except httpx.HTTPError as exc:
            return Err(_received(from_error(exc)))
        return from_response(response)

    def request(
        self, method: str, url: httpx.URL | str, **kwargs: Any
    ) -> Result[httpx.Response, Failure]:
        """Send a request (``client.request``'s arguments)."""
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            return Err(_received(from_error(exc)))
        return from_response(response)

    def get(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``GET``."""
        return self.request("GET", url, **kwargs)

    def head(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``HEAD``."""
        return self.request("HEAD", url, **kwargs)

    def options(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``OPTIONS``."""
        return self.request("OPTIONS", url, **kwargs)

    def post(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``POST``."""
        return self.request("POST", url, **kwargs)

    def put(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``PUT``."""
        return self.request("PUT", url, **kwargs)

    def patch(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``PATCH``."""
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
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

    __slots__ = ("client",)

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, request: httpx.Request, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """Send a built request."""
        try:
            response = await self.client.send(request, **kwargs)
        except httpx.HTTPError as exc:
            return Err(_received(from_error(exc)))
        return await afrom_response(response)

    async def request(
        self, method: str, url: httpx.URL | str, **kwargs: Any
    ) -> Result[httpx.Response, Failure]:
        """Send a request (``client.request``'s arguments)."""
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            return Err(_received(from_error(exc)))
        return await afrom_response(response)

    async def get(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``GET``."""
        return await self.request("GET", url, **kwargs)

    async def head(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``HEAD``."""
        return await self.request("HEAD", url, **kwargs)

    async def options(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``OPTIONS``."""
        return await self.request("OPTIONS", url, **kwargs)

    async def post(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``POST``."""
        return await self.request("POST", url, **kwargs)

    async def put(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``PUT``."""
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
        """``PATCH``."""
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: httpx.URL | str, **kwargs: Any) -> Result[httpx.Response, Failure]:
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
def wrap(client: httpx.Client) -> ResultClient: ...
@overload
def wrap(client: httpx.AsyncClient) -> AsyncResultClient: ...
def wrap(client: httpx.Client | httpx.AsyncClient) -> ResultClient | AsyncResultClient:
    """Make every request of ``client`` return ``Result[httpx.Response, Failure]``."""
    if isinstance(client, httpx.AsyncClient):
        return AsyncResultClient(client)
    return ResultClient(client)
