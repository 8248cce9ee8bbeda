"""pyright (strict) reads the families' pairing as mypy does (only where pyright is installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "tests" / "typing" / "families_user.py"
_PYRIGHT = shutil.which("pyright", path=str(Path(sys.executable).parent)) or shutil.which("pyright")

pytestmark = pytest.mark.skipif(_PYRIGHT is None, reason="pyright is not installed")


def test_families_user_program_is_clean_under_pyright_strict(tmp_path: Path) -> None:
    """Catching's family union, ``exc.failure`` and ``.to_exception()`` type under pyright."""
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.11"}))
    command = [str(_PYRIGHT), "-p", str(config), "--pythonpath", sys.executable]
    run = subprocess.run(  # noqa: S603  # our own checker on our own file
        [*command, "--outputjson", str(PROGRAM)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = json.loads(run.stdout)
    errors = [
        f"{d['range']['start']['line'] + 1}: {d['message']}"
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert errors == []
    assert report["summary"]["filesAnalyzed"] == 1
