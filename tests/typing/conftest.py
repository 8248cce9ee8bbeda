"""Typing cases (pytest-mypy-plugins) run this environment's mypy with the project's mypy.ini."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pytest_configure(config: pytest.Config) -> None:
    """Find `mypy` next to this interpreter and default to the project's mypy.ini."""
    scripts = str(Path(sys.executable).parent)
    if shutil.which("mypy", path=scripts) and not os.environ.get("PATH", "").startswith(scripts):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    if getattr(config.option, "mypy_ini_file", None) is None:
        config.option.mypy_ini_file = str(ROOT / "mypy.ini")
