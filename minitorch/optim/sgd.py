r"""Stochastic gradient descent, with optional (Nesterov) momentum, weight decay and maximize.

The algorithm, per parameter :math:`\theta` (PyTorch's formulation; momentum as in Polyak's heavy
ball, Nesterov's variant as in Sutskever et al., "On the importance of initialization and momentum
in deep learning", 2013):

.. code-block:: text

    input: γ (lr), μ (momentum), τ (dampening), λ (weight_decay), nesterov, maximize
    for t = 1, 2, ...
        (1) g_t ← ∇f(θ_{t-1}),  negated if maximize
        (2) if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}                  L2 penalty λ/2·‖θ‖² folded into g
        (3) if μ ≠ 0:
                b_t ← g_t                      if t = 1       the buffer starts at the first g
                b_t ← μ b_{t-1} + (1 - τ) g_t  otherwise
        (4)     g_t ← g_t + μ b_t  if nesterov else  b_t      Nesterov looks one step ahead
        (5) θ_t ← θ_{t-1} - γ g_t

The numbers (1)-(5) mark the matching lines of :meth:`SGD.update_parameter`.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum). Same defaults as PyTorch.

    Args:
        params: parameters, or dicts defining parameter groups.
        lr: learning rate γ (default 1e-3).
        momentum: momentum factor μ (default 0: plain gradient descent).
        dampening: τ, scales down the new gradient in the momentum buffer (default 0).
        weight_decay: λ, L2 penalty added to the gradient (default 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: ascend the objective instead of descending it.

    State per parameter (when momentum ≠ 0): ``momentum_buffer``, an array shaped like it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def check_hyperparameters(self, options: dict[str, Any]) -> None:
        if options["lr"] < 0.0:
            raise ValueError(f"SGD: invalid learning rate {options['lr']!r}: expected lr >= 0")
        if options["momentum"] < 0.0:
            raise ValueError(f"SGD: invalid momentum {options['momentum']!r}: expected momentum >= 0")
        if options["weight_decay"] < 0.0:
            raise ValueError(f"SGD: invalid weight_decay {options['weight_decay']!r}: expected weight_decay >= 0")
        if options["nesterov"] and (options["momentum"] <= 0 or options["dampening"] != 0):
            raise ValueError(f"SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got "
                             f"momentum={options['momentum']!r}, dampening={options['dampening']!r}")

    def update_parameter(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                         group: dict[str, Any]) -> None:
        lr, mu, tau = float(group["lr"]), float(group["momentum"]), float(group["dampening"])
        weight_decay = float(group["weight_decay"])
        # In place, into reused scratch arrays (see optimizer.py); each line computes exactly the
        # expression in its comment, with the same operations in the same order.
        g_buf, tmp = self._scratch(param, 2)

        g = np.negative(grad, out=g_buf) if group["maximize"] else grad         # (1) g = -grad
        if weight_decay != 0:
            np.multiply(param, weight_decay, out=tmp)
            g = np.add(g, tmp, out=g_buf)                                       # (2) g = g + λ θ
        if mu != 0:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = g.copy()                         # (3) b = g
            else:
                b *= mu
                if tau != 0:                                                    # (1 - 0) g is g itself
                    np.multiply(g, 1 - tau, out=tmp)
                    b += tmp                                                    # (3) b = μ b + (1 - τ) g
                else:
                    b += g
            if group["nesterov"]:
                np.multiply(b, mu, out=tmp)
                g = np.add(g, tmp, out=g_buf)                                   # (4) g = g + μ b
            else:
                g = b                                                           # (4) g = b
        np.multiply(g, lr, out=tmp)
        param -= tmp                                                            # (5) θ = θ - γ g
