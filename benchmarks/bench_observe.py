"""Operations: the cost of logging and counting every error response, in process and served.

"On" means `railguard.observe` as an operator runs it: the Prometheus counters installed
and the ``railguard.http`` INFO line of every 404 formatted (with ``asctime``) and
written to a real stream. "Off" is the same app with no handler and no observer.

- **Served** (the figure the ≥ 0.9 target is judged on): the same FastAPI app (a route
  returning ``Err(failure)``, 404) served by two uvicorn processes on 127.0.0.1, one on
  and one off, each line written to a file; a real ``httpx.Client`` (keep-alive) sends
  the requests, alternating the two servers round by round. A figure is responses per
  CPU second of the server process (read by a ``/_cpu`` route before and after each
  round), so the client's own work and the other agents on the machine are not counted.
  The log file's line count and the scraped counter are checked against the requests
  sent: every line was really written.
- **In process** (a worst case, reported, not judged): the app called as a bare ASGI
  callable, no server and no socket, so the instrumentation is measured against the
  framework's work alone; with the INFO line, and with the counters only (the 4xx line
  below the logger's level).
- **railguard vs by hand** (in process): railguard's line and counters against a route
  that writes the same line itself (``logger.info`` with a few ``extra=`` fields, same
  formatter and stream) and increments a Prometheus child, railguard off: what railguard
  adds beyond what the standard library's line costs anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
from fastapi import FastAPI

from benchmarks._harness import Ratio, paired
from benchmarks.bench_http import _failure, _requests, railguard_app
from railguard import Err, Failure, Result
from railguard.integrations.fastapi import install

try:
    import prometheus_client
except ImportError:  # the metrics extra is optional: the rows are skipped without it
    HAVE_METRICS = False
else:
    HAVE_METRICS = True

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 20.0


def _switch(on: bool, handler: logging.Handler, level: int = logging.INFO) -> None:
    from railguard.observe import metrics  # noqa: PLC0415  # with the extra only

    logger = logging.getLogger("railguard")
    if on:
        logger.addHandler(handler)
        logger.setLevel(level)
        metrics.install(prometheus_client.CollectorRegistry())
    else:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        metrics.uninstall()


async def _rounds(rounds: int, count: int, level: int) -> tuple[list[float], list[float]]:
    app = railguard_app(raising=False)
    with open(os.devnull, "w") as sink:  # a real stream, written and discarded
        handler = logging.StreamHandler(sink)
        handler.setFormatter(logging.Formatter(FORMAT))
        on: list[float] = []
        off: list[float] = []
        for state in (True, False):
            _switch(state, handler, level)
            await _requests(app, 200)  # warm up
        for i in range(rounds):
            for state in (True, False) if i % 2 else (False, True):
                _switch(state, handler, level)
                (on if state else off).append(1 / await _requests(app, count))
        _switch(False, handler)
    return on, off


def _hand_app(log: logging.Logger, count: object) -> FastAPI:
    """The route writing its own line (a few ``extra=`` fields) and counting, railguard off."""
    app = FastAPI()
    install(app)
    failure = _failure()

    @app.get("/agents/{agent_id}")
    async def get_agent_result(agent_id: str) -> Result[dict[str, str], Failure]:
        fields = {"code": failure.code, "category": failure.category.value, "status": 404}
        log.info("answered %s", failure, extra=fields)
        count.inc()  # type: ignore[attr-defined]  # a prometheus-client child
        return Err(failure)

    return app


async def _vs_hand(rounds: int, count: int) -> tuple[list[float], list[float]]:
    """railguard's line and counters vs the same written by hand in the route."""
    ours = railguard_app(raising=False)
    registry = prometheus_client.CollectorRegistry()
    counter = prometheus_client.Counter("hand_failures", "-", ("code",), registry=registry)
    hand_log = logging.getLogger("bench.hand")
    hand = _hand_app(hand_log, counter.labels("AGENT_NOT_FOUND"))
    with open(os.devnull, "w") as sink:
        handler = logging.StreamHandler(sink)
        handler.setFormatter(logging.Formatter(FORMAT))
        hand_log.addHandler(handler)
        hand_log.setLevel(logging.INFO)
        hand_log.propagate = False
        mine: list[float] = []
        theirs: list[float] = []
        try:
            for app, on in ((ours, True), (hand, False)):
                _switch(on, handler)
                await _requests(app, 200)  # warm up
            for i in range(rounds):
                for app, on in (
                    ((ours, True), (hand, False)) if i % 2 else ((hand, False), (ours, True))
                ):
                    _switch(on, handler)
                    (mine if on else theirs).append(1 / await _requests(app, count))
        finally:
            _switch(False, handler)
            hand_log.removeHandler(handler)
    return mine, theirs


# -- served by uvicorn ------------------------------------------------------------------


def _serve(state: str, log_path: str) -> None:
    """Run in the server process: the app on 127.0.0.1 port 0 (printed).

    ``state``: ``on`` (line and counters), ``log`` or ``metrics`` (one of them), ``off``.
    """
    import socket  # noqa: PLC0415  # the server process only

    import uvicorn  # noqa: PLC0415
    from starlette.requests import Request  # noqa: PLC0415
    from starlette.responses import PlainTextResponse  # noqa: PLC0415

    app = railguard_app(raising=False)
    registry = None
    if state in {"on", "log"}:
        handler = logging.StreamHandler(open(log_path, "a"))  # noqa: SIM115  # for the process
        handler.setFormatter(logging.Formatter(FORMAT))
        logger = logging.getLogger("railguard")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    if state in {"on", "metrics"}:
        from railguard.observe import metrics  # noqa: PLC0415  # with the extra only

        registry = prometheus_client.CollectorRegistry()
        metrics.install(registry)

    async def cpu(request: Request) -> PlainTextResponse:
        return PlainTextResponse(repr(time.process_time()))

    async def counted(request: Request) -> PlainTextResponse:
        total = 0.0
        if registry is not None:
            for metric in registry.collect():
                if metric.name == "railguard_failures":
                    total += sum(s.value for s in metric.samples if s.name.endswith("_total"))
        return PlainTextResponse(repr(total))

    # after the 404 route: a request to /agents/... never tries these
    app.add_route("/_cpu", cpu)
    app.add_route("/_counted", counted)
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY on accepted sockets only then (a proto 0
    # socket waits ~40 ms on Nagle for the body after the headers), as uvicorn's own bind does
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)  # the port, for the benchmark
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


@contextlib.contextmanager
def _server(state: str, log_path: Path) -> Iterator[str]:
    """A server process for ``state``; yields its base URL, then stops it."""
    process = subprocess.Popen(  # noqa: S603  # this interpreter, this module
        [sys.executable, "-m", "benchmarks.bench_observe", state, str(log_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        stdout: IO[str] | None = process.stdout
        assert stdout is not None
        port = int(stdout.readline())
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                httpx.get(base + "/_cpu", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(STARTUP_TIMEOUT)


def _cpu(client: httpx.Client) -> float:
    """The server process's CPU seconds so far."""
    return float(client.get("/_cpu").text)


def _served_round(client: httpx.Client, count: int) -> tuple[float, float]:
    """Responses per server CPU second and per wall second, for ``count`` 404s."""
    cpu_before = _cpu(client)
    start = time.perf_counter()
    for _ in range(count):
        response = client.get("/agents/42")
        assert response.status_code == 404, response.status_code
    wall = time.perf_counter() - start
    cpu_after = _cpu(client)
    return count / (cpu_after - cpu_before), count / wall


def _served(rounds: int, count: int) -> tuple[Ratio, Ratio]:
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "railguard.log"
        with (
            _server("on", log_path) as on_url,
            _server("off", log_path) as off_url,
            httpx.Client(base_url=on_url, timeout=30.0) as on_client,
            httpx.Client(base_url=off_url, timeout=30.0) as off_client,
        ):
            clients = {True: on_client, False: off_client}
            cpu: dict[bool, list[float]] = {True: [], False: []}
            wall: dict[bool, list[float]] = {True: [], False: []}
            for state in (True, False):
                _served_round(clients[state], count)  # warm up
            for i in range(rounds):
                for state in (True, False) if i % 2 else (False, True):
                    per_cpu, per_wall = _served_round(clients[state], count)
                    cpu[state].append(per_cpu)
                    wall[state].append(per_wall)
            sent = (rounds + 1) * count
            counted = float(on_client.get("/_counted").text)
        lines = log_path.read_text().count("INFO railguard.http answered AGENT_NOT_FOUND")
    assert lines == sent, (lines, sent)  # every 404 of the on server wrote its line
    assert counted == sent, (counted, sent)  # and was counted
    return (
        paired(
            "observe: served 404s/s, INFO line + metrics vs off (server CPU)",
            cpu[True],
            cpu[False],
            ">= 0.9",
            higher_is_better=True,
            unit="responses/s",
        ),
        paired(
            "observe: served 404s/s, INFO line + metrics vs off (client wall)",
            wall[True],
            wall[False],
            "-",
            higher_is_better=True,
            unit="responses/s",
        ),
    )


def run() -> list[Ratio]:
    """Error responses per second with logging and metrics on vs off, served and in process."""
    if not HAVE_METRICS:
        return []
    rows = list(_served(rounds=60, count=80))
    for name, level in (
        ("observe: in-process 404s/s, INFO line + metrics vs off", logging.INFO),
        ("observe: in-process 404s/s, metrics (4xx line below level) vs off", logging.WARNING),
    ):
        on, off = asyncio.run(_rounds(40, 150, level))
        rows.append(paired(name, on, off, "-", higher_is_better=True, unit="responses/s"))
    mine, theirs = asyncio.run(_vs_hand(40, 150))
    rows.append(
        paired(
            "observe: in-process 404s/s, railguard's line + counters vs hand-written",
            mine,
            theirs,
            ">= 0.95",
            higher_is_better=True,
            unit="responses/s",
        )
    )
    return rows


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2])
