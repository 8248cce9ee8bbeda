"""Print CLI output as plain text, Markdown or (when ``rich`` is installed) a terminal table.

Commands build a list of blocks (`Heading`, `Pairs`, `Table`, `Code`, `Note`) once;
one renderer per format prints them. Plain text is the fallback and what goes to a
file or a pipe: fixed columns, no colour, no box characters.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from collections.abc import Sequence
from typing import TextIO

import attrs

__all__ = [
    "Block",
    "Code",
    "Heading",
    "Note",
    "Pairs",
    "Table",
    "render",
    "rich_available",
]


@attrs.frozen
class Heading:
    """A section title."""

    text: str


@attrs.frozen
class Pairs:
    """``label: value`` lines."""

    items: tuple[tuple[str, str], ...]


@attrs.frozen
class Table:
    """Rows under column headers."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@attrs.frozen
class Code:
    """Verbatim text (an envelope, a frame) with its language for Markdown."""

    text: str
    language: str = "text"


@attrs.frozen
class Note:
    """A sentence of explanation."""

    text: str


Block = Heading | Pairs | Table | Code | Note


def rich_available() -> bool:
    """Whether the optional ``rich`` package (the ``cli`` extra) is installed."""
    return importlib.util.find_spec("rich") is not None


def render(blocks: Sequence[Block], fmt: str, out: TextIO | None = None) -> None:
    """Print ``blocks`` as ``table`` (rich on a terminal, else plain) or ``markdown``."""
    stream = out if out is not None else sys.stdout
    if fmt == "markdown":
        stream.write(markdown(blocks))
    elif stream.isatty() and rich_available():
        _rich(blocks, stream)
    else:
        stream.write(plain(blocks))


def _plain_table(table: Table, indent: str = "  ") -> list[str]:
    widths = [
        max(len(cell) for cell in column) for column in zip(table.columns, *table.rows, strict=True)
    ]
    widths[-1] = 0  # the last column is not padded
    lines = [indent + "  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True))]
    lines.append(
        indent + "  ".join("-" * max(w, len(c)) for c, w in zip(table.columns, widths, strict=True))
    )
    lines.extend(
        indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table.rows
    )
    return lines


def plain(blocks: Sequence[Block]) -> str:
    """Readable text without colour or box characters (files, pipes, tests)."""
    lines: list[str] = []
    for block in blocks:
        match block:
            case Heading(text):
                lines.extend(["", text] if lines else [text])
            case Pairs(items):
                width = max((len(label) for label, _ in items), default=0)
                lines.extend(f"  {label + ':':<{width + 1}} {value}" for label, value in items)
            case Table():
                lines.extend(_plain_table(block))
            case Code(text):
                lines.extend(("    " + line).rstrip() for line in text.splitlines())
            case Note(text):
                lines.extend(textwrap.wrap(text, 100, initial_indent="  ", subsequent_indent="  "))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(blocks: Sequence[Block]) -> str:
    """GitHub-flavoured Markdown: headings, tables and fenced code."""
    parts: list[str] = []
    for block in blocks:
        match block:
            case Heading(text):
                parts.append(f"## {text}")
            case Pairs(items):
                rows = "\n".join(f"| {label} | {_cell(value)} |" for label, value in items)
                parts.append("| | |\n|---|---|\n" + rows)
            case Table(columns, rows):
                head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns)
                body = "\n".join("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
                parts.append(head + "\n" + body)
            case Code(text, language):
                parts.append(f"```{language}\n{text}\n```")
            case Note(text):
                parts.append(text)
    return "\n\n".join(parts) + "\n"


def _rich(blocks: Sequence[Block], stream: TextIO) -> None:
    from rich.console import Console  # noqa: PLC0415  # optional extra
    from rich.syntax import Syntax  # noqa: PLC0415
    from rich.table import Table as RichTable  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    console = Console(file=stream, highlight=False)
    for block in blocks:
        match block:
            case Heading(text):
                console.rule(Text(text, style="bold"), align="left")
            case Pairs(items):
                grid = RichTable.grid(padding=(0, 2))
                grid.add_column(style="bold cyan", no_wrap=True)
                grid.add_column()
                for label, value in items:
                    grid.add_row(Text(label), Text(value))
                console.print(grid)
            case Table(columns, rows):
                table = RichTable(*columns, header_style="bold", show_lines=False)
                for row in rows:
                    table.add_row(*(Text(cell) for cell in row))
                console.print(table)
            case Code(text, language):
                console.print(Syntax(text, language, word_wrap=True, theme="ansi_dark"))
            case Note(text):
                console.print(Text(text, style="dim"))
