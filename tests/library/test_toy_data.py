"""minitorch.data toy sets: shapes, dtypes, labels, determinism, geometry, and clear errors."""

import numpy as np
import pytest

from minitorch.data import make_circles, make_moons, make_spirals

MAKERS = {"moons": make_moons, "circles": make_circles, "spirals": make_spirals}


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("n", [2, 7, 100])
def test_shapes_dtypes_and_balanced_labels(name, n):
    X, y = MAKERS[name](n, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float64, f"X: expected ({n}, 2) float64, got {X.shape} {X.dtype}"
    assert y.shape == (n,) and y.dtype == np.int64, f"y: expected ({n},) int64, got {y.shape} {y.dtype}"
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1, f"classes should be balanced, got counts {counts}"


@pytest.mark.parametrize("name", MAKERS)
def test_same_seed_same_points_different_seed_different_points(name):
    X1, y1 = MAKERS[name](50, seed=3)
    X2, y2 = MAKERS[name](50, seed=3)
    X3, _ = MAKERS[name](50, seed=4)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2), "the same seed must give the same data"
    assert not np.array_equal(X1, X3), "different seeds should give different data"


@pytest.mark.parametrize("name", MAKERS)
def test_a_generator_can_be_passed_as_the_seed(name):
    X1, _ = MAKERS[name](20, seed=np.random.default_rng(5))
    X2, _ = MAKERS[name](20, seed=np.random.default_rng(5))
    assert np.array_equal(X1, X2)


def test_points_are_shuffled_not_in_class_blocks():
    _, y = make_moons(100, seed=0)
    assert 0 < y[:50].sum() < 50, "the first half should contain both classes"


def test_moons_without_noise_lie_on_their_arcs():
    X, y = make_moons(60, noise=0.0, seed=1)
    upper, lower = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0), "class 0 lies on the unit circle"
    assert np.all(upper[:, 1] >= -1e-12), "class 0 is the upper arc"
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0), "class 1 lies on the circle around (1, 0.5)"
    assert np.all(lower[:, 1] <= 0.5 + 1e-12), "class 1 is the lower arc"


def test_circles_without_noise_have_the_two_radii():
    X, y = make_circles(40, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(r[y == 0], 1.0) and np.allclose(r[y == 1], 0.3)


def test_spirals_have_one_class_per_arm_and_radius_at_most_one():
    X, y = make_spirals(90, classes=3, noise=0.0, seed=0)
    assert sorted(set(y.tolist())) == [0, 1, 2]
    assert np.hypot(X[:, 0], X[:, 1]).max() <= 1.0 + 1e-12


def test_noise_is_the_standard_deviation_of_the_jitter():
    X, y = make_circles(4000, noise=0.1, seed=0)
    # For a small isotropic jitter, a point's distance from the origin moves by the jitter's radial
    # component, which has the same standard deviation.
    radial = np.hypot(X[:, 0], X[:, 1])[y == 0] - 1.0
    assert abs(radial.std() - 0.1) < 0.01, f"radial jitter std should be ~0.1, got {radial.std():.4f}"
    assert abs(radial.mean()) < 0.02, f"the jitter should be centred, got mean {radial.mean():.4f}"


@pytest.mark.parametrize("call, message", [
    (lambda: make_moons(1), "make_moons: n must be an int >= 2"),
    (lambda: make_moons(10.5), "make_moons: n must be an int >= 2"),
    (lambda: make_moons(10, noise=-0.1), "make_moons: noise is the standard deviation"),
    (lambda: make_circles(10, factor=1.5), r"make_circles: factor is the inner radius and must be in \(0, 1\)"),
    (lambda: make_spirals(10, classes=1), "make_spirals: classes must be an int >= 2"),
])
def test_bad_arguments_raise_value_error_naming_the_function(call, message):
    with pytest.raises(ValueError, match=message):
        call()
