"""The agents and problem styles send exactly their documents' members (issue 10)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

import httpx
import jsonschema  # type: ignore[import-untyped]  # no stubs installed
import pytest
from fastapi import FastAPI

from railguard import (
    Err,
    FailureGroup,
    NotFoundFailure,
    Result,
    ValidationFailure,
)
from railguard._catalog import catalog
from railguard._wire import schema_of
from railguard.core import Failure
from railguard.families.agents import AgentNotFoundFailure
from railguard.http import STYLES, Style, decode, encode
from railguard.integrations.fastapi import install

# RFC 3986 URI-reference: only these characters, every "%" starting an escape
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")


def _doc(failure: Failure, style: Style, **kwargs: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(encode(failure, style, **kwargs).body)
    return body


def _plain(cls: type[Failure]) -> Failure | None:
    try:
        return cls()
    except Exception:  # a class with required typed fields
        return None


PLAIN = [f for f in map(_plain, sorted(catalog(), key=lambda c: c.default_code)) if f]


def test_agents_body_is_the_documents_example() -> None:
    """The agents document's own example is byte-for-byte what the style sends."""
    failure = AgentNotFoundFailure(message="Agent with identifier XXXX not found.")
    assert _doc(failure, "agents") == {
        "code": "NOT_FOUND",
        "message": "Agent with identifier XXXX not found.",
        "errors": [{"type": "AGENT_NOT_FOUND", "message": "Agent with identifier XXXX not found."}],
    }


@pytest.mark.parametrize("failure", PLAIN, ids=[type(f).__name__ for f in PLAIN])
def test_a_registered_failure_without_extras_has_only_documented_members(
    failure: Failure,
) -> None:
    """No category where the type implies it, no ``errors`` repeat, no empty extension."""
    schema = schema_of(type(failure))
    if schema.is_group:
        return
    item = _doc(failure, "agents")["errors"]
    problem = _doc(failure, "problem")
    assert len(item) == 1
    assert ("category" in item[0]) is schema.instance_category
    assert ("category" in problem) is schema.instance_category
    assert "errors" not in problem
    assert not {"details", "cause", "retry_after"} & (set(item[0]) | set(problem))
    assert {"type", "title", "status", "code"} <= set(problem)


def test_extension_members_only_when_the_failure_carries_them() -> None:
    """Details, hint and cause appear as members only when set."""
    failure = NotFoundFailure(
        message="gone", details={"id": 7}, retry_after=3, cause=ValidationFailure(message="x")
    )
    item = _doc(failure, "agents")["errors"][0]
    assert item == {
        "type": "NOT_FOUND",
        "message": "gone",
        "details": {"id": 7},
        "retry_after": 3,
        "cause": {"type": "VALIDATION", "message": "x"},
    }
    assert decode(*encode(failure, "agents"), "agents") == failure
    assert decode(*encode(failure, "problem"), "problem") == failure


def test_problem_errors_only_for_a_group() -> None:
    """A group's members travel in ``errors``; a single failure is not repeated there."""
    group = FailureGroup(failures=(ValidationFailure(message="a"), NotFoundFailure(message="b")))
    doc = _doc(group, "problem")
    assert [e["type"] for e in doc["errors"]] == ["VALIDATION", "NOT_FOUND"]
    assert all("category" not in e for e in doc["errors"])
    assert decode(*encode(group, "problem"), "problem") == group


@pytest.mark.parametrize("style", ["agents", "problem"])
def test_older_bodies_carrying_category_still_decode(style: Style) -> None:
    """A body written before this change (``category`` in every item) decodes the same."""
    failure = NotFoundFailure(message="gone")
    doc = _doc(failure, style)
    if style == "agents":
        doc["errors"][0]["category"] = "not_found"
    else:
        doc["category"] = "not_found"
        doc["errors"] = [{"type": "NOT_FOUND", "message": "gone", "category": "not_found"}]
    error = encode(failure, style)
    assert decode(error.status, error.headers, json.dumps(doc), style) == failure


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("/agents/a b", "/agents/a%20b"),
        ("/agents/50%", "/agents/50%25"),
        ("/agents/a%2Fb", "/agents/a%2Fb"),
        ("/agents/{agent_id}", "/agents/%7Bagent_id%7D"),
        ("/agents/é", "/agents/%C3%A9"),
    ],
)
def test_instance_is_a_valid_uri_reference(given: str, written: str) -> None:
    """``instance`` is percent-encoded where needed; existing escapes are kept."""
    instance = _doc(NotFoundFailure(), "problem", instance=given)["instance"]
    assert instance == written
    assert URI_REFERENCE.fullmatch(instance)


@pytest.mark.anyio
async def test_instance_keeps_request_paths_distinct() -> None:
    """``/a b``, ``/50%`` and ``%2F`` stay distinct and round-trip through the app."""
    app = FastAPI()
    install(app, "problem")

    @app.get("/agents/{agent_id}")
    def get_agent(agent_id: str) -> Result[str, NotFoundFailure]:
        return Err(NotFoundFailure(message=agent_id))

    seen = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for raw in ("/agents/a%20b", "/agents/50%25", "/agents/x%2Fy", "/agents/x"):
            response = await client.get(raw)
            instance = response.json()["instance"]
            assert URI_REFERENCE.fullmatch(instance)
            assert instance == raw
            seen[instance] = unquote(instance)
    assert len(seen) == 4


@pytest.mark.parametrize("style", ["agents", "problem"])
def test_openapi_examples_are_valid_against_their_own_schema(style: Style) -> None:
    """Every generated example validates against the schema it is published under."""
    app = FastAPI()
    install(app, style)

    @app.get("/agents/{agent_id}")
    def get_agent(agent_id: str) -> Result[str, AgentNotFoundFailure | ValidationFailure]:
        return Err(AgentNotFoundFailure())

    document = app.openapi()
    components = document["components"]
    checked = 0
    for path in document["paths"].values():
        for operation in path.values():
            for response in operation["responses"].values():
                for media in response.get("content", {}).values():
                    schema = {**media["schema"], "components": components}
                    for example in media.get("examples", {}).values():
                        jsonschema.validate(example["value"], schema)
                        instance = example["value"].get("instance")
                        assert instance is None or URI_REFERENCE.fullmatch(instance)
                        checked += 1
    assert checked >= 2
    assert STYLES[style].schema_name in components["schemas"]
