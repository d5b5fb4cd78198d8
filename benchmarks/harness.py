"""The benchmark harness: paired, interleaved, rotated rounds, reported as ratios with their spread.

How a measurement is taken (and why), for every case:

* All implementations of a case (minitorch first, then its baselines) run in the same **round**, one
  timed block each, and the round's result is the **ratio** ``minitorch time / baseline time``. A
  busy machine slows a whole round, not one implementation, so the ratio is steadier than either
  time. The table shows the **median** ratio over the rounds and its **min–max** (the spread).
* The **order rotates** from round to round (round r starts with implementation r mod k), so no
  implementation always runs right after another one's thread pools or garbage.
* ``gc.collect()`` runs, untimed, before each timed block: a block does not pay for the cyclic
  garbage left by the previous one. Inside the block the collector runs as usual (``gc=True``) or
  is switched off (``gc=False``) -- the cost of an engine's own garbage is part of its time.
  Everything that exists once a case is built and warmed up (imported modules -- torch alone
  brings some 500 000 objects --, weights, optimizer state) is moved out of the collector's sight
  with ``gc.freeze()``: a collection inside a block then walks what the step itself keeps alive,
  not whatever else the benchmark process happens to have imported.
* **CPU time** of the process (``time.process_time``) by default, not wall-clock time: on a machine
  shared with other work, wall time mostly measures when the scheduler let the process run (a 30 ms
  block may or may not lose a 10 ms time slice). CPU time counts only the work done -- the
  collector's and the allocator's included. ``--clock wall`` measures wall time instead, and is
  the default with ``--threads`` above 1 (CPU time would add up every thread's time, spinning
  included).
* 1 BLAS thread by default for numpy and torch alike (threadpoolctl; ``torch.set_num_threads``):
  two libraries' thread pools then do not compete for the same cores. ``--threads N`` for others.
* Before timing, each case may **check** that its implementations compute the same numbers: a
  benchmark of two different computations would be meaningless.

Adding a case (e.g. ``benchmarks/bench_conv.py``): define ``cases(cfg: Config) -> list[Case | Slope]``
in a module named ``bench_*.py``; ``python -m benchmarks`` finds it and adds its rows to the table::

    def cases(cfg):
        def make():                       # fresh state for every implementation
            return {"minitorch": step_a, "numpy by hand": step_b}   # first = the subject
        return [Case("conv 3x3, 8 channels", make, calls=cfg.pick(20, quick=5, smoke=1),
                     check=same_losses)]  # check(outputs) gets {impl: [warm-up calls' return values]}

``cfg.pick(full, quick=..., smoke=...)`` chooses a size for ``--quick`` and ``--smoke`` (tiny sizes
for the test that keeps the benchmarks from rotting). A baseline that is not installed is simply left
out of the dict (say so with ``missing``). No case asserts anything about speed.
"""

from __future__ import annotations

import gc
import json
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

__all__ = ["Config", "Case", "Slope", "Result", "run", "format_table", "limit_threads", "compare_runs", "same_outputs"]

Impls = dict[str, Callable[[], Any]]


@dataclass
class Config:
    """What the user asked for: ``quick`` (fewer rounds, smaller top sizes), ``smoke`` (tiny sizes,
    2 rounds: proves the cases run, measures nothing), ``threads`` (BLAS/torch threads), ``clock``."""

    quick: bool = False
    smoke: bool = False
    threads: int = 1
    rounds: int | None = None  # overrides every case's default
    clock: str = "cpu"  # "cpu": time.process_time; "wall": time.perf_counter

    def pick(self, full: Any, quick: Any = None, smoke: Any = None) -> Any:
        """``full`` normally, ``quick`` with --quick (default: full), ``smoke`` with --smoke."""
        if self.smoke and smoke is not None:
            return smoke
        if (self.quick or self.smoke) and quick is not None:
            return quick
        return full


@dataclass
class Case:
    """One workload, written once per implementation, compared as paired ratios.

    Args:
        name: the row's label, e.g. ``"tensor MLP 784-256-10, Adam"``.
        make: builds the implementations: ``{name: fn}``, the subject (minitorch) first. ``fn()`` runs
            one step; called ``calls`` times per timed block.
        calls: calls per timed block (enough that a block takes a few ms or more).
        rounds: rounds of the case (``Config.rounds`` overrides it; smoke runs take 2).
        gc: whether the cyclic garbage collector runs inside the timed blocks.
        warmup: untimed calls of each implementation before the first round.
        check: ``check(outputs)`` raises if the implementations disagree; ``outputs[name]`` is the
            list of return values of that implementation's ``warmup`` calls (say, its first losses).
        missing: baselines that could not be loaded (shown as a note, e.g. "micrograd not installed").
    """

    name: str
    make: Callable[[], Impls]
    calls: int = 1
    rounds: int = 11
    gc: bool = True
    warmup: int = 2
    check: Callable[[dict[str, Any]], None] | None = None
    missing: list[str] = field(default_factory=list)


@dataclass
class Slope:
    """How the subject's time grows with a size: the log-log slope of seconds against ``sizes``.

    Each round times every size once (sizes in rotated order) and fits a line to (log size,
    log seconds); the table shows the median slope and its min–max. Slope 1 is linear growth.

    Args:
        make: ``make(size)`` returns ``(fn, measured_size)``: one workload of about that size, and its
            actual size (e.g. the number of graph nodes it builds), which is what the fit uses.
    """

    name: str
    sizes: Sequence[int]
    make: Callable[[int], tuple[Callable[[], Any], int]]
    rounds: int = 5
    gc: bool = True
    unit: str = "nodes"


@dataclass
class Result:
    """One row of the table: ``values`` (one per round) of ``subject`` against ``baseline``."""

    case: str
    baseline: str
    values: list[float]
    subject_seconds: list[float]  # the subject's time per call, per round (slopes: at the largest size)
    kind: str = "ratio"  # or "slope"

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def as_dict(self) -> dict[str, Any]:
        return {"case": self.case, "baseline": self.baseline, "kind": self.kind, "values": self.values,
                "median": self.median, "min": min(self.values), "max": max(self.values),
                "subject_seconds": statistics.median(self.subject_seconds),
                "subject_seconds_per_round": self.subject_seconds}


def same_outputs(rtol: float) -> Callable[[dict[str, Any]], None]:
    """A check for cases whose steps return arrays (or dicts / tuples of them, or floats): every
    implementation's warm-up outputs equal the subject's, each array within ``rtol`` of its largest
    magnitude (a gradient's small entries carry the rounding of its large ones)."""
    import numpy as np

    def leaves(x: Any) -> list[Any]:
        if isinstance(x, dict):
            return [leaf for key in sorted(x) for leaf in leaves(x[key])]
        if isinstance(x, (list, tuple)):
            return [leaf for item in x for leaf in leaves(item)]
        return [np.asarray(x, dtype=np.float64)]

    def check(outputs: dict[str, Any]) -> None:
        (subject, reference), *others = outputs.items()
        want = leaves(reference)
        for name, got in others:
            got = leaves(got)
            if len(got) != len(want):
                raise AssertionError(f"{name} returns {len(got)} arrays, {subject} {len(want)}")
            for i, (a, b) in enumerate(zip(got, want)):
                if a.shape != b.shape:
                    raise AssertionError(f"{name}'s output {i} has shape {a.shape}, {subject}'s {b.shape}")
                worst = float(np.abs(a - b).max() / (np.abs(b).max() + 1e-30)) if b.size else 0.0
                if worst > rtol:
                    raise AssertionError(f"{name} disagrees with {subject} in output {i} of {len(want)} "
                                         f"(relative difference {worst:.1e}, allowed {rtol:.0e})")

    return check


# ---------------------------------------------------------------------- threads
_limiters: list[Any] = []  # threadpoolctl's limiters, kept alive for the whole run


def limit_threads(n: int) -> str:
    """Limit the thread pools loaded so far -- numpy's BLAS, OpenMP (threadpoolctl) and torch's intra-op
    pool -- to ``n`` threads. Called again after each case is built, since a case may import torch.

    Returns a description of the pools for the table's header.
    """
    notes = []
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        notes.append("threadpoolctl not installed: numpy's BLAS threads follow OPENBLAS_NUM_THREADS="
                     + os.environ.get("OPENBLAS_NUM_THREADS", "unset"))
    else:
        _limiters.append(threadpool_limits(limits=n))
        pools = sorted({f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info()})
        notes.append("thread pools: " + ", ".join(pools))
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(n)
        notes.append(f"torch={torch.get_num_threads()}")
    return "; ".join(notes)


# ---------------------------------------------------------------------- measuring
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def _timed_block(fn: Callable[[], Any], calls: int, gc_on: bool, clock: str = "cpu") -> float:
    """Seconds for ``calls`` calls of ``fn``; the cyclic garbage is collected first, untimed."""
    now = CLOCKS[clock]
    gc.collect()
    was_enabled = gc.isenabled()
    if not gc_on:
        gc.disable()
    try:
        start = now()
        for _ in range(calls):
            fn()
        return now() - start
    finally:
        if was_enabled:
            gc.enable()


def _rounds(case: Case | Slope, cfg: Config) -> int:
    if cfg.rounds is not None:
        return cfg.rounds
    return 2 if cfg.smoke else case.rounds


def run_case(case: Case, cfg: Config) -> list[Result]:
    """Time ``case``: one Result per baseline (an empty list when no baseline is installed)."""
    impls = case.make()
    limit_threads(cfg.threads)  # the case may have loaded a library with its own thread pool (torch)
    names = list(impls)
    outputs = {name: [impls[name]() for _ in range(max(case.warmup, 1))] for name in names}
    if case.check is not None:
        case.check(outputs)
    del outputs
    _freeze()
    subject, baselines = names[0], names[1:]
    ratios: dict[str, list[float]] = {b: [] for b in baselines}
    subject_seconds = []
    for r in range(_rounds(case, cfg)):
        order = names[r % len(names):] + names[:r % len(names)]
        seconds = {name: _timed_block(impls[name], case.calls, case.gc, cfg.clock) for name in order}
        subject_seconds.append(seconds[subject] / case.calls)
        for b in baselines:
            ratios[b].append(seconds[subject] / seconds[b])
    gc.unfreeze()
    return [Result(case.name, b, ratios[b], subject_seconds) for b in baselines]


def _freeze() -> None:
    """Collect, then hide every object that exists now from later collections (see the docstring)."""
    gc.collect()
    gc.freeze()


def loglog_slope(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """Least-squares slope of log(seconds) against log(size)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in seconds]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def run_slope(case: Slope, cfg: Config) -> list[Result]:
    workloads = [case.make(size) for size in case.sizes]
    for fn, _ in workloads:  # warm-up (and proof that every size runs)
        fn()
    _freeze()
    slopes, top = [], []
    for r in range(_rounds(case, cfg)):
        k = r % len(workloads)
        order = list(range(k, len(workloads))) + list(range(k))
        seconds = {i: _timed_block(workloads[i][0], 1, case.gc, cfg.clock) for i in order}
        slopes.append(loglog_slope([w[1] for w in workloads], [seconds[i] for i in range(len(workloads))]))
        top.append(seconds[len(workloads) - 1])
    gc.unfreeze()
    lo, hi = workloads[0][1], workloads[-1][1]
    return [Result(case.name, f"log-log slope, {_si(lo)}-{_si(hi)} {case.unit}", slopes, top, kind="slope")]


def run(cases: Sequence[Case | Slope], cfg: Config, progress: Callable[[str], None] | None = None) -> list[Result]:
    results = []
    for case in cases:
        if progress:
            progress(case.name)
        results += run_slope(case, cfg) if isinstance(case, Slope) else run_case(case, cfg)
    return results


# ---------------------------------------------------------------------- reporting
def _si(n: float) -> str:
    for unit, scale in (("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n:.0f}"


def _duration(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} us"


HEADER = ("case", "baseline", "median", "min\u2013max", "minitorch/call")


def format_table(results: Sequence[Result]) -> str:
    """One table: a row per (case, baseline) with the median ratio (or slope) and its min-max."""
    rows = [HEADER]
    for res in results:
        mark = "x" if res.kind == "ratio" else ""
        rows.append((res.case, res.baseline, f"{res.median:.2f}{mark}",
                     f"{min(res.values):.2f}\u2013{max(res.values):.2f}",
                     _duration(statistics.median(res.subject_seconds))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])] + [c.rjust(w) for c, w in zip(row[2:], widths[2:])]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def compare_runs(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> tuple[str, bool]:
    """Do two runs agree? Each row's median must lie within the other run's min-max."""
    index = {(r["case"], r["baseline"]): r for r in a}
    rows, ok = [("case", "baseline", "run A: median (min-max)", "run B: median (min-max)", "")], True
    for rb in b:
        ra = index.get((rb["case"], rb["baseline"]))
        if ra is None:
            continue
        agree = ra["min"] <= rb["median"] <= ra["max"] and rb["min"] <= ra["median"] <= rb["max"]
        ok &= agree
        rows.append((rb["case"], rb["baseline"], f"{ra['median']:.2f} ({ra['min']:.2f}\u2013{ra['max']:.2f})",
                     f"{rb['median']:.2f} ({rb['min']:.2f}\u2013{rb['max']:.2f})", "agree" if agree else "DIFFER"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines), ok


def save_json(path: str, results: Sequence[Result], meta: dict[str, Any]) -> None:
    with open(path, "w") as f:
        json.dump({"meta": meta, "results": [r.as_dict() for r in results]}, f, indent=1)
