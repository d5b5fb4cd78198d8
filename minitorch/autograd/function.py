"""``Function``: your own differentiable operation, with a forward and a backward you write.

Every built-in op records a graph node with ``Tensor._from_op(data, parents, op, backward)``.
A ``Function`` subclass is the same thing written as a class, as in PyTorch (and TinyNet, whose
every op is one)::

    class Exp(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):                 # runs with gradient recording off
            out = x.exp()
            ctx.save_for_backward(out)       # what backward will need
            return out

        @staticmethod
        def backward(ctx, grad_out):         # dL/d(out) -> dL/d(x), one per forward argument
            out, = ctx.saved_tensors
            return grad_out * out

    y = Exp.apply(x)                         # never call forward directly

``apply`` runs ``forward`` under ``no_grad()``, then links the output(s) to the tensor
arguments with a backward that calls your ``backward`` with Tensors, so a custom op works with
``backward()``, ``autograd.grad``, ``no_grad``, tensor hooks, and ``draw_graph`` (the op is named
after the class). ``backward`` returns one gradient per positional argument of ``forward``
(``None`` for arguments that are not tensors or need no gradient), in the argument's shape or a
shape that broadcasts to the output and sums back down to it (``unbroadcast``). Gradients are
checked as in PyTorch: the wrong number is a RuntimeError naming the function.

A forward may return several tensors (a tuple); backward then receives one gradient per output
(zeros for an output that got none, as PyTorch's ``materialize_grads``). They travel through the
engine as one package to a hidden node, so ``backward`` runs once per backward pass, with all of
them. Integer outputs and those passed to ``ctx.mark_non_differentiable`` get no gradient.

Differences from PyTorch: ``backward`` runs under ``no_grad()`` (no ``create_graph``, so no
higher-order derivatives), and there is no ``ctx.mark_dirty`` (minitorch's ``Function`` does not
support in-place forwards), no ``setup_context``, no ``vmap``/``jvp``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import grad_mode
from ..tensor.autograd import version_counter
from ..tensor.dtypes import is_floating
from ..tensor.tensor import Tensor

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """The ``ctx`` handed to ``forward`` and then to ``backward`` of one ``Function`` call.

    Attributes:
        needs_input_grad: one bool per positional argument of ``forward``: True when it is a
            Tensor that requires a gradient (so backward may skip the others' gradients).
        saved_tensors: the tensors given to ``save_for_backward``, in order.

    Anything else may be stored on it as attributes (``ctx.alpha = alpha``).
    """

    def __init__(self) -> None:
        self.needs_input_grad: tuple[bool, ...] = ()
        self.materialize_grads = True
        self._saved: tuple[Any, ...] | None = None
        self._saved_versions: list[int | None] = []
        self._non_differentiable: set[int] = set()

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep these tensors (or None) for ``backward``; call at most once, inside ``forward``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save tensors (or None), but argument {i} is "
                                f"of type {type(t).__name__}; store other values as attributes of ctx")
        self._saved = tensors
        # their versions now: backward refuses to read one changed in place since (PyTorch's rule)
        self._saved_versions = [None if t is None else t._vc[0] for t in tensors]

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        return self._saved or ()

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Mark outputs of ``forward`` that get no gradient (e.g. indices, masks)."""
        self._non_differentiable.update(id(t) for t in outputs)

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)


class _Gradients:
    """The gradients of a multi-output Function's outputs, travelling through the engine as one
    value to the hidden node that stands for the call. The engine only adds such values together
    and compares their shape and dtype with the node's (``_PACKED``): both are made to match."""

    __slots__ = ("parts",)
    shape = (0,)
    dtype = np.dtype(np.float64)

    def __init__(self, parts: dict[int, np.ndarray]):
        self.parts = parts

    def __add__(self, other: "_Gradients") -> "_Gradients":
        parts = dict(self.parts)
        for i, g in other.parts.items():
            parts[i] = parts[i] + g if i in parts else g
        return _Gradients(parts)


_PACKED = np.empty(0, dtype=_Gradients.dtype)


class Function:
    """Base class of a custom differentiable operation; subclasses define two static methods:

    * ``forward(ctx, *args, **kwargs)`` computes the output(s) (a Tensor or a tuple of them) with
      ordinary tensor or numpy operations; it runs under ``no_grad()``.
    * ``backward(ctx, *grad_outputs)`` gets one Tensor per output (``dL/d(output)``, the output's
      shape) and returns one gradient per positional argument of ``forward``: a Tensor (or
      ndarray) in the argument's shape, or ``None``. Keyword arguments get no gradient.

    Use it through ``apply``: ``y = MyOp.apply(x, 2.0)``.

    Raises (from ``backward``):
        RuntimeError: backward returned the wrong number of gradients, a gradient for an input
            that has none to give it a shape, or one whose shape does not sum down to the input's.
        TypeError: a gradient is not a Tensor, an ndarray or None.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"{type(self).__name__}: Function subclasses are not instantiated: call "
                           f"{type(self).__name__}.apply(...) (forward and backward are static methods)")

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("You must implement the forward function for a custom autograd.Function.")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Tensor) -> Any:
        raise RuntimeError("You must implement either the backward or vjp method for your custom "
                           "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and, when gradients are recorded and a tensor argument requires one,
        link the output(s) to the tensor arguments through ``backward``. Returns what forward did."""
        if cls.forward is Function.forward:
            raise RuntimeError(f"{cls.__name__}: you must implement the forward function for a custom "
                               "autograd.Function (a @staticmethod forward(ctx, ...))")
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with grad_mode.no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        record = grad_mode.is_grad_enabled() and any(ctx.needs_input_grad)
        if not record:
            return result
        parents = tuple(a for a in args if isinstance(a, Tensor))
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        name = cls.__name__
        differentiable = [isinstance(o, Tensor) and is_floating(o.data.dtype)
                          and id(o) not in ctx._non_differentiable for o in outputs]
        shapes = [o.shape if isinstance(o, Tensor) else None for o in outputs]
        dtypes = [o.dtype if isinstance(o, Tensor) else None for o in outputs]

        def run(grads: dict[int, np.ndarray]) -> list[np.ndarray | None]:
            """Call the user's backward with one Tensor per output; its answer per tensor argument."""
            grad_outputs = []
            for i, shape in enumerate(shapes):
                g = grads.get(i)
                if g is None and shape is not None and ctx.materialize_grads:
                    g = np.zeros(shape, dtype=dtypes[i])
                grad_outputs.append(None if g is None else Tensor._constant(g))
            for i, (t, version) in enumerate(zip(ctx.saved_tensors, ctx._saved_versions)):
                if t is not None and t._vc[0] != version:
                    raise RuntimeError(
                        f"backward: one of the variables needed for gradient computation has been modified by an "
                        f"inplace operation: saved tensor {i} of '{name}' (shape {t.shape}) is at version "
                        f"{t._vc[0]}; expected version {version} instead. Modify a .clone() instead")
            with grad_mode.no_grad():
                answer = cls.backward(ctx, *grad_outputs)
            return _check_gradients(name, answer, args, positions)

        if single:
            if not differentiable[0]:
                return result

            def backward(g: np.ndarray) -> list[np.ndarray | None]:
                return run({0: g})

            return _linked(result, parents, name, backward)

        hidden = Tensor._from_op(_PACKED, parents, name, lambda pack: run(pack.parts))
        linked: list[Any] = []
        for i, out in enumerate(outputs):
            if differentiable[i]:
                out = _linked(out, (hidden,), f"{name}[{i}]", _route(i))
            linked.append(out)
        return tuple(linked)


def _route(i: int) -> Any:
    def backward(g: np.ndarray) -> tuple[_Gradients]:
        return (_Gradients({i: g}),)

    return backward


def _linked(out: Tensor, parents: tuple[Tensor, ...], op: str, backward: Any) -> Tensor:
    """A new graph node holding ``out``'s data (and label), produced by ``op`` from ``parents``."""
    node = Tensor._from_op(out.data, parents, op, backward)
    node.label = out.label
    node._vc = version_counter(out)  # the same storage: changing the node in place changes a saved `out`
    return node


def _check_gradients(name: str, answer: Any, args: tuple[Any, ...], positions: list[int]) -> list[np.ndarray | None]:
    """The gradients ``backward`` returned, one per tensor argument, checked as PyTorch checks them."""
    grads = list(answer) if isinstance(answer, (tuple, list)) else [answer]
    if len(grads) > len(args) and all(g is None for g in grads[len(args):]):
        grads = grads[:len(args)]  # PyTorch tolerates trailing Nones
    if len(grads) != len(args):
        raise RuntimeError(f"function {name}Backward returned an incorrect number of gradients "
                           f"(expected {len(args)}, got {len(grads)}): one per positional argument of forward, "
                           "None for those that need no gradient")
    out: list[np.ndarray | None] = []
    for i in positions:
        g, arg = grads[i], args[i]
        if g is None:
            out.append(None)
            continue
        if isinstance(g, Tensor):
            g = g.data
        elif not isinstance(g, np.ndarray):
            raise TypeError(f"function {name}Backward returned a {type(g).__name__} as the gradient of "
                            f"argument {i}; expected a Tensor (or None)")
        if g.shape != arg.shape and not _sums_down(g.shape, arg.shape):
            raise RuntimeError(f"function {name}Backward returned an invalid gradient at index {i} - got "
                               f"{list(g.shape)} but expected shape compatible with {list(arg.shape)}")
        out.append(g)
    return out


def _sums_down(grad_shape: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    """Whether a gradient of ``grad_shape`` sums down to ``shape`` (``shape`` broadcasts to it)."""
    try:
        return np.broadcast_shapes(grad_shape, shape) == grad_shape
    except ValueError:
        return False
