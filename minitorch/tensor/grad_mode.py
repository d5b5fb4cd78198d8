"""Switching graph recording off: ``with minitorch.no_grad(): ...``.

While gradients are disabled, operations still compute their results but record no graph: the
outputs have ``requires_grad=False`` and hold no references to their inputs. Use it for
evaluation and for updating weights, where nothing should be differentiated.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_enabled = True


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()``."""
    return _enabled


class _GradMode:
    """Context manager (and decorator) that sets gradient recording to ``self.mode`` and restores it.

    As in PyTorch, the decorator works with or without parentheses: ``@no_grad()`` and ``@no_grad``.
    """

    mode: bool

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)  # @no_grad without parentheses: decorate the function directly

    def __enter__(self) -> None:
        global _enabled
        self._previous = _enabled
        _enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        global _enabled
        _enabled = self._previous

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Record no graph inside the block: ``with minitorch.no_grad(): y = model(x)``.

    Also a decorator: ``@minitorch.no_grad()`` above a function. Blocks nest; leaving one restores
    the mode in force before it.
    """

    mode = False


class enable_grad(_GradMode):
    """Record the graph again inside a ``no_grad()`` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """Switch gradient recording on or off: ``minitorch.set_grad_enabled(mode)``, as PyTorch's.

    Three uses, as in ``torch.set_grad_enabled``:

    * a call, ``minitorch.set_grad_enabled(False)``: the mode changes at once, and stays;
    * a block, ``with minitorch.set_grad_enabled(is_train): ...``: the mode in force before the
      call is restored on leaving it (the usual way to share one loop between training and
      evaluation);
    * a decorator, ``@minitorch.set_grad_enabled(False)``: each call of the function runs in that
      mode (decorating leaves the mode outside as it was).

    Raises TypeError if ``mode`` is not a bool (torch's check).
    """

    def __new__(cls, mode: bool) -> "set_grad_enabled":
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        global _enabled
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'mode' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self.mode = mode
        self._previous = _enabled
        _enabled = mode  # a plain call takes effect now, as torch's

    def __enter__(self) -> None:
        previous = self._previous  # the mode before the call, which leaving the block restores
        super().__enter__()
        self._previous = previous

    def __call__(self, fn: F) -> F:
        global _enabled
        _enabled = self._previous  # decorating must not change the mode outside the function
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def clone(self) -> "set_grad_enabled":
        """A new object with the same mode (PyTorch's method; it sets the mode, as the constructor)."""
        return set_grad_enabled(self.mode)


_inference = False


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (with its default ``mode=True``)."""
    return _inference


class inference_mode:
    """``with minitorch.inference_mode(): y = model(x)``: evaluation with no graph, as ``no_grad``.

    PyTorch's ``inference_mode`` is ``no_grad`` plus a promise that the tensors made inside will
    never take part in autograd, which lets it skip version counters and view tracking; its
    tensors then refuse to be used in a recorded op later. minitorch has no such fast path: here
    it records no graph, exactly as ``no_grad()``, and the tensors made inside are ordinary
    tensors (see docs/pytorch-differences.md). ``inference_mode(False)`` changes nothing (it only
    switches inference mode off inside an outer one; gradient recording stays as it is, as in
    torch). Also a decorator, with or without parentheses: ``@minitorch.inference_mode``.

    Source: https://pytorch.org/docs/stable/generated/torch.autograd.grad_mode.inference_mode.html
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):
            return cls()(mode)  # @inference_mode without parentheses
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        global _enabled, _inference
        self._previous = (_enabled, _inference)
        _inference = self.mode
        if self.mode:
            _enabled = False

    def __exit__(self, *exc: Any) -> None:
        global _enabled, _inference
        _enabled, _inference = self._previous

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def clone(self) -> "inference_mode":
        return inference_mode(self.mode)
