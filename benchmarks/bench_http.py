"""HTTP boundary: railguard's handlers and codecs against hand-written equivalents.

- error responses/s through a FastAPI app with ``install()`` — a route returning
  ``Err(failure)``, and a route raising the failure's family exception — vs the same
  app answering FastAPI's own ``HTTPException`` with its default handler; all driven
  in process as direct ASGI calls, timed in CPU seconds;
- ``railguard.http.encode`` / ``decode`` vs a hand-written dict with
  ``json.dumps`` / ``json.loads`` for the same agents envelope.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException

from benchmarks._harness import Ratio, paired, timed_ratio
from railguard import (
    Err,
    Failure,
    NotFoundFailure,
    RateLimitFailure,
    Result,
    TimeoutFailure,
    lookup,
    thaw_json,
)
from railguard.families.agents import AgentNotFoundException
from railguard.http import decode, encode
from railguard.integrations.fastapi import install

MESSAGE = "Agent with identifier 42 not found."


def _failure_class() -> type[Failure]:
    """The agents family's not-found failure class when present, else the core's."""
    return lookup("AGENT_NOT_FOUND") or NotFoundFailure


def _failure() -> Failure:
    """The benchmark's failure, with the benchmark's message."""
    return _failure_class()(message=MESSAGE)


def _numbered_messages() -> Callable[[], str]:
    """A new message on every call (``MESSAGE`` with a count): no two answers alike."""
    numbers = itertools.count()
    return lambda: f"Agent with identifier {next(numbers)} not found."


def baseline_app(*, varying: bool = False) -> FastAPI:
    """FastAPI's own ``HTTPException``; ``varying``: a different message on every request."""
    app = FastAPI()
    message = _numbered_messages() if varying else (lambda: MESSAGE)

    @app.get("/agents/{agent_id}")
    async def get_agent(agent_id: str) -> dict[str, str]:
        raise HTTPException(status_code=404, detail=message())

    return app


def varying_err_app() -> FastAPI:
    """The ``Err`` route with a different message on every request (as `baseline_app`'s
    ``varying``): what the encoder's per-message caches do not serve."""
    app = FastAPI()
    install(app)
    not_found = _failure_class()
    message = _numbered_messages()

    @app.get("/agents/{agent_id}")
    async def get_agent_result(agent_id: str) -> Result[dict[str, str], Failure]:
        return Err(not_found(message=message()))

    return app


def railguard_app(*, raising: bool) -> FastAPI:
    """The same route with ``install()``: it returns ``Err(failure)``, or raises the
    agents family's ``AgentNotFoundException``; either is built on every request, as
    the peer builds its ``HTTPException``."""
    app = FastAPI()
    install(app)
    not_found = _failure_class()

    if raising:

        @app.get("/agents/{agent_id}")
        async def get_agent(agent_id: str) -> dict[str, str]:
            # what a service writes: the family's exception, built by its own constructor
            # (as the peer builds its HTTPException)
            raise AgentNotFoundException(MESSAGE)

    else:

        @app.get("/agents/{agent_id}")
        async def get_agent_result(agent_id: str) -> Result[dict[str, str], Failure]:
            return Err(not_found(message=MESSAGE))

    return app


def _scope() -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/agents/42",
        "raw_path": b"/agents/42",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
    }


async def _requests(app: Any, count: int) -> float:
    """CPU seconds per request for ``count`` sequential ASGI calls (each answers 404).

    CPU time, not wall time: the app runs in this thread only (async routes), and CPU
    time is far less disturbed by other processes on a shared machine.
    """
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    start = time.process_time()
    for _ in range(count):
        await app(_scope(), receive, send)
    elapsed = time.process_time() - start
    assert statuses == [404] * count, statuses[:3]
    return elapsed / count


async def _rounds(apps: list[Any], rounds: int, count: int) -> list[list[float]]:
    """Responses per CPU second of each app, round by round (the order rotates and reverses).

    Many short rounds (a few milliseconds each): the apps of one round run within
    moments of each other, so a burst of load on a shared machine falls on all of them.
    """
    for app in apps:
        await _requests(app, 300)  # warm up: caches, templates, specialised bytecode
    seen: list[list[float]] = [[] for _ in apps]
    for i in range(rounds):
        order = list(range(len(apps)))
        order = order[i % len(apps) :] + order[: i % len(apps)]
        if (i // len(apps)) % 2:
            order.reverse()  # each app goes before and after each other one
        for which in order:
            seen[which].append(1 / await _requests(apps[which], count))
    return seen


def responses_per_second(apps: list[Any], rounds: int = 150, count: int = 60) -> list[list[float]]:
    """Per-round responses per CPU second of each app, measured side by side."""
    return asyncio.run(_rounds(apps, rounds, count))


def _hand_encode(failure: Failure) -> tuple[int, dict[str, str], bytes]:
    body = {
        "code": failure.status.name,
        "message": failure.message,
        "errors": [{"type": failure.code, "message": failure.message}],
    }
    return int(failure.status), {"content-type": "application/json"}, json.dumps(body).encode()


def _rich() -> Failure:
    """A failure with a retry hint, details and a cause: railguard's generic path."""
    cls = lookup("AGENT_RATE_LIMIT_ERROR") or RateLimitFailure
    return cls(
        message="Rate limit error.",
        retry_after=30,
        details={"limit": 100, "window": "1m"},
        cause=TimeoutFailure(message="upstream timed out"),
    )


def _hand_encode_rich(failure: Failure) -> tuple[int, dict[str, str], bytes]:
    cause = failure.cause
    assert cause is not None
    item = {
        "type": failure.code,
        "message": failure.message,
        "category": failure.category.value,
        "details": thaw_json(failure.details),
        "cause": {"type": cause.code, "message": cause.message, "category": cause.category.value},
        "retry_after": failure.retry_after,
    }
    body = {"code": failure.status.name, "message": failure.message, "errors": [item]}
    headers = {"content-type": "application/json", "retry-after": str(failure.retry_after)}
    return int(failure.status), headers, json.dumps(body).encode()


def _hand_decode_rich(status: int, headers: dict[str, str], body: bytes) -> Failure:
    item = json.loads(body)["errors"][0]
    cause = item["cause"]
    cause_cls = lookup(cause["type"]) or TimeoutFailure
    cls = lookup(item["type"]) or RateLimitFailure
    return cls(
        message=item["message"],
        details=item["details"],
        retry_after=item["retry_after"],
        cause=cause_cls(message=cause["message"]),
    )


def _hand_decode(status: int, headers: dict[str, str], body: bytes) -> Failure:
    document = json.loads(body)
    item = document["errors"][0]
    cls = lookup(item["type"]) or NotFoundFailure
    return cls(message=item["message"])


def _codec_ratio(
    name: str, railguard: Callable[[], object], baseline: Callable[[], object]
) -> Ratio:
    return timed_ratio(name, railguard, baseline, "<= 1.5", number=1_000, rounds=40)


def run() -> list[Ratio]:
    """The three comparisons of the HTTP boundary."""
    failure = _failure()
    status, headers, body = encode(failure)
    hand = _hand_encode(failure)
    assert decode(status, headers, body) == failure
    assert _hand_decode(*hand) == failure
    rich = _rich()
    rich_status, rich_headers, rich_body = encode(rich)
    rich_hand = _hand_encode_rich(rich)
    assert decode(rich_status, rich_headers, rich_body) == rich
    assert _hand_decode_rich(*rich_hand) == rich
    returned_rps, raised_rps, base_rps = responses_per_second(
        [railguard_app(raising=False), railguard_app(raising=True), baseline_app()]
    )
    varying_rps, varying_base_rps = responses_per_second(
        [varying_err_app(), baseline_app(varying=True)]
    )
    return [
        paired(
            "http: error responses/s, Err route vs FastAPI HTTPException",
            returned_rps,
            base_rps,
            ">= 1.05",
            higher_is_better=True,
            unit="responses/s",
        ),
        paired(
            "http: error responses/s, Err route vs HTTPException, a new message each time",
            varying_rps,
            varying_base_rps,
            "-",
            higher_is_better=True,
            unit="responses/s",
        ),
        paired(
            "http: error responses/s, family exception vs HTTPException",
            raised_rps,
            base_rps,
            ">= 1.0",
            higher_is_better=True,
            unit="responses/s",
        ),
        _codec_ratio(
            "http: encode vs dict + json.dumps",
            lambda: encode(failure),
            lambda: _hand_encode(failure),
        ),
        _codec_ratio(
            "http: decode vs json.loads + constructor",
            lambda: decode(status, headers, body),
            lambda: _hand_decode(*hand),
        ),
        _codec_ratio(
            "http: encode, hint + details + cause",
            lambda: encode(rich),
            lambda: _hand_encode_rich(rich),
        ),
        _codec_ratio(
            "http: decode, hint + details + cause",
            lambda: decode(rich_status, rich_headers, rich_body),
            lambda: _hand_decode_rich(*rich_hand),
        ),
    ]
