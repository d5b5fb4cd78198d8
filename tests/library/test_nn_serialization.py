"""minitorch.save / minitorch.load: checkpoints round-trip exactly, and never unpickle.

The security tests plant a payload that would create a directory if it were ever unpickled, and
first prove that the payload is live (numpy *with* pickle runs it) before checking that
minitorch.load refuses the file and the directory never appears.
"""

from __future__ import annotations

import io
import json
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import minitorch
from minitorch import nn
from minitorch.nn import functional as F
from minitorch.testing import assert_close


class Payload:
    """Unpickling this calls os.mkdir(path): the kind of thing a malicious checkpoint does."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return os.mkdir, (self.path,)


def make_model() -> nn.Module:
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    model[0].register_buffer("count", minitorch.tensor(7))
    return model


# ------------------------------------------------------------------------------------ round trips
def test_a_state_dict_round_trips_with_keys_order_dtypes_and_values(tmp_path):
    state = make_model().state_dict()
    path = tmp_path / "model.pt"
    minitorch.save(state, path)
    assert path.exists() and not (tmp_path / "model.pt.npz").exists(), "the file is written exactly at path"
    loaded = minitorch.load(path)
    assert isinstance(loaded, OrderedDict) and list(loaded) == list(state)
    for key, value in state.items():
        assert isinstance(loaded[key], minitorch.Tensor) and loaded[key].dtype == value.dtype, key
        assert np.array_equal(loaded[key].data, value.data), key
    fresh = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    fresh[0].register_buffer("count", minitorch.tensor(0))
    fresh.load_state_dict(loaded)
    x = minitorch.randn(4, 3)
    assert_close(fresh(x), make_model()(x), rtol=0, atol=0)


def test_nested_checkpoints_keep_every_python_type(tmp_path):
    obj = {
        "epoch": 3, "lr": 0.01, "best": float("inf"), "name": "run-1", "done": False, "note": None,
        "betas": (0.9, 0.999), "history": [1.5, 0.75], 0: "int key", (1, "a"): "tuple key",
        "array": np.arange(6, dtype=np.int32).reshape(2, 3), "scalar": np.float64(2.5),
        "param": nn.Parameter(minitorch.ones(2)), "frozen": minitorch.tensor([1.0], requires_grad=True),
    }
    buffer = io.BytesIO()
    minitorch.save(obj, buffer)
    buffer.seek(0)
    back = minitorch.load(buffer)
    assert set(back) == set(obj)
    for key in ("epoch", "lr", "best", "name", "done", "note", "betas", "history", 0, (1, "a")):
        assert back[key] == obj[key] and type(back[key]) is type(obj[key]), key
    assert back["array"].dtype == np.int32 and np.array_equal(back["array"], obj["array"])
    assert isinstance(back["scalar"], np.float64) and back["scalar"] == 2.5
    assert isinstance(back["param"], nn.Parameter) and back["param"].requires_grad
    assert type(back["frozen"]) is minitorch.Tensor and back["frozen"].requires_grad


def test_training_resumed_from_a_checkpoint_continues_exactly(tmp_path):
    x, y = minitorch.randn(16, 3), minitorch.randn(16, 2)

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            F.mse_loss(model(x), y).backward()
            opt.step()

    straight = make_model()
    opt = minitorch.optim.Adam(straight.parameters(), lr=0.01)
    train(straight, opt, 10)

    first = make_model()
    opt1 = minitorch.optim.Adam(first.parameters(), lr=0.01)
    train(first, opt1, 4)
    minitorch.save({"model": first.state_dict(), "optimizer": opt1.state_dict(), "step": 4}, tmp_path / "ckpt")
    checkpoint = minitorch.load(tmp_path / "ckpt")
    resumed = make_model()
    opt2 = minitorch.optim.Adam(resumed.parameters(), lr=0.01)
    resumed.load_state_dict(checkpoint["model"])
    opt2.load_state_dict(checkpoint["optimizer"])
    train(resumed, opt2, 10 - checkpoint["step"])
    for (name, a), b in zip(resumed.named_parameters(), straight.parameters()):
        assert_close(a, b, rtol=0, atol=0, msg=name)


def test_unsupported_objects_are_refused_naming_where_they_are(tmp_path):
    with pytest.raises(TypeError, match=r"cannot store a builtins\.set at obj\['opt'\]\[1\]"):
        minitorch.save({"opt": [1, {2}]}, tmp_path / "x")
    with pytest.raises(TypeError, match="dtype object"):
        minitorch.save(np.array([1, "a"], dtype=object), tmp_path / "x")


# ------------------------------------------------------------------------------------ no pickle, ever
def crafted_checkpoint(path, marker) -> None:
    """A file that looks like a minitorch checkpoint but whose array is a pickled Payload."""
    manifest = json.dumps({"format": "minitorch-checkpoint", "version": 1, "object": {"$ndarray": "0"}})
    with open(path, "wb") as f:
        np.savez(f, __minitorch__=np.array(manifest), **{"0": np.array([Payload(str(marker))], dtype=object)})


def test_a_crafted_pickle_payload_in_an_archive_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    crafted_checkpoint(tmp_path / "evil.npz", marker)
    with pytest.raises(ValueError, match="refusing .*crafted or damaged"):
        minitorch.load(tmp_path / "evil.npz")
    assert not marker.exists(), "the payload ran"
    # The payload is live: loading the same file with pickle allowed runs it.
    with np.load(tmp_path / "evil.npz", allow_pickle=True) as archive:
        archive["0"]
    assert marker.exists()


def test_a_plain_pickle_file_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "evil.pt").write_bytes(pickle.dumps({"weight": Payload(str(marker))}))
    with pytest.raises(ValueError, match="never unpickles"):
        minitorch.load(tmp_path / "evil.pt")
    assert not marker.exists(), "the payload ran"


@pytest.mark.torch
def test_live_a_torch_save_file_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.Linear(2, 2).state_dict(), tmp_path / "torch.pt")
    with pytest.raises(ValueError, match="not a minitorch checkpoint|without minitorch's"):
        minitorch.load(tmp_path / "torch.pt")


def test_damaged_or_foreign_files_are_clear_errors(tmp_path):
    np.save(tmp_path / "one.npy", np.ones(3))
    with pytest.raises(ValueError, match="single numpy array"):
        minitorch.load(tmp_path / "one.npy")
    np.savez(tmp_path / "plain.npz", w=np.ones(3))
    with pytest.raises(ValueError, match="without minitorch's '__minitorch__' entry"):
        minitorch.load(tmp_path / "plain.npz")
    for manifest, message in [({"format": "other"}, "unrecognised manifest"),
                              ({"format": "minitorch-checkpoint", "version": 99}, "version 99"),
                              ({"format": "minitorch-checkpoint", "version": 1, "object": {"$tensor": "7"}},
                               "missing array '7'"),
                              ({"format": "minitorch-checkpoint", "version": 1, "object": {"$eval": "1"}},
                               "structure is damaged")]:
        np.savez(tmp_path / "bad.npz", __minitorch__=np.array(json.dumps(manifest)))
        with pytest.raises(ValueError, match=message):
            minitorch.load(tmp_path / "bad.npz")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ValueError, match="not a minitorch checkpoint"):
        minitorch.load(tmp_path / "text.npz")
