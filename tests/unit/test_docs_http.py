"""docs/boundaries/http.md: its python blocks run, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "boundaries" / "http.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_http_page_examples_run() -> None:
    """Every python example of the HTTP page runs without an error."""
    blocks = _BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    assert blocks
    namespace: dict[str, object] = {"__name__": "docs_http"}
    for number, source in enumerate(blocks, start=1):
        exec(compile(source, f"{PAGE.name} block {number}", "exec"), namespace)  # noqa: S102  # the page's own examples
