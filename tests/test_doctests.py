"""Docstring examples (``>>>``) in every railguard module run and pass (STYLE habit 10)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import railguard


def _modules() -> list[str]:
    names = [railguard.__name__]
    for info in pkgutil.walk_packages(railguard.__path__, prefix=f"{railguard.__name__}."):
        names.append(info.name)
    return sorted(names)


def test_docstring_examples_pass() -> None:
    """Every ``>>>`` example in railguard's docstrings gives its documented output."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for name in _modules():
        module = importlib.import_module(name)
        for test in finder.find(module, name):
            runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
