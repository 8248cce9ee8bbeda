"""The ``railguard`` command: catalog, explain, decode, demo.

Built on argparse; each command assembles output blocks (`railguard.cli._render`)
that print as plain text, Markdown, ``rich`` tables (the ``cli`` extra, on a
terminal) or JSON. See ``docs/cli.md`` for the exit codes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import railguard

from ._capture import CaptureError, read_capture
from ._commands import (
    catalog_blocks,
    catalog_data,
    decode_blocks,
    decode_data,
    explain_blocks,
)
from ._config import ConfigError, configured_imports, find_pyproject, import_modules
from ._describe import codes, describe, find, suggestions
from ._render import Block, render

__all__ = ["EXIT_MISSING_EXTRA", "EXIT_NOT_FOUND", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK: Final = 0
"""The command did what it was asked."""
EXIT_NOT_FOUND: Final = 1
"""``explain``: no failure has that code (or no sample of it can be built);
``decode``: the input is not an error."""
EXIT_USAGE: Final = 2
"""Bad arguments, unreadable input, or an ``--import`` module that cannot be imported."""
EXIT_MISSING_EXTRA: Final = 3
"""``demo``: an optional dependency is not installed."""

_DESCRIPTION = """\
Typed failures for Python services: list them, explain one, decode a captured
error response or WebSocket frame, or watch the live demo."""

_EPILOG = """\
examples:
  railguard explain agent_not_found          codes are case-insensitive
  railguard catalog --import shop.failures   include your application's failures
  curl -si http://127.0.0.1:8000/agents/x | railguard decode
  railguard demo                             live FastAPI + httpx + WebSocket + retry

configuration (pyproject.toml of the current project):
  [tool.railguard]
  import = ["shop.failures"]                 modules whose failures catalog/explain know

exit codes:
  0  success
  1  explain: unknown code (or no sample can be built); decode: not an error
  2  usage error, unreadable input, or a module that cannot be imported
  3  demo: an optional dependency is missing (pip install 'railguard[demo]')"""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE first so its failure classes are known (repeatable)",
    )
    common.add_argument(
        "--format",
        choices=("table", "json", "markdown"),
        default="table",
        help="output format (default: table; rich tables on a terminal when installed)",
    )
    parser = argparse.ArgumentParser(
        prog="railguard",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"railguard {railguard.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = sub.add_parser(
        "catalog",
        parents=[common],
        help="list every registered failure",
        description=(
            "List every registered failure: code, public class, exception, status, "
            "category and recovery."
        ),
    )
    listing.add_argument(
        "--markdown",
        action="store_true",
        help="print the docs' catalog page (docs/families/catalog.md)",
    )
    explain = sub.add_parser(
        "explain",
        parents=[common],
        help="everything about one failure code",
        description=(
            "Show one failure: class, exception, family, fields, status, category, recovery, "
            "fatal, and its exact HTTP envelope in every style, WebSocket frame, close code "
            "and exception."
        ),
    )
    explain.add_argument("code", help="a failure code, any case (AGENT_NOT_FOUND, agent_not_found)")
    decode = sub.add_parser(
        "decode",
        parents=[common],
        help="decode a captured error response or WebSocket frame",
        description=(
            "Read `curl -i` output, a response body (with --status), a WebSocket error frame, "
            "or a close reason (with --close-code) from FILE or standard input, and print the "
            "failure it is."
        ),
    )
    decode.add_argument("file", nargs="?", default="-", help="input file (default: standard input)")
    decode.add_argument("--status", type=int, help="the input is a body answered with this status")
    decode.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a response header (repeatable)",
    )
    decode.add_argument(
        "--close-code", type=int, help="the input is the reason of a close with this code"
    )
    decode.add_argument(
        "--style",
        choices=("auto", "agents", "problem", "bridge", "kneo"),
        default="auto",
        help="HTTP envelope style (default: auto, by content type and shape)",
    )
    sub.add_parser(
        "demo",
        help="live demo: FastAPI, httpx, WebSocket and retry over loopback",
        description=(
            "Serve a small FastAPI app on 127.0.0.1 and call it with the typed httpx client, "
            "a WebSocket session and retry, printing what crossed the wire at each step."
        ),
    )
    return parser


def _emit(blocks: list[Block], data: Any, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        render(blocks, fmt)


def _explain(code: str, fmt: str) -> int:
    cls = find(code)
    if cls is None:
        near = suggestions(code, codes())
        hint = f" Did you mean: {', '.join(near)}?" if near else ""
        print(f"railguard: unknown failure code {code!r}.{hint}", file=sys.stderr)
        print(
            "  `railguard catalog` lists every code; `--import MODULE` adds yours.", file=sys.stderr
        )
        return EXIT_NOT_FOUND
    try:
        description = describe(cls)
    except TypeError as exc:  # a required field's validator rejects every placeholder
        print(f"railguard: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    _emit(explain_blocks(description), description.as_json(), fmt)
    return EXIT_OK


def _decode(args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        capture = read_capture(
            text,
            status=args.status,
            headers=args.header,
            close_code=args.close_code,
            style=args.style,
        )
    except (OSError, UnicodeDecodeError, CaptureError) as exc:
        print(f"railguard decode: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _emit(decode_blocks(capture), decode_data(capture), args.format)
    return EXIT_OK if capture.failure is not None else EXIT_NOT_FOUND


def _demo() -> int:
    from railguard._demo import MissingExtra, run  # noqa: PLC0415  # imports frameworks

    try:
        run()
    except MissingExtra as missing:
        print(f"railguard demo: {missing}", file=sys.stderr)
        return EXIT_MISSING_EXTRA
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``railguard`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:  # `railguard catalog | head`: the reader left, which is fine
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  # silence the flush at exit
        return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        return _demo()
    root = Path.cwd()
    try:
        import_modules([*configured_imports(find_pyproject(root)), *args.imports], root=root)
    except ConfigError as exc:
        print(f"railguard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    railguard.catalog()  # imports every family: decoding and lookups see the whole catalog
    if args.command == "catalog":
        if args.markdown:
            from railguard.families import catalog_markdown  # noqa: PLC0415  # only for this option

            print(catalog_markdown(), end="")
            return EXIT_OK
        _emit(catalog_blocks(), catalog_data(), args.format)
        return EXIT_OK
    if args.command == "explain":
        return _explain(args.code, args.format)
    return _decode(args)
