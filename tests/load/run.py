"""Run both floods against one load server, print the figures, fail on any bad answer.

Settings (environment variables, defaults in brackets):

* ``LOAD_SECONDS`` [20]: the time budget of each flood (the run takes about
  twice this, plus start-up and warm-up);
* ``LOAD_REQUESTS`` [1000000]: at most this many HTTP requests;
* ``LOAD_CONCURRENCY`` [64]: requests in flight, and WebSocket connections open;
* ``LOAD_WS_CONNECTIONS`` [100000]: at most this many WebSocket connections;
* ``LOAD_WS_MESSAGES`` [100]: messages per WebSocket connection;
* ``LOAD_MAX_GROWTH_MIB`` [32]: the most the server's resident set may grow over a
  flood (after the flood and a settling second, against before it, after warm-up).

Exit status 1 when an answer was lost, mixed up, wrong or leaked a secret, or the
server grew more than allowed; 0 otherwise.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from typing import Final

from .figures import Tally
from .http_flood import PLAN, run_http
from .server import Server, running_server
from .ws_flood import run_ws

WARM_UP_ROUNDS: Final = 3
"""Warm-up: this many rounds of every HTTP case and a few WebSocket connections, unjudged."""


@dataclass(frozen=True)
class Settings:
    """The knobs of one run (see the module)."""

    seconds: float = 20.0
    requests: int = 1_000_000
    concurrency: int = 64
    ws_connections: int = 100_000
    ws_messages: int = 100
    max_growth_mib: float = 32.0

    @classmethod
    def from_env(cls) -> Settings:
        """The settings the environment gives, defaults for the rest."""
        env = os.environ
        default = cls()
        return cls(
            seconds=float(env.get("LOAD_SECONDS", default.seconds)),
            requests=int(env.get("LOAD_REQUESTS", default.requests)),
            concurrency=int(env.get("LOAD_CONCURRENCY", default.concurrency)),
            ws_connections=int(env.get("LOAD_WS_CONNECTIONS", default.ws_connections)),
            ws_messages=int(env.get("LOAD_WS_MESSAGES", default.ws_messages)),
            max_growth_mib=float(env.get("LOAD_MAX_GROWTH_MIB", default.max_growth_mib)),
        )


async def warm_up(server: Server, settings: Settings) -> None:
    """Serve every case a few times first: imports, caches and pools are not growth."""
    await run_http(
        server,
        concurrency=settings.concurrency,
        requests=WARM_UP_ROUNDS * len(PLAN),
        seconds=settings.seconds,
        settle=0.0,
    )
    await run_ws(
        server,
        concurrency=min(8, settings.concurrency),
        connections=8,
        messages=min(40, settings.ws_messages),
        seconds=settings.seconds,
        settle=0.0,
    )


async def floods(server: Server, settings: Settings) -> tuple[Tally, Tally]:
    """Warm up, then the HTTP flood, then the WebSocket flood."""
    await warm_up(server, settings)
    http = await run_http(
        server,
        concurrency=settings.concurrency,
        requests=settings.requests,
        seconds=settings.seconds,
    )
    ws = await run_ws(
        server,
        concurrency=settings.concurrency,
        connections=settings.ws_connections,
        messages=settings.ws_messages,
        seconds=settings.seconds,
    )
    return http, ws


def verdict(tallies: tuple[Tally, ...], settings: Settings) -> list[str]:
    """What failed, one line each (empty: the run passed)."""
    problems: list[str] = []
    for tally in tallies:
        if tally.bad:
            problems.append(f"{tally.phase}: {tally.bad} answers lost, mixed up, wrong or leaking")
        if tally.answered == 0:
            problems.append(f"{tally.phase}: nothing was answered")
        if tally.memory.growth_mib > settings.max_growth_mib:
            problems.append(
                f"{tally.phase}: the server grew {tally.memory.growth_mib:.1f} MiB "
                f"(the bound is {settings.max_growth_mib:g} MiB)"
            )
    return problems


def main() -> int:
    """Run the load test with the environment's settings; print the figures."""
    settings = Settings.from_env()
    started = time.monotonic()
    with running_server() as server:
        http, ws = asyncio.run(floods(server, settings))
    lines = [*http.lines("requests"), *ws.lines("messages")]
    problems = verdict((http, ws), settings)
    total = time.monotonic() - started
    lines.append(f"total {total:.1f} s; growth bound {settings.max_growth_mib:g} MiB")
    lines += [f"FAILED: {problem}" for problem in problems] or ["passed"]
    print("\n".join(lines))  # the report
    return 1 if problems else 0
