"""Let pytest-mypy-plugins find this environment's mypy and the project's mypy.ini.

Stop-gap for the ``retry`` branch: the root ``tests/conftest.py`` on ``coretests``
does the same (and more); once both are merged this file is redundant and can go.
Both only act when nothing set them before, so they do not fight.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Put the interpreter's scripts first on PATH and default to ``mypy.ini``."""
    scripts = str(Path(sys.executable).parent)
    if shutil.which("mypy", path=scripts) and not os.environ.get("PATH", "").startswith(scripts):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    if getattr(config.option, "mypy_ini_file", None) is None:
        config.option.mypy_ini_file = str(ROOT / "mypy.ini")
