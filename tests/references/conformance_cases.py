"""The conformance sweep: one case per (op, input) over minitorch's public tensor ops, each written
once as an expression that runs on ``torch`` and on ``minitorch`` alike.

Inputs cover the edge cases where libraries differ: NaN, ±inf, ties, signed zeros, empty, 0-d,
transposed (non-contiguous), integer, uint8 and bool dtypes, negative dims. For each case
``run_case(lib, F, case)`` returns what is compared: the output's values and dtype, the gradient of
every floating input (``out.backward(ones)``), or the class of the exception raised.

    record_conformance.py      runs it with torch and writes conformance_reference.json.gz
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
    "cube": (np.arange(24.0).reshape(2, 3, 4).tolist(), "float32", False),
    "ties2": ([[2.0, 2.0, 1.0], [-1.0, 5.0, 5.0]], "float32", False),
    "big": ([1e4, -1e4, 88.0, -104.0], "float32", False),
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
    "sum_dims": "x.sum(dim=(0, -1))", "mean_dims_keep": "x.mean((0, 1), keepdim=True)", "sum_dim2": "x.sum(2)",
    "amax_dims": "x.amax(dim=(0, 1))", "max_keep": "x.max(dim=-1, keepdim=True).values",
    "argmin_keep": "x.argmin(dim=0, keepdim=True)", "permute": "x.permute(2, 0, 1)",
    "permute_neg": "x.permute(-1, 0, 1)", "flatten1": "x.flatten(1)", "unflat": "x.reshape(-1, 2)",
    "view_neg": "x.view(2, -1)", "mT": "x.mT", "squeeze0": "x.squeeze(0)", "squeeze_tuple": "x.squeeze((0, 1))",
    "expand": "x.expand(2, *x.shape)", "getitem_ellipsis": "x[..., 0]", "getitem_none": "x[None]",
    "getitem_step": "x[::2]", "getitem_tensor": "x[lib.tensor([1, 0])]", "getitem_neg_list": "x[[-1]]",
    "getitem_2d": "x[0, 1]", "getitem_mask_all": "x[x == x]", "contiguous": "x.contiguous()",
    "T_contig": "x.T.contiguous()", "reshape_T": "x.T.reshape(-1)", "cat_self": "lib.cat([x, x], dim=-1)",
    "stack_self": "lib.stack([x, x], dim=-1)", "where_scalar": "lib.where(x > 0, x, 0.0)",
    "where_int": "lib.where(x > 0, 1, 0)", "exp_log": "x.exp().log()", "sigmoid_log": "x.sigmoid().log()",
    "softmax0": "x.softmax(0)", "log_softmax0": "F.log_softmax(x, dim=0)", "relu_neg": "(-x).relu()",
    "sq_sum": "(x ** 2).sum()", "div_self": "x / x", "pow_self": "x ** x", "rpow_float": "2.5 ** x",
    "abs_sum": "x.abs().sum()", "clamp_max_only": "x.clamp(max=0.0)", "clamp_inverted": "x.clamp(2.0, 1.0)",
    "maximum_scalar": "lib.maximum(x, lib.tensor(0.5))", "minimum_self": "lib.minimum(x, x)",
    "max_other": "x.max(x * 2)", "float_div_int": "x / 3", "floor_div": "x.div(2, rounding_mode='floor')",
    "trunc_div": "lib.div(x, -2, rounding_mode='trunc')", "tolist": "lib.tensor(x.tolist())",
    "eq_nan": "x.eq(x)", "ne_nan": "x.ne(x)", "lt_method": "x.lt(1)", "ge_method": "x.ge(1)",
    "logical_not": "x.logical_not()", "sum_f64": "x.sum(dtype=lib.float64)", "to_int32": "x.to(lib.int32)",
    "to_f64": "x.to(dtype=lib.float64)", "type_as": "x.type_as(lib.tensor([1.5]))", "square": "x.square()",
    "lib_square": "lib.square(x)", "neg_method": "x.neg()", "matmul_T": "x @ x.T", "mm_self": "x.mm(x.t())",
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


# whole expressions: factories, errors, losses, in-place and autograd rules
EXPRESSIONS = {
    "arange_float": "lib.arange(0, 1, 0.25)", "arange_int": "lib.arange(5)", "arange_neg": "lib.arange(5, 0, -2)",
    "linspace": "lib.linspace(0, 1, 5)", "zeros_int": "lib.zeros(2, 3, dtype=lib.long)",
    "full_int": "lib.full((2,), 7)", "full_float": "lib.full((2,), 7.0)", "full_bool": "lib.full((2,), True)",
    "eye_rect": "lib.eye(2, 3)", "ones_like_int": "lib.ones_like(lib.tensor([1, 2]))",
    "zeros_like_f64": "lib.zeros_like(lib.ones(2, dtype=lib.float64))", "tensor_bool": "lib.tensor([True, False])",
    "tensor_mixed": "lib.tensor([1, 2.5])", "tensor_int_f64": "lib.tensor([1, 2], dtype=lib.float64)",
    "tensor_nested_empty": "lib.tensor([[], []])", "tensor_scalar_int": "lib.tensor(3)",
    "tensor_ragged": "lib.tensor([[1, 2], [3]])", "tensor_str": "lib.tensor('a')", "zeros_neg": "lib.zeros(-1)",
    "arange_step0": "lib.arange(0, 3, 0)", "randint_bad": "lib.randint(5, 3, (2,))", "cat_empty_list": "lib.cat([])",
    "cat_0d": "lib.cat([lib.tensor(1.0), lib.tensor(2.0)])", "cat_mismatch": "lib.cat([lib.ones(2, 3), lib.ones(2, 4)])",
    "cat_dim1": "lib.cat([lib.ones(2, 3), lib.zeros(2, 1)], dim=1)", "cat_int_float": "lib.cat([lib.ones(2), lib.tensor([1, 2])])",
    "stack_mismatch": "lib.stack([lib.ones(2), lib.ones(3)])", "stack_neg": "lib.stack([lib.ones(2), lib.zeros(2)], dim=-1)",
    "where_nonbool": "lib.where(lib.ones(2), 1.0, 0.0)",
    "where_bcast": "lib.where(lib.tensor([True, False]), lib.ones(3, 1), lib.zeros(2))",
    "matmul_inner": "lib.ones(3, 4) @ lib.ones(5, 6)", "matmul_batch": "lib.ones(2, 3, 4) @ lib.ones(5, 4, 6)",
    "matmul_0d": "lib.ones(3) @ lib.tensor(2.0)", "matmul_vec": "lib.arange(3.0) @ lib.arange(3.0)",
    "matmul_bcast": "(lib.ones(2, 1, 3, 4) @ lib.ones(5, 4, 2)).sum((0, 1))", "add_bcast_err": "lib.ones(3, 4) + lib.ones(5)",
    "add_str": "lib.ones(3) + 'a'", "reshape_err": "lib.ones(2, 3).reshape(4, -1)", "reshape_two_neg": "lib.ones(6).reshape(-1, -1)",
    "sum_dim_err": "lib.ones(2, 3).sum(dim=2)", "sum_0d_dim0": "lib.tensor(1.0).sum(dim=0)",
    "sum_0d_dim1": "lib.tensor(1.0).sum(dim=1)", "sum_0d_neg": "lib.tensor(2.0).sum(-1)", "mean_0d_dim": "lib.tensor(2.0).mean(0)",
    "max_0d_dim": "lib.tensor(2.0).max(0).values", "argmax_0d": "lib.tensor(2.0).argmax()",
    "sum_dup": "lib.ones(2, 3).sum(dim=(0, 0))", "sum_float_dim": "lib.ones(2, 3).sum(dim=1.0)",
    "permute_dup": "lib.ones(2, 3).permute(0, 0)", "permute_len": "lib.ones(2, 3).permute(0)", "getitem_oob": "lib.ones(3)[5]",
    "getitem_too_many": "lib.ones(3)[0, 0]", "item_many": "lib.ones(3).item()", "bool_many": "lib.tensor(bool(lib.ones(3)))",
    "clip_none": "lib.ones(3).clip()", "expand_err": "lib.ones(3, 1).expand(3, 4, 2)", "expand_fewer": "lib.ones(3, 1).expand(3)",
    "expand_neg1": "lib.ones(3, 1).expand(-1, 4)", "mean_int": "lib.arange(3).mean()",
    "softmax_0d": "F.softmax(lib.tensor(1.0), dim=0)", "log_softmax_0d_bad": "F.log_softmax(lib.tensor(1.0), dim=1)",
    "linear_err": "F.linear(lib.ones(2, 3), lib.ones(4, 5))", "flatten_err": "lib.ones(2, 3).flatten(1, 0)",
    "mT_err": "lib.ones(3).mT", "view_T_err": "lib.ones(2, 3).t().view(-1)", "t_3d": "lib.ones(2, 3, 4).t()",
    "unsqueeze_err": "lib.ones(2).unsqueeze(3)", "squeeze_err": "lib.ones(2).squeeze(3)",
    "size_err": "lib.tensor(lib.ones(2).size(3))", "size_neg": "lib.tensor(lib.ones(2, 5).size(-1))",
    "requires_grad_int": "lib.ones(3, dtype=lib.long).requires_grad_()",
    "backward_nonscalar": "lib.ones(3, requires_grad=True).mul(2).backward()", "backward_nograd": "lib.ones(3).sum().backward()",
    "len_0d": "lib.tensor(len(lib.tensor(1.0)))", "len_2d": "lib.tensor(len(lib.ones(4, 2)))",
    "pow_int_neg_scalar": "lib.tensor([2]) ** -1", "pow_int_float": "lib.tensor([2, 3]) ** 0.5", "pow_int_int": "lib.tensor([2, 3]) ** 2",
    "rpow_int": "2 ** lib.tensor([1, 2])", "int_div": "lib.tensor([3, 4]) / 2", "int_mul_float": "lib.tensor([3, 4]) * 1.5",
    "int32_add_int64": "lib.tensor([1], dtype=lib.int32) + lib.tensor([1])",
    "int32_add_0d_int64": "lib.tensor([1], dtype=lib.int32) + lib.tensor(1)",
    "f32_add_0d_f64": "lib.ones(2) + lib.tensor(1.0, dtype=lib.float64)", "f32_add_f64": "lib.ones(2) + lib.ones(2, dtype=lib.float64)",
    "uint8_add_int8": "lib.tensor([1], dtype=lib.uint8) + lib.tensor([1], dtype=lib.int8)",
    "bool_add_bool": "lib.tensor([True]) + lib.tensor([True])", "bool_mul_float": "lib.tensor([True, False]) * 2.5",
    "uint8_sum": "lib.tensor([200, 100], dtype=lib.uint8).sum()", "bool_sum": "lib.tensor([True, True]).sum()",
    "int32_sum": "lib.tensor([1, 2], dtype=lib.int32).sum()", "int_clamp_float": "lib.tensor([1, 5]).clamp(0.5, 2.5)",
    "int_clamp_int": "lib.tensor([1, 5]).clamp(2, 3)",
    "clamp_tensor_both": "lib.arange(4.0).clamp(lib.tensor([1.0, 0, 0, 0]), lib.tensor(2.0))",
    "maximum_nan": "lib.maximum(lib.tensor([math.nan, 1.0]), lib.tensor([1.0, math.nan]))",
    "max_nan": "lib.tensor([1.0, math.nan, 3.0]).max()", "min_inf": "lib.tensor([math.inf, -math.inf]).min()",
    "nll_all_ignored": "F.nll_loss(lib.zeros(2, 3), lib.tensor([-100, -100]))",
    "ce_all_ignored": "F.cross_entropy(lib.zeros(2, 3), lib.tensor([-100, -100]))",
    "ce_some_ignored": "F.cross_entropy(lib.arange(6.0).reshape(2, 3), lib.tensor([1, -100]))",
    "ce_weight": "F.cross_entropy(lib.arange(6.0).reshape(2, 3), lib.tensor([1, 2]), weight=lib.tensor([1.0, 2.0, 3.0]))",
    "ce_smooth": "F.cross_entropy(lib.arange(6.0).reshape(2, 3), lib.tensor([1, 2]), label_smoothing=0.2)",
    "ce_probs": "F.cross_entropy(lib.arange(6.0).reshape(2, 3), lib.tensor([[0.2, 0.3, 0.5], [1.0, 0, 0]]))",
    "ce_class_oob": "F.cross_entropy(lib.ones(4, 10), lib.tensor([1, 2, 12, 3]))",
    "ce_batch_mismatch": "F.cross_entropy(lib.ones(4, 10), lib.tensor([1, 2]))",
    "ce_reduction_bad": "F.cross_entropy(lib.ones(2, 3), lib.tensor([1, 2]), reduction='avg')",
    "ce_none": "F.cross_entropy(lib.arange(6.0).reshape(2, 3), lib.tensor([1, 2]), reduction='none')",
    "ce_3d": "F.cross_entropy(lib.arange(12.0).reshape(2, 3, 2), lib.tensor([[0, 1], [2, 0]]))",
    "nll_float_target": "F.nll_loss(lib.ones(4, 10), lib.ones(4))",
    "mse_sum": "F.mse_loss(lib.arange(3.0), lib.zeros(3), reduction='sum')",
    "mse_module_positional": "lib.nn.MSELoss('sum')(lib.arange(3.0), lib.zeros(3))",
    "l1_none": "F.l1_loss(lib.arange(3.0), lib.ones(3), reduction='none')",
    "huber": "F.huber_loss(lib.tensor([0.5, 3.0]), lib.zeros(2), delta=1.5)",
    "smooth_l1": "F.smooth_l1_loss(lib.tensor([0.5, 3.0]), lib.zeros(2), beta=2.0)",
    "bce": "F.binary_cross_entropy(lib.tensor([0.2, 0.9, 0.0]), lib.tensor([0.0, 1.0, 1.0]))",
    "bce_range": "F.binary_cross_entropy(lib.tensor([2.0]), lib.tensor([1.0]))",
    "bce_logits_posw": "F.binary_cross_entropy_with_logits(lib.tensor([[0.5, -1.0]]), lib.tensor([[1.0, 0.0]]), "
                       "pos_weight=lib.tensor([2.0, 3.0]))",
    "bce_logits_big": "F.binary_cross_entropy_with_logits(lib.tensor([1e4, -1e4]), lib.tensor([0.0, 1.0]))",
    "multi_margin": "F.multi_margin_loss(lib.tensor([[0.1, 0.2, 0.4, 0.8]]), lib.tensor([3]))",
    "softmax_big": "F.softmax(lib.tensor([1e4, 0.0, -1e4]), dim=0)", "log_softmax_big": "F.log_softmax(lib.tensor([1e4, 0.0]), dim=0)",
    "inplace_leaf": "lib.ones(3, requires_grad=True).add_(1)", "inplace_int_float": "lib.ones(3, dtype=lib.long).add_(1.5)",
    "inplace_bcast": "lib.ones(3).add_(lib.ones(2, 3))", "inplace_expand": "lib.ones(1).expand(3).add_(1)",
    "iadd_value": "(lambda t: (t.__iadd__(2), t)[1])(lib.ones(2))",
    "setitem": "(lambda t: (t.__setitem__(1, 5), t)[1])(lib.zeros(3))",
    "setitem_slice_bcast": "(lambda t: (t.__setitem__((slice(None), 0), lib.tensor([7.0, 8.0])), t)[1])(lib.zeros(2, 3))",
    "setitem_mask": "(lambda t: (t.__setitem__(t > 1, 0), t)[1])(lib.arange(4.0))",
    "view_write": "(lambda t: (t.view(2, 2).__setitem__((0, 1), 9), t)[1])(lib.zeros(4))",
    "version_error": "(lambda x: (lambda y: (y.add_(1), y.sum().backward()))(x.exp()))(lib.ones(2, requires_grad=True))",
    "retain_grad_const": "lib.ones(3).retain_grad()", "hook_const": "lib.ones(3).register_hook(lambda g: g)",
    "detach_shares": "(lambda t: (t.detach().zero_(), t)[1])(lib.ones(2))",
    "clone_indep": "(lambda t: (t.clone().zero_(), t)[1])(lib.ones(2))",
    "random_range": "lib.tensor(lib.zeros(100).random_(3).max().item() <= 2)",
    "equal_nan": "lib.tensor(lib.equal(lib.tensor([math.nan]), lib.tensor([math.nan])))",
    "equal_shape": "lib.tensor(lib.equal(lib.ones(2), lib.ones(1, 2)))",
    "all_dim": "lib.tensor([[True, False], [True, True]]).all(dim=1)", "any_empty": "lib.zeros(0, dtype=lib.bool).any()",
    "all_empty": "lib.zeros(0, dtype=lib.bool).all()", "mean_empty": "lib.zeros(0).mean()", "sum_empty": "lib.zeros(0, 3).sum(0)",
    "max_empty_dim": "lib.zeros(0, 3).max(dim=0)", "max_empty_other_dim": "lib.zeros(0, 3).max(dim=1).values",
    "argmax_empty": "lib.zeros(0).argmax()", "amax_empty_dim1": "lib.zeros(0, 3).amax(dim=1)",
}


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
    for name, expr in EXPRESSIONS.items():
        out.append((name, expr, (), False))
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
        env = {"lib": lib, "F": F, "math": math, "x": xs[0] if xs else None, "y": xs[1] if len(xs) > 1 else None}
        out = eval(expr, env)  # noqa: S307 (our own expressions)
        if isinstance(out, tuple) and hasattr(out, "values"):  # max(dim) -> (values, indices)
            out = out.values
        if not hasattr(out, "dtype"):
            return {"value": type(out).__name__}
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
