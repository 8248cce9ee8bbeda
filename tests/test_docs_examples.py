"""Every ```python block in README.md and docs/**/*.md runs, and the docs match the code.

The blocks of one page run in order, in one namespace (a fresh module), as one test;
pages added later are picked up without any change here. A block right after the line
``<!-- docs-test: skip ... -->`` is shown but not run (for snippets that need names
the page does not define). A block that prints and is followed right away by a
```text block must print exactly that text. Failure classes a page defines are
forgotten after it, so pages may reuse codes.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import types
from pathlib import Path

import attrs
import pytest

from railguard import Category, Recovery, Retry

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
_SKIP = re.compile(r"^\s*<!--\s*docs-test:\s*skip\b.*-->\s*$")


@attrs.frozen
class Block:
    """One fenced ```python block: where it starts, its dedented source, the text shown after it."""

    line: int
    source: str
    output: str | None = None
    """The ```text block right after this one (blank lines between), if any."""


def python_blocks(text: str) -> list[Block]:
    """The runnable ```python blocks of a Markdown page, in order."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        language = opening["info"].split()[0] if opening["info"].split() else ""
        skipped = index > 0 and _SKIP.match(lines[index - 1]) is not None
        body: list[str] = []
        index += 1
        while index < len(lines) and not (
            lines[index].strip().startswith(fence[0] * len(fence))
            and not lines[index].strip().strip(fence[0])
        ):
            line = lines[index]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            index += 1
        start = index - len(body) + 1  # 1-based line number of the block's first line
        index += 1
        if language == "python" and not skipped:
            blocks.append(Block(start, "\n".join(body) + "\n", _text_after(lines, index)))
    return blocks


def _text_after(lines: list[str], index: int) -> str | None:
    """The body of a ```text block starting at ``lines[index]`` (after blank lines), if any."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or lines[index].strip() != "```text":
        return None
    end = index + 1
    while end < len(lines) and lines[end].strip() != "```":
        end += 1
    return "\n".join(lines[index + 1 : end]) + "\n"


def _page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


RUNNABLE = [page for page in PAGES if python_blocks(page.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", RUNNABLE, ids=_page_id)
def test_page_examples_run(page: Path, isolated_catalog: None) -> None:
    """The page's python blocks run top to bottom without an error."""
    name = "docs_example_" + re.sub(r"\W", "_", _page_id(page).removesuffix(".md"))
    module = types.ModuleType(name)
    module.__file__ = str(page)
    sys.modules[name] = module  # classes defined on the page can be pickled and resolved
    try:
        for block in python_blocks(page.read_text(encoding="utf-8")):
            # pad so tracebacks point at the page's own line numbers
            code = compile("\n" * (block.line - 1) + block.source, str(page), "exec")
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed) if block.output else contextlib.nullcontext():
                exec(code, module.__dict__)  # noqa: S102  # the documentation's own examples
            if block.output and printed.getvalue():
                assert printed.getvalue() == block.output, f"{page}:{block.line} prints otherwise"
    finally:
        del sys.modules[name]


def test_block_extraction() -> None:
    """Only ```python blocks are found, indented ones dedented, skipped ones left out."""
    text = "\n".join(
        [
            "# Title",
            "```python",
            "a = 1",
            "```",
            "```sh",
            "make test",
            "```",
            "!!! note",
            "    ```python",
            "    if a:",
            "        b = 2",
            "    ```",
            "<!-- docs-test: skip (illustration) -->",
            "```python",
            "undefined_name()",
            "```",
            "````python",
            "```",
            "c = 3",
            "````",
            "```python",
            "print(c)",
            "```",
            "",
            "```text",
            "3",
            "```",
        ]
    )
    assert python_blocks(text) == [
        Block(3, "a = 1\n"),
        Block(10, "if a:\n    b = 2\n"),
        Block(18, "```\nc = 3\n"),
        Block(22, "print(c)\n", "3\n"),
    ]


# --- the docs' tables match the code ---------------------------------------------------------

_ROW = re.compile(r"^\|\s*`(?P<name>[A-Z_]+)`\s*\|(?P<cells>.*)\|\s*$")


def _table_rows(page: Path, heading: str) -> dict[str, list[str]]:
    """Rows of the first table under ``heading``, keyed by their backquoted first cell."""
    text = page.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        match = _ROW.match(line)
        if match:
            rows[match["name"]] = [cell.strip().strip("`") for cell in match["cells"].split("|")]
    return rows


def test_categories_table_matches_the_code() -> None:
    """docs/core/failures.md lists every Category with its value, status, recovery, retryable."""
    rows = _table_rows(ROOT / "docs" / "core" / "failures.md", "Categories")
    assert list(rows) == [category.name for category in Category]
    for category in Category:
        value, status, recovery, retryable = rows[category.name]
        assert value == category.value
        assert int(status) == category.default_status
        assert recovery == category.default_recovery.name
        assert retryable == ("yes" if Retry(category.default_recovery).retryable else "no")


def test_recovery_table_matches_the_code() -> None:
    """docs/core/failures.md lists every Recovery with whether it is retryable."""
    rows = _table_rows(ROOT / "docs" / "core" / "failures.md", "Retry semantics")
    assert list(rows) == [recovery.name for recovery in Recovery]
    for recovery in Recovery:
        retryable = rows[recovery.name][-1]
        assert retryable == ("yes" if Retry(recovery).retryable else "no")
