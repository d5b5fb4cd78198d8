"""Graded tests for lesson 14 (CNNs). Each test takes ``nb``, the notebook's namespace.

Expected values never come from the learner's code: scanned MLPs are recomputed window by window with
numpy and the MLP's own ``Linear`` layers, receptive fields are counted by hand and measured with
autograd through ``minitorch.nn`` layers, and BatchNorm2d is compared with ``minitorch.nn.BatchNorm2d``
(checked against PyTorch in tests/library/test_conv.py).
"""

import numpy as np

import minitorch
from minitorch import nn
from minitorch.course import Exercise, graded
from minitorch.testing import assert_close

EXERCISES = [
    Exercise("14.1", "Scan an MLP along a signal", points=2, hints=(
        "Cut the window at each start position 0, stride, 2*stride, ... while it fits, flatten it to (N, C*window), "
        "run the MLP on it, and put the outputs side by side along a new last axis.",
        "outputs = [mlp(x[:, :, t : t + window].reshape(N, C * window)) for t in range(0, L - window + 1, stride)]; "
        "return minitorch.stack(outputs, dim=2)",
        "return minitorch.stack(outputs, dim=2)",
    )),
    Exercise("14.2", "The MLP as convolutions", points=2, hints=(
        "The first Linear becomes a Conv1d whose kernel is the window (same stride); a flattened window is ordered "
        "channel by channel, just like a Conv1d kernel (O, C, K). Every later Linear sees one position at a time: "
        "a Conv1d with kernel size 1. ReLUs stay as they are.",
        "for each layer: Linear -> Conv1d(in, out, window if first else 1, stride if first else 1) with weight = "
        "linear.weight reshaped to (out, in_channels, window) or (out, in, 1) and the same bias; ReLU -> ReLU.",
        "conv.weight.data[...] = layer.weight.numpy().reshape(out_features, in_channels, window)",
    )),
    Exercise("14.3", "A distributed scanning MLP as convolutions", points=3, hints=(
        "The second Linear sees span hidden vectors one after the other: its weight (O, span*H) is position-major. "
        "A Conv1d(H, O, span) kernel (O, H, span) is channel-major. Reshape, then swap the last two axes.",
        "conv1 as in 14.2 (kernel window, stride); conv2 = Conv1d(H, O, span, stride=span_stride) with weight = "
        "second.weight reshaped to (O, span, H), transposed to (O, H, span); biases copied.",
        "conv2.weight.data[...] = second.weight.numpy().reshape(out, span, hidden).transpose(0, 2, 1)",
    )),
    Exercise("14.4", "Receptive field", points=2, hints=(
        "Keep two numbers while walking up the layers: the field so far and the jump (input samples between "
        "neighbouring positions of the current layer). A layer widens the field by (kernel - 1) * dilation jumps; "
        "its stride multiplies the jump.",
        "field, jump = 1, 1; for k, s, d in layers: field += (k - 1) * d * jump; jump *= s; return field",
        "field += (kernel_size - 1) * dilation * jump",
    )),
    Exercise("14.5", "BatchNorm2d from tensor operations", points=3, hints=(
        "Lesson 12's BatchNorm, with one mean and one variance per channel taken over the batch and both spatial "
        "axes, N*H*W values each. The per-channel buffers and parameters must be reshaped to broadcast over "
        "an (N, C, H, W) input.",
        "training: mean = x.mean(dim=(0, 2, 3), keepdim=True); var = ((x - mean) ** 2).mean(same); update the "
        "running buffers with mean.data.reshape(C) and var.data.reshape(C) * m / (m - 1), m = N*H*W; count the "
        "batch. eval: the running buffers reshaped to (1, C, 1, 1). Both: normalise, then weight * x_hat + bias "
        "(reshaped).",
        "var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)",
    )),
]


def _mlp(seed, sizes):
    minitorch.manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
    return nn.Sequential(*layers)


def _scan_by_hand(x, mlp, window, stride):
    """Apply ``mlp`` to each window, one numpy slice at a time: (N, O, T)."""
    n, c, length = x.shape
    columns = []
    for start in range(0, length - window + 1, stride):
        piece = minitorch.tensor(x[:, :, start:start + window].reshape(n, c * window))
        columns.append(mlp(piece).numpy())
    return np.stack(columns, axis=2)


SCAN_CASES = [  # (N, C, L, window, stride, sizes after the input)
    (2, 1, 20, 5, 1, (6, 3)),
    (3, 2, 17, 4, 3, (5,)),
    (1, 3, 30, 6, 2, (8, 4, 2)),
]


# ------------------------------------------------------------------------------------------- 14.1
@graded("14.1", hint="Check the number of positions: the last window must still fit into the signal.")
def test_scan_matches_window_by_window(nb):
    for i, (n, c, length, window, stride, sizes) in enumerate(SCAN_CASES):
        mlp = _mlp(i, (c * window,) + sizes)
        x = np.random.default_rng(i).normal(size=(n, c, length)).astype(np.float32)
        got = nb.scan_mlp(minitorch.tensor(x), mlp, window, stride)
        want = _scan_by_hand(x, mlp, window, stride)
        what = f"x {(n, c, length)}, window {window}, stride {stride}"
        assert isinstance(got, minitorch.Tensor), f"{what}: return a minitorch Tensor, got {type(got).__name__}"
        assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
        assert_close(got, want, rtol=1e-5, atol=1e-6, msg=what)


@graded("14.1", hint="Build the result from tensor operations on x (slicing, reshape, stack): no numpy in between.")
def test_gradients_flow_to_the_shared_weights(nb):
    mlp = _mlp(5, (4, 3, 2))
    x = np.random.default_rng(5).normal(size=(2, 1, 10)).astype(np.float32)
    nb.scan_mlp(minitorch.tensor(x), mlp, 4, 2).sum().backward()
    first = mlp[0]
    assert first.weight.grad is not None, "no gradient reached the MLP's first weight"
    want = np.zeros((3, 4))
    for start in range(0, 7, 2):  # the same weights at 4 positions: their gradients add up
        piece = minitorch.tensor(x[:, :, start:start + 4].reshape(2, 4))
        h = first(piece).numpy()
        g_hidden = (h > 0) * mlp[2].weight.numpy().sum(axis=0)
        want += g_hidden.T @ piece.numpy()
    assert_close(first.weight.grad, want, rtol=1e-4, atol=1e-5, msg="dL/dW of the first layer, summed over positions")


# ------------------------------------------------------------------------------------------- 14.2
@graded("14.2", hint="The flattened window is (channel, tap) ordered: reshape the weight to (out, in_channels, window).")
def test_conv_stack_computes_the_scanning_mlp(nb):
    for i, (n, c, length, window, stride, sizes) in enumerate(SCAN_CASES):
        mlp = _mlp(10 + i, (c * window,) + sizes)
        x = np.random.default_rng(10 + i).normal(size=(n, c, length)).astype(np.float32)
        convs = nb.mlp_to_conv(mlp, c, window, stride)
        what = f"x {(n, c, length)}, window {window}, stride {stride}, MLP sizes {(c * window,) + sizes}"
        got = convs(minitorch.tensor(x))
        want = _scan_by_hand(x, mlp, window, stride)
        assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
        assert_close(got, want, rtol=1e-5, atol=1e-6, msg=what)


@graded("14.2")
def test_conv_stack_is_made_of_conv1d_with_the_mlps_parameter_count(nb):
    mlp = _mlp(3, (2 * 5, 7, 3))
    convs = nb.mlp_to_conv(mlp, 2, 5, 2)
    kinds = [type(m).__name__ for m in convs]
    assert kinds == ["Conv1d", "ReLU", "Conv1d"], f"expected Conv1d, ReLU, Conv1d; got {kinds}"
    assert convs[0].weight.shape == (7, 2, 5) and convs[0].stride == (2,), \
        f"first conv: weight {convs[0].weight.shape}, stride {convs[0].stride}; expected (7, 2, 5) and (2,)"
    assert convs[2].weight.shape == (3, 7, 1), f"second conv weight {convs[2].weight.shape}, expected (3, 7, 1)"


# ------------------------------------------------------------------------------------------- 14.3
def _distributed_by_hand(x, first, second, window, stride, span, span_stride):
    n, c, length = x.shape
    hidden = []
    for start in range(0, length - window + 1, stride):
        piece = minitorch.tensor(x[:, :, start:start + window].reshape(n, c * window))
        hidden.append(np.maximum(first(piece).numpy(), 0))          # (N, H) per position
    out = []
    for start in range(0, len(hidden) - span + 1, span_stride):
        joined = np.concatenate(hidden[start:start + span], axis=1)  # [h_t, h_t+1, ...]
        out.append(second(minitorch.tensor(joined)).numpy())
    return np.stack(out, axis=2)


@graded("14.3", hint="If it works for span=1 but not beyond, look at the order of the second weight's columns.")
def test_distributed_conv_stack_matches_the_scan(nb):
    for i, (n, c, length, window, stride, hidden, span, span_stride, out) in enumerate(
            [(2, 1, 40, 8, 2, 6, 3, 1, 4), (1, 2, 30, 4, 2, 5, 2, 2, 3), (3, 1, 25, 5, 1, 4, 1, 1, 2)]):
        minitorch.manual_seed(20 + i)
        first, second = nn.Linear(c * window, hidden), nn.Linear(span * hidden, out)
        x = np.random.default_rng(20 + i).normal(size=(n, c, length)).astype(np.float32)
        stack = nb.distributed_to_conv(first, second, c, window, stride, span, span_stride)
        want = _distributed_by_hand(x, first, second, window, stride, span, span_stride)
        got = stack(minitorch.tensor(x))
        what = f"x {(n, c, length)}, window {window}/stride {stride}, hidden {hidden}, span {span}/stride {span_stride}"
        assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
        assert_close(got, want, rtol=1e-5, atol=1e-6, msg=what)


# ------------------------------------------------------------------------------------------- 14.4
@graded("14.4")
def test_receptive_fields_counted_by_hand(nb):
    for layers, want in [([(3, 1, 1)], 3), ([(3, 1, 1), (3, 1, 1)], 5), ([(5, 1, 1), (2, 2, 1)], 6),
                         ([(3, 2, 1), (3, 2, 1), (3, 2, 1)], 15), ([(3, 1, 2), (3, 1, 4)], 13), ([], 1),
                         ([(8, 2, 1), (3, 1, 1)], 12), ([(1, 4, 1), (2, 1, 1)], 5)]:
        got = nb.receptive_field(layers)
        assert got == want, f"receptive_field({layers}) = {got}, expected {want}"


@graded("14.4", hint="A stride does not widen the field of its own layer; it multiplies the jump for the layers above.")
def test_receptive_field_matches_the_gradient_measured_by_autograd(nb):
    for layers in [[(5, 1, 1), (2, 2, 1), (3, 1, 1), (2, 2, 1), (3, 1, 1)], [(3, 2, 1), (3, 1, 2), (4, 3, 1)]]:
        net = nn.Sequential(*[nn.Conv1d(1, 1, k, stride=s, dilation=d, bias=False, dtype=np.float64)
                              for k, s, d in layers])
        for conv in net:
            conv.weight.data[...] = 1.0
        x = minitorch.tensor(np.ones((1, 1, 64)), requires_grad=True)
        net(x)[0, 0, 1].backward()
        reached = np.flatnonzero(x.grad.numpy()[0, 0])
        want = reached.max() - reached.min() + 1
        assert nb.receptive_field(layers) == want, f"receptive_field({layers}) = {nb.receptive_field(layers)}, " \
                                                   f"but a gradient from one output reaches {want} inputs"


# ------------------------------------------------------------------------------------------- 14.5
def _twins(nb, channels, seed):
    rng = np.random.default_rng(seed)
    mine, ref = nb.BatchNorm2d(channels), nn.BatchNorm2d(channels)
    weight, bias = rng.normal(1.0, 0.5, channels), rng.normal(0.0, 0.5, channels)
    for layer in (mine, ref):
        layer.weight.data[...] = weight
        layer.bias.data[...] = bias
    return mine, ref


@graded("14.5", hint="Training mode uses the batch's mean and *biased* variance, per channel, over the batch and both spatial axes.")
def test_training_output_and_gradients_match_batchnorm2d(nb):
    mine, ref = _twins(nb, 3, 0)
    rng = np.random.default_rng(1)
    x = rng.normal(2.0, 3.0, (4, 3, 5, 6)).astype(np.float32)
    g = rng.normal(size=x.shape).astype(np.float32)
    x_mine, x_ref = minitorch.tensor(x, requires_grad=True), minitorch.tensor(x, requires_grad=True)
    out_mine, out_ref = mine(x_mine), ref(x_ref)
    assert_close(out_mine, out_ref, rtol=1e-4, atol=1e-4, msg="output in training mode (vs nn.BatchNorm2d)")
    out_mine.backward(minitorch.tensor(g))
    out_ref.backward(minitorch.tensor(g))
    assert x_mine.grad is not None, "no gradient reached the input: build the output from tensor operations on x"
    assert_close(x_mine.grad, x_ref.grad, rtol=1e-3, atol=1e-4, msg="dL/dx in training mode")
    assert_close(mine.weight.grad, ref.weight.grad, rtol=1e-3, atol=1e-3, msg="dL/dweight")
    assert_close(mine.bias.grad, ref.bias.grad, rtol=1e-4, atol=1e-3, msg="dL/dbias")


@graded("14.5", hint="The running variance uses the unbiased variance with m = N * H * W values per channel.")
def test_running_statistics_and_eval_mode_match_batchnorm2d(nb):
    mine, ref = _twins(nb, 2, 2)
    rng = np.random.default_rng(3)
    for step in range(3):
        x = minitorch.tensor(rng.normal(1.0 + step, 2.0, (3, 2, 4, 4)).astype(np.float32))
        mine(x), ref(x)
    assert_close(mine.running_mean, ref.running_mean, rtol=1e-5, atol=1e-5, msg="running_mean after 3 batches")
    assert_close(mine.running_var, ref.running_var, rtol=1e-5, atol=1e-5, msg="running_var after 3 batches")
    assert int(mine.num_batches_tracked.item()) == 3, "num_batches_tracked should count the 3 training batches"
    mine.eval(), ref.eval()
    x = minitorch.tensor(rng.normal(size=(1, 2, 3, 3)).astype(np.float32))
    before = mine.running_mean.numpy().copy()
    assert_close(mine(x), ref(x), rtol=1e-4, atol=1e-5, msg="eval mode (a batch of one image)")
    assert np.array_equal(mine.running_mean.numpy(), before), "eval mode must not change the running statistics"
