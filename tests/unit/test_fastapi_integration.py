"""railguard.integrations.fastapi in process: OpenAPI error responses, routes, exception policy."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, HTTPException, WebSocket
from openapi_spec_validator import validate
from pydantic import BaseModel
from returns.primitives.exceptions import UnwrapFailedError

from railguard import (
    Category,
    ConflictFailure,
    Err,
    Failure,
    FailureGroup,
    InternalFailure,
    NotFoundFailure,
    Ok,
    RailguardError,
    RateLimitFailure,
    Result,
    TimeoutFailure,
    ValidationFailure,
    register_exception,
)
from railguard.http import CONTENT_TYPES, Style, decode
from railguard.integrations.fastapi import Route, fails_with, failure_for_exception, install
from railguard.websocket import close_code, decode_frame
from tests.asgi import websocket_messages

STYLES: tuple[Style, ...] = ("agents", "problem", "bridge")


class Agent(BaseModel):
    """An agent as the API shows it."""

    id: str
    name: str


def build_app(style: Style) -> FastAPI:
    """Routes declaring failures every supported way."""

    @fails_with(ConflictFailure)
    def declared_before_install() -> Agent:
        raise ConflictFailure().to_exception()

    app = FastAPI(title="agents", version="1")
    app.add_api_route("/early", declared_before_install, methods=["PUT"])
    install(app, style)

    @app.get("/agents/{agent_id}")
    def get_agent(agent_id: str) -> Result[Agent, NotFoundFailure | RateLimitFailure]:
        if agent_id == "42":
            return Ok(Agent(id="42", name="deep thought"))
        return Err(NotFoundFailure(message=f"Agent with identifier {agent_id} not found."))

    @app.post("/agents")
    @fails_with(ConflictFailure, TimeoutFailure)
    async def create_agent(agent: Agent) -> Agent:
        raise ConflictFailure(message="exists").to_exception()

    router = APIRouter(prefix="/v2", route_class=Route)

    @router.get("/agents/{agent_id}")
    async def get_agent_v2(agent_id: str) -> Result[Agent, NotFoundFailure]:
        return Err(NotFoundFailure())

    app.include_router(router)
    return app


def _openapi(style: Style) -> dict[str, Any]:
    schema: dict[str, Any] = build_app(style).openapi()
    return schema


def _examples(operation: dict[str, Any], status: str, style: Style) -> dict[str, Any]:
    content = operation["responses"][status]["content"]
    assert set(content) == {CONTENT_TYPES[style]}
    media = content[CONTENT_TYPES[style]]
    assert media["schema"]["$ref"].startswith("#/components/schemas/Railguard")
    examples: dict[str, Any] = media["examples"]
    return examples


def test_every_encoding_style_is_covered() -> None:
    """These tests run over every row of http.STYLES that encodes (OpenAPI reads the rows)."""
    assert set(STYLES) == set(CONTENT_TYPES)


@pytest.mark.parametrize("style", STYLES)
def test_openapi_document_is_valid(style: Style) -> None:
    """The generated document validates against the OpenAPI specification."""
    validate(_openapi(style))


@pytest.mark.parametrize("style", STYLES)
def test_result_annotation_documents_its_failures(style: Style) -> None:
    """A route returning Result[T, F1 | F2] documents each failure at its status."""
    schema = _openapi(style)
    operation = schema["paths"]["/agents/{agent_id}"]["get"]
    assert set(operation["responses"]) == {"200", "400", "404", "429", "500", "502"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Agent"
    }
    assert set(_examples(operation, "404", style)) == {"NOT_FOUND"}
    assert set(_examples(operation, "429", style)) == {"RATE_LIMIT"}
    example = _examples(operation, "404", style)["NOT_FOUND"]["value"]
    failure = decode(404, {"content-type": CONTENT_TYPES[style]}, json.dumps(example), style)
    assert failure == NotFoundFailure()


@pytest.mark.parametrize("style", STYLES)
def test_validation_is_documented_as_400(style: Style) -> None:
    """FastAPI's 422 is replaced by the 400 envelope that validation errors answer with."""
    schema = _openapi(style)
    for path in ("/agents", "/agents/{agent_id}"):
        for operation in schema["paths"][path].values():
            assert "422" not in operation["responses"]
            assert "FAILURE_GROUP" in _examples(operation, "400", style)
    assert "HTTPValidationError" not in schema["components"]["schemas"]


@pytest.mark.parametrize("style", STYLES)
def test_fails_with_documents_raised_failures(style: Style) -> None:
    """@fails_with declares the failures of a route that raises them."""
    operation = _openapi(style)["paths"]["/agents"]["post"]
    assert set(_examples(operation, "409", style)) == {"CONFLICT"}
    assert set(_examples(operation, "504", style)) == {"TIMEOUT"}


def test_routes_declared_before_install_and_in_routers() -> None:
    """Routes declared before install() and in APIRouter(route_class=Route) are documented."""
    schema = _openapi("agents")
    assert set(_examples(schema["paths"]["/early"]["put"], "409", "agents")) == {"CONFLICT"}
    v2 = schema["paths"]["/v2/agents/{agent_id}"]["get"]
    assert set(_examples(v2, "404", "agents")) == {"NOT_FOUND"}


def test_components_hold_the_envelope_schemas() -> None:
    """Each style adds its envelope schema and the shared failure schema."""
    names = {
        "agents": "RailguardAgentsError",
        "problem": "RailguardProblem",
        "bridge": "RailguardBridgeError",
    }
    for style, name in names.items():
        components = _openapi(style)["components"]["schemas"]  # type: ignore[arg-type]
        assert {name, "RailguardFailure"} <= set(components)


def test_openapi_is_generated_once() -> None:
    """The document is post-processed once and cached like FastAPI's own."""
    app = build_app("agents")
    assert app.openapi() is app.openapi()


@pytest.mark.anyio
@pytest.mark.parametrize("style", STYLES)
async def test_result_routes_in_process(style: Style) -> None:
    """Ok answers the model; Err answers the envelope; routers with Route do the same."""
    transport = httpx.ASGITransport(app=build_app(style))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        ok = await client.get("/agents/42")
        assert ok.json() == {"id": "42", "name": "deep thought"}
        missing = await client.get("/agents/7")
        assert missing.headers["content-type"] == CONTENT_TYPES[style]
        assert decode(missing.status_code, missing.headers, missing.content, style) == (
            NotFoundFailure(message="Agent with identifier 7 not found.")
        )
        v2 = await client.get("/v2/agents/7")
        assert decode(v2.status_code, v2.headers, v2.content, style) == NotFoundFailure()


@pytest.mark.anyio
async def test_a_result_of_none_declares_no_body_so_204_works() -> None:
    """`-> Result[None, F]` with status_code=204 is accepted, as FastAPI accepts `-> None`."""
    app = FastAPI()
    install(app)

    @app.delete("/agents/{agent_id}", status_code=204)
    def delete_agent(agent_id: str) -> Result[None, NotFoundFailure]:
        return Ok(None) if agent_id == "42" else Err(NotFoundFailure())

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        deleted = await client.delete("/agents/42")
        assert (deleted.status_code, deleted.content) == (204, b"")
        missing = await client.delete("/agents/7")
        assert decode(missing.status_code, missing.headers, missing.content) == NotFoundFailure()
    assert "404" in app.openapi()["paths"]["/agents/{agent_id}"]["delete"]["responses"]


def test_install_twice_is_refused() -> None:
    """A second install() on the same app is an error."""
    app = FastAPI()
    install(app)
    with pytest.raises(RuntimeError, match="already installed"):
        install(app)


@pytest.mark.parametrize("target", [APIRouter(), None, "app"], ids=["router", "none", "str"])
def test_install_refuses_what_is_not_an_app(target: Any) -> None:
    """install(router) and the like: a TypeError naming the type, and the router's fix."""
    with pytest.raises(
        TypeError, match=f"takes a FastAPI or Starlette app, not {type(target).__name__}"
    ):
        install(target)
    with pytest.raises(TypeError, match="route_class=Route"):
        install(APIRouter())  # type: ignore[arg-type]


def test_install_refuses_unknown_style() -> None:
    """install() takes only the envelope styles."""
    with pytest.raises(ValueError, match="style"):
        install(FastAPI(), "kneo")  # type: ignore[arg-type]


def test_fails_with_takes_failure_classes_only() -> None:
    """fails_with() rejects anything that is not a failure class."""
    with pytest.raises(TypeError):
        fails_with(ValueError)  # type: ignore[arg-type]


# -- which exceptions answer with their failure ---------------------------------------------


class _AppError(ValueError):
    """An application's own exception type, derived from a builtin."""


class _MappedError(Exception):
    """An application exception the application registered with railguard."""


register_exception(_MappedError, lambda exc: ConflictFailure(message="mapped"))


def test_carried_failures_answer_as_themselves() -> None:
    """Railguard exceptions and UnwrapFailedError around an Err answer with their failure."""
    failure = NotFoundFailure(message="x")
    assert failure_for_exception(failure.to_exception()) == failure
    assert failure_for_exception(RailguardError(failure)) == failure
    with pytest.raises(UnwrapFailedError) as caught:
        Err(failure).unwrap()
    assert failure_for_exception(caught.value) == failure


@pytest.mark.parametrize(
    "exc",
    [ValueError("secret"), _AppError("secret"), KeyError("secret"), PermissionError("secret")],
)
def test_builtin_exceptions_are_unexpected(exc: Exception) -> None:
    """Builtins (and unregistered subclasses) answer a generic InternalFailure that keeps them."""
    failure = failure_for_exception(exc)
    assert failure == InternalFailure()
    assert isinstance(failure, InternalFailure)
    assert failure.exception is exc


def test_timeouts_and_connection_errors_answer_their_fixed_failure() -> None:
    """TimeoutError and ConnectionError answer 504 / 503 with a fixed message, not their text."""
    assert failure_for_exception(TimeoutError("secret")) == TimeoutFailure()
    refused = failure_for_exception(ConnectionRefusedError("secret"))
    assert refused.status == 503
    assert "secret" not in refused.message


def test_registered_exceptions_answer_their_failure() -> None:
    """An exception type the application registered answers with its mapped failure."""
    assert failure_for_exception(_MappedError()) == ConflictFailure(message="mapped")


def test_unwrap_of_a_non_failure_is_unexpected() -> None:
    """UnwrapFailedError around Err('text') is unexpected: a generic 500."""
    with pytest.raises(UnwrapFailedError) as caught:
        Err("secret text").unwrap()
    assert isinstance(failure_for_exception(caught.value), InternalFailure)


@pytest.mark.anyio
async def test_a_route_returning_err_of_a_non_failure_is_a_logged_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``Err("text")`` from a route: a generic 500, and one log line naming the type only."""
    app = FastAPI()
    install(app)

    @app.get("/broken")
    def broken() -> Result[int, Failure]:
        return Err("secret text")  # type: ignore[arg-type]  # the mistake under test

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with caplog.at_level("ERROR", logger="railguard.http"):
            response = await client.get("/broken")
    assert response.status_code == 500
    assert "secret" not in response.text
    lines = [r.getMessage() for r in caplog.records if "not Err(Failure)" in r.getMessage()]
    assert lines == ["railguard: a route returned Err(str), not Err(Failure)"]
    assert all("secret" not in r.getMessage() for r in caplog.records)


def test_exception_groups() -> None:
    """A group of railguard exceptions is a FailureGroup; with any unexpected member, a 500.

    A plain group's own text was not written for a peer: the default message counts members.
    """
    members = [NotFoundFailure(), ValidationFailure(message="v")]
    group = ExceptionGroup("password=two", [f.to_exception() for f in members])
    assert failure_for_exception(group) == FailureGroup(failures=tuple(members))
    mixed = ExceptionGroup("mixed", [NotFoundFailure().to_exception(), ValueError("secret")])
    assert isinstance(failure_for_exception(mixed), InternalFailure)


def test_category_of_validation_group() -> None:
    """The validation group answers 400 with the validation category."""
    group = FailureGroup(failures=(ValidationFailure(),))
    assert (group.status, group.category) == (400, Category.VALIDATION)


@pytest.mark.anyio
async def test_websocket_endpoints_answer_with_frame_and_close() -> None:
    """A WebSocket endpoint's failure is its error frame and the mapped close, not HTTP."""
    app = FastAPI()
    install(app)

    @app.websocket("/ws")
    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        raise NotFoundFailure(message="no such session").to_exception()

    @app.websocket("/crash")
    async def crash(websocket: WebSocket) -> None:
        raise RuntimeError("password=hunter2")

    sent = await websocket_messages(app, "/ws")
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send", "websocket.close"]
    assert decode_frame(sent[1]["text"]) == NotFoundFailure(message="no such session")
    crashed = await websocket_messages(app, "/crash")
    assert [m["type"] for m in crashed][-1] == "websocket.close"
    assert all("hunter2" not in str(m) for m in crashed)
    assert isinstance(decode_frame(crashed[1]["text"]), InternalFailure)


@pytest.mark.anyio
async def test_websocket_parameter_validation_answers_a_frame_and_the_mapped_close() -> None:
    """FastAPI's own validation of a WebSocket route sends the frame and close, not a 403."""
    app = FastAPI()
    install(app)

    @app.websocket("/ws")
    async def socket(websocket: WebSocket, token: int) -> None:
        await websocket.accept()

    sent = await websocket_messages(app, "/ws")
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send", "websocket.close"]
    failure = decode_frame(sent[1]["text"])
    assert isinstance(failure, FailureGroup)
    assert failure.category is Category.VALIDATION
    assert sent[2]["code"] == close_code(failure)
    # the route's declared parameter is named, as over HTTP (not hidden as '*')
    assert json.loads(sent[1]["text"])["failures"][0]["loc"] == ["query", "token"]


class _Settings(BaseModel):
    """A model whose values are a client-keyed mapping."""

    name: str
    limits: dict[str, int]


@pytest.mark.anyio
async def test_validation_location_does_not_echo_the_clients_keys() -> None:
    """A dictionary key the client sent is shown as '*'; declared names stay."""
    app = FastAPI()
    install(app)

    @app.post("/settings")
    def put_settings(settings: _Settings) -> None:
        """Accept settings."""

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post(
            "/settings", json={"name": "x", "limits": {"sk-live-SECRET": "many"}}
        )
    assert answer.status_code == 400
    assert "SECRET" not in answer.text
    failure = decode(answer.status_code, answer.headers, answer.content)
    assert isinstance(failure, FailureGroup)
    assert failure.failures[0].details["loc"] == ("body", "limits", "*")


@pytest.mark.anyio
async def test_http_exception_402_is_an_authorization_failure() -> None:
    """HTTPException(402, detail) answers 402 in the authorization category, with its detail."""
    app = FastAPI()
    install(app)

    @app.get("/paid")
    def paid() -> None:
        raise HTTPException(402, detail="Upgrade your plan.")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/paid")
    failure = decode(answer.status_code, answer.headers, answer.content)
    assert (answer.status_code, failure.category) == (402, Category.AUTHORIZATION)
    assert failure.message == "Upgrade your plan."


@pytest.mark.anyio
async def test_a_returned_err_is_encoded_without_an_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Err(failure) from a route becomes the response directly: no handler is involved."""
    from railguard.integrations.starlette import Responder  # the handler

    async def no_handler(*args: object) -> None:
        raise AssertionError("a returned Err must not reach an exception handler")

    def no_answer(*args: object) -> None:
        raise AssertionError("a returned Err must not be answered as a raised exception")

    monkeypatch.setattr(Responder, "handle", no_handler)
    monkeypatch.setattr(Responder, "http_response", no_answer)
    transport = httpx.ASGITransport(app=build_app("problem"))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        missing = await client.get("/agents/7")
    assert missing.status_code == 404
    body = missing.json()
    assert body["instance"] == "/agents/7"
    assert decode(404, missing.headers, missing.content, "problem") == NotFoundFailure(
        message="Agent with identifier 7 not found."
    )


@pytest.mark.anyio
@pytest.mark.parametrize("debug", [False, True])
async def test_middleware_added_after_install_is_answered_in_the_envelope(debug: bool) -> None:
    """An exception in a user's middleware added after install: the envelope, never a traceback."""
    app = FastAPI(debug=debug)
    install(app)

    @app.middleware("http")
    async def broken(request: Any, call_next: Any) -> Any:
        raise RuntimeError("password=hunter2")

    @app.get("/")
    def root() -> dict[str, str]:
        return {}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/")
    assert answer.status_code == 500
    assert "hunter2" not in answer.text
    assert "Traceback" not in answer.text
    assert decode(500, answer.headers, answer.content) == InternalFailure()


def test_result_route_on_a_plain_router_fails_when_declared_naming_the_fix() -> None:
    """A Result route on a plain APIRouter fails at declaration with railguard's hint."""
    router = APIRouter()
    with pytest.raises(TypeError, match=r"railguard: .*route_class=railguard"):

        @router.get("/agents/{agent_id}")
        def get_agent(agent_id: str) -> Result[Agent, NotFoundFailure]:
            return Err(NotFoundFailure())


def test_result_route_declared_before_install_fails_naming_the_fix() -> None:
    """A Result route declared on the app before install() fails with railguard's hint."""
    app = FastAPI()
    with pytest.raises(TypeError, match=r"after railguard\.integrations\.fastapi\.install"):

        @app.get("/agents/{agent_id}")
        def get_agent(agent_id: str) -> Result[Agent, NotFoundFailure]:
            return Err(NotFoundFailure())


def test_unresolvable_result_annotation_is_reported_when_declared() -> None:
    """A Result annotation naming a local class is refused at declaration, not a 500 later."""

    class LocalAgent(BaseModel):
        """A model the module cannot see."""

        id: str

    router = APIRouter(route_class=Route)
    with pytest.raises(TypeError, match=r"railguard: cannot resolve the return annotation"):

        @router.get("/agents/{agent_id}")
        def get_agent(agent_id: str) -> Result[LocalAgent, NotFoundFailure]:
            return Err(NotFoundFailure())


def test_models_allowing_arbitrary_types_still_hold_results() -> None:
    """The declaration hint leaves pydantic models with arbitrary_types_allowed alone."""
    from pydantic import ConfigDict  # only this test needs it

    class Holder(BaseModel):
        """A model that keeps a Result as an arbitrary type."""

        model_config = ConfigDict(arbitrary_types_allowed=True)
        result: Result[int, NotFoundFailure]

    assert Holder(result=Ok(1)).result == Ok(1)


@pytest.mark.anyio
async def test_validation_fastapi_keeps_fastapis_422_and_its_openapi_entry() -> None:
    """``validation="fastapi"`` answers FastAPI's own 422; other errors keep the envelope."""
    app = FastAPI()
    install(app, validation="fastapi")

    @app.get("/square")
    def square(n: int) -> Result[dict[str, int], NotFoundFailure]:
        return Err(NotFoundFailure()) if n < 0 else Ok({"square": n * n})

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        invalid = await client.get("/square", params={"n": "abc"})
        missing = await client.get("/square", params={"n": "-1"})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["query", "n"]
    assert missing.status_code == 404
    assert decode(missing.status_code, missing.headers, missing.content) == NotFoundFailure()
    document = app.openapi()
    responses = document["paths"]["/square"]["get"]["responses"]
    assert responses["422"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/HTTPValidationError"
    )
    assert "404" in responses
    validate(document)


def test_validation_setting_is_checked() -> None:
    """An unknown ``validation`` value is refused before anything is installed."""
    app = FastAPI()
    with pytest.raises(ValueError, match="validation must be"):
        install(app, validation="xml")  # type: ignore[arg-type]
    install(app)  # nothing was half-installed
