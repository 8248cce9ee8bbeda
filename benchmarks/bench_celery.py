"""Celery tasks per second: a task returning ``Err`` vs one raising the equivalent exception.

Opt-in (``make bench`` or ``python -m benchmarks celery``), never part of ``make test``.
It starts the distribution's ``redis-server`` on a free loopback port and one
Celery worker process (solo pool), then alternates bursts: BURST tasks of one kind
are sent, then every result is read back on the caller's side. railguard's side is
`railguard.integrations.celery` (the failure stored as its JSON record, read back as
the typed failure); the peer is a plain Celery task raising the paired exception,
read with ``AsyncResult.get(propagate=False)`` (Celery's JSON exception
serialization, rebuilt as the exception). Each side's best burst counts. Bounded:
ROUNDS bursts per side, a 60 s cap on each wait.
"""

from __future__ import annotations

import sys
import time

from tests.integration.celery_cluster import redis_server, running_redis, running_worker

from benchmarks import _celery_tasks as tasks
from benchmarks._harness import Ratio
from railguard.families.agents import AgentNotFoundException, AgentNotFoundFailure

BURST = 200
ROUNDS = 3
WAIT = 60.0


def _railguard_burst() -> float:
    started = time.perf_counter()
    pending = [tasks.returns_err.delay(str(n)) for n in range(BURST)]
    for handle in pending:
        failure = handle.get(timeout=WAIT).failure()
        assert isinstance(failure, AgentNotFoundFailure)
    return BURST / (time.perf_counter() - started)


def _peer_burst() -> float:
    started = time.perf_counter()
    sent = [tasks.raises.delay(str(n)) for n in range(BURST)]
    for result in sent:
        exc = result.get(timeout=WAIT, propagate=False)
        assert isinstance(exc, AgentNotFoundException), exc
    return BURST / (time.perf_counter() - started)


def run() -> list[Ratio]:
    """Tasks/s of each kind through one worker and Redis; the ratio railguard / peer."""
    server = redis_server()
    if server is None:
        print("bench_celery: redis-server is not installed; skipped", file=sys.stderr)
        return []
    with running_redis(server) as url, running_worker(url, tasks="benchmarks._celery_tasks"):
        tasks.configure(url)
        try:
            _railguard_burst()  # warm up both paths (connections, imports, the catalog)
            _peer_burst()
            ours: list[float] = []
            theirs: list[float] = []
            for round_ in range(ROUNDS):
                first, second = (
                    (_railguard_burst, _peer_burst)
                    if round_ % 2
                    else (_peer_burst, _railguard_burst)
                )
                for burst in (first, second):
                    (ours if burst is _railguard_burst else theirs).append(burst())
        finally:
            tasks.app.close()
    print(
        f"bench_celery: returning Err {max(ours):.0f} tasks/s, "
        f"raising the exception {max(theirs):.0f} tasks/s",
        file=sys.stderr,
    )
    return [
        Ratio(
            "celery tasks/s: Err returned vs exception raised",
            max(ours),
            max(theirs),
            ">= 0.9",
            higher_is_better=True,
        )
    ]
