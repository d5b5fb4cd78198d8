"""Attention (Vaswani et al., 2017, "Attention Is All You Need"): ``scaled_dot_product_attention``
and ``MultiheadAttention``, with PyTorch's names, shapes, masks and parameter layout (lesson 16).

Attention is a soft dictionary lookup. Each query ``q`` is compared with every key ``k`` by a dot
product; the softmax turns the scores into weights that sum to 1; the output is the weighted
average of the values:

    Attention(Q, K, V) = softmax(Q Kᵀ / sqrt(d) + M) V       Q (L, d), K (S, d), V (S, d_v)

Dividing by ``sqrt(d)`` keeps the scores' variance at ~1 whatever the width ``d`` (a dot product
of two random unit-variance vectors has variance ``d``), so the softmax does not saturate. ``M``
is a mask: ``-inf`` where a query must not look (the future, for a causal model; padding).

Everything is composed from tensor ops (matmul, masked_fill, softmax, dropout, reshape), so the
backward pass comes for free.

Two mask conventions, both PyTorch's, and opposite — beware:
* ``scaled_dot_product_attention``: a bool ``attn_mask`` is True where attention is ALLOWED;
* ``MultiheadAttention``: a bool ``attn_mask`` / ``key_padding_mask`` is True where it is NOT.
A float mask is added to the scores in both.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor.dtypes import DEFAULT_FLOAT
from ..tensor.masking import masked_fill
from ..tensor.tensor import Tensor
from . import init
from .dropout import _check_p, dropout
from .functional import linear, softmax
from .linear import Linear
from .module import Module
from .parameter import Parameter

__all__ = ["scaled_dot_product_attention", "MultiheadAttention"]


def _mask_array(mask: Any, op: str, name: str) -> np.ndarray:
    arr = np.asarray(getattr(mask, "data", mask))
    if arr.dtype != np.bool_ and arr.dtype.kind != "f":
        raise TypeError(f"{op}: only bool and floating types of {name} are supported, got dtype {arr.dtype}")
    return arr


def _attend(q: Tensor, k: Tensor, v: Tensor, scale: float, allowed: np.ndarray | None, additive: Any,
            dropout_p: float, safe: bool) -> tuple[Tensor, Tensor]:
    """``(softmax(q kᵀ · scale + mask) [dropped out] @ v, the attention weights)``.

    ``allowed`` (bool, broadcasting to the scores) keeps a score where True and sets it to -inf
    elsewhere; ``additive`` (a float array or Tensor) is added. With ``safe``, a query that may
    look nowhere (all its scores -inf) gets weights 0 instead of NaN (PyTorch's math kernel of
    ``scaled_dot_product_attention`` does this since 2.5; ``MultiheadAttention`` with
    ``need_weights=True`` gives NaN, as here without ``safe``).
    """
    scores = (q @ k.mT) * scale  # (..., L, S)
    if allowed is not None:
        scores = masked_fill(scores, ~allowed, float("-inf"))
    if additive is not None:
        scores = scores + (additive if isinstance(additive, Tensor) else Tensor._constant(additive.astype(scores.dtype)))
    blind = None
    if safe:
        row_max = scores.data.max(axis=-1, keepdims=True)
        if np.isneginf(row_max).any():
            blind = np.isneginf(row_max)  # (..., L, 1): queries with nothing to look at
            scores = masked_fill(scores, blind, 0.0)  # any finite row: its softmax is replaced below
    weights = softmax(scores, dim=-1)
    if blind is not None:
        weights = masked_fill(weights, blind, 0.0)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ v, weights


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(Q Kᵀ · scale + mask) V``, as ``torch.nn.functional.scaled_dot_product_attention``.

    Shapes: query ``(*, Hq, L, E)`` (any leading batch dims, e.g. ``(N, heads, L, E)``), key
    ``(*, H, S, E)``, value ``(*, H, S, Ev)`` -> output ``(*, Hq, L, Ev)``. ``H = Hq`` unless
    ``enable_gqa`` (grouped-query attention: each of the ``H`` key/value heads serves ``Hq / H``
    query heads).

    Args:
        attn_mask: broadcasts to ``(*, L, S)``. **bool: True where a query may attend** to a key
            (False -> score -inf); float: added to the scores.
        dropout_p: if > 0, dropout with this probability on the attention weights (always; this
            function does not know about training mode: pass ``p if self.training else 0``).
        is_causal: query ``i`` attends to keys ``j <= i`` only (the lower triangle of an
            ``(L, S)`` matrix, aligned top-left, as PyTorch's). Not together with ``attn_mask``.
        scale: multiplies ``Q Kᵀ``; default ``1 / sqrt(E)``.

    A query whose every key is masked gets zero weights (output 0), as PyTorch's math kernel.

    Raises:
        RuntimeError: mismatched shapes, ``is_causal`` with an ``attn_mask``, or a mask that
            does not broadcast to the scores.
        TypeError: a mask that is neither bool nor float.
    """
    op = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
        if t.ndim < 2:
            raise RuntimeError(f"{op}: {name} must have at least 2 dimensions (..., sequence, features), got shape "
                               f"{t.shape}")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"{op}: query {query.shape} and key {key.shape} must have the same last dimension E "
                           f"(each query is compared with each key by a dot product)")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"{op}: key {key.shape} and value {value.shape} must have the same sequence length S "
                           f"(dimension -2): one value per key")
    _check_p(dropout_p, op)
    if enable_gqa and query.ndim >= 3 and key.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        hq, hk = query.shape[-3], key.shape[-3]
        if hk == 0 or hq % hk or value.shape[-3] != hk:
            raise RuntimeError(f"{op}: with enable_gqa, the number of query heads ({hq}) must be a multiple of the "
                               f"number of key/value heads (key {key.shape}, value {value.shape})")
        groups = np.repeat(np.arange(hk), hq // hk)  # query head h uses key/value head h // (hq / hk)
        key, value = key[..., groups, :, :], value[..., groups, :, :]
    L, S = query.shape[-2], key.shape[-2]
    allowed, additive = None, None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(f"{op}: explicit attn_mask should not be set when is_causal=True")
        allowed = np.tril(np.ones((L, S), dtype=bool))
    elif attn_mask is not None:
        mask = attn_mask if isinstance(attn_mask, Tensor) and attn_mask.dtype.kind == "f" else \
            _mask_array(attn_mask, op, "attn_mask")
        scores_shape = np.broadcast_shapes(query.shape[:-2], key.shape[:-2]) + (L, S)
        try:
            np.broadcast_shapes(mask.shape, scores_shape)
        except ValueError:
            raise RuntimeError(f"{op}: attn_mask of shape {tuple(mask.shape)} does not broadcast to the attention "
                               f"scores' shape {scores_shape} (*, L, S)") from None
        if isinstance(mask, np.ndarray) and mask.dtype == np.bool_:
            allowed = mask
        else:
            additive = mask
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    out, _ = _attend(query, key, value, scale, allowed, additive, dropout_p, safe=True)
    return out


class MultiheadAttention(Module):
    """Multi-head attention, as ``torch.nn.MultiheadAttention``:

        MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W_o,   head_i = Attention(Q W_q,i, K W_k,i, V W_v,i)

    The ``num_heads`` heads are not separate layers: one projection to ``embed_dim`` features is
    reshaped into ``num_heads`` groups of ``head_dim = embed_dim / num_heads``, each attending on
    its own, and the results are reshaped back and mixed by ``out_proj``.

    Args:
        embed_dim: ``E``, the model width. num_heads: must divide ``E``.
        dropout: dropout probability on the attention weights (training mode only).
        bias: biases in the input and output projections.
        kdim, vdim: feature sizes of key and value if not ``E`` (then the projections are stored
            as ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight`` instead of ``in_proj_weight``).
        batch_first: inputs and outputs are ``(N, L, E)`` instead of PyTorch's default ``(L, N, E)``.
        add_bias_kv, add_zero_attn: must stay False (not supported: ValueError).

    Parameters, PyTorch's layout (so a state_dict loads into torch): ``in_proj_weight (3E, E)`` —
    the query, key and value projections stacked, each ``(E, E)`` in Linear's ``(out, in)``
    layout — ``in_proj_bias (3E,)``, ``out_proj`` a ``Linear(E, E)``. Initialised as PyTorch:
    Xavier-uniform projections, zero biases.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, dtype: Any = None) -> None:
        super().__init__()
        for name, n in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
                raise ValueError(f"MultiheadAttention: {name} must be a positive int, got {n!r}")
        if embed_dim % num_heads:
            raise AssertionError(f"MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim "
                                 f"{embed_dim} and num_heads {num_heads}")
        if add_bias_kv or add_zero_attn:
            raise ValueError("MultiheadAttention: add_bias_kv and add_zero_attn are not supported by minitorch")
        _check_p(dropout, "MultiheadAttention")
        self.embed_dim = int(embed_dim)
        self.kdim = int(kdim) if kdim is not None else self.embed_dim
        self.vdim = int(vdim) if vdim is not None else self.embed_dim
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.num_heads = int(num_heads)
        self.dropout = float(dropout)
        self.batch_first = batch_first
        self.head_dim = self.embed_dim // self.num_heads
        dtype = np.dtype(dtype or DEFAULT_FLOAT)
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * E, E), dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(np.empty((E, E), dtype=dtype))
            self.k_proj_weight = Parameter(np.empty((E, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(np.empty((E, self.vdim), dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty(3 * E, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(E, E, bias=bias, dtype=dtype)
        self.bias_k = self.bias_v = None
        self.add_zero_attn = False
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        E, b = self.embed_dim, self.in_proj_bias
        biases = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            if query is key and key is value:  # self-attention: one matmul for all three
                qkv = linear(query, w, b)
                return qkv[..., :E], qkv[..., E:2 * E], qkv[..., 2 * E:]
            weights = (w[:E], w[E:2 * E], w[2 * E:])
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        return tuple(linear(x, wi, bi) for x, wi, bi in zip((query, key, value), weights, biases))  # type: ignore

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value``.

        Shapes (``batch_first=False``; with ``batch_first`` swap the first two): query
        ``(L, N, E)``, key ``(S, N, kdim)``, value ``(S, N, vdim)``; or unbatched ``(L, E)``...

        Args:
            key_padding_mask: ``(N, S)`` (unbatched ``(S,)``). bool: **True marks a key to ignore**
                (padding); float: added to the scores.
            need_weights: also return the attention weights (else None).
            attn_mask: ``(L, S)`` or ``(N * num_heads, L, S)``. bool: **True = not allowed to
                attend**; float: added.
            average_attn_weights: return the weights averaged over heads ``(N, L, S)``, else per
                head ``(N, num_heads, L, S)`` (unbatched: without N).
            is_causal: a hint that ``attn_mask`` is the causal mask (as PyTorch, it needs one).

        Returns:
            ``(attn_output, attn_weights)``: output of the query's shape with ``E`` features.
        """
        name = "MultiheadAttention"
        for arg, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor):
                raise TypeError(f"{name}: {arg} must be a Tensor, got {type(t).__name__}")
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise AssertionError(f"{name}: query, key and value must all be 3-D (batched) or 2-D (unbatched), got "
                                 f"query {query.shape}, key {key.shape}, value {value.shape}")
        if is_causal and attn_mask is None:
            raise RuntimeError(f"{name}: need attn_mask if specifying the is_causal hint (e.g. a bool (L, L) mask, "
                               "True above the diagonal)")
        if not batched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value)) if not (query is key is value) \
                else (query.transpose(0, 1),) * 3
        N, L, E = query.shape
        S = key.shape[1]
        if E != self.embed_dim:
            raise AssertionError(f"{name}: was expecting embedding dimension of {self.embed_dim}, but got {E} (query "
                                 f"shape {query.shape})")
        if key.shape[:2] != value.shape[:2] or key.shape[0] != N or key.shape[2] != self.kdim \
                or value.shape[2] != self.vdim:
            raise AssertionError(f"{name}: key {key.shape} and value {value.shape} (batch-first) must have the "
                                 f"query's batch size {N}, the same length, and kdim={self.kdim} / vdim={self.vdim} "
                                 f"features")
        allowed, additive = self._masks(attn_mask, key_padding_mask, N, L, S, batched)
        H, D = self.num_heads, self.head_dim
        q, k, v = self._project(query, key, value)
        # split heads: (N, L, E) -> (N, L, H, D) -> (N, H, L, D)
        q, k, v = (t.reshape(N, t.shape[1], H, D).transpose(1, 2) for t in (q, k, v))
        p = self.dropout if self.training else 0.0
        out, weights = _attend(q, k, v, 1.0 / math.sqrt(D), allowed, additive, p, safe=not need_weights)
        out = self.out_proj(out.transpose(1, 2).reshape(N, L, E))  # merge heads: (N, H, L, D) -> (N, L, E)
        if not batched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return out, weights if batched else weights.squeeze(0)

    def _masks(self, attn_mask: Any, key_padding_mask: Any, N: int, L: int, S: int,
               batched: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Both masks as one ``allowed`` (bool) or ``additive`` (float) array broadcasting to
        the scores ``(N, H, L, S)``."""
        name = "MultiheadAttention"
        masks = []
        if attn_mask is not None:
            m = _mask_array(attn_mask, name, "attn_mask")
            if m.shape == (L, S):
                masks.append(m)
            elif m.shape == (N * self.num_heads, L, S) or (not batched and m.shape == (self.num_heads, L, S)):
                masks.append(m.reshape(N, self.num_heads, L, S))
            else:
                raise RuntimeError(f"{name}: attn_mask should have shape ({L}, {S}) or "
                                   f"({N * self.num_heads}, {L}, {S}) (N * num_heads, L, S), but got {m.shape}")
        if key_padding_mask is not None:
            m = _mask_array(key_padding_mask, name, "key_padding_mask")
            expected = (N, S) if batched else (S,)
            if m.shape != expected:
                raise AssertionError(f"{name}: expected key_padding_mask of shape {expected}, but got {m.shape}")
            masks.append(m.reshape(N, 1, 1, S))
        if not masks:
            return None, None
        if all(m.dtype == np.bool_ for m in masks):
            blocked = masks[0] if len(masks) == 1 else masks[0] | masks[1]
            return ~blocked, None
        # at least one float mask: everything becomes additive (-inf where a bool mask blocks)
        total = sum(np.where(m, -np.inf, 0.0) if m.dtype == np.bool_ else m for m in masks)
        return None, np.asarray(total)

    def extra_repr(self) -> str:
        return ""
