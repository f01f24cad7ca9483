"""The martingale control variate of the clipped-SGD simulators: the same mean, less spread."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.dp_noise import (
    MartingaleCorrection,
    asymmetric_noise,
    clipped_sgd_discrete_noise,
    clipped_sgd_quadratic,
)


def _agree(plain: np.ndarray, corrected: np.ndarray, sigmas: float = 4.0) -> None:
    # independent runs: the difference of the means within a few of its standard errors
    se = np.sqrt(plain.var(axis=0) / len(plain) + corrected.var(axis=0) / len(corrected))
    assert np.all(np.abs(plain.mean(axis=0) - corrected.mean(axis=0)) < sigmas * se)


def test_the_weight_is_one_over_the_unclipped_probability():
    c = np.array([2.0, 4.0])
    atoms = np.stack([-2 * c, 0.5 * np.ones(2)])
    weights = np.array([[0.1, 0.3], [0.9, 0.7]])
    np.testing.assert_allclose(MartingaleCorrection(atoms, weights, c).kappa, [1 / 0.9, 1 / 0.7])


def test_two_point_noise_keeps_its_bias_with_a_tenth_of_the_spread():
    c, eta = np.array([2.0, 8.0]), np.array([0.1, 0.03])
    args = (c, eta, 1.0, 3_000, 400, 400)
    plain = clipped_sgd_quadratic(*args, np.random.default_rng(1))
    corrected = clipped_sgd_quadratic(*args, np.random.default_rng(2), control_variate=True)
    _agree(plain, corrected)
    np.testing.assert_allclose(corrected.mean(axis=0), 1 / (4 * c), rtol=0.01)
    assert np.all(corrected.std(axis=0) < 0.2 * plain.std(axis=0))


def test_symmetric_noise_stays_unbiased_with_the_correction():
    c, eta = np.array([2.0, 4.0]), np.array([0.1, 0.1])
    sym = clipped_sgd_quadratic(
        c, eta, 1.0, 3_000, 400, 400, np.random.default_rng(3), "symmetric", control_variate=True
    )
    se = sym.std(axis=0) / np.sqrt(len(sym))
    assert np.all(np.abs(sym.mean(axis=0)) < 4 * se + 1e-4)


def test_discrete_noise_correction_keeps_the_mean_even_outside_the_linear_region():
    values, probs, _, _ = asymmetric_noise(np.array([0.0, 0.25]))
    # step 0.005: the iterates stay where the clipped mean is affine, the correction leaves
    # little spread; step 0.6: their spread (~0.7) crosses the clipping edges, the clipped
    # mean is no longer affine, and the correction must still keep the mean.
    for step, steps, burn_in, shrink in [(0.005, 12_000, 5_000, 0.5), (0.6, 3_000, 200, 1.0)]:
        args = (values, probs, 1.0, step, steps, burn_in, 300)
        plain = clipped_sgd_discrete_noise(*args, np.random.default_rng(4))
        corrected = clipped_sgd_discrete_noise(*args, np.random.default_rng(5), True)
        _agree(plain, corrected)
        assert np.all(corrected.std(axis=0) < shrink * plain.std(axis=0))
    # at step 0.6 the stall has left the linear region's value -m D / P(unclipped)
    assert corrected.mean(axis=0)[1] != pytest.approx(-0.2 * 0.25 / 0.4, rel=0.05)
