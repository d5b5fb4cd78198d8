"""nn.init against PyTorch's conventions: gains and fans exactly, distributions statistically.

Initialisers are random, so the two libraries cannot agree number for number. What must agree is
the distribution: tests/references/nn_reference.npz (record_nn.py) holds the max |w|, std and
mean of each PyTorch initialiser on a large tensor (60 000+ numbers), and minitorch's must match
them within the sampling error -- which is far smaller than the difference between two
conventions (fan_in vs fan_out, or a gain of sqrt(2) vs 1).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "references"))
import record_nn as R  # noqa: E402

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402
from minitorch.nn import init  # noqa: E402
from minitorch.testing import assert_close  # noqa: E402

UNIFORM_CASES = [c for c, (fn, _, _) in R.INIT_CASES.items() if fn.endswith("uniform_")]


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return R.load_reference()


def test_gains_are_pytorchs(reference):
    got = [init.calculate_gain(name, param) for name, param in R.GAINS]
    assert_close(got, reference["init/gains"], rtol=1e-12, msg=f"gains of {R.GAINS}")


def test_fans_are_pytorchs_including_the_receptive_field(reference):
    got = [init._calculate_fan_in_and_fan_out(minitorch.zeros(shape)) for shape in R.FAN_SHAPES]
    assert np.array_equal(np.array(got), reference["init/fans"]), f"fans of {R.FAN_SHAPES}: {got}"


@pytest.mark.parametrize("case", list(R.INIT_CASES))
def test_distribution_matches_pytorchs(case, reference):
    minitorch.manual_seed(0)
    max_abs, std, mean = R.run_init(minitorch, case)
    t_max, t_std, t_mean = reference[f"init/{case}"]
    n = math.prod(R.INIT_CASES[case][1])
    assert_close(std, t_std, rtol=0.02, msg=f"{case}: standard deviation")
    # Each sample mean is off by ~std/sqrt(n); six of those is far beyond chance.
    assert abs(mean - t_mean) < 6 * t_std * math.sqrt(2 / n), f"{case}: mean {mean:.5f}, torch {t_mean:.5f}"
    if case in UNIFORM_CASES:  # the largest of 60 000 uniform numbers is within 0.01% of the bound
        assert_close(max_abs, t_max, rtol=1e-3, msg=f"{case}: largest |w| (the bound)")


def test_linear_default_init_matches_pytorchs(reference):
    minitorch.manual_seed(0)
    stats = R.run_linear_init(minitorch)
    assert_close(stats["weight"][0], reference["init/linear_default/weight"][0], rtol=1e-3,
                 msg="Linear weight: largest |w| (the bound)")
    assert_close(stats["weight"][1], reference["init/linear_default/weight"][1], rtol=0.02, msg="Linear weight: std")
    bound = 1 / math.sqrt(R.LINEAR_SHAPE[0])  # the bias bound; the weight's largest |w| approaches it
    assert stats["bias"][0] <= bound and reference["init/linear_default/weight"][0] == pytest.approx(bound, rel=1e-3)
    assert stats["bias"][0] > 0.9 * bound, "the bias should fill its range U(-1/sqrt(in), 1/sqrt(in))"


@pytest.mark.parametrize("fn, bound", [
    (init.xavier_uniform_, math.sqrt(6 / (30 + 20))),
    (lambda w: init.kaiming_uniform_(w, nonlinearity="relu"), math.sqrt(2) * math.sqrt(3 / 30)),
    (lambda w: init.kaiming_uniform_(w, mode="fan_out", nonlinearity="tanh"), 5 / 3 * math.sqrt(3 / 20)),
])
def test_uniform_inits_stay_within_the_papers_bounds(fn, bound):
    w = fn(minitorch.zeros(20, 30, dtype=np.float64))
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.95 * bound


def test_inits_fill_in_place_keep_dtype_and_record_no_graph():
    p = nn.Parameter(minitorch.zeros(4, 3))
    data = p.data
    assert init.kaiming_normal_(p) is p and p.data is data and p.dtype == np.float32
    assert p.is_leaf and p.grad is None
    assert np.all(init.constant_(p, 0.25).data == 0.25)
    assert np.all(init.ones_(p).data == 1) and np.all(init.zeros_(p).data == 0)


def test_inits_are_reproducible_with_manual_seed_or_their_own_generator():
    def draw(**kwargs):
        return init.xavier_normal_(minitorch.zeros(5, 5), **kwargs).data.copy()

    minitorch.manual_seed(42)
    a = draw()
    minitorch.manual_seed(42)
    assert np.array_equal(a, draw())
    minitorch.manual_seed(1)
    own = draw(generator=np.random.default_rng(9))
    after = minitorch.randn(3).data
    minitorch.manual_seed(1)
    assert np.array_equal(after, minitorch.randn(3).data), "a generator= argument leaves the global one alone"
    assert np.array_equal(own, draw(generator=np.random.default_rng(9)))


def test_init_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\(5,\)"):
        init.xavier_uniform_(minitorch.zeros(5))
    with pytest.raises(ValueError, match="unsupported nonlinearity 'gelu'"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", "steep")
    with pytest.raises(ValueError, match="'fan_in' or 'fan_out'"):
        init.kaiming_uniform_(minitorch.zeros(2, 2), mode="fan")
    with pytest.raises(TypeError, match="floating-point"):
        init.normal_(minitorch.zeros(2, 2, dtype=np.int64))
    with pytest.raises(TypeError, match="Tensor or Parameter"):
        init.uniform_(np.zeros(3))
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(minitorch.zeros(3), 1.0, 0.0)
