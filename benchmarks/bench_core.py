"""Core against plain exceptions: construction, the failure path, memory and import.

Peers are written the way the agents document defines its hierarchy: the base
``AgentBaseException`` takes ``message`` and ``error_code`` with its own defaults,
calls ``super().__init__(message)`` and keeps both as attributes; the subclass
``AgentNotFoundException`` passes its own defaults up (two chained ``__init__`` methods).
A flattened variant (one ``__init__``, no chaining) is measured too.
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Callable

from benchmarks._harness import Ratio, paired, timed_ratio
from railguard import Err, Failure, Ok, Result
from railguard.families import agents

MESSAGE = "Agent 42 not found."


class AgentBaseException(Exception):
    """The agents document's base exception, as a service would write it."""

    def __init__(
        self, message: str = "An agent error occurred.", error_code: str = "AGENT_ERROR"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code


class AgentNotFoundException(AgentBaseException):
    """The agents document's exception: its own defaults, passed to the base."""

    def __init__(self, message: str = "Agent not found.", error_code: str = "AGENT_NOT_FOUND"):
        super().__init__(message, error_code)


class FlatAgentNotFoundException(AgentBaseException):
    """The same exception written with one ``__init__`` (the cheapest plain form)."""

    def __init__(self, message: str = "Agent not found.", error_code: str = "AGENT_NOT_FOUND"):
        Exception.__init__(self, message)
        self.message = message
        self.error_code = error_code


# --- construction -------------------------------------------------------------------------

FailureCls = agents.AgentNotFoundFailure


def bench_construct() -> list[Ratio]:
    """``AgentNotFoundFailure()`` against the plain exceptions (and with a message, for info)."""
    rows = []
    for label, peer in [
        ("the document's 2-level exception", AgentNotFoundException),
        ("a flattened one-__init__ exception", FlatAgentNotFoundException),
    ]:
        rows.append(
            timed_ratio(f"construct AgentNotFoundFailure() vs {label}", FailureCls, peer, "<= 1.0")
        )
    peers: list[tuple[str, Callable[[str], Exception]]] = [
        ("the document's 2-level exception", AgentNotFoundException),
        ("a flattened one-__init__ exception", FlatAgentNotFoundException),
        ("railguard's AgentNotFoundException", agents.AgentNotFoundException),
    ]
    for label, make in peers:
        rows.append(
            timed_ratio(
                f"construct with a message vs {label}",
                lambda: FailureCls(message=MESSAGE),
                lambda make=make: make(MESSAGE),  # type: ignore[misc]
                "-",
            )
        )
    return rows


# --- the failure path: created 5 calls deep, handled at the top ----------------------------

Make = Callable[[], Failure]


def _rg5(make: Make) -> Result[int, Failure]:
    return Err(make())


def _rg4(make: Make) -> Result[int, Failure]:
    result = _rg5(make)
    if isinstance(result, Err):
        return result
    return Ok(result.unwrap() + 1)


def _rg3(make: Make) -> Result[int, Failure]:
    result = _rg4(make)
    if isinstance(result, Err):
        return result
    return Ok(result.unwrap() + 1)


def _rg2(make: Make) -> Result[int, Failure]:
    result = _rg3(make)
    if isinstance(result, Err):
        return result
    return Ok(result.unwrap() + 1)


def _rg1(make: Make) -> Result[int, Failure]:
    result = _rg2(make)
    if isinstance(result, Err):
        return result
    return Ok(result.unwrap() + 1)


def railguard_path(make: Make = FailureCls) -> str:
    """Top level: branch on the Result and answer with the failure's code."""
    result = _rg1(make)
    if isinstance(result, Err):
        failure: Failure = result.failure()
        return failure.code
    return "ok"


Raise = Callable[[], Exception]


def _ex5(make: Raise) -> int:
    raise make()


def _ex4(make: Raise) -> int:
    return _ex5(make) + 1


def _ex3(make: Raise) -> int:
    return _ex4(make) + 1


def _ex2(make: Raise) -> int:
    return _ex3(make) + 1


def _ex1(make: Raise) -> int:
    return _ex2(make) + 1


def exception_path(make: Raise = AgentNotFoundException) -> str:
    """Top level: catch the exception and answer with its error code."""
    try:
        _ex1(make)
    except AgentNotFoundException as exc:
        return exc.error_code
    return "ok"


def bench_failure_path() -> list[Ratio]:
    """Err returned through 4 branching callers against raise + catch 5 frames up."""
    assert railguard_path() == "AGENT_NOT_FOUND"
    assert exception_path() == "AGENT_NOT_FOUND"

    def with_message() -> Failure:
        return FailureCls(message=MESSAGE)

    def raised_with_message() -> Exception:
        return AgentNotFoundException(MESSAGE)

    return [
        timed_ratio(
            "failure path, 5 calls deep (Err vs raise/except)",
            railguard_path,
            exception_path,
            "<= 1.0",
            number=1_000,
        ),
        timed_ratio(
            "failure path, 5 calls deep, with a message",
            lambda: railguard_path(with_message),
            lambda: exception_path(raised_with_message),
            "-",
            number=1_000,
        ),
    ]


# --- memory ---------------------------------------------------------------------------------

LIVE = 100_000


def _instance_bytes(value: object) -> int:
    """Bytes of the instance itself plus what it alone owns (``__dict__``, ``args``)."""
    size = sys.getsizeof(value)
    if isinstance(value, BaseException):
        size += sys.getsizeof(value.__dict__) + sys.getsizeof(value.args)
    return size


def _live_bytes(build: Callable[[str], object], messages: list[str]) -> int:
    """Bytes traced while ``LIVE`` values built from ``messages`` are alive."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        values = [build(message) for message in messages]
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del values
    return after - before


def bench_memory(rounds: int = 5) -> list[Ratio]:
    """One failure against the exception with its ``__dict__``; then 100,000 live ones."""
    one = paired(
        "memory: bytes per instance (failure vs exception + __dict__ + args)",
        [_instance_bytes(FailureCls(message=MESSAGE))],
        [_instance_bytes(AgentNotFoundException(MESSAGE))],
        "<= 1.0",
        unit="B",
    )
    # each with its own message (strings made once, shared by both sides): nothing interned
    messages = [f"Agent {i} not found." for i in range(LIVE)]
    rg: list[float] = []
    base: list[float] = []
    for _ in range(rounds):
        rg.append(_live_bytes(lambda m: FailureCls(message=m), messages))
        base.append(_live_bytes(AgentNotFoundException, messages))
    many = paired(
        f"memory: {LIVE:,} live failures vs exceptions (tracemalloc)", rg, base, "<= 1.0", unit="B"
    )
    return [one, many]


# --- import time ----------------------------------------------------------------------------

_FRAMEWORKS = ("fastapi", "starlette", "httpx", "websockets", "tenacity", "hypothesis", "pydantic")
_LINE = re.compile(r"^import time:\s*(\d+) \|\s*(\d+) \| (\S.*)$")


def _importtime(statement: str) -> dict[str, int]:
    """Top-level modules and their cumulative µs from ``python -X importtime -c statement``."""
    completed = subprocess.run(  # noqa: S603  # our own interpreter, fixed code
        [sys.executable, "-E", "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
    )
    top: dict[str, int] = {}
    for line in completed.stderr.splitlines():
        match = _LINE.match(line)
        if match and not match.group(3).startswith(" "):
            top[match.group(3)] = int(match.group(2))
    return top


def _import_seconds(statement: str, startup: frozenset[str]) -> float:
    """Seconds the statement's own imports take (interpreter start-up left out)."""
    top = _importtime(statement)
    return sum(us for name, us in top.items() if name not in startup) / 1e6


def _import_cpu_seconds(statement: str) -> float:
    """CPU seconds one fresh interpreter spends on ``statement``."""
    code = f"import time; t = time.process_time(); {statement}; print(time.process_time() - t)"
    completed = subprocess.run(  # noqa: S603  # our own interpreter, fixed code
        [sys.executable, "-E", "-c", code], capture_output=True, text=True, check=True
    )
    return float(completed.stdout)


def _frameworks_after_import() -> list[str]:
    code = (
        "import sys, railguard; "
        f"print(' '.join(m for m in sys.modules if m.split('.')[0] in {set(_FRAMEWORKS)!r}))"
    )
    completed = subprocess.run(  # noqa: S603  # our own interpreter, fixed code
        [sys.executable, "-E", "-c", code], capture_output=True, text=True, check=True
    )
    return completed.stdout.split()


def bench_import(rounds: int = 21) -> list[Ratio]:
    """``import railguard`` against ``import returns.result, attrs``, fresh processes.

    Measured twice: as ``-X importtime`` reports it (wall time, the target) and as
    CPU time around the statement (steadier on a busy machine).
    """
    assert _frameworks_after_import() == [], "import railguard loaded a framework"
    startup = frozenset(_importtime("pass"))
    statements = ("import railguard", "import returns.result, attrs")
    measures: list[Callable[[str], float]] = [
        lambda statement: _import_seconds(statement, startup),
        _import_cpu_seconds,
    ]
    for statement in statements:  # warm the bytecode caches
        _import_seconds(statement, startup)
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for i in range(rounds):
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for which in order:
            wall[which].append(measures[0](statements[which]))
            cpu[which].append(measures[1](statements[which]))
    return [
        paired("import railguard vs returns.result + attrs (-X importtime)", *wall, "<= 1.3"),
        paired("import railguard vs returns.result + attrs (CPU time)", *cpu, "-"),
    ]


def run() -> list[Ratio]:
    """Every core comparison."""
    return [*bench_construct(), *bench_failure_path(), *bench_memory(), *bench_import()]
