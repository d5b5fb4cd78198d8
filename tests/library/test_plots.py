"""Plot helpers draw what they are given (checked on the matplotlib artists, not on pixels)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import minitorch  # noqa: E402
from minitorch.optim.lr_scheduler import CosineAnnealingLR  # noqa: E402
from minitorch.viz import plot_lr_schedule, plot_trajectories  # noqa: E402


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def test_each_trajectory_is_drawn_through_its_points():
    path = np.array([[-1.5, 2.0], [-1.0, 1.0], [0.5, 0.3], [1.0, 1.0]])
    ax = plot_trajectories(rosenbrock, {"sgd": path, "adam": path[::-1]}, minimum=(1, 1))
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) >= {"sgd", "adam", "minimum"}
    np.testing.assert_allclose(lines["sgd"].get_xydata(), path)
    plt.close("all")


def test_a_trajectory_of_the_wrong_shape_is_an_error():
    with pytest.raises(ValueError, match=r"path 'bad' must have shape \(steps, 2\), got \(3,\)"):
        plot_trajectories(rosenbrock, {"bad": [1.0, 2.0, 3.0]})
    plt.close("all")


def test_lr_schedule_plots_a_schedulers_rates():
    param = minitorch.tensor([1.0], requires_grad=True)
    optimizer = minitorch.optim.SGD([param], lr=0.1)
    scheduler = CosineAnnealingLR(optimizer, T_max=10)
    lrs = []
    for _ in range(11):
        lrs.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    ax = plot_lr_schedule({"cosine": lrs})
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), 0.05 * (1 + np.cos(np.pi * np.arange(11) / 10)), atol=1e-12)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        plot_lr_schedule({"empty": []})
    plt.close("all")
