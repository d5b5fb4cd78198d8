"""Record PyTorch's convolution, pooling, fold/unfold and pad numbers, for minitorch's parity tests.

    .venv/bin/python tests/references/record_conv.py     # needs torch; rewrites conv_reference.npz

For every case in ``CASES``: the inputs (seeded numpy, float64), an output gradient, and PyTorch's
output and the gradient of every input (plus max-pooling's indices). The tests
(tests/library/test_conv.py) feed minitorch the stored inputs and compare; with torch installed
they also run ``run_case`` on both libraries live. ``run_case`` drives either library through the
same code, so the only thing that differs between the two runs is the library.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
CONV_FILE = HERE / "conv_reference.npz"

# name -> (function name in nn.functional, keyword arguments, shapes of the differentiable inputs).
# Inputs are (input, weight, bias) for conv, (input,) otherwise.
CASES: dict[str, tuple[str, dict[str, Any], tuple[tuple[int, ...], ...]]] = {
    "conv2d_pad1": ("conv2d", {"padding": 1}, ((2, 4, 6, 5), (3, 4, 3, 3), (3,))),
    "conv2d_stride_dilation_groups": ("conv2d", {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2), "groups": 2},
                                      ((2, 4, 7, 6), (6, 2, 3, 2), (6,))),
    "conv2d_same_even_kernel": ("conv2d", {"padding": "same", "dilation": (2, 1)}, ((1, 3, 6, 5), (2, 3, 3, 2), (2,))),
    "conv2d_depthwise_no_bias": ("conv2d", {"groups": 3, "stride": 2}, ((2, 3, 7, 7), (6, 1, 3, 3))),
    "conv2d_unbatched": ("conv2d", {"padding": "valid"}, ((2, 5, 4), (3, 2, 2, 2), (3,))),
    "conv1d_stride_pad": ("conv1d", {"stride": 2, "padding": 1}, ((3, 2, 9), (4, 2, 3), (4,))),
    "conv1d_same_groups_dilation": ("conv1d", {"padding": "same", "groups": 3, "dilation": 2},
                                    ((2, 3, 8), (6, 1, 4), (6,))),
    "conv1d_unbatched": ("conv1d", {}, ((2, 9), (3, 2, 3), (3,))),
    "max_pool2d_ceil_pad": ("max_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                                           "return_indices": True}, ((2, 3, 7, 6),)),
    "max_pool2d_dilation_overlap": ("max_pool2d", {"kernel_size": 2, "stride": 1, "dilation": 2,
                                                   "return_indices": True}, ((1, 2, 6, 5),)),
    "max_pool2d_ties": ("max_pool2d", {"kernel_size": 2, "return_indices": True}, ((2, 2, 4, 6),)),
    "max_pool1d": ("max_pool1d", {"kernel_size": 3, "stride": 2, "padding": 1, "return_indices": True}, ((2, 3, 10),)),
    "max_pool1d_ties_overlap": ("max_pool1d", {"kernel_size": 3, "stride": 1, "return_indices": True}, ((2, 2, 9),)),
    "avg_pool2d_include_pad": ("avg_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, ((2, 3, 7, 6),)),
    "avg_pool2d_exclude_pad_ceil": ("avg_pool2d", {"kernel_size": (3, 2), "stride": 2, "padding": 1, "ceil_mode": True,
                                                   "count_include_pad": False}, ((2, 2, 6, 7),)),
    "avg_pool2d_divisor": ("avg_pool2d", {"kernel_size": 2, "divisor_override": 3}, ((1, 2, 4, 5),)),
    "avg_pool1d": ("avg_pool1d", {"kernel_size": 4, "stride": 3, "padding": 2, "ceil_mode": True}, ((2, 3, 11),)),
    "adaptive_avg_pool2d": ("adaptive_avg_pool2d", {"output_size": (4, 3)}, ((2, 3, 7, 5),)),
    "adaptive_avg_pool2d_global": ("adaptive_avg_pool2d", {"output_size": 1}, ((2, 3, 5, 4),)),
    "adaptive_avg_pool1d": ("adaptive_avg_pool1d", {"output_size": 4}, ((2, 3, 9),)),
    "unfold": ("unfold", {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)}, ((2, 3, 5, 6),)),
    "fold": ("fold", {"output_size": (5, 4), "kernel_size": (2, 3), "padding": (1, 0), "stride": (2, 1)},
             ((2, 18, 6),)),
    "pad_constant_crop": ("pad", {"pad": (1, -2, 2, 0), "value": 1.5}, ((2, 3, 4, 5),)),
    "pad_reflect": ("pad", {"pad": (2, 1, 1, 3), "mode": "reflect"}, ((2, 3, 4, 5),)),
    "pad_replicate": ("pad", {"pad": (3, 1), "mode": "replicate"}, ((2, 3, 4),)),
    "pad_replicate_crop": ("pad", {"pad": (2, -1, -1, 2), "mode": "replicate"}, ((2, 3, 4, 5),)),
    "pad_circular": ("pad", {"pad": (2, 3, 1, 0), "mode": "circular"}, ((1, 2, 4, 3),)),
}


def case_data(case: str) -> dict[str, np.ndarray]:
    """The case's inputs (x0, x1, ...) and output gradient ``g`` comes later (its shape depends on the op)."""
    name, _, shapes = CASES[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    data = {}
    for i, shape in enumerate(shapes):
        if "ties" in case:  # few distinct values: many windows hold their maximum twice
            data[f"x{i}"] = rng.integers(0, 3, shape).astype(np.float64)
        else:
            data[f"x{i}"] = rng.normal(size=shape)
    return data


def run_case(case: str, F: Any, tensor: Callable[..., Any], to_numpy: Callable[[Any], np.ndarray],
             data: dict[str, np.ndarray], g: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Run one case in a library (``F`` its functional module, ``tensor(array)`` a leaf that
    requires grad, ``to_numpy``). Without ``g`` a seeded output gradient is drawn and returned."""
    name, kwargs, shapes = CASES[case]
    inputs = [tensor(data[f"x{i}"]) for i in range(len(shapes))]
    result = getattr(F, name)(*inputs, **kwargs)
    out, indices = result if kwargs.get("return_indices") else (result, None)
    if g is None:
        g = np.random.default_rng(sum(map(ord, case)) + 1).normal(size=tuple(out.shape))
    out.backward(tensor(g, grad=False))
    found = {"out": to_numpy(out), "g": g}
    if indices is not None:
        found["indices"] = to_numpy(indices)
    for i, t in enumerate(inputs):
        found[f"grad{i}"] = to_numpy(t.grad)
    return found


def torch_library() -> tuple[Any, Callable[..., Any], Callable[[Any], np.ndarray]]:
    import torch
    import torch.nn.functional as F

    def tensor(a: np.ndarray, grad: bool = True) -> Any:
        return torch.tensor(a, dtype=torch.float64, requires_grad=grad)

    return F, tensor, lambda t: t.detach().numpy()


def minitorch_library() -> tuple[Any, Callable[..., Any], Callable[[Any], np.ndarray]]:
    import minitorch
    import minitorch.nn.functional as F

    def tensor(a: np.ndarray, grad: bool = True) -> Any:
        return minitorch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)

    return F, tensor, lambda t: np.asarray(t.numpy())


def main() -> None:
    import torch

    library = torch_library()
    arrays: dict[str, np.ndarray] = {}
    for case in CASES:
        data = case_data(case)
        for key, value in {**data, **run_case(case, *library, data)}.items():
            arrays[f"{case}/{key}"] = value
    np.savez_compressed(CONV_FILE, torch_version=np.array(torch.__version__), **arrays)
    print(f"wrote {CONV_FILE.name} ({CONV_FILE.stat().st_size // 1024} KB, {len(CASES)} cases) with torch "
          f"{torch.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
