"""The no-plugin mypy config stays in step with the project's mypy.ini."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What legitimately differs: the plugin itself, and what the no-plugin run checks
# (railguard's public API: src and the API programs in tests/typing, not every test).
DIFFERENT = {"plugins", "files"}


def _options(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.read(path)
    return {key: " ".join(value.split()) for key, value in parser["mypy"].items()}


def _shared(options: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in options.items() if key not in DIFFERENT}


def test_noplugin_config_differs_from_mypy_ini_only_by_the_plugin() -> None:
    """tests/typing/mypy-noplugin.ini has mypy.ini's options, minus returns' plugin."""
    with_plugin = _options(ROOT / "mypy.ini")
    without = _options(ROOT / "tests" / "typing" / "mypy-noplugin.ini")
    assert "returns.contrib.mypy.returns_plugin" in with_plugin["plugins"]
    assert "plugins" not in without
    assert _shared(without) == _shared(with_plugin)


def test_noplugin_run_checks_src_and_the_api_module() -> None:
    """The no-plugin mypy run covers src and the two API programs."""
    files = {
        f.strip() for f in _options(ROOT / "tests/typing/mypy-noplugin.ini")["files"].split(",")
    }
    assert files == {"src", "tests/typing/api.py", "tests/typing/service.py"}


def test_no_typing_case_chooses_its_own_mypy_config() -> None:
    """Every case runs in both mypy runs: none sets mypy_config or names itself for one run."""
    import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs

    for path in sorted((ROOT / "tests" / "typing").glob("*.yml")):
        for case in yaml.safe_load(path.read_text()):
            assert "mypy_config" not in case, f"{path.name}::{case['case']} sets mypy_config"
            assert not case["case"].endswith(("_with_plugin", "_without_plugin")), case["case"]
