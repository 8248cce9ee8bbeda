"""The demo (``make demo``) runs end to end against its real loopback server."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.integration
@pytest.mark.parametrize("name", ["railway.py", "service_demo.py"])
def test_demo_example_runs(
    name: str, capsys: pytest.CaptureFixture[str], isolated_catalog: None
) -> None:
    """Each demo example runs to the end; its own asserts check what crossed the wire."""
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    assert "hunter2" not in out
    assert "failed" in out or "AgentNotFoundFailure" in out
