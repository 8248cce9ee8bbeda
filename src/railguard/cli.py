"""The ``railguard`` command: catalog, explain, demo."""

from __future__ import annotations

import argparse
import runpy
import sys
from collections.abc import Sequence
from pathlib import Path

from railguard import catalog
from railguard.core import lookup


def _catalog(*, markdown: bool = False) -> int:
    if markdown:
        from railguard.families import catalog_markdown  # noqa: PLC0415  # only for this option

        print(catalog_markdown(), end="")
        return 0
    for cls in catalog():
        print(f"{cls.default_code:<40} {cls.__module__}.{cls.__qualname__}")
    return 0


def _explain(code: str) -> int:
    cls = lookup(code)
    if cls is None:
        list(catalog())  # import the families, then look again
        cls = lookup(code)
    if cls is None:
        print(f"unknown failure code: {code!r}", file=sys.stderr)
        return 2
    print(f"{cls.__qualname__} ({cls.__module__})")
    print(f"  code:     {cls.default_code}")
    print(f"  category: {cls.default_category.value}")
    print(f"  doc:      {(cls.__doc__ or '').strip().splitlines()[0]}")
    return 0


DEMOS = ("railway.py", "service_demo.py")


def _demo() -> int:
    examples = Path(__file__).resolve().parents[2] / "examples"
    if not examples.is_dir():
        print("the demo ships with the source tree (examples/)", file=sys.stderr)
        return 2
    for name in DEMOS:
        print(f"== examples/{name}")
        runpy.run_path(str(examples / name), run_name="__main__")
        print()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``railguard`` console script."""
    parser = argparse.ArgumentParser(prog="railguard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("catalog", help="list every registered failure code")
    listing.add_argument(
        "--markdown", action="store_true", help="print the catalog page (one Markdown table)"
    )
    explain = sub.add_parser("explain", help="describe the failure registered under CODE")
    explain.add_argument("code")
    sub.add_parser("demo", help="run the railway demo")
    args = parser.parse_args(argv)
    if args.command == "catalog":
        return _catalog(markdown=args.markdown)
    if args.command == "explain":
        return _explain(args.code)
    return _demo()


if __name__ == "__main__":
    raise SystemExit(main())
