r"""RMSprop: divide each step by a running root-mean-square of recent gradients.

Proposed by Hinton (Lecture 6e of "Neural Networks for Machine Learning", 2012); the centered
variant, which divides by an estimate of the gradient's standard deviation instead, is from Graves,
"Generating Sequences With Recurrent Neural Networks" (2013). The algorithm, per parameter (PyTorch's
formulation):

.. code-block:: text

    input: γ (lr), α (alpha), ε (eps), λ (weight_decay), μ (momentum), centered, maximize
    init:  v_0 ← 0 (square average),  b_0 ← 0 (buffer),  ḡ_0 ← 0 (gradient average)
    for t = 1, 2, ...
        (1) g_t ← ∇f(θ_{t-1}),  negated if maximize
        (2) if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
        (3) v_t ← α v_{t-1} + (1 - α) g_t²
        (4) if centered:  ḡ_t ← α ḡ_{t-1} + (1 - α) g_t;   ṽ_t ← v_t - ḡ_t²
            else:         ṽ_t ← v_t
        (5) if μ > 0:  b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε);   θ_t ← θ_{t-1} - γ b_t
        (6) else:      θ_t ← θ_{t-1} - γ g_t / (√ṽ_t + ε)

The numbers (1)-(6) mark the matching lines of :meth:`RMSprop.update_parameter`.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from .optimizer import Optimizer

__all__ = ["RMSprop", "RMSProp"]


class RMSprop(Optimizer):
    """RMSprop. Same defaults as PyTorch.

    Args:
        params: parameters, or dicts defining parameter groups.
        lr: learning rate γ (default 1e-2).
        alpha: smoothing constant α of the square average (default 0.99).
        eps: ε added to the denominator for numerical stability (default 1e-8).
        weight_decay: λ, L2 penalty added to the gradient (default 0).
        momentum: μ, momentum on the normalised step (default 0).
        centered: normalise by the gradient's estimated variance instead of its second moment.
        maximize: ascend the objective instead of descending it.

    State per parameter: ``step``, ``square_avg``; ``momentum_buffer`` when momentum > 0;
    ``grad_avg`` when centered.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def check_hyperparameters(self, options: dict[str, Any]) -> None:
        for key, meaning in [("lr", "learning rate"), ("eps", "epsilon"), ("momentum", "momentum"),
                             ("weight_decay", "weight_decay"), ("alpha", "alpha")]:
            if not options[key] >= 0.0:
                raise ValueError(f"RMSprop: invalid {meaning} {options[key]!r}: expected {key} >= 0")

    def update_parameter(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                         group: dict[str, Any]) -> None:
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        weight_decay, mu = float(group["weight_decay"]), float(group["momentum"])
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if mu > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1

        # In place, into reused scratch arrays (see optimizer.py); each line computes exactly the
        # expression in its comment, with the same operations in the same order.
        g_buf, tmp, denominator = self._scratch(param, 3)
        g = np.negative(grad, out=g_buf) if group["maximize"] else grad         # (1) g = -grad
        if weight_decay != 0:
            np.multiply(param, weight_decay, out=tmp)
            g = np.add(g, tmp, out=g_buf)                                       # (2) g = g + λ θ
        v = state["square_avg"]
        v *= alpha
        np.multiply(g, 1 - alpha, out=tmp)
        tmp *= g
        v += tmp                                                                # (3) v = α v + (1 - α) g g
        if group["centered"]:
            # ḡ ← α ḡ + (1 - α) g, written as "move ḡ the fraction (1 - α) of the way to g".
            g_avg = state["grad_avg"]
            np.subtract(g, g_avg, out=tmp)
            tmp *= 1 - alpha
            g_avg += tmp                                                        # (4) ḡ = ḡ + (1 - α)(g - ḡ)
            np.multiply(g_avg, g_avg, out=denominator)
            v = np.subtract(v, denominator, out=denominator)                   #     ṽ = v - ḡ ḡ
        np.sqrt(v, out=denominator)
        denominator += eps                                                      # √ṽ + ε
        if mu > 0:
            b = state.get("momentum_buffer")
            if b is None:  # momentum switched on after the first step
                b = state["momentum_buffer"] = np.zeros_like(param)
            b *= mu
            np.divide(g, denominator, out=tmp)
            b += tmp                                                            # (5) b = μ b + g / (√ṽ + ε)
            np.multiply(b, lr, out=tmp)
            param -= tmp                                                        #     θ = θ - γ b
        else:
            np.multiply(g, lr, out=tmp)
            tmp /= denominator
            param -= tmp                                                        # (6) θ = θ - γ g / (√ṽ + ε)


#: The spelling used in lectures and papers.
RMSProp = RMSprop
