"""The families' documentation: the generated catalog page and the runnable examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from railguard.cli import main
from railguard.families import catalog_markdown
from railguard.families._catalog import catalog_rows
from tests.families import family_failures

DOCS = Path(__file__).resolve().parents[2] / "docs" / "families"
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_catalog_page_matches_the_registry() -> None:
    """docs/families/catalog.md is exactly what ``railguard catalog --markdown`` prints."""
    committed = (DOCS / "catalog.md").read_text(encoding="utf-8")
    assert committed == catalog_markdown(), (
        "regenerate: railguard catalog --markdown > docs/families/catalog.md"
    )


def test_catalog_cli_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    """``railguard catalog --markdown`` prints the catalog page."""
    assert main(["catalog", "--markdown"]) == 0
    assert capsys.readouterr().out == catalog_markdown()


def test_catalog_lists_every_family_error_once() -> None:
    """The table has one row per registered class, every family failure included."""
    rows = catalog_rows()
    failures = [row[1] for row in rows]
    assert len(failures) == len(set(failures))
    for cls in family_failures():
        family = cls.__module__.rsplit(".", 1)[1]
        (row,) = [r for r in rows if r[1] == f"{family}.{cls.__name__}"]
        exception, _, code, *_ = row
        assert exception == f"{family}.{cls.exception_type.__name__}"
        assert code == cls.default_code


def test_catalog_rows_show_the_documented_values() -> None:
    """Spot checks: documented statuses and the recovery each document calls for."""
    rows = {row[1]: row for row in catalog_rows()}
    assert rows["agents.AgentNotFoundFailure"][2:] == (
        "AGENT_NOT_FOUND",
        404,
        "not_found",
        "dont_retry",
    )
    assert rows["distiller.ConnectionFailure"][3:] == (503, "infrastructure", "reconnect")
    assert rows["distiller.UserAlreadyConnectedFailure"][3:] == (409, "conflict", "escalate")
    assert rows["kneo.KneoRateLimitedFailure"][3:] == (429, "rate_limit", "after_hint")
    assert rows["bridge.ValidationFailure"][3:] == (422, "validation", "dont_retry")
    assert rows["executor.CodeRuntimeFailure"][3:] == (422, "code_related", "regenerate")


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
@pytest.mark.usefixtures("isolated_catalog")
def test_python_blocks_run(page: Path) -> None:
    """Every python block of a families page runs, in order, in one namespace."""
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for block in _PYTHON_BLOCK.findall(page.read_text(encoding="utf-8")):
        exec(compile(block, str(page), "exec"), namespace)  # noqa: S102  # our own docs
