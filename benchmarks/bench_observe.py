"""Operations: the cost of logging and counting every error response.

The same FastAPI app (a route returning ``Err(failure)``, 404) with
`railguard.observe` on — the Prometheus counters installed, and the
``railguard.http`` line formatted (with ``asctime``) and written to a stream
(INFO), or the logger at WARNING so a 404 makes no line — and off (no line,
no observer), measured round by round in CPU time.
"""

from __future__ import annotations

import asyncio
import logging
import os

from benchmarks._harness import Ratio, paired
from benchmarks.bench_http import _requests, railguard_app

try:
    import prometheus_client
except ImportError:  # the metrics extra is optional: the rows are skipped without it
    HAVE_METRICS = False
else:
    HAVE_METRICS = True


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
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
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


def run() -> list[Ratio]:
    """Error responses per second with logging and metrics on vs off."""
    if not HAVE_METRICS:
        return []
    rows = []
    for name, level in (
        ("observe: error responses/s, INFO line + metrics vs off", logging.INFO),
        ("observe: error responses/s, metrics (4xx lines below level) vs off", logging.WARNING),
    ):
        on, off = asyncio.run(_rounds(40, 150, level))
        rows.append(paired(name, on, off, ">= 0.9", higher_is_better=True, unit="responses/s"))
    return rows
