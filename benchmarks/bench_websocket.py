"""WebSocket error frames per second: railguard's send vs sending the equivalent dict.

One ``websockets`` server and client on 127.0.0.1, in one event loop. Each round
the server sends a burst of error frames and the client receives them all; the
railguard side calls `railguard.integrations.websockets.send_failure`, the
baseline ``connection.send(json.dumps(frame))`` with a hand-written dict of the
same content. Many short rounds alternate (and swap which side goes first) so
load on a shared machine affects both alike; the row reports the median of the
per-round ratios and their spread, like every other row.
"""

from __future__ import annotations

import asyncio
import json
import time

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve

from benchmarks._harness import Ratio, paired
from railguard import RateLimitFailure
from railguard.integrations.websockets import send_failure

BURST = 200
ROUNDS = 60

FAILURE = RateLimitFailure(
    message="Rate limit exceeded: 100 requests per minute",
    details={"limit": 100, "window": "1m"},
    retry_after=30,
)
EQUIVALENT = {
    "type": "error",
    "message": "Rate limit exceeded: 100 requests per minute",
    "code": 429,
    "error_code": "RATE_LIMIT",
    "details": {"limit": 100, "window": "1m"},
    "retry_after": 30,
}


async def _handler(connection: ServerConnection) -> None:
    async for command in connection:
        if command == "railguard":
            for _ in range(BURST):
                await send_failure(connection, FAILURE)  # not fatal: frame only
        else:
            for _ in range(BURST):
                await connection.send(json.dumps(EQUIVALENT, ensure_ascii=False))


async def _burst(client: ClientConnection, which: str) -> float:
    """Frames per CPU second of one burst (server and client run in this one process, so
    the time descheduled on a shared machine is not counted)."""
    start = time.process_time()
    await client.send(which)
    for _ in range(BURST):
        await client.recv()
    return BURST / (time.process_time() - start)


async def _measure() -> tuple[list[float], list[float]]:
    async with serve(_handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        async with connect(f"ws://127.0.0.1:{port}", max_queue=None) as client:
            await _burst(client, "railguard")  # warm-up: codecs cached, buffers sized
            await _burst(client, "baseline")
            rg: list[float] = []
            base: list[float] = []
            for round_ in range(ROUNDS):  # many short rounds, alternating which goes first
                if round_ % 2:
                    base.append(await _burst(client, "baseline"))
                    rg.append(await _burst(client, "railguard"))
                else:
                    rg.append(await _burst(client, "railguard"))
                    base.append(await _burst(client, "baseline"))
    return rg, base


def run() -> list[Ratio]:
    """Frames per second, railguard / baseline (higher is better)."""
    railguard, baseline = asyncio.run(_measure())
    return [
        paired(
            "websocket error frames/s (send_failure vs json.dumps + send)",
            railguard,
            baseline,
            ">= 0.9",
            higher_is_better=True,
            unit="frames/s",
        )
    ]


if __name__ == "__main__":
    for ratio in run():
        rates = f"{ratio.railguard:,.0f} vs {ratio.baseline:,.0f} frames/s"
        print(f"{ratio.name}: {ratio.ratio:.3f} ({rates})")
