r"""AdamW: Adam with *decoupled* weight decay.

Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (2019), Algorithm 2. With an L2
penalty (Adam's ``weight_decay``) the decay term λθ is added to the gradient and then divided by
√v̂ like everything else, so weights with large gradients are barely regularised. AdamW instead
shrinks every weight by the same factor, outside the adaptive step:

.. code-block:: text

    input: α (lr), β1, β2, ε, λ (weight_decay, default 1e-2), amsgrad, maximize
    for t = 1, 2, ...
        g_t ← ∇f(θ_{t-1}),  negated if maximize
        θ_t ← θ_{t-1} - α λ θ_{t-1}                  the decoupled decay (Algorithm 2, line 12)
        m_t, v_t, m̂_t, v̂_t as in Adam               (no λθ term in g_t)
        θ_t ← θ_t - α m̂_t / (√v̂_t + ε)

Only the weight-decay line differs from Adam, so :class:`AdamW` is :class:`~minitorch.optim.Adam`
with ``decoupled_weight_decay=True`` (PyTorch does the same); the line is in ``Adam.update_parameter``.
The paper also multiplies α and λ by a schedule multiplier η_t; here, as in PyTorch, a learning-rate
scheduler changes ``lr`` and the decay α λ follows it.
"""

from __future__ import annotations

from typing import Any, Iterable

from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay. Same defaults as PyTorch (note ``weight_decay=1e-2``).

    Args:
        params: parameters, or dicts defining parameter groups.
        lr: step size α (default 1e-3).
        betas: (β1, β2) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ; each step multiplies the weights by (1 - α λ) (default 1e-2).
        amsgrad: use the AMSGrad variant.
        maximize: ascend the objective instead of descending it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a snapshot; the decay stays decoupled whatever the snapshot says (it is AdamW)."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
