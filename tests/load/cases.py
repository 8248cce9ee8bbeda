"""What the load server answers and what the load clients expect, built from one table.

Every failure carries the request's own id (in its message or a typed field), so a
response that reaches the wrong request is seen as mixed up, not merely wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from railguard import (
    AuthenticationFailure,
    ConflictFailure,
    Failure,
    InternalFailure,
    NotFoundFailure,
    RateLimitFailure,
    UpstreamFailure,
)
from railguard.families import agents, bridge, kneo
from railguard.http import Style

STYLES: Final[tuple[Style, ...]] = ("agents", "problem", "bridge")
"""One app per envelope style, each under ``/<style>/``."""

SECRET: Final = "hunter2-password"
"""Put in exceptions and upstream failures; must never reach a response or frame."""

VALID_TOOLS: Final = ("crush", "claude")


def not_found(rid: str) -> Failure:
    """The core family, returned as ``Err``."""
    return NotFoundFailure(message=f"no item {rid}")


def conflict(rid: str) -> Failure:
    """The core family, raised as its exception."""
    return ConflictFailure(message=f"item {rid} is busy")


def agent_missing(rid: str) -> Failure:
    """The agents family, raised."""
    return agents.AgentNotFoundFailure(message=f"agent {rid} not found")


def kneo_conflict(rid: str) -> Failure:
    """The kneo family, returned."""
    return kneo.KneoConflictFailure(message=f"order {rid} already placed")


def session_missing(rid: str) -> Failure:
    """The bridge family, raised; the id is a typed field."""
    return bridge.SessionNotFoundFailure(session_id=rid)


def rate_limited(rid: str) -> Failure:
    """A returned ``Err`` unwrapped inside the route, with a retry hint."""
    return RateLimitFailure(message=f"slow down {rid}", retry_after=7)


def internal(_rid: str) -> Failure:
    """What a ``ValueError`` holding a secret is answered with (nothing of its text)."""
    return InternalFailure()


def upstream(_rid: str) -> Failure:
    """What a returned peer failure is answered with (AIP-193: not passed through)."""
    return UpstreamFailure()


@dataclass(frozen=True)
class HttpCase:
    """One route of the load app: ``GET /<style>/<name>/<rid>`` and its expected answer."""

    name: str
    status: int
    failure: Callable[[str], Failure] | None  # None: a success echoing the id
    query: str = ""


HTTP_CASES: Final[tuple[HttpCase, ...]] = (
    HttpCase("ok", 200, None),
    HttpCase("returned", 404, not_found),
    HttpCase("raised", 409, conflict),
    HttpCase("agent", 404, agent_missing),
    HttpCase("kneo", 409, kneo_conflict),
    HttpCase("bridge", 404, session_missing),
    HttpCase("unwrapped", 429, rate_limited),
    HttpCase("secret", 500, internal),
    HttpCase("upstream", 502, upstream),
    HttpCase("invalid", 400, None, query="?count=many"),
)
"""Success, returned, raised, unwrapped, unexpected, upstream and validation failures."""


# -- WebSocket flood messages ---------------------------------------------------------------


def ws_tool(rid: str) -> Failure:
    """A raised bridge exception with typed fields (recoverable)."""
    return bridge.InvalidToolNameFailure(tool_name=rid, valid_tools=VALID_TOOLS)


def ws_secret(_rid: str) -> Failure:
    """A ``ValueError`` with a secret, answered the bridge document's way (fixed text)."""
    return bridge.ValidationFailure()


def ws_bye(rid: str) -> Failure:
    """The fatal last message: frame, then close 4401."""
    return AuthenticationFailure(message=f"session {rid} expired")


WS_OPS: Final[dict[str, Callable[[str], Failure] | None]] = {
    "echo": None,
    "get": not_found,
    "raise": conflict,
    "tool": ws_tool,
    "secret": ws_secret,
}
"""Message ``{"op": op, "id": rid}`` → the failure it is answered with (None: echoes)."""
