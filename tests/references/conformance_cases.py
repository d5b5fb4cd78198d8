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

# elementwise math, reductions, sorting, products, indexing and small methods (pointwise.py, reductions.py,
# sorting.py, linalg.py, indexing.py, methods.py). ramp(t) = 1, 2, 3, ... in t's shape: a gradient seed
# that tells apart where each element went (sort, flip, gather ...), where ones would not.
UNARY.update({
    "sin": "x.sin()", "cos": "lib.cos(x)", "tan": "x.tan()", "asin": "x.asin()", "acos": "lib.acos(x)",
    "atan": "x.atan()", "sinh": "x.sinh()", "cosh": "lib.cosh(x)", "sign": "x.sign()", "lib_sign": "lib.sign(x)",
    "round": "x.round()", "round_dec": "x.round(decimals=1)", "floor": "x.floor()", "ceil": "lib.ceil(x)",
    "trunc": "x.trunc()", "frac": "x.frac()", "reciprocal": "x.reciprocal()", "rsqrt": "lib.rsqrt(x)",
    "log1p": "x.log1p()", "expm1": "lib.expm1(x)", "log2": "x.log2()", "log10": "lib.log10(x)",
    "isnan": "x.isnan()", "isinf": "lib.isinf(x)", "isfinite": "x.isfinite()", "isposinf": "lib.isposinf(x)",
    "nan_to_num": "x.nan_to_num()", "nan_to_num_args": "lib.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-2.0)",
    "fmod_s": "lib.fmod(x, 1.5)", "fmod_int": "x.fmod(2)", "remainder_s": "x.remainder(-1.5)", "mod": "x % 2",
    "lerp_s": "x.lerp(x * 2, 0.25)", "logaddexp_s": "lib.logaddexp(x, x * 0.5)", "atan2_s": "lib.atan2(x, x + 1)",
    "isclose_self": "lib.isclose(x, x)", "isclose_nan": "x.isclose(x, equal_nan=True)",
    "allclose": "lib.tensor(lib.allclose(x, x + 1e-9))", "lib_gt": "lib.gt(x, 0)", "lib_le": "lib.le(x, 1)",
    "logical_and": "lib.logical_and(x, x > 0)", "logical_xor": "lib.logical_xor(x, x > 0)",
    "prod": "x.prod()", "prod0": "x.prod(0)", "prod_keep": "lib.prod(x, -1, keepdim=True)",
    "prod_w": "(x * ramp(x)).prod()", "var": "x.var()", "var0": "x.var(0)", "var_pop": "x.var(correction=0)",
    "var_unb": "x.var(-1, False)", "var_keep": "lib.var(x, dim=-1, keepdim=True)", "std": "x.std()",
    "std0": "lib.std(x, dim=0)", "std_unb": "x.std(unbiased=False)", "std_corr2": "x.std(correction=2)",
    "logsumexp0": "x.logsumexp(0)", "logsumexp_neg": "lib.logsumexp(x, dim=-1)",
    "logsumexp_keep": "x.logsumexp(-1, keepdim=True)", "cumsum": "x.cumsum(0) * ramp(x)",
    "cumsum_neg": "lib.cumsum(x, dim=-1) * ramp(x)", "cumprod": "x.cumprod(0) * ramp(x)",
    "cumprod_neg": "lib.cumprod(x, -1)", "norm": "x.norm()", "norm1": "x.norm(p=1)", "norm_inf": "x.norm(p=math.inf)",
    "norm3": "x.norm(3)", "norm0": "x.norm(dim=0)", "norm_keep": "lib.norm(x, 2, dim=-1, keepdim=True)",
    "median": "x.median()", "median0": "x.median(0).values", "median_keep": "x.median(-1, keepdim=True).values",
    "nansum": "x.nansum()", "nanmean": "x.nanmean()", "nansum0": "lib.nansum(x, 0)", "count_nonzero": "x.count_nonzero()",
    "count_nonzero0": "lib.count_nonzero(x, 0)", "dist": "lib.dist(x, x * 0.5)",
    "sort": "x.sort().values * ramp(x)", "sort_idx": "x.sort(stable=True).indices",
    "sort_desc": "x.sort(descending=True).values * ramp(x)", "sort_desc_idx": "lib.sort(x, descending=True, stable=True)[1]",
    "sort0": "x.sort(0).values * ramp(x)", "argsort": "x.argsort(stable=True)", "msort": "x.msort()",
    "topk1": "x.topk(1).values", "topk1_idx": "x.topk(1)[1]", "topk_small": "x.topk(1, largest=False).values",
    "topk0": "lib.topk(x, 1, dim=0).values", "kthvalue": "x.kthvalue(1).values",
    "outer": "lib.outer(x, x)", "dot": "lib.dot(x, x)", "diag": "x.diag() * ramp(x.diag())", "diag1": "x.diag(1)",
    "diag_neg": "lib.diag(x, -1)", "diagonal": "x.diagonal()", "diagonal_neg": "x.diagonal(0, -1, -2)",
    "trace": "x.trace()", "kron": "lib.kron(x, x)", "einsum_T": "lib.einsum('ij->ji', x)",
    "einsum_mm": "lib.einsum('ij,kj->ik', x, x)", "einsum_sum": "lib.einsum('...->', x)",
    "einsum_ell": "lib.einsum('...i,...i->...', x, x)", "einsum_implicit": "lib.einsum('ij', x)",
    "bmm": "lib.bmm(x, x.transpose(1, 2))", "tensordot1": "lib.tensordot(x, x, dims=0)",
    "flip": "x.flip(0) * ramp(x)", "flip_neg": "lib.flip(x, (-1,)) * ramp(x)", "roll": "x.roll(1) * ramp(x)",
    "roll0": "x.roll(-1, 0) * ramp(x)", "repeat": "x.repeat(2, *([1] * x.dim()))", "repeat_all": "x.repeat(*([2] * x.dim()))",
    "tile": "x.tile((2,))", "repeat_interleave": "x.repeat_interleave(2)", "ri0": "x.repeat_interleave(2, dim=0)",
    "narrow": "x.narrow(0, 1, 1)", "narrow_neg": "x.narrow(-1, 0, 2)", "split": "lib.cat(x.split(1)[::-1])",
    "split_len": "lib.tensor(len(x.split(3)))", "split_sizes": "lib.cat(x.split([1, x.shape[0] - 1])[::-1])",
    "chunk": "lib.cat(x.chunk(3)[::-1])", "chunk_len": "lib.tensor(len(lib.chunk(x, 3)))",
    "unbind": "lib.stack(x.unbind(0)[::-1])", "unbind_neg": "lib.stack(lib.unbind(x, -1))",
    "index_select": "x.index_select(0, lib.tensor([0, 0])) * 2", "index_select_neg": "lib.index_select(x, -1, lib.tensor([1]))",
    "gather": "x.gather(0, lib.zeros_like(x, dtype=lib.long))", "gather_neg": "lib.gather(x, -1, x.argsort(-1)) * ramp(x)",
    "scatter": "x.scatter(0, lib.zeros_like(x, dtype=lib.long)[:1], x[:1] * 2)", "scatter_value": "x.scatter(0, lib.tensor([1]), 7)",
    "scatter_add": "x.scatter_add(0, lib.zeros_like(x, dtype=lib.long), x)", "take": "x.take(lib.tensor([0, -1]))",
    "movedim": "x.movedim(0, -1)", "moveaxis": "lib.moveaxis(x, -1, 0)", "unfold": "x.unfold(0, 1, 1)",
    "unfold2": "x.unfold(-1, 2, 1)", "masked_select": "x.masked_select(x > 0)", "nonzero": "x.nonzero()",
    "nonzero_tuple": "lib.stack(x.nonzero(as_tuple=True))", "diff": "lib.diff(x)", "diff0": "x.diff(dim=0)",
    "diff2": "lib.diff(x, n=2)", "broadcast_to": "x.broadcast_to((2,) + tuple(x.shape))", "hstack": "lib.hstack([x, x])",
    "vstack": "lib.vstack([x, x])", "atleast_2d": "lib.atleast_2d(x)", "new_zeros": "x.new_zeros(2)",
    "new_ones": "x.new_ones((2, 1))", "new_full": "x.new_full((2,), 3)", "new_tensor": "x.new_tensor([1, 2])",
    "stride": "lib.tensor(x.stride())", "nelement": "lib.tensor(x.nelement())", "ndimension": "lib.tensor(x.ndimension())",
    "type_str": "lib.tensor(x.type() == 'torch.FloatTensor')", "type_conv": "x.type(lib.float64)",
    "where_method": "x.where(x > 0, 0.0)", "addcmul": "x.addcmul(x, x, value=0.5)", "addcdiv": "x.addcdiv(x, x + 10, value=2)",
    "H": "x.H", "mH": "x.mH", "exp2": "x.exp2()", "logit": "x.logit()", "logit_eps": "lib.logit(x, eps=0.1)",
    "xlogy": "lib.xlogy(x, x)", "sinc": "x.sinc()", "deg2rad": "x.deg2rad()", "float_power": "x.float_power(2)",
    "copysign": "lib.copysign(x, -1.0)", "clamp_min": "x.clamp_min(0.5)", "floor_divide": "x // 2",
    "ravel": "x.ravel()", "unflatten": "x.unflatten(0, (1, -1))", "sum_to_size": "x.sum_to_size(1)",
    "cummax": "x.cummax(0).values * ramp(x)", "cummax_idx": "x.cummax(0).indices", "cummin": "lib.cummin(x, -1).values",
    "cummin_idx": "x.cummin(-1)[1]", "aminmax": "lib.stack(list(x.aminmax()))", "inner": "lib.inner(x, x)",
    "index_fill": "x.index_fill(0, lib.tensor([0]), -1)", "index_add": "x.index_add(0, lib.tensor([0, 0]), x[:2] * 2)",
    "index_copy": "x.index_copy(0, lib.tensor([1, 0]), x[:2] * 3)", "masked_scatter": "x.masked_scatter(x > 0, x * 10)",
    "nanmedian": "x.nanmedian()", "nanmedian0": "lib.nanmedian(x, 0).values", "histc": "x.histc(4)",
    "histc_range": "lib.histc(x, bins=3, min=-1, max=3)", "bincount": "x.bincount()", "rot90": "x.rot90() * ramp(x.rot90())",
    "rot90_neg": "lib.rot90(x, -1, (0, -1))", "heaviside": "lib.heaviside(x, x * 0 + 0.5).detach()",
    "searchsorted": "lib.searchsorted(x.sort().values, x)", "bucketize": "lib.bucketize(x, lib.tensor([0.0, 1.0]), right=True)",
    "block_diag": "lib.block_diag(x, x)",
})
BINARY.update({
    "atan2": "lib.atan2(x, y)", "fmod": "lib.fmod(x, y)", "remainder": "x.remainder(y)", "mod": "x % y",
    "logaddexp": "lib.logaddexp(x, y)", "lerp": "x.lerp(y, 0.3)", "hypot": "lib.hypot(x, y)", "isclose": "lib.isclose(x, y)",
    "ge_fn": "lib.ge(x, y)", "ne_fn": "lib.ne(x, y)", "logical_or": "lib.logical_or(x, y)", "dot": "lib.dot(x, y)",
    "outer": "lib.outer(x, y)", "kron": "lib.kron(x, y)", "einsum_dot": "lib.einsum('i,i->', x, y)",
    "broadcast_tensors": "lib.broadcast_tensors(x, y)[1]", "hstack": "lib.hstack([x, y])", "vstack": "lib.vstack([x, y])",
    "dist": "lib.dist(x, y)", "addcmul": "x.addcmul(y, y)", "where_method": "x.where(x > y, y)",
    "tensordot": "lib.tensordot(x, y, 1)",
})
# on chosen inputs only (their ids name the inputs): products, scatter, errors with gradients
TARGETED_INPUTS: dict[str, tuple[Any, str, bool]] = {
    "sq": ([[2.0, -1.0, 0.5], [1.0, 3.0, -2.0], [0.0, 1.5, 1.0]], "float32", False),
    "v3": ([1.0, -2.0, 0.5], "float32", False),
    "w3": ([0.5, 4.0, -1.0], "float32", False),
    "zeros3": ([0.0, 0.0, 0.0], "float32", False),
    "withzero": ([2.0, 0.0, 3.0, -1.0], "float32", False),
    "twozeros": ([0.0, 2.0, 0.0, 3.0], "float32", False),
    "idx": ([2, 0, 1], "int64", False),
}
TARGETED = [
    ("addmm", "lib.addmm(x, y, y, beta=0.5, alpha=2)", ("v3", "sq")),
    ("addmm_beta0", "lib.addmm(x, y, y, beta=0)", ("nan", "sq")),
    ("baddbmm", "lib.baddbmm(x, y.reshape(1, 3, 3), y.reshape(1, 3, 3))", ("v3", "sq")),
    ("mv", "lib.mv(y, x)", ("v3", "sq")), ("mv_T", "y.T.mv(x)", ("v3", "sq")), ("mm", "lib.mm(x, x)", ("sq",)),
    ("cross", "lib.cross(x, y, dim=0)", ("v3", "w3")), ("cross_bcast", "lib.cross(x, y, dim=-1)", ("sq", "w3")),
    ("cross_2d", "lib.cross(x, y.expand(3, 3), dim=1)", ("sq", "w3")),
    ("einsum_bilinear", "lib.einsum('i,ij,j->', x, y, x)", ("v3", "sq")),
    ("einsum_diag", "lib.einsum('ii->i', x) * ramp(x[0])", ("sq",)), ("einsum_trace", "lib.einsum('ii', x)", ("sq",)),
    ("einsum_batch", "lib.einsum('bij,bjk->bik', x, x.transpose(1, 2))", ("cube",)),
    ("tensordot_pairs", "lib.tensordot(x, y, dims=([0], [0]))", ("sq", "sq")),
    ("trace_sq", "x.trace()", ("sq",)), ("diag_embed", "x.diag(1) * ramp(x.diag(1))", ("v3",)),
    ("prod_zero", "x.prod() * 1", ("withzero",)), ("prod_two_zeros", "x.prod()", ("twozeros",)),
    ("cumprod_zero", "x.cumprod(0) * ramp(x)", ("withzero",)), ("cumprod_two_zeros", "x.cumprod(0) * ramp(x)", ("twozeros",)),
    ("norm_zero", "x.norm()", ("zeros3",)), ("norm3_zero", "x.norm(3)", ("zeros3",)), ("std_const", "x.std()", ("zeros3",)),
    ("cdist", "lib.cdist(x, y)", ("sq", "mat")), ("cdist_self", "lib.cdist(x, x)", ("sq",)),
    ("cdist_p1", "lib.cdist(x, y, p=1)", ("sq", "mat")),
    ("gather_idx", "x.gather(0, y.reshape(3, 1).expand(3, 3)) * ramp(x)", ("sq", "idx")),
    ("scatter_idx", "x.scatter(0, y.reshape(3, 1).expand(3, 2), x[:, :2] * 3) * ramp(x)", ("sq", "idx")),
    ("scatter_add_idx", "x.scatter_add(1, y.reshape(1, 3), x[:1] * 3) * ramp(x)", ("sq", "idx")),
    ("index_select_idx", "x.index_select(1, y) * ramp(x)", ("sq", "idx")), ("take_idx", "x.take(y)", ("sq", "idx")),
    ("topk2", "x.topk(2).values * ramp(x.topk(2).values)", ("sq",)), ("topk2_idx", "x.topk(2, dim=0).indices", ("sq",)),
    ("sort_rows", "x.sort(dim=1, descending=True).values * ramp(x)", ("sq",)),
    ("median_rows_idx", "x.median(dim=1).indices", ("sq",)), ("kthvalue2", "x.kthvalue(2, 0).values", ("sq",)),
    ("unfold_step", "x.unfold(1, 2, 1) * ramp(x.unfold(1, 2, 1))", ("sq",)),
    ("repeat_w", "x.repeat(2, 1) * ramp(x.repeat(2, 1))", ("sq",)), ("tile_w", "x.tile(2) * ramp(x.tile(2))", ("v3",)),
    ("ri_tensor", "x.repeat_interleave(lib.tensor([1, 0, 2]), dim=0) * 2", ("sq",)),
    ("meshgrid", "lib.stack(lib.meshgrid(x, y, indexing='ij'))", ("v3", "w3")),
    ("meshgrid_xy", "lib.stack(lib.meshgrid(x, y, indexing='xy'))", ("v3", "vec")),
    ("logsumexp_dims", "x.logsumexp((0, 1))", ("sq",)), ("var_dims", "x.var((0, 1))", ("cube",)),
    ("std_dims_keep", "x.std((0, -1), keepdim=True)", ("cube",)), ("norm_dims", "x.norm(dim=(1, 2))", ("cube",)),
    ("inverse", "x.inverse() * ramp(x)", ("sq",)), ("det", "lib.det(x)", ("sq",)), ("det_singular", "lib.det(x)", ("ties2",)),
    ("det_rank1", "lib.det(y.reshape(3, 1) * y)", ("sq", "v3")), ("matrix_power3", "x.matrix_power(3) * ramp(x)", ("sq",)),
    ("matrix_power_neg", "lib.matrix_power(x, -1)", ("sq",)), ("matrix_power0", "x.matrix_power(0)", ("sq",)),
    ("inner_2d", "lib.inner(x, y)", ("sq", "mat")), ("xlogy_zero", "lib.xlogy(x, y)", ("zeros3", "v3")),
    ("xlogy_zero_y", "lib.xlogy(y, x)", ("zeros3", "v3")), ("fill_diagonal", "x.clone().fill_diagonal_(7.0)", ("sq",)),
    ("index_add_2d", "x.index_add(1, y, x * 2, alpha=0.5) * ramp(x)", ("sq", "idx")),
    ("masked_scatter_w", "x.masked_scatter(x > 0, y) * ramp(x)", ("v3", "sq")),
    ("block_diag_grad", "lib.block_diag(x, y) * ramp(lib.block_diag(x, y))", ("sq", "v3")),
    ("nanmedian_grad", "x.nanmedian() * 3", ("nan",)), ("rot90_3", "x.rot90(3) * ramp(x.rot90(3))", ("sq",)),
]

INPLACE = {
    "add_": "x.add_(y)", "sub_": "x.sub_(y)", "mul_": "x.mul_(y)", "div_": "x.div_(y)", "iadd": "x.__iadd__(y)",
    "copy_": "x.copy_(y)", "clamp_": "x.clamp_(min=0)", "fill_": "x.fill_(2)", "zero_": "x.zero_()",
}
INPLACE.update({"masked_fill_": "x.masked_fill_(y > 0, 2)", "addcmul_": "x.addcmul_(y, y, value=2)",
                "addcdiv_": "x.addcdiv_(y, y + 10)", "floor_": "x.floor_()", "sin_": "x.sin_()", "lerp_": "x.lerp_(y, 0.5)"})
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

EXPRESSIONS.update({
    "topk_k_big": "lib.ones(3).topk(4)", "topk_neg_k": "lib.ones(3).topk(-1)", "topk_idx": "lib.tensor([1.0, 5.0, 3.0, 2.0]).topk(2).indices",
    "topk_nan": "lib.tensor([1.0, math.nan, 3.0]).topk(2).values", "topk_nan_idx": "lib.tensor([1.0, math.nan, 3.0]).topk(2).indices",
    "sort_nan_inf_desc": "lib.tensor([1.0, math.nan, -math.inf, math.inf]).sort(descending=True).values",
    "sort_nan_inf_idx": "lib.tensor([1.0, math.nan, -math.inf, math.inf]).argsort()",
    "sort_int_desc": "lib.tensor([3, -1, 2], dtype=lib.uint8).sort(descending=True).values",
    "sort_bool": "lib.tensor([True, False, True]).sort().values", "sort_dim_err": "lib.ones(3).sort(dim=1)",
    "median_even": "lib.tensor([4.0, 1.0, 3.0, 2.0]).median()", "median_nan": "lib.tensor([1.0, math.nan, 3.0]).median()",
    "median_int": "lib.tensor([5, 1, 3, 2]).median()", "median_empty": "lib.zeros(0).median()",
    "median_dim_nan_idx": "lib.tensor([[1.0, math.nan, 3.0], [2.0, 0.0, 1.0]]).median(1).indices",
    "mm_1d": "lib.mm(lib.ones(3), lib.ones(3, 2))", "mm_inner": "lib.mm(lib.ones(2, 3), lib.ones(2, 3))",
    "bmm_batch": "lib.bmm(lib.ones(2, 3, 4), lib.ones(3, 4, 5))", "bmm_2d": "lib.bmm(lib.ones(3, 4), lib.ones(4, 5))",
    "bmm_ok": "lib.bmm(lib.arange(24.0).reshape(2, 3, 4), lib.arange(40.0).reshape(2, 4, 5))",
    "mv_err": "lib.mv(lib.ones(2, 3), lib.ones(2))", "dot_len": "lib.dot(lib.ones(3), lib.ones(4))",
    "dot_2d": "lib.dot(lib.ones(2, 2), lib.ones(2, 2))", "dot_int": "lib.dot(lib.tensor([1, 2]), lib.tensor([3, 4]))",
    "outer_2d": "lib.outer(lib.ones(2, 2), lib.ones(2))", "addmm_shape": "lib.addmm(lib.ones(4), lib.ones(2, 3), lib.ones(3, 3))",
    "trace_1d": "lib.ones(3).trace()", "trace_int": "lib.arange(9).reshape(3, 3).trace()", "trace_rect": "lib.arange(6.0).reshape(2, 3).trace()",
    "diag_3d": "lib.ones(2, 2, 2).diag()", "diagonal_same": "lib.ones(2, 2).diagonal(0, 1, 1)",
    "diagonal_3d": "lib.arange(24.0).reshape(2, 3, 4).diagonal(1, 0, 2)", "diagonal_far": "lib.ones(2, 3).diagonal(5)",
    "einsum_bad": "lib.einsum('ij,jk->ik', lib.ones(2, 3), lib.ones(4, 5))", "einsum_count": "lib.einsum('ij->ji', lib.ones(2, 3), lib.ones(2))",
    "einsum_list": "lib.einsum('i,i', [lib.arange(3.0), lib.arange(3.0)])",
    "einsum_sublist": "lib.einsum(lib.arange(6.0).reshape(2, 3), [0, 1], lib.arange(3.0), [1], [0])",
    "kron_mixed": "lib.kron(lib.arange(4).reshape(2, 2), lib.ones(2, dtype=lib.long))",
    "cross_no3": "lib.cross(lib.ones(2), lib.ones(2))", "cross_default": "lib.cross(lib.eye(3), lib.ones(3, 3))",
    "tensordot_mismatch": "lib.tensordot(lib.ones(2, 3), lib.ones(2, 3), dims=1)", "tensordot_neg": "lib.tensordot(lib.ones(2), lib.ones(2), dims=-1)",
    "gather_rank": "lib.ones(2, 3).gather(0, lib.tensor([0, 1]))", "gather_oob": "lib.ones(2, 3).gather(1, lib.tensor([[3]]))",
    "gather_float_idx": "lib.ones(2, 3).gather(1, lib.tensor([[0.0]]))", "gather_big_idx": "lib.ones(2, 3).gather(1, lib.zeros(3, 1, dtype=lib.long))",
    "scatter_reduce_bad": "lib.ones(3).scatter(0, lib.tensor([0]), lib.ones(1), reduce='max')",
    "scatter_add_reduce": "lib.zeros(3).scatter(0, lib.tensor([0, 0]), lib.ones(2), reduce='add')",
    "scatter_mul_reduce": "lib.full((3,), 2.0).scatter(0, lib.tensor([0, 0]), lib.full((2,), 3.0), reduce='multiply')",
    "scatter_0d": "lib.tensor(2.0).scatter(0, lib.tensor(0), lib.tensor(5.0))", "scatter_add_dup": "lib.zeros(3).scatter_add(0, lib.tensor([1, 1, 2]), lib.ones(3))",
    "index_select_2d": "lib.ones(3).index_select(0, lib.tensor([[0]]))", "index_select_oob": "lib.ones(3).index_select(0, lib.tensor([3]))",
    "index_select_float": "lib.ones(3).index_select(0, lib.tensor([0.0]))", "take_oob": "lib.ones(3).take(lib.tensor([3]))",
    "split_bad_sizes": "lib.ones(4).split([1, 2])", "split_zero": "lib.ones(4).split(0)", "split_big": "lib.ones(4).split(10)[0]",
    "split_last": "lib.arange(5.0).split(2)[-1]", "chunk_zero": "lib.ones(4).chunk(0)", "chunk_uneven": "lib.tensor(len(lib.ones(6).chunk(4)))",
    "chunk_empty": "lib.tensor(len(lib.ones(0).chunk(2)))", "tensor_split": "lib.arange(7.0).tensor_split(3)[2]",
    "tensor_split_idx": "lib.arange(7.0).tensor_split([1, 5])[1]", "unbind_0d": "lib.tensor(1.0).unbind()",
    "narrow_oob": "lib.ones(3).narrow(0, 2, 2)", "narrow_start_neg": "lib.arange(4.0).narrow(0, -2, 2)",
    "narrow_start_big": "lib.ones(3).narrow(0, 4, 0)", "select": "lib.arange(6.0).reshape(2, 3).select(1, -1)",
    "select_oob": "lib.ones(2, 3).select(1, 3)", "flip_dup": "lib.ones(2, 3).flip(0, 0)", "flip_multi": "lib.arange(6.0).reshape(2, 3).flip(0, 1)",
    "fliplr": "lib.arange(6.0).reshape(2, 3).fliplr()", "flipud_0d": "lib.tensor(1.0).flipud()",
    "roll_multi": "lib.arange(6.0).reshape(2, 3).roll((1, -1), (0, 1))", "roll_mismatch": "lib.ones(2, 3).roll((1, 1), 0)",
    "roll_flat": "lib.arange(6.0).reshape(2, 3).roll(2)", "repeat_fewer": "lib.ones(2, 3).repeat(2)",
    "repeat_neg": "lib.ones(2).repeat(-1)", "repeat_zero": "lib.ones(2).repeat(0, 2)", "tile_more": "lib.arange(3.0).tile(2, 2)",
    "ri_counts": "lib.repeat_interleave(lib.tensor([1, 2, 0]))", "ri_neg": "lib.ones(2).repeat_interleave(-1)",
    "ri_mismatch": "lib.ones(3).repeat_interleave(lib.tensor([1, 2]), dim=0)",
    "movedim_multi": "lib.ones(2, 3, 4).movedim((0, 1), (2, 0))", "movedim_len": "lib.ones(2, 3).movedim((0, 1), 0)",
    "movedim_dup": "lib.ones(2, 3).movedim((0, 0), (1, 0))", "unfold_big": "lib.ones(3).unfold(0, 4, 1)",
    "unfold_step0": "lib.ones(3).unfold(0, 2, 0)", "unfold_0d": "lib.tensor(2.0).unfold(0, 1, 1)",
    "unfold_step2": "lib.arange(7.0).unfold(0, 3, 2)", "nonzero_0d": "lib.tensor(3.0).nonzero()",
    "nonzero_empty": "lib.zeros(2, 0).nonzero()", "masked_select_bcast": "lib.arange(6.0).reshape(2, 3).masked_select(lib.tensor([True, False, True]))",
    "masked_select_nonbool": "lib.ones(3).masked_select(lib.ones(3))",
    "broadcast_tensors_err": "lib.broadcast_tensors(lib.ones(2), lib.ones(3))",
    "broadcast_shapes": "lib.tensor(lib.broadcast_shapes((2, 1), (3,)))", "hstack_2d": "lib.hstack([lib.ones(2, 1), lib.zeros(2, 2)])",
    "vstack_0d": "lib.vstack([lib.tensor(1.0), lib.tensor(2.0)])", "dstack": "lib.dstack([lib.ones(2), lib.zeros(2)])",
    "column_stack": "lib.column_stack([lib.arange(3.0), lib.ones(3, 2)])", "atleast_3d": "lib.atleast_3d(lib.ones(2, 3))",
    "cartesian_prod": "lib.cartesian_prod(lib.tensor([1, 2]), lib.tensor([3, 4, 5]))",
    "meshgrid_0d": "lib.meshgrid(lib.tensor(1.0), lib.arange(2.0), indexing='ij')[0]",
    "meshgrid_2d": "lib.meshgrid(lib.ones(2, 2), indexing='ij')", "diff_bool": "lib.diff(lib.tensor([True, True, False]))",
    "diff_prepend": "lib.diff(lib.tensor([1.0, 4.0]), prepend=lib.tensor([0.0]), append=lib.tensor([10.0]))",
    "diff_0d": "lib.diff(lib.tensor(1.0))", "diff_int": "lib.diff(lib.tensor([1, 4, 9]))",
    "cdist_1d": "lib.cdist(lib.ones(3), lib.ones(3))", "cdist_cols": "lib.cdist(lib.ones(2, 3), lib.ones(2, 4))",
    "cdist_inf": "lib.cdist(lib.arange(6.0).reshape(3, 2), lib.ones(2, 2), p=math.inf)",
    "var_int": "lib.arange(3).var()", "var_both": "lib.ones(3).var(unbiased=True, correction=1)",
    "var_single": "lib.ones(1).var()", "std_empty": "lib.zeros(0).std()", "var_corr_big": "lib.arange(3.0).var(correction=5)",
    "var_bool_dim": "lib.arange(4.0).var(False)", "std_mean": "lib.stack(lib.std_mean(lib.arange(4.0)))",
    "var_mean_dim": "lib.stack(lib.var_mean(lib.arange(6.0).reshape(2, 3), 1))",
    "norm_int": "lib.arange(3).norm()", "norm_str": "lib.ones(3).norm(p='nuc')", "norm_ninf": "lib.tensor([3.0, -1.0]).norm(-math.inf)",
    "norm_p0": "lib.tensor([3.0, 0.0, -1.0]).norm(0)", "norm_half": "lib.tensor([4.0, 1.0]).norm(0.5)",
    "norm_dtype": "lib.tensor([3.0, 4.0]).norm(dtype=lib.float64)", "logsumexp_empty": "lib.zeros(0).logsumexp(0)",
    "logsumexp_int": "lib.arange(3).logsumexp(0)", "logsumexp_inf": "lib.tensor([math.inf, 1.0]).logsumexp(0)",
    "logsumexp_ninf": "lib.tensor([-math.inf, -math.inf]).logsumexp(0)", "logsumexp_big": "lib.tensor([1e4, 1e4]).logsumexp(0)",
    "prod_int": "lib.tensor([2, 3], dtype=lib.int32).prod()", "prod_bool": "lib.tensor([True, True]).prod()",
    "prod_empty": "lib.zeros(0).prod()", "prod_dtype": "lib.tensor([2, 3]).prod(dtype=lib.float64)",
    "cumsum_int32": "lib.tensor([1, 2], dtype=lib.int32).cumsum(0)", "cumsum_bool": "lib.tensor([True, True]).cumsum(0)",
    "cumsum_dtype": "lib.tensor([1, 2]).cumsum(0, dtype=lib.float32)", "cumsum_empty": "lib.zeros(0).cumsum(0)",
    "cumsum_nodim": "lib.ones(3).cumsum()", "count_nonzero_dims": "lib.eye(3).count_nonzero((0, 1))",
    "nanmean_allnan": "lib.tensor([math.nan, math.nan]).nanmean()", "nanmean_int": "lib.tensor([1, 2]).nanmean()",
    "nansum_int": "lib.tensor([1, 2]).nansum()", "fmod_zero_int": "lib.fmod(lib.tensor([3]), 0)",
    "remainder_zero_int": "lib.tensor([3]).remainder(lib.tensor([0]))", "fmod_zero_float": "lib.fmod(lib.tensor([3.0, -1.0]), 0.0)",
    "remainder_neg": "lib.remainder(lib.tensor([-3, 3]), 2)", "rmod": "5 % lib.tensor([2, 3])", "fmod_bool": "lib.fmod(lib.tensor([True]), lib.tensor([True]))",
    "lerp_tensor_w": "lib.lerp(lib.zeros(3), lib.ones(3), lib.tensor([0.0, 0.5, 1.0]))", "lerp_int": "lib.lerp(lib.tensor([1]), lib.tensor([3]), 0.5)",
    "logaddexp_inf": "lib.logaddexp(lib.tensor([math.inf, -math.inf, math.inf]), lib.tensor([math.inf, -math.inf, -math.inf]))",
    "logaddexp_int": "lib.logaddexp(lib.tensor([1]), lib.tensor([2]))", "atan2_int": "lib.atan2(lib.tensor([1]), lib.tensor([0]))",
    "atan2_zeros": "lib.atan2(lib.tensor([0.0, -0.0, 0.0]), lib.tensor([-0.0, -1.0, 0.0]))",
    "isclose_dtype": "lib.isclose(lib.ones(2), lib.ones(2, dtype=lib.float64))", "isclose_int": "lib.isclose(lib.tensor([1, 2]), lib.tensor([1, 3]))",
    "isclose_inf": "lib.isclose(lib.tensor([math.inf, -math.inf]), lib.tensor([math.inf, math.inf]))",
    "isclose_tol": "lib.isclose(lib.tensor([1.0, 1.1]), lib.tensor([1.05, 1.0]), rtol=0, atol=0.06)",
    "allclose_false": "lib.tensor(lib.allclose(lib.tensor([1.0]), lib.tensor([1.1])))", "round_half": "lib.tensor([0.5, 1.5, 2.5, -0.5]).round()",
    "round_dec2": "lib.tensor([1.2345, -2.5678]).round(decimals=2)", "round_int_dec": "lib.tensor([15, 25]).round(decimals=-1)",
    "floor_bool": "lib.tensor([True]).floor()", "sign_bool": "lib.tensor([True, False]).sign()", "sign_uint8": "lib.tensor([0, 3], dtype=lib.uint8).sign()",
    "frac_int": "lib.tensor([1, 2]).frac()", "reciprocal_int": "lib.tensor([0, 2]).reciprocal()", "nan_to_num_int": "lib.tensor([1, 2]).nan_to_num()",
    "nan_to_num_f64": "lib.tensor([math.inf, -math.inf, math.nan], dtype=lib.float64).nan_to_num()",
    "new_zeros_dtype": "lib.ones(2, dtype=lib.long).new_zeros((2, 3), dtype=lib.float64)", "new_ones_int": "lib.ones(2, dtype=lib.long).new_ones(3)",
    "new_full_int_float": "lib.ones(2, dtype=lib.long).new_full((2,), 3.7)", "new_tensor_float": "lib.ones(2).new_tensor([1, 2])",
    "new_zeros_grad": "lib.tensor(lib.ones(1).new_zeros(2, requires_grad=True).requires_grad)",
    "type_long_str": "lib.tensor(lib.ones(2, dtype=lib.long).type() == 'torch.LongTensor')",
    "type_str_conv": "lib.ones(2).type('torch.DoubleTensor')", "stride_dim": "lib.tensor(lib.ones(2, 3).stride(0))",
    "stride_T": "lib.tensor(lib.ones(2, 3).t().stride())", "addcdiv_int": "lib.ones(2).addcdiv(lib.tensor([1, 2]), lib.tensor([1, 2]))",
    "masked_fill_leaf": "lib.ones(3, requires_grad=True).masked_fill_(lib.tensor([True, False, True]), 0.0)",
    "masked_fill_inplace": "(lambda t: (t.masked_fill_(t > 1, -1.0), t)[1])(lib.arange(4.0))",
    "addcmul_inplace": "(lambda t: (t.addcmul_(t, t, value=-1), t)[1])(lib.arange(3.0))",
    "resize_": "lib.arange(6.0).resize_(2, 3)", "H_3d": "lib.ones(2, 2, 2).H", "sort_0d": "lib.tensor(2.0).sort().values",
    "topk_0d": "lib.tensor(2.0).topk(1).values", "cumprod_0d": "lib.tensor(2.0).cumprod(0)", "prod_0d_dim": "lib.tensor(2.0).prod(0)",
    "median_0d_dim": "lib.tensor(2.0).median(0).values", "gather_0d": "lib.tensor(2.0).gather(0, lib.tensor(0))",
    "unique": "lib.tensor([3, 1, 3, 2, 1]).unique()", "unique_inverse": "lib.tensor([3, 1, 3]).unique(return_inverse=True)[1]",
    "unique_counts": "lib.unique(lib.tensor([3, 1, 3]), return_counts=True)[1]", "unique_dim": "lib.tensor([[1, 2], [1, 2], [0, 1]]).unique(dim=0)",
    "kthvalue_oob": "lib.ones(3).kthvalue(4)", "nanmedian_allnan": "lib.tensor([math.nan, math.nan]).nanmedian()",
    "nanmedian_dim_idx": "lib.tensor([[1.0, math.nan, 3.0, 2.0], [math.nan, 5.0, math.nan, math.nan]]).nanmedian(1).indices",
    "bincount_w": "lib.tensor([0, 2, 2]).bincount(lib.tensor([0.5, 1.0, 2.0]), minlength=4)", "bincount_neg": "lib.tensor([-1, 2]).bincount()",
    "bincount_2d": "lib.ones(2, 2, dtype=lib.long).bincount()", "histc_int": "lib.tensor([1, 2]).histc()",
    "rot90_dims": "lib.ones(2, 3).rot90(1, (0, 0))", "rot90_k2": "lib.arange(6.0).reshape(2, 3).rot90(2)", "rot90_1d": "lib.ones(3).rot90()",
    "heaviside_dtype": "lib.heaviside(lib.ones(2), lib.tensor([1], dtype=lib.long))",
    "heaviside_grad": "lib.heaviside(lib.ones(2, requires_grad=True), lib.tensor(0.5)).sum().backward()",
    "searchsorted_right": "lib.searchsorted(lib.tensor([1, 3, 3, 5]), lib.tensor([3, 0, 9]), right=True)",
    "searchsorted_side": "lib.searchsorted(lib.tensor([1, 3, 3, 5]), lib.tensor([3]), side='right')",
    "searchsorted_2d": "lib.searchsorted(lib.tensor([[1, 3, 5], [2, 4, 6]]), lib.tensor([[3], [3]]))",
    "searchsorted_int32": "lib.searchsorted(lib.tensor([1.0, 2.0]), lib.tensor([1.5]), out_int32=True)",
    "bucketize_2d": "lib.bucketize(lib.tensor([1.0]), lib.ones(2, 2))", "block_diag_mixed": "lib.block_diag(lib.tensor([[1, 2]]), lib.tensor(3.5), lib.zeros(2, 0))",
    "block_diag_3d": "lib.block_diag(lib.ones(2, 2, 2))", "tril_indices": "lib.tril_indices(3, 4, 1)",
    "triu_indices": "lib.triu_indices(4, 3, -1)", "tril_indices_empty": "lib.tril_indices(0, 3)", "inverse_singular": "lib.ones(2, 2).inverse()", "inverse_rect": "lib.ones(2, 3).inverse()",
    "det_int": "lib.eye(2, dtype=lib.long).det()", "cummax_nan": "lib.tensor([1.0, math.nan, 3.0, 0.0]).cummax(0).indices",
    "cummax_ties": "lib.tensor([2.0, 2.0, 1.0, 2.0]).cummax(0).indices", "cummin_int": "lib.tensor([3, 1, 2, 1]).cummin(0).indices",
    "fill_diagonal_wrap": "lib.zeros(7, 3).fill_diagonal_(5.0, wrap=True)", "fill_diagonal_tall": "lib.zeros(5, 2).fill_diagonal_(1.0)",
    "fill_diagonal_3d": "lib.zeros(2, 2, 2).fill_diagonal_(1.0)", "triu_": "lib.ones(3, 3).triu_(1)",
    "sum_to_size_bad": "lib.ones(2, 3).sum_to_size(2)", "sum_to_size_2d": "lib.arange(6.0).reshape(2, 3).sum_to_size(2, 1)",
    "float_power_int": "lib.tensor([2, 3]).float_power(2)", "logit_int": "lib.tensor([0, 1]).logit()",
    "floor_divide_neg": "lib.tensor([7, -7]) // 2", "rfloordiv": "7 // lib.tensor([2.0, -2.0])", "bitwise_and": "lib.tensor([12]).bitwise_and(lib.tensor([10]))",
    "copysign_zero": "lib.copysign(lib.tensor([1.0, 2.0]), lib.tensor([-0.0, 0.0]))",
    "index_fill_2d": "lib.zeros(2, 3).index_fill(1, lib.tensor([0, 2]), 1.5)", "index_add_oob": "lib.zeros(3).index_add(0, lib.tensor([3]), lib.ones(1))",
    "masked_scatter_short": "lib.zeros(3).masked_scatter(lib.tensor([True, True, True]), lib.ones(2))", "take_along_dim": "lib.arange(6.0).reshape(2, 3).take_along_dim(lib.tensor([[0], [2]]), 1)",
})


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
    for op, expr, names in TARGETED:
        out.append((f"{op}[{','.join(names)}]", expr, names, False))
    return out


def make_input(lib: Any, name: str, requires_grad: bool) -> Any:
    values, dtype, transposed = {**INPUTS, **TARGETED_INPUTS}[name]
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
    floating = [{**INPUTS, **TARGETED_INPUTS}[n][1].startswith("float") for n in names]
    grad = not inplace and not expr.startswith("lib.tensor(")
    try:
        pairs = [make_input(lib, n, grad and f) for n, f in zip(names, floating)]
        leaves, xs = [p[0] for p in pairs], [p[1] for p in pairs]
        env = {"lib": lib, "F": F, "math": math, "x": xs[0] if xs else None, "y": xs[1] if len(xs) > 1 else None,
               "ramp": lambda t: lib.arange(1.0, t.numel() + 1).reshape(tuple(t.shape))}
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
