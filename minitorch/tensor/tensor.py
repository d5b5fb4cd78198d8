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

from typing import Any, Callable, Iterator, NamedTuple, Sequence, Union

import numpy as np

from . import grad_mode
from .autograd import NO_CREATE_GRAPH, check_inputs, run_backward
from .dtypes import DEFAULT_FLOAT, is_floating, result_dtype, scalar_dtype, to_float

Number = Union[bool, int, float]
Backward = Callable[[np.ndarray], Sequence[Union[np.ndarray, None]]]
_SUPPORTED_KINDS = "biuf"  # bool, signed and unsigned integers, floating point


class Tensor:
    """An n-dimensional array (``data``, a numpy ndarray) with automatic differentiation.

    Attributes:
        data: the values, a numpy array. Optimizers update it in place (``p.data -= lr * g``).
        grad: ``dL/d(self)`` after ``L.backward()`` (a Tensor of the same shape), or None.
        requires_grad: whether operations on this tensor record a graph for backward.
        label: an optional name, shown by ``minitorch.draw_graph``.
        _prev: the tensors this one was computed from (empty for a leaf).
        _op: the name of the operation that produced it ('' for a leaf).
        _backward: ``g -> (grad for each of _prev)``; None for a leaf.
    """

    __slots__ = ("data", "grad", "_requires_grad", "label", "_prev", "_op", "_backward", "_hooks",
                 "_retains_grad", "__weakref__")

    # numpy must not treat a Tensor as an array: `ndarray + Tensor` then calls Tensor.__radd__
    # (keeping the graph) instead of returning a bare ndarray.
    __array_ufunc__ = None

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
        self._hooks: dict[int, Callable[[Tensor], Tensor | None]] | None = None
        self._retains_grad = False
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def _constant(data: np.ndarray) -> "Tensor":
        """Wrap an array (no copy) as a tensor that needs no gradient."""
        return Tensor._from_op(data, (), "", None)

    @staticmethod
    def _from_op(data: Any, parents: tuple["Tensor", ...], op: str, backward: Backward | None) -> "Tensor":
        """The result of an operation: ``data`` computed from ``parents`` by ``op``.

        The graph edge (parents, op, backward) is recorded only when it will be needed: gradient
        recording is on and some parent requires a gradient. Otherwise the result is a plain
        constant that keeps nothing alive.
        """
        out = object.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data)  # numpy returns scalars for 0-d
        out.grad = None
        out.label = ""
        out._hooks = None
        out._retains_grad = False
        if backward is not None and grad_mode._enabled and any(p._requires_grad for p in parents):
            out._requires_grad = True
            out._prev = parents
            out._op = op
            out._backward = backward
        else:
            out._requires_grad = False
            out._prev = ()
            out._op = ""
            out._backward = None
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
            raise ValueError(f"item: only a tensor with exactly one element can be converted to a Python "
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
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"bool: the truth value of a tensor with {self.data.size} elements is "
                               "ambiguous; reduce it first, e.g. (x > 0).all() or .any()")
        return bool(self.data.item())

    def to(self, dtype: Any) -> "Tensor":
        """This tensor as ``dtype`` (itself if it already is). Float-to-float casts are
        differentiable (the gradient is cast back); casts to int or bool are not."""
        dtype = np.dtype(dtype)
        if dtype == self.data.dtype:
            return self
        if not is_floating(dtype):
            return Tensor._constant(self.data.astype(dtype))

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g,)  # the engine casts it back to self's dtype

        return Tensor._from_op(self.data.astype(dtype), (self,), f"to({dtype})", backward)

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
        """The same data (shared, not copied) as a new leaf with no graph and requires_grad=False."""
        return Tensor._constant(self.data)

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
    def __add__(self, other: Any) -> "Tensor":
        other = _operand(other, self, "add")

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return g, g  # d(a+b)/da = d(a+b)/db = 1

        return Tensor._from_op(_broadcast("add", np.add, self, other), (self, other), "+", backward)

    def __sub__(self, other: Any) -> "Tensor":
        other = _operand(other, self, "sub")

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return g, -g

        return Tensor._from_op(_broadcast("sub", np.subtract, self, other), (self, other), "-", backward)

    def __mul__(self, other: Any) -> "Tensor":
        other = _operand(other, self, "mul")

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
            return (g * other.data if self._requires_grad else None,  # d(ab)/da = b
                    g * self.data if other._requires_grad else None)  # d(ab)/db = a

        return Tensor._from_op(_broadcast("mul", np.multiply, self, other), (self, other), "*", backward)

    def __truediv__(self, other: Any) -> "Tensor":
        other = _operand(other, self, "div")
        out = _broadcast("div", np.true_divide, self, other, floating=True)

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
            ga = g / other.data if self._requires_grad else None  # d(a/b)/da = 1/b
            gb = -g * out / other.data if other._requires_grad else None  # d(a/b)/db = -a/b^2
            return ga, gb

        return Tensor._from_op(out, (self, other), "/", backward)

    def __pow__(self, exponent: Any) -> "Tensor":
        if isinstance(exponent, (Tensor, np.ndarray)):
            return self._pow_tensor(_operand(exponent, self, "pow"))
        if isinstance(exponent, np.generic):  # a numpy scalar, e.g. np.float32(2): as a Python number
            exponent = exponent.item()
        if not isinstance(exponent, (int, float)) or isinstance(exponent, bool):
            raise TypeError(f"pow: the exponent must be a number or a Tensor, got {type(exponent).__name__}")
        x = self.data if isinstance(exponent, int) else to_float(self.data)
        try:
            out = x**exponent
        except ValueError as e:  # numpy refuses integer ** negative integer
            raise ValueError(f"pow: {e} (tensor dtype {x.dtype}); use .float() first") from None

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            if exponent == 0:
                return (np.zeros_like(g),)  # x^0 = 1 is flat, even at x = 0
            return (g * exponent * x ** (exponent - 1),)  # d(x^n)/dx = n x^(n-1)

        return Tensor._from_op(out, (self,), f"**{exponent:g}", backward)

    def _pow_tensor(self, other: "Tensor") -> "Tensor":
        out = _broadcast("pow", np.power, self, other, floating=True)

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
            x, y = self.data, other.data
            gx = g * y * x ** (y - 1) if self._requires_grad else None  # d(x^y)/dx = y x^(y-1)
            gy = None
            if other._requires_grad:  # d(x^y)/dy = x^y ln x; PyTorch's convention: 0 where x = 0, y >= 0
                with np.errstate(divide="ignore", invalid="ignore"):
                    gy = np.where((x == 0) & (y >= 0), 0.0, g * out * np.log(x))
            return gx, gy

        return Tensor._from_op(out, (self, other), "**", backward)

    def __matmul__(self, other: Any) -> "Tensor":
        """Matrix product with numpy's (and PyTorch's) rules: 1-D operands are vectors, and
        leading (batch) dimensions broadcast: ``(B, n, k) @ (k, m) -> (B, n, m)``."""
        other = _operand(other, self, "matmul")
        a, b = _promoted(self, other)
        _check_matmul(a.shape, b.shape)
        out = a @ b

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
            # Treat vectors as matrices (a: 1 x k row, b: k x 1 column) so one rule covers all:
            # dL/dA = G B^T and dL/dB = A^T G; batch axes are summed by unbroadcast.
            a2 = a if a.ndim > 1 else a[None, :]
            b2 = b if b.ndim > 1 else b[:, None]
            g2 = g if b.ndim > 1 else g[..., None]  # the output lost b's column axis: put it back
            g2 = g2 if a.ndim > 1 else g2[..., None, :]  # ... and a's row axis
            ga = gb = None
            if self._requires_grad:
                ga = g2 @ np.swapaxes(b2, -1, -2)
                ga = ga if a.ndim > 1 else ga[..., 0, :]
            if other._requires_grad:
                gb = np.swapaxes(a2, -1, -2) @ g2
                gb = gb if b.ndim > 1 else gb[..., 0]
            return ga, gb

        return Tensor._from_op(out, (self, other), "@", backward)

    def __neg__(self) -> "Tensor":
        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (-g,)

        return Tensor._from_op(-self.data, (self,), "neg", backward)

    def __radd__(self, other: Any) -> "Tensor":
        return _operand(other, self, "add") + self

    def __rsub__(self, other: Any) -> "Tensor":
        return _operand(other, self, "sub") - self

    def __rmul__(self, other: Any) -> "Tensor":
        return _operand(other, self, "mul") * self

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _operand(other, self, "div") / self

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

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g * out,)  # d(e^x)/dx = e^x

        return Tensor._from_op(out, (self,), "exp", backward)

    def log(self) -> "Tensor":
        x = to_float(self.data)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g / x,)  # d(ln x)/dx = 1/x

        return Tensor._from_op(np.log(x), (self,), "log", backward)

    def sqrt(self) -> "Tensor":
        out = np.sqrt(to_float(self.data))

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g / (2 * out),)  # d(sqrt x)/dx = 1 / (2 sqrt x)

        return Tensor._from_op(out, (self,), "sqrt", backward)

    def tanh(self) -> "Tensor":
        out = np.tanh(to_float(self.data))

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g * (1 - out * out),)  # d(tanh x)/dx = 1 - tanh^2 x

        return Tensor._from_op(out, (self,), "tanh", backward)

    def sigmoid(self) -> "Tensor":
        x = to_float(self.data)
        # exp of -|x| only, so nothing overflows: for x >= 0, 1/(1+e^-x); for x < 0, e^x/(1+e^x).
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g * out * (1 - out),)  # d(sigma x)/dx = sigma (1 - sigma)

        return Tensor._from_op(out, (self,), "sigmoid", backward)

    def relu(self) -> "Tensor":
        x = self.data

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g * (x > 0),)  # 1 where x > 0, else 0 (0 at the kink, like PyTorch)

        return Tensor._from_op(np.maximum(x, 0), (self,), "relu", backward)

    def abs(self) -> "Tensor":
        x = self.data

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g * np.sign(x),)  # d|x|/dx = sign(x) (0 at 0, like PyTorch)

        return Tensor._from_op(np.abs(x), (self,), "abs", backward)

    __abs__ = abs

    def clip(self, min: float | None = None, max: float | None = None) -> "Tensor":
        """Limit every value to ``[min, max]`` (either may be None). The gradient passes where
        ``min <= x <= max`` and is 0 where the value was clipped."""
        if min is None and max is None:
            raise ValueError("clip: at least one of min and max must be given")
        for name, bound in (("min", min), ("max", max)):
            if bound is not None and (not isinstance(bound, (int, float)) or isinstance(bound, bool)):
                raise TypeError(f"clip: {name} must be a number or None, got {type(bound).__name__} "
                                "(for tensor bounds use minitorch.maximum / minitorch.minimum)")
        x = self.data
        out = np.clip(x, min, max)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            inside = np.ones(x.shape, dtype=bool)
            if min is not None:
                inside &= x >= min
            if max is not None:
                inside &= x <= max
            return (g * inside,)

        return Tensor._from_op(out, (self,), "clip", backward)

    clamp = clip

    def clone(self) -> "Tensor":
        """A copy of the data that stays in the graph (the gradient passes straight through)."""
        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g,)

        return Tensor._from_op(self.data.copy(), (self,), "clone", backward)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> "Tensor":
        """Sum over ``dim`` (an int, a tuple of ints, or None for all); ``keepdim`` keeps the
        reduced axes with size 1. Backward: every input element gets the gradient of its sum."""
        axes = _dims(dim, self.ndim, "sum")
        shape = self.shape

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (np.broadcast_to(_restore_dims(g, axes, keepdim), shape),)

        return Tensor._from_op(self.data.sum(axis=axes, keepdims=keepdim), (self,), _reduction_label("sum", dim),
                               backward)

    def mean(self, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> "Tensor":
        """Average over ``dim``; backward spreads ``g / count`` evenly over the averaged elements."""
        if not is_floating(self.data.dtype):
            raise TypeError(f"mean: needs a floating-point tensor, got {self.data.dtype}; call .float() first")
        axes = _dims(dim, self.ndim, "mean")
        shape = self.shape
        out = self.data.mean(axis=axes, keepdims=keepdim)
        count = self.data.size // max(np.size(out), 1) if self.data.size else 0

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (np.broadcast_to(_restore_dims(g, axes, keepdim) / count, shape),)

        return Tensor._from_op(out, (self,), _reduction_label("mean", dim), backward)

    def max(self, dim: int | None = None, keepdim: bool = False) -> "Tensor | ValuesIndices":
        """The largest value; with ``dim``, ``(values, indices)`` along that dim, like PyTorch.

        Backward: without ``dim`` the gradient is shared evenly by all elements equal to the
        maximum (PyTorch's rule); with ``dim`` it goes to the element at ``indices``.
        """
        return self._extreme(dim, keepdim, "max", np.argmax)

    def min(self, dim: int | None = None, keepdim: bool = False) -> "Tensor | ValuesIndices":
        """The smallest value; with ``dim``, ``(values, indices)``. See ``max``."""
        return self._extreme(dim, keepdim, "min", np.argmin)

    def _extreme(self, dim: int | None, keepdim: bool, name: str,
                 arg: Callable[..., np.ndarray]) -> "Tensor | ValuesIndices":
        x = self.data
        if x.size == 0:
            raise ValueError(f"{name}: cannot reduce an empty tensor (shape {self.shape})")
        if dim is None:
            value = x.max() if name == "max" else x.min()

            def backward_all(g: np.ndarray) -> tuple[np.ndarray]:
                winners = x == value
                return (winners * (g / winners.sum()),)

            return Tensor._from_op(value, (self,), name, backward_all)
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise TypeError(f"{name}: dim must be an int, got {type(dim).__name__} "
                            "(for the elementwise maximum/minimum of two tensors use minitorch.maximum/minimum)")
        axis = _dim(dim, self.ndim, name)
        index = arg(x, axis=axis, keepdims=True)
        values = np.take_along_axis(x, index, axis=axis)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            grad = np.zeros(x.shape, dtype=g.dtype)
            np.put_along_axis(grad, index, g if keepdim else np.expand_dims(g, axis), axis=axis)
            return (grad,)

        indices = index if keepdim else index.squeeze(axis)
        out = Tensor._from_op(values if keepdim else values.squeeze(axis), (self,), f"{name}(dim={dim})", backward)
        return ValuesIndices(out, Tensor._constant(indices.astype(np.int64, copy=False)))

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        """Index of the largest value (of the flattened tensor when ``dim`` is None), int64."""
        return self._arg(dim, keepdim, "argmax", np.argmax)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return self._arg(dim, keepdim, "argmin", np.argmin)

    def _arg(self, dim: int | None, keepdim: bool, name: str, arg: Callable[..., np.ndarray]) -> "Tensor":
        if self.data.size == 0:
            raise ValueError(f"{name}: cannot reduce an empty tensor (shape {self.shape})")
        axis = None if dim is None else _dim(dim, self.ndim, name)
        return Tensor._constant(np.asarray(arg(self.data, axis=axis, keepdims=keepdim), dtype=np.int64))

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: int | Sequence[int]) -> "Tensor":
        """The same values in a new shape (one dimension may be -1: inferred)."""
        new_shape = _shape_args(shape, "reshape")
        try:
            out = self.data.reshape(new_shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {self.shape} ({self.data.size} elements) "
                             f"into {new_shape}") from None
        old_shape = self.shape

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g.reshape(old_shape),)

        return Tensor._from_op(out, (self,), "reshape", backward)

    # PyTorch's view refuses non-contiguous tensors; numpy copies when it must, so here it is reshape.
    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        """Merge dimensions ``start_dim..end_dim`` (inclusive) into one."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = _dim(start_dim, self.ndim, "flatten"), _dim(end_dim, self.ndim, "flatten")
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} (tensor shape {self.shape})")
        shape = self.shape
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:]) if start < end else self

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        """Swap two dimensions."""
        a, b = _dim(dim0, self.ndim, "transpose"), _dim(dim1, self.ndim, "transpose")

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (np.swapaxes(g, a, b),)  # swapping back is the inverse

        return Tensor._from_op(np.swapaxes(self.data, a, b), (self,), f"transpose({dim0}, {dim1})", backward)

    def permute(self, *dims: int | Sequence[int]) -> "Tensor":
        """Reorder the dimensions: ``x.permute(2, 0, 1)`` puts dim 2 first."""
        order = _shape_args(dims, "permute")
        axes = tuple(_dim(d, self.ndim, "permute") for d in order)
        if sorted(axes) != list(range(self.ndim)):
            raise ValueError(f"permute: {order} is not a permutation of the {self.ndim} dims of a tensor of shape {self.shape}")
        inverse = tuple(np.argsort(axes))

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (np.transpose(g, inverse),)

        return Tensor._from_op(np.transpose(self.data, axes), (self,), f"permute{order}", backward)

    @property
    def T(self) -> "Tensor":
        """All dimensions reversed (the matrix transpose for 2-D)."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> "Tensor":
        """The last two dimensions swapped (a batch of transposed matrices)."""
        if self.ndim < 2:
            raise ValueError(f"mT: needs at least 2 dimensions, got shape {self.shape}")
        return self.transpose(-2, -1)

    def unsqueeze(self, dim: int) -> "Tensor":
        """Insert a dimension of size 1 at ``dim`` (from -ndim-1 to ndim)."""
        axis = _dim(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def squeeze(self, dim: int | Sequence[int] | None = None) -> "Tensor":
        """Remove dimensions of size 1 (all, or those in ``dim``; others in ``dim`` are left alone)."""
        axes = _dims(dim, self.ndim, "squeeze")
        axes = range(self.ndim) if axes is None else axes
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if not (i in axes and n == 1)))

    def expand(self, *sizes: int | Sequence[int]) -> "Tensor":
        """Broadcast to a bigger shape without copying (-1 keeps a size). The backward is the
        identity: the engine's unbroadcast sums the copies."""
        shape = _shape_args(sizes, "expand")
        lead = len(shape) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: cannot expand a tensor of shape {self.shape} to fewer dimensions {shape}")
        target = tuple(self.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
        try:
            out = np.broadcast_to(self.data, target)
        except ValueError:
            raise ValueError(f"expand: cannot expand shape {self.shape} to {shape} (only dimensions of size 1 "
                             "can grow)") from None

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            return (g,)

        return Tensor._from_op(out, (self,), "expand", backward)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index: Any) -> "Tensor":
        """Basic (ints, slices, None, ...) and integer-array / boolean-mask indexing, as numpy.

        Backward scatters the gradient back to the positions that were read. An index that reads
        the same element twice (``x[[0, 0]]``) must add both gradients: ``np.add.at`` does,
        where plain ``grad[idx] += g`` would keep only one of them.
        """
        idx = _numpy_index(index)
        try:
            out = self.data[idx]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor shape {self.shape})") from None
        shape, repeats_possible = self.shape, _has_integer_array(idx)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            grad = np.zeros(shape, dtype=g.dtype)
            if repeats_possible:
                np.add.at(grad, idx, g)
            else:
                grad[idx] = g  # slices and masks never read an element twice
            return (grad,)

        return Tensor._from_op(out, (self,), _index_label(index), backward)

    def __setitem__(self, index: Any, value: Any) -> None:
        """In-place assignment, allowed only outside the graph (no grad needed, or in no_grad())."""
        if grad_mode._enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)):
            raise RuntimeError("setitem: in-place assignment into a tensor that is part of a graph is not "
                               "supported; build the result with minitorch.where / cat, or use no_grad()")
        try:
            self.data[_numpy_index(index)] = getattr(value, "data", value)
        except (IndexError, ValueError) as e:
            raise type(e)(f"setitem: {e} (tensor shape {self.shape})") from None


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
    x, y = _promoted(a, b, floating)
    try:
        return fn(x, y)
    except ValueError:
        raise ValueError(broadcast_error(op, x.shape, y.shape)) from None


def broadcast_error(op: str, *shapes: tuple[int, ...]) -> str:
    """Say which dimension stops ``shapes`` from broadcasting (they are aligned from the right)."""
    ndim = max(len(s) for s in shapes)
    for axis in range(-1, -ndim - 1, -1):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            return (f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together: dimension "
                    f"{axis} has sizes {' vs '.join(map(str, sorted(sizes)))} (aligned from the right, sizes must "
                    "be equal or 1)")
    return f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together"


def _compare(op: str, fn: Callable[[np.ndarray, np.ndarray], np.ndarray], a: Tensor, other: Any) -> Tensor:
    return Tensor._constant(_broadcast(op, fn, a, _operand(other, a, op)))


def _check_matmul(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    if not sa or not sb:
        raise ValueError(f"matmul: {sa} @ {sb}: both operands need at least 1 dimension (use * for scalars)")
    k_a, k_b = sa[-1], (sb[0] if len(sb) == 1 else sb[-2])
    if k_a != k_b:
        raise ValueError(f"matmul: {sa} @ {sb}: inner dimensions {k_a} and {k_b} differ")
    batch_a, batch_b = sa[:-2], sb[:-2]
    try:
        np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise ValueError(f"matmul: {sa} @ {sb}: batch dimensions {batch_a} and {batch_b} cannot be broadcast "
                         "together") from None


def _dim(dim: int, ndim: int, op: str) -> int:
    """``dim`` as a non-negative axis, or an error naming the op and the valid range."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__} {dim!r}")
    lo = -max(ndim, 1)
    if not lo <= dim < max(ndim, 1):
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dimension(s) "
                         f"(expected {lo} to {max(ndim, 1) - 1})")
    return int(dim) % max(ndim, 1) if ndim else 0


def _dims(dim: int | Sequence[int] | None, ndim: int, op: str) -> tuple[int, ...] | None:
    if dim is None:
        return None
    dims = tuple(_dim(d, ndim, op) for d in (dim if isinstance(dim, (tuple, list)) else (dim,)))
    if len(set(dims)) != len(dims):
        raise ValueError(f"{op}: dim {dim} names the same dimension twice")
    return dims if ndim else None


def _restore_dims(g: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:
    """Give a reduction's gradient back the reduced axes (as size 1), ready to broadcast."""
    return g if keepdim or axes is None else np.expand_dims(g, axes)


def _reduction_label(name: str, dim: Any) -> str:
    return name if dim is None else f"{name}(dim={dim})"


def _shape_args(args: tuple[Any, ...], op: str) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    shape = tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape):
        raise TypeError(f"{op}: expected ints, got {shape}")
    return tuple(int(n) for n in shape)


def _numpy_index(index: Any) -> Any:
    """Tensors and lists inside an index become numpy arrays (integer or boolean)."""
    def one(i: Any) -> Any:
        if isinstance(i, Tensor):
            return i.data
        if isinstance(i, list):
            return np.asarray(i)
        return i

    return tuple(one(i) for i in index) if isinstance(index, tuple) else one(index)


def _has_integer_array(idx: Any) -> bool:
    parts = idx if isinstance(idx, tuple) else (idx,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind != "b" for p in parts)


def _index_label(index: Any) -> str:
    """A short description of an index for graph drawings, e.g. ``[0, 1:3]``."""
    def one(i: Any) -> str:
        if isinstance(i, slice):
            text = ("" if i.start is None else str(i.start)) + ":" + ("" if i.stop is None else str(i.stop))
            return text + (f":{i.step}" if i.step is not None else "")
        if i is Ellipsis:
            return "..."
        if isinstance(i, (Tensor, np.ndarray, list)):
            return "mask" if np.asarray(getattr(i, "data", i)).dtype == bool else "idx"
        return str(i)

    parts = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(one(i) for i in parts) + "]"
