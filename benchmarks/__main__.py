"""Run the benchmarks and print one table of ratios: ``python -m benchmarks`` (or ``make bench``).

    python -m benchmarks                  every case (a few minutes)
    python -m benchmarks --quick          fewer rounds, smaller top sizes (about a minute)
    python -m benchmarks scalar mlp       only the cases whose module or name contains a word
    python -m benchmarks --threads 2      BLAS / torch threads (default 1, the fair comparison)
    python -m benchmarks --clock wall     elapsed time instead of the process's CPU time
    python -m benchmarks --json run.json  also save the numbers; --compare a.json b.json checks that
                                          two runs agree within their spread
    python -m benchmarks --smoke          tiny sizes, 2 rounds: proves every case runs (used by a test)

Each ``benchmarks/bench_*.py`` module with a ``cases(cfg)`` function adds rows (see harness.py for
the interface). A module with only a ``main()`` is run when named on the command line.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def _select(names: list[str], only: list[str], cfg: Any) -> tuple[dict[str, list[Any]], list[tuple[str, Any]]]:
    """The chosen cases of each ``bench_*`` module that has ``cases()``, and the modules with only ``main()``."""
    chosen: dict[str, list[Any]] = {}
    legacy = []
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        if not hasattr(module, "cases"):
            legacy.append((name, module))
            continue
        picked = [case for case in module.cases(cfg)
                  if not only or any(w.lower() in (name + " " + case.name).lower() for w in only)]
        if picked:
            chosen[name] = picked
    return chosen, legacy


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only cases whose module or name contains one of these words")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller top sizes")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, 2 rounds (checks that everything runs)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (default 1)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per case (default: each case's own)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default=None,
                        help="cpu: the process's CPU time (default with 1 thread: steady on a busy machine); "
                             "wall: elapsed time (default with more threads)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two --json runs and exit")
    parser.add_argument("--module", help=argparse.SUPPRESS)  # internal: run one module's cases in this process
    args = parser.parse_args(argv)

    from .harness import Config, Result, compare_runs, format_table, limit_threads, run, save_json

    if args.compare:
        a, b = (json.loads(Path(p).read_text())["results"] for p in args.compare)
        text, ok = compare_runs(a, b)
        print(text)
        print("every median lies within the other run's min-max" if ok else "some rows differ beyond their spread")
        return 0 if ok else 1

    # Before numpy is imported, so its BLAS starts with these many threads (threadpoolctl enforces it too).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    clock = args.clock or ("cpu" if args.threads == 1 else "wall")
    cfg = Config(quick=args.quick, smoke=args.smoke, threads=args.threads, rounds=args.rounds, clock=clock)

    if args.module:  # a worker: one module's cases, results to the --json file
        chosen, _ = _select([args.module], args.only, cfg)
        limit_threads(args.threads)
        results = run(chosen.get(args.module, []), cfg,
                      progress=lambda n: print(f"  ... {n}", file=sys.stderr, flush=True))
        threads_note = limit_threads(args.threads)  # what the pools are now (a case may have imported torch)
        save_json(args.json, results, {"threads_note": threads_note,
                                       "missing": sorted({m for c in chosen.get(args.module, [])
                                                          for m in getattr(c, "missing", [])})})
        return 0

    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    chosen, legacy = _select(names, args.only, cfg)
    chosen_legacy = [(n, m) for n, m in legacy if args.only and any(w in n for w in args.only)]
    if not chosen and not chosen_legacy:
        print("no benchmark matches; modules: " + ", ".join(names))
        return 1

    import minitorch

    started, load_before = time.time(), _load_average()
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    print(f"minitorch benchmarks ({mode}): minitorch from {Path(minitorch.__file__).parent}")
    print(f"load average at start: {load_before}", flush=True)
    # Each module runs in its own process: one module's imports (torch's 150 000 objects, thread
    # pools) and garbage do not change what another module measures.
    results, notes, missing = [], set(), set()
    passthrough = [f for f, on in (("--quick", args.quick), ("--smoke", args.smoke)) if on]
    passthrough += ["--threads", str(args.threads), "--clock", clock]
    passthrough += ["--rounds", str(args.rounds)] if args.rounds else []
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            out = Path(tmp) / f"{name}.json"
            cmd = [sys.executable, "-m", "benchmarks", "--module", name, "--json", str(out), *passthrough, *args.only]
            if subprocess.run(cmd, cwd=Path(__file__).resolve().parents[1]).returncode != 0:
                print(f"benchmarks: {name} failed (see above)", file=sys.stderr)
                return 1
            data = json.loads(out.read_text())
            notes.add(f"{name}: {data['meta']['threads_note']}")
            missing.update(data["meta"]["missing"])
            results += [Result(r["case"], r["baseline"], r["values"], r["subject_seconds_per_round"], r["kind"])
                        for r in data["results"]]
    print(f"threads: {args.threads} ({' | '.join(sorted(notes))})")
    print(f"clock: {'CPU time of the process (time.process_time)' if clock == 'cpu' else 'wall time (time.perf_counter)'}")
    print(flush=True)
    print(format_table(results))
    print()
    print("ratio = minitorch time / baseline time, paired within each round (order rotated, gc.collect() "
          "untimed before each block);\nmedian and min\u2013max over the rounds; below 1 minitorch is faster. "
          "slope = growth of minitorch's time with size (1 = linear).")
    for note in sorted(missing):
        print(f"not compared: {note}")
    for name, module in legacy:
        if (name, module) not in chosen_legacy:
            print(f"not in the table: {name} (no cases(); run it with: python -m benchmarks {name.removeprefix('bench_')})")
    print(f"load average at end: {_load_average()}; {time.time() - started:.0f} s")
    if args.json:
        save_json(args.json, results, {"threads": args.threads, "clock": clock, "mode": mode, "load_start": load_before,
                                       "load_end": _load_average(), "minitorch": str(Path(minitorch.__file__).parent)})
    for name, module in chosen_legacy:
        print(f"\n=== {name} ===")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
