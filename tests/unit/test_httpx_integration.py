"""railguard.integrations.httpx with in-memory transports: responses, errors, wrapped clients."""

from __future__ import annotations

import inspect

import httpx
import pytest

from railguard import (
    Category,
    Err,
    Failure,
    InternalFailure,
    NotFoundFailure,
    Ok,
    RateLimitFailure,
)
from railguard.families.kneo import (
    KneoIdempotencyMismatchFailure,
    KneoNetworkFailure,
    KneoNotFoundFailure,
)
from railguard.http import Style, encode
from railguard.integrations.httpx import (
    AsyncResultClient,
    ResultClient,
    afrom_response,
    from_error,
    from_response,
    wrap,
)

STYLES: tuple[Style, ...] = ("agents", "problem", "bridge")
REQUEST = httpx.Request("GET", "https://api.example/agents/7")


def _response(failure: Failure, style: Style) -> httpx.Response:
    error = encode(failure, style)
    return httpx.Response(error.status, headers=error.headers, content=error.body, request=REQUEST)


@pytest.mark.parametrize("style", STYLES)
def test_envelopes_of_every_style_decode_to_the_original(style: Style) -> None:
    """A railguard envelope of any style comes back as the failure that was sent."""
    failure = RateLimitFailure(message="slow down", retry_after=3, details={"limit": 10})
    assert from_response(_response(failure, style)) == Err(failure)


def test_success_is_ok() -> None:
    """A response below 400 is Ok(response), untouched."""
    response = httpx.Response(201, json={"id": "7"}, request=REQUEST)
    assert from_response(response) == Ok(response)
    assert from_response(httpx.Response(304, request=REQUEST)).unwrap().status_code == 304


def test_other_error_responses_use_the_kneo_table() -> None:
    """An error answer without an envelope decodes by the kneo document's table."""
    response = httpx.Response(404, text="no such run", request=REQUEST)
    failure = from_response(response).failure()
    assert isinstance(failure, KneoNotFoundFailure)
    assert failure.body == "no such run"


def test_idempotency_key_comes_from_the_request() -> None:
    """The request's Idempotency-Key header makes a 409 the idempotency mismatch."""
    request = httpx.Request("POST", "https://api.example/runs", headers={"Idempotency-Key": "k"})
    response = httpx.Response(409, json={"detail": "payload differs"}, request=request)
    failure = from_response(response).failure()
    assert isinstance(failure, KneoIdempotencyMismatchFailure)
    assert failure.idempotency_key == "k"


def test_transport_error_keeps_its_exception() -> None:
    """A connect error is the kneo network failure; its cause keeps the httpx exception."""
    exc = httpx.ConnectError("connection refused", request=REQUEST)
    failure = from_error(exc)
    assert isinstance(failure, KneoNetworkFailure)
    assert failure.message == "ConnectError: connection refused"
    assert failure.category is Category.INFRASTRUCTURE
    assert failure.retry.retryable
    assert isinstance(failure.cause, InternalFailure)
    assert failure.cause.exception is exc
    assert failure.to_exception().__cause__.__cause__ is exc  # type: ignore[union-attr]


def test_status_error_decodes_its_response() -> None:
    """raise_for_status()'s HTTPStatusError decodes the response it carries."""
    response = _response(NotFoundFailure(message="gone"), "agents")
    with pytest.raises(httpx.HTTPStatusError) as caught:
        response.raise_for_status()
    assert from_error(caught.value) == NotFoundFailure(message="gone")


def _httpx_errors() -> list[type[httpx.HTTPError]]:
    return [
        value
        for value in vars(httpx).values()
        if inspect.isclass(value) and issubclass(value, httpx.HTTPError)
    ]


@pytest.mark.parametrize("exc_type", _httpx_errors(), ids=lambda t: t.__name__)
def test_every_httpx_error_is_mapped(exc_type: type[httpx.HTTPError]) -> None:
    """Every exception of httpx's tree gives a failure of its own, never an internal one."""
    if exc_type is httpx.HTTPStatusError:
        exc: httpx.HTTPError = exc_type(
            "x", request=REQUEST, response=httpx.Response(500, request=REQUEST)
        )
    else:
        exc = exc_type("x")
    failure = from_error(exc)
    assert not isinstance(failure, InternalFailure)
    if isinstance(exc, httpx.TransportError):
        assert failure.category is Category.INFRASTRUCTURE


def _transport(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/missing":
        error = encode(NotFoundFailure(message="gone"))
        return httpx.Response(error.status, headers=error.headers, content=error.body)
    if request.url.path == "/down":
        raise httpx.ConnectError("refused", request=request)
    return httpx.Response(200, json={"method": request.method})


@pytest.mark.parametrize("method", ["get", "head", "options", "post", "put", "patch", "delete"])
def test_wrapped_client_methods(method: str) -> None:
    """Every method of the wrapped client returns a Result."""
    with wrap(httpx.Client(transport=httpx.MockTransport(_transport))) as api:
        assert isinstance(api, ResultClient)
        ok = getattr(api, method)("https://api.example/ok")
        assert ok.unwrap().status_code == 200
        assert getattr(api, method)("https://api.example/missing") == Err(
            NotFoundFailure(message="gone")
        )
        assert isinstance(api.get("https://api.example/down").failure(), KneoNetworkFailure)
        sent = api.send(httpx.Request("GET", "https://api.example/missing"))
        assert sent == Err(NotFoundFailure(message="gone"))


@pytest.mark.anyio
async def test_wrapped_async_client_reads_streams() -> None:
    """The async wrapper reads a streamed error body before decoding it."""
    client = httpx.AsyncClient(transport=httpx.MockTransport(_transport))
    async with wrap(client) as api:
        assert isinstance(api, AsyncResultClient)
        assert await api.get("https://api.example/missing") == Err(NotFoundFailure(message="gone"))
        assert isinstance((await api.post("https://api.example/down")).failure(), Failure)
        request = client.build_request("GET", "https://api.example/missing")
        response = await client.send(request, stream=True)
        assert await afrom_response(response) == Err(NotFoundFailure(message="gone"))
