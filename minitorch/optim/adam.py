r"""Adam: momentum on the gradient, divided by a running RMS of the gradient, both bias-corrected.

Kingma & Ba, "Adam: A Method for Stochastic Optimization" (2015), Algorithm 1, with the AMSGrad
variant of Reddi et al., "On the Convergence of Adam and Beyond" (2018), and the options PyTorch
adds (weight decay as an L2 term, maximize). Per parameter:

.. code-block:: text

    input: α (lr), β1, β2 (betas), ε (eps), λ (weight_decay), amsgrad, maximize
    init:  m_0 ← 0 (1st moment),  v_0 ← 0 (2nd moment),  v̂max_0 ← 0
    for t = 1, 2, ...
        (1) g_t ← ∇f(θ_{t-1}),  negated if maximize
        (2) if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}              L2 penalty: the decay goes through m and v
        (3) m_t ← β1 m_{t-1} + (1 - β1) g_t                 momentum: average of gradients
        (4) v_t ← β2 v_{t-1} + (1 - β2) g_t²                average of squared gradients
        (5) m̂_t ← m_t / (1 - β1^t)                          undo the bias towards m_0 = 0
        (6) v̂_t ← v_t / (1 - β2^t);  with amsgrad: v̂max_t ← max(v̂max_{t-1}, v_t), v̂_t ← v̂max_t / (1 - β2^t)
        (7) θ_t ← θ_{t-1} - α m̂_t / (√v̂_t + ε)

The numbers (1)-(7) mark the matching lines of :meth:`Adam.update_parameter`. Like the paper's
"more efficient" ordering (end of its section 2), the code folds 1/(1 - β1^t) into the step size
and divides √v_t by √(1 - β2^t), which is the same arithmetic PyTorch does, so trajectories agree
to the last few bits.

``decoupled_weight_decay=True`` replaces line (2) by AdamW's decay of the weights themselves,
θ ← θ (1 - αλ) (see :mod:`minitorch.optim.adamw`).
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from .optimizer import Optimizer

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (and AMSGrad). Same defaults as PyTorch.

    Args:
        params: parameters, or dicts defining parameter groups.
        lr: step size α (default 1e-3).
        betas: (β1, β2), decay rates of the first and second moment averages (default (0.9, 0.999)).
        eps: ε added to the denominator for numerical stability (default 1e-8).
        weight_decay: λ (default 0), an L2 penalty -- or, with ``decoupled_weight_decay``, AdamW's decay.
        amsgrad: normalise by the running maximum of the second moment (AMSGrad).
        maximize: ascend the objective instead of descending it.
        decoupled_weight_decay: decay the weights directly (AdamW) instead of adding λθ to the gradient.

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v); ``max_exp_avg_sq`` with amsgrad.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def check_hyperparameters(self, options: dict[str, Any]) -> None:
        name = type(self).__name__
        if not options["lr"] >= 0.0:
            raise ValueError(f"{name}: invalid learning rate {options['lr']!r}: expected lr >= 0")
        if not options["eps"] >= 0.0:
            raise ValueError(f"{name}: invalid epsilon {options['eps']!r}: expected eps >= 0")
        betas = options["betas"]
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name}: invalid beta parameter at index {i}: {beta!r}: expected 0 <= beta < 1")
        if not options["weight_decay"] >= 0.0:
            raise ValueError(f"{name}: invalid weight_decay {options['weight_decay']!r}: expected weight_decay >= 0")

    def update_parameter(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                         group: dict[str, Any]) -> None:
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        t = state["step"]

        # In place, into reused scratch arrays (see optimizer.py); each line computes exactly the
        # expression in its comment, with the same operations in the same order.
        g_buf, tmp, denominator = self._scratch(param, 3)
        g = np.negative(grad, out=g_buf) if group["maximize"] else grad         # (1) g = -grad
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= 1 - lr * weight_decay                                  # AdamW: decay θ itself
            else:
                np.multiply(param, weight_decay, out=tmp)
                g = np.add(g, tmp, out=g_buf)                                   # (2) g = g + λ θ
        # m ← β1 m + (1 - β1) g, written as "move m the fraction (1 - β1) of the way to g".
        m = state["exp_avg"]
        np.subtract(g, m, out=tmp)
        tmp *= 1 - beta1
        m += tmp                                                                # (3) m = m + (1 - β1)(g - m)
        v = state["exp_avg_sq"]
        v *= beta2
        np.multiply(g, 1 - beta2, out=tmp)
        tmp *= g
        v += tmp                                                                # (4) v = β2 v + (1 - β2) g g
        step_size = lr / (1 - beta1 ** t)                                       # (5): α / (1 - β1^t)
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        np.sqrt(v, out=denominator)
        denominator /= (1 - beta2 ** t) ** 0.5                                  # (6): √v̂_t = √v / √(1 - β2^t)
        denominator += eps
        np.multiply(m, step_size, out=tmp)
        tmp /= denominator
        param -= tmp                                                            # (7) θ = θ - α̂ m / (√v̂ + ε)
