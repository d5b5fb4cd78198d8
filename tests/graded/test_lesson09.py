"""Graded tests for lesson 09 (losses and regularisation). Each test takes ``nb``, the notebook's namespace.

The learner's losses are built from ``minitorch.Tensor`` operations. Expected values come from
independent numpy formulas (``np.logaddexp`` for log-sum-exp and softplus, loops for the hinge,
``np.clip`` for Huber's gradient, ``softmax - onehot`` for cross-entropy's), never from the learner's
code; gradients are also checked with ``minitorch.testing.gradcheck`` (finite differences). Inputs
come from seeded generators and avoid the kinks of relu/abs, where a derivative is a convention.
"""

import numpy as np

import minitorch
from minitorch.course import Exercise, graded
from minitorch.testing import assert_close, gradcheck

EXERCISES = [
    Exercise("09.1", "logsumexp and log_softmax", points=3,
             hints=("log Σ eˣ overflows when x is large. Take out the largest score m first: log Σ eˣ = m + log"
                    " Σ e^(x − m), and every exponent is then ≤ 0. log_softmax is x minus that.",
                    "m = max over dim (a plain array, keepdims); out = log(sum(exp(x − m), dim, keepdim=True)) "
                    "+ m; drop the dim unless keepdim. log_softmax(x) = x − logsumexp(x, dim, keepdim=True).",
                    "return x - logsumexp(x, dim=dim, keepdim=True)")),
    Exercise("09.2", "Cross-entropy, by autograd and by hand", points=3, needs=("09.1",),
             hints=("Cross-entropy is the mean over samples of −log p(true class). By hand, its gradient with "
                    "respect to the logits is (softmax − one-hot of the target) / N.",
                    "autograd: log-probabilities with your log_softmax, pick each row's target entry "
                    "(integer-array indexing), negate, mean. By hand: p = softmax as an array; subtract 1 at "
                    "each row's target; divide by N.",
                    "return -logp[np.arange(len(targets)), targets].mean()")),
    Exercise("09.3", "Binary cross-entropy from logits", points=2,
             hints=("Rewrite −[y log σ(x) + (1−y) log(1−σ(x))] so that e is only ever raised to a non-positive "
                    "power: it equals max(x, 0) − x·y + log(1 + e^(−|x|)).",
                    "build that formula from tensor ops: relu for max(x, 0), abs, exp, log; then average.",
                    "(x.relu() - x * y + ((-x.abs()).exp() + 1).log()).mean()")),
    Exercise("09.4", "The Huber loss", points=2,
             hints=("Huber is quadratic for small residuals and linear (with slope delta) for large ones; "
                    "choose the piece per element with minitorch.where, so the gradient flows into the piece "
                    "that was chosen.",
                    "d = pred − target; where |d| < delta: ½d², else delta·(|d| − ½delta); mean.",
                    "minitorch.where(np.abs(d.data) < delta, 0.5 * d * d, delta * (d.abs() - 0.5 * "
                    "delta)).mean()")),
    Exercise("09.5", "The multi-class hinge", points=3,
             hints=("For each sample, every wrong class j whose score comes within `margin` of the true class's"
                    " score adds max(0, margin − s_y + s_j); the true class itself must not count. Divide by C,"
                    " then average over samples.",
                    "true = each row's true-class score as an (N, 1) column; hinge = relu(margin − true + "
                    "scores) times a mask that is 0 at each row's target; sum over classes, divide by C, mean "
                    "over samples.",
                    "true = scores[np.arange(N), targets].reshape(N, 1)")),
    Exercise("09.6", "L2 and L1 penalties", points=2,
             hints=("A penalty is a sum over all parameters of a tensor expression, so that backward() reaches "
                    "every weight: squares for L2, absolute values for L1.",
                    "total = 0; for each parameter w (loop once: it may be a generator), add the sum of w·w (or"
                    " |w|); return total.",
                    "total = total + (w * w).sum()")),
]


def rng(seed):
    return np.random.default_rng(seed)


def leaf(array):
    return minitorch.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def softmax(z):
    return np.exp(z - np.logaddexp.reduce(z, axis=-1, keepdims=True))


def away_from_zero(values, gap=0.05):
    """Values moved out of (-gap, gap), so that no relu/abs kink is within finite-difference reach."""
    return np.where(np.abs(values) < gap, np.sign(values + 1e-12) * gap * 2, values)


# ------------------------------------------------------------------------------------------- 09.1
@graded("09.1")
def test_logsumexp_matches_numpy_along_any_dim(nb):
    x = rng(0).normal(size=(4, 5)) * 3
    for dim in (-1, 0, 1):
        for keepdim in (False, True):
            got = nb.logsumexp(leaf(x), dim=dim, keepdim=keepdim)
            expected = np.logaddexp.reduce(x, axis=dim, keepdims=keepdim)
            assert_close(got, expected, rtol=1e-10, msg=f"logsumexp(x of shape (4, 5), dim={dim}, keepdim={keepdim})")
    assert_close(nb.log_softmax(leaf(x), dim=1), x - np.logaddexp.reduce(x, axis=1, keepdims=True), rtol=1e-10,
                 msg="log_softmax(x, dim=1)")


@graded("09.1", hint="Subtract the maximum before exp: with m = max(x), every exponent is <= 0 and one is 0.")
def test_logsumexp_and_log_softmax_are_exact_at_scores_of_1e4(nb):
    z = leaf([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    assert_close(nb.logsumexp(z, dim=1), [1e4, -1e4 + np.log(3)], rtol=1e-12, msg="logsumexp at scores of ±1e4")
    assert_close(nb.log_softmax(z, dim=1), [[0.0, -2e4, -1e4], [-np.log(3)] * 3], rtol=1e-12, atol=1e-9,
                 msg="log_softmax at scores of ±1e4")


@graded("09.1")
def test_gradient_of_logsumexp_is_the_softmax(nb):
    x = rng(1).normal(size=(3, 4)) * 2
    z = leaf(x)
    nb.logsumexp(z, dim=1).sum().backward()
    assert_close(z.grad, softmax(x), rtol=1e-9, msg="d/dx sum(logsumexp(x, dim=1)) should be softmax(x)")
    gradcheck(lambda t: nb.log_softmax(t, dim=0), leaf(x))


# ------------------------------------------------------------------------------------------- 09.2
@graded("09.2")
def test_cross_entropy_is_the_mean_negative_log_probability(nb):
    z = rng(2).normal(size=(6, 4)) * 2
    y = np.array([0, 3, 1, 1, 2, 0])
    expected = -np.mean(z[np.arange(6), y] - np.logaddexp.reduce(z, axis=1))
    assert_close(nb.cross_entropy(leaf(z), y), expected, rtol=1e-10, msg="cross_entropy on a batch of 6, 4 classes")


@graded("09.2", hint="The gradient of the mean over N samples is (softmax(z) - onehot(y)) / N, row by row.")
def test_cross_entropy_gradient_by_autograd_and_by_hand_is_softmax_minus_onehot(nb):
    z = rng(3).normal(size=(5, 3)) * 2
    y = np.array([2, 0, 1, 2, 2])
    expected = (softmax(z) - np.eye(3)[y]) / 5
    logits = leaf(z)
    nb.cross_entropy(logits, y).backward()
    assert_close(logits.grad, expected, rtol=1e-9, atol=1e-12, msg="autograd's gradient of cross_entropy")
    by_hand = nb.cross_entropy_grad(leaf(z), y)
    assert_close(np.asarray(getattr(by_hand, "data", by_hand)), expected, rtol=1e-9, atol=1e-12,
                 msg="cross_entropy_grad (the formula)")


@graded("09.2")
def test_cross_entropy_is_finite_and_exact_at_scores_of_1e4(nb):
    logits = leaf([[1e4, 0.0], [0.0, 1e4]])
    loss = nb.cross_entropy(logits, np.array([1, 1]))
    loss.backward()
    assert_close(loss, 5000.0, rtol=1e-12, msg="cross_entropy of [[1e4, 0], [0, 1e4]] with labels [1, 1]: (1e4 + 0) / 2")
    assert_close(logits.grad, [[0.5, -0.5], [0.0, 0.0]], atol=1e-12, msg="its gradient")


# ------------------------------------------------------------------------------------------- 09.3
@graded("09.3")
def test_bce_with_logits_matches_the_textbook_formula(nb):
    x = away_from_zero(rng(4).normal(size=(5, 3)) * 3)
    y = rng(5).random((5, 3))
    expected = np.mean(np.logaddexp(0, x) - x * y)  # -(y log σ(x) + (1 - y) log(1 - σ(x)))
    assert_close(nb.bce_with_logits(leaf(x), leaf(y)), expected, rtol=1e-10, msg="bce_with_logits")


@graded("09.3")
def test_bce_with_logits_gradient_is_sigmoid_minus_target(nb):
    x = away_from_zero(rng(6).normal(size=8) * 4)
    y = (rng(7).random(8) > 0.5).astype(float)
    logits = leaf(x)
    nb.bce_with_logits(logits, leaf(y)).backward()
    assert_close(logits.grad, (1 / (1 + np.exp(-x)) - y) / 8, rtol=1e-9, atol=1e-12,
                 msg="gradient of the mean bce_with_logits: (sigmoid(x) - y) / n")


@graded("09.3", hint="Use the form max(x, 0) - x y + log(1 + e^-|x|): sigmoid(50) is exactly 1 in float32, so "
                     "log(1 - sigmoid(x)) would be log(0).")
def test_bce_with_logits_is_finite_for_confident_float32_scores(nb):
    x = minitorch.tensor([1e4, -1e4, 50.0, -50.0], requires_grad=True)  # float32
    loss = nb.bce_with_logits(x, minitorch.tensor([1.0, 0.0, 0.0, 1.0]))
    loss.backward()
    assert_close(loss, 25.0, rtol=1e-6, msg="bce_with_logits at logits (1e4, -1e4, 50, -50), targets (1, 0, 0, 1)")
    assert_close(x.grad, [0.0, 0.0, 0.25, -0.25], atol=1e-6, msg="its gradient (sigmoid(x) - y) / 4")


# ------------------------------------------------------------------------------------------- 09.4
def huber_reference(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta))


@graded("09.4")
def test_huber_values_are_quadratic_inside_delta_and_linear_outside(nb):
    pred, target = rng(8).normal(size=(6, 2)) * 2, rng(9).normal(size=(6, 2))
    for delta in (1.0, 0.5, 3.0):
        expected = huber_reference(pred - target, delta).mean()
        assert_close(nb.huber_loss(leaf(pred), leaf(target), delta=delta), expected, rtol=1e-10,
                     msg=f"huber_loss with delta={delta}")


@graded("09.4", hint="minitorch.where sends the gradient to the chosen piece: d inside, delta * sign(d) outside.")
def test_huber_gradient_is_the_residual_clipped_to_delta(nb):
    d = rng(10).normal(size=12) * 3
    d = np.where(np.abs(np.abs(d) - 1.0) < 0.05, d * 1.2, d)  # stay off the kink at |d| = delta
    pred = leaf(d)
    nb.huber_loss(pred, leaf(np.zeros(12)), delta=1.0).backward()
    assert_close(pred.grad, np.clip(d, -1.0, 1.0) / 12, rtol=1e-9, atol=1e-12,
                 msg="gradient of the mean Huber loss: clip(d, -delta, delta) / n")


# ------------------------------------------------------------------------------------------- 09.5
def hinge_reference(s, y, margin):
    """Loss and gradient of mean_i sum_{j != y_i} max(0, margin - s[i, y_i] + s[i, j]) / C, with loops."""
    n, c = s.shape
    loss, grad = 0.0, np.zeros_like(s)
    for i in range(n):
        for j in range(c):
            if j != y[i] and margin - s[i, y[i]] + s[i, j] > 0:
                loss += (margin - s[i, y[i]] + s[i, j]) / (c * n)
                grad[i, j] += 1 / (c * n)
                grad[i, y[i]] -= 1 / (c * n)
    return loss, grad


@graded("09.5")
def test_hinge_value_and_gradient_match_the_definition(nb):
    for seed, margin in [(11, 1.0), (12, 2.5), (13, 0.3)]:
        s = rng(seed).normal(size=(6, 4))
        y = rng(seed + 100).integers(0, 4, size=6)
        loss, grad = hinge_reference(s, y, margin)
        kink = np.abs(margin - s[np.arange(6), y][:, None] + s)
        assert kink.min() > 1e-6, "test data too close to a kink"
        scores = leaf(s)
        got = nb.multi_margin_loss(scores, y, margin=margin)
        assert_close(got, loss, rtol=1e-10, msg=f"multi_margin_loss with margin {margin}")
        got.backward()
        assert_close(scores.grad, grad, rtol=1e-9, atol=1e-12, msg=f"gradient of multi_margin_loss (margin {margin})")


@graded("09.5", hint="Mask out j = y: max(0, margin - s_y + s_y) = margin would otherwise be added for every sample.")
def test_hinge_skips_the_true_class_and_is_zero_once_margins_are_met(nb):
    equal = leaf(np.zeros((2, 4)))
    assert_close(nb.multi_margin_loss(equal, np.array([0, 3])), 0.75, rtol=1e-12,
                 msg="all scores equal, 4 classes, margin 1: three competitors cost 1 each, / 4")
    scores = leaf([[3.0, 1.0, 0.5], [0.0, -2.0, 2.0]])
    loss = nb.multi_margin_loss(scores, np.array([0, 2]))
    loss.backward()
    assert_close(loss, 0.0, atol=1e-12, msg="every true score beats the others by more than the margin")
    assert_close(scores.grad, np.zeros((2, 3)), atol=1e-12, msg="and then the gradient is zero")


# ------------------------------------------------------------------------------------------- 09.6
@graded("09.6")
def test_penalties_sum_over_every_element_of_every_tensor(nb):
    a, b = rng(14).normal(size=(3, 2)), rng(15).normal(size=4)
    assert_close(nb.l2_penalty([leaf(a), leaf(b)]), (a**2).sum() + (b**2).sum(), rtol=1e-12, msg="l2_penalty")
    assert_close(nb.l1_penalty([leaf(a), leaf(b)]), np.abs(a).sum() + np.abs(b).sum(), rtol=1e-12, msg="l1_penalty")
    assert_close(nb.l2_penalty(t for t in [leaf(a), leaf(b)]), (a**2).sum() + (b**2).sum(), rtol=1e-12,
                 msg="l2_penalty of a generator (e.g. model.parameters())")


@graded("09.6", hint="Build the penalty from tensor operations so that backward() reaches the weights.")
def test_penalty_gradients_are_2w_and_sign_w(nb):
    a = away_from_zero(rng(16).normal(size=(2, 3)))
    w1, w2 = leaf(a), leaf(a)
    nb.l2_penalty([w1]).backward()
    assert_close(w1.grad, 2 * a, rtol=1e-12, msg="gradient of l2_penalty: 2w")
    nb.l1_penalty([w2]).backward()
    assert_close(w2.grad, np.sign(a), rtol=1e-12, msg="gradient of l1_penalty: sign(w)")
