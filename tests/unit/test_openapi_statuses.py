"""OpenAPI generation: every status a declared failure can answer, and railguard's own answers."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Literal

import attrs
import httpx
import pytest
from fastapi import FastAPI
from openapi_spec_validator import validate
from pydantic import BaseModel

from railguard import (
    Category,
    Err,
    Failure,
    FailureGroup,
    NotFoundFailure,
    Result,
)
from railguard.families import bridge, executor
from railguard.families.kneo import KneoServerFailure
from railguard.http import CONTENT_TYPES, Style, decode, encode
from railguard.integrations._openapi import default_status
from railguard.integrations._statuses import answer_statuses
from railguard.integrations.fastapi import fails_with, install

STYLES: tuple[Style, ...] = ("agents", "problem", "bridge")
MARKER = "x-railguard-failures"


def _statuses(cls: type[Failure]) -> tuple[int | str, ...]:
    return answer_statuses(cls, default_status(cls))


class Item(BaseModel):
    """A request body."""

    name: str


def test_a_class_status_is_its_only_status() -> None:
    """A status declared as a class keyword (or the category's) is the one status."""
    assert _statuses(NotFoundFailure) == (404,)
    assert _statuses(executor.ExecutionTimeoutFailure) == (504,)


def test_a_status_field_answers_any_error_status() -> None:
    """A `status` field of any HTTPStatus: the class's status, then 4XX and 5XX."""
    assert _statuses(bridge.ValidationFailure) == (422, "4XX", "5XX")


def test_a_computed_status_answers_any_error_status() -> None:
    """A status computed by the class (kneo's, a group's) answers any error status."""
    assert _statuses(KneoServerFailure) == (502, "4XX", "5XX")
    assert _statuses(FailureGroup) == (400, "4XX", "5XX")


def test_a_literal_category_field_lists_its_categories_statuses() -> None:
    """The executor family's category is a Literal of four: their statuses, no range."""
    assert set(_statuses(executor.PythonExecutorFailure)) == {500, 503, 422}


@pytest.mark.usefixtures("isolated_catalog")
def test_a_literal_status_field_lists_its_values() -> None:
    """A status field typed with a Literal lists exactly its values."""

    @attrs.frozen(kw_only=True)
    class GatewayFailure(Failure, code="TEST_GATEWAY", category=Category.UPSTREAM):
        status: Literal[HTTPStatus.BAD_GATEWAY, HTTPStatus.GATEWAY_TIMEOUT] = HTTPStatus.BAD_GATEWAY

    assert _statuses(GatewayFailure) == (502, 504)


def _app(style: Style = "agents", **install_options: Any) -> FastAPI:
    app = FastAPI()
    install(app, style, **install_options)

    @app.get("/health")
    def health() -> str:
        return "ok"

    @app.post("/items")
    def create(item: Item) -> str:
        return item.name

    @app.get("/items/{item_id}")
    def get_item(item_id: str) -> Result[str, NotFoundFailure]:
        return Err(NotFoundFailure())

    @app.get("/reports/{report_id}")
    def report(report_id: str) -> Result[str, KneoServerFailure]:
        return Err(KneoServerFailure(response_status=503))

    @app.get("/narrowed")
    @fails_with(statuses={KneoServerFailure: [503, 504]})
    def narrowed() -> str:
        raise KneoServerFailure(response_status=503).to_exception()

    @app.get("/sessions/{session_id}")
    def session(session_id: str) -> Result[str, bridge.ValidationFailure]:
        return Err(bridge.ValidationFailure())

    return app


def _responses(app: FastAPI, path: str, method: str = "get") -> dict[str, Any]:
    responses: dict[str, Any] = app.openapi()["paths"][path][method]["responses"]
    return responses


@pytest.mark.parametrize("style", STYLES)
def test_every_operation_documents_what_railguard_answers(style: Style) -> None:
    """500 everywhere; 400 where FastAPI validates; 404 on a path with parameters; 502 upstream."""
    app = _app(style)
    validate(app.openapi())
    assert set(_responses(app, "/health")) == {"200", "500"}
    assert _responses(app, "/health")["500"][MARKER] == ["INTERNAL"]
    assert set(_responses(app, "/items", "post")) == {"200", "400", "500"}
    assert _responses(app, "/items", "post")["400"][MARKER] == ["FAILURE_GROUP"]
    get_item = _responses(app, "/items/{item_id}")
    assert set(get_item) == {"200", "400", "404", "500", "502"}
    assert get_item["502"][MARKER] == ["UPSTREAM"]
    media = get_item["500"]["content"][CONTENT_TYPES[style]]
    assert set(media["examples"]) == {"INTERNAL"}
    assert "Retry-After" in get_item["404"]["headers"]


@pytest.mark.parametrize("style", STYLES)
def test_a_per_instance_status_is_documented_as_ranges(style: Style) -> None:
    """An instance's own status (kneo's 503) is documented; examples only at exact statuses."""
    responses = _responses(_app(style), "/reports/{report_id}")
    assert {"502", "4XX", "5XX"} <= set(responses)
    assert "KNEO_SERVER_ERROR" in responses["5XX"][MARKER]
    ranged = responses["5XX"]["content"][CONTENT_TYPES[style]]
    assert "examples" not in ranged
    assert ranged["schema"]["$ref"].startswith("#/components/schemas/Railguard")
    example = responses["502"]["content"][CONTENT_TYPES[style]]["examples"]["KNEO_SERVER_ERROR"]
    assert example["value"] is not None
    assert encode(KneoServerFailure(response_status=503), style).status == 503


def test_fails_with_statuses_narrows_a_class() -> None:
    """statuses={Class: [...]} documents those statuses and no range."""
    responses = _responses(_app(), "/narrowed")
    assert responses["503"][MARKER] == ["KNEO_SERVER_ERROR"]
    assert responses["504"][MARKER] == ["KNEO_SERVER_ERROR"]
    assert "5XX" not in responses
    assert "4XX" not in responses


def test_fails_with_statuses_refuses_what_a_class_cannot_answer() -> None:
    """A status outside the class's declaration, a non-error status or a non-class is refused."""
    with pytest.raises(ValueError, match="cannot answer 500"):
        fails_with(statuses={NotFoundFailure: [500]})
    with pytest.raises(ValueError, match="not an error status"):
        fails_with(statuses={KneoServerFailure: [200]})
    with pytest.raises(ValueError, match="not an error status"):
        fails_with(statuses={KneoServerFailure: ["6XX"]})
    with pytest.raises(ValueError, match="at least one"):
        fails_with(statuses={KneoServerFailure: []})
    with pytest.raises(ValueError, match="cannot answer 5XX"):
        fails_with(statuses={executor.PythonExecutorFailure: ["5XX"]})
    with pytest.raises(TypeError, match="failure classes"):
        fails_with(statuses={str: [500]})  # type: ignore[dict-item]


def test_validation_fastapi_keeps_its_422_beside_ranges() -> None:
    """FastAPI omits its 422 beside a 4XX range; railguard puts it back (joined at a failure's)."""
    app = _app("agents", validation="fastapi")
    validate(app.openapi())
    joined = {
        "anyOf": [
            {"$ref": "#/components/schemas/RailguardAgentsError"},
            {"$ref": "#/components/schemas/HTTPValidationError"},
        ]
    }
    items = _responses(app, "/items", "post")
    assert items["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HTTPValidationError"
    }
    assert MARKER not in items["422"]
    reports = _responses(app, "/reports/{report_id}")  # kneo's 4XX may answer 422 too
    assert reports["422"]["content"]["application/json"]["schema"] == joined
    assert reports["422"][MARKER] == ["KNEO_SERVER_ERROR"]
    assert "400" not in reports
    sessions = _responses(app, "/sessions/{session_id}")
    assert sessions["422"]["content"]["application/json"]["schema"] == joined
    assert "HTTPValidationError" in app.openapi()["components"]["schemas"]
    assert set(_responses(app, "/health")) == {"200", "500"}


def test_envelope_validation_is_documented_beside_ranges() -> None:
    """With a 4XX range FastAPI documents no 422; validation's 400 is documented all the same."""
    responses = _responses(_app(), "/reports/{report_id}")
    assert responses["400"][MARKER] == ["FAILURE_GROUP", "KNEO_SERVER_ERROR"]
    assert "422" not in responses


def test_a_range_codes_are_listed_at_each_exact_status_it_covers() -> None:
    """OpenAPI reads an exact entry over a range: a varying class is listed at each one."""
    responses = _responses(_app(), "/reports/{report_id}")
    assert responses["404"][MARKER] == ["NOT_FOUND", "KNEO_SERVER_ERROR"]
    assert responses["500"][MARKER] == ["INTERNAL", "KNEO_SERVER_ERROR"]
    assert MARKER not in responses["200"]
    examples = responses["404"]["content"]["application/json"]["examples"]
    assert set(examples) == {"NOT_FOUND"}  # kneo's example answers 502, shown there


@pytest.mark.anyio
@pytest.mark.parametrize("style", STYLES)
async def test_a_parameter_holding_a_slash_answers_the_documented_404(style: Style) -> None:
    """Routing misses a filled-in template with a '/': the envelope's 404, as documented."""
    app = _app(style)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/items/a%2Fb")
    assert response.status_code == 404
    assert response.headers["content-type"] == CONTENT_TYPES[style]
    assert decode(404, response.headers, response.content, style) == NotFoundFailure(
        message="Not Found"
    )
    assert "NOT_FOUND" in _responses(app, "/items/{item_id}")["404"][MARKER]
