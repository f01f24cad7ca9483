"""The DP simulators: correctness against closed forms, and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import binom

from simulators.dp import AbsoluteLoss, dp_gd_random_iterate, symmetric_sharp_values
from simulators.dp_features import feature_preprocessing_gaps, offset_features, private_center
from simulators.dp_noise import (
    asymmetric_noise,
    clipped_sgd_discrete_noise,
    clipped_sgd_quadratic,
    dice_sgd_mean_estimation,
    inverse_coefficients,
    nu_ftrl_coefficients,
    stationary_excess_formula,
)
from simulators.dp_strongly_convex import (
    dp_gd_strongly_convex_huber,
    dp_sgd_strongly_convex_linear,
    huber_ridge_gradient,
    huber_ridge_minimum,
    huber_ridge_risk,
    unit_records,
)


def test_absolute_loss_gradient_and_excess():
    rng = np.random.default_rng(0)
    values = rng.normal(size=41)
    loss = AbsoluteLoss(values)
    t = rng.normal(size=(5, 3))
    f = lambda u: np.abs(u[..., None] - values).mean(axis=-1)  # noqa: E731
    np.testing.assert_allclose(loss.coordinate_excess(t), f(t) - f(np.median(values)), atol=1e-12)
    h = 1e-7
    numeric = (f(t + h) - f(t - h)) / (2 * h)
    np.testing.assert_allclose(loss.coordinate_gradient(t), numeric, atol=1e-6)


def test_dp_gd_without_noise_reaches_the_sharp_minimum():
    loss = AbsoluteLoss(symmetric_sharp_values(8))
    run = dp_gd_random_iterate(
        loss,
        1.0,
        np.array([4]),
        np.array([1e-3]),
        np.array([1e-12]),
        np.array([1.0]),
        np.array([4000]),
        2,
        np.random.default_rng(0),
        1e-5,
    )
    # from distance 1 (excess 1/2) at speed eta / 2 per step: the excess falls linearly to ~0
    assert run.values.shape == (2, 1)
    assert 0.1 < run.values.mean() < 0.2
    assert run.privacy[0].epsilon > 1e6  # noise 1e-12 buys no privacy, and says so


def test_dp_gd_with_the_noise_off_spends_an_infinite_epsilon():
    loss = AbsoluteLoss(symmetric_sharp_values(8))
    args = (np.array([4]), np.array([1e-3]))
    rest = (np.array([1.0]), np.array([400]), 2, np.random.default_rng(0), 1e-5)
    off = dp_gd_random_iterate(loss, 1.0, *args, np.array([0.0]), *rest)
    tiny = dp_gd_random_iterate(loss, 1.0, *args, np.array([1e-12]), *rest)
    np.testing.assert_allclose(off.values, tiny.values, rtol=1e-6)
    assert off.privacy[0].epsilon == np.inf
    assert off.privacy[0].noise_multiplier == 0.0


def test_strongly_convex_run_reports_privacy_per_configuration():
    run = dp_sgd_strongly_convex_linear(
        unit_records(np.zeros(2), 4),
        1.0,
        np.array([0.1, 0.2]),
        np.array([0.1, 0.1]),
        10,
        3,
        np.random.default_rng(0),
        1e-5,
    )
    assert run.values.shape == (3, 2)
    assert run.privacy[0].epsilon > run.privacy[1].epsilon
    # four unit records: each contributes exactly 1/4 to the mean gradient, at every step
    assert [e.measured for e in run.sensitivity] == [0.25, 0.25]


def test_nu_ftrl_coefficients_are_the_binomial_series():
    nu = 0.1
    beta = nu_ftrl_coefficients(nu, 12)
    k = np.arange(12)
    np.testing.assert_allclose(beta, (-1.0) ** k * binom(0.5, k) * (1 - nu) ** k, rtol=1e-12)
    # 1/sqrt(1 - (1-nu) z) has coefficients prod_{j<=k} (2j-1)/(2j) (1-nu)^k
    c = inverse_coefficients(beta)
    expected = np.cumprod(np.concatenate([[1.0], (2 * k[1:] - 1) / (2 * k[1:])])) * (1 - nu) ** k
    np.testing.assert_allclose(c, expected, rtol=1e-10)


def test_independent_noise_formula_is_the_closed_form():
    lam, eta = np.array([0.3, 1.0, 1.5]), 0.5
    value = stationary_excess_formula(lam, eta, np.array([1.0]), 2.0)
    assert value == pytest.approx(0.5 * eta * 4.0 * np.sum(1 / (2 - eta * lam)), rel=1e-9)


def test_clipped_sgd_stationary_bias_and_no_bias_for_symmetric_noise():
    c = np.array([2.0, 4.0])
    eta = np.array([0.1, 0.1])
    rng = np.random.default_rng(1)
    bias = clipped_sgd_quadratic(c, eta, 1.0, 4000, 500, 512, rng)
    np.testing.assert_allclose(bias.mean(axis=0), 1 / (4 * c), rtol=0.1)
    sym = clipped_sgd_quadratic(c, eta, 1.0, 4000, 500, 512, rng, noise="symmetric")
    assert np.all(np.abs(sym.mean(axis=0)) < 0.02)


def test_asymmetric_noise_is_zero_mean_and_w1_twice_the_clipped_mean_shift():
    from scipy.stats import wasserstein_distance

    shift = np.array([0.0, 0.1, 0.25])
    values, probs, sym_values, sym_probs = asymmetric_noise(shift)
    np.testing.assert_allclose((values * probs).sum(axis=1), 0.0, atol=1e-15)
    np.testing.assert_allclose(sym_values[:, ::-1], -sym_values)
    distance = [
        wasserstein_distance(v, sv, p, q)
        for v, sv, p, q in zip(values, sym_values, probs, sym_probs, strict=True)
    ]
    np.testing.assert_allclose(distance, 2 * 0.2 * shift, atol=1e-12)
    clipped_shift = (np.clip(values, -1, 1) * probs).sum(axis=1)
    np.testing.assert_allclose(clipped_shift, 0.2 * shift, atol=1e-12)


def test_discrete_noise_stall_vanishes_for_symmetric_noise_and_grows_with_asymmetry():
    values, probs, _, _ = asymmetric_noise(np.array([0.0, 0.25]))
    stall = clipped_sgd_discrete_noise(
        values, probs, 1.0, 0.01, 6000, 2500, 512, np.random.default_rng(2)
    )
    # symmetric (60% of steps clipped): no bias; asymmetric: the stall at -m D / P(unclipped).
    # Spread sqrt(0.75 eta) = 0.09, correlation time 1/(0.4 eta) = 250 steps: the replicate mean
    # has a standard error of about 0.0015, so 0.006 is four of them.
    assert abs(stall[:, 0].mean()) < 0.006
    assert stall[:, 1].mean() == pytest.approx(-0.2 * 0.25 / 0.4, rel=0.05)


def test_dice_sgd_fixed_point_and_clipped_gd_bias():
    targets = np.concatenate([np.zeros(19), np.full(1, 50.0)])
    dice = dice_sgd_mean_estimation(targets, 1.0, np.array([1.0]), 0.05, 20_000)
    assert dice[0] == pytest.approx(targets.mean(), rel=1e-8)
    gd = dice_sgd_mean_estimation(targets, 1.0, np.array([1.0]), 0.05, 20_000, "clipped")
    assert abs(gd[0] - targets.mean()) > 1.0


def test_private_center_error_does_not_grow_with_the_offset():
    features, _ = offset_features(200, np.array([1.0, 1000.0]))
    center = private_center(features, 2048.0, 4.0, 4.0, 10.0, 20.0, 64, np.random.default_rng(0))
    error = np.linalg.norm(center - features.mean(axis=1)[None], axis=-1)
    assert np.all(error.mean(axis=0) < 1.0)


# --- bad input --------------------------------------------------------------------------------


def test_bad_inputs_raise_clear_errors():
    loss = AbsoluteLoss(symmetric_sharp_values(8))
    one = np.array([1.0])
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="multiple of 4"):
        symmetric_sharp_values(6)
    with pytest.raises(ValueError, match="values"):
        AbsoluteLoss(np.array([1.0]))
    with pytest.raises(ValueError, match="noise_std"):
        dp_gd_random_iterate(loss, 1.0, np.array([2]), one, -one, one, np.array([5]), 1, rng, 1e-5)
    with pytest.raises(ValueError, match="delta"):
        dp_gd_random_iterate(loss, 1.0, np.array([2]), one, one, one, np.array([5]), 1, rng, 1.0)
    with pytest.raises(ValueError, match="non-decreasing"):
        dp_gd_random_iterate(
            loss,
            1.0,
            np.array([2, 2]),
            one.repeat(2),
            one.repeat(2),
            one.repeat(2),
            np.array([5, 3]),
            1,
            rng,
            1e-5,
        )
    with pytest.raises(ValueError, match="mu"):
        dp_sgd_strongly_convex_linear(np.eye(2), 0.0, one, one, 10, 1, rng, 1e-5)
    with pytest.raises(ValueError, match="sigma"):
        clipped_sgd_quadratic(one, one, 0.0, 10, 1, 1, rng)
    with pytest.raises(ValueError, match="noise"):
        clipped_sgd_quadratic(one, one, 1.0, 10, 1, 1, rng, noise="gaussian")
    with pytest.raises(ValueError, match="nu"):
        nu_ftrl_coefficients(1.0, 5)
    with pytest.raises(ValueError, match="eigenvalue"):
        stationary_excess_formula(np.array([5.0]), 0.5, np.array([1.0]), 1.0)
    with pytest.raises(ValueError, match="error_update"):
        dice_sgd_mean_estimation(np.zeros(3), 1.0, one, 0.1, 10, error_update="half")
    with pytest.raises(ValueError, match="method"):
        feature_preprocessing_gaps(200, one, 1.0, 1e-5, 1, rng, method="sgd")
    with pytest.raises(ValueError, match="epsilon"):
        feature_preprocessing_gaps(200, one, -1.0, 1e-5, 1, rng)


def test_huber_ridge_gradient_minimum_and_lipschitz_records():
    rng = np.random.default_rng(4)
    data = 2 * rng.standard_normal((30, 3))
    theta = rng.standard_normal(3)
    grad = huber_ridge_gradient(data, 0.5, theta)
    step = 1e-6
    numeric = [
        (
            huber_ridge_risk(data, 0.5, theta + step * e)
            - huber_ridge_risk(data, 0.5, theta - step * e)
        )
        / (2 * step)
        for e in np.eye(3)
    ]
    np.testing.assert_allclose(grad, numeric, atol=1e-6)
    best = huber_ridge_minimum(data, 0.5)
    np.testing.assert_allclose(huber_ridge_gradient(data, 0.5, best), 0, atol=1e-12)
    # each record's gradient has norm at most 1: the mean's sensitivity is 1/n
    diff = theta - data
    per_record = diff / np.maximum(1.0, np.linalg.norm(diff, axis=1, keepdims=True))
    assert np.linalg.norm(per_record, axis=1).max() <= 1 + 1e-12
    run = dp_gd_strongly_convex_huber(
        data, 0.5, np.array([0.1, 0.2]), np.array([1 / 30] * 2), 50, 8, rng, 1e-5
    )
    assert run.values.shape == (8, 2) and np.all(run.values >= -1e-12)
    assert run.privacy[0].epsilon > run.privacy[1].epsilon  # more noise, less epsilon
    # the run measured it: the records are spread (|z| ~ 3.5), so far from theta every
    # record's gradient has norm 1, and the largest contribution to the mean is 1/30
    assert [e.measured for e in run.sensitivity] == pytest.approx([1 / 30] * 2)
