"""Convolution, pooling, unfold/fold, pad and BatchNorm2d: against PyTorch, finite differences and
definitions written out in numpy.

The PyTorch numbers come from tests/references/conv_reference.npz, recorded from torch 2.13 by
tests/references/record_conv.py, which also drives both libraries through the same code (float64,
so 1e-10 is a tight tolerance). Tests marked ``torch`` rerun the comparison against a live PyTorch.
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_conv as R  # noqa: E402

import minitorch  # noqa: E402
import minitorch.nn.functional as F  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.testing import assert_close, gradcheck  # noqa: E402

TOL = {"rtol": 1e-9, "atol": 1e-10}


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(R.CONV_FILE, allow_pickle=False) as stored:
        return {key: stored[key] for key in stored.files}


def _compare(got: dict[str, np.ndarray], want: dict[str, np.ndarray], case: str) -> None:
    for key, value in want.items():
        if key == "g" or key.startswith("x"):
            continue
        assert key in got, f"{case}: minitorch gave no {key}"
        assert got[key].shape == value.shape, f"{case}: {key} has shape {got[key].shape}, PyTorch {value.shape}"
        if key == "indices":
            assert np.array_equal(got[key], value), f"{case}: max-pool indices {got[key]} differ from PyTorch's {value}"
        else:
            assert_close(got[key], value, msg=f"{case}: {key}", **TOL)


@pytest.mark.parametrize("case", list(R.CASES))
def test_matches_recorded_pytorch(case, reference):
    want = {key.split("/", 1)[1]: value for key, value in reference.items() if key.startswith(case + "/")}
    data = {key: value for key, value in want.items() if key.startswith("x")}
    _compare(R.run_case(case, *R.minitorch_library(), data, want["g"]), want, case)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # PyTorch's own performance note
@pytest.mark.parametrize("case", list(R.CASES))
def test_matches_live_pytorch(case):
    pytest.importorskip("torch")
    data = {key: value * 1.3 + 0.1 for key, value in R.case_data(case).items()}  # inputs the file has not seen
    want = R.run_case(case, *R.torch_library(), data)
    _compare(R.run_case(case, *R.minitorch_library(), data, want["g"]), want, case)


# ----------------------------------------------------------------------------- finite differences
def _leaf(rng: np.random.Generator, shape: tuple[int, ...]) -> minitorch.Tensor:
    return minitorch.tensor(rng.normal(size=shape), requires_grad=True)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 2), groups=st.sampled_from([1, 2]), cg=st.integers(1, 2), og=st.integers(1, 2),
       kh=st.integers(1, 3), kw=st.integers(1, 3), stride=st.tuples(st.integers(1, 3), st.integers(1, 2)),
       padding=st.one_of(st.tuples(st.integers(0, 2), st.integers(0, 1)), st.sampled_from(["same", "valid"])),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)), bias=st.booleans(), seed=st.integers(0, 99))
def test_conv2d_gradients_match_finite_differences(n, groups, cg, og, kh, kw, stride, padding, dilation, bias, seed):
    if padding == "same":
        stride = (1, 1)
    rng = np.random.default_rng(seed)
    h, w = dilation[0] * (kh - 1) + 1 + rng.integers(0, 3), dilation[1] * (kw - 1) + 1 + rng.integers(0, 3)
    inputs = [_leaf(rng, (n, groups * cg, h, w)), _leaf(rng, (groups * og, cg, kh, kw))]
    if bias:
        inputs.append(_leaf(rng, (groups * og,)))
    assert gradcheck(lambda *t: F.conv2d(*t, stride=stride, padding=padding, dilation=dilation, groups=groups), *inputs)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 3), groups=st.sampled_from([1, 3]), k=st.integers(1, 4), stride=st.integers(1, 3),
       padding=st.one_of(st.integers(0, 3), st.just("same")), dilation=st.integers(1, 3), seed=st.integers(0, 99))
def test_conv1d_gradients_match_finite_differences(n, groups, k, stride, padding, dilation, seed):
    if padding == "same":
        stride = 1
    rng = np.random.default_rng(seed)
    length = dilation * (k - 1) + 1 + int(rng.integers(0, 5))
    x, w, b = _leaf(rng, (n, groups, length)), _leaf(rng, (2 * groups, 1, k)), _leaf(rng, (2 * groups,))
    assert gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride=stride, padding=padding, dilation=dilation,
                                              groups=groups), x, w, b)


@settings(max_examples=25, deadline=None)
@given(k=st.tuples(st.integers(1, 3), st.integers(1, 3)), stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)), ceil_mode=st.booleans(), seed=st.integers(0, 99),
       kind=st.sampled_from(["max", "avg", "avg_exclude"]))
def test_pool2d_gradients_match_finite_differences(k, stride, dilation, ceil_mode, seed, kind):
    rng = np.random.default_rng(seed)
    if kind != "max":
        dilation = (1, 1)
    padding = tuple(int(rng.integers(0, (d * (kk - 1) + 1) // 2 + 1)) for kk, d in zip(k, dilation))
    size = tuple(d * (kk - 1) + 1 + int(rng.integers(0, 4)) for kk, d in zip(k, dilation))
    x = _leaf(rng, (2, 2) + size)  # continuous values: no ties, so the max is differentiable
    if kind == "max":
        fn = lambda t: F.max_pool2d(t, k, stride, padding, dilation, ceil_mode=ceil_mode)  # noqa: E731
    else:
        fn = lambda t: F.avg_pool2d(t, k, stride, padding, ceil_mode=ceil_mode,  # noqa: E731
                                    count_include_pad=kind == "avg")
    assert gradcheck(fn, x)


@settings(max_examples=20, deadline=None)
@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 9), st.integers(1, 9)),
       out=st.tuples(st.integers(1, 5), st.integers(1, 5)), seed=st.integers(0, 99))
def test_adaptive_avg_pool_gradients_match_finite_differences(shape, out, seed):
    x = _leaf(np.random.default_rng(seed), shape)
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, out), x)
    assert gradcheck(lambda t: F.adaptive_avg_pool1d(t.flatten(2), out[0]), x)


@settings(max_examples=25, deadline=None)
@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(2, 5), st.integers(2, 5)),
       pads=st.lists(st.integers(0, 4), min_size=4, max_size=4), mode=st.sampled_from(["constant", "reflect", "replicate", "circular"]),
       seed=st.integers(0, 99))
def test_pad_gradients_match_finite_differences(shape, pads, mode, seed):
    limit = {"reflect": (shape[3] - 1, shape[2] - 1), "circular": (shape[3], shape[2])}.get(mode, (4, 4))
    pads = [min(p, limit[i // 2]) for i, p in enumerate(pads)]
    if mode == "constant":
        pads[1] = -min(pads[1], shape[3] - 1)  # constant mode may also crop
    x = _leaf(np.random.default_rng(seed), shape)
    assert gradcheck(lambda t: F.pad(t, pads, mode=mode), x)


@settings(max_examples=25, deadline=None)
@given(k=st.tuples(st.integers(1, 3), st.integers(1, 3)), stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       padding=st.tuples(st.integers(0, 2), st.integers(0, 2)), dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
       extra=st.tuples(st.integers(0, 3), st.integers(0, 3)), seed=st.integers(0, 99))
def test_fold_is_the_adjoint_of_unfold_and_both_gradients_check(k, stride, padding, dilation, extra, seed):
    """<unfold(x), y> = <x, fold(y)> for every x and y: each is the other's transpose."""
    rng = np.random.default_rng(seed)
    size = tuple(d * (kk - 1) + 1 + e for kk, d, e in zip(k, dilation, extra))
    x = _leaf(rng, (2, 3) + size)
    args = dict(kernel_size=k, dilation=dilation, padding=padding, stride=stride)
    cols = F.unfold(x, **args)
    y = _leaf(rng, cols.shape)
    back = F.fold(y, size, **args)
    assert back.shape == x.shape
    assert np.isclose((cols.numpy() * y.numpy()).sum(), (x.numpy() * back.numpy()).sum(), rtol=1e-10)
    assert gradcheck(lambda t: F.unfold(t, **args), x)
    assert gradcheck(lambda t: F.fold(t, size, **args), y)


# ----------------------------------------------------------------------------- definitions by hand
def test_conv1d_is_the_cross_correlation_sum_written_as_loops():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 3, 11)), rng.normal(size=(4, 3, 3)), rng.normal(size=4)
    stride, padding, dilation = 2, 1, 2
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    out_len = (11 + 2 * padding - dilation * 2 - 1) // stride + 1
    want = np.zeros((2, 4, out_len))
    for n in range(2):
        for o in range(4):
            for t in range(out_len):
                want[n, o, t] = b[o] + sum(w[o, c, j] * xp[n, c, t * stride + j * dilation]
                                           for c in range(3) for j in range(3))
    got = F.conv1d(minitorch.tensor(x), minitorch.tensor(w), minitorch.tensor(b), stride, padding, dilation)
    assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_max_pool_tie_sends_the_whole_gradient_to_the_first_maximum_in_the_window():
    x = minitorch.tensor([[[1.0, 3.0, 3.0, 0.0, 2.0, 2.0]]], requires_grad=True)
    out, indices = F.max_pool1d(x, 2, return_indices=True)
    out.backward(minitorch.tensor([[[1.0, 10.0, 100.0]]]))  # windows [1, 3] [3, 0] [2, 2]
    assert indices.numpy().tolist() == [[[1, 2, 4]]]
    assert x.grad.numpy().tolist() == [[[0.0, 1.0, 10.0, 0.0, 100.0, 0.0]]]


def test_overlapping_max_pool_windows_add_their_gradients_on_a_shared_maximum():
    x = minitorch.tensor([[[0.0, 5.0, 1.0, 2.0]]], requires_grad=True)
    F.max_pool1d(x, 2, stride=1).sum().backward()  # windows [0,5] [5,1] [1,2]: 5 wins twice
    assert x.grad.numpy().tolist() == [[[0.0, 2.0, 0.0, 1.0]]]


def test_batchnorm2d_normalises_each_channel_over_batch_and_pixels():
    rng = np.random.default_rng(3)
    x = rng.normal(2.0, 3.0, (4, 3, 5, 6)).astype(np.float32)
    bn = nn.BatchNorm2d(3)
    out = bn(minitorch.tensor(x)).numpy()
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    want = (x - mean[:, None, None]) / np.sqrt(var[:, None, None] + 1e-5)
    assert_close(out, want, rtol=1e-4, atol=1e-4)
    m = 4 * 5 * 6
    assert_close(bn.running_var, 0.9 + 0.1 * var * m / (m - 1), rtol=1e-5, atol=1e-6)
    assert_close(bn.running_mean, 0.1 * mean, rtol=1e-5, atol=1e-6)
    bn.eval()
    want_eval = (x - bn.running_mean.numpy()[:, None, None]) / np.sqrt(bn.running_var.numpy()[:, None, None] + 1e-5)
    assert_close(bn(minitorch.tensor(x)), want_eval, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm2d_gradients_match_finite_differences(training):
    rng = np.random.default_rng(4)
    bn = nn.BatchNorm2d(2, dtype=np.float64)
    bn.weight.data[...] = rng.normal(1, 0.3, 2)
    bn.bias.data[...] = rng.normal(0, 0.3, 2)
    bn.running_var.data[...] = 2.0
    bn.train(training)
    bn.momentum = 0.0  # keep the running statistics fixed while finite differences call it many times
    assert gradcheck(lambda x: bn(x), _leaf(rng, (3, 2, 3, 2)))


# ----------------------------------------------------------------------------- modules
def test_conv_modules_have_pytorchs_parameter_layout_and_state_dict():
    conv = nn.Conv2d(6, 4, (3, 2), groups=2)
    assert {k: v.shape for k, v in conv.state_dict().items()} == {"weight": (4, 3, 3, 2), "bias": (4,)}
    conv1 = nn.Conv1d(3, 5, 4, bias=False)
    assert {k: v.shape for k, v in conv1.state_dict().items()} == {"weight": (5, 3, 4)}
    bn = nn.BatchNorm2d(4)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    for pool in (nn.MaxPool2d(2), nn.AvgPool1d(3), nn.AdaptiveAvgPool2d(1)):
        assert list(pool.state_dict()) == [] and list(pool.parameters()) == []


def test_conv_init_is_uniform_within_one_over_sqrt_fan_in():
    minitorch.manual_seed(0)
    conv = nn.Conv2d(8, 64, 3, groups=2)
    bound = 1 / np.sqrt(4 * 9)  # fan_in = in_channels / groups · kh · kw
    w, b = conv.weight.numpy(), conv.bias.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound, "weights should fill U(-bound, bound)"
    assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound, "the std of U(-b, b) is b / sqrt(3)"
    assert np.abs(b).max() <= bound


def test_module_forward_is_the_functional_with_the_modules_parameters():
    rng = np.random.default_rng(5)
    x = minitorch.tensor(rng.normal(size=(2, 4, 9, 8)).astype(np.float32))
    conv = nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=1, groups=2)
    assert_close(conv(x), F.conv2d(x, conv.weight, conv.bias, 2, 1, 1, 2), rtol=0, atol=0)
    assert_close(nn.MaxPool2d(3, 2, 1)(x), F.max_pool2d(x, 3, 2, 1), rtol=0, atol=0)
    assert_close(nn.AvgPool2d(2)(x), F.avg_pool2d(x, 2), rtol=0, atol=0)
    assert conv(x).dtype == np.float32


def test_padding_mode_pads_with_f_pad_before_the_convolution():
    rng = np.random.default_rng(6)
    x = minitorch.tensor(rng.normal(size=(1, 2, 5, 6)))
    conv = nn.Conv2d(2, 3, (3, 2), padding=(1, 2), padding_mode="reflect", dtype=np.float64)
    want = F.conv2d(F.pad(x, (2, 2, 1, 1), mode="reflect"), conv.weight, conv.bias)
    assert_close(conv(x), want, rtol=0, atol=0)


REPRS = [
    (lambda: nn.Conv2d(16, 32, 3, padding=1), "Conv2d(16, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"),
    (lambda: nn.Conv1d(4, 8, 5, padding="same", dilation=2, groups=2, bias=False, padding_mode="circular"),
     "Conv1d(4, 8, kernel_size=(5,), stride=(1,), padding=same, dilation=(2,), groups=2, bias=False, "
     "padding_mode=circular)"),
    (lambda: nn.MaxPool2d(2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    (lambda: nn.MaxPool1d(3, 1, 1), "MaxPool1d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=False)"),
    (lambda: nn.AvgPool2d(3, 2, 1), "AvgPool2d(kernel_size=3, stride=2, padding=1)"),
    (lambda: nn.AvgPool1d(2), "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))"),
    (lambda: nn.AdaptiveAvgPool2d((1, 1)), "AdaptiveAvgPool2d(output_size=(1, 1))"),
    (lambda: nn.AdaptiveAvgPool1d(4), "AdaptiveAvgPool1d(output_size=4)"),
    (lambda: nn.BatchNorm2d(8), "BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
]


@pytest.mark.parametrize("make, text", REPRS, ids=[text.split("(")[0] + str(i) for i, (_, text) in enumerate(REPRS)])
def test_repr_is_pytorchs(make, text):
    assert repr(make()) == text


@pytest.mark.torch
def test_reprs_were_copied_from_this_pytorch():
    torch = pytest.importorskip("torch")
    made = [torch.nn.Conv2d(16, 32, 3, padding=1),
            torch.nn.Conv1d(4, 8, 5, padding="same", dilation=2, groups=2, bias=False, padding_mode="circular"),
            torch.nn.MaxPool2d(2), torch.nn.MaxPool1d(3, 1, 1), torch.nn.AvgPool2d(3, 2, 1), torch.nn.AvgPool1d(2),
            torch.nn.AdaptiveAvgPool2d((1, 1)), torch.nn.AdaptiveAvgPool1d(4), torch.nn.BatchNorm2d(8)]
    assert [repr(m) for m in made] == [text for _, text in REPRS]


@pytest.mark.torch
def test_a_trained_cnn_state_dict_loads_into_pytorch_and_gives_the_same_outputs():
    torch = pytest.importorskip("torch")
    minitorch.manual_seed(0)
    mine = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 6, 3, groups=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                 torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 6, 3, groups=2), torch.nn.ReLU(),
                                 torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(6, 3))
    x = np.random.default_rng(7).normal(size=(5, 1, 8, 8)).astype(np.float32)
    mine(minitorch.tensor(x))  # one training-mode step moves BatchNorm's running statistics
    state = mine.state_dict()
    assert [(k, tuple(v.shape)) for k, v in state.items()] == [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    theirs.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in state.items()})
    mine.eval(), theirs.eval()
    with torch.no_grad():
        want = theirs(torch.from_numpy(x)).numpy()
    assert_close(mine(minitorch.tensor(x)), want, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("call, error, pattern", [
    (lambda: F.conv2d(minitorch.zeros(2, 3, 8, 8), minitorch.zeros(4, 2, 3, 3)), RuntimeError,
     r"weight of size \[4, 2, 3, 3\], expected input\[2, 3, 8, 8\] to have 2 channels, but got 3"),
    (lambda: F.conv2d(minitorch.zeros(8, 8), minitorch.zeros(4, 1, 3, 3)), RuntimeError,
     r"expected 3D \(unbatched\) or 4D \(batched\) input.*\(8, 8\)"),
    (lambda: F.conv1d(minitorch.zeros(1, 2, 4), minitorch.zeros(3, 2, 5)), RuntimeError, "kernel can't be greater"),
    (lambda: F.conv2d(minitorch.zeros(1, 4, 5, 5), minitorch.zeros(3, 2, 1, 1), groups=2), RuntimeError,
     "divisible by 2"),
    (lambda: F.conv2d(minitorch.zeros(1, 2, 5, 5), minitorch.zeros(3, 2, 1, 1), minitorch.zeros(2)), RuntimeError,
     "bias"),
    (lambda: F.conv1d(minitorch.zeros(1, 2, 5), minitorch.zeros(3, 2, 3), stride=2, padding="same"), RuntimeError,
     "padding='same' is not supported for strided"),
    (lambda: F.conv1d(minitorch.zeros(1, 2, 5), minitorch.zeros(3, 2, 3), padding="full"), RuntimeError,
     "invalid padding string"),
    (lambda: F.max_pool2d(minitorch.zeros(1, 1, 6, 6), 2, padding=2), RuntimeError,
     "pad should be at most half of effective kernel size"),
    (lambda: F.avg_pool1d(minitorch.zeros(1, 1, 2), 3), RuntimeError, "output would be empty"),
    (lambda: F.unfold(minitorch.zeros(1, 1, 2, 2), 3), RuntimeError, "kernel can't be greater"),
    (lambda: F.fold(minitorch.zeros(1, 6, 4), (3, 3), 2), RuntimeError, "divisible by the product of kernel_size"),
    (lambda: F.fold(minitorch.zeros(1, 4, 5), (3, 3), 2), RuntimeError, "last dimension to be 4"),
    (lambda: F.pad(minitorch.zeros(1, 2, 3), (3, 0), mode="reflect"), RuntimeError,
     "should be less than the corresponding input dimension"),
    (lambda: F.pad(minitorch.zeros(3), (1, 1), mode="reflect"), RuntimeError, "needs a 2D or 3D input"),
    (lambda: F.pad(minitorch.zeros(3), (1, 1, 1)), RuntimeError, "divisible by 2"),
    (lambda: F.pad(minitorch.zeros(1, 3), (1, 1), mode="reflect", value=2.0), RuntimeError, "doesn't take in a value"),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), ValueError, "in_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 3, 3, groups=2), ValueError, "out_channels must be divisible by groups"),
    (lambda: nn.Conv1d(2, 2, 3, stride=2, padding="same"), ValueError, "not supported for strided"),
    (lambda: nn.Conv1d(2, 2, 3, padding_mode="mirror"), ValueError, "padding_mode must be one of"),
    (lambda: nn.BatchNorm2d(3)(minitorch.zeros(2, 3, 4)), ValueError, r"expected 4D input of shape \(N, 3, H, W\)"),
])
def test_bad_input_is_a_clear_error(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


@pytest.mark.torch
@pytest.mark.parametrize("args, kwargs", [(((2, 3, 8, 8), (4, 2, 3, 3)), {}), (((8, 8), (4, 1, 3, 3)), {}),
                                          (((1, 2, 5, 5), (3, 2, 3, 3)), {"stride": 2, "padding": "same"}),
                                          (((1, 4, 5, 5), (3, 2, 1, 1)), {"groups": 2})])
def test_conv_errors_are_the_same_exception_classes_as_pytorchs(args, kwargs):
    torch = pytest.importorskip("torch")

    def raised(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            return type(e)
        return None

    theirs = raised(lambda: torch.nn.functional.conv2d(*(torch.zeros(s) for s in args), **kwargs))
    mine = raised(lambda: F.conv2d(*(minitorch.zeros(*s) for s in args), **kwargs))
    assert theirs is not None and mine is theirs, f"PyTorch raises {theirs}, minitorch {mine}"


# ----------------------------------------------------------------------------- memory
def test_the_im2col_columns_are_freed_after_backward():
    """The graph holds the columns (9× the input here) until backward; then they must go."""
    rng = np.random.default_rng(8)
    x = minitorch.tensor(rng.normal(size=(8, 8, 16, 16)).astype(np.float32), requires_grad=True)
    conv = nn.Conv2d(8, 8, 3, padding=1)
    cols_bytes = 8 * 9 * 8 * 16 * 16 * 4
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        loss = conv(x).sum()
        held = tracemalloc.get_traced_memory()[0] - before
        loss.backward()
        x.grad = None
        conv.zero_grad()
        after = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held >= cols_bytes, f"the graph should keep the columns ({cols_bytes} bytes), it holds {held}"
    assert after < cols_bytes / 4, f"{after} bytes still held after backward: the columns were not freed"


def test_max_pool_nan_and_all_minus_inf_windows_pick_what_pytorch_picks():
    """PyTorch 2.13's CPU kernel keeps a value when it is strictly larger or NaN (so the last NaN wins), and
    never looks at the padding (an all -inf window reports its first real element). Values printed by torch."""
    nan, inf = float("nan"), float("inf")
    out, idx = F.max_pool1d(minitorch.tensor([[[1.0, nan, 2.0, nan, 5.0, 3.0]]]), 4, stride=2, return_indices=True)
    assert np.isnan(out.numpy()).all() and idx.numpy().tolist() == [[[3, 3]]]
    out, idx = F.max_pool1d(minitorch.tensor([[[-inf, -inf, 1.0]]]), 2, stride=1, padding=1, return_indices=True)
    assert out.numpy().tolist() == [[[-inf, -inf, 1.0, 1.0]]] and idx.numpy().tolist() == [[[0, 0, 2, 2]]]
