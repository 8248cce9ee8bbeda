"""docs/retry.md: every python block runs, in page order, in one namespace."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "retry.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@pytest.fixture
def catalog_restored() -> Iterator[None]:
    """Failure classes the page defines are forgotten afterwards (other tests walk the catalog)."""
    from railguard.core import _exceptions, _registry

    tables = [
        value
        for module in (_registry, _exceptions)
        for name, value in vars(module).items()
        if isinstance(value, dict) and not name.startswith("__")
    ]
    saved = [dict(table) for table in tables]
    try:
        yield
    finally:
        for table, copy in zip(tables, saved, strict=True):
            table.clear()
            table.update(copy)


@pytest.mark.usefixtures("catalog_restored")
def test_retry_page_examples_run() -> None:
    """The page's python blocks run top to bottom without error (no network, no sleeping)."""
    blocks = BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    namespace: dict[str, Any] = {"__name__": "docs_retry"}
    for number, block in enumerate(blocks, start=1):
        code = compile(block, f"{PAGE.name}[block {number}]", "exec")
        exec(code, namespace)  # noqa: S102  # the docs are our own code
