"""``Embedding``: a lookup table of learnt vectors, one row per token id (as ``torch.nn.Embedding``).

``embedding(input, weight)`` is ``weight[input]``: an integer tensor of ids of any shape ``(*)``
becomes ``(*, embedding_dim)``. It equals one-hot encoding the ids and multiplying by ``weight``,
without ever building the one-hot matrix. Its backward is therefore index *accumulation*: row
``i`` of ``dL/dweight`` is the sum of the output gradients at every position that looked up id
``i`` (an id used three times in a batch gets three contributions), and rows never looked up get 0.

``padding_idx`` marks the id used to pad short sequences: its row receives no gradient (so it
stays what it is, zeros when freshly made), and the padded positions contribute nothing to learning.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor.dtypes import DEFAULT_FLOAT
from ..tensor.tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Embedding", "embedding"]

_RENORM_EPS = 1e-7  # PyTorch's embedding_renorm_: scale = max_norm / (norm + 1e-7)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up the rows of ``weight`` named by the integer ids in ``input`` (``torch.nn.functional.embedding``).

    Args:
        input: integer ids (int64 or int32), any shape ``(*)``, each in ``0 .. num_embeddings - 1``.
        weight: ``(num_embeddings, embedding_dim)``, floating point.
        padding_idx: an id whose row gets no gradient (negative counts from the end).
        max_norm: if given, every row that ``input`` looks up and whose ``norm_type``-norm exceeds
            ``max_norm`` is first rescaled **in place** to norm ``max_norm`` (PyTorch's
            ``embedding_renorm_``: ``row *= max_norm / (norm + 1e-7)``), outside the graph.
        scale_grad_by_freq: divide each row's gradient by how often its id occurs in ``input``.
        sparse: only ``False`` (dense gradients); minitorch has no sparse tensors.

    Returns:
        ``(*, embedding_dim)``, the dtype of ``weight``.

    Raises:
        TypeError: ``input`` or ``weight`` is not a Tensor.
        RuntimeError: ``input`` is not an integer tensor, or ``weight`` is not 2-D.
        IndexError: an id is out of range (the message names it).
        ValueError: ``sparse=True``.
        AssertionError: ``padding_idx`` is out of range (PyTorch's exception class here).
    """
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(f"embedding: input and weight must be Tensors, got {type(input).__name__} and "
                        f"{type(weight).__name__}")
    if input.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: expected integer ids (int64 or int32) for input, got dtype {input.dtype} "
                           f"(convert with .long())")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}")
    if sparse:
        raise ValueError("embedding: sparse=True is not supported (minitorch has no sparse tensors); use sparse=False")
    num = weight.shape[0]
    padding_idx = _padding_index(padding_idx, num, "embedding")
    ids = input.data
    if ids.size and (ids.min() < 0 or ids.max() >= num):
        bad = ids[(ids < 0) | (ids >= num)].flat[0]
        raise IndexError(f"embedding: index {bad} is out of range for a weight of shape {weight.shape} "
                         f"(ids must be in 0..{num - 1})")
    if max_norm is not None:
        _renorm_rows(weight, ids, max_norm, norm_type)
    table = weight.data
    out = table[ids]

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        flat_ids = ids.reshape(-1)
        rows = g.reshape(-1, table.shape[1])
        if scale_grad_by_freq:
            counts = np.bincount(flat_ids, minlength=num)
            rows = rows / counts[flat_ids, None]
        grad = np.zeros(table.shape, dtype=g.dtype)
        np.add.at(grad, flat_ids, rows)  # an id used k times gets the sum of its k gradients
        if padding_idx is not None:
            grad[padding_idx] = 0
        return (grad,)

    return Tensor._from_op(out, (weight,), "embedding", backward)


def _padding_index(padding_idx: int | None, num_embeddings: int, op: str) -> int | None:
    """``padding_idx`` as a non-negative row index (PyTorch accepts ``-num_embeddings .. num_embeddings - 1``)."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        # PyTorch asserts this (AssertionError); raised explicitly here, so it survives python -O.
        raise AssertionError(f"{op}: padding_idx must be within num_embeddings: got {padding_idx} for "
                             f"{num_embeddings} embeddings")
    return int(padding_idx) % num_embeddings


def _renorm_rows(weight: Tensor, ids: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and outside the graph, each looked-up row whose norm exceeds ``max_norm``."""
    rows = np.unique(ids)
    table = weight.data
    norms = np.linalg.norm(table[rows].astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        scale = max_norm / (norms[big] + _RENORM_EPS)
        table[rows[big]] *= scale[:, None].astype(table.dtype)


class Embedding(Module):
    """A table of ``num_embeddings`` learnt vectors of size ``embedding_dim``; ``module(ids)`` looks them up.

    Input: integer ids of any shape ``(*)``. Output: ``(*, embedding_dim)``.

    Args:
        num_embeddings: the size of the vocabulary (ids ``0 .. num_embeddings - 1``).
        embedding_dim: the length of each vector.
        padding_idx: the id used for padding: its row is initialised to zeros and never receives a
            gradient, so it stays zero under training (negative counts from the end).
        max_norm, norm_type, scale_grad_by_freq, sparse: as in ``embedding``.
        dtype: the weight's dtype (float32 by default).

    Attributes:
        weight: Parameter ``(num_embeddings, embedding_dim)``, initialised from ``N(0, 1)`` as PyTorch does.

    Raises:
        ValueError: a size is negative, or ``sparse=True``.
        AssertionError: ``padding_idx`` is out of range (as PyTorch).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Tensor | None = None, _freeze: bool = False, dtype: Any = None):
        super().__init__()
        for name, n in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
                raise ValueError(f"Embedding: {name} must be a non-negative int, got {n!r}")
        if sparse:
            raise ValueError("Embedding: sparse=True is not supported (minitorch has no sparse tensors)")
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = _padding_index(padding_idx, self.num_embeddings, "Embedding")
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(np.empty((self.num_embeddings, self.embedding_dim),
                                             dtype=np.dtype(dtype or DEFAULT_FLOAT)), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (self.num_embeddings, self.embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {tuple(_weight.shape)}, expected "
                                 f"({self.num_embeddings}, {self.embedding_dim})")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw fresh values from ``N(0, 1)`` (minitorch's global generator) and zero the padding row."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        """An ``Embedding`` whose weight is ``embeddings`` (2-D, ``(num_embeddings, embedding_dim)``), shared,
        not copied. With ``freeze=True`` (the default) the weight does not require a gradient, so it
        is not learnt. The ``padding_idx`` row is kept as given (not zeroed), as in PyTorch.

        Raises:
            TypeError: ``embeddings`` is not a Tensor or array.
            AssertionError: ``embeddings`` is not 2-D (as PyTorch).
        """
        if not isinstance(embeddings, Tensor):
            if not isinstance(embeddings, np.ndarray):
                raise TypeError(f"Embedding.from_pretrained: expected a 2-D Tensor, got {type(embeddings).__name__}")
            embeddings = Tensor(embeddings)
        if embeddings.ndim != 2:
            raise AssertionError(f"Embedding.from_pretrained: embeddings must be 2-D (num_embeddings, "
                                 f"embedding_dim), got shape {embeddings.shape}")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _weight=embeddings, _freeze=freeze)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        return s
