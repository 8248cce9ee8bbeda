"""Every typing case in tests/typing/*.yml once more under pyright strict.

pytest-mypy-plugins runs each case's ``main`` under mypy (with and without returns'
plugin). Here the same snippets, with their ``files``, are written to one directory
per case and type-checked by ONE pyright process (strict, ``pyrightconfig.json``'s
settings), which is fast. A case passes when pyright reports an error on exactly the
lines where the case expects mypy's errors (``# E:`` comments and ``main:N: error``
lines of ``out``) and nowhere else. Where the checkers rightly differ, a comment says
so on that line: ``# pyright-error (why)`` (pyright rejects it too, or only pyright
does) or ``# pyright-accepts (why)`` (mypy's error is not pyright's). ``assert_type``
is an error in every checker, so cases that pin types with it are checked fully;
``reveal_type`` notes are mypy's text and are not compared here (pyright's differs).

``PYRIGHT_PENDING`` lists cases that pyright fails for a known reason being fixed
elsewhere; they are strict xfails, so the list must shrink when the fix lands.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs

HERE = Path(__file__).resolve().parent
PYRIGHT = Path(sys.executable).parent / "pyright"

# case name -> why pyright fails it today (the `families` branch replaces the
# `failure = Paired(X)` descriptor, which pyright does not match against
# CarriesFailure, and the protocol-typed self of PairedFailure.to_exception()).
PYRIGHT_PENDING: dict[str, str] = {}

_MYPY_ERROR = re.compile(r"^ER?:")
_OUT_ERROR = re.compile(r"^main:(\d+): error:")
PYRIGHT_ERROR = "pyright-error"  # pyright must reject this line too (or only pyright does)
PYRIGHT_ACCEPTS = "pyright-accepts"  # mypy rejects this line, pyright rightly does not


@dataclass(frozen=True)
class Case:
    """One typing case: its snippet, extra modules and the lines mypy must flag."""

    name: str
    key: str
    main: str
    files: tuple[tuple[str, str], ...]
    error_lines: frozenset[int]


def _error_lines(main: str, out: str) -> frozenset[int]:
    """The lines pyright must flag: mypy's expected errors, adjusted by the markers."""
    lines = {int(m.group(1)) for m in map(_OUT_ERROR.match, out.splitlines()) if m}
    for number, line in enumerate(main.splitlines(), 1):
        # comments as pytest-mypy-plugins splits them: "code  # E: message  # ..."
        comments = [part.strip() for part in line.split(" # ")[1:]]
        if any(c.startswith(PYRIGHT_ERROR) for c in comments) or (
            any(_MYPY_ERROR.match(c) for c in comments)
            and not any(c.startswith(PYRIGHT_ACCEPTS) for c in comments)
        ):
            lines.add(number)
    return frozenset(lines)


def load_cases() -> list[Case]:
    """Every case of every tests/typing/*.yml file, in file order."""
    cases: list[Case] = []
    for path in sorted(HERE.glob("*.yml")):
        raw: list[dict[str, Any]] = yaml.safe_load(path.read_text()) or []
        for entry in raw:
            files = tuple((f["path"], f.get("content", "")) for f in entry.get("files") or ())
            main = entry.get("main", "")
            key = f"{path.stem}.{entry['case']}"
            expected = _error_lines(main, entry.get("out", ""))
            cases.append(Case(entry["case"], key, main, files, expected))
    return cases


CASES = load_cases()


def _write(root: Path, cases: list[Case]) -> None:
    for case in cases:
        folder = root / case.key
        folder.mkdir(parents=True)
        (folder / "main.py").write_text(case.main)
        for name, content in case.files:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(content)
    settings = json.loads((HERE / "pyrightconfig.json").read_text())
    settings.pop("venvPath", None)
    settings.pop("venv", None)
    settings["include"] = ["."]
    # each case folder is its own root, so `import shop` finds the case's shop.py
    settings["executionEnvironments"] = [{"root": case.key} for case in cases]
    (root / "pyrightconfig.json").write_text(json.dumps(settings))


@pytest.fixture(scope="session")
def pyright_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[str]]]:
    """Run pyright once over every case: case name -> line -> error messages."""
    assert PYRIGHT.exists(), f"pyright is not installed next to {sys.executable}"
    root = tmp_path_factory.mktemp("pyright-cases")
    _write(root, CASES)
    completed = subprocess.run(  # noqa: S603  # our own venv's pyright on our own files
        [str(PYRIGHT), "--outputjson", "--pythonpath", sys.executable, "-p", str(root)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    report = json.loads(completed.stdout)
    errors: dict[str, dict[str, list[str]]] = {case.key: {} for case in CASES}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] != "error":
            continue
        path = Path(diagnostic["file"]).relative_to(root)
        line = diagnostic["range"]["start"]["line"] + 1
        where = f"{'/'.join(path.parts[1:])}:{line}"
        errors[path.parts[0]].setdefault(where, []).append(diagnostic["message"])
    return errors


def _params() -> Iterator[Any]:
    for case in CASES:
        marks = []
        if case.key in PYRIGHT_PENDING:
            marks.append(pytest.mark.xfail(reason=PYRIGHT_PENDING[case.key], strict=True))
        yield pytest.param(case, id=case.key, marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_pyright_flags_what_mypy_flags(
    case: Case, pyright_errors: dict[str, dict[str, list[str]]]
) -> None:
    """Pyright strict reports errors on exactly the case's expected error lines."""
    found = pyright_errors[case.key]
    expected = {f"main.py:{line}" for line in case.error_lines}
    missing = sorted(expected - found.keys())
    unexpected = {where: found[where] for where in found if where not in expected}
    assert not missing, f"pyright accepts lines {missing} that must be rejected"
    assert not unexpected, f"pyright reports errors the case does not expect: {unexpected}"


def test_every_case_is_checked_by_pyright() -> None:
    """The cases are found, at least 100, and their names are unique within a file."""
    names = [case.key for case in CASES]
    assert len(names) == len(set(names))
    assert len(names) >= 100
