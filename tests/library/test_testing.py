"""minitorch.testing: assert_close reports what differs; gradcheck catches wrong gradients."""

import math

import numpy as np
import pytest

from minitorch import Value
from minitorch.testing import assert_close, gradcheck, numerical_gradient, numerical_vjp


def test_assert_close_accepts_values_within_tolerance():
    assert_close(1.0 + 1e-9, 1.0)
    assert_close([1.0, 2.0], np.array([1.0, 2.0 + 1e-7]), rtol=1e-6)
    assert_close(Value(3.0), 3.0)
    assert_close(float("nan"), float("nan"))  # NaN where NaN is expected is a match


def test_assert_close_scalar_message_says_got_expected_and_prefix():
    with pytest.raises(AssertionError, match=r"^the answer: got 1\.5, expected 2 \(difference 0\.5"):
        assert_close(1.5, 2.0, msg="the answer")


def test_assert_close_array_message_names_the_first_bad_index():
    with pytest.raises(AssertionError, match=r"2 of 4 values differ; first at index \(0, 1\): got 5, expected 2"):
        assert_close([[1.0, 5.0], [3.0, 9.0]], [[1.0, 2.0], [3.0, 4.0]])


def test_assert_close_rejects_a_shape_mismatch():
    with pytest.raises(AssertionError, match=r"shape \(3,\) differs from the expected shape \(2,\)"):
        assert_close([1.0, 2.0, 3.0], [1.0, 2.0])


def test_assert_close_respects_atol_and_rtol():
    assert_close(100.5, 100.0, rtol=0.01)
    with pytest.raises(AssertionError):
        assert_close(100.5, 100.0, rtol=1e-3)
    assert_close(0.01, 0.0, atol=0.02)
    with pytest.raises(AssertionError):
        assert_close(0.01, 0.0, atol=1e-3)


def test_numerical_gradient_matches_known_derivatives():
    got = numerical_gradient(lambda v: math.sin(v[0]) * v[1] ** 2, [0.3, -1.2])
    assert_close(got, [math.cos(0.3) * 1.44, 2 * -1.2 * math.sin(0.3)], atol=1e-8)


def test_gradcheck_passes_for_correct_gradients():
    assert gradcheck(lambda a, b: (a * b).tanh() + b.exp() / a, 0.7, -0.4) is True
    assert gradcheck(lambda a: a.sigmoid() ** 2, Value(1.3)) is True  # a Value input: its .data is used


def _square_with_a_wrong_gradient(x: Value) -> Value:
    # forward x^2, but claims d/dx = x (the true derivative is 2x)
    return Value(x.data**2, (x,), "bad", _local_grads=(x.data,))


def test_gradcheck_names_the_input_whose_gradient_is_wrong():
    with pytest.raises(AssertionError, match=r"gradient of input 1 \(x1 = 3\) is wrong: autograd says 3, "
                                             r"finite differences say 6"):
        gradcheck(lambda a, b: a + _square_with_a_wrong_gradient(b), 1.0, 3.0)


def test_gradcheck_can_return_false_instead_of_raising():
    assert gradcheck(_square_with_a_wrong_gradient, 2.0, raise_exception=False) is False


def test_gradcheck_requires_fn_to_return_a_value():
    with pytest.raises(TypeError, match="gradcheck: fn must return a Value, got float"):
        gradcheck(lambda a: a.data * 2, 1.0)


def test_numerical_vjp_matches_the_matmul_rule():
    # For C = A @ B and upstream G: dL/dA = G B^T, dL/dB = A^T G (derived by hand, not by autograd).
    rng = np.random.default_rng(0)
    A, B, G = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    dA, dB = numerical_vjp(lambda a, b: a @ b, [A, B], G)
    np.testing.assert_allclose(dA, G @ B.T, atol=1e-7)
    np.testing.assert_allclose(dB, A.T @ G, atol=1e-7)
    (only_b,) = numerical_vjp(lambda a, b: a @ b, [A, B], G, wrt=[1])
    np.testing.assert_allclose(only_b, A.T @ G, atol=1e-7)


def test_numerical_vjp_leaves_its_inputs_unchanged():
    x = np.array([1.0, 2.0])
    numerical_vjp(np.sin, [x], np.ones(2))
    assert x.tolist() == [1.0, 2.0]
