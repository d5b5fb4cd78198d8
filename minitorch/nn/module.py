"""``Module``: the base class of every layer and model.

A Module keeps three registries, filled automatically when you assign attributes:

* ``_parameters`` -- the ``Parameter``s it learns (``self.weight = Parameter(...)``);
* ``_buffers`` -- tensors it keeps but does not learn, e.g. BatchNorm's running mean
  (``self.register_buffer("running_mean", zeros(n))``);
* ``_modules`` -- its sub-modules (``self.fc1 = Linear(2, 8)``).

Everything else follows by walking that tree: ``parameters()`` collects the parameters of the
module and all its sub-modules, ``state_dict()`` names every parameter and buffer by its path
(``"fc1.weight"``), ``train()``/``eval()`` flip ``training`` everywhere, ``repr`` prints the tree.
A model is written as in PyTorch::

    class TwoLayer(nn.Module):
        def __init__(self):
            super().__init__()               # creates the registries: must come first
            self.fc1 = nn.Linear(2, 8)       # registered as a sub-module "fc1"
            self.fc2 = nn.Linear(8, 1)

        def forward(self, x):
            return self.fc2(self.fc1(x).relu())

    model = TwoLayer()
    y = model(x)                             # calls forward
    [name for name, _ in model.named_parameters()]  # ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']

``state_dict()`` uses PyTorch's key names, order and shapes, so the weights of a minitorch model
load into the same model written with ``torch.nn`` (and back).

Speed: ``self.weight`` inside ``forward`` is read on every call. A registered name is therefore
also kept in the instance ``__dict__`` (a *mirror*), so that Python finds it at once instead of
failing the normal lookup and calling ``__getattr__`` (measured: 0.05x the time of a read through
``__getattr__``; benchmarks/ENGINE_PLAN.md). The registries stay the source of truth: they are
``_Registry`` dicts that update the mirror whenever they change, however they are changed
(``self.x = ...``, ``del self.x``, ``register_*``, or the dicts edited directly, as PyTorch code
sometimes does). Two corners differ from PyTorch: a name that is both a plain attribute and, by
editing a registry dict directly, a registry entry reads as the entry (PyTorch: the attribute);
a shallow ``copy.copy(module)`` shares the registries and reads them through ``__getattr__``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Iterator, Mapping, NamedTuple

import numpy as np

from ..tensor.autograd import zero_grads
from ..tensor.dtypes import is_floating
from ..tensor.tensor import Tensor
from . import hooks
from .hooks import RemovableHandle
from .parameter import Parameter

_REGISTRIES = ("_parameters", "_buffers", "_modules")
_HOOK_REGISTRIES = ("_forward_pre_hooks", "_forward_hooks", "_backward_pre_hooks", "_backward_hooks")


class _Registry(OrderedDict):
    """``_parameters``, ``_buffers`` or ``_modules`` of one module: an ordered dict that keeps the
    module's attribute mirror (its ``__dict__`` entry of the same name) equal to what attribute
    lookup must return, on every change. A copy (``.copy()``) belongs to no module."""

    def __init__(self, owner: "Module | None" = None) -> None:
        super().__init__()
        self._owner = owner

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, value)
        _sync_mirror(self._owner, name)

    def __delitem__(self, name: str) -> None:
        super().__delitem__(name)
        _sync_mirror(self._owner, name)

    def pop(self, name: str, *default: Any) -> Any:
        present = name in self
        value = super().pop(name, *default)
        if present:
            _sync_mirror(self._owner, name)
        return value

    def popitem(self, last: bool = True) -> tuple[str, Any]:
        name, value = super().popitem(last)
        _sync_mirror(self._owner, name)
        return name, value

    def setdefault(self, name: str, default: Any = None) -> Any:
        if name not in self:
            self[name] = default
        return self[name]

    def update(self, *args: Any, **kwargs: Any) -> None:
        for name, value in dict(*args, **kwargs).items():
            self[name] = value

    def __ior__(self, other: Any) -> "_Registry":
        self.update(other)
        return self

    def clear(self) -> None:
        names = list(self)
        super().clear()
        for name in names:
            _sync_mirror(self._owner, name)


def _sync_mirror(module: "Module | None", name: str) -> None:
    """Set ``module.__dict__[name]`` to what ``module.name`` means: the entry of the first registry
    that has ``name`` (the order ``__getattr__`` looks in, as PyTorch's), or nothing."""
    if module is None:
        return
    d = module.__dict__
    for registry in _REGISTRIES:
        entries = d.get(registry)
        if entries is not None and name in entries:
            d[name] = entries[name]
            return
    d.pop(name, None)


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` could not match (as PyTorch returns it)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class for all neural-network modules. Subclasses call ``super().__init__()`` first,
    assign their parameters and sub-modules as attributes, and define ``forward``.

    Attributes:
        training: True in training mode (the default), False after ``eval()``. Layers such as
            Dropout and BatchNorm behave differently in the two modes.
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these registries to exist already.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", _Registry(self))
        object.__setattr__(self, "_buffers", _Registry(self))
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", _Registry(self))
        for name in _HOOK_REGISTRIES:  # hooks.py: what runs around forward and backward
            object.__setattr__(self, name, hooks.HookDict())
        object.__setattr__(self, "_forward_pre_hooks_with_kwargs", set())
        object.__setattr__(self, "_forward_hooks_with_kwargs", set())

    def __copy__(self) -> "Module":
        """A shallow copy that shares the registries, as in PyTorch. Only the original is kept in
        sync by them, so the copy holds no mirror entries and reads registered names through
        ``__getattr__``: it sees every later change."""
        clone = object.__new__(type(self))
        registries = [self.__dict__.get(name, ()) for name in _REGISTRIES]
        clone.__dict__.update({key: value for key, value in self.__dict__.items()
                               if not any(key in registry for registry in registries)})
        return clone

    # ------------------------------------------------------------------ calling
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``module(x)`` runs ``module.forward(x)``, and the module's hooks around it (hooks.py)."""
        if hooks.hooks_registered and hooks.has_hooks(self):  # the flag: no hook anywhere yet (hooks.py)
            return hooks.call_with_hooks(self, self.forward, args, kwargs)
        return self.forward(*args, **kwargs)  # the common case, no hooks: straight to forward

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """What calling the module computes: every subclass defines its own."""
        raise TypeError(f"{type(self).__name__} has no forward method: a Module subclass must define "
                        f"forward(self, ...) to say what calling it computes")

    # ------------------------------------------------------------------ hooks (hooks.py has the details)
    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward; a non-None result replaces ``args``.
        With ``with_kwargs``: ``hook(module, args, kwargs)`` returning None or ``(args, kwargs)``.
        ``prepend`` runs it before the hooks already registered. Returns a handle: ``.remove()``."""
        self._require_init("register the forward pre-hook", getattr(hook, "__name__", "hook"))
        return hooks.add_hook(self._forward_pre_hooks, hook, prepend, self._forward_pre_hooks_with_kwargs, with_kwargs)

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                              with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward; a non-None result replaces the
        output. With ``with_kwargs``: ``hook(module, args, kwargs, output)``."""
        self._require_init("register the forward hook", getattr(hook, "__name__", "hook"))
        return hooks.add_hook(self._forward_hooks, hook, prepend, self._forward_hooks_with_kwargs, with_kwargs)

    def register_full_backward_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients w.r.t. the module's outputs are
        known (a tuple, one per output); a non-None result replaces them before they flow into it."""
        self._require_init("register the backward pre-hook", getattr(hook, "__name__", "hook"))
        return hooks.add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients w.r.t. the module's
        inputs are known: ``grad_input`` has one entry per positional argument of forward (None for
        non-tensors and inputs that need no grad). A non-None result replaces ``grad_input``."""
        self._require_init("register the backward hook", getattr(hook, "__name__", "hook"))
        return hooks.add_hook(self._backward_hooks, hook, prepend)

    # ------------------------------------------------------------------ registration
    def _require_init(self, what: str, name: str) -> None:
        """A clear error when ``Module.__init__`` never ran (the registries do not exist)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot {what} {name!r}: {type(self).__name__}.__init__ did not call super().__init__(). "
                f"Call it first thing in __init__: it creates the registries that track parameters, "
                f"buffers and sub-modules")

    def __setattr__(self, name: str, value: Any) -> None:
        """Attributes that are Parameters or Modules are registered; the rest are stored as usual.

        Assigning to a name that is already registered keeps the kind: a parameter slot takes a
        Parameter (or None), a buffer slot a Tensor (or None), a sub-module slot a Module (or None).
        """
        if isinstance(value, (Parameter, Module)):
            kind = "parameter" if isinstance(value, Parameter) else "sub-module"
            self._require_init(f"assign the {kind}", name)
            # The name may have held something else before; a re-assigned name keeps its place.
            self._forget(name, keep="_parameters" if isinstance(value, Parameter) else "_modules")
            if isinstance(value, Parameter):
                self.register_parameter(name, value)
            else:
                self.add_module(name, value)
            return
        d = self.__dict__
        if "_parameters" in d:  # after __init__: the name may already be registered
            for registry, kind, expected in (("_parameters", "parameter", "a Parameter or None (wrap it: "
                                                                          "nn.Parameter(value))"),
                                             ("_modules", "sub-module", "a Module or None")):
                if name in d[registry]:
                    if value is not None:
                        raise TypeError(f"cannot assign a {type(value).__name__} to {name!r} of "
                                        f"{type(self).__name__}: it is a {kind}, so it takes {expected}")
                    d[registry][name] = None
                    return
            if name in d["_buffers"]:
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(f"cannot assign a {type(value).__name__} to buffer {name!r} of "
                                    f"{type(self).__name__}: a buffer takes a Tensor or None")
                d["_buffers"][name] = value
                return
        if name in _HOOK_REGISTRIES and value:  # a hook registry assigned by hand (hooks.hooks_registered)
            hooks.note_hooks()
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        """Called only when normal lookup fails: look in the registries. (Registered names are
        mirrored in the instance ``__dict__``, so this runs only for names that are not there.)"""
        d = self.__dict__
        if name in _REGISTRIES or name == "_non_persistent_buffers":
            self._require_init("use", name)  # raises the helpful error
        for registry in _REGISTRIES:
            if name in d.get(registry, ()):
                return d[registry][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        if any(name in self.__dict__.get(registry, ()) for registry in _REGISTRIES):
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def _forget(self, name: str, keep: str = "") -> None:
        """Remove ``name`` from the instance dict and every registry but ``keep`` (the registries
        update the mirror themselves)."""
        self.__dict__.pop(name, None)
        for registry in _REGISTRIES:
            if registry != keep:
                self.__dict__[registry].pop(name, None)
        self._non_persistent_buffers.discard(name)

    def _check_name(self, name: Any, kind: str, registry: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name must be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"{kind} name must be non-empty and contain no '.', got {name!r} "
                           f"('.' separates the levels of a state_dict key)")
        if hasattr(self, name) and name not in self.__dict__[registry]:
            raise KeyError(f"cannot register {kind} {name!r} on {type(self).__name__}: "
                           f"an attribute of that name already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name`` (what ``self.name = param`` does for a Parameter).
        ``None`` reserves the name for a parameter that is absent, e.g. ``Linear(bias=False)``."""
        self._require_init("register the parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot register a {type(param).__name__} as parameter {name!r} of "
                            f"{type(self).__name__}: expected a Parameter or None (wrap a Tensor in nn.Parameter)")
        self._check_name(name, "parameter", "_parameters")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a tensor the module keeps but does not learn (a running average, a counter).

        Buffers are saved in ``state_dict()`` unless ``persistent=False``, are not returned by
        ``parameters()``, and get no gradient. Read and reassign them as attributes.
        """
        self._require_init("register the buffer", name)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot register a {type(tensor).__name__} as buffer {name!r} of "
                            f"{type(self).__name__}: expected a Tensor or None")
        if isinstance(tensor, Parameter):
            raise TypeError(f"cannot register Parameter {name!r} as a buffer of {type(self).__name__}: "
                            "buffers are not learnt; use register_parameter (or assign it)")
        self._check_name(name, "buffer", "_buffers")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a sub-module called ``name`` (what ``self.name = module`` does)."""
        self._require_init("add the sub-module", name)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"cannot add a {type(module).__name__} as sub-module {name!r}: expected a Module")
        self._check_name(name, "sub-module", "_modules")
        self._modules[name] = module

    register_module = add_module

    # ------------------------------------------------------------------ walking the tree
    def named_modules(self, prefix: str = "", remove_duplicate: bool = True,
                      _memo: set[int] | None = None) -> Iterator[tuple[str, Module]]:
        """This module and every sub-module, depth first, with their dotted paths ('' for self).
        A module that appears twice (shared) is listed once unless ``remove_duplicate=False``."""
        memo = set() if _memo is None else _memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(prefix + ("." if prefix else "") + name, remove_duplicate, memo)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules, with their names."""
        seen: set[int] = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Tensor]]:
        modules = self.named_modules(prefix, remove_duplicate) if recurse else [(prefix, self)]
        seen: set[int] = set()
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():  # the helpful error if __init__ was skipped
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs, e.g. ``("fc1.weight", Parameter)``, in registration order.
        A parameter shared by two layers (tied weights) is listed once, under its first name."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)  # type: ignore[misc]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module and (if ``recurse``) its sub-modules: what an
        optimizer trains, ``optim.SGD(model.parameters(), lr=0.1)``."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module, then on self (e.g. to initialise weights); returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on this module and all sub-modules."""
        if not isinstance(mode, bool):
            raise TypeError(f"train: mode must be True or False, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``. It changes how Dropout/BatchNorm behave; it does
        not switch off gradients (use ``minitorch.no_grad()`` for that)."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze (True) every parameter; returns self."""
        for param in self.parameters():
            param.requires_grad = requires_grad
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter: set ``.grad`` to None (the default, as in
        PyTorch), or fill it with zeros when ``set_to_none=False``."""
        zero_grads(self.parameters(), set_to_none)

    def to(self, dtype: Any) -> Module:
        """Cast every floating-point parameter and buffer to ``dtype`` in place (keeping the
        Parameter objects, so an optimizer that holds them still works); returns self."""
        dtype = np.dtype(dtype)
        if not is_floating(dtype):
            raise TypeError(f"to: modules can only be cast to a floating-point dtype, got {dtype}")
        for module in self.modules():
            for registry in ("_parameters", "_buffers"):
                for tensor in module.__dict__[registry].values():
                    if tensor is not None and is_floating(tensor.data.dtype):
                        tensor.data = tensor.data.astype(dtype)
                        if tensor.grad is not None:
                            tensor.grad.data = tensor.grad.data.astype(dtype)
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    # ------------------------------------------------------------------ state dict
    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer, by dotted path: ``{"fc1.weight": tensor, ...}``.

        Keys, order and shapes are PyTorch's: for each module (depth first) its parameters, then
        its buffers, then its sub-modules'. Values share memory with the model (as in PyTorch):
        save them, or copy them, before training on if you want a snapshot. With ``keep_vars``
        the Parameters themselves are returned instead of detached tensors.
        """
        out: OrderedDict[str, Tensor] = OrderedDict()
        for module_prefix, module in self.named_modules(prefix, remove_duplicate=False):
            dot = module_prefix + ("." if module_prefix else "")
            for name, param in module._parameters.items():
                if param is not None:
                    out[dot + name] = param if keep_vars else param.detach()
            for name, buf in module._buffers.items():
                if buf is not None and name not in module._non_persistent_buffers:
                    out[dot + name] = buf if keep_vars else buf.detach()
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy the values of ``state_dict`` into this module's parameters and buffers, in place.

        Values may be minitorch Tensors, numpy arrays, or anything numpy can read (PyTorch
        tensors too). Each value is cast to the dtype of the tensor it goes into.

        Nothing is changed unless everything fits: a key whose shape differs is always an error;
        with ``strict=True`` (the default) so is a key the model lacks (unexpected) or a
        parameter/buffer the dict lacks (missing). The error lists every offending key with
        both shapes. With ``strict=False`` the matching keys are loaded and the others returned.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a dict of name -> tensor, got {type(state_dict).__name__}")
        targets = self.state_dict(keep_vars=True)
        state_dict = {**_absent_state(self, state_dict), **state_dict}
        missing = [key for key in targets if key not in state_dict]
        unexpected = [key for key in state_dict if key not in targets]
        values: dict[str, np.ndarray] = {}
        problems: list[str] = []
        for key, target in targets.items():
            if key not in state_dict:
                continue
            try:
                value = _as_array(state_dict[key])
            except Exception as e:  # noqa: BLE001 - reported below, with the key
                problems.append(f"  {key!r}: cannot read the value as an array ({e})")
                continue
            if value.shape != target.shape:
                problems.append(f"  size mismatch for {key!r}: the state_dict has shape {value.shape}, "
                                f"this model has shape {target.shape}")
            elif value.dtype.kind not in "biuf":
                problems.append(f"  {key!r}: the value has dtype {value.dtype}, expected numbers")
            else:
                values[key] = value
        if strict:
            problems += [f"  missing key {key!r} (this model has shape {targets[key].shape})" for key in missing]
            problems += [f"  unexpected key {key!r} (shape {_shape_of(state_dict[key])}, not in this model)"
                         for key in unexpected]
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n" + "\n".join(problems))
        for key, value in values.items():
            target = targets[key].data
            target[...] = value.astype(target.dtype, copy=False)  # in place: optimizers keep their references
        return IncompatibleKeys(missing, unexpected)

    def _absent_state(self) -> dict[str, Any]:
        """Values for entries an older state_dict may lack (BatchNorm's num_batches_tracked), as
        PyTorch's ``_load_from_state_dict`` fills them in. None here."""
        return {}

    # ------------------------------------------------------------------ display
    def extra_repr(self) -> str:
        """The text inside ``ClassName(...)`` in the printed tree. Layers override it (``Linear``
        shows its sizes); by default it lists the module's own parameters and buffers with their
        shapes."""
        own = [f"{name}: Parameter of shape {p.shape}" for name, p in self._parameters.items() if p is not None]
        own += [f"{name}: buffer of shape {b.shape}" for name, b in self._buffers.items() if b is not None]
        return ", ".join(own)

    def __repr__(self) -> str:
        """The module tree, one line per sub-module, indented by depth (PyTorch's layout)."""
        extra = self.extra_repr()
        children = [f"({name}): " + repr(child).replace("\n", "\n  ") for name, child in self._modules.items()]
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = ([extra] if extra else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _as_array(value: Any) -> np.ndarray:
    """A state_dict value as a numpy array: a Tensor's ``.data``, else numpy's reading of it
    (arrays, numbers, PyTorch tensors through their ``__array__``)."""
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def _shape_of(value: Any) -> Any:
    try:
        return _as_array(value).shape
    except Exception:  # noqa: BLE001 - only used to describe the value in an error message
        return "unknown"


def _absent_state(module: Module, state_dict: Mapping[str, Any]) -> dict[str, Any]:
    """The defaults every sub-module offers for the keys ``state_dict`` lacks."""
    filled = {}
    for prefix, sub in module.named_modules():
        for name, value in sub._absent_state().items():
            key = f"{prefix}.{name}" if prefix else name
            if key not in state_dict:
                filled[key] = value
    return filled
