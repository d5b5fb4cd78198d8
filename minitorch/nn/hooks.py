"""Module hooks: run your own code around a module's forward and backward, as PyTorch does (lesson 17).

Registered with ``Module.register_forward_pre_hook``, ``register_forward_hook``,
``register_full_backward_pre_hook`` and ``register_full_backward_hook``; each returns a
``RemovableHandle`` (``handle.remove()``, or ``with module.register_forward_hook(h): ...``).
``module(*args)`` then runs, in this order (PyTorch's ``Module._call_impl``):

1. every forward pre-hook ``hook(module, args)`` (global ones first); a non-None result
   replaces ``args`` (a non-tuple is wrapped in a 1-tuple);
2. ``forward(*args)``;
3. every forward hook ``hook(module, args, output)``; a non-None result replaces ``output``.

With backward hooks, the tensor inputs and outputs also pass through an identity ``Function``
(``_BackwardHookFunction``, PyTorch's ``BackwardHookFunction``), whose backward sees the
gradients. In the backward pass:

4. when the gradients w.r.t. the outputs are known, every backward pre-hook
   ``hook(module, grad_output)``; a non-None result replaces ``grad_output`` (what flows on into
   the module);
5. when the gradients w.r.t. the inputs are known, every full backward hook
   ``hook(module, grad_input, grad_output)``; a non-None result replaces ``grad_input`` (what
   flows on to whatever produced the inputs).

``grad_input`` has one entry per positional argument of forward: the gradient w.r.t. it, None
for an argument that is not a tensor, and zeros for a tensor that does not require grad (what
PyTorch 2.13 does, though its documentation says None). ``grad_output`` has one entry per output
(None for an output that got no gradient). If no input requires grad, the full
backward hooks run at step 4 with ``grad_input`` all None, and must return None.

Global hooks for every module: ``register_module_forward_pre_hook``,
``register_module_forward_hook``, ``register_module_full_backward_pre_hook``,
``register_module_full_backward_hook`` (``torch.nn.modules.module``'s functions).
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable

from ..autograd.function import Function, FunctionCtx
from ..tensor import grad_mode
from ..tensor.tensor import RemovableHandle, Tensor

if TYPE_CHECKING:
    from .module import Module

__all__ = ["RemovableHandle", "register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_full_backward_pre_hook", "register_module_full_backward_hook"]

# Speed: True once a hook has been put into any hook registry of this process (never reset).
# Until then ``Module.__call__`` goes straight to forward after reading this one flag instead of
# calling has_hooks (eight dict lookups): measured 0.03 µs instead of 0.24 µs per module call.
hooks_registered = False


class HookDict(OrderedDict):
    """A hook registry (a module's ``_forward_hooks`` & co., or a global one): an ordered dict that
    sets ``hooks_registered`` whenever an entry is put in it, however that happens (``register_*``,
    an edit of the dict, a deep copy)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        global hooks_registered
        hooks_registered = True
        super().__setitem__(key, value)


def note_hooks() -> None:
    """Set ``hooks_registered``: for a hook registry that is not a HookDict (assigned by hand)."""
    global hooks_registered
    hooks_registered = True


_global_forward_pre_hooks: OrderedDict[int, Callable[..., Any]] = HookDict()
_global_forward_hooks: OrderedDict[int, Callable[..., Any]] = HookDict()
_global_backward_pre_hooks: OrderedDict[int, Callable[..., Any]] = HookDict()
_global_backward_hooks: OrderedDict[int, Callable[..., Any]] = HookDict()


def add_hook(registry: OrderedDict[int, Any], hook: Callable[..., Any], prepend: bool = False,
             flagged: set[int] | None = None, flag: bool = False) -> RemovableHandle:
    """Put ``hook`` in ``registry`` (first if ``prepend``); ``flagged`` records the ids of hooks
    registered ``with_kwargs``. Returns the handle that removes it again."""
    if not callable(hook):
        raise TypeError(f"hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(registry, () if flagged is None else (flagged,))
    registry[handle.id] = hook
    if prepend:
        registry.move_to_end(handle.id, last=False)
    if flag and flagged is not None:
        flagged.add(handle.id)
    return handle


def register_module_forward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """A forward pre-hook for every module, run before the module's own."""
    return add_hook(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """A forward hook for every module, run before the module's own."""
    return add_hook(_global_forward_hooks, hook)


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """A backward pre-hook for every module, run before the module's own."""
    return add_hook(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """A full backward hook for every module, run before the module's own."""
    return add_hook(_global_backward_hooks, hook)


def has_hooks(module: "Module") -> bool:
    d = module.__dict__
    return bool(d.get("_forward_pre_hooks") or d.get("_forward_hooks") or d.get("_backward_pre_hooks")
                or d.get("_backward_hooks") or _global_forward_pre_hooks or _global_forward_hooks
                or _global_backward_pre_hooks or _global_backward_hooks)


def call_with_hooks(module: "Module", forward: Callable[..., Any], args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
    """``forward(*args, **kwargs)`` surrounded by the module's (and the global) hooks, in
    PyTorch's order: see the module docstring."""
    d = module.__dict__
    for hook_id, hook in (*_global_forward_pre_hooks.items(), *d["_forward_pre_hooks"].items()):
        if hook_id in d["_forward_pre_hooks_with_kwargs"]:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result!r:.80}.")
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)

    backward_hooks = [*_global_backward_hooks.values(), *d["_backward_hooks"].values()]
    backward_pre_hooks = [*_global_backward_pre_hooks.values(), *d["_backward_pre_hooks"].values()]
    state = None
    if backward_hooks or backward_pre_hooks:
        state = _BackwardHook(module, backward_hooks, backward_pre_hooks)
        args = state.setup_inputs(args)

    output = forward(*args, **kwargs)
    for hook_id, hook in (*_global_forward_hooks.items(), *d["_forward_hooks"].items()):
        result = (hook(module, args, kwargs, output) if hook_id in d["_forward_hooks_with_kwargs"]
                  else hook(module, args, output))
        if result is not None:
            output = result

    if state is not None:
        if not isinstance(output, (Tensor, tuple)):
            warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple of "
                          f"Tensors but received {type(output).__name__}", stacklevel=3)
        else:
            output = state.setup_outputs(output)
    return output


class _BackwardHookFunction(Function):
    """The identity on a module's tensor inputs (or outputs), whose backward hands the gradients
    to the module's backward hooks and passes on what they return."""

    @staticmethod
    def forward(ctx: FunctionCtx, state: "_BackwardHook", side: str, *tensors: Tensor) -> tuple[Tensor, ...]:
        ctx.state, ctx.side = state, side
        # As PyTorch 2.13 does: an output that got no gradient shows as None in grad_output, while
        # grad_input is zero-filled for tensor inputs that got none (also those needing no grad).
        ctx.set_materialize_grads(side == "inputs")
        outs = []
        for t, needs in zip(tensors, ctx.needs_input_grad[2:]):
            if needs:
                outs.append(Tensor._constant(t.data))
            else:
                ctx.mark_non_differentiable(t)
                outs.append(t)
        return tuple(outs)

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor | None) -> tuple[Any, ...]:
        state: _BackwardHook = ctx.state
        passed = state.grad_outputs_arrived(grads) if ctx.side == "outputs" else state.grad_inputs_arrived(grads)
        return (None, None, *passed)


class _BackwardHook:
    """One forward call's backward hooks: remembers ``grad_output`` until ``grad_input`` arrives
    (PyTorch's ``torch.utils.hooks.BackwardHook``)."""

    def __init__(self, module: "Module", hooks: list[Callable[..., Any]], pre_hooks: list[Callable[..., Any]]):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs: tuple[Any, ...] | None = None
        self.n_inputs = self.n_outputs = 0
        self.input_index: list[int] | None = None
        self.output_index: list[int] | None = None

    @staticmethod
    def _wrap(side: str, state: "_BackwardHook", values: tuple[Any, ...]) -> tuple[tuple[Any, ...], list[int] | None]:
        index = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        if not (grad_mode.is_grad_enabled() and any(values[i].requires_grad for i in index)):
            return values, None
        wrapped = _BackwardHookFunction.apply(state, side, *(values[i] for i in index))
        out = list(values)
        for i, w in zip(index, wrapped):
            out[i] = w
        return tuple(out), index

    def setup_inputs(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        self.n_inputs = len(args)
        args, self.input_index = self._wrap("inputs", self, args)
        return args

    def setup_outputs(self, output: Any) -> Any:
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        self.n_outputs = len(outputs)
        outputs, self.output_index = self._wrap("outputs", self, outputs)
        return outputs[0] if single else outputs

    @staticmethod
    def _pack(index: list[int] | None, values: tuple[Any, ...], size: int) -> tuple[Any, ...]:
        packed: list[Any] = [None] * size
        for i, v in zip(index or (), values):
            packed[i] = v
        return tuple(packed)

    @staticmethod
    def _replaced(result: Any, current: tuple[Any, ...], problem: str) -> tuple[Any, ...]:
        """What a backward hook returned, as the tuple that replaces ``current`` (None: keep it)."""
        if result is None:
            return current
        result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        if len(result) != len(current):
            raise RuntimeError(f"{problem}, got {len(result)}, but expected {len(current)}")
        return result

    def grad_outputs_arrived(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        grad_outputs = self._pack(self.output_index, grads, self.n_outputs)
        for hook in self.pre_hooks:
            grad_outputs = self._replaced(hook(self.module, grad_outputs), grad_outputs,
                                          "Backward pre hook returned an invalid number of grad_output")
        self.grad_outputs = grad_outputs
        if self.input_index is None:  # no input requires grad: the full hooks fire now, with no grad_input
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                          "outputs since no inputs require gradients.", stacklevel=2)
            for hook in self.hooks:
                result = hook(self.module, (None,) * self.n_inputs, grad_outputs)
                if result is not None and not (isinstance(result, tuple) and all(r is None for r in result)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in self.output_index or ())

    def grad_inputs_arrived(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        if self.grad_outputs is None:  # the gradient reached the inputs without passing the outputs
            return grads
        grad_inputs = self._pack(self.input_index, grads, self.n_inputs)
        for hook in self.hooks:
            grad_inputs = self._replaced(hook(self.module, grad_inputs, self.grad_outputs), grad_inputs,
                                         "Backward hook returned an invalid number of grad_input")
        self.grad_outputs = None
        return tuple(grad_inputs[i] for i in self.input_index or ())
