"""The conformance sweep: one case per (op, input) over minitorch's public tensor ops, each written
once as an expression that runs on ``torch`` and on ``minitorch`` alike.

Inputs cover the edge cases where libraries differ: NaN, ±inf, ties, signed zeros, empty, 0-d,
transposed (non-contiguous), integer, uint8 and bool dtypes, negative dims. For each case
``run_case(lib, F, case)`` returns what is compared: the output's values and dtype, the gradient of
every floating input (``out.backward(ones)``), or the class of the exception raised.

    record_conformance.py      runs it with torch and writes conformance_reference.json
    tests/library/test_conformance.py   replays it with minitorch (no torch needed)

Importing this module does not import torch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

NAN, INF = math.nan, math.inf

# name -> (values, dtype, transposed): `transposed` stores the values transposed, then .T (a non-contiguous view)
INPUTS: dict[str, tuple[Any, str, bool]] = {
    "vec": ([1.0, -2.0, 3.0, 0.5], "float32", False),
    "nan": ([1.0, NAN, 3.0, -1.0], "float32", False),
    "inf": ([INF, -1.0, -INF, 2.0], "float32", False),
    "ties": ([3.0, 1.0, 3.0, 2.0], "float32", False),
    "zeros": ([0.0, -0.0, 1.0, -1.0], "float32", False),
    "empty": ([], "float32", False),
    "scalar": (2.5, "float32", False),
    "mat": ([[1.0, -2.0, 3.0], [4.0, 0.5, -6.0]], "float32", False),
    "matT": ([[1.0, 4.0], [-2.0, 0.5], [3.0, -6.0]], "float32", True),
    "matnan": ([[1.0, NAN, 3.0], [4.0, 4.0, -6.0]], "float32", False),
    "empty2": (np.zeros((0, 3)).tolist(), "float32", False),
    "f64": ([1.5, -2.0, 0.25, 4.0], "float64", False),
    "int": ([1, -2, 3, 0], "int64", False),
    "int32": ([1, -2, 3, 0], "int32", False),
    "uint8": ([1, 2, 255, 0], "uint8", False),
    "bool": ([True, False, True, False], "bool", False),
}

UNARY = {
    "neg": "-x", "abs": "x.abs()", "exp": "x.exp()", "log": "x.log()", "sqrt": "x.sqrt()", "tanh": "x.tanh()",
    "sigmoid": "x.sigmoid()", "relu": "x.relu()", "square": "x * x", "pow2": "x ** 2", "pow0": "x ** 0",
    "pow_half": "x ** 0.5", "rpow": "2 ** x", "sum": "x.sum()", "mean": "x.mean()", "max": "x.max()",
    "min": "x.min()", "amax": "x.amax()", "amin": "x.amin()", "argmax": "x.argmax()", "argmin": "x.argmin()",
    "sum0": "x.sum(dim=0)", "sum_neg": "x.sum(dim=-1)", "sum_keep": "x.sum(dim=0, keepdim=True)",
    "sum1": "x.sum(dim=1)", "mean0": "x.mean(dim=0)", "mean_neg": "x.mean(-1)", "max0": "x.max(dim=0).values",
    "max0_idx": "x.max(dim=0).indices", "min_neg": "x.min(dim=-1).values", "min_neg_idx": "x.min(-1)[1]",
    "amax0": "x.amax(dim=0)", "amin_neg": "x.amin(dim=-1)", "argmax0": "x.argmax(dim=0)",
    "clamp_lo": "x.clamp(min=0)", "clamp_both": "x.clamp(-1, 1)", "clamp_float_bounds": "x.clamp(0.5, 1.5)",
    "clip_hi": "x.clip(max=2)", "float": "x.float()", "double": "x.double()", "long": "x.long()",
    "to_bool": "x.bool()", "softmax": "x.softmax(dim=-1)", "log_softmax": "x.log_softmax(-1)",
    "flatten": "x.flatten()", "reshape": "x.reshape(-1)", "view": "x.view(-1)", "t": "x.t()", "T": "x.T",
    "unsqueeze": "x.unsqueeze(0)", "unsqueeze_neg": "x.unsqueeze(-1)", "squeeze": "x.squeeze()",
    "transpose": "x.transpose(0, -1)", "getitem0": "x[0]", "getitem_neg": "x[-1]", "slice": "x[1:]",
    "fancy": "x[[0, 0]]", "mask": "x[x > 0]", "clone": "x.clone()", "detach_mul": "x.detach() * 2",
    "add_scalar": "x + 1", "add_float": "x + 1.5", "mul_bool": "x * True", "div_scalar": "x / 2",
    "rsub": "1 - x", "rdiv": "1 / x", "eq_self": "x == x", "lt0": "x < 0", "ge0": "x >= 0", "ne": "x != 1",
    "gt_float": "x > 0.5", "sum_sq_mean": "(x * x).mean()", "all": "x.all()", "any": "x.any()",
    "invert": "~x", "and_self": "x & x", "or_true": "x | x", "xor": "x ^ x",
    "lib_sum": "lib.sum(x)", "lib_mean": "lib.mean(x)", "lib_exp": "lib.exp(x)", "lib_abs": "lib.abs(x)",
    "lib_max": "lib.max(x)", "lib_argmax": "lib.argmax(x)", "lib_flatten": "lib.flatten(x)",
    "lib_clamp": "lib.clamp(x, min=0)", "lib_reshape": "lib.reshape(x, (-1,))",
    "lib_unsqueeze": "lib.unsqueeze(x, 0)", "lib_squeeze": "lib.squeeze(x)", "lib_softmax": "lib.softmax(x, -1)",
    "numel": "lib.tensor(x.numel())", "dim": "lib.tensor(x.dim())", "shape_list": "lib.tensor(list(x.shape))",
    "F_relu": "F.relu(x)", "F_softmax": "F.softmax(x, dim=-1)", "F_log_softmax": "F.log_softmax(x, dim=-1)",
    "F_sigmoid": "F.sigmoid(x)", "F_tanh": "F.tanh(x)",
}

BINARY = {
    "add": "x + y", "sub": "x - y", "mul": "x * y", "div": "x / y", "pow": "x ** y", "maximum": "lib.maximum(x, y)",
    "minimum": "lib.minimum(x, y)", "eq": "x == y", "lt": "x < y", "where": "lib.where(x > y, x, y)",
    "clamp_tensor": "x.clamp(min=y)", "add_method": "x.add(y)", "sub_method": "x.sub(y)", "mul_method": "x.mul(y)",
    "div_method": "x.div(y)", "pow_method": "x.pow(y)", "cat": "lib.cat([x, y])", "stack": "lib.stack([x, y])",
    "matmul": "x @ y", "equal": "lib.tensor(lib.equal(x, y))",
}
PAIRS = [("vec", "ties"), ("nan", "vec"), ("inf", "zeros"), ("zeros", "zeros"), ("vec", "scalar"),
         ("int", "int"), ("int", "vec"), ("int", "scalar"), ("bool", "bool"), ("bool", "int"), ("uint8", "int"),
         ("mat", "vec"), ("mat", "matT"), ("f64", "vec"), ("empty", "empty"), ("int32", "int")]

INPLACE = {
    "add_": "x.add_(y)", "sub_": "x.sub_(y)", "mul_": "x.mul_(y)", "div_": "x.div_(y)", "iadd": "x.__iadd__(y)",
    "copy_": "x.copy_(y)", "clamp_": "x.clamp_(min=0)", "fill_": "x.fill_(2)", "zero_": "x.zero_()",
}
INPLACE_PAIRS = [("vec", "ties"), ("int", "vec"), ("int", "int"), ("vec", "mat"), ("bool", "int")]


def cases() -> list[tuple[str, str, tuple[str, ...], bool]]:
    """Every (case id, expression, input names, in place?) of the sweep."""
    out = []
    for op, expr in UNARY.items():
        for name in INPUTS:
            out.append((f"{op}[{name}]", expr, (name,), False))
    for op, expr in BINARY.items():
        for a, b in PAIRS:
            out.append((f"{op}[{a},{b}]", expr, (a, b), False))
    for op, expr in INPLACE.items():
        for a, b in INPLACE_PAIRS:
            out.append((f"{op}[{a},{b}]", expr, (a, b), True))
    return out


def make_input(lib: Any, name: str, requires_grad: bool) -> Any:
    values, dtype, transposed = INPUTS[name]
    array = np.array(values, dtype=dtype)
    if transposed:
        array = np.ascontiguousarray(array.T)
    t = lib.tensor(array.tolist() if array.ndim else array.item(), dtype=getattr(lib, dtype))
    if array.size == 0:
        t = lib.zeros(array.shape, dtype=getattr(lib, dtype))
    if transposed:
        t = t.T
        if requires_grad:  # a non-leaf view of a leaf: keep the leaf to read its gradient
            leaf = t.T.detach().requires_grad_()
            return leaf, leaf.T
    if requires_grad:
        t.requires_grad_()
    return t, t


def run_case(lib: Any, F: Any, expr: str, names: tuple[str, ...], inplace: bool = False) -> dict[str, Any]:
    """Evaluate one case; what is compared: values, dtype and gradients, or the exception class."""
    floating = [INPUTS[n][1].startswith("float") for n in names]
    grad = not inplace and not expr.startswith("lib.tensor(")
    try:
        pairs = [make_input(lib, n, grad and f) for n, f in zip(names, floating)]
        leaves, xs = [p[0] for p in pairs], [p[1] for p in pairs]
        env = {"lib": lib, "F": F, "x": xs[0], "y": xs[1] if len(xs) > 1 else None}
        out = eval(expr, env)  # noqa: S307 (our own expressions)
        result: dict[str, Any] = {"value": _plain(out), "dtype": str(out.dtype).replace("torch.", ""),
                                  "shape": list(out.shape)}
        if grad and out.requires_grad:
            out.backward(lib.ones_like(out))
            result["grads"] = [None if leaf.grad is None else _plain(leaf.grad) for leaf in leaves]
        if inplace:
            result["x_after"] = _plain(xs[0])
        return result
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return {"error": type(e).__name__, "message": str(e)[:200]}


def _plain(t: Any) -> Any:
    """A tensor's values as nested lists of Python numbers (NaN and inf kept)."""
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t).tolist()
