"""In-place ops: ``add_ sub_ mul_ div_ pow_ ... zero_ fill_ copy_ uniform_ normal_``, ``+= -= *= /=``
and ``t[index] = value``. They change the tensor's own storage, so every view of it (and
``t.numpy()``) sees the new values, and they bump its *version*.

With PyTorch's autograd rules:

* Outside ``no_grad()``, an in-place op on a leaf that requires grad (a weight) is an error: its
  old value may already be in use by the graph. Update weights under ``no_grad()``:

      with minitorch.no_grad():
          w -= lr * w.grad            # w itself changes (its storage, its version)

* When the op is recorded (something requires grad), the tensor becomes the op's output in the
  graph: its former self (the node that made it) moves to a fresh tensor object, ``old``, and the
  op is computed out of place from ``old``, forward and backward as any op. When the tensor is a
  view, its root base becomes a "copy_slices" node: the gradient of the region seen through the
  view flows to the view's new value, the rest to the base's former self.
* Backward refuses to use a tensor whose version changed after the forward pass read it
  (``autograd.check_versions``): a clear RuntimeError instead of a silently wrong gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from . import grad_mode
from .autograd import version_counter
from .dtypes import is_floating
from .random import numpy_generator
from .views import _is_basic, _numpy_index, view_positions

if TYPE_CHECKING:
    from .tensor import Tensor

Number = bool | int | float


class InplaceOps:
    """The in-place methods of ``Tensor`` (a mixin: ``Tensor`` inherits them)."""

    __slots__ = ()

    # ------------------------------------------------------------------ arithmetic
    def add_(self, other: Any, *, alpha: Number = 1) -> "Tensor":
        """``self += alpha * other``, in place."""
        return self._inplace("add_", lambda x: x + (other if alpha == 1 else other * alpha), other)

    def sub_(self, other: Any, *, alpha: Number = 1) -> "Tensor":
        """``self -= alpha * other``, in place."""
        return self._inplace("sub_", lambda x: x - (other if alpha == 1 else other * alpha), other)

    def mul_(self, other: Any) -> "Tensor":
        return self._inplace("mul_", lambda x: x * other, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        return self._inplace("div_", lambda x: x.div(other, rounding_mode=rounding_mode), other)

    def pow_(self, exponent: Any) -> "Tensor":
        return self._inplace("pow_", lambda x: x**exponent, exponent)

    def __iadd__(self, other: Any) -> "Tensor":
        return self.add_(other)

    def __isub__(self, other: Any) -> "Tensor":
        return self.sub_(other)

    def __imul__(self, other: Any) -> "Tensor":
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> "Tensor":
        return self.div_(other)

    def __ipow__(self, other: Any) -> "Tensor":
        return self.pow_(other)

    # ------------------------------------------------------------------ elementwise functions
    def neg_(self) -> "Tensor":
        return self._inplace("neg_", lambda x: -x)

    def exp_(self) -> "Tensor":
        return self._inplace("exp_", lambda x: x.exp())

    def log_(self) -> "Tensor":
        return self._inplace("log_", lambda x: x.log())

    def sqrt_(self) -> "Tensor":
        return self._inplace("sqrt_", lambda x: x.sqrt())

    def tanh_(self) -> "Tensor":
        return self._inplace("tanh_", lambda x: x.tanh())

    def sigmoid_(self) -> "Tensor":
        return self._inplace("sigmoid_", lambda x: x.sigmoid())

    def relu_(self) -> "Tensor":
        return self._inplace("relu_", lambda x: x.relu())

    def abs_(self) -> "Tensor":
        return self._inplace("abs_", lambda x: x.abs())

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        return self._inplace("clamp_", lambda x: x.clamp(min, max), min, max)

    clip_ = clamp_

    # ------------------------------------------------------------------ filling
    def zero_(self) -> "Tensor":
        """Fill with zeros, in place (gradient 0 to the former values)."""
        return self.fill_(0)

    def fill_(self, value: Any) -> "Tensor":
        """Fill with ``value`` (a number, or a 0-d tensor whose gradient is the sum), in place."""
        from .tensor import Tensor

        if isinstance(value, Tensor) and value.ndim != 0:
            raise RuntimeError(f"fill_: only supports a 0-dimension value tensor, but got one with {value.ndim} "
                               "dimension(s)")
        return self._inplace("fill_", lambda x: _replaced(x, np.broadcast_to(getattr(value, "data", value), x.shape),
                                                            value if isinstance(value, Tensor) else None, "fill_"),
                             value, cast=True)

    def copy_(self, src: Any) -> "Tensor":
        """Copy ``src``'s values (broadcast to self's shape, cast to self's dtype) into self."""
        from .tensor import Tensor, _operand

        src = _operand(src, self, "copy_")
        try:
            values = np.broadcast_to(src.data, self.shape)
        except ValueError:
            raise RuntimeError(f"copy_: the source of shape {src.shape} cannot be broadcast to the destination's "
                               f"shape {self.shape}") from None
        return self._inplace("copy_", lambda x: _replaced(x, values, src if isinstance(src, Tensor) else None,
                                                          "copy_"), src, cast=True)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill with numbers drawn uniformly from ``[a, b)``."""
        values = _rng(generator).uniform(a, b, self.shape)
        return self._inplace("uniform_", lambda x: _replaced(x, values, None, "uniform_"), cast=True)

    def random_(self, from_: int = 0, to: int | None = None, *, generator: Any = None) -> "Tensor":
        """Fill with random integers in ``[from_, to)`` (``random_(n)`` means ``[0, n)``)."""
        if to is None:
            from_, to = 0, from_
        if to <= from_:
            raise RuntimeError(f"random_: expects 'from' to be less than 'to', but got from={from_} >= to={to}")
        values = _rng(generator).integers(from_, to, self.shape)
        return self._inplace("random_", lambda x: _replaced(x, values, None, "random_"), cast=True)

    def bernoulli_(self, p: float = 0.5, *, generator: Any = None) -> "Tensor":
        """Fill with 1 (probability ``p``) or 0."""
        values = _rng(generator).random(self.shape) < p
        return self._inplace("bernoulli_", lambda x: _replaced(x, values, None, "bernoulli_"), cast=True)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill with numbers drawn from the normal distribution N(mean, std²)."""
        values = _rng(generator).normal(mean, std, self.shape)
        return self._inplace("normal_", lambda x: _replaced(x, values, None, "normal_"), cast=True)

    # ------------------------------------------------------------------ indexing
    def __setitem__(self, index: Any, value: Any) -> None:
        """``self[index] = value`` (value broadcast to the indexed region), in place, differentiable.

        ``t[:, 1] += 1`` is Python's ``v = t[:, 1]; v += 1; t[:, 1] = v``: the first two steps
        already wrote through the view ``v``, so the write-back of ``v`` onto itself is skipped.
        """
        from .tensor import Tensor, _operand

        idx = _numpy_index(index)
        if isinstance(value, Tensor) and value._view is not None and _is_basic(idx) and \
                _same_memory(value.data, self.data[idx]):
            return
        value = _operand(value, self, "setitem")
        if not (grad_mode._enabled and (self._requires_grad or value._requires_grad)):
            self._check_writable("setitem")
            try:
                self.data[idx] = value.data
            except (IndexError, ValueError) as e:
                raise (IndexError if isinstance(e, IndexError) else RuntimeError)(
                    f"setitem: {e} (tensor shape {self.shape}, value shape {value.shape})") from None
            version_counter(self)[0] += 1
            return

        def index_put(old: Tensor) -> Tensor:
            out = old.data.copy()
            try:
                out[idx] = value.data
            except (IndexError, ValueError) as e:
                raise (IndexError if isinstance(e, IndexError) else RuntimeError)(
                    f"setitem: {e} (tensor shape {old.shape}, value shape {value.shape})") from None

            def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                g_old = g.copy()
                g_old[idx] = 0  # those values were overwritten: they no longer reach the output
                return g_old, g[idx]  # the engine sums g[idx] down to value's shape if it was broadcast

            return old._from_op(out, (old, value), "setitem", backward)

        self._inplace("setitem", index_put, value, cast=True)

    # ------------------------------------------------------------------ the machinery
    def _inplace(self, name: str, compute: Callable[["Tensor"], "Tensor"], *others: Any,
                 cast: bool = False) -> "Tensor":
        """Replace self's values by ``compute(self)`` (an out-of-place op), in self's own storage.

        ``others`` are the op's other operands (to know whether the op is recorded). ``cast``:
        any result dtype is converted to self's (copy_, fill_); otherwise a result that would
        lose its kind (a float result into an int tensor) is an error, as in PyTorch.
        """
        from .tensor import Tensor

        recording = grad_mode._enabled and (self._requires_grad or
                                            any(isinstance(o, Tensor) and o._requires_grad for o in others))
        if not recording:
            result = compute(self)
            self._write(result.data, name, cast)
            version_counter(self)[0] += 1
            return self
        if self._requires_grad and self._backward is None and self._view is None:
            raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an in-place operation "
                               f"(tensor of shape {self.shape}). Update weights inside `with minitorch.no_grad():`")
        view = self._view
        if view is not None and view[0]._requires_grad and view[0]._backward is None:
            raise RuntimeError(f"{name}: a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation. Modify it inside `with minitorch.no_grad():`, or work on a .clone()")
        counter = version_counter(self)
        counter[0] += 1  # first: `old` starts at the version past any that self's consumers noted
        if view is None:
            old = self._moved_node(self.data.copy())
        else:  # self's former value, as a fresh view of its base's former self
            root_old = view[0]._moved_node(view[0].data)
            old = _view_node(root_old, self, self.data.copy())
        result = compute(old)
        self._write(result.data, name, cast)
        self._take_node(result, name)
        if view is not None:  # the base's gradient reaches the new values through `result`, self's twin node
            _copy_slices(view[0], root_old, result, view_positions(self))
        counter[1] = counter[0]  # self (and its base) are new nodes from this version on: see check_versions
        # Ops recorded before this change used the value that `old` (`root_old` for the base) now holds:
        # backward routes their gradient there (autograd._routed), as PyTorch's separate nodes do.
        self._former = [*(self._former or ()), (counter[0], old)]
        if view is not None:
            base = view[0]
            base._former = [*(base._former or ()), (counter[0], root_old)]
        return self

    def _write(self, values: np.ndarray, name: str, cast: bool) -> None:
        """Copy ``values`` into self's storage, after PyTorch's checks of shape and dtype."""
        if values.shape != self.shape:
            raise RuntimeError(f"{name}: output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(values.shape)}")
        if not cast and not _can_cast(values.dtype, self.data.dtype):
            raise RuntimeError(f"{name}: result type {values.dtype} can't be cast to the desired output type "
                               f"{self.data.dtype} (tensor of shape {self.shape}); use the out-of-place op, or "
                               "convert first (e.g. .float())")
        self._check_writable(name)
        np.copyto(self.data, values, casting="unsafe")

    def _check_writable(self, name: str) -> None:
        if not self.data.flags.writeable:
            raise RuntimeError(f"{name}: unsupported operation: more than one element of the written-to tensor "
                               "refers to a single memory location (an expand()ed tensor). Please clone() the "
                               "tensor before performing the operation.")

    def _moved_node(self, data: np.ndarray) -> "Tensor":
        """A new tensor object that takes over self's place in the graph (its inputs, op and
        backward), holding ``data``. Its version is self's current one, which is past what the
        op that made self noted (so that op's check still fails if it saved its output)."""
        from .tensor import Tensor

        node = Tensor._constant(data)
        node.label = self.label
        node._vc = [self._vc[0], 0]  # its own counter: later changes of self are not its
        node._requires_grad, node._prev, node._op = self._requires_grad, self._prev, self._op
        node._backward, node._saved, node._saved_versions = self._backward, self._saved, self._saved_versions
        return node

    def _take_node(self, result: "Tensor", name: str) -> None:
        """Self becomes the graph node of ``result`` (an op computed from self's former self)."""
        self._requires_grad, self._prev, self._op = result._requires_grad, result._prev, name
        self._backward, self._saved = result._backward, result._saved
        versions = result._saved_versions
        if versions is not None and len(versions) > len(result._prev):  # it saved its output: now self
            versions = [*versions[:-1], self._vc[0]]
        self._saved_versions = versions


def _view_node(root_old: "Tensor", view: "Tensor", data: np.ndarray) -> "Tensor":
    """``view``'s region of ``root_old``, as a graph node holding ``data``."""
    positions = view_positions(view)
    shape = root_old.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(root_old.data.size, dtype=g.dtype)
        grad[positions.ravel()] = g.ravel()
        return (grad.reshape(shape),)

    node = root_old._from_op(data, (root_old,), view._op or "view", backward)
    node._vc = [view._vc[0], 0]
    return node


def _copy_slices(root: "Tensor", root_old: "Tensor", view: "Tensor", positions: np.ndarray) -> None:
    """After an in-place op through a view: ``root`` = ``root_old`` with the view's region (at
    ``positions``) replaced by ``view``, the view's new value. Backward: the region's gradient
    goes to the view, the rest to the former root."""
    positions = positions.ravel()

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        flat = g.reshape(-1)
        g_old = flat.copy()
        g_old[positions] = 0
        return g_old.reshape(g.shape), flat[positions].reshape(view.shape)

    root._requires_grad, root._prev, root._op, root._backward = True, (root_old, view), "copy_slices", backward
    root._saved = ()
    root._saved_versions = [root_old._vc[0], view._vc[0]]


def _replaced(old: "Tensor", values: np.ndarray, source: "Tensor | None", name: str) -> "Tensor":
    """An op whose result is ``values`` (fill_, copy_, uniform_, ...): no gradient to ``old``; all
    of it to ``source`` (summed down to its shape by the engine) when there is one."""
    out = np.array(values, dtype=old.dtype if source is None or not is_floating(source.dtype) else source.dtype)

    def backward(g: np.ndarray) -> tuple[np.ndarray, ...]:
        return (np.zeros_like(g),) if source is None else (np.zeros_like(g), g)

    return old._from_op(out, (old,) if source is None else (old, source), name, backward)


def _can_cast(src: np.dtype, dst: np.dtype) -> bool:
    """PyTorch's canCast: no float into an integer tensor, and nothing but bool into a bool one."""
    if dst.kind == "b":
        return src.kind == "b"
    if dst.kind in "iu":
        return src.kind in "biu"
    return True


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0] and a.shape == b.shape
            and a.strides == b.strides)


def _rng(generator: Any) -> np.random.Generator:
    return numpy_generator(generator)
