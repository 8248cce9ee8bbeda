"""docs/boundaries/websocket.md: its python blocks run, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "boundaries" / "websocket.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_websocket_page_examples_run() -> None:
    """Every python example of the WebSocket page runs without an error."""
    text = PAGE.read_text(encoding="utf-8")
    blocks = _BLOCK.findall(text)
    assert blocks
    namespace: dict[str, object] = {"__name__": "docs_websocket"}
    for number, source in enumerate(blocks, start=1):
        code = compile(source, f"{PAGE.name} block {number}", "exec")
        exec(code, namespace)  # noqa: S102  # the page's own examples
