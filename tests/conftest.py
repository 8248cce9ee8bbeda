"""Shared pytest configuration: hypothesis profiles, the typing runs, registry isolation.

``CI=true`` selects the derandomized ``ci`` profile; ``RAILGUARD_HYPOTHESIS_PROFILE=deep``
(``make fuzz``) runs many more examples.

The pytest-mypy-plugins cases in ``tests/typing/*.yml`` run with the project's
``mypy.ini`` (returns' mypy plugin on) by default, and with
``tests/typing/mypy-noplugin.ini`` under ``--typing-without-plugin``. Every case
runs in both (``tests/unit/test_typing_configs.py`` keeps cases from choosing a config
of their own); ``tests/typing/test_pyright_cases.py`` checks them under pyright too.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "deep", max_examples=2_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_default = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("RAILGUARD_HYPOTHESIS_PROFILE", _default))

ROOT = Path(__file__).resolve().parent.parent
TYPING_CONFIGS = {
    "with_plugin": ROOT / "mypy.ini",
    "without_plugin": ROOT / "tests" / "typing" / "mypy-noplugin.ini",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--typing-without-plugin``: run the typing cases without returns' mypy plugin."""
    parser.addoption(
        "--typing-without-plugin",
        action="store_true",
        help="run tests/typing/*.yml with tests/typing/mypy-noplugin.ini",
    )


def _typing_run(config: pytest.Config) -> str:
    return "without_plugin" if config.getoption("typing_without_plugin") else "with_plugin"


def pytest_configure(config: pytest.Config) -> None:
    """Point pytest-mypy-plugins at this run's mypy config and its own cache."""
    run = _typing_run(config)
    # pytest-mypy-plugins runs the `mypy` it finds on PATH: use this environment's
    # (`.venv/bin/pytest` works without activating the virtualenv).
    scripts = str(Path(sys.executable).parent)
    if shutil.which("mypy", path=scripts) and not os.environ.get("PATH", "").startswith(scripts):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    # --typing-without-plugin is explicit, so it wins over any default set elsewhere
    if run == "without_plugin" or getattr(config.option, "mypy_ini_file", None) is None:
        config.option.mypy_ini_file = str(TYPING_CONFIGS[run])
    # mypy in this process (its API) rather than a subprocess per case: about three
    # times faster over the 100+ cases; each case still gets a fresh build.
    config.option.mypy_same_process = True
    # One incremental cache per run, inside the worktree: the default (the system
    # temp dir) is shared with every other checkout, and the two runs' options differ.
    if getattr(config.option, "mypy_testing_base", None) in (None, tempfile.gettempdir()):
        base = ROOT / ".mypy_cache" / f"typing-{run}"
        base.mkdir(parents=True, exist_ok=True)
        config.option.mypy_testing_base = str(base)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``@pytest.mark.anyio``) run on asyncio."""
    return "asyncio"


@pytest.fixture
def isolated_catalog() -> Iterator[None]:
    """Failure classes and exception mappings made in the test are forgotten after it."""
    from railguard import catalog
    from railguard.core import _policy, _registry

    # Import every module that registers failures first: one first imported
    # inside the test would be forgotten by the tables yet stay imported.
    list(catalog())
    tables: list[dict[Any, Any]] = [
        _registry._by_code,
        _registry._by_name,
        _registry._order,
        _policy._table,
        _policy._resolved,
    ]
    saved = [dict(table) for table in tables]
    try:
        yield
    finally:
        for table, copy in zip(tables, saved, strict=True):
            table.clear()
            table.update(copy)
