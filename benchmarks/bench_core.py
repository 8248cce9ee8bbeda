"""Core against plain exceptions: constructing a failure, the failure path, importing.

Baselines are written the way the seed documents write them: the agents-server's
``AgentNotFoundException`` takes ``message`` and ``error_code`` with defaults, calls
``super().__init__(message)`` and keeps both as attributes.

Until the agents family lands (``railguard.families.agents``), the failure side is a
stand-in declared here with the same shape: code ``BENCH_AGENT_NOT_FOUND``, a default
``message`` and ``status=404``; the row's name says which one was measured.
"""

from __future__ import annotations

import importlib
import statistics
import subprocess
import sys
from collections.abc import Callable

import attrs

from benchmarks._harness import Ratio, interleaved
from railguard import Category, Err, Failure, Ok, Result


class AgentBaseException(Exception):
    """The seed's base of every agent exception (no behaviour of its own here)."""


class AgentNotFoundException(AgentBaseException):
    """The agents document's exception, as the document defines it."""

    def __init__(self, message: str = "Agent not found.", error_code: str = "AGENT_NOT_FOUND"):
        super().__init__(message)
        self.message = message
        self.error_code = error_code


@attrs.frozen(kw_only=True)
class BenchAgentNotFoundFailure(
    Failure, code="BENCH_AGENT_NOT_FOUND", category=Category.NOT_FOUND, status=404
):
    """Stand-in for the agents family's AgentNotFoundFailure."""

    message: str = "Agent not found."


def _agent_not_found_failure() -> tuple[type[Failure], str]:
    try:
        agents = importlib.import_module("railguard.families.agents")
    except ImportError:
        return BenchAgentNotFoundFailure, "BenchAgentNotFoundFailure (stand-in)"
    cls: type[Failure] = agents.AgentNotFoundFailure
    return cls, "AgentNotFoundFailure"


# --- construction -------------------------------------------------------------------------


def bench_construct() -> Ratio:
    """``AgentNotFoundFailure()`` against ``AgentNotFoundException()``."""
    cls, name = _agent_not_found_failure()
    railguard, baseline = interleaved(cls, AgentNotFoundException, number=20_000, rounds=30)
    return Ratio(f"construct {name}() vs exception", railguard, baseline, "<= 1.0")


# --- the failure path: created 5 calls deep, handled at the top ----------------------------

FailureCls, _ = _agent_not_found_failure()


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
    assert railguard_path() in {"AGENT_NOT_FOUND", "BENCH_AGENT_NOT_FOUND"}
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
    return [bench_construct(), bench_failure_path(), bench_import()]
