"""railguard end to end: a FastAPI service and its typed client, on 127.0.0.1.

The service's routes return ``Result`` values or raise documented exceptions;
``install(app)`` turns every failure into the agents envelope. The client wraps
httpx so every call comes back as ``Result[Response, Failure]`` — the same
failure classes, with their retry semantics, on the other side of the wire.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI

from railguard import Err, Failure, InfrastructureFailure, Ok, Result, cases
from railguard.families.agents import AgentNotFoundFailure, AgentRateLimitError
from railguard.families.distiller import UserAlreadyConnectedFailure
from railguard.integrations.fastapi import install
from railguard.integrations.httpx import wrap
from railguard.retry import RetryPolicy, retry
from railguard.websocket import close_code, close_reason, decode_frame, encode_frame

app = FastAPI(title="agents demo")
install(app)  # before the routes: every failure answers with the agents envelope
AGENTS = {"a1": {"id": "a1", "name": "planner"}}
flaky_calls = {"count": 0}


@app.get("/agents/{agent_id}")
def get_agent(agent_id: str) -> Result[dict[str, str], AgentNotFoundFailure]:
    """Business logic returns a Result; Err answers 404 with the envelope."""
    if agent_id in AGENTS:
        return Ok(AGENTS[agent_id])
    return Err(AgentNotFoundFailure(message=f"Agent with identifier {agent_id} not found."))


@app.post("/agents/{agent_id}/run")
def run_agent(agent_id: str) -> dict[str, str]:
    """A documented exception raised deep in an agent."""
    raise AgentRateLimitError(service_name="llm", retry_after="2")


@app.get("/flaky")
def flaky() -> Result[dict[str, int], Failure]:
    """Answers 503 twice, then succeeds: a transient failure worth retrying."""
    flaky_calls["count"] += 1
    if flaky_calls["count"] <= 2:
        return Err(InfrastructureFailure(message="warming up"))
    return Ok({"calls": flaky_calls["count"]})


@app.get("/boom")
def boom() -> dict[str, str]:
    """A bug: the password must never reach the wire."""
    raise RuntimeError("db connection failed: password=hunter2")


@app.get("/square")
def square(n: int) -> dict[str, int]:
    """Validation errors answer 400, one errors item each."""
    return {"square": n * n}


@contextmanager
def serving() -> Iterator[str]:
    """Serve the app with uvicorn on 127.0.0.1 and an ephemeral port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


def show(label: str, result: Result[httpx.Response, Failure]) -> Failure | None:
    """Print one call's outcome the way business code sees it."""
    match cases(result):
        case Ok(response):
            print(f"  {label:<28} ok   {response.status_code} {response.json()}")
            return None
        case Err(failure):
            retry = failure.retry
            hint = f" after {retry.after:g}s" if retry.after is not None else ""
            print(
                f"  {label:<28} {type(failure).__name__:<28} {int(failure.status)} "
                f"{failure.code:<24} {retry.recovery.value}{hint}"
            )
            return failure


class OneLine(logging.Formatter):
    """Server-side logs keep the traceback; the demo shows one line of it."""

    def formatException(self, ei: object) -> str:  # noqa: N802  # logging's name
        return ""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info:
            return f"  {record.name}: {record.getMessage()} (traceback logged server-side)"
        return f"  {record.name}: {record.getMessage()}"


def main() -> None:
    """Run the calls against a live server and print what crossed the wire."""
    handler = logging.StreamHandler()
    handler.setFormatter(OneLine())
    server_log = logging.getLogger("railguard.integrations.fastapi")
    server_log.addHandler(handler)
    server_log.propagate = False
    print("HTTP: a FastAPI service with railguard.integrations.fastapi.install")
    with serving() as base, httpx.Client(base_url=base, timeout=5) as raw:
        client = wrap(raw)
        show("GET /agents/a1", client.get("/agents/a1"))
        missing = show("GET /agents/zz", client.get("/agents/zz"))
        show("POST /agents/a1/run", client.post("/agents/a1/run"))
        secret = show("GET /boom", client.get("/boom"))
        show("GET /square?n=abc", client.get("/square", params={"n": "abc"}))
        body = raw.get("/agents/zz").json()
        print(
            "  the envelope on the wire:", json.dumps({k: body[k] for k in body if k != "errors"})
        )
        assert isinstance(missing, AgentNotFoundFailure)
        assert secret is not None
        assert "hunter2" not in raw.get("/boom").text
        print("  retry GET /flaky by its failure's own semantics (503 -> backoff):")
        retry_log = logging.getLogger("railguard.retry")
        retry_log.setLevel(logging.INFO)
        retry_log.addHandler(handler)
        policy = RetryPolicy(wait_initial=0.05, wait_jitter=0.0)
        show(
            "retry(GET /flaky)", retry(lambda: client.get("/flaky"), idempotent=True, policy=policy)
        )
        openapi = raw.get("/openapi.json").json()
        declared = openapi["paths"]["/agents/{agent_id}"]["get"]["responses"]
        print("  OpenAPI error responses of GET /agents/{agent_id}:", sorted(declared))

    print("\nWebSocket: the same failures as error frames and close codes (sans-I/O)")
    duplicate = UserAlreadyConnectedFailure()
    frame = encode_frame(duplicate)
    print(f"  frame  {frame[:96]}...")
    print(f"  close  {close_code(duplicate)} {close_reason(duplicate)!r}  fatal={duplicate.fatal}")
    assert decode_frame(frame) == duplicate
    print("  decode_frame(frame) == failure: True")


if __name__ == "__main__":
    main()
