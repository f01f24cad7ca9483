"""The DPP least-squares simulators against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from simulators.dpp import (
    christoffel_points,
    dpp_error_quadrature,
    features,
    gauss_nodes,
    interpolation_error_ratios,
    projection,
    projection_dpp_points,
)


def test_features_are_orthonormal_for_half_lebesgue():
    x, w = gauss_nodes(20)
    phi = features(x, 6)
    np.testing.assert_allclose(phi.T @ (w[:, None] * phi), np.eye(6), atol=1e-13)


def test_best_error_matches_adaptive_quadrature():
    coefficients, best = projection(np.exp, 3)

    def residual(x: float) -> float:
        return float((np.exp(x) - features(np.array([x]), 3)[0] @ coefficients) ** 2 / 2)

    assert best == pytest.approx(integrate.quad(residual, -1, 1, epsabs=1e-15)[0], rel=1e-8)


def test_dpp_expectation_matches_a_direct_double_integral():
    # m = 2 directly: det(Phi)^2 / 2! times ||Phi^{-1} r||^2, no adjugate, adaptive quadrature
    coefficients, best = projection(np.exp, 2)

    def integrand(y: float, x: float) -> float:
        pts = np.array([x, y])
        phi = features(pts, 2)
        r = np.exp(pts) - phi @ coefficients
        det = np.linalg.det(phi)
        if abs(det) < 1e-14:
            return 0.0
        return det**2 * float(np.sum(np.linalg.solve(phi, r) ** 2)) / 2 / 4  # mu^2 = dx dy / 4

    excess = integrate.dblquad(integrand, -1, 1, -1, 1, epsabs=1e-13)[0]
    expected, mass = dpp_error_quadrature(np.exp, 2, 16)
    assert expected == pytest.approx(best + excess, rel=1e-7)
    assert mass == pytest.approx(1.0, abs=1e-12)


def test_dpp_points_have_the_kernel_as_intensity_and_repel():
    m, rng = 3, np.random.default_rng(0)
    points = projection_dpp_points(m, 100_000, rng)
    x, w = gauss_nodes(30)
    diag = np.sum(features(x, m) ** 2, axis=1)
    g = x**2
    # first intensity K(x, x) dmu: E sum_i g(x_i) = int g K dmu
    first = np.sum(points**2, axis=1)
    assert first.mean() == pytest.approx(w @ (g * diag), abs=4 * first.std() / np.sqrt(first.size))
    # second: E sum_{i != j} g(x_i) g(x_j) = int int g g (K(x,x) K(y,y) - K(x,y)^2)
    kernel = features(x, m) @ features(x, m).T
    two = w @ ((np.outer(g * diag, g * diag) - np.outer(g, g) * kernel**2) @ w)
    pairs = first**2 - np.sum(points**4, axis=1)
    assert pairs.mean() == pytest.approx(two, abs=4 * pairs.std() / np.sqrt(pairs.size))


def test_christoffel_points_follow_the_optimal_density():
    m, rng = 4, np.random.default_rng(1)
    points = christoffel_points(m, 5, 40_000, rng).ravel()
    x, w = gauss_nodes(30)
    density = np.sum(features(x, m) ** 2, axis=1) / m
    for power in (2, 4):
        mean = np.mean(points**power)
        se = np.std(points**power) / math.sqrt(points.size)
        assert mean == pytest.approx(w @ (x**power * density), abs=4 * se)


@pytest.mark.parametrize("sampling", ["dpp", "iid"])
def test_ratios_are_at_least_one(sampling):
    ratios = interpolation_error_ratios(np.exp, 3, 500, np.random.default_rng(2), sampling)
    assert ratios.shape == (500,) and np.all(ratios >= 1.0)


def test_unknown_sampling_is_rejected():
    with pytest.raises(ValueError, match="sampling"):
        interpolation_error_ratios(np.exp, 3, 10, np.random.default_rng(3), "grid")
