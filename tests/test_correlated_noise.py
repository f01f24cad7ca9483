"""The multi-participation sensitivity and the clipped correlated-noise regression: the
sensitivity is computed, not assumed, and the gradients a run summed are measured against it."""

import numpy as np
import pytest

from simulators.correlated_noise import (
    brute_force_sensitivity,
    clipped_regression,
    participation_sensitivity,
    strategy_column,
)
from simulators.dp_noise import nu_ftrl_coefficients
from simulators.privacy import calibrate_noise_multiplier


@pytest.mark.parametrize("nu", [0.0, 0.05, 0.3])
@pytest.mark.parametrize("separation", [1, 2, 3, 5])
def test_packed_pattern_is_the_worst_pattern(nu, separation):
    column = strategy_column(nu_ftrl_coefficients(nu, 14), 14)
    assert participation_sensitivity(column, separation) == pytest.approx(
        brute_force_sensitivity(column, separation), rel=1e-12
    )


def test_aligned_gradients_are_worst():
    """Random unit gradients on the packed pattern never beat the aligned ones."""
    rng = np.random.default_rng(0)
    horizon, separation = 12, 3
    column = strategy_column(nu_ftrl_coefficients(0.1, horizon), horizon)
    strategy = np.zeros((horizon, horizon))
    for k in range(horizon):
        strategy[k:, k] = column[: horizon - k]
    bound = participation_sensitivity(column, separation)
    for _ in range(200):
        g = rng.standard_normal((horizon, 4))
        g /= np.linalg.norm(g, axis=1, keepdims=True)
        mask = np.zeros(horizon)
        mask[::separation] = 1
        assert np.linalg.norm(strategy @ (mask[:, None] * g)) <= bound * (1 + 1e-12)


def test_dp_sgd_sensitivity_is_root_of_participations():
    assert participation_sensitivity(np.r_[1.0, np.zeros(99)], 10) == pytest.approx(np.sqrt(10))


def test_signed_column_is_refused():
    with pytest.raises(ValueError):
        participation_sensitivity(np.array([1.0, -0.5, 0.1]), 1)


@pytest.mark.parametrize("copies", [1, 100])
def test_no_run_overspends(copies):
    """The measured per-record norms stay under the clip norm the sensitivity used (clipping
    binds with 1 copy per batch, not with 100), and the run spends exactly its budget."""
    sigma = calibrate_noise_multiplier(1.0, 1e-5, 1.0, 1)
    run = clipped_regression(
        1 / np.arange(1, 9.0), 0.5, nu_ftrl_coefficients(0.05, 200), sigma, 2.0, copies, 50, 4,
        20, 3, np.random.default_rng(1), 1e-5,
    )  # fmt: skip
    assert run.max_gradient_norm <= 2.0
    assert (run.max_raw_gradient_norm > 2.0) == (copies == 1)
    assert (run.clipped_share > 0) == (copies == 1)
    column = strategy_column(nu_ftrl_coefficients(0.05, 200), 200)
    assert run.sensitivity == pytest.approx(2.0 * participation_sensitivity(column, 50))
    assert run.privacy.epsilon == pytest.approx(1.0, rel=1e-3)


def test_single_participation_accounting_overspends():
    sigma = calibrate_noise_multiplier(1.0, 1e-5, 1.0, 1)
    run = clipped_regression(
        np.ones(4), 0.5, np.array([1.0]), sigma, 1.0, 100, 10, 9, 5, 2,
        np.random.default_rng(2), 1e-5, accounted_separation=90,
    )  # fmt: skip
    assert run.sensitivity == pytest.approx(3.0)
    assert run.noise_std == pytest.approx(sigma)
    assert run.privacy.epsilon > 2.0


@pytest.mark.parametrize("copies", [1, 100])
def test_the_linear_filter_path_is_the_stepwise_recursion(copies):
    """Unclipped (100 copies) the IIR filter gives the step-by-step values to rounding; with
    clipping binding (1 copy) the run falls back to the steps, so both paths agree again."""
    sigma = calibrate_noise_multiplier(1.0, 1e-5, 1.0, 1)
    args = (1 / np.arange(1, 9.0), 0.5, nu_ftrl_coefficients(0.05, 200), sigma, 2.0, copies)
    fast = clipped_regression(*args, 50, 4, 20, 3, np.random.default_rng(3), 1e-5)
    steps = clipped_regression(*args, 50, 4, 20, 3, np.random.default_rng(3), 1e-5, stepwise=True)
    np.testing.assert_allclose(fast.values, steps.values, rtol=1e-10)
    assert fast.max_raw_gradient_norm == pytest.approx(steps.max_raw_gradient_norm, rel=1e-10)
    assert fast.max_gradient_norm == pytest.approx(steps.max_gradient_norm, rel=1e-10)
    assert fast.clipped_share == steps.clipped_share
