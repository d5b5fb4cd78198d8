"""Module-local backward: each module runs its own backward and its own update (lesson 17).

The usual way: one ``loss.backward()`` walks the whole network's graph, then one optimizer
updates everything. Here the network is a graph of *module calls* joined through ``Node``s, and
each call owns its backward (the design of the DeepLearningLibrary seed, built on the engine):

    g = LocalGraph(optimizers={trunk: optim.Adam(trunk.parameters(), lr=1e-3)},
                   default=optim.SGD(heads.parameters(), lr=0.1))   # for modules without their own
    x = g.input(images)                       # a Node: a value with no producer
    h = g(trunk, x)                           # run trunk on x's value; a Node for its output
    la = g(loss_fn, g(head_a, h), labels)     # non-Node arguments (targets) are passed as they are
    lb = g(loss_fn, g(head_b, h), digits)
    la.backward()                             # head_a's backward runs (and its update); trunk waits
    lb.backward()                             # head_b's, then trunk's: every consumer has sent

How a call runs its backward: its module ran on *detached copies* of its input values (new
leaves), so its own graph stops at its inputs. Once each of its output Nodes has received a
gradient from every call that consumed it, the call asks the engine
(``minitorch.autograd.grad``) for the gradients of its parameters and of those leaves, given the
gradients of its outputs; adds the parameters' into their ``.grad``; and sends the leaves' to the
calls that produced its inputs. When every call of a module in this graph is done, the module's
optimizer takes a step (and zeroes the gradients).

The seed library's gotchas, and what they became here:

* *every output must be consumed, or its producer never runs its backward*: an output Node that
  no call consumes does not block (only consumed outputs are waited for); to read a value without
  sending a gradient back, use ``node.value`` or consume it under ``no_grad()``. ``g.waiting()``
  says who is still waiting, for what. The forward pass must be complete before the first
  ``backward()``: consuming the output of a call that has already run its backward is an error.
* *a loss must not be 0-d*: ``backward()`` on any one-element Node (a 0-d loss included) seeds
  it with 1; other shapes take ``gradient=``, as ``Tensor.backward``.
* *every module needs an optimizer*: a module without its own (``optimizers``) uses ``default``,
  one shared optimizer, which steps once every call that relies on it is done. With neither, the
  gradients are left in ``.grad`` (nothing is updated) -- how the tests compare with ``backward()``.
* *no equivalent of PyTorch's backward hooks*: modules are called normally and gradients flow
  through the engine, so module and tensor hooks work as usual.

Several losses, each ``backward()``-ed on its own, give the same gradients as one backward of
their sum: a call that feeds both waits for both and adds them. Gradients equal those of one
global ``backward()`` on the same network (to rounding; tests/library/test_nn_local.py).

Not in PyTorch: this is a teaching design (``torch.nn`` has no such class).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Callable, Mapping

import numpy as np

from ..autograd.grad import grad
from ..tensor import grad_mode
from ..tensor.tensor import Tensor
from .module import Module

__all__ = ["LocalGraph", "Node"]


class Node:
    """A value flowing between module calls of a ``LocalGraph``.

    Attributes:
        value: the Tensor (no graph attached: reading it sends nothing back).
        producer: the ``Call`` that computed it, or None for an input.
        consumers: how many calls have taken it as an input (each will send a gradient).
        received: how many of them have sent theirs so far.
        grad: the sum of the gradients received (an ndarray of value's shape), or None.
    """

    def __init__(self, graph: "LocalGraph", value: Tensor, producer: "Call | None" = None, index: int = 0):
        self.graph, self.value, self.producer, self.index = graph, value, producer, index
        self.consumers = 0
        self.received = 0
        self.grad: np.ndarray | None = None
        self.seeded = False
        self.name = ""

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def item(self) -> Any:
        return self.value.item()

    def __repr__(self) -> str:
        origin = "input" if self.producer is None else f"output {self.index} of {self.producer.name}"
        return f"Node({origin}, shape={self.shape}, received {self.received}/{self.consumers})"

    def backward(self, gradient: Any = None) -> None:
        """Send ``gradient`` (default 1, for a one-element value such as a 0-d loss) to the call that
        produced this node, as a consumer would; calls whose consumers have all sent then run their
        backward, back to the inputs.

        Raises:
            RuntimeError: a node with no producer, a value that needs no gradient, a missing
                gradient for a value with more than one element, or a wrong shape.
        """
        if self.producer is None:
            raise RuntimeError("Node.backward: this node is an input of the graph; there is nothing to backpropagate to")
        if not self.producer.outputs[self.index].requires_grad:
            raise RuntimeError(f"Node.backward: output {self.index} of {self.producer.name} does not require grad "
                               "(it was computed from nothing that needs a gradient, or inside no_grad())")
        if self.producer.done:
            raise RuntimeError(f"Node.backward: {self.producer.name} has already run its backward in this graph "
                               "(build a new LocalGraph for the next step)")
        if gradient is None:
            if self.value.numel() != 1:
                raise RuntimeError(f"Node.backward: gradient can be omitted only for a one-element value (a loss); "
                                   f"this one has shape {self.shape}: pass gradient=")
            seed = np.ones_like(self.value.data)
        else:
            seed = np.asarray(getattr(gradient, "data", gradient), dtype=self.value.dtype)
            if seed.shape != self.shape:
                raise RuntimeError(f"Node.backward: gradient has shape {seed.shape}, the value has shape {self.shape}")
        self.seeded = True
        self._add(seed)
        self.graph._arrived(self.producer)

    def _add(self, g: np.ndarray | None) -> None:
        if g is not None:
            self.grad = g if self.grad is None else self.grad + g

    def _receive(self, g: np.ndarray | None) -> None:
        """A consumer's gradient (None if it sent none, e.g. the value was not used)."""
        self.received += 1
        self._add(g)
        if self.producer is not None:
            self.graph._arrived(self.producer)

    @property
    def complete(self) -> bool:
        """Whether nothing more is to come: every consumer has sent its gradient."""
        return self.received >= self.consumers


class Call:
    """One application of a module inside a ``LocalGraph``: its inputs, its local graph, its outputs."""

    def __init__(self, graph: "LocalGraph", module: Callable[..., Any], name: str, args: tuple[Any, ...],
                 kwargs: dict[str, Any]):
        self.graph, self.module, self.name = graph, module, name
        self.inputs: list[Node] = [a for a in args if isinstance(a, Node)]
        self.leaves: list[Tensor] = []
        local_args = []
        recording = grad_mode.is_grad_enabled()
        for a in args:
            if isinstance(a, Node):
                if recording and a.producer is not None and a.producer.done:
                    raise RuntimeError(f"LocalGraph: {name} consumes an output of {a.producer.name}, which has already "
                                       "run its backward (it had heard from all the consumers it had then). Build "
                                       "the whole forward pass before calling backward() on any loss")
                if recording:  # a call under no_grad() will send nothing back: not waited for
                    a.consumers += 1
                leaf = Tensor(a.value, requires_grad=a.value.requires_grad or a.producer is not None
                              and a.producer.outputs[a.index].requires_grad)
                self.leaves.append(leaf)
                local_args.append(leaf)
            else:
                local_args.append(a)
        result = module(*local_args, **kwargs)
        self.single = not isinstance(result, tuple)
        self.outputs: list[Any] = [result] if self.single else list(result)
        self.nodes = [Node(graph, out.detach() if isinstance(out, Tensor) else out, self, i)
                      for i, out in enumerate(self.outputs)]
        self.done = False

    @property
    def parameters(self) -> list[Tensor]:
        return [p for p in self.module.parameters() if p.requires_grad] if isinstance(self.module, Module) else []

    def ready(self) -> bool:
        """Every consumed output has heard from all its consumers, and some gradient has arrived."""
        if self.done:
            return False
        return all(n.complete for n in self.nodes) and any(n.grad is not None or n.received for n in self.nodes)

    def run_backward(self) -> None:
        """This call's own backward: gradients of its parameters (into ``.grad``) and of its inputs
        (sent to their producers), from the gradients its outputs received. One ``autograd.grad``."""
        self.done = True
        pairs = [(out, node.grad) for out, node in zip(self.outputs, self.nodes)
                 if node.grad is not None and isinstance(out, Tensor) and out.requires_grad]
        params = self.parameters
        wanted = params + [leaf for leaf in self.leaves if leaf.requires_grad]
        grads: tuple[Tensor | None, ...] = ()
        if pairs and wanted:
            outs, seeds = zip(*pairs)
            grads = grad(list(outs), wanted, grad_outputs=[Tensor._constant(s) for s in seeds], allow_unused=True)
        by_leaf = dict(zip(map(id, wanted), grads))
        for p in params:
            g = by_leaf.get(id(p))
            if g is not None:
                if p.grad is None:
                    p.grad = g  # grad() returns a fresh array: .grad may own it
                else:
                    p.grad.data += g.data
        self.graph._finished(self)
        for node, leaf in zip(self.inputs, self.leaves):
            g = by_leaf.get(id(leaf))
            node._receive(None if g is None else g.data)


class LocalGraph:
    """Module calls joined through ``Node``s, each running its own backward and update (see the module docstring).

    Args:
        optimizers: ``{module: optimizer}`` -- the module's own optimizer (or any object with
            ``step()`` and ``zero_grad()``), stepped when all of the module's calls in this graph
            have run their backward.
        default: the shared optimizer for modules that have no own one, stepped once all of their
            calls are done. None: their gradients stay in ``.grad``.

    Build a new ``LocalGraph`` for every batch (it is cheap; the optimizers live outside it).
    """

    def __init__(self, optimizers: Mapping[Any, Any] | None = None, default: Any = None):
        self.optimizers = dict(optimizers or {})
        for module, opt in self.optimizers.items():
            if not (hasattr(opt, "step") and hasattr(opt, "zero_grad")):
                raise TypeError(f"LocalGraph: the optimizer of {type(module).__name__} must have step() and "
                                f"zero_grad(), got {type(opt).__name__}")
        self.default = default
        self.calls: list[Call] = []
        self.inputs: list[Node] = []
        self._open: dict[int, int] = {}  # id(module) -> its calls not yet backpropagated
        self._default_open = 0
        self._queue: deque[Call] = deque()
        self._draining = False

    def input(self, value: Any, name: str = "input") -> Node:
        """A Node for a value that comes from outside (data): it has no producer. If ``value``
        requires grad, the gradient that reaches it is summed in ``node.grad``."""
        value = value if isinstance(value, Tensor) else Tensor(value)
        node = Node(self, value)
        node.name = name
        self.inputs.append(node)
        return node

    def __call__(self, module: Callable[..., Any], *args: Any, name: str | None = None, **kwargs: Any) -> Any:
        """Run ``module`` on the values of the Node arguments (other arguments as they are).
        Returns a Node, or a tuple of Nodes when the module returns a tuple."""
        if not callable(module):
            raise TypeError(f"LocalGraph: expected a module (or function) to call, got {type(module).__name__}")
        if not any(isinstance(a, Node) for a in args):
            raise TypeError(f"LocalGraph: {name or type(module).__name__} got no Node argument; wrap data with "
                            "graph.input(x) first")
        if name is None:
            name = type(module).__name__ if isinstance(module, Module) else getattr(module, "__name__", "function")
        call = Call(self, module, name, args, kwargs)
        if grad_mode.is_grad_enabled():
            self.calls.append(call)
            self._open[id(module)] = self._open.get(id(module), 0) + 1
            if call.parameters and id(module) not in self._own_ids():
                self._default_open += 1
        else:
            call.done = True
        return call.nodes[0] if call.single else tuple(call.nodes)

    def waiting(self) -> list[str]:
        """Who is still waiting, and for what: one line per call that has not run its backward."""
        lines = []
        for call in self.calls:
            if call.done:
                continue
            missing = [f"output {n.index}: {n.received}/{n.consumers} consumers have sent"
                       for n in call.nodes if not n.complete]
            lines.append(f"{call.name}: " + ("; ".join(missing) if missing else "no gradient has arrived yet"))
        return lines

    def optimizer_of(self, module: Any) -> Any:
        """The optimizer that updates ``module``: its own, else the shared default (or None)."""
        own = next((opt for m, opt in self.optimizers.items() if m is module), None)
        return own if own is not None else self.default

    # ------------------------------------------------------------------ internals
    def _own_ids(self) -> set[int]:
        return {id(m) for m in self.optimizers}

    def _arrived(self, call: Call) -> None:
        if call.ready():
            self._queue.append(call)
        if self._draining:
            return
        self._draining = True  # a loop, not recursion: a long chain of modules is no problem
        try:
            while self._queue:
                nxt = self._queue.popleft()
                if not nxt.done:
                    nxt.run_backward()
        finally:
            self._draining = False

    def _finished(self, call: Call) -> None:
        """After a call's backward: step the module's optimizer when all its calls are done."""
        key = id(call.module)
        self._open[key] -= 1
        if self._open[key] or not call.parameters:
            return
        own = self.optimizer_of(call.module) if id(call.module) in self._own_ids() else None
        if own is not None:
            own.step()
            own.zero_grad()
            return
        self._default_open -= sum(1 for c in self.calls if c.module is call.module)
        if self._default_open == 0 and self.default is not None:
            self.default.step()
            self.default.zero_grad()

