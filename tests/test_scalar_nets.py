"""The scalar-network simulators against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from simulators.scalar_nets import (
    gd_sharpness_runs,
    gfs_sharpness,
    hessian_entries,
    initial_weights,
    raw_sharpness,
)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_gfs_sharpness_solves_the_conservation_law(depth):
    w = initial_weights(depth, 20, np.random.default_rng(depth))
    for row, phi in zip(w, gfs_sharpness(w), strict=True):
        a = row**2
        c = brentq(lambda c, a=a: np.sum(np.log(a + c)), -a.min() + 1e-14, 20.0, xtol=1e-15)
        assert phi == pytest.approx(np.sum(1 / (a + c)), rel=1e-10)


def test_gfs_sharpness_is_constant_along_gradient_flow():
    # tiny steps follow gradient flow, which conserves w_i^2 - w_j^2 and so phi
    w0 = np.array([[0.6, 1.3, 0.9]])
    summary = gd_sharpness_runs(w0, np.array([1e-3]), 20_000)
    # limit_ratio = eta phi(w_T)/2 = 1e-3 phi(w_T)/phi(w_0): phi kept to O(eta) = 1e-5
    assert summary.limit_ratio[0] == pytest.approx(1e-3, rel=1e-4)


def test_at_a_minimiser_both_sharpnesses_are_sum_of_inverse_squares():
    w = np.array([[2.0, 0.5], [0.5, 1.0]])
    w[1] = [0.5, 2.0]
    w3 = np.array([[2.0, 0.25, 2.0]])
    for x in (w, w3):
        expected = np.sum(1 / x**2, axis=1)
        np.testing.assert_allclose(gfs_sharpness(x), expected, rtol=1e-12)
        np.testing.assert_allclose(raw_sharpness(x), expected, rtol=1e-12)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_raw_sharpness_is_the_top_hessian_eigenvalue(depth):
    w = initial_weights(depth, 200, np.random.default_rng(10 + depth))
    top = np.linalg.eigvalsh(hessian_entries(w))[:, -1]
    np.testing.assert_allclose(raw_sharpness(w), top, rtol=1e-10, atol=1e-12)
    # and the Hessian is the finite-difference derivative of the gradient
    row, eps = w[0], 1e-6
    grad = lambda v: (np.prod(v) - 1) * np.prod(v) / v  # noqa: E731
    numeric = np.array(
        [(grad(row + eps * e) - grad(row - eps * e)) / (2 * eps) for e in np.eye(depth)]
    )
    np.testing.assert_allclose(hessian_entries(w)[0], numeric, rtol=1e-6, atol=1e-8)


def test_small_steps_converge_below_the_stability_limit():
    w0 = initial_weights(2, 50, np.random.default_rng(3))
    summary = gd_sharpness_runs(w0, np.full(50, 0.4), 3_000)
    # an initial product far above 1 can throw a small weight across zero even with a small
    # step; the runs that stay positive converge, phi never rising, below eta phi(w_0)/2
    kept = summary.positive
    assert kept.mean() >= 0.9 and np.all(summary.converged[kept])
    assert np.all(summary.phi_increase[kept] <= 1e-12)
    assert np.all(summary.limit_ratio[kept] <= 0.4 + 1e-9)


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="positive"):
        gd_sharpness_runs(np.array([[1.0, -1.0]]), np.array([0.5]), 10)
    with pytest.raises(ValueError, match="steps"):
        gd_sharpness_runs(np.array([[1.0, 1.0]]), np.array([0.5]), 0)
