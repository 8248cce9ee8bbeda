"""Import budget: the sans-I/O HTTP codecs load no framework; the integrations are separate."""

from __future__ import annotations

import subprocess
import sys

import pytest

FRAMEWORKS = ("fastapi", "starlette", "httpx", "httpcore", "pydantic", "uvicorn", "anyio")


@pytest.mark.parametrize("module", ["railguard", "railguard.http"])
def test_import_loads_no_framework(module: str) -> None:
    """`import railguard` and `import railguard.http` import no web framework or HTTP client."""
    code = f"import sys, {module}\nprint(','.join(m for m in {FRAMEWORKS!r} if m in sys.modules))"
    loaded = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert loaded == ""


def test_http_public_names() -> None:
    """railguard.http exports exactly its documented names."""
    import railguard.http

    public = {name for name in dir(railguard.http) if not name.startswith("_")}
    assert set(railguard.http.__all__) == public
