"""Bring an application's own failures into the CLI: ``--import`` and ``[tool.railguard]``."""

from __future__ import annotations

import importlib
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

__all__ = ["ConfigError", "configured_imports", "find_pyproject", "import_modules"]


class ConfigError(Exception):
    """A configured module cannot be imported, or ``pyproject.toml`` is invalid."""


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start`` or one of its parents."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def configured_imports(pyproject: Path | None) -> list[str]:
    """The ``import = [...]`` list of the ``[tool.railguard]`` table, if any.

    Raises:
        ConfigError: the file is not valid TOML or the entry is not a list of strings.
    """
    if pyproject is None:
        return []
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: {exc}") from exc
    modules = data.get("tool", {}).get("railguard", {}).get("import", [])
    if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
        raise ConfigError(f"{pyproject}: [tool.railguard] import must be a list of module names")
    return modules


def import_modules(modules: Iterable[str], *, root: Path) -> None:
    """Import each module so that its failure classes register themselves.

    ``root`` (the project directory) goes first on ``sys.path``, as ``python -m`` does.

    Raises:
        ConfigError: a module cannot be imported.
    """
    modules = list(dict.fromkeys(modules))
    if modules and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # any import-time error is the user's to see
            raise ConfigError(f"cannot import {name!r}: {type(exc).__name__}: {exc}") from exc
