"""Operations: the cost of logging and counting every error response, in process and served.

"On" means `railguard.observe` as an operator runs it: the Prometheus counters installed
and the ``railguard.http`` INFO line of every 404 formatted (with ``asctime``) and
written to a real stream. "Off" is the same app with no handler and no observer.

- **Served** (the figure the ≥ 0.9 target is judged on): the same FastAPI app (a route
  returning ``Err(failure)``, 404) served by seven uvicorn processes on 127.0.0.1: on;
  "by hand" (railguard off, the route writing the same line with a few ``extra=``
  fields and incrementing a Prometheus child itself); off; off again (an A/A check of
  the method, which should read 1.00); and on with each of three operator recipes
  from the standard library's documentation (the logging HOWTO's optimization flags, a
  ``QueueHandler``, a ``MemoryHandler``; reported, the judged "on" is the default
  configuration). Each line is written to a file. A
  keep-alive client sends the requests an ``httpx.Client`` sends (same bytes) from a
  plain socket, so the servers are kept busy and a round is short; the servers take
  turns strictly round by round (640 rounds of 30 404s each, after a warm-up of 300),
  on four sets of server processes, all with the same hash seed. A figure is responses
  per CPU second of the server process (read by a ``/_cpu`` route before and after
  each round), so the client's own work and the other agents on the machine are not
  counted. The log file's line count and the scraped counter are checked against the
  requests sent: every line was really written.
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
import logging.handlers
import os
import queue
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Final

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
SERVED_ROUNDS = 640
"""Rounds per served side (split across the sets of server processes)."""
SERVED_COUNT = 30
"""404s per round: short rounds, so the sides of a turn see the same load."""
SERVED_SETS = 4
"""Server processes started per side (a process's own layout can cost a few %)."""
WARM_UP = 300
"""404s each server answers before the rounds."""
LINE_STATES: Final = frozenset({"on", "log", "flags", "queue", "buffer"})
"""Served states whose server writes railguard's line (`_serve`)."""
METRICS_STATES: Final = frozenset({"on", "metrics", "flags", "queue", "buffer"})
"""Served states whose server counts with railguard's metrics."""


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

    ``state``: ``on`` (line and counters), ``log`` or ``metrics`` (one of them), ``off``,
    ``hand`` (railguard off, the route writing the same line and counting itself), or
    one of the operator recipes of `_attach` (on otherwise).
    """
    import uvicorn  # noqa: PLC0415
    from starlette.requests import Request  # noqa: PLC0415
    from starlette.responses import PlainTextResponse  # noqa: PLC0415

    app = railguard_app(raising=False)
    logger = logging.getLogger("bench.hand" if state == "hand" else "railguard")
    if state == "hand":
        counter = prometheus_client.Counter(
            "hand_failures", "-", ("code",), registry=prometheus_client.CollectorRegistry()
        )
        app = _hand_app(logger, counter.labels("AGENT_NOT_FOUND"))
    # before the handlers: uvicorn's logging config closes every handler made before it
    # (a closed MemoryHandler drops its target; a StreamHandler's stream stays open)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    drain: Callable[[], None] = _nothing
    if state in LINE_STATES or state == "hand":
        handler = logging.StreamHandler(open(log_path, "a"))  # noqa: SIM115  # for the process
        handler.setFormatter(logging.Formatter(FORMAT))
        drain = _attach(state, logger, handler)
        logger.setLevel(logging.INFO)
    registry = None
    if state in METRICS_STATES:
        from railguard.observe import metrics  # noqa: PLC0415  # with the extra only

        registry = prometheus_client.CollectorRegistry()
        metrics.install(registry)

    async def cpu(request: Request) -> PlainTextResponse:
        return PlainTextResponse(repr(time.process_time()))

    async def counted(request: Request) -> PlainTextResponse:
        drain()  # the run is over: every queued or buffered line is written first
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
    uvicorn.Server(config).run(sockets=[sock])


def _attach(state: str, logger: logging.Logger, handler: logging.Handler) -> Callable[[], None]:
    """Put ``handler`` (the file's) on ``logger`` as ``state`` says; return what drains it.

    The operator recipes of the standard library's documentation, each a served side:
    ``flags``, the logging HOWTO's "Optimization" (no thread, process id or process name
    in a record); ``queue``, its ``QueueHandler`` in front and a ``QueueListener``
    thread formatting and writing; ``buffer``, a ``MemoryHandler`` that hands a round's
    lines (`SERVED_COUNT`, so every round flushes exactly once) to the file's handler
    together, and at once for a WARNING or worse.
    """
    if state == "queue":
        records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        listener = logging.handlers.QueueListener(records, handler)
        listener.start()
        logger.addHandler(logging.handlers.QueueHandler(records))
        return listener.stop
    if state == "buffer":
        buffered = logging.handlers.MemoryHandler(
            SERVED_COUNT, flushLevel=logging.WARNING, target=handler
        )
        logger.addHandler(buffered)
        return buffered.flush
    if state == "flags":
        logging.logThreads = False
        logging.logProcesses = False
        logging.logMultiprocessing = False
    logger.addHandler(handler)
    return _nothing


def _nothing() -> None:
    """Drain a handler that writes each line as it comes (nothing is held)."""


@contextlib.contextmanager
def _servers(states: Sequence[str], log_path: Path) -> Iterator[list[_Client]]:
    """One server process per state (started together, hash seed fixed); yields a client on
    each, then stops them."""
    processes: list[subprocess.Popen[str]] = []
    try:
        for state in states:
            processes.append(
                subprocess.Popen(  # noqa: S603  # this interpreter, this module
                    [sys.executable, "-m", "benchmarks.bench_observe", state, str(log_path)],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                    # one seed in every server: dict and set layouts, hence costs, are alike
                    env={**os.environ, "PYTHONHASHSEED": "0"},
                )
            )
        with contextlib.ExitStack() as clients:
            yield [clients.enter_context(contextlib.closing(_connect(p))) for p in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(STARTUP_TIMEOUT)


def _connect(process: subprocess.Popen[str]) -> _Client:
    """A client on the server ``process`` (which prints its port once it listens)."""
    stdout: IO[str] | None = process.stdout
    assert stdout is not None
    port = int(stdout.readline())
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            return _Client(port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class _Client:
    """A keep-alive HTTP/1.1 client on one socket, sending httpx's request bytes.

    The server parses what an ``httpx.Client`` sends (the same request line and
    headers), but the client's own work per request is a few µs instead of a few
    hundred: the server is kept busy, as a server answering at its capacity is, and
    a round takes a fraction of the time (hence many more rounds).
    """

    _HEAD = (
        b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\n"
        b"Connection: keep-alive\r\nUser-Agent: python-httpx/0.28.1\r\n\r\n"
    )

    def __init__(self, port: int) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=30.0)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def get(self, path: bytes) -> tuple[int, bytes]:
        """The status and body of ``GET path`` (the response has a Content-Length)."""
        self._sock.sendall(b"GET " + path + self._HEAD)
        buffer = self._buffer
        while True:
            end_of_head = buffer.find(b"\r\n\r\n")
            if end_of_head >= 0:
                head = buffer[:end_of_head].lower()
                length = int(head.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
                end = end_of_head + 4 + length
                if len(buffer) >= end:
                    self._buffer = buffer[end:]
                    return int(head[9:12]), buffer[end_of_head + 4 : end]
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            buffer += chunk

    def close(self) -> None:
        """Close the socket."""
        self._sock.close()


def _served_round(client: _Client, count: int) -> tuple[float, float]:
    """Responses per server CPU second and per wall second, for ``count`` 404s.

    The server reads its own CPU time (``/_cpu``) before and after: exact, and only
    once the requests before it are done.
    """
    cpu_before = float(client.get(b"/_cpu")[1])
    start = time.perf_counter()
    for _ in range(count):
        status = client.get(b"/agents/42")[0]
        assert status == 404, status
    wall = time.perf_counter() - start
    cpu_after = float(client.get(b"/_cpu")[1])
    return count / (cpu_after - cpu_before), count / wall


SERVED: Final = ("on", "hand", "off", "off", "flags", "queue", "buffer")
"""The served sides: railguard on, the line and counter by hand, off, off again (A/A), and
on with each operator recipe of `_attach`."""


def _served(
    states: Sequence[str] = SERVED,
    *,
    rounds: int = SERVED_ROUNDS,
    count: int = SERVED_COUNT,
    sets: int = SERVED_SETS,
) -> tuple[list[list[float]], list[list[float]]]:
    """Per side of ``states``, its per-round responses per server CPU second and per wall second.

    ``sets`` sets of server processes (one per side), one set after the other, each
    serving ``rounds // sets`` rounds of ``count`` requests on every side after a
    warm-up. The sides take turns strictly (A B C A B C ...), so every round follows
    another server's: a server running a round right after its own previous one finds
    its caches warm and answers ~10% cheaper, and the A B B A order of the in-process
    rounds gave each side a mixture of warm and cold rounds, with a median wobbling
    between the two. Each set rotates which side goes first, and every other set runs
    the turn backwards, so no side always follows the same one.
    Every ``railguard.http`` line is counted in the log file and every 404 of a side
    with metrics in its scraped counter.
    """
    sides = range(len(states))
    cpu: list[list[float]] = [[] for _ in sides]
    wall: list[list[float]] = [[] for _ in sides]
    per_set = rounds // sets
    for turn in range(sets):
        order = [(side + turn) % len(states) for side in sides]
        if turn % 2:  # the other way round: each side follows another side than before
            order.reverse()
        with tempfile.TemporaryDirectory() as tmp:
            log_path = Path(tmp) / "railguard.log"
            with _servers([states[side] for side in order], log_path) as started:
                clients = [started[order.index(side)] for side in sides]
                for client in clients:
                    _served_round(client, WARM_UP)
                for _ in range(per_set):
                    for side in order:
                        per_cpu, per_wall = _served_round(clients[side], count)
                        cpu[side].append(per_cpu)
                        wall[side].append(per_wall)
                counted = [float(client.get(b"/_counted")[1]) for client in clients]
            text = log_path.read_text() if log_path.exists() else ""
        sent = WARM_UP + per_set * count
        lines = text.count("INFO railguard.http answered AGENT_NOT_FOUND")
        logging_sides = sum(state in LINE_STATES for state in states)
        assert lines == sent * logging_sides, (lines, sent)  # every 404 wrote its line
        assert text.count("INFO bench.hand answered") == sent * states.count("hand")
        for side in sides:
            if states[side] in METRICS_STATES:
                assert counted[side] == sent, (counted[side], sent)  # and was counted
    return cpu, wall


def _served_rows() -> list[Ratio]:
    """The served comparisons, all from the same rounds of `SERVED`'s servers."""
    (on, hand, off, off_again, flags, queued, buffered), wall = _served()
    on_wall, off_wall = wall[0], wall[2]
    rows = [
        ("observe: served 404s/s, INFO line + metrics vs off (server CPU)", on, off, ">= 0.9"),
        (
            "observe: served 404s/s, INFO line + metrics vs off (client wall)",
            on_wall,
            off_wall,
            "-",
        ),
        (
            "observe: served 404s/s, the line + a counter by hand vs off (server CPU)",
            hand,
            off,
            "-",
        ),
        (
            "observe: served 404s/s, railguard's line + metrics vs by hand (server CPU)",
            on,
            hand,
            "-",
        ),
        ("observe: served 404s/s, A/A check: off vs off (server CPU)", off_again, off, "-"),
        (
            "observe: served 404s/s, on with the HOWTO's optimization flags vs off (server CPU)",
            flags,
            off,
            "-",
        ),
        ("observe: served 404s/s, on with a QueueHandler vs off (server CPU)", queued, off, "-"),
        (
            "observe: served 404s/s, on with a MemoryHandler of 30 vs off (server CPU)",
            buffered,
            off,
            "-",
        ),
    ]
    return [
        paired(name, mine, theirs, target, higher_is_better=True, unit="responses/s")
        for name, mine, theirs, target in rows
    ]


def run() -> list[Ratio]:
    """Error responses per second with logging and metrics on vs off, served and in process."""
    if not HAVE_METRICS:
        return []
    rows = _served_rows()
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
