"""The quadratic block sampled at its horizons: against the step-by-step run of SGD."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.last_iterate import l1_quadratic_instance, last_iterate_values, step_sizes
from simulators.quadratic_block import quadratic_box_values, transition

HORIZONS = 2 ** np.arange(4, 13)


def step_by_step(steps, replicates, rng, sigma, start=0.0, curvature=1.0, radius=1.0):
    subgradient, value = l1_quadratic_instance(0.0, curvature)
    return last_iterate_values(
        subgradient,
        value,
        np.array([start]),
        steps,
        HORIZONS,
        replicates,
        rng,
        noise_scale=sigma,
        prox="box",
        prox_weight=radius,
    )


def test_transition_is_the_product_of_the_steps():
    rng = np.random.default_rng(0)
    steps = rng.uniform(0.01, 0.9, size=50)
    curvature, sigma = 1.7, 0.6
    gain, variance = 1.0, 0.0
    for eta in steps:  # z <- a z + eta sigma zeta: the gain multiplies, the variance accumulates
        a = 1 - eta * curvature
        gain, variance = a * gain, a * a * variance + (eta * sigma) ** 2
    assert transition(steps, curvature, sigma) == pytest.approx((gain, variance), rel=1e-12)


def test_without_noise_the_run_is_the_deterministic_recursion():
    steps = step_sizes(int(HORIZONS[-1]), "sqrt", 0.5)
    expected = step_by_step(steps, 1, np.random.default_rng(0), 0.0, start=0.7)
    got = quadratic_box_values(
        1.0, 1.0, 0.7, steps, HORIZONS, 1, np.random.default_rng(0), noise_scale=0.0, exact_from=20
    )
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=0)


def test_the_law_at_the_horizons_is_that_of_the_step_by_step_run():
    # sigma = 0.35, step 1/sqrt(t): the box binds in the first steps only (|z_2| = sigma |zeta|)
    steps = step_sizes(int(HORIZONS[-1]), "sqrt", 1.0)
    runs = 20_000
    direct = step_by_step(steps, runs, np.random.default_rng(1), 0.35)
    sampled = quadratic_box_values(
        1.0,
        1.0,
        0.0,
        steps,
        HORIZONS,
        runs,
        np.random.default_rng(2),
        noise_scale=0.35,
        exact_from=32,
    )
    for statistic in (np.mean, np.median, lambda y, axis: np.quantile(y, 0.99, axis=axis)):
        a, b = statistic(direct, axis=0), statistic(sampled, axis=0)
        se = np.sqrt(direct.var(axis=0) / runs + sampled.var(axis=0) / runs)
        assert np.all(np.abs(a - b) < 5 * se + 0.05 * a)
    # the mean's own check, tighter: within 5 standard errors at every horizon
    diff = direct.mean(axis=0) - sampled.mean(axis=0)
    assert np.all(np.abs(diff) < 5 * np.sqrt(direct.var(0) / runs + sampled.var(0) / runs))


def test_quadratic_box_values_rejects_bad_input():
    steps = np.full(10, 0.1)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="start"):
        quadratic_box_values(
            1.0, 1.0, 2.0, steps, np.array([5]), 2, rng, noise_scale=1, exact_from=2
        )
    with pytest.raises(ValueError, match="curvature"):
        quadratic_box_values(
            0.0, 1.0, 0.0, steps, np.array([5]), 2, rng, noise_scale=1, exact_from=2
        )
    with pytest.raises(ValueError, match="horizons"):
        quadratic_box_values(
            1.0, 1.0, 0.0, steps, np.array([11]), 2, rng, noise_scale=1, exact_from=2
        )
    with pytest.raises(ValueError, match="exact_from"):
        quadratic_box_values(
            1.0, 1.0, 0.0, steps, np.array([5]), 2, rng, noise_scale=1, exact_from=-1
        )
