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


# A tensor's version counter (``_vc``): ``[n, r]``, a list shared by the tensor and its views. ``n``
# is bumped by every in-place change; ``r`` is the version at which an in-place change was last
# *recorded* in the graph — from then on the tensor is the in-place op's node, no longer the node
# that ops recorded before read (see check_versions). Most tensors are never changed in place and
# have no views, so they all share this one immutable ``(0, 0)`` and get a list of their own only
# when one is needed (``version_counter``): one list less per op (measured ~0.1 µs of a recorded op
# on 10x10). Reading ``t._vc[0]`` works the same for both.
PRISTINE = (0, 0)


def version_counter(t: "Tensor") -> list[int]:
    """``t``'s own version counter, a list ``[n, r]`` to bump (``[0] += 1``) or share with a view."""
    vc = t._vc
    if type(vc) is tuple:  # PRISTINE (or its copy, after pickling)
        vc = t._vc = [0, 0]
    return vc


# During backward(), a tensor's ``_pending`` slot first marks it as reached by the graph walk below
# (instead of an id-keyed set: measured, half the time of the walk), then holds the gradient
# gathered so far. Both are cleared when the pass ends.
_REACHED = object()  # reached by topological_order, no gradient yet
_EXPANDED = object()  # its inputs are being walked (it goes into the order once they are done)


def topological_order(root: "Tensor") -> list["Tensor"]:
    """Every tensor ``root`` depends on that requires a gradient, each after all of its inputs.

    Iterative depth-first search (an explicit stack instead of recursion), so a graph 100 000 ops
    deep does not hit Python's recursion limit. A tensor is pushed once more after its inputs, and
    goes into the order when it comes off the stack the second time. Inputs that need no gradient
    (data, targets, constants) are left out: nothing flows to them. On return every tensor in the
    order is marked ``_REACHED`` in its ``_pending`` slot: the caller must clear it (``run_backward``
    does, in a ``finally``).
    """
    order: list[Tensor] = []
    stack = [root]
    while stack:
        node = stack.pop()
        mark = node._pending
        if mark is _REACHED:  # already in the order (pushed by a second consumer)
            continue
        if mark is _EXPANDED:  # its inputs are all in the order now
            node._pending = _REACHED
            order.append(node)
            continue
        node._pending = _EXPANDED
        stack.append(node)
        prev = node._prev
        for parent in prev:
            if parent._former is not None:  # changed in place since? then maybe this op used a former node
                prev = node._prev = _routed(node)
                break
        for parent in prev:
            if parent._requires_grad and parent._pending is None:
                stack.append(parent)
    return order


def _routed(node: "Tensor") -> tuple["Tensor", ...]:
    """``node``'s inputs, each replaced by the graph node that held the value ``node`` used.

    minitorch's graph nodes are the tensors themselves. An in-place op recorded in the graph turns
    its tensor into the op's node and moves the former one to a new object (``inplace._moved_node``),
    listed in the tensor's ``_former`` with the version at which it was replaced. An op recorded
    earlier noted the version it used, so its input is the former node of the first change past that
    version. Only inputs the op's backward does not read are routed: a read one's values have
    changed under it, and ``check_versions`` refuses it (as PyTorch does).
    """
    versions = node._saved_versions
    if versions is None:
        return node._prev
    routed = []
    for parent, version in zip(node._prev, versions):
        former = parent._former
        if former is not None and version < 0 and parent._vc[1] > ~version:
            for changed_at, old in former:
                if changed_at > ~version:
                    parent = old
                    break
        routed.append(parent)
    return tuple(routed)


def _graph_freed(g: np.ndarray) -> tuple[np.ndarray, ...]:
    raise RuntimeError(
        "backward: trying to go backward through the graph a second time — the first backward() "
        "freed it to save memory. Pass retain_graph=True to the first backward() if you need to "
        "call backward twice (or recompute the forward pass).")


# The engine's own backward functions whose results are new arrays that nothing else holds (and
# no two of them the same array) —
# except the incoming gradient ``g`` itself (``add`` hands ``g`` on unchanged) and views (with a
# ``.base``), which the loop below recognises. Such a result can be summed into in place, and a
# leaf can take it as its ``.grad`` without a copy: PyTorch likewise "steals" a gradient nobody
# else references. Measured: copying deep-narrow's 50 weight gradients cost ~0.5 ms of a 4 ms
# step. A backward not listed here (a closure in a rarer op, a learner's own) is never written
# into: its results may be arrays it keeps. Ops register with ``fresh_results``.
_FRESH: set[Any] = set()


def fresh_results(backward: Any) -> Any:
    """Declare that ``backward`` returns new arrays (or ``g`` itself, or views): see ``_FRESH``."""
    _FRESH.add(getattr(backward, "__func__", backward))
    return backward


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
    finally:  # after an error part-way, no gradient (or mark) may wait for the next backward()
        for node in order:
            node._pending = None


def _run(order: list["Tensor"], root: "Tensor", seed: np.ndarray, retain_graph: bool,
         inputs: "Sequence[Tensor] | None", accumulate: bool) -> list[np.ndarray | None]:
    wanted = None if inputs is None else {id(t): i for i, t in enumerate(inputs)}
    captured: list[np.ndarray | None] = [None] * (0 if inputs is None else len(inputs))
    needed = None if wanted is None else _leads_to(order, wanted)
    reached = _REACHED
    fresh = _FRESH
    # The ids of tensors whose pending gradient is an array that nothing else can see: a sum of
    # two contributions, an unbroadcast sum or a cast made here, or a fresh result (see _FRESH).
    # Further contributions are added into it in place, and a leaf takes it as its .grad without
    # a copy. Any other array (add's `g, g` — the same array for both inputs —, a view, the
    # caller's seed) is never written to. Measured: a weight used 250 times then costs one
    # allocation instead of 249.
    owned: set[int] = set()
    root._pending = seed
    for node in reversed(order):
        g = node._pending
        if g is reached:  # no gradient flows here (e.g. it only feeds inputs that need none)
            continue
        node._pending = None
        backward = node._backward
        hooked = False
        if node._hooks:
            hooked = True
            for hook in node._hooks.values():
                replaced = hook(node._constant(g))
                if replaced is not None:
                    g = _hook_result(replaced, g)
        if wanted is None:
            if backward is None:  # a leaf: its own array can become its .grad as it is (no copy)
                _accumulate(node, g, owned=not hooked and id(node) in owned)
                continue
            if node._retains_grad:
                _accumulate(node, g)
        else:
            if id(node) in wanted:
                captured[wanted[id(node)]] = g
            if (accumulate and id(node) in wanted) or node._retains_grad:  # retain_grad() holds on every path
                _accumulate(node, g)
            if backward is None:
                continue
            if backward is not _graph_freed and not any(id(p) in needed for p in node._prev):
                continue  # nothing wanted lies further back (autograd.grad of an inner tensor)
        prev = node._prev
        versions = node._saved_versions
        if versions is not None:  # did a tensor this op reads change in place since? (cheap: a few ints)
            for p, version in zip(prev, versions):  # (~version: an input the op does not read, see _from_op)
                if p._vc[0] != version and p._vc[0] != ~version:
                    check_versions(node)
            if len(versions) > len(prev) and node._vc[0] != versions[-1]:
                check_versions(node)
        grads = backward(g, *node._saved)
        trusted = backward in fresh
        for parent, pg in zip(prev, grads):
            if pg is None or not parent._requires_grad:  # e.g. a constant, or an op that skipped it
                continue
            if needed is not None and id(parent) not in needed:
                continue
            data = parent.data
            if pg.shape != data.shape:  # only then is there broadcasting to undo (a tuple compare, not a call)
                pg = unbroadcast(pg, data.shape)
                made = True  # a sum made here (or a reshaped view of g: see below)
                if pg.base is not None:
                    made = False
            else:
                made = trusted and pg is not g and pg.base is None
            if pg.dtype is not data.dtype and pg.dtype != data.dtype:  # float32 * float64 -> float64: back
                pg = pg.astype(data.dtype)
                made = True
            held = parent._pending
            if held is reached:
                parent._pending = pg
                if made:
                    owned.add(id(parent))
            elif held is None:  # `parent` has already passed its gradient on: the graph has a cycle
                raise RuntimeError(_CYCLE.format(op=node._op, shape=parent.shape))
            elif id(parent) in owned:
                held += pg  # in place: see `owned`
                parent._pending = held  # (a 0-d sum is a numpy scalar: += made a new one)
            else:
                parent._pending = held + pg  # out of place: `held` may be seen elsewhere
                owned.add(id(parent))
        if not retain_graph:
            node._backward = _graph_freed
            node._prev = ()
            node._saved = ()
            node._saved_versions = None
    return captured


_CYCLE = ("backward: the graph has a cycle: an input of '{op}' (a tensor of shape {shape}) was computed from "
          "its own result. This happens when an in-place op reads a view of the tensor it changes, taken before "
          "the change (e.g. m[:, 0].add_(m[:, 1])); PyTorch handles it, minitorch does not: take the operand "
          "with .clone() first, or compute the new value out of place")


def check_versions(node: "Tensor") -> None:
    """Refuse to run ``node``'s backward when a tensor it read (an input, or its own output) was
    modified in place after the forward pass: the gradient would be computed from the new values.

    Each op notes the version of every input when it is recorded (``Tensor._from_op``): ``v`` for
    an input its backward reads, ``~v`` (that is ``-v - 1``) for one it does not read, and ``v`` of
    its own output when it reads that. Every in-place op bumps the version of the tensor it changes
    (shared with its views). A changed input the op does not read is fine (PyTorch's rule: add does
    not care that ``w`` changed under ``no_grad()``). When the change was recorded in the graph, the
    tensor has become the in-place op's node, and ``_routed`` has already sent this op to the former
    node; only where there is none to send it to (e.g. ``detach_()``) is it refused here.
    """
    saved = node._saved_versions
    tensors = node._prev if len(saved) == len(node._prev) else (*node._prev, node)
    for i, (t, version) in enumerate(zip(tensors, saved)):
        reads = version >= 0
        used = version if reads else ~version
        current = t._vc[0]
        if current == used or (not reads and t._vc[1] <= used):
            continue
        what = "its output" if i == len(node._prev) else f"input {i}"
        if reads:
            raise RuntimeError(
                f"backward: one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: {what} of '{node._op}' (a tensor of shape {t.shape}) is at version {current}; "
                f"expected version {used} instead. Modify a copy (.clone()) instead, or do the in-place change "
                "after backward()")
        raise RuntimeError(
            f"backward: {what} of '{node._op}' (a tensor of shape {t.shape}) was modified by an inplace operation "
            f"recorded in the graph after '{node._op}' used it (now at version {current}; it was at version {used}): "
            "in minitorch the tensor itself is the graph node, so the gradient for the value it had can no longer "
            "be told apart from the new one's. Compute the new value out of place (h = h.relu() instead of "
            "h.relu_(), h = h + x instead of h += x), or modify a .clone()")


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
    ``owned``: ``g`` is an array run_backward allocated that nothing else holds, so it is used as it is.
    (``node._constant`` is ``Tensor._constant``, reached through the instance: a function-level
    import here cost ~0.7 µs per leaf, measured.)"""
    grad = node.grad
    if grad is None:
        if owned and type(g) is np.ndarray and g.dtype == node.data.dtype:
            node.grad = node._constant(g)
        else:
            node.grad = node._constant(np.array(g, dtype=node.data.dtype, copy=True))
    else:
        grad.data += g


def _hook_result(replaced: object, g: np.ndarray) -> np.ndarray:
    data = getattr(replaced, "data", replaced)
    data = np.asarray(data)
    if data.shape != g.shape:
        raise RuntimeError(f"register_hook: the hook returned a gradient of shape {data.shape}, "
                           f"expected the tensor's shape {g.shape}")
    return data.astype(g.dtype, copy=False)
