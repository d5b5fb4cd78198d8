"""Containers: ``Sequential`` (a pipeline of modules) and ``ModuleList`` (a list that registers
what it holds). Their elements are sub-modules named ``"0"``, ``"1"``, ..., so state_dict keys
are ``"0.weight"``, ``"2.bias"`` -- the same as PyTorch's."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Iterator

from .module import Module

__all__ = ["Sequential", "ModuleList"]


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
