"""``TransformerEncoderLayer`` and ``TransformerEncoder`` (Vaswani et al., 2017), as in PyTorch.

One layer is two sub-blocks, each wrapped in a residual connection and a LayerNorm:

    post-norm (norm_first=False, the 2017 paper):   x = norm1(x + SA(x));   x = norm2(x + FF(x))
    pre-norm  (norm_first=True, GPT-2 and later):   x = x + SA(norm1(x));   x = x + FF(norm2(x))

with ``SA`` multi-head self-attention and ``FF(x) = linear2(dropout(activation(linear1(x))))``.
The residual ``x + ...`` gives the gradient a path around every block (deep stacks train), and
pre-norm keeps that path free of any normalisation, which is why it trains more easily.

Sub-module names are PyTorch's (``self_attn linear1 dropout linear2 norm1 norm2 dropout1
dropout2``; ``layers.0. ...`` in the encoder), so a ``state_dict`` loads into torch.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

from ..tensor.functions import relu
from ..tensor.tensor import Tensor
from .activation import gelu
from .container import ModuleList
from .dropout import Dropout
from .layernorm import LayerNorm
from .linear import Linear
from .attention import MultiheadAttention
from .module import Module

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]

_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {"relu": relu, "gelu": gelu}


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward network, each with a residual connection and LayerNorm.

    Args:
        d_model: the width ``E`` of each token vector. nhead: attention heads (divides d_model).
        dim_feedforward: the hidden width of the feed-forward network.
        dropout: after attention, inside and after the feed-forward network (and on the attention
            weights).
        activation: ``"relu"``, ``"gelu"`` or a callable (a function or a Module).
        layer_norm_eps: LayerNorm's eps. bias: biases in the Linear and LayerNorm layers.
        batch_first: input ``(N, L, E)`` instead of ``(L, N, E)``. norm_first: pre-norm (see above).

    Shapes: src ``(L, N, E)`` (``(N, L, E)`` with batch_first, ``(L, E)`` unbatched) -> the same.
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise RuntimeError(f"TransformerEncoderLayer: activation should be relu/gelu, not {activation}")
            activation = _ACTIVATIONS[activation]
        elif not callable(activation):
            raise TypeError(f"TransformerEncoderLayer: activation must be 'relu', 'gelu' or a callable, got "
                            f"{type(activation).__name__}")
        self.activation = activation  # a Module is registered as a sub-module, as in PyTorch

    def forward(self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Tensor:
        """``src_mask`` / ``src_key_padding_mask``: as ``MultiheadAttention``'s ``attn_mask`` and
        ``key_padding_mask`` (bool True = not allowed). ``is_causal``: hint that src_mask is causal."""
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer`` (each with its own weights: deep
    copies, as PyTorch), optionally followed by a final ``norm``.

    Shapes and masks as ``TransformerEncoderLayer``; ``forward(src, mask, src_key_padding_mask,
    is_causal)``. (PyTorch's ``enable_nested_tensor`` is a speed option; accepted and ignored.)
    """

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        if not isinstance(encoder_layer, Module):
            raise TypeError(f"TransformerEncoder: encoder_layer must be a Module, got {type(encoder_layer).__name__}")
        if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 0:
            raise ValueError(f"TransformerEncoder: num_layers must be a non-negative int, got {num_layers!r}")
        self.layers = ModuleList(copy.deepcopy(encoder_layer) for _ in range(num_layers))
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(self, src: Tensor, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Tensor:
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return self.norm(x) if self.norm is not None else x
