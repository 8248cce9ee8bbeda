"""docs/boundaries/grpc.md: its two mapping tables say what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from railguard import Category
from railguard.grpc import CATEGORY_CODES, CODE_CATEGORIES, Code

PAGE = Path(__file__).resolve().parents[2] / "docs" / "boundaries" / "grpc.md"
_CELL = re.compile(r"`?([^`|]+?)`?$")


def _table(marker: str) -> list[list[str]]:
    """The rows (cells without backticks) of the table right after ``<!-- marker -->``."""
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"<!-- {marker} -->") + 3  # the marker, the header, the rule
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append([m.group(1) if (m := _CELL.match(c)) else c for c in cells])
    return rows


def test_category_table_matches_the_code() -> None:
    """Each category's row names its gRPC code, its HTTP status and google's HTTP for the code."""
    rows = _table("grpc-category-table")
    expected = [
        [
            category.value,
            code.name,
            str(int(category.default_status)),
            str(code.http_status),
        ]
        for category, code in CATEGORY_CODES.items()
    ]
    assert rows == expected
    assert {row[0] for row in rows} == {c.value for c in Category}


def test_code_table_matches_the_code() -> None:
    """Each error code's row names the category a foreign status with it is read as."""
    rows = _table("grpc-code-table")
    assert rows == [[code.name, category.value] for code, category in CODE_CATEGORIES.items()]
    assert {row[0] for row in rows} == {c.name for c in Code} - {"OK"}
