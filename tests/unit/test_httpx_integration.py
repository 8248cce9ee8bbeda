"""railguard.integrations.httpx with in-memory transports: responses, errors, wrapped clients."""

from __future__ import annotations

import inspect

import httpx
import pytest

from railguard import (
    Category,
    Err,
    Failure,
    InfrastructureFailure,
    InternalFailure,
    NotFoundFailure,
    Ok,
    RateLimitFailure,
    UpstreamFailure,
)
from railguard.core import is_from_peer, peer_request_id
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


def test_foreign_error_responses_decode_to_the_generic_failure() -> None:
    """An error answer without an envelope is the generic failure of its status's category."""
    response = httpx.Response(404, text="no such run", request=REQUEST)
    failure = from_response(response).failure()
    assert type(failure) is NotFoundFailure
    assert failure.details["body"] == "no such run"
    assert is_from_peer(failure)
    limited = httpx.Response(429, headers={"Retry-After": "7"}, request=REQUEST)
    assert from_response(limited) == Err(RateLimitFailure(retry_after=7))


def test_other_error_responses_use_the_kneo_table_when_asked() -> None:
    """style="kneo" decodes an envelope-less answer by the kneo document's table."""
    response = httpx.Response(404, text="no such run", request=REQUEST)
    failure = from_response(response, style="kneo").failure()
    assert isinstance(failure, KneoNotFoundFailure)
    assert failure.body == "no such run"


def test_idempotency_key_comes_from_the_request() -> None:
    """The request's Idempotency-Key header makes a 409 the idempotency mismatch (kneo table)."""
    request = httpx.Request("POST", "https://api.example/runs", headers={"Idempotency-Key": "k"})
    response = httpx.Response(409, json={"detail": "payload differs"}, request=request)
    failure = from_response(response, style="kneo").failure()
    assert isinstance(failure, KneoIdempotencyMismatchFailure)
    assert failure.idempotency_key == "k"


def test_refused_connection_is_a_generic_infrastructure_failure() -> None:
    """A connect error is railguard's InfrastructureFailure by default, its text not in it."""
    exc = httpx.ConnectError("connection refused by 10.0.0.7", request=REQUEST)
    failure = from_error(exc)
    assert type(failure) is InfrastructureFailure
    assert "10.0.0.7" not in failure.message
    assert isinstance(failure.cause, InternalFailure)
    assert failure.cause.exception is exc


def test_transport_error_keeps_its_exception() -> None:
    """With kneo's table a connect error is the kneo network failure, the exception as cause."""
    exc = httpx.ConnectError("connection refused", request=REQUEST)
    failure = from_error(exc, style="kneo")
    assert isinstance(failure, KneoNetworkFailure)
    assert is_from_peer(failure)
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
    if isinstance(exc, httpx.TimeoutException):
        assert failure.category is Category.TIMEOUT
    elif isinstance(exc, httpx.TransportError):
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
        assert isinstance(api.get("https://api.example/down").failure(), InfrastructureFailure)
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


@pytest.mark.parametrize("client", ["https://api.example", None], ids=["url", "none"])
def test_wrap_refuses_what_is_not_an_httpx_client(client: object) -> None:
    """wrap("https://...") fails where it is called, naming what it takes."""
    with pytest.raises(TypeError, match=r"takes an httpx\.Client or httpx\.AsyncClient, not"):
        wrap(client)  # type: ignore[call-overload]


def test_wrapped_client_with_kneo_styles() -> None:
    """style="auto" reads envelopes else kneo's table; "kneo" only kneo's table."""
    transport = httpx.MockTransport(_transport)
    with wrap(httpx.Client(transport=transport), style="auto") as api:
        assert isinstance(api.get("https://api.example/down").failure(), KneoNetworkFailure)
        assert api.get("https://api.example/missing") == Err(NotFoundFailure(message="gone"))
    with wrap(httpx.Client(transport=transport), style="kneo") as api:
        assert isinstance(api.get("https://api.example/missing").failure(), KneoNotFoundFailure)


def test_a_peers_500_is_an_upstream_failure() -> None:
    """A bare 500 from a peer is UpstreamFailure (status kept), never our InternalFailure."""
    failure = from_response(httpx.Response(500, text="boom", request=REQUEST)).failure()
    assert type(failure) is UpstreamFailure
    assert failure.details == {"body": "boom", "status": 500}


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("upstream-91", "upstream-91"),
        ("req:7.a_b-c", "req:7.a_b-c"),
        ("two words", None),  # a space is legal in a header, not in a log line's id
        ("a" * 129, None),
        ("tab\there", None),
        ("admin\x1b[2J", None),
    ],
)
def test_a_peers_request_id_is_kept_only_when_plain(sent: str, kept: str | None) -> None:
    """The peer's X-Request-ID reaches our logs only as a plain token; the failure is kept."""
    error = encode(NotFoundFailure(message="gone"), "agents")
    headers = {**error.headers, "x-request-id": sent}
    response = httpx.Response(error.status, headers=headers, content=error.body, request=REQUEST)
    failure = from_response(response).failure()
    assert failure == NotFoundFailure(message="gone")
    assert peer_request_id(failure) == kept
