"""The demo's service: a FastAPI app whose routes return ``Result`` values or raise."""

from __future__ import annotations

import itertools
import json

from fastapi import FastAPI, WebSocket

from railguard import Err, Failure, InfrastructureFailure, Ok, Result
from railguard.families.agents import AgentNotFoundFailure, AgentRateLimitError
from railguard.families.bridge import InvalidToolNameFailure, MaxConnectionsFailure
from railguard.integrations.fastapi import install
from railguard.websocket import encode_frame

__all__ = ["AGENTS", "TOOLS", "create_app"]

AGENTS = {"a1": {"id": "a1", "name": "planner"}}
TOOLS = ("search", "summarize")


def create_app() -> FastAPI:
    """A fresh app (its flaky route counts its own calls)."""
    app = FastAPI(title="railguard demo")
    install(app)  # before the routes: every failure answers with the agents envelope
    flaky_calls = itertools.count(1)

    @app.get("/agents/{agent_id}")
    def get_agent(agent_id: str) -> Result[dict[str, str], AgentNotFoundFailure]:
        """Business logic returns a Result; Err answers 404 with the envelope."""
        if agent_id in AGENTS:
            return Ok(AGENTS[agent_id])
        return Err(AgentNotFoundFailure(message=f"Agent with identifier {agent_id} not found."))

    @app.post("/agents/{agent_id}/run")
    def run_agent(agent_id: str) -> dict[str, str]:
        """A documented exception raised deep inside an agent: answers 429 + Retry-After."""
        raise AgentRateLimitError(service_name="llm", retry_after="2")

    @app.get("/boom")
    def boom() -> dict[str, str]:
        """A bug whose message holds a secret: the wire gets a generic 500."""
        raise RuntimeError("db connection failed: password=hunter2")

    @app.get("/square")
    def square(n: int) -> dict[str, int]:
        """FastAPI validates ``n``; a bad value answers 400 with one errors item."""
        return {"square": n * n}

    @app.get("/flaky")
    def flaky() -> Result[dict[str, int], Failure]:
        """Answers 503 twice, then succeeds: a transient failure worth retrying."""
        calls = next(flaky_calls)
        if calls <= 2:
            return Err(InfrastructureFailure(message="warming up"))
        return Ok({"calls": calls})

    @app.websocket("/ws")
    async def session(websocket: WebSocket) -> None:
        """A tool session: a bad tool is answered and it goes on; a full server closes it."""
        await websocket.accept()
        while True:
            message = json.loads(await websocket.receive_text())
            tool = message.get("tool")
            if message.get("type") == "ping":
                await websocket.send_text(json.dumps({"type": "pong"}))
            elif tool not in TOOLS and tool is not None:
                failure = InvalidToolNameFailure(tool_name=str(tool), valid_tools=TOOLS)
                await websocket.send_text(encode_frame(failure))
            else:
                raise MaxConnectionsFailure(current=100, max_connections=100).to_exception()

    return app
