"""A planted mistake of each common kind gets a message that names it — not a generic mismatch.

Each case is a small, realistic wrong answer; the test runs the exercise's graded tests on it (as
``check()`` does) and looks for the targeted words in the first problem or hint shown.
"""

import math

import numpy as np
import pytest

import minitorch
from minitorch.course.exercises import find_exercise, run_exercise


def first_problem(exercise_id, variables):
    exercise, tests = find_exercise(exercise_id)
    result = run_exercise(exercise, tests, variables)
    assert result.status != "passed", f"the planted mistake passed {exercise_id}"
    return f"{result.message}\nHint: {result.hint}"


class Optimizer:
    """The lesson-10 optimizer base, as the notebook gives it: subclasses write update_parameter."""

    def __init__(self, params, defaults):
        self.defaults, self.state, self.param_groups = dict(defaults), {}, []
        params = list(params)
        for group in ([{"params": params}] if params and not isinstance(params[0], dict) else params):
            self.param_groups.append({**self.defaults, **group, "params": list(group["params"])})

    def zero_grad(self):
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    grad = np.asarray(p.grad, dtype=p.data.dtype)
                    self.update_parameter(p.data, grad, self.state.setdefault(id(p), {}), group)


def make_adam(eps_inside=False, rebind=False):
    class Adam(Optimizer):
        def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, bias_correction=True):
            super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                          bias_correction=bias_correction))

        def update_parameter(self, param, grad, state, group):
            b1, b2 = group["betas"]
            state.setdefault("step", 0)
            state["step"] += 1
            t = state["step"]
            g = grad + group["weight_decay"] * param if group["weight_decay"] else grad
            m = state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
            v = state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
            if group["bias_correction"]:
                m, v = m / (1 - b1**t), v / (1 - b2**t)
            root = np.sqrt(v + group["eps"]) if eps_inside else np.sqrt(v) + group["eps"]
            if rebind:
                param = param - group["lr"] * m / root  # noqa: F841  the planted mistake
            else:
                param -= group["lr"] * m / root

    return Adam


def test_eps_inside_the_root_is_named():
    assert "eps belongs outside the square root" in first_problem("10.4", {"Adam": make_adam(eps_inside=True)})


def test_rebinding_param_instead_of_updating_in_place_is_named():
    assert "never changed" in first_problem("10.4", {"Adam": make_adam(rebind=True)})


def test_adamw_on_a_wrong_adam_blames_the_adam():
    Adam = make_adam(eps_inside=True)

    class AdamW(Adam):
        def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
            super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

        def update_parameter(self, param, grad, state, group):
            param *= 1 - group["lr"] * group["weight_decay"]
            super().update_parameter(param, grad, state, {**group, "weight_decay": 0.0})

    assert "builds on your Adam from 10.4" in first_problem("10.5", {"Adam": Adam, "AdamW": AdamW})


def _run_optimizer(forget_zero_grad=False, dtype=np.float64):
    def run_optimizer(make_optimizer, f, start, steps):
        point = minitorch.tensor(np.array(start, dtype=dtype), requires_grad=True)
        optimizer = make_optimizer([point])
        path = [point.data.copy()]
        for _ in range(steps):
            if not forget_zero_grad:
                optimizer.zero_grad()
            f(point).backward()
            optimizer.step()
            path.append(point.data.copy())
        return np.stack(path)

    return run_optimizer


def test_a_missing_zero_grad_is_named():
    assert "must be cleared before every backward()" in first_problem(
        "10.1", {"run_optimizer": _run_optimizer(forget_zero_grad=True)})


def test_a_float32_start_is_named_and_not_blamed_on_zero_grad():
    message = first_problem("10.1", {"run_optimizer": _run_optimizer(dtype=np.float32)})
    assert "float32" in message and "cleared" not in message


def test_numpys_own_broadcast_shapes_does_not_earn_full_marks():
    assert "build arrays" in first_problem("07.1", {"broadcast_shape": lambda a, b: np.broadcast_shapes(a, b)})


@pytest.mark.parametrize("op", ["+", "*"])
def test_assignment_instead_of_accumulation_is_named(op):
    """03.1 with `=` for `+=`: the hint names accumulation, not the local derivative."""

    class Value:
        def __init__(self, data, _prev=(), _op=""):
            self.data, self.grad, self._prev, self._op = float(data), 0.0, tuple(_prev), _op
            self._backward = lambda: None

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other), "+")

            def _backward():
                self.grad = out.grad  # the planted mistake: = for +=
                other.grad = out.grad

            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other), "*")

            def _backward():
                self.grad = other.data * out.grad
                other.grad = self.data * out.grad

            out._backward = _backward
            return out

        __radd__, __rmul__ = __add__, __mul__

    message = first_problem("03.1", {"Value": Value})
    assert "+=" in message or "adds" in message or "add" in message.lower()


def test_a_forward_difference_is_named():
    message = first_problem("01.1", {"numerical_derivative": lambda f, x, h=1e-5: (f(x + h) - f(x)) / h})
    assert "forward difference" in message.lower() or "both ways" in message.lower()


def test_a_recursive_topological_order_is_named():
    def topological_order(root):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node._prev:
                    visit(parent)
                order.append(node)

        visit(root)
        return order

    class Value:
        def __init__(self, data, _prev=(), _op=""):
            self.data, self.grad, self._prev, self._op = float(data), 0.0, tuple(_prev), _op
            self._backward = lambda: None

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data + other.data, (self, other), "+")

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data * other.data, (self, other), "*")

        __radd__, __rmul__ = __add__, __mul__

    message = first_problem("03.2", {"topological_order": topological_order, "Value": Value, "math": math})
    assert "recurs" in message.lower() or "stack" in message.lower()


# ------------------------------------------------------------------ lesson 18: measuring and making fast
def _lesson18_engine():
    """The lesson's own small Tensor engine, taken from the solution notebook (a given cell, not an exercise)."""
    from pathlib import Path

    from minitorch.course.notebook import read_notebook

    notebook = Path(__file__).resolve().parents[2] / "solutions" / "18_performance.ipynb"
    (source,) = [c.source for c in read_notebook(notebook).cells if c.cell_type == "code" and "class Tensor" in c.source]
    namespace = {"np": np}
    exec(source, namespace)  # noqa: S102 - the course's own notebook
    return namespace


def test_a_ratio_of_medians_is_named():
    def paired_speedup(a, b):
        import statistics
        r = statistics.median(a) / statistics.median(b)
        return r, min(x / y for x, y in zip(a, b)), max(x / y for x, y in zip(a, b))

    assert "ratio of the two medians" in first_problem("18.1", {"paired_speedup": paired_speedup})


def test_a_ratio_of_best_times_is_named():
    def paired_speedup(a, b):
        ratios = [x / y for x, y in zip(a, b)]
        return min(a) / min(b), min(ratios), max(ratios)  # best of each, as the old benchmarks did

    assert "best (smallest) times" in first_problem("18.1", {"paired_speedup": paired_speedup})


def _harness(warm=True, disable=True, collect_inside=False):
    import gc
    import time

    def compare_timings(fns, rounds=5, number=10, warmup=1, clock=time.perf_counter):
        names = list(fns)
        if warm:
            for name in names:
                for _ in range(warmup):
                    fns[name]()
        times = {name: [] for name in names}
        for r in range(rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                if not collect_inside:
                    gc.collect()
                if disable:
                    gc.disable()
                start = clock()
                if collect_inside:
                    gc.collect()  # the planted mistake: the collection is timed
                for _ in range(number):
                    fns[name]()
                times[name].append((clock() - start) / number)
                gc.enable()
        return times

    return compare_timings


def test_a_missing_warm_up_is_named():
    assert "warm-up" in first_problem("18.2", {"compare_timings": _harness(warm=False)})


def test_a_collector_left_on_is_named():
    assert "collector was on during timed calls" in first_problem("18.2", {"compare_timings": _harness(disable=False)})


def test_a_timed_collection_is_named():
    assert "collection was timed" in first_problem("18.2", {"compare_timings": _harness(collect_inside=True)})


def test_cumulative_time_for_own_time_is_named():
    def top_function(stats, by="tottime"):
        func = max(stats.stats, key=lambda f: stats.stats[f][3])  # always cumulative: the planted mistake
        return func[2], stats.stats[func][3]

    assert "cumulative" in first_problem("18.3", {"top_function": top_function})


def test_primitive_calls_for_all_calls_are_named():
    def top_function(stats, by="tottime"):
        column = {"ncalls": 0, "tottime": 2, "cumtime": 3}[by]  # position 0: primitive calls only
        func = max(stats.stats, key=lambda f: stats.stats[f][column])
        return func[2], stats.stats[func][column]

    assert "primitive" in first_problem("18.3", {"top_function": top_function})


def test_a_rebound_parameter_is_named():
    def sgd_momentum_step_(param, grad, buf, scratch, lr, momentum):
        buf *= momentum
        buf += grad
        param = param - lr * buf  # noqa: F841  the planted mistake

    assert "never changed" in first_problem("18.4", {"sgd_momentum_step_": sgd_momentum_step_})


def test_an_allocating_in_place_step_is_named():
    def sgd_momentum_step_(param, grad, buf, scratch, lr, momentum):
        buf *= momentum
        buf += grad
        param -= lr * buf  # in place, but lr * buf is a new array

    message = first_problem("18.4", {"sgd_momentum_step_": sgd_momentum_step_})
    assert "temporary array" in message and "1.0 arrays" in message


def test_a_fused_op_that_allocates_anyway_is_named():
    engine = _lesson18_engine()
    Tensor = engine["Tensor"]

    def bias_relu(x, b):
        data = np.maximum(x.data + b.data, 0)  # fused into one node, but two arrays
        out = Tensor(data, (x, b), "bias_relu")

        def backward(g):
            gx = g * (data > 0)
            return gx, gx.sum(axis=0)

        out._backward = backward
        return out

    message = first_problem("18.5", {"bias_relu": bias_relu, "Tensor": Tensor})
    assert "saves nothing" in message and "2.0 arrays" in message
