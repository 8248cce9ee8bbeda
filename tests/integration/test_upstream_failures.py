"""AIP-193 through real servers: an upstream's failure never reaches our caller verbatim.

Our FastAPI app calls an upstream FastAPI app over loopback with the httpx integration
and returns (or raises) the failure it decoded; the caller must see our own 502.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import httpx
import pytest
from fastapi import FastAPI
from returns.result import Result
from starlette.responses import PlainTextResponse

from railguard import (
    Err,
    Failure,
    NotFoundFailure,
    RailguardError,
    UpstreamFailure,
    unwrap_or_raise,
    wire_failure,
)
from railguard.core import expose, from_peer, is_from_peer, public_failure
from railguard.families.agents import AgentNotFoundFailure
from railguard.integrations.fastapi import install
from railguard.integrations.httpx import wrap

from .servers import running_uvicorn

SECRET = "db-password=hunter2"
SECRET_ID = "upstream-req-7f3a9"


def _upstream() -> FastAPI:
    app = FastAPI()
    install(app)

    @app.get("/agents/{agent_id}")
    async def agent(agent_id: str) -> Result[dict[str, str], AgentNotFoundFailure]:
        return Err(AgentNotFoundFailure(message=f"no agent {agent_id}; {SECRET}"))

    @app.get("/plain")
    async def plain() -> object:
        return PlainTextResponse(
            f"not found: {SECRET}", status_code=404, headers={"X-Request-ID": SECRET_ID}
        )

    return app


def _ours(upstream: str) -> FastAPI:
    app = FastAPI()
    install(app)

    @app.get("/returned/{path:path}")
    async def returned(path: str) -> Result[dict[str, str], Failure]:
        async with wrap(httpx.AsyncClient(base_url=upstream)) as api:
            got = await api.get(f"/{path}")
        return got.map(lambda response: {"status": str(response.status_code)})

    @app.get("/raised/{path:path}")
    async def raised(path: str) -> dict[str, str]:
        async with wrap(httpx.AsyncClient(base_url=upstream)) as api:
            got = await api.get(f"/{path}")
        unwrap_or_raise(got)
        return {}

    @app.get("/wrapped/{path:path}")
    async def wrapped(path: str) -> Result[dict[str, str], Failure]:
        async with wrap(httpx.AsyncClient(base_url=upstream)) as api:
            got = await api.get(f"/{path}")
        return got.alt(lambda peer: NotFoundFailure(message="no such agent here", cause=peer)).map(
            lambda _: {}
        )

    @app.get("/public/{path:path}")
    async def public(path: str) -> Result[dict[str, str], Failure]:
        async with wrap(httpx.AsyncClient(base_url=upstream)) as api:
            got = await api.get(f"/{path}")
        return got.alt(expose).map(lambda _: {})

    return app


@pytest.fixture(scope="module")
def ours() -> Iterator[str]:
    """Both servers running; the URL of ours."""
    with running_uvicorn(_upstream()) as upstream, running_uvicorn(_ours(upstream)) as url:
        yield url


@pytest.mark.parametrize("way", ["returned", "raised"])
@pytest.mark.parametrize("path", ["agents/a1", "plain"])
def test_upstream_failure_is_answered_as_our_bad_gateway(ours: str, way: str, path: str) -> None:
    """A returned or raised upstream failure answers our own 502; no secret, no upstream id."""
    response = httpx.get(f"{ours}/{way}/{path}")
    assert response.status_code == 502
    assert response.json()["errors"][0]["type"] == "UPSTREAM"
    text = response.text + str(response.headers)
    assert SECRET not in text
    assert SECRET_ID not in text
    assert "AGENT_NOT_FOUND" not in text


def test_upstream_failure_as_a_cause_is_replaced(ours: str) -> None:
    """Our own failure caused by an upstream one keeps its status; the cause is ours."""
    response = httpx.get(f"{ours}/wrapped/agents/a1")
    assert response.status_code == 404
    assert "no such agent here" in response.text
    assert SECRET not in response.text
    assert "AGENT_NOT_FOUND" not in response.text


def test_exposed_upstream_failure_passes(ours: str) -> None:
    """expose() is the explicit opt-in: the upstream's failure reaches the caller as it is."""
    response = httpx.get(f"{ours}/public/agents/a1")
    assert response.status_code == 404
    assert response.json()["errors"][0]["type"] == "AGENT_NOT_FOUND"
    assert SECRET in response.text


def test_in_process_the_peer_failure_is_untouched(ours: str) -> None:
    """Decoded failures keep the peer's class, message and fields in process."""
    with wrap(httpx.Client(base_url=ours)) as api:  # /public passes the upstream's failure on
        failure = api.get("/public/agents/a1").failure()
    assert isinstance(failure, AgentNotFoundFailure)
    assert SECRET in failure.message
    assert is_from_peer(failure)
    assert public_failure(failure) == UpstreamFailure()


def test_marked_copies_and_shared_defaults() -> None:
    """Marking never touches the shared all-defaults instance; an evolved value is ours."""
    marked = from_peer(NotFoundFailure())
    assert marked == NotFoundFailure()
    assert is_from_peer(marked)
    assert not is_from_peer(NotFoundFailure())
    assert public_failure(NotFoundFailure()) is NotFoundFailure()
    assert not is_from_peer(attrs.evolve(marked, message="ours"))
    assert public_failure(NotFoundFailure(cause=marked)) == NotFoundFailure(cause=UpstreamFailure())


def test_a_raised_peer_failure_is_recognised_exactly() -> None:
    """A family exception is a peer's only when built from the peer's failure, not by value."""
    peer = from_peer(AgentNotFoundFailure(message="gone"))
    ours = AgentNotFoundFailure(message="gone")
    assert wire_failure(peer.to_exception()) == UpstreamFailure()
    assert wire_failure(ours.to_exception()) == ours
    assert wire_failure(RailguardError(peer)) == UpstreamFailure()


def test_websocket_replies_answer_a_peer_failure_as_ours() -> None:
    """A WebSocket handler returning Err(peer failure) replies with our UpstreamFailure."""
    from railguard.integrations._ws_common import outgoing

    peer = from_peer(AgentNotFoundFailure(message=f"gone; {SECRET}"))
    assert outgoing(Err(peer)) == (None, UpstreamFailure())
    assert outgoing(Err(expose(peer))) == (None, peer)
