"""The tensor engine: an n-dimensional numpy array that remembers how it was computed.

It is the scalar ``Value`` of lessons 02-05 with one change: ``data`` is a numpy array instead of
a float. Every operation is written the same way, forward and backward side by side:

    def exp(self):
        out = np.exp(self.data)                  # forward: the result, as a numpy array
        def backward(g):                         # g = dL/d(out), shaped like out
            return (g * out,)                    # dL/d(self) = g * d(exp x)/dx = g * exp(x)
        return Tensor._from_op(out, (self,), "exp", backward)

``Tensor._from_op`` records the graph edge (inputs, op name, backward) only when some input
requires a gradient and recording is on (not inside ``no_grad()``). New ops — in ``nn`` or your
own — are written the same way.

The built-in ops below use a faster spelling of the same thing: the backward is a function
defined once, right under its op (``_exp_backward``), and the op hands ``_from_op`` the arrays
that backward needs, which the engine passes back as extra arguments:

    def exp(self):
        out = np.exp(self.data)
        return Tensor._from_op(out, (self,), "exp", Tensor._exp_backward, (out,),
                               saves_inputs=False, saves_output=True)

    @staticmethod
    def _exp_backward(g, out):                   # called as backward(g, *saved)
        return (g * out,)

The two flags say which tensors the backward reads (exp's reads its output, not its input), so that
backward can refuse to run after one of *them* was changed in place, and only then — PyTorch's
rule. Without them (a closure op), every input is checked: safe, sometimes stricter than PyTorch.

A closure is a new function object (and a cell per captured variable) on *every* call; a
backward defined once is not. That is ~0.15 µs, some 7 % of a recorded op on 10x10 tensors
(measured; benchmarks/ENGINE_PLAN.md), which adds up when a model is many small ops. Either
spelling works with ``_from_op``: write your own ops as closures if that reads better.

``backward`` returns one gradient per input (``None`` for an input that needs none). It may
return it in the *output's* shape: the engine (``autograd.run_backward``) sums it back down to the
input's shape with ``unbroadcast`` — the single place where broadcasting is undone.

    >>> x = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> b = minitorch.tensor([10.0, 20.0], requires_grad=True)
    >>> loss = ((x + b) ** 2).sum()
    >>> loss.backward()
    >>> b.grad                                  # 2(x + b), summed over the broadcast rows
    tensor([48., 92.])
"""

from __future__ import annotations

import operator
import weakref
from typing import Any, Callable, Iterator, NamedTuple, Sequence, Union

import numpy as np

from . import grad_mode
from .autograd import NO_CREATE_GRAPH, PRISTINE, check_inputs, fresh_results, run_backward, version_counter
from .dtypes import DEFAULT_FLOAT, is_floating, result_dtype, scalar_dtype, to_float
from .helpers import (_check_matmul, _dim, _dims, _reduction_label, _restore_dims, _shape_args,  # noqa: F401
                      broadcast_error)
from .aliases import AliasOps
from .inplace import InplaceOps
from .pointwise import PointwiseOps  # mixins: elementwise math, reductions, sorting, products, indexing, methods
from .reductions import ReductionOps
from .sorting import SortingOps
from .linalg import LinalgOps
from .indexing import IndexingOps
from .methods import MethodOps
from .views import ViewOps, _has_integer_array, _index_label, _numpy_index  # noqa: F401

Number = Union[bool, int, float]
# `ndarray (op) Tensor` is computed as `Tensor.(reflected op)(ndarray)`: see Tensor.__array_ufunc__
_REFLECTED = {"add": "__radd__", "subtract": "__rsub__", "multiply": "__rmul__", "true_divide": "__rtruediv__",
              "power": "__rpow__", "matmul": "__rmatmul__", "less": "__gt__", "greater": "__lt__",
              "less_equal": "__ge__", "greater_equal": "__le__", "equal": "__eq__", "not_equal": "__ne__"}
Backward = Callable[..., Sequence[Union[np.ndarray, None]]]  # backward(g, *saved)
_SUPPORTED_KINDS = "biuf"  # bool, signed and unsigned integers, floating point
_PYTHON_NUMBERS = frozenset((float, int))  # exactly these types: not bool (a subclass of int), not numpy scalars


class Tensor(ViewOps, InplaceOps, AliasOps, PointwiseOps, ReductionOps, SortingOps, LinalgOps, IndexingOps, MethodOps):
    """An n-dimensional array (``data``, a numpy ndarray) with automatic differentiation.

    Attributes:
        data: the values, a numpy array. Optimizers update it in place (``p.data -= lr * g``).
        grad: ``dL/d(self)`` after ``L.backward()`` (a Tensor of the same shape), or None.
        requires_grad: whether operations on this tensor record a graph for backward.
        label: an optional name, shown by ``minitorch.draw_graph``.
        _prev: the tensors this one was computed from (empty for a leaf).
        _op: the name of the operation that produced it ('' for a leaf).
        _backward: ``(g, *_saved) -> (grad for each of _prev)``; None for a leaf.
        _saved: what ``_backward`` needs besides ``g`` (arrays saved by the forward pass), or ().
        _pending: used by ``backward()`` only: the gradient gathered so far (autograd.run_backward).
        _former: after recorded in-place ops, ``[(version, node), ...]``: the graph node that held this
            tensor's value before the change at ``version`` (autograd routes earlier consumers to it).
    """

    __slots__ = ("data", "grad", "_requires_grad", "label", "_prev", "_op", "_backward", "_saved", "_hooks",
                 "_retains_grad", "_vc", "_view", "_saved_versions", "_pending", "_former", "__weakref__")

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """How numpy treats a Tensor operand. ``ndarray + Tensor`` becomes the Tensor's own op
        (``Tensor.__radd__``, keeping the graph) instead of a bare ndarray; an update *into* an
        array, ``w.data -= lr * w.grad``, reads the Tensor's values. Other numpy functions on a
        Tensor are refused (TypeError): use the Tensor's methods, or ``t.numpy()``."""
        out = kwargs.get("out")
        if out is not None and all(type(o) is np.ndarray for o in out):
            inputs = tuple(x.data if isinstance(x, Tensor) else x for x in inputs)
            return getattr(ufunc, method)(*inputs, **kwargs)
        reflected = _REFLECTED.get(ufunc.__name__)
        if method == "__call__" and reflected and len(inputs) == 2 and not kwargs and isinstance(inputs[1], Tensor):
            return getattr(inputs[1], reflected)(inputs[0])
        return NotImplemented

    def __init__(self, data: Any, requires_grad: bool = False, *, dtype: Any = None, label: str = ""):
        """Make a leaf tensor. ``data`` is copied (lists, numbers, arrays), except when it is a
        Tensor, whose array is shared (as ``nn.Parameter(t)`` shares ``t``'s storage in PyTorch).
        Python floats become float32, ints int64; numpy arrays keep their dtype."""
        self.data = _to_array(data, dtype, "tensor")
        self.grad: Tensor | None = None
        self._requires_grad = False
        self.label = label
        self._prev: tuple[Tensor, ...] = ()
        self._op = ""
        self._backward: Backward | None = None
        self._saved: tuple[Any, ...] = ()
        self._pending: np.ndarray | None = None
        self._hooks: dict[int, Callable[[Tensor], Tensor | None]] | None = None
        self._retains_grad = False
        self._vc = PRISTINE
        self._view = None
        self._saved_versions = None
        self._former = None
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def _constant(data: np.ndarray) -> "Tensor":
        """Wrap an array (no copy) as a tensor that needs no gradient."""
        return Tensor._from_op(data, (), "", None)

    @staticmethod
    def _from_op(data: Any, parents: tuple["Tensor", ...], op: str, backward: Backward | None,
                 saved: tuple[Any, ...] = (), *, saves_inputs: bool = True, saves_output: bool = False) -> "Tensor":
        """The result of an operation: ``data`` computed from ``parents`` by ``op``.

        The graph edge (parents, op, backward, saved) is recorded only when it will be needed:
        gradient recording is on and some parent requires a gradient. Otherwise the result is a
        plain constant that keeps nothing alive. Backward is called as ``backward(g, *saved)``.

        With the edge, the *version* of each input is noted, marked as read by the backward or not
        (``saves_inputs=False``: add's backward reads no input, tanh's only its output), and of the
        output itself when ``saves_output`` (exp's backward reads ``out``). An in-place op bumps a
        tensor's version, so backward can refuse to use values that changed after the forward pass
        (see ``autograd.check_versions``) instead of computing a wrong gradient: PyTorch's rule,
        which checks the tensors an op saved. The versions of the inputs it does not read serve to
        route it, after an in-place op recorded in the graph, to the value it used (``autograd._routed``).
        """
        out = object.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data)  # numpy returns scalars for 0-d
        out.grad = None
        out.label = ""
        out._hooks = None
        out._retains_grad = False
        out._vc = PRISTINE
        out._view = None
        out._pending = None
        out._former = None
        if backward is not None and grad_mode._enabled:
            for p in parents:  # a plain loop: any(<generator>) costs ~1 µs more (measured)
                if p._requires_grad:
                    out._requires_grad = True
                    out._prev = parents
                    out._op = op
                    out._backward = backward
                    out._saved = saved
                    # Every input's version, ~v (= -v - 1) for one the backward does not read (see
                    # autograd.check_versions); a loop: a list comprehension is a function call in 3.11.
                    versions = []
                    for q in parents:
                        versions.append(q._vc[0] if saves_inputs else ~q._vc[0])
                    if saves_output:
                        versions.append(0)
                    out._saved_versions = versions
                    return out
        out._requires_grad = False
        out._prev = ()
        out._op = ""
        out._backward = None
        out._saved = ()
        out._saved_versions = None
        return out

    # ------------------------------------------------------------------ attributes
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag and not is_floating(self.data.dtype):
            raise RuntimeError(f"requires_grad: only floating-point tensors can require gradients, "
                               f"got dtype {self.data.dtype} (convert with .float() first)")
        if not flag and self._backward is not None:
            raise RuntimeError("requires_grad: can only be switched off on a leaf tensor; "
                               "use .detach() for a tensor with the same data and no graph")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place and return self (handy right after a factory)."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors made directly (inputs, weights), False for results of recorded ops."""
        return self._backward is None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return self.data.shape
        return self.data.shape[_dim(dim, self.ndim, "size")]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    # ------------------------------------------------------------------ conversion
    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied; works even when requires_grad is set)."""
        return self.data

    def item(self) -> Number:
        """The single value of a one-element tensor, as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(f"item: only a tensor with exactly one element can be converted to a Python "
                             f"number, got shape {self.shape} ({self.data.size} elements)")
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """``np.asarray(t)`` is ``t.data`` itself; ``np.array(t)`` (copy=True) a copy."""
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def __float__(self) -> float:
        return float(self._one_number("float"))

    def __int__(self) -> int:
        return int(self._one_number("int"))

    def _one_number(self, op: str) -> Number:
        if self.data.size != 1:  # ValueError here, as PyTorch (item() raises RuntimeError)
            raise ValueError(f"{op}: only one element tensors can be converted to Python scalars, got shape "
                             f"{self.shape}")
        return self.data.item()

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"bool: the truth value of a tensor with {self.data.size} elements is "
                               "ambiguous; reduce it first, e.g. (x > 0).all() or .any()")
        return bool(self.data.item())

    def to(self, *args: Any, dtype: Any = None, **kwargs: Any) -> "Tensor":
        """This tensor as ``dtype`` (itself if it already is). Float-to-float casts are
        differentiable (the gradient is cast back); casts to int or bool are not. A device
        (``"cpu"``) or another tensor (its dtype) is accepted as in PyTorch: minitorch is CPU-only."""
        for arg in args + tuple(v for k, v in kwargs.items() if k == "device"):
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, str) or type(arg).__name__ == "device":
                if str(arg).split(":")[0] != "cpu":
                    raise RuntimeError(f"to: minitorch computes on the CPU only, cannot move a tensor to {arg}")
            else:
                dtype = arg
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype == self.data.dtype:
            return self
        if not is_floating(dtype):
            return Tensor._constant(self.data.astype(dtype))
        # backward: the gradient passes through; the engine casts it back to self's dtype
        return Tensor._from_op(self.data.astype(dtype), (self,), f"to({dtype})", Tensor._identity_backward,
                               saves_inputs=False)

    def float(self) -> "Tensor":
        return self.to(np.float32)

    def double(self) -> "Tensor":
        return self.to(np.float64)

    def long(self) -> "Tensor":
        return self.to(np.int64)

    def int(self) -> "Tensor":
        return self.to(np.int32)

    def bool(self) -> "Tensor":
        return self.to(np.bool_)

    def half(self) -> "Tensor":
        return self.to(np.float16)

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def cpu(self) -> "Tensor":
        return self

    @property
    def device(self) -> str:
        return "cpu"

    def element_size(self) -> int:
        return self.data.itemsize

    def is_floating_point(self) -> bool:
        return is_floating(self.data.dtype)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4, threshold=200)
        extras = []
        if self.data.dtype not in (DEFAULT_FLOAT, np.int64, np.bool_):
            extras.append(f"dtype={self.data.dtype}")
        if self._requires_grad:
            extras.append("requires_grad=True")
        if self.label:
            extras.append(f"label={self.label!r}")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs: "Tensor | Sequence[Tensor] | None" = None) -> None:
        """Compute ``d(self)/d(leaf)`` for every leaf with ``requires_grad`` and add it to its ``.grad``.

        Args:
            gradient: ``dL/d(self)``, a tensor of self's shape. May be omitted when self has one
                element (a loss), where it is 1.
            retain_graph: keep the graph so that backward can be called through it again (or
                drawn with its gradients: ``draw_graph(loss)``). By default each op's inputs
                and backward function are released as soon as they are used, so the memory of a
                training step is freed by its backward.

            create_graph: must be False: backward functions work on numpy arrays and record no
                graph, so there are no higher-order derivatives (a RuntimeError says so).
            inputs: accumulate only into these tensors' ``.grad`` (leaves or not) and run only
                the part of the graph that leads to them; the others' ``.grad`` are untouched.

        Gradients *accumulate* across calls (as in PyTorch): zero them between training steps
        (``optimizer.zero_grad()``).
        """
        if create_graph:
            raise RuntimeError("backward: " + NO_CREATE_GRAPH)
        if not self._requires_grad:
            raise RuntimeError("backward: this tensor does not require grad and has no graph — did you set "
                               "requires_grad=True on an input, or compute it inside no_grad()?")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward: gradient can be omitted only for a one-element (scalar) output; "
                                   f"this output has shape {self.shape}. Pass gradient= a tensor of that "
                                   f"shape, or reduce it first (e.g. out.sum().backward())")
            seed = np.ones_like(self.data)
        else:
            seed = np.asarray(getattr(gradient, "data", gradient), dtype=self.data.dtype)
            if seed.shape != self.shape:
                raise RuntimeError(f"backward: gradient has shape {seed.shape} but the output has shape {self.shape}")
        targets = None if inputs is None else check_inputs(inputs, "backward")
        run_backward(self, seed, bool(retain_graph), inputs=targets)

    def detach(self) -> "Tensor":
        """The same data (shared, not copied) as a new leaf with no graph and requires_grad=False.
        It shares the version counter too: modifying it in place is seen by backward's checks."""
        out = Tensor._constant(self.data)
        out._vc = version_counter(self)
        return out

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's storage has seen (shared by its views)."""
        return self._vc[0]

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves keep it anyway)."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad: can't retain the gradient of a tensor that doesn't require grad")
        if self._backward is not None:
            self._retains_grad = True

    def register_hook(self, hook: Callable[["Tensor"], "Tensor | None"]) -> "RemovableHandle":
        """Call ``hook(grad)`` when the gradient w.r.t. this tensor has been computed.

        The hook may return a tensor to use instead of ``grad`` (e.g. clipped), or None.
        Returns a handle whose ``remove()`` unregisters it.
        """
        if not self._requires_grad:
            raise RuntimeError("register_hook: can't register a hook on a tensor that doesn't require grad")
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------------ arithmetic (broadcasting)
    # A Python number meeting a floating-point tensor (``y * 0.5``) goes to numpy as it is: numpy
    # (>= 2) keeps the array's dtype for a Python number, which is PyTorch's rule, so the number
    # need not become a constant Tensor (a second graph leaf and array per op: measured, that was
    # a third of the cost of ``y * 0.5`` on 10x10). The graph then has one input, and backward
    # uses the number itself. Integer and bool tensors still go through ``_operand``
    # (``scalar_dtype`` picks the dtype).
    # A Tensor operand is tested for first (the common case: one `is` instead of a set lookup), and
    # numpy is called through the operator (`operator.add(x, y)` is `x + y`: ~0.1 µs less than
    # `np.add(x, y)` on small arrays, measured).
    def __add__(self, other: Any) -> "Tensor":
        if type(other) is not Tensor:
            if type(other) in _PYTHON_NUMBERS and self.data.dtype.kind == "f":
                return Tensor._from_op(self.data + other, (self,), "+", Tensor._add_number_backward, (other,),
                                       saves_inputs=False)
            other = _operand(other, self, "add")
        return Tensor._from_op(_broadcast("add", operator.add, self, other), (self, other), "+",
                               Tensor._add_backward, saves_inputs=False)

    @staticmethod
    def _add_backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g, g  # d(a+b)/da = d(a+b)/db = 1

    @staticmethod
    def _identity_backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g,)  # clone, float casts: the gradient passes through unchanged

    # The backward of an op with a Python number c: one function per op and side, each keeping c
    # (even where unused), so that draw_graph can still show the number as a box (_drawn_inputs).
    @staticmethod
    def _add_number_backward(g: np.ndarray, c: float) -> tuple[np.ndarray]:
        return (g,)  # d(x + c)/dx = 1

    @staticmethod
    def _radd_number_backward(g: np.ndarray, c: float) -> tuple[np.ndarray]:
        return (g,)  # d(c + x)/dx = 1

    @staticmethod
    def _sub_number_backward(g: np.ndarray, c: float) -> tuple[np.ndarray]:
        return (g,)  # d(x - c)/dx = 1

    @staticmethod
    def _rsub_number_backward(g: np.ndarray, c: float) -> tuple[np.ndarray]:
        return (-g,)  # d(c - x)/dx = -1

    def __sub__(self, other: Any) -> "Tensor":
        if type(other) is not Tensor:
            if type(other) in _PYTHON_NUMBERS and self.data.dtype.kind == "f":
                return Tensor._from_op(self.data - other, (self,), "-", Tensor._sub_number_backward, (other,),
                                       saves_inputs=False)
            other = _operand(other, self, "sub")
        if self.data.dtype.kind == "b" or other.data.dtype.kind == "b":
            raise RuntimeError("sub: subtraction with a bool tensor is not supported; use ^ (xor) or "
                               "logical_not() instead, or convert with .int()")
        return Tensor._from_op(_broadcast("sub", operator.sub, self, other), (self, other), "-",
                               Tensor._sub_backward, saves_inputs=False)

    @staticmethod
    def _sub_backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g, -g

    def __mul__(self, other: Any) -> "Tensor":
        if type(other) is not Tensor:
            if type(other) in _PYTHON_NUMBERS and self.data.dtype.kind == "f":
                return Tensor._from_op(self.data * other, (self,), "*", Tensor._mul_number_backward, (other,),
                                       saves_inputs=False)
            other = _operand(other, self, "mul")
        # Each input's gradient needs the *other* input; it is saved only when that gradient is
        # wanted (None: that input needs no gradient), as PyTorch saves what backward will read.
        saved = (self.data if other._requires_grad else None, other.data if self._requires_grad else None)
        return Tensor._from_op(_broadcast("mul", operator.mul, self, other), (self, other), "*",
                               Tensor._mul_backward, saved)

    @staticmethod
    def _mul_backward(g: np.ndarray, a: np.ndarray | None,
                      b: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray | None]:
        return (None if b is None else g * b,  # d(ab)/da = b
                None if a is None else g * a)  # d(ab)/db = a

    @staticmethod
    def _mul_number_backward(g: np.ndarray, c: float) -> tuple[np.ndarray]:
        return (g * c,)  # d(c x)/dx = c

    @staticmethod
    def _rmul_number_backward(g: np.ndarray, c: float) -> tuple[np.ndarray]:
        return (g * c,)  # d(c x)/dx = c

    def __truediv__(self, other: Any) -> "Tensor":
        if type(other) is not Tensor:
            if type(other) in _PYTHON_NUMBERS and self.data.dtype.kind == "f":
                return Tensor._from_op(self.data / other, (self,), "/", Tensor._div_number_backward, (other,),
                                       saves_inputs=False)
            other = _operand(other, self, "div")
        out = _broadcast("div", operator.truediv, self, other, floating=True)
        return Tensor._from_op(out, (self, other), "/", Tensor._div_backward,
                               (other.data, out, self._requires_grad, other._requires_grad), saves_output=True)

    @staticmethod
    def _div_backward(g: np.ndarray, b: np.ndarray, out: np.ndarray, need_a: bool,
                      need_b: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
        ga = g / b if need_a else None  # d(a/b)/da = 1/b
        gb = -g * out / b if need_b else None  # d(a/b)/db = -a/b^2
        return ga, gb

    @staticmethod
    def _div_number_backward(g: np.ndarray, c: float) -> tuple[np.ndarray]:
        return (g / c,)  # d(x/c)/dx = 1/c

    def _rounded_div(self, other: Any, rounding_mode: str) -> "Tensor":
        """``self / other`` rounded towards zero ("trunc") or down ("floor"); integers stay
        integers. A step function: its gradient is 0 (PyTorch's too)."""
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
        other = _operand(other, self, "div")
        x, y = _promoted(self, other)
        with np.errstate(divide="ignore", invalid="ignore"):
            if x.dtype.kind in "biu":
                if (y == 0).any():
                    raise RuntimeError("div: ZeroDivisionError (integer division by zero)")
                q = np.floor_divide(x, y)
                out = q if rounding_mode == "floor" else np.where((q < 0) & (q * y != x), q + 1, q).astype(q.dtype)
            else:
                out = np.floor_divide(x, y) if rounding_mode == "floor" else np.trunc(x / y)

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return np.zeros_like(g), np.zeros_like(g)

        return Tensor._from_op(out, (self, other), f"div({rounding_mode})", backward)

    def __pow__(self, exponent: Any) -> "Tensor":
        if isinstance(exponent, (Tensor, np.ndarray)):
            return self._pow_tensor(_operand(exponent, self, "pow"))
        if isinstance(exponent, np.generic):  # a numpy scalar, e.g. np.float32(2): as a Python number
            exponent = exponent.item()
        if not isinstance(exponent, (int, float)) or isinstance(exponent, bool):
            raise TypeError(f"pow: the exponent must be a number or a Tensor, got {type(exponent).__name__}")
        x = self.data if isinstance(exponent, int) else to_float(self.data)
        if x.dtype.kind == "b":  # bool ** int is int64, as in PyTorch
            x = x.astype(np.int64)
        try:
            out = x**exponent
        except ValueError as e:  # numpy refuses integer ** negative integer
            raise RuntimeError(f"pow: {e} (tensor dtype {x.dtype}); use .float() first") from None
        return Tensor._from_op(out, (self,), f"**{exponent:g}", Tensor._pow_backward, (x, exponent))

    @staticmethod
    def _pow_backward(g: np.ndarray, x: np.ndarray, exponent: float) -> tuple[np.ndarray]:
        if exponent == 0:
            return (np.zeros_like(g),)  # x^0 = 1 is flat, even at x = 0
        return (g * exponent * x ** (exponent - 1),)  # d(x^n)/dx = n x^(n-1)

    def _pow_tensor(self, other: "Tensor") -> "Tensor":
        integers = self.data.dtype.kind in "biu" and other.data.dtype.kind in "biu"  # int ** int stays int
        if integers and self.data.dtype.kind == "b" and other.data.dtype.kind == "b":
            raise TypeError("pow: not implemented for two bool tensors (convert with .int() first)")
        out = _broadcast("pow", _int_power if integers else np.power, self, other, floating=not integers)

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
            x, y = self.data, other.data
            with np.errstate(divide="ignore", invalid="ignore"):  # d(x^y)/dx = y x^(y-1), and 0 where y = 0 (PyTorch)
                gx = np.where(y == 0, 0.0, g * y * x ** (y - 1)) if self._requires_grad else None
            gy = None
            if other._requires_grad:  # d(x^y)/dy = x^y ln x; PyTorch's convention: 0 where x = 0, y >= 0
                with np.errstate(divide="ignore", invalid="ignore"):
                    gy = np.where((x == 0) & (y >= 0), 0.0, g * out * np.log(x))
            return gx, gy

        return Tensor._from_op(out, (self, other), "**", backward, saves_output=True)

    def __matmul__(self, other: Any) -> "Tensor":
        """Matrix product with numpy's (and PyTorch's) rules: 1-D operands are vectors, and
        leading (batch) dimensions broadcast: ``(B, n, k) @ (k, m) -> (B, n, m)``."""
        other = _operand(other, self, "matmul")
        if self.data.dtype.kind == "b" or other.data.dtype.kind == "b":
            raise TypeError("matmul: not implemented for bool tensors (convert with .int() or .float())")
        a, b = _promoted(self, other)
        _check_matmul(a.shape, b.shape)
        return Tensor._from_op(a @ b, (self, other), "@", Tensor._matmul_backward,
                               (a, b, self._requires_grad, other._requires_grad))

    @staticmethod
    def _matmul_backward(g: np.ndarray, a: np.ndarray, b: np.ndarray, need_a: bool,
                         need_b: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
        # Treat vectors as matrices (a: 1 x k row, b: k x 1 column) so one rule covers all:
        # dL/dA = G B^T and dL/dB = A^T G; batch axes are summed by unbroadcast.
        a2 = a if a.ndim > 1 else a[None, :]
        b2 = b if b.ndim > 1 else b[:, None]
        g2 = g if b.ndim > 1 else g[..., None]  # the output lost b's column axis: put it back
        g2 = g2 if a.ndim > 1 else g2[..., None, :]  # ... and a's row axis
        ga = gb = None
        if need_a:
            ga = g2 @ np.swapaxes(b2, -1, -2)
            ga = ga if a.ndim > 1 else ga[..., 0, :]
        if need_b:
            gb = np.swapaxes(a2, -1, -2) @ g2
            gb = gb if b.ndim > 1 else gb[..., 0]
        return ga, gb

    def __neg__(self) -> "Tensor":
        _no_bool(self, "neg", "use ~ (logical not) instead")
        return Tensor._from_op(-self.data, (self,), "neg", Tensor._neg_backward, saves_inputs=False)

    @staticmethod
    def _neg_backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (-g,)

    def __radd__(self, other: Any) -> "Tensor":
        if type(other) in _PYTHON_NUMBERS and self.data.dtype.kind == "f":  # c + x: see __add__
            return Tensor._from_op(other + self.data, (self,), "+", Tensor._radd_number_backward, (other,),
                                   saves_inputs=False)
        return _operand(other, self, "add") + self

    def __rsub__(self, other: Any) -> "Tensor":
        if type(other) in _PYTHON_NUMBERS and self.data.dtype.kind == "f":
            return Tensor._from_op(other - self.data, (self,), "-", Tensor._rsub_number_backward, (other,),
                                   saves_inputs=False)
        return _operand(other, self, "sub") - self

    def __rmul__(self, other: Any) -> "Tensor":
        if type(other) in _PYTHON_NUMBERS and self.data.dtype.kind == "f":
            return Tensor._from_op(other * self.data, (self,), "*", Tensor._rmul_number_backward, (other,),
                                   saves_inputs=False)
        return _operand(other, self, "mul") * self

    def __rtruediv__(self, other: Any) -> "Tensor":
        if type(other) in _PYTHON_NUMBERS and self.data.dtype.kind == "f":
            out = other / self.data
            return Tensor._from_op(out, (self,), "/", Tensor._rdiv_number_backward, (other, self.data, out),
                                   saves_output=True)
        return _operand(other, self, "div") / self

    @staticmethod
    def _rdiv_number_backward(g: np.ndarray, c: float, x: np.ndarray, out: np.ndarray) -> tuple[np.ndarray]:
        return (-g * out / x,)  # d(c/x)/dx = -c/x^2 = -out/x

    def _drawn_inputs(self) -> tuple["Tensor", ...]:
        """The inputs ``draw_graph`` shows: ``_prev``, and a Python-number operand (``0.5`` in
        ``x * 0.5``), which is no graph input, as a box holding the number in this tensor's dtype."""
        side = _NUMBER_SIDE.get(self._backward)
        if side is None:
            return self._prev
        number = _number_box(self)
        return (number, *self._prev) if side == "left" else (*self._prev, number)

    def __rpow__(self, other: Any) -> "Tensor":
        return _operand(other, self, "pow")._pow_tensor(self)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _operand(other, self, "matmul") @ self

    # ------------------------------------------------------------------ comparisons (no gradient)
    def __lt__(self, other: Any) -> "Tensor":
        return _compare("lt", np.less, self, other)

    def __le__(self, other: Any) -> "Tensor":
        return _compare("le", np.less_equal, self, other)

    def __gt__(self, other: Any) -> "Tensor":
        return _compare("gt", np.greater, self, other)

    def __ge__(self, other: Any) -> "Tensor":
        return _compare("ge", np.greater_equal, self, other)

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _compare("eq", np.equal, self, other)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _compare("ne", np.not_equal, self, other)

    # Elementwise == would otherwise make tensors unhashable; like PyTorch, hash by identity
    # (so tensors can be dict keys, e.g. an optimizer's per-parameter state).
    __hash__ = object.__hash__

    # ------------------------------------------------------------------ elementwise functions
    def exp(self) -> "Tensor":
        out = np.exp(to_float(self.data))
        return Tensor._from_op(out, (self,), "exp", Tensor._exp_backward, (out,), saves_inputs=False, saves_output=True)

    @staticmethod
    def _exp_backward(g: np.ndarray, out: np.ndarray) -> tuple[np.ndarray]:
        return (g * out,)  # d(e^x)/dx = e^x

    def log(self) -> "Tensor":
        x = to_float(self.data)
        return Tensor._from_op(np.log(x), (self,), "log", Tensor._log_backward, (x,))

    @staticmethod
    def _log_backward(g: np.ndarray, x: np.ndarray) -> tuple[np.ndarray]:
        return (g / x,)  # d(ln x)/dx = 1/x

    def sqrt(self) -> "Tensor":
        out = np.sqrt(to_float(self.data))
        return Tensor._from_op(out, (self,), "sqrt", Tensor._sqrt_backward, (out,), saves_inputs=False,
                               saves_output=True)

    @staticmethod
    def _sqrt_backward(g: np.ndarray, out: np.ndarray) -> tuple[np.ndarray]:
        return (g / (2 * out),)  # d(sqrt x)/dx = 1 / (2 sqrt x)

    def tanh(self) -> "Tensor":
        out = np.tanh(to_float(self.data))
        return Tensor._from_op(out, (self,), "tanh", Tensor._tanh_backward, (out,), saves_inputs=False,
                               saves_output=True)

    @staticmethod
    def _tanh_backward(g: np.ndarray, out: np.ndarray) -> tuple[np.ndarray]:
        return (g * (1 - out * out),)  # d(tanh x)/dx = 1 - tanh^2 x

    def sigmoid(self) -> "Tensor":
        x = to_float(self.data)
        # exp of -|x| only, so nothing overflows: for x >= 0, 1/(1+e^-x); for x < 0, e^x/(1+e^x).
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return Tensor._from_op(out, (self,), "sigmoid", Tensor._sigmoid_backward, (out,), saves_inputs=False,
                               saves_output=True)

    @staticmethod
    def _sigmoid_backward(g: np.ndarray, out: np.ndarray) -> tuple[np.ndarray]:
        return (g * out * (1 - out),)  # d(sigma x)/dx = sigma (1 - sigma)

    def relu(self) -> "Tensor":
        _no_bool(self, "relu", "convert with .float() first")
        out = np.maximum(self.data, 0)  # NaN stays NaN
        return Tensor._from_op(out, (self,), "relu", Tensor._relu_backward, (out,), saves_inputs=False,
                               saves_output=True)

    @staticmethod
    def _relu_backward(g: np.ndarray, out: np.ndarray) -> tuple[np.ndarray]:
        return (g * ~(out <= 0),)  # 1 where out > 0 (and at NaN), 0 at the kink: PyTorch's rule

    def abs(self) -> "Tensor":
        if self.data.dtype.kind == "b":
            raise TypeError("abs: not implemented for a bool tensor (convert with .int() first)")
        return Tensor._from_op(np.abs(self.data), (self,), "abs", Tensor._abs_backward, (self.data,))

    @staticmethod
    def _abs_backward(g: np.ndarray, x: np.ndarray) -> tuple[np.ndarray]:
        return (g * ((x > 0).astype(g.dtype) - (x < 0)),)  # d|x|/dx = sign(x): 0 at 0 and at NaN, as PyTorch

    __abs__ = abs

    def clip(self, min: Any = None, max: Any = None) -> "Tensor":
        """Limit every value to ``[min, max]``; either bound may be None, a number or a tensor
        (broadcast). An integer tensor with a float bound gives float32, as in PyTorch. NaN stays
        NaN. Gradient: to self where ``min <= x <= max``, to a tensor bound where it was chosen.

        Raises:
            RuntimeError: neither bound given.
        """
        if min is None and max is None:
            raise RuntimeError("clip: at least one of 'min' or 'max' must not be None")
        lo = None if min is None else _operand(min, self, "clip")
        hi = None if max is None else _operand(max, self, "clip")
        arrays = [self.data] + [b.data for b in (lo, hi) if b is not None]
        dtype = self.data.dtype
        for b in arrays[1:]:
            dtype = result_dtype(np.empty((1,) * arrays[0].ndim, dtype), b)
        x = self.data.astype(dtype, copy=False)
        a = None if lo is None else lo.data.astype(dtype, copy=False)
        b = None if hi is None else hi.data.astype(dtype, copy=False)
        try:
            out = np.clip(x, a, b) if a is not None or b is not None else x
        except ValueError:
            raise RuntimeError(broadcast_error("clip", *(arr.shape for arr in arrays))) from None

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
            inside = np.ones(out.shape, dtype=bool)
            if a is not None:
                inside &= x >= a
            if b is not None:
                inside &= x <= b
            grads = [g * inside]
            if lo is not None:  # the lower bound was the answer
                grads.append(g * ((x < a) & (a <= b) if b is not None else x < a))
            if hi is not None:  # the upper bound was the answer
                grads.append(g * ((x > b) | (a > b) if a is not None else x > b))
            return tuple(grads)

        parents = (self,) + tuple(t for t in (lo, hi) if t is not None)
        return Tensor._from_op(out, parents, "clip", backward)

    clamp = clip

    def clone(self) -> "Tensor":
        """A copy of the data that stays in the graph (the gradient passes straight through)."""
        return Tensor._from_op(self.data.copy(), (self,), "clone", Tensor._identity_backward, saves_inputs=False)

    def triu(self, diagonal: int = 0) -> "Tensor":  # masking.py: triu tril masked_fill (lesson 16)
        return _masking().triu(self, diagonal)

    def tril(self, diagonal: int = 0) -> "Tensor":
        return _masking().tril(self, diagonal)

    def masked_fill(self, mask: Any, value: Any) -> "Tensor":
        return _masking().masked_fill(self, mask, value)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: int | Sequence[int] | None = None, keepdim: bool = False, *, dtype: Any = None,
            axis: int | Sequence[int] | None = None) -> "Tensor":
        """Sum over ``dim`` (an int, a tuple of ints, or None for all; ``axis`` is numpy's name for
        it, which PyTorch accepts too); ``keepdim`` keeps the reduced axes with size 1; ``dtype``
        converts first. Integer and bool tensors sum to int64. Backward: every input element gets
        the gradient of its sum."""
        if dtype is not None:
            return self.to(dtype).sum(dim if axis is None else axis, keepdim)
        dim = dim if axis is None else axis
        axes = _dims(dim, self.ndim, "sum")
        dtype = np.int64 if self.data.dtype.kind in "biu" else None  # PyTorch sums bool and ints as int64
        return Tensor._from_op(np.asarray(self.data.sum(axis=axes, keepdims=keepdim, dtype=dtype)), (self,),
                               _reduction_label("sum", dim), Tensor._sum_backward, (axes, keepdim, self.shape),
                               saves_inputs=False)

    @staticmethod
    def _sum_backward(g: np.ndarray, axes: Any, keepdim: bool, shape: tuple[int, ...]) -> tuple[np.ndarray]:
        return (np.broadcast_to(_restore_dims(g, axes, keepdim), shape),)  # each element gets its sum's gradient

    def mean(self, dim: int | Sequence[int] | None = None, keepdim: bool = False, *, dtype: Any = None,
             axis: int | Sequence[int] | None = None) -> "Tensor":
        """Average over ``dim`` (or ``axis``); backward spreads ``g / count`` evenly over the
        averaged elements. Raises RuntimeError for an integer tensor (PyTorch's rule), unless
        ``dtype`` (a float type) converts it first."""
        if dtype is not None:
            return self.to(dtype).mean(dim if axis is None else axis, keepdim)
        dim = dim if axis is None else axis
        if not is_floating(self.data.dtype):
            raise RuntimeError(f"mean: needs a floating-point tensor, got {self.data.dtype}; call .float() first")
        axes = _dims(dim, self.ndim, "mean")
        out = self.data.mean(axis=axes, keepdims=keepdim)
        count = self.data.size // max(np.size(out), 1) if self.data.size else 0
        return Tensor._from_op(out, (self,), _reduction_label("mean", dim), Tensor._mean_backward,
                               (axes, keepdim, self.shape, count), saves_inputs=False)

    @staticmethod
    def _mean_backward(g: np.ndarray, axes: Any, keepdim: bool, shape: tuple[int, ...],
                       count: int) -> tuple[np.ndarray]:
        return (np.broadcast_to(_restore_dims(g, axes, keepdim) / count, shape),)  # g / count to each element

    def max(self, dim: Any = None, keepdim: bool = False) -> "Tensor | ValuesIndices":
        """The largest value; with ``dim``, ``(values, indices)`` along that dim; with a tensor,
        the elementwise ``maximum``. NaN wins (propagates), as in PyTorch.

        Backward: without ``dim`` the gradient is shared evenly by all elements equal to the
        maximum (or by the NaNs, when it is NaN) — PyTorch's rule; with ``dim`` it goes to the one
        element at ``indices`` (the first maximum).

        Raises:
            RuntimeError: an empty tensor without ``dim``; IndexError: ``dim`` of size 0 or out of range.
        """
        if isinstance(dim, Tensor):
            from .functions import maximum

            return maximum(self, dim)
        return self._extreme(dim, keepdim, "max", np.argmax)

    def min(self, dim: Any = None, keepdim: bool = False) -> "Tensor | ValuesIndices":
        """The smallest value; with ``dim``, ``(values, indices)``; with a tensor, ``minimum``. See ``max``."""
        if isinstance(dim, Tensor):
            from .functions import minimum

            return minimum(self, dim)
        return self._extreme(dim, keepdim, "min", np.argmin)

    def _extreme(self, dim: int | None, keepdim: bool, name: str,
                 arg: Callable[..., np.ndarray]) -> "Tensor | ValuesIndices":
        x = self.data
        if dim is None:
            if x.size == 0:
                raise RuntimeError(f"{name}: Expected reduction dim to be specified for input.numel() == 0 (an "
                                   f"empty tensor of shape {self.shape} has no {name}imum); pass dim=")
            value = x.max() if name == "max" else x.min()  # NaN propagates
            winners = np.isnan(x) if value != value else x == value

            def backward_all(g: np.ndarray) -> tuple[np.ndarray]:
                return (winners * (g / winners.sum()),)  # ties share evenly

            return Tensor._from_op(value, (self,), name, backward_all)
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise TypeError(f"{name}: dim must be an int, got {type(dim).__name__} "
                            "(for the elementwise maximum/minimum of two tensors use minitorch.maximum/minimum)")
        axis = _dim(dim, self.ndim, name)
        if x.ndim and x.shape[axis] == 0:
            raise IndexError(f"{name}: Expected reduction dim {dim} to have non-zero size (tensor shape {self.shape})")
        index = arg(x, axis=axis, keepdims=True) if x.ndim else np.zeros((), dtype=np.int64)  # NaN's index wins
        values = np.take_along_axis(x, index, axis=axis) if x.ndim else x

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            if not x.ndim:
                return (g,)
            grad = np.zeros(x.shape, dtype=g.dtype)
            np.put_along_axis(grad, index, g if keepdim else np.expand_dims(g, axis), axis=axis)
            return (grad,)

        squeeze = x.ndim and not keepdim
        indices = index.squeeze(axis) if squeeze else index
        out = Tensor._from_op(values.squeeze(axis) if squeeze else values, (self,), f"{name}(dim={dim})", backward)
        return ValuesIndices(out, Tensor._constant(indices.astype(np.int64, copy=False)))

    def amax(self, dim: int | Sequence[int] = (), keepdim: bool = False) -> "Tensor":
        """The largest value over ``dim`` (an int or a tuple; ``()`` = all). NaN propagates; the
        gradient is shared evenly by the elements equal to the maximum (NaN where it is NaN), as
        PyTorch's amax."""
        return self._amax_amin(dim, keepdim, "amax", np.max)

    def amin(self, dim: int | Sequence[int] = (), keepdim: bool = False) -> "Tensor":
        """The smallest value over ``dim``; see ``amax``."""
        return self._amax_amin(dim, keepdim, "amin", np.min)

    def _amax_amin(self, dim: Any, keepdim: bool, name: str, reduce: Callable[..., np.ndarray]) -> "Tensor":
        axes = None if dim == () or dim is None else _dims(dim, self.ndim, name)
        x = self.data
        reduced = range(x.ndim) if axes is None else axes
        if any(x.shape[a] == 0 for a in reduced):
            raise (RuntimeError if axes is None else IndexError)(
                f"{name}: Expected reduction dim to have non-zero size (tensor shape {self.shape})")
        out = reduce(x, axis=axes, keepdims=keepdim)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            kept = reduce(x, axis=axes, keepdims=True)
            mask = x == kept
            count = mask.sum(axis=axes, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                return ((_restore_dims(g, axes, keepdim) / count) * mask,)  # 0/0 = NaN where the max is NaN

        return Tensor._from_op(out, (self,), _reduction_label(name, dim), backward)

    def all(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        """True where every element (over ``dim``, or all) is non-zero; a bool tensor."""
        axis = None if dim is None else _dim(dim, self.ndim, "all")
        return Tensor._constant(_logical_dtype(np.all(self.data, axis=axis, keepdims=keepdim), self.data.dtype))

    def any(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        """True where some element (over ``dim``, or any) is non-zero; a bool tensor."""
        axis = None if dim is None else _dim(dim, self.ndim, "any")
        return Tensor._constant(_logical_dtype(np.any(self.data, axis=axis, keepdims=keepdim), self.data.dtype))

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        """Index of the largest value (of the flattened tensor when ``dim`` is None), int64."""
        return self._arg(dim, keepdim, "argmax", np.argmax)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return self._arg(dim, keepdim, "argmin", np.argmin)

    def _arg(self, dim: int | None, keepdim: bool, name: str, arg: Callable[..., np.ndarray]) -> "Tensor":
        axis = None if dim is None else _dim(dim, self.ndim, name)
        if self.data.size == 0 and (axis is None or self.shape[axis] == 0):
            raise IndexError(f"{name}: Expected reduction dim to have non-zero size (an empty tensor of shape "
                             f"{self.shape})")
        if self.data.dtype.kind == "b":
            raise RuntimeError(f"{name}: not implemented for a bool tensor (convert with .int() first)")
        if self.ndim == 0:
            return Tensor._constant(np.zeros((), dtype=np.int64))
        return Tensor._constant(np.asarray(arg(self.data, axis=axis, keepdims=keepdim), dtype=np.int64))


# The backward functions above that return new arrays (or g itself, or views): the engine may sum
# into their results in place and hand them to leaves without a copy (autograd._FRESH). Not listed:
# add and the casts (they pass g on), sum and mean (views of g).
for _backward in (Tensor._sub_backward, Tensor._mul_backward, Tensor._div_backward, Tensor._matmul_backward,
                  Tensor._neg_backward, Tensor._pow_backward, Tensor._exp_backward, Tensor._log_backward,
                  Tensor._sqrt_backward, Tensor._tanh_backward, Tensor._sigmoid_backward, Tensor._relu_backward,
                  Tensor._abs_backward, Tensor._mul_number_backward, Tensor._rmul_number_backward,
                  Tensor._div_number_backward, Tensor._rsub_number_backward, Tensor._rdiv_number_backward):
    fresh_results(_backward)

# Which side of the op a Python number was on, by the op's backward (for _drawn_inputs).
_NUMBER_SIDE = {Tensor._add_number_backward: "right", Tensor._sub_number_backward: "right",
                Tensor._mul_number_backward: "right", Tensor._div_number_backward: "right",
                Tensor._radd_number_backward: "left", Tensor._rsub_number_backward: "left",
                Tensor._rmul_number_backward: "left", Tensor._rdiv_number_backward: "left"}

# The number box of each drawn tensor, built once: graph walks (draw_graph, the backward stepper, the
# gradient diagnosis) key nodes by id, so asking twice must give the same box. Keyed by the tensor's id,
# with a weak reference to check the id was not reused; a box holds only a number, never a graph.
_number_boxes: dict[int, tuple[weakref.ref, Tensor]] = {}


def _number_box(node: Tensor) -> Tensor:
    entry = _number_boxes.get(id(node))
    if entry is None or entry[0]() is not node:
        if len(_number_boxes) >= 4096:  # forget the boxes of tensors that are gone
            for key in [k for k, (ref, _) in _number_boxes.items() if ref() is None]:
                del _number_boxes[key]
        entry = (weakref.ref(node), Tensor._constant(np.asarray(node._saved[0], dtype=node.data.dtype)))
        _number_boxes[id(node)] = entry
    return entry[1]


class ValuesIndices(NamedTuple):
    """What ``max(dim=...)`` and ``min(dim=...)`` return, as in PyTorch."""

    values: Tensor
    indices: Tensor


class RemovableHandle:
    """Returned by ``register_hook`` (and a Module's ``register_*_hook``); ``remove()`` unregisters
    the hook. Also a context manager: ``with module.register_forward_hook(h): ...`` removes it on
    leaving. ``extra_dicts`` are other registries keyed by the same id (PyTorch's ``extra_dict``)."""

    _next_id = 0

    def __init__(self, hooks: dict[int, Any], extra_dicts: Sequence[Any] = ()):
        self._hooks = hooks
        self._extra = tuple(extra_dicts)
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)
        for extra in self._extra:
            extra.pop(self.id, None) if isinstance(extra, dict) else extra.discard(self.id)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


# ---------------------------------------------------------------------- helpers
def _no_bool(t: Tensor, op: str, hint: str) -> None:
    if t.data.dtype.kind == "b":
        raise RuntimeError(f"{op}: not supported for a bool tensor; {hint}")


def _int_power(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Integer ** integer, as PyTorch: a negative exponent gives 0 unless the base is 1 or -1."""
    out = np.power(x, np.abs(y))
    return np.where(y >= 0, out, np.where(np.abs(x) == 1, out, 0)).astype(out.dtype)


def _logical_dtype(result: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """all()/any() give bool, except on uint8, which stays uint8 (PyTorch's rule)."""
    return np.asarray(result, dtype=np.uint8 if dtype == np.uint8 else np.bool_)


def _masking() -> Any:
    from . import masking  # imported late: masking.py builds on this module
    return masking


def _to_array(data: Any, dtype: Any, op: str) -> np.ndarray:
    """Convert tensor input to an ndarray with PyTorch's dtype rules (see dtypes.py)."""
    if isinstance(data, Tensor):
        arr = data.data
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.array(data)
    else:
        try:
            arr = np.array(data)
        except ValueError as e:
            raise ValueError(f"{op}: cannot make a tensor from this data ({e})") from None
        if arr.dtype == np.float64 and dtype is None:  # Python floats: PyTorch's default float32 (unless told)
            arr = arr.astype(DEFAULT_FLOAT)
    if arr.dtype.kind not in _SUPPORTED_KINDS:
        raise TypeError(f"{op}: unsupported data type {arr.dtype} (expected numbers: bool, int or float)")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    return arr


def _operand(x: Any, like: Tensor, op: str) -> Tensor:
    """The other operand of a binary op as a Tensor. Python numbers take ``like``'s dtype
    (so they never widen it); they become graph leaves with no gradient."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float)):
        return Tensor._constant(np.asarray(x, dtype=scalar_dtype(x, like.data.dtype)))
    if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind in _SUPPORTED_KINDS:
        return Tensor._constant(np.asarray(x))
    raise TypeError(f"{op}: cannot combine a Tensor with {type(x).__name__} {x!r:.60}; expected a Tensor, "
                    "a number or a numpy array")


def _promoted(a: Tensor, b: Tensor, floating: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Both operands' arrays in their common dtype (and floating point if ``floating``)."""
    x, y = a.data, b.data
    if x.dtype != y.dtype:
        dtype = result_dtype(x, y)
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
    if floating:
        x, y = to_float(x), to_float(y)
    return x, y


def _broadcast(op: str, fn: Callable[[np.ndarray, np.ndarray], np.ndarray], a: Tensor, b: Tensor,
               floating: bool = False) -> np.ndarray:
    """``fn(a, b)`` elementwise with broadcasting; a clear error when the shapes don't broadcast."""
    x, y = a.data, b.data
    if floating or x.dtype is not y.dtype:  # the common case, one dtype, needs no promotion (nor a call)
        x, y = _promoted(a, b, floating)
    try:
        return fn(x, y)
    except ValueError:
        raise RuntimeError(broadcast_error(op, x.shape, y.shape)) from None


def _compare(op: str, fn: Callable[[np.ndarray, np.ndarray], np.ndarray], a: Tensor, other: Any) -> Tensor:
    return Tensor._constant(_broadcast(op, fn, a, _operand(other, a, op)))
