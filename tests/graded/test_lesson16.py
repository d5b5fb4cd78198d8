"""Graded tests for lesson 16 (attention and a tiny transformer). Each test takes ``nb``, the notebook's namespace.

Expected values do not come from the learner's code: attention is compared with numpy written out here and
with ``F.scaled_dot_product_attention`` (itself checked against PyTorch in tests/library/test_attention.py),
the mask with ``np.tril``, the head reshapes with numpy's reshape/transpose, LayerNorm's backward with
``F.layer_norm`` and finite differences, and sampling with the same ``rng.choice`` draw made on probabilities
computed here. Each exercise is graded on its own: no test calls the learner's answer to another exercise.
"""

import math

import numpy as np

import minitorch
import minitorch.nn.functional as F
from minitorch.course import Exercise, graded
from minitorch.testing import assert_close, numerical_vjp

EXERCISES = [
    Exercise("16.1", "Scaled dot-product attention", points=3, hints=(
        "Compare every query with every key by a dot product (one matrix product with the keys transposed), divide "
        "by the square root of the feature size, turn each row into weights with a softmax over the keys, and "
        "average the values with those weights. Masked-out scores must become -inf before the softmax.",
        "scores = q @ (k with its last two dims swapped) / sqrt(d)\n"
        "if mask is given: scores = scores with -inf where mask is False\n"
        "weights = softmax(scores, over the last dim); return (weights @ v, weights)",
        "scores = scores.masked_fill(~np.asarray(mask), float('-inf'))",
    )),
    Exercise("16.2", "The causal mask", points=2, hints=(
        "Query i may look at key j exactly when j <= i: the lower triangle of a square matrix, diagonal included.",
        "start from a (T, T) boolean matrix of True and keep its lower triangle (numpy has a function for that)",
        "return np.tril(np.ones((T, T), dtype=bool))",
    )),
    Exercise("16.3", "Split and merge heads", points=2, hints=(
        "Splitting cuts the C features of each token into n_heads consecutive blocks, then moves the head axis in "
        "front of the token axis. Merging undoes the two steps in reverse order.",
        "split: (N, T, C) -reshape-> (N, T, h, C/h) -swap dims 1 and 2-> (N, h, T, C/h)\n"
        "merge: (N, h, T, D) -swap dims 1 and 2-> (N, T, h, D) -reshape-> (N, T, h*D)",
        "return x.reshape(N, T, n_heads, C // n_heads).transpose(1, 2)",
    )),
    Exercise("16.4", "LayerNorm's backward", points=3, hints=(
        "Scale the incoming gradient by the weight first (that is g-hat), then apply the formula per token: subtract "
        "its mean over the features and x-hat times the mean of g-hat * x-hat, and divide by the standard deviation "
        "(multiply by inv_std). The weight's gradient is g * x-hat and the bias's is g, summed over tokens — or "
        "returned in the output's shape for the engine to sum.",
        "g_hat = the output gradient scaled by the weight\n"
        "dx = inv_std times (g_hat minus its mean over the features minus x_hat times the mean of g_hat x_hat)\n"
        "return (dx, output gradient times x_hat, output gradient)",
        "dx = inv_std * (g_hat - g_hat.mean(-1, keepdims=True) - x_hat * (g_hat * x_hat).mean(-1, keepdims=True))",
    )),
    Exercise("16.5", "Sampling with temperature and top-k", points=3, hints=(
        "Temperature divides the logits; top-k keeps the k largest logits and makes the rest impossible; a stable "
        "softmax turns what is left into probabilities; then exactly one draw with rng.choice.",
        "z = logits / temperature\n"
        "if top_k: z = -inf wherever z is below the k-th largest value\n"
        "p = exp(z - max z) normalised to sum 1\nreturn one draw of rng.choice over the len(p) symbols with p, as an int",
        "z = np.where(z < np.sort(z)[-top_k], -np.inf, z)",
    )),
]


def _softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _qkv(seed, batch=(), L=4, S=5, d=6, dv=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=batch + (L, d)), rng.normal(size=batch + (S, d)), rng.normal(size=batch + (S, dv))


def _numpy_attention(q, k, v, allowed=None):
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    w = _softmax(scores)
    return w @ v, w


# ------------------------------------------------------------------------------------------- 16.1
@graded("16.1", hint="Divide the scores by sqrt(d), d = the last dimension of q, before the softmax.")
def test_attention_matches_softmax_of_scaled_scores_times_values(nb):
    q, k, v = _qkv(0)
    out, weights = nb.attention(minitorch.tensor(q), minitorch.tensor(k), minitorch.tensor(v))
    want_out, want_w = _numpy_attention(q, k, v)
    assert tuple(weights.shape) == (4, 5), f"weights should have shape (L, S) = (4, 5), got {tuple(weights.shape)}"
    assert_close(weights, want_w, rtol=1e-10, atol=1e-12, msg="attention weights for one (4, 6) query block")
    assert_close(out, want_out, rtol=1e-10, atol=1e-12, msg="attention output")


@graded("16.1", hint="Swap only the last two dimensions of k (k.mT), not all of them (k.T), so that leading batch "
                     "dimensions stay where they are.")
def test_attention_works_with_batch_and_head_dimensions(nb):
    q, k, v = _qkv(1, batch=(2, 3))
    out, _ = nb.attention(minitorch.tensor(q), minitorch.tensor(k), minitorch.tensor(v))
    want = F.scaled_dot_product_attention(minitorch.tensor(q), minitorch.tensor(k), minitorch.tensor(v))
    assert_close(out, want, rtol=1e-10, atol=1e-12, msg="attention on (2, 3, L, d) tensors vs F.scaled_dot_product_attention")


@graded("16.1", hint="The mask is True where attention is ALLOWED: fill the scores where it is False (~mask) with "
                     "-inf, before the softmax.")
def test_mask_hides_keys_and_weights_still_sum_to_one(nb):
    q, k, v = _qkv(2)
    allowed = np.random.default_rng(2).random((4, 5)) < 0.6
    allowed[:, 0] = True
    out, weights = nb.attention(minitorch.tensor(q), minitorch.tensor(k), minitorch.tensor(v), allowed)
    want_out, want_w = _numpy_attention(q, k, v, allowed)
    w = np.asarray(weights.numpy())
    assert (w[~allowed] == 0).all(), "masked-out keys must get weight exactly 0"
    assert_close(w.sum(-1), np.ones(4), rtol=1e-12, msg="each row of weights sums to 1 over the allowed keys")
    assert_close(out, want_out, rtol=1e-10, atol=1e-12, msg="masked attention output")


@graded("16.1", hint="Build everything from tensor operations (@, masked_fill, F.softmax) so that backward works.")
def test_gradients_flow_to_queries_keys_and_values(nb):
    q, k, v = _qkv(3, L=3, S=3, d=2, dv=2)
    allowed = np.tril(np.ones((3, 3), dtype=bool))
    ts = [minitorch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out, _ = nb.attention(*ts, allowed)
    g = np.random.default_rng(3).normal(size=out.shape)
    out.backward(g)
    numeric = numerical_vjp(lambda a, b, c: _numpy_attention(a, b, c, allowed)[0], [q, k, v], g)
    for name, t, n in zip("qkv", ts, numeric):
        assert t.grad is not None, f"no gradient reached {name}: compute the output from tensor operations on it"
        assert_close(t.grad, n, rtol=1e-5, atol=1e-7, msg=f"dL/d{name} vs finite differences")


# ------------------------------------------------------------------------------------------- 16.2
@graded("16.2")
def test_causal_mask_is_the_lower_triangle(nb):
    for T in (1, 2, 5):
        m = np.asarray(getattr(nb.causal_mask(T), "data", nb.causal_mask(T)))
        assert m.dtype == np.bool_, f"causal_mask({T}) should be a bool array, got dtype {m.dtype}"
        assert m.shape == (T, T), f"causal_mask({T}) should have shape ({T}, {T}), got {m.shape}"
        assert (m == np.tril(np.ones((T, T), dtype=bool))).all(), \
            f"causal_mask({T}) should be True exactly where key j <= query i; got\n{m.astype(int)}"


@graded("16.2", hint="With the right mask, changing the last token must not change any earlier output.")
def test_with_the_causal_mask_the_past_ignores_the_future(nb):
    q, k, v = _qkv(4, L=5, S=5)
    mask = np.asarray(getattr(nb.causal_mask(5), "data", nb.causal_mask(5)))
    before = F.scaled_dot_product_attention(minitorch.tensor(q), minitorch.tensor(k), minitorch.tensor(v),
                                            attn_mask=mask).numpy()
    k2, v2 = k.copy(), v.copy()
    k2[-1] += 5.0
    v2[-1] -= 5.0
    after = F.scaled_dot_product_attention(minitorch.tensor(q), minitorch.tensor(k2), minitorch.tensor(v2),
                                           attn_mask=mask).numpy()
    assert_close(after[:-1], before[:-1], rtol=1e-12, atol=1e-12,
                 msg="outputs of positions 0..3 after changing the key and value of position 4")


# ------------------------------------------------------------------------------------------- 16.3
@graded("16.3", hint="Cut the features into heads first (a reshape that keeps N and T in place), then swap the token "
                     "and head dimensions. A single reshape straight to the final shape would mix tokens.")
def test_split_heads_gives_each_head_its_block_of_features(nb):
    x = np.arange(2 * 3 * 8, dtype=np.float64).reshape(2, 3, 8)
    got = nb.split_heads(minitorch.tensor(x), 4)
    assert tuple(got.shape) == (2, 4, 3, 2), f"split_heads((2, 3, 8), 4) should be (2, 4, 3, 2), got {tuple(got.shape)}"
    assert_close(got, x.reshape(2, 3, 4, 2).transpose(0, 2, 1, 3), atol=0,
                 msg="head i should hold features 2i and 2i+1 of every token")


@graded("16.3", hint="merge_heads undoes split_heads in reverse order: swap the head and token dimensions back, then "
                     "reshape the heads' features into one row per token.")
def test_merge_heads_inverts_split_heads(nb):
    y = np.random.default_rng(5).normal(size=(2, 4, 3, 2))
    got = nb.merge_heads(minitorch.tensor(y))
    assert tuple(got.shape) == (2, 3, 8), f"merge_heads((2, 4, 3, 2)) should be (2, 3, 8), got {tuple(got.shape)}"
    assert_close(got, y.transpose(0, 2, 1, 3).reshape(2, 3, 8), atol=0, msg="merged features")
    x = minitorch.tensor(np.random.default_rng(6).normal(size=(1, 5, 12)), requires_grad=True)
    round_trip = nb.merge_heads(nb.split_heads(x, 3))
    assert_close(round_trip, x.numpy(), atol=0, msg="merge_heads(split_heads(x, 3)) == x")
    round_trip.backward(np.ones((1, 5, 12)))
    assert x.grad is not None and (x.grad.numpy() == 1).all(), "gradients should pass straight through the round trip"


# ------------------------------------------------------------------------------------------- 16.4
def _ln_case(seed, shape=(3, 4, 6)):
    rng = np.random.default_rng(seed)
    return (rng.normal(1.0, 2.0, shape), rng.normal(1.0, 0.5, shape[-1]), rng.normal(0.0, 0.5, shape[-1]),
            rng.normal(size=shape))


@graded("16.4", hint="dL/dx: scale g by the weight first; the two means in the formula are over each token's "
                     "features (the last axis, keeping it so they broadcast); multiply by inv_std at the end.")
def test_layer_norm_input_gradient_matches_the_library(nb):
    x, w, b, g = _ln_case(7)
    mine = [minitorch.tensor(a, requires_grad=True) for a in (x, w, b)]
    ref = [minitorch.tensor(a, requires_grad=True) for a in (x, w, b)]
    nb.layer_norm(*mine).backward(g)
    F.layer_norm(ref[0], (6,), ref[1], ref[2]).backward(g)
    assert mine[0].grad is not None, "no gradient for x: backward should return (dx, dweight, dbias)"
    assert_close(mine[0].grad, ref[0].grad, rtol=1e-9, atol=1e-11, msg="dL/dx vs F.layer_norm")


@graded("16.4", hint="The weight's gradient is the output gradient times x-hat and the bias's is the output gradient "
                     "itself, each summed over every token (or returned in the output's shape: the engine sums).")
def test_layer_norm_weight_and_bias_gradients(nb):
    x, w, b, g = _ln_case(8, shape=(5, 4))
    mine = [minitorch.tensor(a, requires_grad=True) for a in (x, w, b)]
    nb.layer_norm(*mine).backward(g)

    def ln(x, w, b):
        x_hat = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
        return x_hat * w + b

    numeric = numerical_vjp(ln, [x, w, b], g)
    for name, t, n in zip(("x", "weight", "bias"), mine, numeric):
        assert t.grad is not None, f"no gradient for {name}"
        assert_close(t.grad, n, rtol=1e-5, atol=1e-7, msg=f"dL/d{name} vs finite differences")


@graded("16.4", hint="Return exactly three arrays, (dx, dweight, dbias), in that order.")
def test_layer_norm_stays_one_graph_node(nb):
    x, w, b, g = _ln_case(9)
    ts = [minitorch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = nb.layer_norm(*ts)
    assert len(out._prev) == 3 and all(a is b for a, b in zip(out._prev, ts)), \
        "layer_norm should be one op whose inputs are (x, weight, bias)"
    out.backward(g)
    assert all(t.grad is not None and t.grad.shape == t.shape for t in ts), \
        "every input should get a gradient of its own shape"


# ------------------------------------------------------------------------------------------- 16.5
def _reference_probs(logits, temperature=1.0, top_k=None):
    z = np.asarray(logits, dtype=np.float64) / temperature
    if top_k is not None:
        z = np.where(z < np.sort(z)[-top_k], -np.inf, z)
    return _softmax(z)


_LOGITS = np.array([2.0, -1.0, 0.5, 3.0, 0.0, 1.5, -2.0])


@graded("16.5", hint="Divide the logits by the temperature first, and draw exactly once from the generator's choice "
                     "method with the probabilities passed as p; return a plain int.")
def test_sample_is_the_same_draw_as_rng_choice_on_the_right_probabilities(nb):
    for temperature, top_k in [(1.0, None), (0.5, None), (2.0, None), (1.0, 3), (0.7, 2)]:
        for seed in range(5):
            want = int(np.random.default_rng(seed).choice(len(_LOGITS), p=_reference_probs(_LOGITS, temperature, top_k)))
            got = nb.sample_next(_LOGITS, temperature=temperature, top_k=top_k, rng=np.random.default_rng(seed))
            assert isinstance(got, (int, np.integer)), f"sample_next should return an int, got {type(got).__name__}"
            assert int(got) == want, (f"temperature={temperature}, top_k={top_k}, seed {seed}: expected symbol {want}, "
                                      f"got {got}")


@graded("16.5", hint="top_k keeps the k largest logits; every other symbol gets probability exactly 0.")
def test_top_k_never_picks_outside_the_k_best(nb):
    rng = np.random.default_rng(0)
    best3 = set(np.argsort(_LOGITS)[-3:].tolist())
    picks = {int(nb.sample_next(_LOGITS, temperature=3.0, top_k=3, rng=rng)) for _ in range(300)}
    assert picks <= best3, f"with top_k=3 only symbols {sorted(best3)} may be drawn, got {sorted(picks)}"
    assert all(int(nb.sample_next(_LOGITS, top_k=1, rng=rng)) == 3 for _ in range(20)), "top_k=1 is the argmax"


@graded("16.5", hint="Subtract the maximum logit before exp: logits of 1000 must not overflow.")
def test_large_logits_and_low_temperature_are_stable(nb):
    big = _LOGITS * 500.0
    got = nb.sample_next(big, temperature=0.01, rng=np.random.default_rng(1))
    assert int(got) == 3, f"huge logits at a low temperature should pick the largest (symbol 3), got {got}"
