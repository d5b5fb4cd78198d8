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
