"""Graded tests for lesson 13 (convolution). Each test takes ``nb``, the notebook's namespace.

Expected values never come from the learner's code: convolutions and im2col are compared with
``minitorch.nn.functional`` (``conv1d``, ``unfold``, ``max_pool1d``: checked against PyTorch in
tests/library/test_conv.py), gradients also with finite differences (``minitorch.testing.numerical_vjp``),
and the output size with counts worked out by hand.
"""

import numpy as np

import minitorch
import minitorch.nn.functional as F
from minitorch.course import Exercise, graded
from minitorch.testing import assert_close, numerical_vjp

EXERCISES = [
    Exercise("13.1", "Convolution by loops", points=3, hints=(
        "Pad first, then for every sample, output channel and output position add up weight times input over "
        "every input channel and every kernel tap. Where does tap j of output position t read? The window "
        "starts stride steps further for each output position, and its taps are dilation apart.",
        "xp = pad x with `padding` zeros on the last axis; L_out from the formula of section 3; for n, o, t: "
        "y[n, o, t] = b[o] (or 0) + sum over c, j of w[o, c, j] * xp[n, c, t*stride + j*dilation].",
        "y[n, o, t] += w[o, c, j] * xp[n, c, t * stride + j * dilation]   # inside the loops",
    )),
    Exercise("13.2", "The output-size formula", points=2, hints=(
        "How many input positions does a dilated kernel span, from its first tap to its last? How long is the "
        "padded input? Count the places the span fits, then keep every stride-th of them.",
        "fits = size + 2*padding - dilation*(kernel_size - 1); return (fits - 1) // stride + 1",
        "return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1",
    )),
    Exercise("13.3", "im2col", points=3, hints=(
        "For one kernel tap j, the values it sees at all output positions are one strided slice of the padded "
        "signal. Fill an array (N, C, K, L_out) tap by tap, then reshape it so that row c*K + j is tap j of "
        "channel c.",
        "xp = padded x; cols = empty (N, C, K, L_out); for j in range(K): cols[:, :, j, :] = xp[:, :, j*dilation : "
        "j*dilation + stride*(L_out - 1) + 1 : stride]; return cols.reshape(N, C*K, L_out)",
        "cols[:, :, j, :] = xp[:, :, j * dilation:j * dilation + stride * (out_len - 1) + 1:stride]",
    )),
    Exercise("13.4", "Convolution as one matrix product", points=2, hints=(
        "Flatten each output channel's kernels into one row: the weight becomes a matrix (O, C*K), in the same "
        "(channel, tap) order as im2col's rows. Then one product with the columns gives every output.",
        "cols = im2col_1d(x, K, stride, padding, dilation); y = W.reshape(O, C*K) @ cols; add b as a column "
        "(b[:, None]) if there is one.",
        "y = w.reshape(o, c * k) @ im2col_1d(x, k, stride, padding, dilation)",
    )),
    Exercise("13.5", "Conv backward", points=4, hints=(
        "Per sample the layer is Y = W cols + b, a linear layer: dW = sum over samples of G cols^T, db = G summed "
        "over samples and positions, dcols = W^T G. Then col2im: every column entry was a copy of one padded input "
        "value, so add it back there (add, not assign: windows overlap) and cut the padding off.",
        "cols = im2col_1d(...); dw = sum_n g[n] @ cols[n].T reshaped to w.shape; db = g.sum((0, 2)); dcols = "
        "(W^T @ g).reshape(N, C, K, L_out); dxp = zeros(N, C, L + 2p); for j: dxp[:, :, strided slice of tap j] "
        "+= dcols[:, :, j, :]; dx = dxp[:, :, p:p+L]",
        "dxp[:, :, j * dilation:j * dilation + stride * (out_len - 1) + 1:stride] += dcols[:, :, j, :]",
    )),
    Exercise("13.6", "Max-pooling forward and backward", points=3, hints=(
        "Forward: gather each window's K values side by side (K strided slices), take the position of the "
        "largest (an argmax picks the first on ties) and turn it into a position in the input. Backward: add each "
        "output's gradient at that position; two windows can share a maximum, so a plain assignment loses one.",
        "windows = stack of x[:, :, j : j + stride*(L_out-1) + 1 : stride] for j < K on a new last axis; arg = "
        "argmax(-1); out = the values at arg; idx = arange(L_out)*stride + arg. Backward: dx = zeros; np.add.at(dx, "
        "(n index, c index, idx), g).",
        "np.add.at(dx, (np.arange(n)[:, None, None], np.arange(c)[None, :, None], idx), g)",
    )),
]

CASES = [  # (N, C, L, O, K, stride, padding, dilation, bias)
    (1, 1, 9, 1, 3, 1, 0, 1, False),
    (2, 3, 11, 4, 3, 1, 1, 1, True),
    (2, 2, 13, 3, 4, 2, 2, 1, True),
    (1, 3, 15, 2, 3, 3, 1, 2, True),
    (3, 1, 8, 2, 5, 1, 2, 1, False),
    (2, 2, 10, 3, 1, 2, 0, 1, True),
]


def _case(i, n, c, length, o, k):
    rng = np.random.default_rng(100 + i)
    return rng.normal(size=(n, c, length)), rng.normal(size=(o, c, k)), rng.normal(size=o)


def _library_conv(x, w, b, stride, padding, dilation):
    bias = None if b is None else minitorch.tensor(b)
    return F.conv1d(minitorch.tensor(x), minitorch.tensor(w), bias, stride, padding, dilation).numpy()


def _describe(case):
    n, c, length, o, k, stride, padding, dilation, bias = case
    return (f"x {(n, c, length)}, w {(o, c, k)}, stride={stride}, padding={padding}, dilation={dilation}, "
            f"bias={'yes' if bias else 'None'}")


def _check_conv(fn, name):
    for i, case in enumerate(CASES):
        n, c, length, o, k, stride, padding, dilation, use_bias = case
        x, w, b = _case(i, n, c, length, o, k)
        b = b if use_bias else None
        got = np.asarray(fn(x, w, b, stride=stride, padding=padding, dilation=dilation))
        want = _library_conv(x, w, b, stride, padding, dilation)
        assert got.shape == want.shape, f"{name}, {_describe(case)}: output shape {got.shape}, expected {want.shape}"
        assert_close(got, want, rtol=1e-9, atol=1e-9, msg=f"{name}, {_describe(case)}")


# ------------------------------------------------------------------------------------------- 13.1
@graded("13.1", hint="Start from the defaults (stride 1, no padding, dilation 1) and check the output length.")
def test_loops_match_the_library_convolution_with_defaults(nb):
    x, w, _ = _case(0, 2, 3, 9, 4, 3)
    got = np.asarray(nb.conv1d_loops(x, w))
    want = _library_conv(x, w, None, 1, 0, 1)
    assert got.shape == want.shape, f"x (2, 3, 9), w (4, 3, 3): output shape {got.shape}, expected {want.shape}"
    assert_close(got, want, rtol=1e-9, atol=1e-9, msg="conv1d_loops with the defaults")


@graded("13.1", hint="Check where each tap reads: the window moves by stride per output position, and its taps "
                     "are dilation apart, all in the padded input.")
def test_loops_handle_bias_stride_padding_and_dilation(nb):
    _check_conv(nb.conv1d_loops, "conv1d_loops")


@graded("13.1")
def test_the_rise_kernel_gives_the_differences(nb):
    signal = np.array([[[0.0, 0.0, 1.0, 3.0, 3.0, 1.0]]])
    got = np.asarray(nb.conv1d_loops(signal, np.array([[[-1.0, 1.0]]])))
    assert np.allclose(got, [[[0.0, 1.0, 2.0, 0.0, -2.0]]]), f"kernel [-1, 1] on {signal.ravel()} gave {got.ravel()}"


# ------------------------------------------------------------------------------------------- 13.2
@graded("13.2")
def test_output_size_counts_by_hand(nb):
    # (size, k, stride, padding, dilation) -> positions, counted on paper
    for args, want in [((40, 5, 1, 2, 1), 40), ((40, 5, 2, 2, 1), 20), ((40, 5, 2, 2, 3), 16), ((7, 3, 1, 0, 1), 5),
                       ((7, 3, 2, 0, 1), 3), ((8, 3, 2, 0, 1), 3), ((5, 5, 1, 0, 1), 1), ((28, 3, 1, 1, 1), 28),
                       ((10, 2, 3, 1, 2), 4)]:
        got = nb.conv_output_size(*args)
        assert got == want, f"conv_output_size{args} = {got}, expected {want}"
        assert isinstance(got, (int, np.integer)), f"conv_output_size{args} should be an int, got {type(got).__name__}"


@graded("13.2")
def test_output_size_agrees_with_the_library(nb):
    for size, k, stride, padding, dilation in [(23, 4, 3, 2, 2), (9, 1, 4, 0, 1), (16, 3, 1, 1, 5)]:
        want = F.conv1d(minitorch.zeros(1, 1, size), minitorch.zeros(1, 1, k), None, stride, padding, dilation).shape[-1]
        got = nb.conv_output_size(size, k, stride, padding, dilation)
        assert got == want, f"size {size}, kernel {k}, stride {stride}, padding {padding}, dilation {dilation}: " \
                            f"got {got}, F.conv1d gives {want}"


# ------------------------------------------------------------------------------------------- 13.3
@graded("13.3", hint="Row c * K + j holds tap j of channel c: check the order of your reshape.")
def test_im2col_matches_unfold(nb):
    for i, case in enumerate(CASES):
        n, c, length, o, k, stride, padding, dilation, _ = case
        x, _, _ = _case(i, n, c, length, o, k)
        got = np.asarray(nb.im2col_1d(x, k, stride, padding, dilation))
        want = F.unfold(minitorch.tensor(x[:, :, None, :]), (1, k), dilation=(1, dilation), padding=(0, padding),
                        stride=(1, stride)).numpy()
        assert got.shape == want.shape, f"im2col_1d, {_describe(case)}: shape {got.shape}, expected {want.shape}"
        assert_close(got, want, rtol=0, atol=0, msg=f"im2col_1d, {_describe(case)}")


@graded("13.3")
def test_im2col_of_a_small_ramp(nb):
    got = np.asarray(nb.im2col_1d(np.arange(1.0, 6.0)[None, None], 3, stride=2, padding=1))
    want = [[[0.0, 2.0, 4.0], [1.0, 3.0, 5.0], [2.0, 4.0, 0.0]]]
    assert np.array_equal(got, want), f"[1..5], kernel 3, stride 2, padding 1: expected {want}, got {got.tolist()}"


# ------------------------------------------------------------------------------------------- 13.4
@graded("13.4")
def test_matmul_convolution_matches_the_library(nb):
    _check_conv(nb.conv1d_matmul, "conv1d_matmul")


@graded("13.4", hint="The result must not depend on a Python loop over samples or positions: one @ does it.")
def test_matmul_convolution_handles_a_larger_batch(nb):
    rng = np.random.default_rng(7)
    x, w, b = rng.normal(size=(32, 4, 50)), rng.normal(size=(6, 4, 5)), rng.normal(size=6)
    assert_close(np.asarray(nb.conv1d_matmul(x, w, b, stride=1, padding=2)), _library_conv(x, w, b, 1, 2, 1),
                 rtol=1e-9, atol=1e-9, msg="conv1d_matmul, x (32, 4, 50), w (6, 4, 5), padding 2")


# ------------------------------------------------------------------------------------------- 13.5
def _autograd_grads(x, w, g, stride, padding, dilation):
    xt, wt, bt = (minitorch.tensor(a, requires_grad=True) for a in (x, w, np.zeros(w.shape[0])))
    F.conv1d(xt, wt, bt, stride, padding, dilation).backward(minitorch.tensor(g))
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


@graded("13.5", hint="Check each of dx, dw, db separately: the message says which one is off.")
def test_backward_matches_autograd(nb):
    for i, case in enumerate(CASES):
        n, c, length, o, k, stride, padding, dilation, _ = case
        x, w, _ = _case(i, n, c, length, o, k)
        out_len = (length + 2 * padding - dilation * (k - 1) - 1) // stride + 1
        g = np.random.default_rng(200 + i).normal(size=(n, o, out_len))
        got = nb.conv1d_backward(x, w, g, stride=stride, padding=padding, dilation=dilation)
        for name, mine, want in zip(("dx", "dw", "db"), got, _autograd_grads(x, w, g, stride, padding, dilation)):
            mine = np.asarray(mine)
            assert mine.shape == want.shape, f"{name}, {_describe(case)}: shape {mine.shape}, expected {want.shape}"
            assert_close(mine, want, rtol=1e-8, atol=1e-9, msg=f"{name}, {_describe(case)}")


@graded("13.5", hint="With stride 1 and kernel 3 each input value is read by up to 3 windows: all three add.")
def test_backward_matches_finite_differences(nb):
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(2, 2, 7)), rng.normal(size=(3, 2, 3))
    g = rng.normal(size=(2, 3, 7))
    dx, dw, db = (np.asarray(a) for a in nb.conv1d_backward(x, w, g, stride=1, padding=1))

    def forward(x, w, b):
        return _library_conv(x, w, b, 1, 1, 1)

    want = numerical_vjp(forward, [x, w, np.zeros(3)], g)
    for name, mine, num in zip(("dx", "dw", "db"), (dx, dw, db), want):
        assert_close(mine, num, rtol=1e-5, atol=1e-6, msg=f"{name} vs finite differences (stride 1, padding 1)")


# ------------------------------------------------------------------------------------------- 13.6
POOL_CASES = [  # (x, kernel_size, stride)
    (np.array([[[1.0, 3.0, 3.0, 0.0, 2.0]]]), 2, 1),
    (np.array([[[2.0, 2.0, 1.0, 5.0, 5.0, 5.0, 0.0]]]), 3, 2),
    (np.random.default_rng(4).integers(0, 3, (2, 3, 10)).astype(float), 2, None),
    (np.random.default_rng(5).normal(size=(3, 2, 11)), 3, 1),
    (np.random.default_rng(6).integers(0, 2, (2, 2, 12)).astype(float), 4, 3),
]


@graded("13.6", hint="idx is a position in the input: the window's start (t * stride) plus the offset of its "
                     "maximum inside the window.")
def test_forward_matches_the_library_including_ties(nb):
    for x, k, stride in POOL_CASES:
        out, idx = nb.max_pool1d_forward(x, k, stride)
        want, want_idx = F.max_pool1d(minitorch.tensor(x), k, stride, return_indices=True)
        what = f"x of shape {x.shape}, kernel {k}, stride {stride}"
        assert np.asarray(out).shape == want.shape, f"{what}: output shape {np.asarray(out).shape}, expected {want.shape}"
        assert_close(np.asarray(out), want.numpy(), rtol=0, atol=0, msg=f"maxima, {what}")
        assert np.array_equal(np.asarray(idx), want_idx.numpy()), \
            f"{what}: positions {np.asarray(idx).tolist()}, expected {want_idx.numpy().tolist()} (first maximum on ties)"


@graded("13.6", hint="Overlapping windows can choose the same element: its gradient is the sum of theirs.")
def test_backward_matches_autograd_including_shared_maxima(nb):
    for i, (x, k, stride) in enumerate(POOL_CASES):
        xt = minitorch.tensor(x, requires_grad=True)
        out = F.max_pool1d(xt, k, stride)
        g = np.random.default_rng(300 + i).normal(size=out.shape)
        out.backward(minitorch.tensor(g))
        _, idx = nb.max_pool1d_forward(x, k, stride)
        got = np.asarray(nb.max_pool1d_backward(g, np.asarray(idx), x.shape[-1]))
        assert_close(got, xt.grad.numpy(), rtol=1e-12, atol=1e-12,
                     msg=f"input gradient, x of shape {x.shape}, kernel {k}, stride {stride}")
