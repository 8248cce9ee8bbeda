"""FastAPI/Starlette servers on 127.0.0.1 and real httpx clients: failures out and back."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator

import anyio
import httpx
import pytest
from fastapi import FastAPI, HTTPException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from railguard import (
    Category,
    Err,
    Failure,
    FailureGroup,
    InternalFailure,
    NotFoundFailure,
    Ok,
    RateLimitFailure,
    Result,
    ValidationFailure,
)
from railguard.families.kneo import (
    KneoIdempotencyMismatchFailure,
    KneoNotFoundFailure,
    KneoRateLimitedFailure,
)
from railguard.http import Style, decode
from railguard.integrations.fastapi import install
from railguard.integrations.httpx import AsyncResultClient, ResultClient, wrap
from railguard.testing import failure_classes, instances_of

from .servers import running_uvicorn

pytestmark = pytest.mark.integration

STYLES: tuple[Style, ...] = ("agents", "problem", "bridge")
SECRET = "db-password=hunter2"
TIMEOUT = httpx.Timeout(10.0)

# failures waiting to be answered by a server, by key (the servers run in this process)
_PENDING: dict[str, Failure] = {}


class Item(BaseModel):
    """A request body with two required fields."""

    name: str
    quantity: int


def _take(key: str) -> Failure:
    return _PENDING.pop(key)


def build_app(style: Style, *, debug: bool = False) -> FastAPI:
    """A FastAPI app with railguard installed and one route per way of failing."""
    app = FastAPI(debug=debug)
    install(app, style)

    @app.get("/raise/{key}")
    def raise_failure(key: str) -> dict[str, str]:
        raise _take(key).to_exception()

    @app.get("/return/{key}")
    async def return_failure(key: str) -> Result[dict[str, str], Failure]:
        return Err(_take(key))

    @app.get("/unwrap/{key}")
    def unwrap_failure(key: str) -> dict[str, str]:
        result: Result[dict[str, str], Failure] = Err(_take(key))
        return result.unwrap()

    @app.get("/ok")
    def ok() -> Result[Item, NotFoundFailure]:
        return Ok(Item(name="pear", quantity=2))

    @app.post("/items")
    def create(item: Item) -> Item:
        return item

    @app.get("/invalid-response")
    def invalid_response() -> Item:
        return {"name": "pear"}  # type: ignore[return-value]  # the point of the route

    @app.get("/boom")
    def boom() -> None:
        raise ValueError(SECRET)

    @app.get("/http/{status}")
    def http_exception(status: int) -> None:
        raise HTTPException(status_code=status, detail="Not here.", headers={"Allow": "GET"})

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await anyio.sleep(1.0)
        return {}

    return app


async def _starlette_not_found(request: Request) -> Response:
    raise NotFoundFailure(message="No such session.").to_exception()


async def _starlette_unwrap(request: Request) -> Response:
    result: Result[Response, Failure] = Err(RateLimitFailure(retry_after=3))
    return result.unwrap()


async def _starlette_boom(request: Request) -> Response:
    raise RuntimeError(SECRET)


def build_starlette_app() -> Starlette:
    """A plain Starlette app with railguard installed (problem style)."""
    app = Starlette(
        routes=[
            Route("/not-found", _starlette_not_found),
            Route("/unwrap", _starlette_unwrap),
            Route("/boom", _starlette_boom),
        ]
    )
    install(app, "problem")
    return app


async def _plain_text_404(request: Request) -> Response:
    return PlainTextResponse("nothing here", status_code=404, headers={"X-Request-ID": "req-7"})


async def _json_429(request: Request) -> Response:
    return JSONResponse({"detail": "slow down"}, status_code=429, headers={"Retry-After": "7"})


async def _json_409(request: Request) -> Response:
    return JSONResponse({"detail": "already done"}, status_code=409)


def build_foreign_app() -> Starlette:
    """A server that knows nothing of railguard (the kneo table decodes its answers)."""
    return Starlette(
        routes=[
            Route("/text-404", _plain_text_404),
            Route("/json-429", _json_429),
            Route("/json-409", _json_409, methods=["POST"]),
        ]
    )


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    """Base URLs: one FastAPI server per style, a debug one, a Starlette one, a foreign one."""
    with contextlib.ExitStack() as stack:
        urls: dict[str, str] = {
            style: stack.enter_context(running_uvicorn(build_app(style))) for style in STYLES
        }
        urls["debug"] = stack.enter_context(running_uvicorn(build_app("agents", debug=True)))
        urls["starlette"] = stack.enter_context(running_uvicorn(build_starlette_app()))
        urls["foreign"] = stack.enter_context(running_uvicorn(build_foreign_app()))
        yield urls


@pytest.fixture(scope="module")
def clients(servers: dict[str, str]) -> Iterator[dict[str, ResultClient]]:
    """One wrapped sync httpx client per server."""
    with contextlib.ExitStack() as stack:
        yield {
            name: stack.enter_context(wrap(httpx.Client(base_url=url, timeout=TIMEOUT)))
            for name, url in servers.items()
        }


def _failure(result: Result[httpx.Response, Failure]) -> Failure:
    assert not isinstance(result, Ok), result
    failure: Failure = result.failure()
    return failure


def _code(cls: type[Failure]) -> str:
    return cls.default_code


# -- every registered failure, out through the server and back through the client ------------


@pytest.mark.parametrize("cls", failure_classes(), ids=_code)
@pytest.mark.parametrize("style", STYLES)
@settings(max_examples=2, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_failure_round_trips(
    clients: dict[str, ResultClient], style: Style, cls: type[Failure], data: st.DataObject
) -> None:
    """Raised, returned as Err or unwrapped in a route, a failure reaches the client equal.

    A raised failure travels as its paired exception first, so what the server answers
    is that exception's failure (the families' pairing, tested on its own).
    """
    failure = data.draw(instances_of(cls), label="failure")
    way = data.draw(st.sampled_from(["raise", "return", "unwrap"]), label="way")
    if way == "raise":
        failure = Failure.from_exception(failure.to_exception())
    key = uuid.uuid4().hex
    _PENDING[key] = failure
    received = _failure(clients[style].get(f"/{way}/{key}"))
    assert received == failure
    assert (type(received), received.code, received.status) == (
        type(failure),
        failure.code,
        failure.status,
    )
    assert received.retry == failure.retry


@pytest.mark.anyio
@pytest.mark.parametrize("style", STYLES)
async def test_async_client_round_trip(servers: dict[str, str], style: Style) -> None:
    """The async wrapper decodes the same failures (rate limit with its hint, a group)."""
    expected = [
        RateLimitFailure(message="Slow down.", retry_after=30),
        FailureGroup(failures=(ValidationFailure(message="a"), NotFoundFailure(message="b"))),
    ]
    client = httpx.AsyncClient(base_url=servers[style], timeout=TIMEOUT)
    async with AsyncResultClient(client) as api:
        for failure in expected:
            key = uuid.uuid4().hex
            _PENDING[key] = failure
            result = await api.get(f"/return/{key}")
            assert result == Err(failure)
        ok = await api.get("/ok")
        assert ok.map(lambda response: response.json()) == Ok({"name": "pear", "quantity": 2})


# -- validation, unexpected exceptions, HTTPException -------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_request_validation_errors(clients: dict[str, ResultClient], style: Style) -> None:
    """An invalid body answers 400 with one errors item per validation error."""
    failure = _failure(clients[style].post("/items", json={"name": 3}))
    assert isinstance(failure, FailureGroup)
    assert failure.status == 400
    assert [dict(f.details)["loc"] for f in failure.failures] == [
        ("body", "name"),
        ("body", "quantity"),
    ]
    assert all(isinstance(f, ValidationFailure) for f in failure.failures)


def test_request_validation_envelope_on_the_wire(servers: dict[str, str]) -> None:
    """The agents envelope of validation errors is {code: BAD_REQUEST, message, errors[...]}."""
    response = httpx.get(servers["agents"] + "/ok", timeout=TIMEOUT)
    assert response.status_code == 200
    response = httpx.post(servers["agents"] + "/items", json={}, timeout=TIMEOUT)
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "BAD_REQUEST"
    assert [item["type"] for item in body["errors"]] == ["VALIDATION", "VALIDATION"]
    assert [item["message"] for item in body["errors"]] == ["Field required", "Field required"]


def test_response_validation_error(clients: dict[str, ResultClient]) -> None:
    """A response that fails its model is the server's fault: a sanitized 500, not a 400."""
    failure = _failure(clients["agents"].get("/invalid-response"))
    assert failure == InternalFailure()
    assert failure.status == 500


@pytest.mark.parametrize("server", [*STYLES, "debug", "starlette"])
def test_unexpected_exception_reveals_nothing(
    servers: dict[str, str], server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected exception answers a generic 500 (even with debug=True) and is logged."""
    with caplog.at_level(logging.ERROR, logger="railguard.integrations.fastapi"):
        response = httpx.get(servers[server] + "/boom", timeout=TIMEOUT)
    assert response.status_code == 500
    for leak in (SECRET, "hunter2", "Traceback", "Error", 'File "'):
        assert leak not in response.text
    assert decode(response.status_code, response.headers, response.content, "auto") == (
        InternalFailure()
    )
    logged = [r for r in caplog.records if r.exc_info and SECRET in str(r.exc_info[1])]
    assert logged, "the exception is logged server-side with its traceback"
    assert logged[0].exc_info is not None
    assert logged[0].exc_info[2] is not None


@pytest.mark.parametrize("style", STYLES)
def test_http_exception(clients: dict[str, ResultClient], style: Style) -> None:
    """Starlette's HTTPException answers the envelope with its status, detail and headers."""
    client = clients[style]
    response = client.client.get("/http/405")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    failure = _failure(client.get("/http/405"))
    assert (failure.code, failure.status, failure.message) == (
        "METHOD_NOT_ALLOWED",
        405,
        "Not here.",
    )
    assert _failure(client.get("/http/404")) == NotFoundFailure(message="Not here.")
    assert _failure(client.get("/no/such/route")) == NotFoundFailure(message="Not Found")


def test_plain_starlette_app(clients: dict[str, ResultClient]) -> None:
    """A plain Starlette app answers raised and unwrapped failures in the installed style."""
    client = clients["starlette"]
    response = client.client.get("/not-found")
    assert response.headers["content-type"] == "application/problem+json"
    assert _failure(client.get("/not-found")) == NotFoundFailure(message="No such session.")
    assert _failure(client.get("/unwrap")) == RateLimitFailure(retry_after=3)
    assert client.client.get("/unwrap").headers["retry-after"] == "3"


# -- the client against servers without railguard, and transport errors ------------------------


def test_foreign_server_by_generic_failures(clients: dict[str, ResultClient]) -> None:
    """By default an envelope-less answer is the generic failure of its status's category."""
    client = clients["foreign"]
    not_found = _failure(client.get("/text-404"))
    assert type(not_found) is NotFoundFailure
    assert not_found.details["body"] == "nothing here"
    limited = _failure(client.get("/json-429"))
    assert type(limited) is RateLimitFailure
    assert limited.retry_after == 7


def test_foreign_server_by_kneo_table(clients: dict[str, ResultClient]) -> None:
    """With kneo's table asked for: body, request id and hint are kept."""
    client = ResultClient(clients["foreign"].client, style="kneo")
    not_found = _failure(client.get("/text-404"))
    assert isinstance(not_found, KneoNotFoundFailure)
    assert (not_found.body, not_found.request_id) == ("nothing here", "req-7")
    limited = _failure(client.get("/json-429"))
    assert isinstance(limited, KneoRateLimitedFailure)
    assert limited.retry_after == 7
    assert limited.message == "HTTP 429 Too Many Requests: slow down"


def test_idempotency_key_of_the_request(clients: dict[str, ResultClient]) -> None:
    """The request's Idempotency-Key reaches the failure of a 409 answer."""
    kneo = ResultClient(clients["foreign"].client, style="kneo")
    failure = _failure(kneo.post("/json-409", headers={"Idempotency-Key": "k-1"}))
    assert isinstance(failure, KneoIdempotencyMismatchFailure)
    assert failure.idempotency_key == "k-1"


def test_connection_refused_is_an_infrastructure_failure() -> None:
    """A refused connection is a retryable infrastructure failure keeping the httpx exception."""
    with socket_closed_port() as url, wrap(httpx.Client(base_url=url, timeout=TIMEOUT)) as api:
        failure = _failure(api.get("/"))
    assert failure.category is Category.INFRASTRUCTURE
    assert failure.retry.retryable
    assert isinstance(failure.cause, InternalFailure)
    assert isinstance(failure.cause.exception, httpx.ConnectError)


def test_timeout_is_a_transport_failure(servers: dict[str, str]) -> None:
    """A read timeout is a retryable failure whose cause keeps the httpx timeout."""
    client = httpx.Client(base_url=servers["agents"], timeout=httpx.Timeout(5.0, read=0.1))
    with wrap(client) as api:
        failure = _failure(api.get("/slow"))
    assert failure.category in (Category.TIMEOUT, Category.INFRASTRUCTURE)
    assert failure.retry.retryable
    assert isinstance(failure.cause, InternalFailure)
    assert isinstance(failure.cause.exception, httpx.ReadTimeout)


@contextlib.contextmanager
def socket_closed_port() -> Iterator[str]:
    """A URL on 127.0.0.1 whose port nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield f"http://127.0.0.1:{port}"
