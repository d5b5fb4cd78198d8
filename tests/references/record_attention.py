"""Record PyTorch's numbers for lesson 16's layers, for minitorch's parity tests.

    .venv/bin/python tests/references/record_attention.py     # needs torch; rewrites attention_reference.npz

For every case below: the inputs (from a seeded numpy generator, stored in the file so the tests
feed minitorch exactly what PyTorch got), the outputs, and the gradients of every input and
parameter for a fixed output gradient. Cases cover ``gelu`` (both forms), ``layer_norm``,
``scaled_dot_product_attention`` (masks bool/float, causal, scale, a fully masked query, grouped
heads), ``MultiheadAttention`` (batch_first both ways, both masks, per-head masks, weights
averaged or not, kdim/vdim, unbatched, no bias) and ``TransformerEncoderLayer`` (post- and
pre-norm, relu/gelu, batch_first both ways, masks) and a 2-layer ``TransformerEncoder``.

This module is also imported by tests/library/test_attention.py: ``run`` drives either library
through the same code, so the only thing that differs between the two runs is the library.
Everything is float64 (the comparisons are then about the formulas, not float32 rounding); one
float32 case per layer checks that dtype is kept.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
FILE = HERE / "attention_reference.npz"

E, H, L, S, N, FF = 8, 2, 4, 5, 2, 16

# name -> (kind, options)
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "gelu": ("gelu", {}),
    "gelu_tanh": ("gelu", {"approximate": "tanh"}),
    "gelu_float32": ("gelu", {"dtype": "float32"}),
    "layer_norm": ("layer_norm", {"shape": (2, 3, 5), "normalized_shape": (5,)}),
    "layer_norm_2d_shape": ("layer_norm", {"shape": (2, 3, 4), "normalized_shape": (3, 4)}),
    "layer_norm_no_affine": ("layer_norm", {"shape": (3, 6), "normalized_shape": (6,), "elementwise_affine": False}),
    "layer_norm_no_bias": ("layer_norm", {"shape": (3, 6), "normalized_shape": (6,), "bias": False, "eps": 1e-2}),
    "layer_norm_float32": ("layer_norm", {"shape": (4, 8), "normalized_shape": (8,), "dtype": "float32"}),
    "sdpa": ("sdpa", {}),
    "sdpa_bool_mask": ("sdpa", {"mask": "bool"}),
    "sdpa_float_mask": ("sdpa", {"mask": "float"}),
    "sdpa_causal": ("sdpa", {"is_causal": True}),
    "sdpa_causal_square": ("sdpa", {"is_causal": True, "S": L}),
    "sdpa_scale": ("sdpa", {"scale": 0.7}),
    "sdpa_fully_masked_query": ("sdpa", {"mask": "bool_blind"}),
    "sdpa_gqa": ("sdpa", {"gqa": True}),
    "sdpa_float32": ("sdpa", {"is_causal": True, "S": L, "dtype": "float32"}),
    "mha": ("mha", {}),
    "mha_batch_first": ("mha", {"batch_first": True}),
    "mha_self_causal": ("mha", {"self": True, "attn_mask": "causal_bool"}),
    "mha_self_float_mask_batch_first": ("mha", {"self": True, "attn_mask": "causal_float", "batch_first": True}),
    "mha_key_padding": ("mha", {"key_padding_mask": "bool"}),
    "mha_both_masks": ("mha", {"self": True, "attn_mask": "causal_bool", "key_padding_mask": "bool"}),
    "mha_float_padding_bool_mask": ("mha", {"self": True, "attn_mask": "causal_bool", "key_padding_mask": "float"}),
    "mha_per_head_mask": ("mha", {"attn_mask": "per_head"}),
    "mha_per_head_weights": ("mha", {"average_attn_weights": False}),
    "mha_no_weights": ("mha", {"need_weights": False}),
    "mha_kdim_vdim": ("mha", {"kdim": 3, "vdim": 5}),
    "mha_unbatched": ("mha", {"unbatched": True}),
    "mha_no_bias": ("mha", {"bias": False}),
    "mha_float32": ("mha", {"self": True, "dtype": "float32"}),
    "encoder_layer": ("layer", {}),
    "encoder_layer_norm_first": ("layer", {"norm_first": True}),
    "encoder_layer_gelu_batch_first": ("layer", {"activation": "gelu", "batch_first": True}),
    "encoder_layer_norm_first_batch_first_causal": ("layer", {"norm_first": True, "batch_first": True,
                                                              "src_mask": "causal_bool", "is_causal": True}),
    "encoder_layer_padding": ("layer", {"src_key_padding_mask": "bool", "activation": "gelu", "norm_first": True}),
    "encoder_layer_float32": ("layer", {"norm_first": True, "batch_first": True, "dtype": "float32"}),
    "encoder_two_layers": ("encoder", {"norm_first": True, "batch_first": True, "src_mask": "causal_bool",
                                       "is_causal": True, "final_norm": True}),
}


def _case_seed(case: str) -> int:
    return 20261130 + sum(ord(c) * (i + 1) for i, c in enumerate(case))  # stable across processes


def case_inputs(case: str) -> dict[str, np.ndarray]:
    """The case's inputs (tensors ``x:...``) and masks (``mask:...``): what both libraries get."""
    kind, o = CASES[case]
    rng = np.random.default_rng(_case_seed(case))
    dtype = np.dtype(o.get("dtype", "float64"))

    def normal(*shape: int, scale: float = 1.0) -> np.ndarray:
        return (rng.normal(0.0, scale, shape)).astype(dtype)

    d: dict[str, np.ndarray] = {}
    if kind == "gelu":
        d["x:input"] = np.concatenate([np.linspace(-7, 7, 57), normal(20, scale=2.0)]).astype(dtype)
    elif kind == "layer_norm":
        d["x:input"] = normal(*o["shape"], scale=3.0) + 1.5
        shape = o["normalized_shape"]
        if o.get("elementwise_affine", True):
            d["x:weight"] = 1.0 + normal(*shape, scale=0.3)
            if o.get("bias", True):
                d["x:bias"] = normal(*shape, scale=0.5)
    elif kind == "sdpa":
        s = o.get("S", S)
        hk = 1 if o.get("gqa") else H
        d["x:query"], d["x:key"], d["x:value"] = normal(N, H, L, E), normal(N, hk, s, E), normal(N, hk, s, 3)
        if o.get("mask") == "bool":
            d["mask:attn_mask"] = rng.random((L, s)) < 0.7
            d["mask:attn_mask"][:, 0] = True  # every query sees something
        elif o.get("mask") == "bool_blind":
            d["mask:attn_mask"] = rng.random((N, 1, L, s)) < 0.6
            d["mask:attn_mask"][:, :, 0] = True
            d["mask:attn_mask"][0, 0, 1] = False  # query 1 of sample 0 may look nowhere
        elif o.get("mask") == "float":
            d["mask:attn_mask"] = normal(N, H, L, s)
    else:  # mha, layer, encoder: token sequences (batch-first in the file; transposed for batch_first=False)
        self_attention = o.get("self", kind != "mha")
        s = L if self_attention else S
        d["x:query"] = normal(N, L, E)
        if not self_attention:
            d["x:key"] = normal(N, s, o.get("kdim", E))
            d["x:value"] = normal(N, s, o.get("vdim", E))
        for mask_name in ("attn_mask", "src_mask"):
            spec = o.get(mask_name)
            if spec in ("causal_bool", "causal_float"):
                future = np.triu(np.ones((L, s), dtype=bool), 1)
                d[f"mask:{mask_name}"] = future if spec == "causal_bool" else np.where(future, -np.inf, 0.0).astype(dtype)
            elif spec == "per_head":
                m = rng.random((N * H, L, s)) < 0.3
                m[:, :, 0] = False
                d[f"mask:{mask_name}"] = m
        for mask_name in ("key_padding_mask", "src_key_padding_mask"):
            spec = o.get(mask_name)
            if spec is not None:
                pad = np.zeros((N, s), dtype=bool)
                pad[1, -2:] = True  # the last two keys of sample 1 are padding
                d[f"mask:{mask_name}"] = pad if spec == "bool" else np.where(pad, -np.inf, 0.0).astype(dtype)
    return d


def torch_side() -> SimpleNamespace:
    import torch

    def tensor(x: np.ndarray, requires_grad: bool = False) -> Any:
        return torch.tensor(x, requires_grad=requires_grad)

    def set_values(param: Any, values: np.ndarray) -> None:
        with torch.no_grad():
            param.copy_(torch.from_numpy(np.ascontiguousarray(values)))

    return SimpleNamespace(nn=torch.nn, F=torch.nn.functional, tensor=tensor, set_values=set_values,
                           read=lambda t: t.detach().numpy().copy(), dtype=lambda name: getattr(torch, name))


def minitorch_side() -> SimpleNamespace:
    import minitorch
    import minitorch.nn.functional

    def tensor(x: np.ndarray, requires_grad: bool = False) -> Any:
        return minitorch.tensor(x, requires_grad=requires_grad)

    def set_values(param: Any, values: np.ndarray) -> None:
        param.data[...] = values

    return SimpleNamespace(nn=minitorch.nn, F=minitorch.nn.functional, tensor=tensor, set_values=set_values,
                           read=lambda t: np.array(t.data), dtype=np.dtype)


def _module(side: SimpleNamespace, kind: str, o: dict[str, Any]) -> Any:
    dtype = {"dtype": side.dtype(o.get("dtype", "float64"))}
    if kind == "mha":
        kw = {k: o[k] for k in ("kdim", "vdim", "bias", "batch_first") if k in o}
        return side.nn.MultiheadAttention(E, H, **kw, **dtype)
    layer_kw = {k: o[k] for k in ("norm_first", "activation", "batch_first") if k in o}
    layer = side.nn.TransformerEncoderLayer(E, H, dim_feedforward=FF, dropout=0.0, **layer_kw, **dtype)
    if kind == "layer":
        return layer
    norm = side.nn.LayerNorm(E, **dtype) if o.get("final_norm") else None
    return side.nn.TransformerEncoder(layer, num_layers=2, norm=norm, enable_nested_tensor=False)


def run(side: SimpleNamespace, case: str, data: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Forward and backward of one case: outputs ``out:...``, gradients ``grad:...`` of inputs and
    parameters, and the state_dict keys. Parameters are drawn from the case's generator in
    state_dict order (the same keys in both libraries, which the tests check first)."""
    kind, o = CASES[case]
    data = case_inputs(case) if data is None else data
    dtype = np.dtype(o.get("dtype", "float64"))
    xs = {k[2:]: side.tensor(v, requires_grad=True) for k, v in data.items() if k.startswith("x:")}
    masks = {k[5:]: side.tensor(v) for k, v in data.items() if k.startswith("mask:")}
    result: dict[str, np.ndarray] = {}
    params: dict[str, Any] = {}
    if kind == "gelu":
        outs = {"out": side.F.gelu(xs["input"], approximate=o.get("approximate", "none"))}
    elif kind == "layer_norm":
        outs = {"out": side.F.layer_norm(xs["input"], o["normalized_shape"], xs.get("weight"), xs.get("bias"),
                                         eps=o.get("eps", 1e-5))}
    elif kind == "sdpa":
        outs = {"out": side.F.scaled_dot_product_attention(
            xs["query"], xs["key"], xs["value"], attn_mask=masks.get("attn_mask"), is_causal=o.get("is_causal", False),
            scale=o.get("scale"), enable_gqa=o.get("gqa", False))}
    else:
        module = _module(side, kind, o)
        rng = np.random.default_rng(_case_seed(case) + 1)
        for name, p in module.state_dict().items():  # every parameter from the generator, by name
            values = rng.normal(0.0, 0.4, tuple(p.shape)).astype(dtype)
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
                values = values + 1.0
            side.set_values(p, values)
        params = dict(module.named_parameters())
        batch_first = o.get("batch_first", False)

        def seq(t: Any) -> Any:  # the file stores (N, L, E); sequence-first modules get (L, N, E)
            if o.get("unbatched"):
                return t[0]
            return t if batch_first else t.transpose(0, 1)

        q = seq(xs["query"])
        if kind == "mha":
            k = seq(xs["key"]) if "key" in xs else q
            v = seq(xs["value"]) if "value" in xs else q
            kpm = masks.get("key_padding_mask")
            if kpm is not None and o.get("unbatched"):
                kpm = kpm[0]
            out, weights = module(q, k, v, key_padding_mask=kpm, need_weights=o.get("need_weights", True),
                                  attn_mask=masks.get("attn_mask"),
                                  average_attn_weights=o.get("average_attn_weights", True),
                                  is_causal=o.get("attn_mask", "").startswith("causal"))
            outs = {"out": out}
            if weights is not None:
                outs["weights"] = weights
        else:
            outs = {"out": module(q, masks.get("src_mask"), masks.get("src_key_padding_mask"),
                                  is_causal=o.get("is_causal", False))}
        result["state_dict_keys"] = np.array(list(module.state_dict().keys()))
    rng = np.random.default_rng(_case_seed(case) + 2)
    loss = None
    for name, out in outs.items():
        value = side.read(out)
        result[f"out:{name}"] = value
        g = side.tensor(rng.normal(0.0, 1.0, value.shape).astype(value.dtype))
        term = (out * g).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    for name, t in {**xs, **params}.items():
        result[f"grad:{name}"] = side.read(t.grad) if t.grad is not None else np.zeros(0)
    return result


def record() -> dict[str, np.ndarray]:
    side = torch_side()
    out: dict[str, np.ndarray] = {}
    for case in CASES:
        for key, value in {**case_inputs(case), **run(side, case)}.items():
            out[f"{case}/{key}"] = value
    return out


def load(path: Path = FILE) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as stored:
        return {key: stored[key] for key in stored.files if key != "torch_version"}


def case_reference(reference: dict[str, np.ndarray], case: str) -> dict[str, np.ndarray]:
    prefix = f"{case}/"
    return {key[len(prefix):]: value for key, value in reference.items() if key.startswith(prefix)}


def main() -> int:
    import torch

    np.savez_compressed(FILE, torch_version=np.array(torch.__version__), **record())
    print(f"wrote {FILE.relative_to(HERE.parent.parent)} ({FILE.stat().st_size} bytes, torch {torch.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
