"""The demo teaches: ``railguard demo`` runs live over loopback and explains each column."""

from __future__ import annotations

import io
import os
import runpy
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from railguard._demo import LEGEND, run
from railguard._demo._server import serving

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def demo_output() -> str:
    """The demo's plain-text output (what `make demo > file` writes)."""
    out = io.StringIO()
    run(out)
    return out.getvalue()


def test_demo_prints_the_four_columns_and_the_legend(demo_output: str) -> None:
    """Every step names logic, wire, client and retry; the legend defines them and dont_retry."""
    assert f"  {LEGEND}\n" in demo_output  # one line
    for label in ("logic:", "wire:", "client:", "retry:"):
        assert demo_output.count(label) >= 10, label
    assert "dont_retry: stop" in demo_output
    assert "after_hint: retry after" in demo_output
    summary = demo_output.split("\nSummary\n", 1)[1].splitlines()
    assert summary[0].split() == ["call", "code", "client", "decoded", "retry", "decided"]


def test_demo_explains_family_and_generic_codes(demo_output: str) -> None:
    """The 404 shows AGENT_NOT_FOUND and NOT_FOUND, and says why both exist."""
    assert '"code": "NOT_FOUND"' in demo_output
    assert '"type": "AGENT_NOT_FOUND"' in demo_output
    assert "Two codes" in demo_output
    assert "generic code (INTERNAL)" in demo_output


def test_demo_runs_a_live_websocket_session(demo_output: str) -> None:
    """A recoverable frame keeps the session open; a fatal one is followed by the close code."""
    assert '"error_code": "BRIDGE_INVALID_TOOL_NAME"' in demo_output
    assert "still open" in demo_output
    assert "close 4429 'BRIDGE_MAX_CONNECTIONS" in demo_output


def test_demo_retries_by_semantics(demo_output: str) -> None:
    """The flaky route is retried until it answers; the non-idempotent POST is not retried."""
    assert "GET /flaky #3" in demo_output
    assert "returned Ok after 3 attempts" in demo_output
    assert "POST /agents/a1/run #2" not in demo_output


def test_demo_keeps_secrets_and_escape_codes_off_the_page(demo_output: str) -> None:
    """The bug's password never shows; piped output has no terminal escape codes."""
    assert "hunter2" not in demo_output
    assert "\x1b[" not in demo_output
    expected = "answered INTERNAL: An internal error occurred. (unexpected RuntimeError)"
    assert expected in demo_output


def test_demo_runs_from_the_installed_package(tmp_path: Path) -> None:
    """`python -m railguard demo` works outside the source tree (no examples/ needed)."""
    env = {**os.environ, "PYTHONPATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "railguard", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "GET /agents/zz" in done.stdout
    assert done.stderr == ""


def test_railway_example_runs(capsys: pytest.CaptureFixture[str], isolated_catalog: None) -> None:
    """examples/railway.py runs to the end; its own asserts check each round trip."""
    runpy.run_path(str(EXAMPLES / "railway.py"), run_name="__main__")
    assert "OUT_OF_STOCK" in capsys.readouterr().out


def test_fastapi_service_example(isolated_catalog: None) -> None:
    """examples/fastapi_service.py answers typed failures its own client decodes."""
    namespace = runpy.run_path(str(EXAMPLES / "fastapi_service.py"))
    with serving(namespace["app"]) as base, httpx.Client(base_url=base, timeout=5) as client:
        describe = namespace["describe"]
        assert describe(client, "o-1") == "order o-1 is open"
        assert describe(client, "o-2") == "order o-2 is locked; retry? False"
        assert describe(client, "o-9") == "NOT_FOUND (404): no order 'o-9'"
