"""Graded tests for lesson 18 (making it fast). Each test takes ``nb``, the notebook's namespace.

No test here times anything: a grade must not depend on the machine's speed or load. Instead

* the speed-up report (18.1) is a pure function of given timing samples, checked on fixed synthetic
  samples against ``statistics.median`` of the per-round ratios computed here;
* the timing harness (18.2) runs against a **fake clock** that advances by a fixed cost per call of
  each workload (and by a large jump whenever a full garbage collection runs), so the times it must
  report are known exactly; the order of calls and the collector's state are recorded as it runs;
* the hot-spot finder (18.3) reads ``pstats.Stats`` objects whose numbers are set by the test, and a
  real profile whose call counts (unlike its times) are deterministic;
* the in-place optimizer step (18.4) and the fused op (18.5) are compared with the textbook formulas
  in numpy, and their allocations are measured with ``tracemalloc``: how many bytes a function
  allocates is the same on every machine.
"""

import cProfile
import gc
import math
import pstats
import statistics
import tracemalloc

import numpy as np

from minitorch.course import Exercise, graded
from minitorch.testing import assert_close

EXERCISES = [
    Exercise("18.1", "A speed-up as a ratio with its spread", points=2, hints=(
        "Each round timed both versions back to back, so divide within a round: one ratio per round. The "
        "report is the middle of those ratios, with the smallest and the largest as the spread.",
        "check both lists have the same, non-zero length (ValueError otherwise); ratios = a_i / b_i for each "
        "round i; return (median of ratios, min of ratios, max of ratios) as floats.",
        "ratios = [a / b for a, b in zip(times_a, times_b)]",
    )),
    Exercise("18.2", "A fair timing harness", points=3, timeout=30, hints=(
        "Call every function a few times before timing anything. Then, round after round, time one block of "
        "each function, starting each round with the next function in turn. Before each block collect the "
        "garbage (untimed), keep the collector off inside the block, and put it back as you found it.",
        "warm up each fn `warmup` times; for r in range(rounds): order = names rotated by r; for each name: "
        "gc.collect(); gc.disable(); start = clock(); call fn `number` times; append (clock() - start) / number; "
        "re-enable the collector if it was on (use try/finally).",
        "order = names[r % len(names):] + names[:r % len(names)]",
    )),
    Exercise("18.3", "Find the hot spot in a profile", points=2, hints=(
        "stats.stats maps each function, (file, line, name), to a tuple of five numbers: primitive calls, all "
        "calls, own time, cumulative time, callers. Pick the position that `by` names and take the largest.",
        "column = {'ncalls': 1, 'tottime': 2, 'cumtime': 3}[by] (ValueError for anything else); key = the "
        "function with the largest entry[column]; return (key's name, that value).",
        "func = max(stats.stats, key=lambda f: stats.stats[f][column])",
    )),
    Exercise("18.4", "An SGD-with-momentum step that allocates nothing", points=3, hints=(
        "Every arithmetic expression on arrays creates a new array. Write each step's result straight into "
        "an array you already have: buf and param are updated where they are, and scratch is there for the "
        "one intermediate result (lr times buf).",
        "buf *= momentum; buf += grad; multiply buf by lr into scratch (out=); param -= scratch.",
        "np.multiply(buf, lr, out=scratch)",
    )),
    Exercise("18.5", "A fused bias + ReLU", points=3, hints=(
        "One node instead of two: compute x + b once into a new array, then apply the ReLU to that same array "
        "in place. The backward needs only that result: the gradient passes where it is positive, and b's "
        "gradient sums x's over the batch.",
        "data ← a new array holding the sum of the two arrays; clip data at 0 in place (its own out); node ← a "
        "Tensor of data with parents x and b and op 'bias_relu'; backward(g): gx ← g where data is positive, 0 "
        "elsewhere; return gx and gx summed over the batch axis.",
        "np.maximum(data, 0, out=data)",
    )),
]


# ------------------------------------------------------------------------------------------- 18.1
def _speedup(nb, a, b):
    got = nb.paired_speedup(list(a), list(b))
    assert isinstance(got, tuple) and len(got) == 3, f"return (median, low, high), a tuple of 3; got {got!r}"
    return tuple(float(v) for v in got)


def _diagnose(a, b, median):
    """Name the usual wrong summaries, when the learner's median equals one of them."""
    wrong = {
        "the ratio of the two medians": statistics.median(a) / statistics.median(b),
        "the ratio of the two best (smallest) times": min(a) / min(b),
        "the mean of the ratios": statistics.fmean(x / y for x, y in zip(a, b)),
        "the ratio of the two means": statistics.fmean(a) / statistics.fmean(b),
        "ratios of the sorted lists": statistics.median(x / y for x, y in zip(sorted(a), sorted(b))),
        "the inverse ratio, b / a": statistics.median(y / x for x, y in zip(a, b)),
    }
    for name, value in wrong.items():
        if math.isclose(median, value, rel_tol=1e-9):
            return (f" — that is {name}. Pair the times round by round (a round slows both versions alike), "
                    "divide within each round, and take the median of those ratios")
    return ""


@graded("18.1", hint="Divide within each round, then summarise the ratios.")
def test_a_constant_speed_up(nb):
    assert_close(_speedup(nb, [2.0, 4.0, 6.0], [1.0, 2.0, 3.0]), [2.0, 2.0, 2.0],
                 msg="times_a = [2, 4, 6], times_b = [1, 2, 3]: every round says 2x")


@graded("18.1", hint="A busy round slows both versions: the ratio within a round is what survives the noise.")
def test_noisy_rounds_are_paired_not_pooled(nb):
    a = [10.0, 1.0, 5.0, 2.0, 3.0]
    b = [5.0, 1.0, 10.0, 1.0, 1.0]
    ratios = [x / y for x, y in zip(a, b)]   # 2, 1, 0.5, 2, 3
    want = (statistics.median(ratios), min(ratios), max(ratios))
    got = _speedup(nb, a, b)
    assert math.isclose(got[0], want[0], rel_tol=1e-12), (
        f"times_a = {a}, times_b = {b}: the median of the per-round ratios is {want[0]}, got {got[0]}"
        + _diagnose(a, b, got[0]))
    assert_close(got[1:], want[1:], rtol=1e-12,
                 msg=f"times_a = {a}, times_b = {b}: the spread is the smallest and largest per-round ratio")


@graded("18.1", hint="With an even number of rounds the median is the mean of the two middle ratios.")
def test_an_even_number_of_rounds(nb):
    a, b = [3.0, 1.0, 8.0, 2.0], [1.0, 1.0, 2.0, 1.0]   # ratios 3, 1, 4, 2 -> median 2.5
    assert_close(_speedup(nb, a, b), [2.5, 1.0, 4.0], msg=f"times_a = {a}, times_b = {b}")


@graded("18.1", hint="Refuse samples that cannot be paired: raise ValueError.")
def test_unpaired_samples_are_refused(nb):
    for a, b, what in [([1.0, 2.0], [1.0], "lists of different lengths"), ([], [], "two empty lists")]:
        try:
            nb.paired_speedup(a, b)
        except ValueError:
            continue
        except NotImplementedError:
            raise
        except Exception as e:  # noqa: BLE001 - any other error is the learner's, reported as such
            raise AssertionError(f"{what}: expected ValueError, got {type(e).__name__}: {e}") from None
        raise AssertionError(f"{what}: expected ValueError (they cannot be paired round by round)")


# ------------------------------------------------------------------------------------------- 18.2
class _Bench:
    """Fake workloads and a fake clock: time advances only when a workload runs (by its cost) or when a
    full collection starts (by GC_JUMP), so the right harness reports exactly the costs."""

    GC_JUMP = 1000.0

    def __init__(self, costs):
        self.now, self.log, self.gc_states, self.full_collections = 0.0, [], [], 0
        self.fns = {name: self._workload(name, cost) for name, cost in costs.items()}

    def _workload(self, name, cost):
        def fn():
            self.now += cost
            self.log.append(name)
            self.gc_states.append(gc.isenabled())
        return fn

    def clock(self):
        self.log.append("clock")
        return self.now

    def _on_gc(self, phase, info):
        if phase == "start" and info.get("generation") == 2:
            self.full_collections += 1
            self.now += self.GC_JUMP
            self.log.append("gc")

    def run(self, nb, **kwargs):
        was_enabled = gc.isenabled()
        gc.collect()
        gc.freeze()   # hide the test process's objects: each gc.collect() the harness makes then takes microseconds
        gc.callbacks.append(self._on_gc)
        gc.enable()
        try:
            result = nb.compare_timings(self.fns, clock=self.clock, **kwargs)
            self.enabled_after = gc.isenabled()
        finally:
            gc.callbacks.remove(self._on_gc)
            gc.unfreeze()
            (gc.enable if was_enabled else gc.disable)()
        return result

    def blocks(self):
        """The timed blocks in order, as [name, calls]: the calls between two clock readings."""
        first_clock = self.log.index("clock") if "clock" in self.log else len(self.log)
        out, current = [], []
        for entry in self.log[first_clock:] + ["clock"]:
            if entry == "clock":
                if current:
                    out.append([current[0] if len(set(current)) == 1 else "+".join(current), len(current)])
                current = []
            elif entry != "gc":
                current.append(entry)
        return out


COSTS = {"slow": 3.0, "medium": 2.0, "fast": 1.0}
_RECORDED = ("now", "log", "gc_states", "full_collections", "enabled_after")


def _bench_where_the_code_runs(nb, costs, kwargs):
    """Run the fake workloads through the learner's compare_timings in the process where their code runs
    (the grader's worker: the collector they switch off is that process's); return what the test reads."""
    bench = _Bench(costs)
    result = bench.run(nb, **kwargs)
    return result, {name: getattr(bench, name, None) for name in _RECORDED}


def _bench(nb, **kwargs):
    """(bench, what compare_timings returned): the bench's records are plain data, checked here."""
    result, records = nb.run(_bench_where_the_code_runs, COSTS, kwargs)
    bench = _Bench(COSTS)
    bench.__dict__.update(records)
    assert isinstance(result, dict) and set(result) == set(COSTS), (
        f"return a dict with one list of times per function ({sorted(COSTS)}), got {result!r}")
    return bench, result


@graded("18.2", hint="Each entry is one round's time for one call: divide a block's time by the number of calls.")
def test_reports_the_cost_of_one_call_per_round(nb):
    bench, times = _bench(nb, rounds=4, number=5, warmup=1)
    for name, cost in COSTS.items():
        got = [float(t) for t in times[name]]
        assert len(got) == 4, f"rounds=4: expected 4 times for {name!r}, got {len(got)}"
        if all(math.isclose(t, cost * 5, rel_tol=1e-9) for t in got):
            raise AssertionError(f"{name!r}: got {got}, the time of a whole block of 5 calls: report seconds "
                                 f"per call ({cost} each)")
        if any(t >= _Bench.GC_JUMP / 5 for t in got):
            raise AssertionError(f"{name!r}: got {got}, expected {cost} per call — a garbage collection was "
                                 "timed: collect before you start the clock, not inside the timed block")
        assert_close(got, [cost] * 4, rtol=1e-9, msg=f"seconds per call of {name!r} in each round (fake clock)")


@graded("18.2", hint="Warm-up calls come before the first clock reading, and are not timed.")
def test_warms_up_before_timing(nb):
    bench, _ = _bench(nb, rounds=2, number=3, warmup=2)
    first_clock = bench.log.index("clock") if "clock" in bench.log else len(bench.log)
    before = bench.log[:first_clock]
    for name in COSTS:
        assert before.count(name) == 2, (
            f"warmup=2: {name!r} was called {before.count(name)} time(s) before the clock was first read; "
            "expected 2 untimed warm-up calls — a first call pays for one-time costs (caches, allocations)")
        total = bench.log.count(name)
        assert total == 2 + 2 * 3, f"{name!r} was called {total} times; expected 2 warm-up + 2 rounds x 3 calls"


@graded("18.2", hint="Interleave: one block of every function per round, and start each round one function later.")
def test_rounds_are_interleaved_and_rotated(nb):
    bench, _ = _bench(nb, rounds=4, number=3, warmup=1)
    blocks = bench.blocks()
    names = list(COSTS)
    want = []
    for r in range(4):
        order = names[r % 3:] + names[:r % 3]
        want += [[name, 3] for name in order]
    assert blocks == want, (
        f"the timed calls ran in blocks {[tuple(b) for b in blocks]}; expected one block of 3 calls per function "
        f"per round, each round starting one function later: {[tuple(b) for b in want]}")


@graded("18.2", hint="gc.collect() before every block, gc.disable() inside it, and the collector back on after.")
def test_the_collector_is_managed(nb):
    bench, _ = _bench(nb, rounds=3, number=2, warmup=1)
    warm = len(COSTS)
    timed_states = bench.gc_states[warm:]
    assert not any(timed_states), (
        "the garbage collector was on during timed calls: switch it off inside each timed block (gc.disable()), "
        "or a collection that the previous block's garbage triggers lands in this block's time")
    assert bench.enabled_after, "the garbage collector is still off after compare_timings returned: put it back on"
    blocks = 3 * len(COSTS)
    assert bench.full_collections >= blocks, (
        f"{bench.full_collections} full collections for {blocks} timed blocks: call gc.collect() (untimed) "
        "before every block, so that no block inherits the garbage of the one before")


# ------------------------------------------------------------------------------------------- 18.3
def _stats(entries):
    """A real pstats.Stats object, with its table replaced by ``entries``:
    {(file, line, name): (primitive calls, calls, own time, cumulative time)}."""
    profile = cProfile.Profile()
    profile.enable()
    profile.disable()
    stats = pstats.Stats(profile)
    stats.stats = {func: (cc, nc, tt, ct, {}) for func, (cc, nc, tt, ct) in entries.items()}
    return stats


ENTRIES = {
    ("engine.py", 10, "train_step"): (1, 1, 0.001, 1.0),
    ("engine.py", 20, "cross_entropy_slow"): (1, 1, 0.6, 0.8),
    ("~", 0, "<method 'max' of 'numpy.ndarray' objects>"): (256, 256, 0.15, 0.2),
    ("engine.py", 30, "unbroadcast"): (6, 6, 0.01, 0.02),
    ("engine.py", 40, "visit"): (5, 900, 0.05, 0.1),   # recursive: 900 calls, 5 of them from outside
}


def _top(nb, stats, by):
    got = nb.top_function(stats, by)
    assert isinstance(got, tuple) and len(got) == 2, f"return (function name, value), got {got!r}"
    return got


@graded("18.3", hint="Own time (tottime) is the time spent in the function itself, without the functions it calls.")
def test_the_hot_spot_by_own_time(nb):
    name, value = _top(nb, _stats(ENTRIES), "tottime")
    if name == "train_step":
        raise AssertionError("by='tottime' returned 'train_step' — that is the top by cumulative time: the "
                             "outermost caller always wins that one. Own time is position 2 of each entry")
    assert name == "cross_entropy_slow", f"by='tottime': expected 'cross_entropy_slow' (0.6 s of own time), got {name!r}"
    assert_close(value, 0.6, msg="by='tottime': the value returned")


@graded("18.3", hint="Cumulative time (cumtime) includes everything a function called.")
def test_the_top_by_cumulative_time(nb):
    name, value = _top(nb, _stats(ENTRIES), "cumtime")
    assert name == "train_step", f"by='cumtime': expected 'train_step' (1.0 s including its callees), got {name!r}"
    assert_close(value, 1.0, msg="by='cumtime': the value returned")


@graded("18.3", hint="Position 1 counts every call; position 0 only the primitive (non-recursive) ones.")
def test_the_most_called_function(nb):
    name, value = _top(nb, _stats(ENTRIES), "ncalls")
    if name.startswith("<method 'max'"):
        raise AssertionError("by='ncalls' returned the method called 256 times — but 'visit' was called 900 "
                             "times, 895 of them by itself: position 0 counts only primitive (non-recursive) "
                             "calls, position 1 all of them")
    assert (name, int(value)) == ("visit", 900), f"by='ncalls': expected ('visit', 900), got {(name, value)!r}"


@graded("18.3", hint="Call counts in a real profile are exact, unlike its times.")
def test_a_real_profile_and_an_unknown_column(nb):
    def helper(i):
        return i * 2

    def work():
        return [helper(i) for i in range(37)]

    profile = cProfile.Profile()
    profile.runcall(work)
    stats = pstats.Stats(profile)
    name, value = _top(nb, stats, "ncalls")
    assert (name, int(value)) == ("helper", 37), f"a real profile of 37 calls to helper: got {(name, value)!r}"
    try:
        nb.top_function(stats, "percall")
    except ValueError:
        return
    except NotImplementedError:
        raise
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"by='percall': expected ValueError, got {type(e).__name__}: {e}") from None
    raise AssertionError("by='percall': expected ValueError naming the choices 'ncalls', 'tottime', 'cumtime'")


# ------------------------------------------------------------------------------------------- 18.4
def _sgd_reference(param, grad, buf, lr, momentum):
    buf = momentum * buf + grad          # PyTorch's SGD, dampening 0, buffer starting at zero
    return param - lr * buf, buf


def _arrays(n, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=n), rng.normal(size=n)


@graded("18.4", hint="buf ← momentum·buf + grad, then param ← param − lr·buf: PyTorch's SGD with momentum.")
def test_steps_match_the_formula(nb):
    for lr, momentum in [(0.1, 0.9), (0.05, 0.0)]:
        param, _ = _arrays(7, 1)
        buf, scratch = np.zeros(7), np.empty(7)
        ref_param, ref_buf = param.copy(), np.zeros(7)
        for step in range(3):
            _, grad = _arrays(7, 10 + step)
            nb.sgd_momentum_step_(param, grad, buf, scratch, lr, momentum)
            ref_param, ref_buf = _sgd_reference(ref_param, grad, ref_buf, lr, momentum)
            if step == 0 and np.array_equal(param, _arrays(7, 1)[0]):
                raise AssertionError("param never changed: the caller's array must be updated in place "
                                     "(param -= ..., not param = param - ..., which only rebinds a local name)")
            assert_close(buf, ref_buf, rtol=1e-12, msg=f"buf after step {step + 1}, lr={lr}, momentum={momentum}")
            assert_close(param, ref_param, rtol=1e-12, msg=f"param after step {step + 1}, lr={lr}, momentum={momentum}")


@graded("18.4", hint="grad belongs to the caller (it is the parameter's .grad): read it, don't write into it.")
def test_grad_is_left_alone(nb):
    param, grad = _arrays(5, 2)
    before = grad.copy()
    nb.sgd_momentum_step_(param, grad, np.zeros(5), np.empty(5), 0.1, 0.9)
    assert np.array_equal(grad, before), "sgd_momentum_step_ changed grad; use scratch for intermediate results"


def _peak_of_one_step(nb, param, grad, buf, scratch):
    """Bytes allocated at the peak of one step, traced where the learner's code runs (the grader's worker)."""
    nb.sgd_momentum_step_(param, grad, buf, scratch, 0.1, 0.9)   # a first call, untraced
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        nb.sgd_momentum_step_(param, grad, buf, scratch, 0.1, 0.9)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@graded("18.4", hint="Every `a * b` or `a + b` on arrays allocates a new array; write results with out= or in place.")
def test_the_step_allocates_no_array(nb):
    n = 50_000
    param, grad = _arrays(n, 3)
    buf, scratch = np.zeros(n), np.empty(n)
    peak = nb.run(_peak_of_one_step, param, grad, buf, scratch)
    arrays = peak / param.nbytes
    assert arrays < 0.25, (
        f"one step allocated {peak} bytes at its peak, about {arrays:.1f} arrays of param's size ({param.nbytes} "
        "bytes): some expression still makes a temporary array — write it into scratch (out=) or update in place")


# ------------------------------------------------------------------------------------------- 18.5
def _inputs(nb, seed, shape=(6, 4)):
    rng = np.random.default_rng(seed)
    x, b = rng.normal(size=shape), rng.normal(size=shape[1])
    x[0, 0] = -b[0]             # one pre-activation exactly 0: ReLU's gradient there is 0, as in the engine's relu
    return nb.Tensor(x), nb.Tensor(b), x, b


@graded("18.5", hint="One node: its parents are x and b themselves, and its op is named 'bias_relu'.")
def test_forward_is_one_node(nb):
    tx, tb, x, b = _inputs(nb, 4)
    out = nb.bias_relu(tx, tb)
    assert_close(out.data, np.maximum(x + b, 0), msg="bias_relu(x, b) forward: max(x + b, 0)")
    parents = list(out._prev)
    assert len(parents) == 2 and parents[0] is tx and parents[1] is tb, (
        f"the output's parents should be exactly (x, b) — one fused node, no intermediate x + b node; got "
        f"{len(parents)} parent(s) with ops {[getattr(p, '_op', '?') for p in parents]}")
    assert out._op == "bias_relu", f"name the op 'bias_relu' (out._op), got {out._op!r}"


@graded("18.5", hint="The gradient passes where the output is positive; b's gradient sums x's over the batch (axis 0).")
def test_backward_matches_the_unfused_formula(nb):
    for seed, shape in [(5, (6, 4)), (6, (1, 3)), (7, (9, 2))]:
        tx, tb, x, b = _inputs(nb, seed, shape)
        c = np.random.default_rng(seed + 100).normal(size=shape)
        (nb.bias_relu(tx, tb) * nb.Tensor(c)).sum().backward()
        gx = c * (x + b > 0)
        assert tx.grad is not None and tb.grad is not None, "after backward both x.grad and b.grad should be set"
        assert_close(tx.grad, gx, rtol=1e-12, msg=f"x.grad, x {shape}, loss sum(bias_relu(x, b) * c)")
        assert np.shape(tb.grad) == b.shape, f"b.grad should have b's shape {b.shape}, got {np.shape(tb.grad)}"
        assert_close(tb.grad, gx.sum(axis=0), rtol=1e-12, msg=f"b.grad, x {shape}: x's gradient summed over axis 0")


def _peak_of_fused_forward(nb, tx, tb):
    """(bytes allocated at the peak of one bias_relu forward, the output's bytes), traced where the
    learner's code runs (the grader's worker)."""
    nb.bias_relu(tx, tb)   # a first call, untraced
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        out = nb.bias_relu(tx, tb)
        return tracemalloc.get_traced_memory()[1] - base, out.data.nbytes
    finally:
        tracemalloc.stop()


@graded("18.5", hint="A fused op makes one new array: the sum, with the ReLU applied to it in place (out=).")
def test_the_fused_forward_allocates_one_array(nb):
    tx, tb, _, _ = _inputs(nb, 8, (200, 100))
    peak, out_bytes = nb.run(_peak_of_fused_forward, tx, tb)
    arrays = peak / out_bytes
    assert arrays < 1.5, (
        f"the forward pass allocated about {arrays:.1f} arrays of the output's size at its peak ({peak} bytes): "
        "a fused op still making x + b and then a second array for the ReLU saves nothing — apply the ReLU in "
        "place, into the array that holds x + b")
