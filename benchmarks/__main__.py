"""Run every benchmark: ``python -m benchmarks`` (or ``make bench``); ``python -m benchmarks NAME`` for one.

Each ``benchmarks/bench_*.py`` module has a ``main()`` that times minitorch and its baselines in
the same run and prints a table of times and ratios.
"""

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    chosen = [n for n in names if not argv or any(a in n for a in argv)]
    if not chosen:
        print("no benchmark matches; available: " + ", ".join(names))
        return 1
    for name in chosen:
        print(f"\n=== {name} ===")
        importlib.import_module(f"benchmarks.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
