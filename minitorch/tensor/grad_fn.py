"""``Tensor.grad_fn``: a small, read-only view of the graph node that made a tensor.

PyTorch gives every non-leaf tensor a ``grad_fn`` object (``MulBackward0``, ...) whose
``next_functions`` lead to its inputs' nodes, ending at ``AccumulateGrad`` for the leaves. minitorch
keeps the graph on the tensors themselves (``_prev``, ``_op``, ``_backward``); this module wraps
that in objects shaped like PyTorch's so that code that walks ``grad_fn`` (printing a graph,
checking that a tensor is attached) works. It is a partial view (docs/pytorch-differences.md):

* ``name()`` is PyTorch's name where minitorch's op maps clearly onto one torch op (``"*"`` ->
  ``"MulBackward0"``, ``"sum(dim=0)"`` -> ``"SumBackward1"``), else minitorch's own op label
  (composed ops record their parts: ``x.var()`` is a ``DivBackward0`` node, as minitorch computes it);
* ``next_functions`` is a tuple of ``(node, 0)`` pairs, one per input: the input's ``grad_fn``,
  an ``AccumulateGrad`` for a leaf that requires grad, or ``None``; after a ``backward()`` that
  freed the graph it is ``()`` (minitorch drops the edges to free memory);
* the node cannot be called, nor hooked (use ``Tensor.register_hook``), nor hold saved tensors.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor

# minitorch's op label (its part before "(") -> PyTorch's backward node name. A label with a
# ``dim=`` argument takes the second entry where PyTorch's overload differs (sum over dims is
# SumBackward1; max over all elements is MaxBackward1, over one dim MaxBackward0).
_NAMES: dict[str, tuple[str, str]] = {
    "+": ("AddBackward0", "AddBackward0"), "-": ("SubBackward0", "SubBackward0"),
    "*": ("MulBackward0", "MulBackward0"), "/": ("DivBackward0", "DivBackward0"),
    "neg": ("NegBackward0", "NegBackward0"), "**": ("PowBackward1", "PowBackward1"),
    "exp": ("ExpBackward0",) * 2, "log": ("LogBackward0",) * 2, "sqrt": ("SqrtBackward0",) * 2,
    "tanh": ("TanhBackward0",) * 2, "sigmoid": ("SigmoidBackward0",) * 2, "relu": ("ReluBackward0",) * 2,
    "abs": ("AbsBackward0",) * 2, "sin": ("SinBackward0",) * 2, "cos": ("CosBackward0",) * 2,
    "erf": ("ErfBackward0",) * 2, "sign": ("SignBackward0",) * 2, "clip": ("ClampBackward1",) * 2,
    "clone": ("CloneBackward0",) * 2, "where": ("WhereBackward0",) * 2, "view": ("ViewBackward0",) * 2,
    "expand": ("ExpandBackward0",) * 2, "softmax": ("SoftmaxBackward0",) * 2,
    "log_softmax": ("LogSoftmaxBackward0",) * 2, "masked_fill": ("MaskedFillBackward0",) * 2,
    "maximum": ("MaximumBackward0",) * 2, "minimum": ("MinimumBackward0",) * 2,
    "sum": ("SumBackward0", "SumBackward1"), "mean": ("MeanBackward0", "MeanBackward1"),
    "max": ("MaxBackward1", "MaxBackward0"), "min": ("MinBackward1", "MinBackward0"),
    "prod": ("ProdBackward0", "ProdBackward1"), "cumsum": ("CumsumBackward0",) * 2,
    "gather": ("GatherBackward0",) * 2, "flip": ("FlipBackward0",) * 2,
    "transpose": ("TransposeBackward0",) * 2, "permute": ("PermuteBackward0",) * 2,
    "cat": ("CatBackward0",) * 2, "stack": ("StackBackward0",) * 2, "gelu": ("GeluBackward0",) * 2,
    "embedding": ("EmbeddingBackward0",) * 2, "atan2": ("Atan2Backward0",) * 2, "xlogy": ("XlogyBackward0",) * 2,
    "binary_cross_entropy": ("BinaryCrossEntropyBackward0",) * 2,
    "binary_cross_entropy_with_logits": ("BinaryCrossEntropyWithLogitsBackward0",) * 2,
    "[idx]": ("IndexBackward0",) * 2,
}


def torch_name(op: str) -> str:
    """PyTorch's node name for minitorch's op label ``op``, or ``op`` itself when none maps clearly."""
    if op.startswith("**") and op != "**":
        return "PowBackward0"  # tensor ** number
    base = op.split("(", 1)[0]
    names = _NAMES.get(base)
    if names is None:
        return op
    return names[1] if re.search(r"\(dim=", op) else names[0]


class AccumulateGrad:
    """The node at a leaf that requires grad: its gradient is accumulated into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: "Tensor"):
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        return ()

    def __eq__(self, other: object) -> bool:
        return type(other) is AccumulateGrad and other.variable is self.variable

    def __hash__(self) -> int:
        return hash(("AccumulateGrad", id(self.variable)))

    def __repr__(self) -> str:
        return "<AccumulateGrad object>"


class GradFn:
    """The node that made a non-leaf tensor (read-only; see the module docstring).

    Two ``GradFn`` objects of the same tensor compare equal (PyTorch returns the same object).
    """

    __slots__ = ("_tensor",)

    def __init__(self, tensor: "Tensor"):
        self._tensor = tensor

    def name(self) -> str:
        """PyTorch's name of the node (e.g. ``"MulBackward0"``), else minitorch's op label."""
        return torch_name(self._tensor._op)

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """``((node, 0), ...)``, one pair per input: its ``grad_fn``, an ``AccumulateGrad`` for a leaf
        that requires grad, or ``None`` for an input that needs no gradient."""
        return tuple((node_of(p), 0) for p in self._tensor._prev)

    def __eq__(self, other: object) -> bool:
        return type(other) is GradFn and other._tensor is self._tensor

    def __hash__(self) -> int:
        return hash(("GradFn", id(self._tensor)))

    def __repr__(self) -> str:
        return f"<{self.name()} object>"


def node_of(t: "Tensor") -> "GradFn | AccumulateGrad | None":
    """What ``next_functions`` shows for input ``t``."""
    if t._backward is not None:
        return GradFn(t)
    return AccumulateGrad(t) if t._requires_grad else None
