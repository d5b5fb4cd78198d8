"""Record PyTorch's recurrent layers through time, for minitorch's parity tests.

    .venv/bin/python tests/references/record_rnn.py     # needs torch; rewrites rnn_reference.npz

For every case in ``CASES`` (a cell or a layer, its constructor arguments, padded or packed
input, with or without initial states): the parameters, the input, the lengths, the initial states
and the gradients fed back into every output (seeded numpy draws, stored so both libraries get
exactly the same numbers), then PyTorch's outputs (packed outputs as their ``data``), final
states, and the gradients of the input, the initial states and every parameter, and the
state_dict keys. ``run_case`` drives either library through the same code
(tests/library/test_rnn.py imports it). Float64 unless a case says float32, so that the
comparison can be tight.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from record_batchnorm import minitorch_side, torch_side

HERE = Path(__file__).resolve().parent
RNN_FILE = HERE / "rnn_reference.npz"

IN, HID, T, N = 3, 4, 5, 3

# name -> (class name, constructor kwargs, options). Options: "packed" (lengths, enforce_sorted), "h0" (give
# initial states), "unbatched", "dtype".
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "rnncell_tanh": ("RNNCell", {}, {"h0": True}),
    "rnncell_relu_nobias": ("RNNCell", {"nonlinearity": "relu", "bias": False}, {"h0": True}),
    "grucell": ("GRUCell", {}, {"h0": True}),
    "grucell_unbatched": ("GRUCell", {}, {"h0": True, "unbatched": True}),
    "lstmcell": ("LSTMCell", {}, {"h0": True}),
    "lstmcell_no_state": ("LSTMCell", {}, {}),
    "rnn_tanh_2_layers": ("RNN", {"num_layers": 2}, {}),
    "rnn_relu_bidirectional_h0": ("RNN", {"nonlinearity": "relu", "bidirectional": True}, {"h0": True}),
    "rnn_unbatched_nobias": ("RNN", {"bias": False}, {"h0": True, "unbatched": True}),
    "gru_bidirectional_batch_first": ("GRU", {"bidirectional": True, "batch_first": True}, {"h0": True}),
    "gru_2_layers_packed_unsorted": ("GRU", {"num_layers": 2}, {"packed": ([3, 5, 1], False), "h0": True}),
    "lstm_2_layers_bidirectional": ("LSTM", {"num_layers": 2, "bidirectional": True}, {"h0": True}),
    "lstm_bidirectional_packed_unsorted": ("LSTM", {"bidirectional": True, "batch_first": True},
                                           {"packed": ([2, 5, 5], False), "h0": True}),
    "lstm_proj_packed_sorted": ("LSTM", {"proj_size": 2, "num_layers": 2}, {"packed": ([5, 4, 2], True)}),
    "lstm_float32": ("LSTM", {"num_layers": 2}, {"dtype": "float32", "h0": True}),
}


def _seed(case: str) -> int:
    return 20261130 + sum(ord(c) * (i + 1) for i, c in enumerate(case))


def _shapes(case: str, nn: Any) -> dict[str, tuple[int, ...]]:
    """The parameter shapes of a case, read off a freshly made module of either library."""
    kind, kwargs, _ = CASES[case]
    module = getattr(nn, kind)(IN, HID, **kwargs)
    return {name: tuple(p.shape) for name, p in module.state_dict().items()}


def _round(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Multiples of 1/64: exact in float32 and float64, and they compress well in the reference file."""
    return (np.round(values * 64) / 64).astype(dtype)


def case_data(case: str) -> dict[str, np.ndarray]:
    """Parameters, input, initial states and output gradients of a case, from a seeded generator."""
    import minitorch.nn as mnn

    kind, kwargs, options = CASES[case]
    dtype = np.dtype(options.get("dtype", "float64"))
    rng = np.random.default_rng(_seed(case))
    data: dict[str, np.ndarray] = {}
    for name, shape in _shapes(case, mnn).items():
        data[f"param/{name}"] = _round(rng.uniform(-0.8, 0.8, shape), dtype)
    cell = kind.endswith("Cell")
    directions = 2 if kwargs.get("bidirectional") else 1
    layers = kwargs.get("num_layers", 1)
    h_size = kwargs.get("proj_size") or HID
    unbatched = options.get("unbatched", False)
    if cell:
        x_shape: tuple[int, ...] = (IN,) if unbatched else (N, IN)
        state_shapes = [(HID,) if unbatched else (N, HID)] * (2 if kind == "LSTMCell" else 1)
        out_shapes = state_shapes
    else:
        x_shape = (T, IN) if unbatched else ((N, T, IN) if kwargs.get("batch_first") else (T, N, IN))
        lead = (layers * directions,)
        state_shapes = [lead + ((h_size,) if unbatched else (N, h_size))]
        if kind == "LSTM":
            state_shapes.append(lead + ((HID,) if unbatched else (N, HID)))
        if "packed" in options:
            out_shapes = [(sum(options["packed"][0]), directions * h_size)] + state_shapes
        else:
            out_shapes = [x_shape[:-1] + (directions * h_size,)] + state_shapes
    data["x"] = _round(rng.normal(0.0, 1.0, x_shape), dtype)
    if options.get("h0"):
        for k, shape in enumerate(state_shapes):
            data[f"state0/{k}"] = _round(rng.normal(0.0, 0.5, shape), dtype)
    for k, shape in enumerate(out_shapes):
        data[f"grad_out/{k}"] = _round(rng.normal(0.0, 1.0, shape), dtype)
    return data


def run_case(side: SimpleNamespace, case: str, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Forward and backward of a case in either library: outputs, final states and all gradients."""
    kind, kwargs, options = CASES[case]
    dtype = options.get("dtype", "float64")
    if side.name == "torch":
        module = getattr(side.nn, kind)(IN, HID, **kwargs)
        module = module.double() if dtype == "float64" else module
    else:
        module = getattr(side.nn, kind)(IN, HID, dtype=np.dtype(dtype), **kwargs)
    params = dict(module.named_parameters())
    for name, p in params.items():
        side.set_values(p, data[f"param/{name}"])
    x = side.tensor(data["x"], requires_grad=True)
    states = [side.tensor(data[f"state0/{k}"], requires_grad=True) for k in range(2) if f"state0/{k}" in data]
    hx: Any = None
    if states:
        hx = states[0] if len(states) == 1 else tuple(states)
    if "packed" in options:
        lengths, enforce_sorted = options["packed"]
        inp = side.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=kwargs.get("batch_first", False),
                                                     enforce_sorted=enforce_sorted)
    else:
        inp = x
    result = module(inp, hx)
    if kind.endswith("Cell"):
        outputs = list(result) if isinstance(result, tuple) else [result]
    else:
        out, final = result
        outputs = [out.data if "packed" in options else out] + (list(final) if isinstance(final, tuple) else [final])
    loss = None
    for k, o in enumerate(outputs):
        term = (o * side.tensor(data[f"grad_out/{k}"])).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    record = {f"out/{k}": side.read(o) for k, o in enumerate(outputs)}
    record["grad/x"] = side.read(x.grad)
    for k, s in enumerate(states):
        record[f"grad/state0/{k}"] = side.read(s.grad)
    for name, p in params.items():
        record[f"grad/{name}"] = side.read(p.grad)
    record["state_dict_keys"] = np.array(list(module.state_dict()))
    return record


def _named(side: SimpleNamespace, name: str) -> SimpleNamespace:
    side.name = name
    return side


def torch_run(case: str, data: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    return run_case(_named(torch_side(), "torch"), case, case_data(case) if data is None else data)


def minitorch_run(case: str, data: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    return run_case(_named(minitorch_side(), "minitorch"), case, case_data(case) if data is None else data)


def pack(record: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A case's many small arrays as three (npz stores each array with a few hundred bytes of overhead):
    ``index`` ("name:shape:dtype" per array), ``values`` (all numbers, flat, float64) and ``keys``."""
    numbers = {k: v for k, v in record.items() if v.dtype.kind != "U"}
    index = [f"{k}:{','.join(map(str, v.shape))}:{v.dtype}" for k, v in numbers.items()]
    values = np.concatenate([v.astype(np.float64).reshape(-1) for v in numbers.values()])
    return {"index": np.array(index), "values": values, "keys": record["state_dict_keys"]}


def unpack(stored: dict[str, np.ndarray], case: str) -> dict[str, np.ndarray]:
    """The inverse of ``pack`` for one case of the reference file."""
    out, offset = {}, 0
    for entry in stored[f"{case}/index"]:
        name, shape_text, dtype = str(entry).split(":")
        shape = tuple(int(n) for n in shape_text.split(",") if n)
        size = int(np.prod(shape, dtype=np.int64))
        out[name] = stored[f"{case}/values"][offset:offset + size].reshape(shape).astype(dtype)
        offset += size
    out["state_dict_keys"] = stored[f"{case}/keys"]
    return out


def load() -> dict[str, np.ndarray]:
    with np.load(RNN_FILE, allow_pickle=False) as stored:
        return {key: stored[key] for key in stored.files if key != "torch_version"}


def main() -> int:
    import torch

    out: dict[str, np.ndarray] = {}
    for case in CASES:
        for key, value in pack({**case_data(case), **torch_run(case)}).items():
            out[f"{case}/{key}"] = value
    np.savez_compressed(RNN_FILE, torch_version=np.array(torch.__version__), **out)
    print(f"wrote {RNN_FILE.relative_to(HERE.parent.parent)} ({RNN_FILE.stat().st_size} bytes, torch {torch.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
