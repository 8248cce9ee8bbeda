"""Core against plain exceptions: constructing a failure, the failure path, importing.

Baselines are written the way the agents document defines its hierarchy: the base
``AgentBaseException`` takes ``message`` and ``error_code`` with its own defaults,
calls ``super().__init__(message)`` and keeps both as attributes; the subclass
``AgentNotFoundException`` passes its own defaults up. A flattened variant (one
``__init__``, no chaining) is measured too, so both figures are on record.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections.abc import Callable

from benchmarks._harness import Ratio, interleaved
from railguard import Err, Failure, Ok, Result
from railguard.families import agents


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


def bench_construct() -> list[Ratio]:
    """``AgentNotFoundFailure()`` against the plain exceptions and railguard's own."""
    failure = agents.AgentNotFoundFailure
    rows = []
    for label, baseline in [
        ("the seed's AgentNotFoundException()", AgentNotFoundException),
        ("a flattened one-__init__ exception", FlatAgentNotFoundException),
        ("railguard's AgentNotFoundException()", agents.AgentNotFoundException),
    ]:
        railguard, base = interleaved(failure, baseline, number=20_000, rounds=30)
        rows.append(
            Ratio(f"construct AgentNotFoundFailure() vs {label}", railguard, base, "<= 1.0")
        )
    return rows


# --- the failure path: created 5 calls deep, handled at the top ----------------------------

FailureCls = agents.AgentNotFoundFailure


def _rg5(agent_id: int) -> Result[int, Failure]:
    return Err(FailureCls())


def _rg4(agent_id: int) -> Result[int, Failure]:
    result = _rg5(agent_id)
    if isinstance(result, Err):
        return result
    return Ok(result.unwrap() + 1)


def _rg3(agent_id: int) -> Result[int, Failure]:
    result = _rg4(agent_id)
    if isinstance(result, Err):
        return result
    return Ok(result.unwrap() + 1)


def _rg2(agent_id: int) -> Result[int, Failure]:
    result = _rg3(agent_id)
    if isinstance(result, Err):
        return result
    return Ok(result.unwrap() + 1)


def _rg1(agent_id: int) -> Result[int, Failure]:
    result = _rg2(agent_id)
    if isinstance(result, Err):
        return result
    return Ok(result.unwrap() + 1)


def railguard_path() -> str:
    """Top level: branch on the Result and answer with the failure's code."""
    result = _rg1(7)
    if isinstance(result, Err):
        failure: Failure = result.failure()
        return failure.code
    return "ok"


def _ex5(agent_id: int) -> int:
    raise AgentNotFoundException()


def _ex4(agent_id: int) -> int:
    return _ex5(agent_id) + 1


def _ex3(agent_id: int) -> int:
    return _ex4(agent_id) + 1


def _ex2(agent_id: int) -> int:
    return _ex3(agent_id) + 1


def _ex1(agent_id: int) -> int:
    return _ex2(agent_id) + 1


def exception_path() -> str:
    """Top level: catch the exception and answer with its error code."""
    try:
        _ex1(7)
    except AgentNotFoundException as exc:
        return exc.error_code
    return "ok"


def bench_failure_path() -> Ratio:
    """Err returned through 4 branching callers against raise + catch 5 frames up."""
    assert railguard_path() == "AGENT_NOT_FOUND"
    assert exception_path() == "AGENT_NOT_FOUND"
    railguard, baseline = interleaved(railguard_path, exception_path, number=10_000, rounds=30)
    return Ratio("failure path, 5 calls deep", railguard, baseline, "<= 1.0")


# --- import time ----------------------------------------------------------------------------


def _import_seconds(statement: str) -> float:
    """Seconds one fresh interpreter spends on ``statement`` (``-E``: bytecode caches on)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    completed = subprocess.run(  # noqa: S603  # our own interpreter, fixed code
        [sys.executable, "-E", "-c", code], capture_output=True, text=True, check=True
    )
    return float(completed.stdout)


def _forbidden_after_import() -> list[str]:
    code = (
        "import sys, railguard; "
        "print(' '.join(m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi', 'starlette', 'httpx', 'websockets', 'tenacity', 'hypothesis', 'pydantic'}))"
    )
    completed = subprocess.run(  # noqa: S603  # our own interpreter, fixed code
        [sys.executable, "-E", "-c", code], capture_output=True, text=True, check=True
    )
    return completed.stdout.split()


def bench_import(rounds: int = 15) -> Ratio:
    """``import railguard`` against ``import returns.result, attrs``, fresh processes."""
    assert _forbidden_after_import() == [], "import railguard loaded a framework"
    measure: dict[str, Callable[[], float]] = {
        "railguard": lambda: _import_seconds("import railguard"),
        "baseline": lambda: _import_seconds("import returns.result, attrs"),
    }
    for run in measure.values():  # warm the bytecode caches
        run()
    times: dict[str, list[float]] = {name: [] for name in measure}
    for _ in range(rounds):
        for name, run in measure.items():
            times[name].append(run())
    return Ratio(
        "import railguard vs returns.result + attrs (median)",
        statistics.median(times["railguard"]),
        statistics.median(times["baseline"]),
        "<= 1.3",
    )


def run() -> list[Ratio]:
    """Every core comparison."""
    return [*bench_construct(), bench_failure_path(), bench_import()]
