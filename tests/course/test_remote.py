"""The judge's view of a notebook's objects (``course/remote.py``, ``proxy.py``, ``judge.py``): every operation
on a learner's object is a request to the worker, and behaves as it would in process.

The worker's side runs in a thread here (the grader runs it in the sandboxed worker process); the
channel, the encoding and the judge's stand-ins are the real ones.
"""

import os
import struct
import threading

import numpy as np
import pytest

import minitorch
from minitorch.course import judge, proxy, remote
from minitorch.course.exercises import MissingDefinition
from minitorch.testing import assert_close

NOTEBOOK = '''
import numpy as np
import minitorch

class Value:
    def __init__(self, data, _prev=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._op = _op
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), "+")
    __radd__ = __add__
    def __sub__(self, other):
        return Value(self.data - (other.data if isinstance(other, Value) else other))
    def __rsub__(self, other):
        return Value(other - self.data)
    def __neg__(self):
        return Value(-self.data)
    def __lt__(self, other):
        return self.data < (other.data if isinstance(other, Value) else other)
    def __repr__(self):
        return f"Value({self.data})"

class Big(Value):
    pass

class Box:
    def __init__(self, *items):
        self.items = list(items)
    def __len__(self):
        return len(self.items)
    def __getitem__(self, i):
        return self.items[i]
    def __setitem__(self, i, v):
        self.items[i] = v
    def __contains__(self, v):
        return v in self.items
    def __iter__(self):
        return iter(self.items)
    def __bool__(self):
        return bool(self.items)

class Switch:
    on = False
    def __enter__(self):
        Switch.on = True
        return self
    def __exit__(self, *exc):
        Switch.on = False

def derivative(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)

def twice(f, x):
    return f(f(x))

def change(xs, d, a):
    xs[0] = 99.0
    d["new"] = 1
    a[0] = -1.0
    return None

def fail(kind):
    if kind == "value":
        raise ValueError("x must be positive")
    if kind == "custom":
        class MyError(Exception):
            pass
        raise MyError("mine")
    if kind == "key":
        return {}["missing"]
    raise NotImplementedError()

def swallow(callback):
    try:
        callback()
    except AssertionError:
        pass
    return "swallowed"

def peek_judge(f, name):
    """What a hostile notebook did: ask the judge directly for an attribute of a test's callback."""
    from minitorch.course.remote import _StubRef
    try:
        got = f._end.request("getattr", _StubRef(f._cid), name)
    except Exception as e:
        return "refused: " + type(e).__name__ + ": " + str(e)
    return "got " + type(got).__name__

def forward_of(model, x):
    return model(x)

def backward_of_square_sum(t):
    (t * t).sum().backward()

def step(params, lr):
    for p in params:
        p.data -= lr * p.grad.data

def arrays(n, dtype):
    return np.arange(n).astype(dtype)

def as_object_array():
    return np.array([Value(1.0)], dtype=object)

def nested(depth):
    out = []
    for _ in range(depth):
        out = [out]
    return out

def scalars():
    return np.float32(1.5), np.int64(3), np.bool_(True), 2 + 3j, b"raw", (1, [2, {"k": {3}}]), slice(1, None, 2)
'''


@pytest.fixture
def nb():
    namespace: dict = {}
    exec(compile(NOTEBOOK, "<cell 3>", "exec"), namespace)
    to_worker_r, to_worker_w = os.pipe()
    to_judge_r, to_judge_w = os.pipe()
    thread = threading.Thread(target=remote.serve, args=(to_worker_r, to_judge_w, namespace), daemon=True)
    thread.start()
    end = proxy.JudgeEnd(to_judge_r, to_worker_w)
    proxy._END = end
    yield judge.RemoteNamespace(end)
    os.close(to_worker_w)  # the worker's loop ends
    thread.join(5)
    proxy._END = None
    for fd in (to_worker_r, to_judge_w, to_judge_r):
        os.close(fd)


def test_operators_reflected_ones_and_identity(nb):
    V = nb.Value
    a = V(2.0)
    b = a + 3
    c = 4 + a  # int + Value: the worker computes 4 + a, i.e. a.__radd__(4)
    assert (b.data, c.data, (10 - a).data, (-a).data) == (5.0, 6.0, 8.0, -2.0)
    assert b._prev[0] is a and c._prev[0] is a and b._prev[1] is not a
    assert (a < 3) is True and (a < 1) is False
    assert repr(b) == "Value(5.0)" and f"{b!r:>12}" == "  Value(5.0)"
    assert {a: 1}[b._prev[0]] == 1 and len({a, b._prev[0], c._prev[0]}) == 1


def test_classes_types_and_isinstance(nb):
    V, Big = nb.Value, nb.Big
    a, big = V(1.0), Big(2.0)
    assert type(a) is V and type(big) is Big and type(a).__name__ == "Value"
    assert isinstance(a, V) and isinstance(big, V) and not isinstance(a, Big) and not isinstance(3.0, V)
    assert issubclass(Big, V) and not issubclass(V, Big)
    with pytest.raises(TypeError, match="cannot subclass"):
        class Mine(nb.Value):  # noqa: F841 (a test may not subclass a notebook class in the judge)
            pass


def test_containers_iteration_and_context_managers(nb):
    box = nb.Box(1, 2, 3)
    assert len(box) == 3 and list(box) == [1, 2, 3] and box[1] == 2 and 2 in box and 7 not in box and box
    box[0] = 10
    assert box.items == [10, 2, 3] and not nb.Box()
    switch = nb.Switch()
    with switch as s:
        assert s is switch and nb.Switch.on is True
    assert nb.Switch.on is False


def test_callbacks_run_in_the_judge_and_nest(nb):
    calls = []

    def square(x):
        calls.append(x)
        return x * x

    assert_close(nb.derivative(square, 3.0), 6.0, atol=1e-6)
    assert len(calls) == 2
    assert nb.twice(lambda x: nb.derivative(lambda y: y**3, x), 1.0) == pytest.approx(27.0, rel=1e-4)
    import math
    assert_close(nb.derivative(math.sin, 0.0), 1.0)  # a builtin goes by name: no callback at all


def test_an_assertion_in_a_callback_cannot_be_swallowed_by_learner_code(nb):
    def check():
        raise AssertionError("the test's verdict")

    with pytest.raises(AssertionError, match="the test's verdict"):
        nb.swallow(check)


def test_learner_exceptions_arrive_as_builtins_with_the_learners_line(nb):
    with pytest.raises(ValueError, match="x must be positive") as info:
        nb.fail("value")
    assert info.value.minitorch_remote["learner"] is True
    assert "cell 3, line" in info.value.minitorch_remote["where"]
    with pytest.raises(KeyError):
        nb.fail("key")
    with pytest.raises(NotImplementedError):
        nb.fail("stub")
    with pytest.raises(remote.LearnerException) as info:
        nb.fail("custom")
    assert "MyError: mine" in info.value.minitorch_remote["where"]
    with pytest.raises(AttributeError):
        nb.Value(1.0).no_such_attribute
    with pytest.raises(MissingDefinition, match="does not define `nothing_here`"):
        nb.nothing_here
    assert "Value" in nb and "nothing_here" not in nb


def test_arguments_are_copied_back_after_a_call(nb):
    xs, d, a = [1.0, 2.0], {"old": 0}, np.zeros(3)
    nb.change(xs, d, a)
    assert xs == [99.0, 2.0] and d == {"old": 0, "new": 1} and a.tolist() == [-1.0, 0.0, 0.0]


def test_minitorch_objects_handed_to_learner_code_are_moved_there(nb):
    x = minitorch.tensor([1.0, -2.0], requires_grad=True)
    nb.backward_of_square_sum(x)
    assert isinstance(x, minitorch.Tensor) and isinstance(x.grad, minitorch.Tensor)
    assert_close(x.grad, [2.0, -4.0])  # what the worker's copy holds
    params = [minitorch.nn.Parameter(minitorch.tensor([1.0, 2.0]))]
    params[0].grad = minitorch.tensor([1.0, 1.0])
    nb.step(params, 0.5)
    assert_close(params[0], [0.5, 1.5])
    w = minitorch.nn.Linear(2, 1)
    moved = nb.remote(w)
    assert moved is w and isinstance(w.weight, minitorch.nn.Parameter) and w.weight.shape == (1, 2)


def test_a_module_moves_whole_with_its_registries(nb):
    # A Module's _parameters/_modules dicts keep a reference to it: they travel inside it, never on their own
    # (moving one alone went round in circles, and the learner's code got a callback instead of a Module).
    minitorch.manual_seed(0)
    model = minitorch.nn.Sequential(minitorch.nn.Linear(3, 2), minitorch.nn.ReLU(), minitorch.nn.Linear(2, 1))
    x = minitorch.tensor([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]])
    want = model(x).data.copy()  # computed here, before the model moves
    got = nb.forward_of(model, x)
    assert_close(got.data, want)
    assert isinstance(model, minitorch.nn.Module) and model[0].weight.shape == (2, 3)


class _Counter:
    def __init__(self):
        self.calls = 0


def test_the_judge_gives_no_private_attribute_of_what_the_test_handed_over(nb):
    # From a test's lambda, __globals__ led to the judge's sys.modules and so to running code in the judge.
    for name in ("__globals__", "__code__", "__closure__", "_private", "__class__"):
        assert nb.peek_judge(lambda x: x, name).startswith("refused"), name
    counter = _Counter()  # a test object's public attributes still answer
    assert nb.peek_judge(counter, "calls") == "got int"


def test_arrays_round_trip_and_only_numeric_dtypes_travel_by_value(nb):
    for dtype in (np.float32, np.float64, np.int64, np.uint8, np.bool_, np.complex128):
        got = nb.arrays(5, dtype)
        assert type(got) is np.ndarray and got.dtype == dtype and got.tolist() == np.arange(5).astype(dtype).tolist()
    handle = nb.as_object_array()
    assert not isinstance(handle, np.ndarray) and len(handle) == 1
    with pytest.raises(TypeError, match="does not accept"):
        np.asarray(handle)
    f32, i64, true, z, raw, tree, sl = nb.scalars()
    assert (type(f32), type(i64), type(true), z, raw, tree, sl) == \
        (np.float32, np.int64, np.bool_, 2 + 3j, b"raw", (1, [2, {"k": {3}}]), slice(1, None, 2))
    deep, levels = nb.nested(500), 0  # deeper than the grader takes by value: the rest is a handle
    while isinstance(deep, list):
        deep, levels = deep[0], levels + 1
    assert levels == remote.MAX_DEPTH and isinstance(deep, proxy.Handle) and len(deep) == 1


def test_a_huge_array_stays_in_the_worker(nb):
    big = nb.arrays(5_000_000, np.float64)  # 40 MB: more than one array by value
    assert not isinstance(big, np.ndarray) and big.shape == (5_000_000,)
    with pytest.raises(TypeError):
        np.asarray(big)


def test_malformed_or_oversized_replies_break_the_channel_not_the_judge():
    read_fd, write_fd = os.pipe()
    end = proxy.JudgeEnd(read_fd, os.open(os.devnull, os.O_WRONLY))
    os.write(write_fd, struct.pack("!II", 10, 2**31))  # announces 2 GiB
    with pytest.raises(remote.ProtocolError):
        end.request("global", "x")
    assert end.broken
    with pytest.raises(remote.ProtocolError):
        end.request("global", "x")  # stays broken: the grader starts a fresh worker
    os.close(write_fd)
    os.close(read_fd)
    for text in (b'{"n": 1, "ok": {"H": [1, 2]}, "B": []}', b'[' * 5000 + b']' * 5000, b'{"n": 1, "ok": {"P": 0}, "B": [0]}'):
        read_fd, write_fd = os.pipe()
        end = proxy.JudgeEnd(read_fd, os.open(os.devnull, os.O_WRONLY))
        os.write(write_fd, struct.pack("!II", len(text), 0) + text)
        with pytest.raises(remote.ProtocolError):
            end.request("global", "x")
        os.close(write_fd)
        os.close(read_fd)
