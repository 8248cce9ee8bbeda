"""Smoke test: the package imports and a failure round-trips through its exception.

Also the import budget: what ``import railguard`` loads beyond ``returns.result``
and ``attrs`` (counted in modules, never timed; ``make bench`` reports the time).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import railguard

# Standard-library modules railguard's core needs beyond what returns and attrs load.
STDLIB_BEYOND_PEERS = frozenset({"http", "math"})
# Loaded on first use of one of their names, never by ``import railguard``.
LAZY_MODULES = frozenset({"railguard.core._exceptions", "railguard.core._result"})
# Frameworks, clients and test tools: none may load with the core.
FORBIDDEN_ROOTS = frozenset(
    {"fastapi", "starlette", "httpx", "websockets", "tenacity", "hypothesis", "pydantic", "json"}
)


def _modules_after(statement: str) -> set[str]:
    script = textwrap.dedent(
        f"""
        import sys
        {statement}
        loaded = sorted(sys.modules)
        import json
        print(json.dumps(loaded))
        """
    )
    completed = subprocess.run(  # noqa: S603  # our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(json.loads(completed.stdout))


def test_failure_round_trips_through_exception() -> None:
    """A generic failure comes back equal from its exception."""
    failure = railguard.NotFoundFailure(message="gone", details={"id": 1})
    assert railguard.Failure.from_exception(failure.to_exception()) == failure


# railguard's own optional layers: imported by the application, never by the core.
OPTIONAL_LAYERS = ("railguard.integrations", "railguard.testing", "railguard.retry")


def test_import_budget() -> None:
    """``import railguard`` loads only railguard's core and two small stdlib modules more."""
    extra = _modules_after("import railguard") - _modules_after("import returns.result, attrs")
    foreign = {m for m in extra if m.split(".")[0] != "railguard"}
    assert foreign <= STDLIB_BEYOND_PEERS, sorted(foreign - STDLIB_BEYOND_PEERS)
    assert not extra & LAZY_MODULES
    assert not {m for m in extra if m.startswith(OPTIONAL_LAYERS)}
    assert not {m for m in extra if m.split(".")[0] in FORBIDDEN_ROOTS}


def test_lazy_names_load_on_first_use() -> None:
    """The exception layer loads when one of its names is first used, not before."""
    loaded = _modules_after("import railguard; railguard.RailguardError; railguard.cases")
    assert loaded >= LAZY_MODULES
