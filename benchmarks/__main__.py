"""Run every ``benchmarks/bench_*.py`` module's ``run()`` and print the ratios.

``python -m benchmarks [core retry http ...]`` runs only the named groups.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from benchmarks._harness import Ratio, describe


def _line(r: Ratio, width: int) -> str:
    low, high = r.spread
    mark = "info" if r.target == "-" else ("met" if r.met else "NOT met")
    figures = f"{describe(r.railguard, r.unit)} vs {describe(r.baseline, r.unit)}"
    return (
        f"{r.name:<{width}}  ratio {r.ratio:6.3f}  [{low:5.2f}-{high:5.2f}]"
        f"  target {r.target:<7} {mark:<8} ({figures})"
    )


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
    print("ratio = railguard / peer (median of alternating rounds) [10th-90th percentile]")
    for r in rows:
        print(_line(r, width))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
