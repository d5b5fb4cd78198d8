"""The backward pass of the tensor engine, and the one rule that makes broadcasting differentiable.

Each operation stores a ``_backward(g, *_saved)`` function: given ``g = dL/d(out)`` (and what the
forward pass saved for it) it returns ``dL/d(input)`` for each input, **in the shape of the
output** (or ``None`` for an input that needs no gradient). When an input was broadcast to take
part — a bias ``(n,)`` added to a batch ``(B, n)`` — every one of its numbers was used once per
copy, so its gradient is the *sum* of the output gradient over the broadcast axes. ``unbroadcast``
does that sum, once, here, for every op: no op has to think about broadcasting in its backward.

    >>> unbroadcast(np.ones((4, 3)), (3,))        # a bias used by 4 rows
    array([4., 4., 4.])
    >>> unbroadcast(np.ones((4, 3)), (4, 1))      # a column broadcast across 3 columns
    array([[3.], [3.], [3.], [3.]])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` (the shape of a broadcast result) down to ``shape`` (an input's shape).

    Broadcasting did two things to the input, and the sum undoes both:
    1. it prepended axes (``(3,)`` -> ``(1, 3)``): sum those axes away;
    2. it stretched axes of size 1 (``(4, 1)`` -> ``(4, 3)``): sum them, keeping the 1.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    if grad.shape != shape:  # (only then look for the stretched axes: a bias's gradient needs no search)
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
        if stretched:
            grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def topological_order(root: "Tensor") -> list["Tensor"]:
    """Every tensor ``root`` depends on that requires a gradient, each after all of its inputs.

    Iterative depth-first search (an explicit stack instead of recursion), so a graph 100 000 ops
    deep does not hit Python's recursion limit. Inputs that need no gradient (data, targets,
    constants) are left out: nothing flows to them.
    """
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node._prev:
            if parent._requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    return order


def _graph_freed(g: np.ndarray) -> tuple[np.ndarray, ...]:
    raise RuntimeError(
        "backward: trying to go backward through the graph a second time — the first backward() "
        "freed it to save memory. Pass retain_graph=True to the first backward() if you need to "
        "call backward twice (or recompute the forward pass).")


def run_backward(root: "Tensor", seed: np.ndarray, retain_graph: bool,
                 inputs: "Sequence[Tensor] | None" = None, accumulate: bool = True) -> list[np.ndarray | None]:
    """Push ``seed = dL/d(root)`` back through the graph; accumulate into leaves' ``.grad``.

    Visits the tensors in reverse topological order, so a tensor's gradient is complete (every
    consumer has added its share) before it is passed on to its inputs. The gradient gathered so
    far for a tensor waits in its ``_pending`` slot and is dropped as soon as it is used. Unless
    ``retain_graph``, each op's backward function, saved arrays and inputs are released right
    after use, so the graph's memory is freed.

    With ``inputs`` (what ``Tensor.backward(inputs=...)`` and ``minitorch.autograd.grad`` pass),
    only the part of the graph that leads to those tensors is run, and of the leaves only they
    receive a gradient: into their ``.grad`` when ``accumulate``, else nowhere (``autograd.grad``);
    tensors on that part that ``retain_grad()`` still get theirs, as in PyTorch. Either way the
    gradient reaching each of them is returned, in order (None where none arrived).
    """
    order = topological_order(root)
    try:
        return _run(order, root, seed, retain_graph, inputs, accumulate)
    finally:  # after an error part-way, no gradient may wait for the next backward()
        for node in order:
            node._pending = None


def _run(order: list["Tensor"], root: "Tensor", seed: np.ndarray, retain_graph: bool,
         inputs: "Sequence[Tensor] | None", accumulate: bool) -> list[np.ndarray | None]:
    from .tensor import Tensor

    wanted = None if inputs is None else {id(t): i for i, t in enumerate(inputs)}
    captured: list[np.ndarray | None] = [None] * (0 if inputs is None else len(inputs))
    needed = None if wanted is None else _leads_to(order, wanted)
    # The ids of tensors whose pending gradient is an array this loop allocated (a sum of two
    # contributions, an unbroadcast sum, a cast) and that nothing else can see: further
    # contributions are added into it in place, and a leaf takes it as its .grad without a copy.
    # Any other array (what a backward returned, e.g. add's `g, g` — the same array for both
    # inputs — or the caller's seed) is never written to. Measured: a weight used 250 times then
    # costs one allocation instead of 249.
    owned: set[int] = set()
    root._pending = seed
    for node in reversed(order):
        g = node._pending
        if g is None:  # no gradient flows here (e.g. it only feeds inputs that need none)
            continue
        node._pending = None
        hooked = False
        if node._hooks:
            hooked = True
            for hook in node._hooks.values():
                replaced = hook(Tensor._constant(g))
                if replaced is not None:
                    g = _hook_result(replaced, g)
        if wanted is None:
            if node._backward is None or node._retains_grad:
                # a leaf's own sum can become its .grad as it is (no copy): nobody else holds it
                _accumulate(node, g, owned=id(node) in owned and not hooked and node._backward is None)
        else:
            if id(node) in wanted:
                captured[wanted[id(node)]] = g
            if (accumulate and id(node) in wanted) or node._retains_grad:  # retain_grad() holds on every path
                _accumulate(node, g)
        if node._backward is None:  # a leaf: nothing further back
            continue
        if needed is not None and node._backward is not _graph_freed and not any(id(p) in needed for p in node._prev):
            continue  # nothing wanted lies further back (autograd.grad of an inner tensor)
        saved = node._saved_versions
        if saved is not None:  # did a tensor this op reads change in place since? (cheap: a few ints)
            for p, version in zip(node._prev, saved):
                if p._vc[0] != version:
                    check_versions(node)
            if len(saved) > len(node._prev) and node._vc[0] != saved[-1]:
                check_versions(node)
        grads = node._backward(g, *node._saved)
        for parent, pg in zip(node._prev, grads):
            if pg is None or not parent._requires_grad:  # e.g. a constant, or an op that skipped it
                continue
            key = id(parent)
            if needed is not None and key not in needed:
                continue
            returned = pg
            shape = parent.data.shape
            if pg.shape != shape:  # only then is there broadcasting to undo (a tuple compare, not a call)
                pg = unbroadcast(pg, shape)
            dtype = parent.data.dtype
            if pg.dtype is not dtype and pg.dtype != dtype:  # e.g. float32 * float64 -> float64: back to float32
                pg = pg.astype(dtype)
            made = pg is not returned  # a sum or a cast made here: nothing else holds it
            held = parent._pending
            if held is None:
                parent._pending = pg
                if made:
                    owned.add(key)
            elif key in owned:
                held += pg  # in place: see `owned`
                parent._pending = held
            else:
                parent._pending = held + pg  # out of place: `held` may be seen elsewhere
                owned.add(key)
        if not retain_graph:
            node._backward = _graph_freed
            node._prev = ()
            node._saved = ()
            node._saved_versions = None
    return captured


def check_versions(node: "Tensor") -> None:
    """Refuse to run ``node``'s backward when a tensor it read (an input, or its own output) was
    modified in place after the forward pass: the gradient would be computed from the new values.

    Each op notes its inputs' versions when it is recorded (``Tensor._from_op``); every in-place
    op bumps the version of the tensor it changes (shared with its views).
    """
    saved = node._saved_versions
    tensors = node._prev if len(saved) == len(node._prev) else (*node._prev, node)
    for i, (t, version) in enumerate(zip(tensors, saved)):
        if t._vc[0] != version:
            what = "its output" if i == len(node._prev) else f"input {i}"
            raise RuntimeError(
                f"backward: one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: {what} of '{node._op}' (a tensor of shape {t.shape}) is at version {t._vc[0]}; "
                f"expected version {version} instead. Modify a copy (.clone()) instead, or do the in-place change "
                "after backward()")


def _leads_to(order: list["Tensor"], wanted: dict[int, int]) -> set[int]:
    """The ids of the tensors in ``order`` (inputs first) from which a wanted tensor is reached
    going backward: the wanted ones and everything computed from them."""
    needed: set[int] = set()
    for node in order:
        if id(node) in wanted or any(id(p) in needed for p in node._prev):
            needed.add(id(node))
    return needed


NO_CREATE_GRAPH = ("create_graph=True is not supported: minitorch's backward functions compute on numpy arrays "
                   "and record no graph, so gradients cannot be differentiated again (no higher-order derivatives)")


def check_inputs(inputs: Any, where: str) -> list["Tensor"]:
    """``inputs`` of ``backward(inputs=...)`` / ``autograd.grad``: one Tensor or a sequence of
    them, each requiring grad (PyTorch's rules and errors)."""
    from .tensor import Tensor

    items = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if not items:
        raise RuntimeError(f"{where}: 'inputs' cannot be empty: name the tensors to differentiate with respect to")
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}: inputs[{i}] must be a Tensor, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(f"{where}: inputs[{i}] (shape {t.shape}) does not require grad: one of the "
                               "differentiated Tensors does not require grad")
    return items


def zero_grads(params: Iterable[Any], set_to_none: bool = True) -> None:
    """What ``Module.zero_grad`` and ``Optimizer.zero_grad`` do: set each ``.grad`` to None, or
    (``set_to_none=False``) fill it with zeros in place. A grad may be a Tensor or, for a
    learner's own parameter class, a bare ndarray."""
    for param in params:
        grad = param.grad
        if grad is None:
            continue
        if set_to_none:
            param.grad = None
        else:
            (grad if isinstance(grad, np.ndarray) else grad.data)[...] = 0


def _accumulate(node: "Tensor", g: np.ndarray, owned: bool = False) -> None:
    """Add ``g`` into ``node.grad``. The first time, copy: ``.grad`` must own its array, because
    ops may hand the same array to several inputs and optimizers update ``.grad.data`` in place.
    ``owned``: ``g`` is an array run_backward allocated that nothing else holds, so it is used as it is."""
    from .tensor import Tensor

    if node.grad is None:
        if owned and type(g) is np.ndarray and g.dtype == node.data.dtype:
            node.grad = Tensor._constant(g)
        else:
            node.grad = Tensor._constant(np.array(g, dtype=node.data.dtype, copy=True))
    else:
        node.grad.data += g


def _hook_result(replaced: object, g: np.ndarray) -> np.ndarray:
    data = getattr(replaced, "data", replaced)
    data = np.asarray(data)
    if data.shape != g.shape:
        raise RuntimeError(f"register_hook: the hook returned a gradient of shape {data.shape}, "
                           f"expected the tensor's shape {g.shape}")
    return data.astype(g.dtype, copy=False)
