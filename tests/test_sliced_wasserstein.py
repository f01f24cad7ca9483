"""The sliced-Wasserstein simulators against independent references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from simulators.sliced_wasserstein import (
    control_variate,
    projected_w2,
    random_directions,
    sliced_w2_estimates,
    two_cloud_instance,
)


def test_projected_w2_is_the_optimal_matching_cost():
    rng = np.random.default_rng(0)
    x, y = two_cloud_instance(12, 4, rng)
    theta = random_directions(5, 4, rng)
    for t, value in zip(theta, projected_w2(x, y, theta), strict=True):
        cost = (x @ t[:, None] - (y @ t)[None, :]) ** 2
        rows, cols = linear_sum_assignment(cost)
        assert value == pytest.approx(cost[rows, cols].mean(), rel=1e-12)


def test_directions_are_uniform_on_the_sphere():
    theta = random_directions(200_000, 5, np.random.default_rng(1))
    np.testing.assert_allclose(np.linalg.norm(theta, axis=1), 1.0)
    np.testing.assert_allclose(theta.T @ theta / len(theta), np.eye(5) / 5, atol=3e-3)


@pytest.mark.parametrize("variate", ["lower", "upper"])
def test_control_variates_bound_z_and_have_the_stated_mean(variate):
    rng = np.random.default_rng(2)
    x, y = two_cloud_instance(30, 6, rng)
    theta = random_directions(200_000, 6, rng)
    z = projected_w2(x, y, theta)
    g, mean = control_variate(x, y, theta, variate)
    # Gaussian W2 bounds: (mean gap)^2 <= W2^2 <= (mean gap)^2 + var_x + var_y
    assert np.all(g <= z + 1e-12) if variate == "lower" else np.all(z <= g + 1e-12)
    assert g.mean() == pytest.approx(mean, rel=5 * g.std() / np.sqrt(g.size) / mean)


def test_control_variate_estimate_is_the_regression_estimator():
    rng = np.random.default_rng(3)
    x, y = two_cloud_instance(20, 5, rng)
    stream = np.random.default_rng(4)
    estimate = sliced_w2_estimates(x, y, np.array([50]), 1, stream, variate="lower")[0, 0]
    theta = random_directions(50, 5, np.random.default_rng(4))
    z = projected_w2(x, y, theta)
    g, mean = control_variate(x, y, theta, "lower")
    slope = np.polyfit(g, z, 1)[0]  # least squares of Z on G: the same coefficient
    assert estimate == pytest.approx(z.mean() - slope * (g.mean() - mean), rel=1e-10)


def test_plain_estimates_are_running_means():
    rng = np.random.default_rng(5)
    x, y = two_cloud_instance(20, 5, rng)
    est = sliced_w2_estimates(x, y, np.array([1, 7, 20]), 2, np.random.default_rng(6))
    theta = random_directions(40, 5, np.random.default_rng(6)).reshape(2, 20, 5)
    z = projected_w2(x, y, theta)
    np.testing.assert_allclose(est, np.stack([z[:, :1].mean(1), z[:, :7].mean(1), z.mean(1)], 1))


def test_bad_input_is_named():
    rng = np.random.default_rng(0)
    x, y = two_cloud_instance(10, 3, rng)
    with pytest.raises(ValueError, match="projections"):
        sliced_w2_estimates(x, y, np.array([5, 3]), 2, rng)
    with pytest.raises(ValueError, match="variate"):
        control_variate(x, y, random_directions(3, 3, rng), "middle")
    with pytest.raises(ValueError, match="x and y"):
        projected_w2(x, y[:5], random_directions(3, 3, rng))
