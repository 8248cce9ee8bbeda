"""Our own framework statuses (routing's 405, HTTPException(415)) answer as `StatusFailure`.

Never as `UnknownFailure`, whose wording speaks of a peer; a peer's bare status still
decodes to `UnknownFailure`.
"""

from __future__ import annotations

import pickle
from http import HTTPStatus

import httpx
import pytest
from fastapi import FastAPI, HTTPException, WebSocket
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from railguard import (
    Category,
    Failure,
    InternalFailure,
    NotFoundFailure,
    StatusFailure,
    UnknownFailure,
    ValidationFailure,
)
from railguard._wire import for_status
from railguard._wire._status import own_status
from railguard.http import Style, decode, encode
from railguard.integrations import starlette as starlette_integration
from railguard.integrations.fastapi import fails_with, install
from railguard.websocket import close_code, close_reason, decode_frame, encode_frame, from_close
from tests.asgi import websocket_messages

STYLES: tuple[Style, ...] = ("agents", "problem", "bridge")

OWN_STATUSES: tuple[int, ...] = (
    402, 405, 406, 411, 413, 414, 415, 416, 417, 418, 421, 422, 426, 428, 431, 451, 501, 505,
)  # fmt: skip
"""Error statuses that are no category's own (each category's is answered by its failure)."""

PEERISH: tuple[str, ...] = ("peer", "UNKNOWN", '"raw"')
"""What an `UnknownFailure` would put in the body: none of it may appear."""


def app_of(style: Style) -> FastAPI:
    """One GET route, one route raising any status, one with a JSON detail, installed."""
    app = FastAPI()
    install(app, style)

    @app.get("/items")
    def items() -> dict[str, str]:
        return {}

    @app.get("/status/{status}")
    def raise_status(status: int) -> None:
        raise HTTPException(status, headers={"X-Tea": "earl grey"})

    @app.get("/legal")
    def legal() -> None:
        raise HTTPException(451, detail={"why": "law"})

    @app.get("/paid")
    @fails_with(StatusFailure)
    def paid() -> None:
        raise HTTPException(402, detail="Upgrade your plan.")

    return app


async def _request(app: Starlette, method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path)


@pytest.mark.anyio
@pytest.mark.parametrize("style", STYLES)
async def test_a_wrong_method_answers_405_in_our_words(style: Style) -> None:
    """POST on a GET route: 405, its Allow header, our own failure, nothing of a peer."""
    answer = await _request(app_of(style), "POST", "/items")
    assert (answer.status_code, answer.headers["allow"]) == (405, "GET")
    for word in PEERISH:
        assert word not in answer.text
    failure = decode(answer.status_code, answer.headers, answer.content, style)
    assert failure == StatusFailure.for_status(405)
    assert (failure.code, failure.message, failure.category) == (
        "METHOD_NOT_ALLOWED",
        "Method Not Allowed",
        Category.VALIDATION,
    )


@pytest.mark.anyio
async def test_the_405_bodies_are_exactly_these() -> None:
    """Each style's 405 body, member for member."""
    bodies = {style: (await _request(app_of(style), "POST", "/items")).json() for style in STYLES}
    item = {
        "type": "METHOD_NOT_ALLOWED",
        "message": "Method Not Allowed",
        "status": 405,
        "kind": "HTTP_STATUS",
    }
    assert bodies["agents"] == {
        "code": "METHOD_NOT_ALLOWED",
        "message": "Method Not Allowed",
        "errors": [item],
    }
    assert bodies["problem"] == {
        "type": "urn:railguard:failure:METHOD_NOT_ALLOWED",
        "title": "Method Not Allowed",
        "status": 405,
        "instance": "/items",
        "code": "METHOD_NOT_ALLOWED",
        "detail": "Method Not Allowed",
        "kind": "HTTP_STATUS",
    }
    assert bodies["bridge"] == {
        "type": "error",
        "message": "Method Not Allowed",
        "code": 405,
        "error_code": "METHOD_NOT_ALLOWED",
        "kind": "HTTP_STATUS",
    }


@pytest.mark.anyio
@pytest.mark.parametrize("style", STYLES)
async def test_every_status_without_a_class_is_a_status_failure(style: Style) -> None:
    """HTTPException(s) for a status no category owns: its status, name, category, headers."""
    app = app_of(style)
    for status in OWN_STATUSES:
        answer = await _request(app, "GET", f"/status/{status}")
        assert answer.status_code == status
        assert answer.headers["x-tea"] == "earl grey"
        for word in PEERISH:
            assert word not in answer.text, (status, answer.text)
        failure = decode(answer.status_code, answer.headers, answer.content, style)
        assert isinstance(failure, StatusFailure)
        assert failure == StatusFailure.for_status(status)
        assert failure.category is Category.for_status(status)


@pytest.mark.anyio
@pytest.mark.parametrize("style", STYLES)
async def test_a_category_s_own_status_keeps_its_generic_failure(style: Style) -> None:
    """404 from routing and HTTPException(404) stay NotFoundFailure; 400 ValidationFailure."""
    app = app_of(style)
    missing = await _request(app, "GET", "/no/such/path")
    assert decode(404, missing.headers, missing.content, style) == NotFoundFailure(
        message="Not Found"
    )
    bad = await _request(app, "GET", "/status/400")
    assert decode(400, bad.headers, bad.content, style) == ValidationFailure(message="Bad Request")


@pytest.mark.anyio
@pytest.mark.parametrize("style", STYLES)
async def test_a_json_detail_travels_in_details(style: Style) -> None:
    """A non-string detail is kept in details; the message is the status's phrase."""
    answer = await _request(app_of(style), "GET", "/legal")
    failure = decode(answer.status_code, answer.headers, answer.content, style)
    assert failure == StatusFailure.for_status(451, details={"detail": {"why": "law"}})
    assert failure.message == "Unavailable For Legal Reasons"


@pytest.mark.anyio
async def test_the_trailing_slash_redirect_is_fastapi_s_own() -> None:
    """FastAPI's redirect_slashes answers 307 with Location and no envelope."""
    answer = await _request(app_of("problem"), "GET", "/items/")
    assert answer.status_code == 307
    assert answer.headers["location"] == "http://test/items"
    assert answer.content == b""


@pytest.mark.anyio
async def test_a_plain_starlette_app_answers_405_alike() -> None:
    """Starlette's own router (no FastAPI) answers a wrong method the same way."""

    async def home(request: Request) -> JSONResponse:
        return JSONResponse({})

    app = Starlette(routes=[Route("/", home)])
    starlette_integration.install(app, "agents")
    answer = await _request(app, "POST", "/")
    assert answer.status_code == 405
    assert set(answer.headers["allow"].split(", ")) == {"GET", "HEAD"}
    assert decode(405, answer.headers, answer.content) == StatusFailure.for_status(405)


@pytest.mark.anyio
async def test_an_http_exception_in_a_websocket_route_is_a_status_frame() -> None:
    """HTTPException(415) after accept: a StatusFailure frame, then close 4415."""
    app = FastAPI()
    install(app)

    @app.websocket("/ws")
    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        raise HTTPException(415)

    sent = await websocket_messages(app, "/ws")
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send", "websocket.close"]
    assert decode_frame(sent[1]["text"]) == StatusFailure.for_status(415)
    assert sent[2]["code"] == close_code(StatusFailure.for_status(415))  # 1003, RFC 6455's


def test_the_402_route_documents_its_statuses() -> None:
    """A route declaring StatusFailure lists its default (400) and both error ranges."""
    responses = app_of("agents").openapi()["paths"]["/paid"]["get"]["responses"]
    assert {"400", "4XX", "5XX"} <= set(responses)
    example = responses["400"]["content"]["application/json"]["examples"]["HTTP_STATUS"]
    assert example["value"]["errors"] == [
        {"type": "HTTP_STATUS", "message": "Bad Request", "status": 400}
    ]


def test_a_peer_s_bare_status_is_still_unknown() -> None:
    """Decoding a peer's 405 without a body gives UnknownFailure; our own is StatusFailure."""
    peer = decode(405, {}, b"")
    assert isinstance(peer, UnknownFailure)
    assert for_status(405) == peer
    assert own_status(405) == StatusFailure.for_status(405)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, NotFoundFailure(message="m")),
        (400, ValidationFailure(message="m")),
        (499, ValidationFailure(message="m")),  # HTTPStatus names no 499: its category's
        (599, InternalFailure(message="m")),
        (405, StatusFailure.for_status(405, "m")),
    ],
)
def test_own_status(status: int, expected: Failure) -> None:
    """A category's own status gives its failure, a named one a StatusFailure."""
    assert own_status(status, "m") == expected


@pytest.mark.parametrize("status", [200, 302, 600, 99])
def test_a_status_that_is_no_error_is_refused(status: int) -> None:
    """StatusFailure and own_status refuse a status outside 400-599 with a TypeError."""
    with pytest.raises(TypeError, match="not an error status"):
        StatusFailure(status=status)
    with pytest.raises(TypeError, match="not an error status"):
        own_status(status)


def test_for_status_names_the_failure_after_its_status() -> None:
    """Code is the status's name, message its phrase unless given, category derived."""
    failure = StatusFailure.for_status(501)
    assert (failure.code, failure.status, failure.message, failure.category) == (
        "NOT_IMPLEMENTED",
        HTTPStatus.NOT_IMPLEMENTED,
        "Not Implemented",
        Category.INTERNAL,
    )
    assert StatusFailure.for_status(402).category is Category.AUTHORIZATION
    assert StatusFailure.for_status(418, "Short and stout.").message == "Short and stout."
    assert StatusFailure() == StatusFailure(code="HTTP_STATUS", status=HTTPStatus.BAD_REQUEST)


@pytest.mark.parametrize("status", OWN_STATUSES)
def test_it_round_trips_over_every_wire(status: int) -> None:
    """HTTP in each style, the WebSocket frame, pickling: the same failure comes back."""
    failure = StatusFailure.for_status(status, details={"detail": [1, 2]})
    for style in STYLES:
        assert decode(*encode(failure, style), style) == failure
    assert decode_frame(encode_frame(failure)) == failure
    assert pickle.loads(pickle.dumps(failure)) == failure  # noqa: S301  # own data
    assert close_reason(failure) == f"HTTP_STATUS: {failure.message}"  # the class, no other
    closed = from_close(close_code(failure), close_reason(failure))
    assert closed.message == failure.message
    if close_code(failure) == 4000 + status:  # 413 and 415 have RFC 6455's own codes
        assert (closed.status, closed.category) == (failure.status, failure.category)


@pytest.mark.anyio
async def test_a_status_raised_in_user_middleware() -> None:
    """From the guard, as from a route: a StatusFailure, headers kept, a redirect answered."""
    app = FastAPI()
    install(app, "problem")

    async def refuse(request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.url.path == "/media":
            raise HTTPException(415)
        if request.url.path == "/private":
            raise HTTPException(401, "Sign in.", headers={"WWW-Authenticate": "Bearer"})
        raise HTTPException(302, headers={"Location": "/elsewhere"})

    app.add_middleware(BaseHTTPMiddleware, dispatch=refuse)
    media = await _request(app, "GET", "/media")
    assert decode(415, media.headers, media.content, "problem") == StatusFailure.for_status(415)
    private = await _request(app, "GET", "/private")
    assert private.status_code == 401
    assert private.headers["www-authenticate"] == "Bearer"
    assert decode(401, private.headers, private.content, "problem").message == "Sign in."
    redirect = await _request(app, "GET", "/redirect")
    assert (redirect.status_code, redirect.headers["location"]) == (302, "/elsewhere")
    assert redirect.content == b""
