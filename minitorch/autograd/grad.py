"""``autograd.grad`` and ``autograd.backward``: the backward pass as a function, as in PyTorch.

``loss.backward()`` adds ``dloss/dleaf`` into every leaf's ``.grad``. Often you want less:

    gx, gw = minitorch.autograd.grad(loss, [x, w])     # returned, no .grad touched
    loss.backward(inputs=[w])                           # only w.grad changes

``grad`` is what lets a module run its *own* backward (``minitorch.nn.local``): given the
gradient of its output, it asks for the gradients of its parameters and of its input, and passes
the latter on. Several outputs may be differentiated at once; the result is the gradient of
``sum_i <grad_outputs[i], outputs[i]>``, so ``grad([a, b], x)`` equals ``grad(a + b, x)``.

Both run only the part of the graph that leads to ``inputs`` (``tensor/autograd.run_backward``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..tensor import grad_mode
from ..tensor.autograd import NO_CREATE_GRAPH, check_inputs, run_backward
from ..tensor.tensor import Tensor

__all__ = ["grad", "backward"]

def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Tensor | Sequence[Tensor | None] | None = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not added to ``.grad``).

    Args:
        outputs: a Tensor or a sequence of them (each requiring grad).
        inputs: a Tensor or a sequence of them (each requiring grad; leaves or not).
        grad_outputs: ``dL/d(output)`` for each output, in its shape; None (the whole argument or
            one entry) means 1 and is allowed only for one-element outputs.
        retain_graph: keep the graph for another backward pass (default: ``create_graph``, i.e. False).
        create_graph: must be False (minitorch records no graph of the backward pass).
        allow_unused: return None for an input the outputs do not depend on, instead of raising.
        materialize_grads: return zeros instead of None for such inputs (implies ``allow_unused``).

    Returns:
        a tuple with one gradient Tensor (the input's shape and dtype) or None per input.

    Raises:
        RuntimeError: an output or input does not require grad, an input is unused (and
            ``allow_unused`` is False), a missing grad_output for a non-scalar output, a
            grad_output of the wrong shape, ``create_graph=True``, or a freed graph.
    """
    if create_graph:
        raise RuntimeError("grad: " + NO_CREATE_GRAPH)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError("grad: materialize_grads=True needs allow_unused=True (or left as None)")
    targets = check_inputs(inputs, "grad")
    root, seed = _root(outputs, grad_outputs, "grad")
    found = run_backward(root, seed, bool(retain_graph), inputs=targets, accumulate=False)
    result: list[Tensor | None] = []
    for i, (t, g) in enumerate(zip(targets, found)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"grad: inputs[{i}] (shape {t.shape}) appears to not have been used in the graph "
                                   "of the outputs. Set allow_unused=True if this is the desired behavior.")
            result.append(Tensor._constant(np.zeros_like(t.data)) if materialize_grads else None)
        else:
            result.append(Tensor._constant(np.array(g, dtype=t.dtype, copy=True)))
    return tuple(result)


def backward(tensors: Tensor | Sequence[Tensor], grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Tensor | Sequence[Tensor] | None = None) -> None:
    """``sum_i <grad_tensors[i], tensors[i]>``.backward(): accumulate into the leaves' ``.grad``
    (or only into ``inputs``'). One pass over the graph, however many tensors. Arguments and
    errors as ``grad``."""
    if create_graph:
        raise RuntimeError("backward: " + NO_CREATE_GRAPH)
    targets = None if inputs is None else check_inputs(inputs, "backward")
    root, seed = _root(tensors, grad_tensors, "backward")
    run_backward(root, seed, bool(retain_graph), inputs=targets, accumulate=True)


def _root(outputs: Any, grad_outputs: Any, where: str) -> tuple[Tensor, np.ndarray]:
    """One tensor to start the backward pass from, and its seed gradient. Several outputs are
    joined under a node (op ``"outputs"``) whose backward hands each its own grad_output."""
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    if not outs:
        raise RuntimeError(f"{where}: no outputs to differentiate")
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grads = [grad_outputs] * len(outs) if grad_outputs is None else [grad_outputs]
    else:
        grads = list(grad_outputs)
    if len(grads) != len(outs):
        raise RuntimeError(f"{where}: got {len(outs)} outputs and {len(grads)} grad_outputs; expected one per output")
    seeds = []
    for i, (out, g) in enumerate(zip(outs, grads)):
        if not isinstance(out, Tensor):
            raise TypeError(f"{where}: outputs[{i}] must be a Tensor, got {type(out).__name__}")
        if not out.requires_grad:
            raise RuntimeError(f"{where}: element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out.numel() != 1:
                raise RuntimeError(f"{where}: grad can be implicitly created only for scalar outputs; outputs[{i}] "
                                   f"has shape {out.shape}: pass grad_outputs")
            seeds.append(np.ones_like(out.data))
            continue
        seed = np.asarray(getattr(g, "data", g), dtype=out.dtype)
        if seed.shape != out.shape:
            raise RuntimeError(f"{where}: Mismatch in shape: grad_output[{i}] has a shape of {seed.shape} and "
                               f"output[{i}] has a shape of {out.shape}")
        seeds.append(seed)
    if len(outs) == 1:
        return outs[0], seeds[0]

    def join(g: np.ndarray) -> list[np.ndarray]:
        return seeds

    with grad_mode.enable_grad():
        root = Tensor._from_op(np.zeros(()), tuple(outs), "outputs", join)
    return root, np.ones(())
