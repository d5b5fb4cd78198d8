"""Training checkpoints: save after N epochs, load into fresh objects, continue -> the very same
numbers as a run that never stopped; the file holds no pickle; clear errors."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

import minitorch
from minitorch import nn, optim
from minitorch.data import DataLoader, TensorDataset
from minitorch.optim import lr_scheduler
from minitorch.training import EarlyStopping, load_checkpoint, save_checkpoint

_rng = np.random.default_rng(0)
X = _rng.normal(size=(60, 6)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.int64) + (X[:, 3] > 1)  # 3 classes

# name -> (optimizer factory, scheduler factory, step the scheduler per "epoch" or per "batch")
SETUPS = {
    "sgd_nesterov_steplr": (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
                            lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5), "epoch"),
    "adam_cosine": (lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
                    lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=6), "epoch"),
    "adamw_plateau": (lambda p: optim.AdamW(p, lr=0.01),
                      lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=0, factor=0.5), "epoch"),
    "rmsprop_onecycle": (lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
                         lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.05, total_steps=6 * 8), "batch"),
}


def build(setup: str, seed: int, loader_seed: int | None = 3):
    """Fresh model (with BatchNorm buffers and a Dropout that draws from the global generator),
    optimizer, scheduler and loader."""
    minitorch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    make_opt, make_sched, _ = SETUPS[setup]
    opt = make_opt(model.parameters())
    sched = make_sched(opt)
    loader = DataLoader(TensorDataset(X, Y), batch_size=8, shuffle=True, drop_last=True, seed=loader_seed)
    return model, opt, sched, loader


def train(setup: str, objects, epochs: int) -> None:
    model, opt, sched, loader = objects
    loss_fn = nn.CrossEntropyLoss()
    per_batch = SETUPS[setup][2] == "batch"
    for _ in range(epochs):
        model.train()
        total = 0.0
        for x, y in loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            total += loss.item()
            if per_batch:
                sched.step()
        if isinstance(sched, lr_scheduler.ReduceLROnPlateau):
            sched.step(total)
        elif not per_batch:
            sched.step()


def snapshot(objects) -> dict[str, np.ndarray]:
    """Every number that decides the future of the run."""
    model, opt, sched, _ = objects
    out = {f"model.{k}": np.array(v.data) for k, v in model.state_dict().items()}
    for index, state in opt.state_dict()["state"].items():
        for key, value in state.items():
            out[f"opt.{index}.{key}"] = np.array(value)
    out["lr"] = np.array([g["lr"] for g in opt.param_groups])
    out["sched.last_epoch"] = np.array(sched.last_epoch)
    return out


def assert_identical(got: dict[str, np.ndarray], want: dict[str, np.ndarray], what: str) -> None:
    assert got.keys() == want.keys(), f"{what}: different entries {sorted(got.keys() ^ want.keys())}"
    for key in want:
        assert got[key].dtype == want[key].dtype, f"{what}: {key} has dtype {got[key].dtype}, expected {want[key].dtype}"
        assert np.array_equal(got[key], want[key]), \
            f"{what}: {key} differs (max difference {np.max(np.abs(got[key].astype(float) - want[key])):.3g})"


@pytest.mark.parametrize("setup", SETUPS)
@pytest.mark.parametrize("loader_seed", [3, None], ids=["seeded_loader", "global_rng_loader"])
def test_resuming_from_a_checkpoint_is_bit_for_bit_identical_to_an_uninterrupted_run(setup, loader_seed, tmp_path):
    uninterrupted = build(setup, seed=0, loader_seed=loader_seed)
    train(setup, uninterrupted, 6)

    first_half = build(setup, seed=0, loader_seed=loader_seed)
    train(setup, first_half, 3)
    path = tmp_path / "ckpt.npz"
    model, opt, sched, loader = first_half
    save_checkpoint(path, epoch=3, model=model, optimizer=opt, scheduler=sched, loader=loader)

    minitorch.manual_seed(12345)  # the restored generator state must override whatever happened since
    resumed = build(setup, seed=99, loader_seed=loader_seed)  # different initial weights: all must be restored
    model, opt, sched, loader = resumed
    info = load_checkpoint(path, model=model, optimizer=opt, scheduler=sched, loader=loader)
    assert info["epoch"] == 3
    train(setup, resumed, 3)
    assert_identical(snapshot(resumed), snapshot(uninterrupted), f"{setup}: resumed vs uninterrupted")


def test_without_the_random_state_the_resumed_run_differs(tmp_path):
    # The negative control: Dropout masks come from the global generator, so skipping its restore
    # must change the result -- the identity above is not an accident of the setup.
    setup = "adam_cosine"
    uninterrupted = build(setup, seed=0)
    train(setup, uninterrupted, 4)
    half = build(setup, seed=0)
    train(setup, half, 2)
    model, opt, sched, loader = half
    save_checkpoint(tmp_path / "c.npz", epoch=2, model=model, optimizer=opt, scheduler=sched, loader=loader)
    minitorch.manual_seed(7)
    resumed = build(setup, seed=1)
    model, opt, sched, loader = resumed
    load_checkpoint(tmp_path / "c.npz", restore_rng=False, model=model, optimizer=opt, scheduler=sched, loader=loader)
    train(setup, resumed, 2)
    a, b = snapshot(resumed), snapshot(uninterrupted)
    assert not np.array_equal(a["model.0.weight"], b["model.0.weight"])


def test_checkpoint_is_a_plain_npz_without_pickled_objects(tmp_path):
    model, opt, sched, loader = build("adam_cosine", seed=0)
    train("adam_cosine", (model, opt, sched, loader), 1)
    path = tmp_path / "ckpt.npz"
    save_checkpoint(path, epoch=1, model=model, optimizer=opt, scheduler=sched, loader=loader)
    assert zipfile.is_zipfile(path)
    with np.load(path, allow_pickle=False) as stored:  # would raise on any object array
        dtypes = {stored[name].dtype.kind for name in stored.files}
    assert dtypes <= set("biufU"), f"only numbers and text may be stored, found dtype kinds {dtypes}"


def test_model_only_load_for_inference_and_extra_round_trips(tmp_path):
    model, opt, sched, loader = build("sgd_nesterov_steplr", seed=0)
    train("sgd_nesterov_steplr", (model, opt, sched, loader), 2)
    history = {"train_loss": [0.9, 0.5], "note": "two epochs"}
    save_checkpoint(tmp_path / "c.npz", epoch=2, extra=history, model=model, optimizer=opt)
    fresh = build("sgd_nesterov_steplr", seed=5)[0]
    info = load_checkpoint(tmp_path / "c.npz", model=fresh)
    assert info["extra"] == history
    x = minitorch.tensor(X[:5])
    assert np.array_equal(fresh.eval()(x).numpy(), model.eval()(x).numpy())


def test_early_stopping_state_and_best_weights_are_saved(tmp_path):
    model = nn.Linear(3, 2)
    stopper = EarlyStopping(patience=2, model=model)
    stopper.step(1.0)
    best = np.array(model.weight.data)
    model.weight.data += 1
    stopper.step(2.0)
    save_checkpoint(tmp_path / "c.npz", epoch=2, early_stopping=stopper)
    other = nn.Linear(3, 2)
    restored = EarlyStopping(patience=2, model=other)
    load_checkpoint(tmp_path / "c.npz", early_stopping=restored)
    assert (restored.best, restored.best_epoch, restored.bad_epochs) == (1.0, 0, 1)
    assert restored.step(3.0), "a second bad epoch in a row reaches patience 2"
    restored.restore_best()
    assert np.array_equal(other.weight.numpy(), best)


def test_errors_say_what_is_wrong(tmp_path):
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="nothing to save"):
        save_checkpoint(tmp_path / "a.npz", epoch=0)
    with pytest.raises(TypeError, match=r"model= is a list, which has no state_dict\(\)"):
        save_checkpoint(tmp_path / "a.npz", epoch=0, model=[1, 2])
    save_checkpoint(tmp_path / "a.npz", epoch=0, model=model)
    with pytest.raises(KeyError, match="has no 'optimizer'; it holds 'model'"):
        load_checkpoint(tmp_path / "a.npz", optimizer=optim.SGD(model.parameters(), lr=0.1))
    minitorch.save(model.state_dict(), tmp_path / "weights.npz")
    with pytest.raises(ValueError, match="was not written by save_checkpoint"):
        load_checkpoint(tmp_path / "weights.npz", model=model)
    with pytest.raises(RuntimeError, match="size mismatch"):
        load_checkpoint(tmp_path / "a.npz", model=nn.Linear(3, 2))
