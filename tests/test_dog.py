"""DoG and constant-step SGD on the noisy l1 distance: a scalar loop, scale equivariance."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.dog import averaged_gaps, l1_gap


def _dog_reference(distance: float, horizon: int, noise: np.ndarray, r_epsilon: float) -> float:
    """DoG written out one step at a time, as in the authors' code."""
    dim = noise.shape[-1]
    optimum = distance * np.ones(dim) / np.sqrt(dim)
    x, r_bar, squares = np.zeros(dim), r_epsilon, 0.0
    total, weight = np.zeros(dim), 0.0
    for t in range(horizon):
        g = np.sign(x - optimum) / np.sqrt(dim) + noise[t]
        total, weight = total + r_bar * x, weight + r_bar
        squares += float(g @ g)
        x = x - r_bar / np.sqrt(squares) * g
        r_bar = max(r_bar, float(np.linalg.norm(x)))
    return float(np.abs(total / weight - optimum).sum() / np.sqrt(dim))


def test_dog_matches_a_scalar_loop() -> None:
    horizon, dim = 50, 3
    got = averaged_gaps(np.array([0.5, 2.0]), horizon, 1, np.random.default_rng(4), dim=dim)
    noise = np.random.default_rng(4).standard_normal((horizon, 1, dim))[:, 0]
    for j, distance in enumerate([0.5, 2.0]):
        assert got[0, j] == pytest.approx(_dog_reference(distance, horizon, noise, 1e-6), rel=1e-10)


def test_sgd_is_scale_equivariant() -> None:
    # the same noise, steps in units of D: the gap is proportional to D (the tuning runs once)
    steps = np.array([0.01, 0.05])
    base = averaged_gaps(np.array([1.0]), 300, 4, np.random.default_rng(7), "sgd", steps)
    scaled = averaged_gaps(
        np.array([1.0, 30.0]), 300, 4, np.random.default_rng(7), "sgd", np.outer([1, 30], steps)
    )
    np.testing.assert_allclose(scaled[:, 0], base[:, 0], rtol=1e-12)
    np.testing.assert_allclose(scaled[:, 1], 30 * base[:, 0], rtol=1e-9)


def test_dog_depends_on_the_distance_only_through_d_over_r_epsilon() -> None:
    small = averaged_gaps(np.array([0.1]), 400, 3, np.random.default_rng(9), r_epsilon=1e-6)
    large = averaged_gaps(np.array([100.0]), 400, 3, np.random.default_rng(9), r_epsilon=1e-3)
    np.testing.assert_allclose(large, 1000 * small, rtol=1e-8)


def test_dog_gains_over_the_start_and_fixed_sgd_stalls_far_away() -> None:
    rng = np.random.default_rng(3)
    dog = averaged_gaps(np.array([1.0, 100.0]), 2_000, 20, rng).mean(axis=0)
    start = np.array([1.0, 100.0])  # f(x_0) = ||x*||_1/sqrt(d) = D for x* along the diagonal
    assert np.all(dog < start / 10)
    sgd = averaged_gaps(np.array([100.0]), 2_000, 20, rng, "sgd", np.array([0.01]))
    assert sgd.mean() > 0.5 * 100.0


def test_l1_gap_is_scaled_l1_norm() -> None:
    assert l1_gap(np.array([[1.0, -1.0, 0.0, 2.0]]), np.zeros(4))[0] == pytest.approx(2.0)


def test_bad_input_rejected() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="method"):
        averaged_gaps(np.array([1.0]), 2, 1, rng, "adam")
    with pytest.raises(ValueError, match="steps"):
        averaged_gaps(np.array([1.0]), 2, 1, rng, "sgd")
    with pytest.raises(ValueError):
        averaged_gaps(np.array([-1.0]), 2, 1, rng)
