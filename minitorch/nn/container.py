"""Containers: ``Sequential`` (a pipeline of modules) and ``ModuleList`` (a list that registers
what it holds). Their elements are sub-modules named ``"0"``, ``"1"``, ..., so state_dict keys
are ``"0.weight"``, ``"2.bias"`` -- the same as PyTorch's. ``ModuleDict`` registers modules under
keys; ``ParameterList`` and ``ParameterDict`` do the same for parameters (``params.0``,
``scales.a`` in a state_dict, as in PyTorch)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Iterator

from ..tensor.tensor import Tensor
from .module import Module
from .parameter import Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


def _check_module(module: Any, where: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{where}: expected a Module, got {type(module).__name__} "
                        f"(wrap functions in a Module; activations are nn.ReLU(), nn.Tanh(), ...)")
    return module


class _IndexedModules(Module):
    """Shared behaviour of the numbered containers: indexing, len, iteration, append."""

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def _index(self, idx: int) -> str:
        n = len(self._modules)
        if not isinstance(idx, int) or not -n <= idx < n:
            raise IndexError(f"{type(self).__name__}: index {idx!r} is out of range for {n} modules")
        return list(self._modules)[idx % n]

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return self._slice(list(self._modules.items())[idx])
        return self._modules[self._index(idx)]

    def _slice(self, items: list[tuple[str, Module]]) -> Module:
        return type(self)(OrderedDict(items))

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._index(idx), _check_module(module, f"{type(self).__name__}[{idx}] = ..."))

    def append(self, module: Module) -> "_IndexedModules":
        self.add_module(str(len(self)), _check_module(module, f"{type(self).__name__}.append"))
        return self


class Sequential(_IndexedModules):
    """Modules applied one after the other: ``Sequential(a, b, c)(x)`` is ``c(b(a(x)))``.

    Give the modules as arguments (named "0", "1", ...) or as one ``OrderedDict`` of names.
    A slice ``seq[1:]`` is a Sequential of those modules that keeps their names.
    """

    def __init__(self, *modules: Module | OrderedDict[str, Module]):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, _check_module(module, f"Sequential: entry {name!r}"))
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), _check_module(module, f"Sequential: argument {i}"))

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            input = module(input)
        return input


class ModuleList(_IndexedModules):
    """A list of modules that are registered (so their parameters are found), e.g. a variable
    number of layers: ``self.layers = ModuleList(Linear(8, 8) for _ in range(depth))``. It has no
    ``forward``: you decide how to call its elements."""

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        for module in modules or ():
            self.append(module)

    def _slice(self, items: list[tuple[str, Module]]) -> Module:
        return ModuleList(module for _, module in items)  # renumbered from 0, as in PyTorch


class ModuleDict(Module):
    """A dict of modules that are registered under their keys (in insertion order), as
    ``torch.nn.ModuleDict``: ``self.heads = ModuleDict({"cls": Linear(8, 3), "box": Linear(8, 4)})``.
    Like ModuleList it has no ``forward``."""

    def __init__(self, modules: Any = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module(module, f"ModuleDict[{key!r}] = ..."))

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()

    def pop(self, key: str) -> Module:
        return self._modules.pop(key)

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules: Any) -> None:
        """Add (or replace) modules from a mapping or from ``(key, module)`` pairs."""
        for key, module in (modules.items() if hasattr(modules, "items") else modules):
            self[key] = module


def _as_parameter(value: Any) -> Any:
    """What a parameter container stores: a Parameter as it is, a Tensor wrapped in a Parameter
    (sharing its data, requiring grad, as ``torch.nn.Parameter(t)``), anything else as it is
    (a plain attribute, not registered: PyTorch's containers allow that too)."""
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def _describe(value: Any) -> str:
    if isinstance(value, Tensor):
        kind = "Parameter containing" if isinstance(value, Parameter) else "Tensor"
        return f"{kind}: [{value.dtype} of size {tuple(value.shape)}]"
    return f"Object of type: {type(value).__name__}"


class ParameterList(Module):
    """A list of parameters, registered under ``"0"``, ``"1"``, ... (as ``torch.nn.ParameterList``):
    ``self.scales = ParameterList(Parameter(minitorch.ones(n)) for n in sizes)``. Tensors given
    to it become Parameters. ``parameters()`` and ``state_dict()`` see them (keys ``scales.0``, ...).

    Raises IndexError for an index out of range, TypeError for a non-integer index.
    """

    def __init__(self, values: Iterable[Any] | None = None):
        super().__init__()
        self._size = 0
        if values is not None:
            self += values

    def _index(self, idx: Any) -> int:
        if not isinstance(idx, int) or isinstance(idx, bool):
            raise TypeError(f"ParameterList indices must be integers or slices, not {type(idx).__name__}")
        if not -self._size <= idx < self._size:
            raise IndexError(f"ParameterList: index {idx} is out of range for {self._size} parameters")
        return idx % self._size

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return ParameterList(self[i] for i in range(self._size)[idx])  # renumbered from 0, as in PyTorch
        return getattr(self, str(self._index(idx)))

    def __setitem__(self, idx: int, param: Any) -> None:
        name = str(self._index(idx))
        if hasattr(self, name):
            delattr(self, name)
        setattr(self, name, _as_parameter(param))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(self._size))

    def __iadd__(self, parameters: Iterable[Any]) -> "ParameterList":
        return self.extend(parameters)

    def append(self, value: Any) -> "ParameterList":
        """Add ``value`` at the end (a Tensor becomes a Parameter); returns self."""
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable[Any]) -> "ParameterList":
        """Append every element of ``values``; returns self. TypeError for a non-iterable (or a Tensor)."""
        if isinstance(values, Tensor) or not hasattr(values, "__iter__"):
            raise TypeError(f"ParameterList.extend should be called with an iterable, but got {type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def __repr__(self) -> str:
        lines = [f"({i}): {_describe(value)}" for i, value in enumerate(self)]
        return "ParameterList(\n" + "".join(f"    {line}\n" for line in lines) + ")" if lines else "ParameterList()"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """A dict of parameters registered under their (string) keys, in insertion order, as
    ``torch.nn.ParameterDict``: ``self.scales = ParameterDict({"a": Parameter(...), "b": ...})``.
    Tensors given to it become Parameters; state_dict keys are ``scales.a``, ``scales.b``.

    Raises TypeError for a key that is not a string, KeyError for a missing key.
    """

    def __init__(self, parameters: Any = None):
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def _key(self, key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError(f"Index given to ParameterDict cannot be used as a key as it is not a string "
                            f"(type is '{type(key).__name__}').")
        return key

    def __getitem__(self, key: str) -> Any:
        if self._key(key) not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._key(key)
        if key in self._keys:
            delattr(self, key)
        self._keys[key] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        if self._key(key) not in self._keys:
            raise KeyError(key)
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> Iterable[str]:
        return self._keys.keys()

    def values(self) -> Iterable[Any]:
        return [self[k] for k in self._keys]

    def items(self) -> Iterable[tuple[str, Any]]:
        return [(k, self[k]) for k in self._keys]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._keys else default

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self._keys:
            self[key] = default
        return self[key]

    def pop(self, key: str) -> Any:
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        if not self._keys:
            raise KeyError("popitem(): dictionary is empty")
        key = list(self._keys)[-1]
        return key, self.pop(key)

    def clear(self) -> None:
        for key in list(self._keys):
            del self[key]

    def copy(self) -> "ParameterDict":
        """A new ParameterDict holding the same Parameters (not copies of them)."""
        return ParameterDict(self.items())

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> "ParameterDict":
        return ParameterDict((k, default) for k in keys)

    def update(self, parameters: Any) -> None:
        """Add (or replace) entries from a mapping or an iterable of ``(key, value)`` pairs.
        TypeError for anything else, ValueError for a pair that is not of length 2 (as torch)."""
        if hasattr(parameters, "items"):
            pairs = list(parameters.items())
        elif hasattr(parameters, "__iter__") and not isinstance(parameters, (str, Tensor)):
            pairs = []
            for j, pair in enumerate(parameters):
                if not hasattr(pair, "__iter__"):
                    raise TypeError(f"ParameterDict update sequence element #{j} should be Iterable; "
                                    f"is {type(pair).__name__}")
                if len(pair) != 2:
                    raise ValueError(f"ParameterDict update sequence element #{j} has length {len(pair)}; "
                                     "2 is required")
                pairs.append(tuple(pair))
        else:
            raise TypeError(f"ParametersDict.update should be called with an iterable of key/value pairs, "
                            f"but got {type(parameters).__name__}")
        for key, value in pairs:
            self[key] = value

    def __or__(self, other: "ParameterDict") -> "ParameterDict":
        out = self.copy()
        out.update(other)
        return out

    def __ror__(self, other: "ParameterDict") -> "ParameterDict":
        out = other.copy()
        out.update(self)
        return out

    def __ior__(self, other: "ParameterDict") -> "ParameterDict":
        self.update(other)
        return self

    def __repr__(self) -> str:
        lines = [f"({k}): {_describe(v)}" for k, v in self.items()]
        return "ParameterDict(\n" + "".join(f"    {line}\n" for line in lines) + ")" if lines else "ParameterDict()"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")
