"""The ``railguard`` façade: exported names, returns' containers, and the import budget."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types

import pytest
import returns.result

import railguard

# Imported by nothing that `import railguard` loads: web frameworks, HTTP and WebSocket
# clients, retry and test libraries, and railguard's own optional layers.
FORBIDDEN_ON_IMPORT = (
    "anyio",
    "fastapi",
    "httpcore",
    "httpx",
    "hypothesis",
    "pydantic",
    "pydantic_core",
    "starlette",
    "tenacity",
    "uvicorn",
    "websockets",
    "railguard.integrations",
    "railguard.testing",
)


def _isort_style(name: str) -> tuple[int, str]:
    """Ruff's RUF022 order: CONSTANTS, then Classes, then everything else."""
    if name.isupper():
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


def test_all_exports_exactly_the_public_names_sorted() -> None:
    """``railguard.__all__`` lists every public non-module name, sorted (httpx style)."""
    public = [
        name
        for name in dir(railguard)
        if (not name.startswith("_") or name == "__version__")
        and not isinstance(getattr(railguard, name), types.ModuleType)
    ]
    assert set(railguard.__all__) == set(public)
    assert railguard.__all__ == sorted(public, key=_isort_style)


def test_every_exported_name_resolves() -> None:
    """Each name in ``__all__`` is an attribute of the package."""
    for name in railguard.__all__:
        assert getattr(railguard, name) is not None


def test_result_ok_err_are_returns_own_objects() -> None:
    """``Result``, ``Ok`` and ``Err`` are returns' Result, Success and Failure themselves."""
    assert railguard.Result is returns.result.Result
    assert railguard.Ok is returns.result.Success
    assert railguard.Err is returns.result.Failure


def test_railguard_failure_is_not_returns_failure() -> None:
    """``railguard.Failure`` is the error base class, not returns' container."""
    base: object = railguard.Failure
    assert base is not returns.result.Failure
    assert not issubclass(railguard.Failure, BaseException)


def test_failures_are_values_not_exceptions() -> None:
    """No registered failure class is an exception (STYLE: values are not exceptions)."""
    for cls in railguard.catalog():
        assert not issubclass(cls, BaseException), cls


def test_version_is_a_string() -> None:
    """``__version__`` is a dotted version string."""
    assert railguard.__version__.count(".") >= 1


def _modules_after(code: str) -> list[str]:
    script = textwrap.dedent(
        f"""
        import json, sys
        {code}
        print(json.dumps(sorted(sys.modules)))
        """
    )
    completed = subprocess.run(  # noqa: S603  # our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return list(json.loads(completed.stdout))


def _forbidden(modules: list[str]) -> list[str]:
    return [
        name
        for name in modules
        for prefix in FORBIDDEN_ON_IMPORT
        if name == prefix or name.startswith(f"{prefix}.")
    ]


def test_import_loads_no_framework() -> None:
    """A fresh ``import railguard`` loads attrs and returns but no framework or client."""
    modules = _modules_after("import railguard")
    assert _forbidden(modules) == []
    assert "attrs" in modules
    assert "returns.result" in modules


def test_catalog_loads_no_framework() -> None:
    """Importing every family (``catalog()``) loads no framework either."""
    modules = _modules_after("import railguard; list(railguard.catalog())")
    assert _forbidden(modules) == []


def test_lazy_names_are_the_same_objects_everywhere() -> None:
    """A lazily loaded name is the very object its defining module holds."""
    from railguard.core import _exceptions, _result

    assert railguard.RailguardError is _exceptions.RailguardError
    assert railguard.core.FailureGroup is _exceptions.FailureGroup
    assert railguard.cases is _result.cases
    assert set(railguard.__all__) <= set(dir(railguard))


def test_unknown_names_still_raise_attribute_error() -> None:
    """The module ``__getattr__`` answers only the lazy names (and checkers reject others)."""
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = railguard.no_such_name  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = railguard.core.no_such_name  # type: ignore[attr-defined]
