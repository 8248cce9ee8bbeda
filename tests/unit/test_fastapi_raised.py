"""An exception raised in a FastAPI route is answered where it is raised, as Starlette would.

`railguard.integrations.fastapi.Route` answers railguard's exceptions in the route's own
handler when nothing else could observe them: no dependency with ``yield`` entered, no
other handler registered for them. Otherwise they take FastAPI's usual way. The answer
is the same either way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import httpx
import pytest
from fastapi import Body, Depends, FastAPI, HTTPException
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from railguard import FailureGroup
from railguard.families.agents import AgentNotFoundException
from railguard.http import Style, decode
from railguard.integrations.fastapi import MAX_VALIDATION_ERRORS, install
from railguard.integrations.starlette import Responder

SECRET = "db password=hunter2"


class _Item(BaseModel):
    """One item of a batch."""

    name: str


def _raise(kind: str) -> None:
    if kind == "family":
        raise AgentNotFoundException("Agent with identifier 42 not found.")
    if kind == "http":
        raise HTTPException(409, detail="Already there.", headers={"X-Hint": "retry later"})
    raise ValueError(SECRET)


def _app(seen: list[BaseException | None], style: Style = "agents") -> FastAPI:
    """``/direct/{kind}`` raises with no dependency; ``/yields/{kind}`` with one that yields."""
    app = FastAPI()
    install(app, style)

    def watching() -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            seen.append(exc)
            raise
        seen.append(None)

    @app.get("/direct/{kind}")
    def plain(kind: str) -> None:
        _raise(kind)

    @app.get("/yields/{kind}", dependencies=[Depends(watching)])
    def yielding(kind: str) -> None:
        _raise(kind)

    return app


async def _get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


@pytest.mark.anyio
@pytest.mark.parametrize("style", ["agents", "problem", "bridge"])
@pytest.mark.parametrize("kind", ["family", "http", "unexpected"])
async def test_same_answer_either_way(kind: str, style: Style) -> None:
    """A route without dependencies answers exactly as one whose yield dependency sees it."""
    seen: list[BaseException | None] = []
    app = _app(seen, style)
    shortcut = await _get(app, f"/direct/{kind}")
    usual = await _get(app, f"/yields/{kind}")
    assert shortcut.status_code == usual.status_code >= 400
    # the problem style's ``instance`` is each request's path (of the same length)
    assert shortcut.content.replace(b"/direct/", b"/yields/") == usual.content
    assert dict(shortcut.headers) == dict(usual.headers)
    assert SECRET not in shortcut.text
    assert len(seen) == 1  # the yielding route's dependency saw its exception
    assert isinstance(seen[0], Exception)


@pytest.mark.anyio
async def test_answered_in_the_route_without_dependencies() -> None:
    """The route's own handler answered it: the responder looked the exception type up."""
    app = _app([])
    response = await _get(app, "/direct/family")
    assert response.status_code == 404
    responder = app.state.railguard
    assert isinstance(responder, Responder)
    assert responder._answered == {AgentNotFoundException: True}  # it ran


@pytest.mark.anyio
async def test_overridden_dependency_with_yield_sees_the_exception() -> None:
    """A test's override that yields (decided per request) still sees the exception."""
    seen: list[BaseException | None] = []
    app = FastAPI()
    install(app)

    def session() -> str:
        return "session"

    async def test_session() -> AsyncIterator[str]:
        try:
            yield "test session"
        except Exception as exc:
            seen.append(exc)
            raise

    @app.get("/agents/{agent_id}")
    def get_agent(agent_id: str, db: str = Depends(session)) -> None:
        raise AgentNotFoundException()

    app.dependency_overrides[session] = test_session
    response = await _get(app, "/agents/42")
    assert response.status_code == 404
    assert len(seen) == 1
    assert isinstance(seen[0], AgentNotFoundException)


@pytest.mark.anyio
async def test_a_handler_of_the_users_wins() -> None:
    """A handler registered for the exception's class, or an HTTP status, still answers."""
    app = FastAPI()
    install(app)

    async def by_class(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("by class", status_code=410)

    async def by_status(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("by status", status_code=409)

    app.add_exception_handler(AgentNotFoundException, by_class)
    app.add_exception_handler(409, by_status)

    @app.get("/plain/{kind}")
    def plain(kind: str) -> None:
        _raise(kind)

    family = await _get(app, "/plain/family")
    assert (family.status_code, family.text) == (410, "by class")
    conflict = await _get(app, "/plain/http")
    assert (conflict.status_code, conflict.text) == (409, "by status")
    unexpected = await _get(app, "/plain/unexpected")
    assert unexpected.status_code == 500
    assert SECRET not in unexpected.text


@pytest.mark.anyio
async def test_a_huge_validation_answer_lists_the_first_errors_and_decodes() -> None:
    """600 invalid items: 256 listed, the count in details, and a railguard peer reads it."""
    app = FastAPI()
    install(app)

    @app.post("/batch")
    def batch(items: Annotated[list[_Item], Body()]) -> None:
        """Accept a batch."""

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post("/batch", json=[{"nameless": i} for i in range(600)])
    assert answer.status_code == 400
    failure = decode(answer.status_code, answer.headers, answer.content)
    assert isinstance(failure, FailureGroup)
    assert len(failure.failures) == MAX_VALIDATION_ERRORS == 256
    assert failure.details == {"errors": 600, "listed": 256}
    assert "The first 256 of 600 errors are listed." in failure.message
    assert failure.failures[-1].details["loc"] == ("body", 255, "name")
