"""Run every ``benchmarks/bench_*.py`` module's ``run()`` and print the ratios."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from benchmarks._harness import Ratio


def main() -> int:
    """Print one line per comparison; the exit status is always 0 (figures, not tests)."""
    here = Path(__file__).parent
    only = set(sys.argv[1:])
    rows: list[Ratio] = []
    for module in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if not module.name.startswith("bench_"):
            continue
        if only and module.name.removeprefix("bench_") not in only:
            continue
        bench = importlib.import_module(f"benchmarks.{module.name}")
        rows.extend(bench.run())
    width = max((len(r.name) for r in rows), default=10)
    for r in rows:
        mark = "met" if r.met else "NOT met"
        print(f"{r.name:<{width}}  ratio {r.ratio:6.3f}  target {r.target:<6}  {mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
