"""``minitorch.sin(x)``, ``minitorch.std(x, dim)``, ``minitorch.gather(x, dim, index)``, ...: the
module-level spellings of the tensor methods of pointwise.py, reductions.py, sorting.py,
linalg.py, indexing.py and methods.py, as ``torch.sin`` & co. Each calls the method it names
(one implementation, one backward); the docstring is the method's.

``out=`` (PyTorch's output tensor) is accepted: the result is written into it and returned.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .tensor import Tensor

# the methods that also exist as functions taking the tensor first (torch.<name>(input, ...))
NAMES = (
    # pointwise.py
    "sin cos tan asin acos atan arcsin arccos arctan atan2 arctan2 sinh cosh sign sgn round floor ceil trunc fix "
    "frac reciprocal rsqrt log1p expm1 log2 log10 fmod remainder lerp logaddexp hypot isnan isinf isposinf "
    "isneginf isfinite nan_to_num isclose allclose exp2 logit xlogy sinc deg2rad rad2deg float_power copysign "
    "heaviside clamp_min clamp_max absolute positive floor_divide bitwise_and bitwise_or bitwise_xor ravel unflatten "
    # comparisons and logic (aliases.py, methods.py)
    "eq ne lt le gt ge greater less greater_equal less_equal not_equal logical_and logical_or logical_xor "
    # reductions.py, sorting.py
    "prod dist std var var_mean std_mean logsumexp cumsum cumprod cummax cummin aminmax norm median nansum nanmean "
    "count_nonzero "
    "sort argsort msort topk kthvalue unique nanmedian histc bincount "
    # linalg.py
    "mm bmm mv dot vdot outer ger addmm addmv baddbmm addr trace diag diagonal kron cross adjoint inner "
    "matrix_power inverse det "
    # indexing.py, methods.py
    "gather scatter scatter_add index_select take take_along_dim split tensor_split chunk unbind narrow select "
    "flip fliplr flipud rot90 roll tile repeat_interleave broadcast_to movedim moveaxis nonzero argwhere masked_select "
    "addcmul addcdiv index_add index_copy index_fill masked_scatter"
).split()

_METHOD = {"greater": "gt", "less": "lt", "greater_equal": "ge", "less_equal": "le", "not_equal": "ne"}


def _function_form(name: str) -> Callable[..., Any]:
    method = _METHOD.get(name, name)

    def function(input: Any, *args: Any, out: Tensor | None = None, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
        result = getattr(input, method)(*args, **kwargs)
        if out is None:
            return result
        if out.shape != result.shape:  # PyTorch resizes `out` to the result's shape
            out.data = np.zeros(result.shape, out.dtype)
        return out.copy_(result)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = getattr(Tensor, method).__doc__
    return function


globals().update({name: _function_form(name) for name in NAMES})
__all__ = list(NAMES)
