"""The clipped mean field against quadrature, and clipped SGD against a scalar loop."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from simulators.clipping import (
    clipped_mean_field,
    clipped_root,
    clipped_sgd_location,
    clipped_slope,
)


@pytest.mark.parametrize("tau", [0.05, 0.7, 3.0])
@pytest.mark.parametrize("x", [-0.5, 0.3, 0.9, 2.5])
def test_mean_field_matches_quadrature(tau: float, x: float) -> None:
    kinks = [k for k in (x - tau, x + tau) if k > 0]
    integrand = lambda s: np.clip(x - s, -tau, tau) * np.exp(-s)  # noqa: E731
    value, _ = quad(integrand, 0, 60, points=kinks, limit=200, epsabs=1e-13)
    assert clipped_mean_field(x, tau) == pytest.approx(value, abs=1e-10)


def test_root_limits_are_median_and_mean() -> None:
    assert clipped_root(1e-4) == pytest.approx(np.log(2), abs=1e-6)
    assert clipped_root(40.0) == pytest.approx(1.0, abs=1e-12)
    roots = [clipped_root(t) for t in (0.05, 0.25, 1.0, 4.0)]
    assert np.all(np.diff(roots) > 0)
    assert abs(clipped_mean_field(roots[2], 1.0)) < 1e-13


def test_slope_is_the_mean_field_derivative() -> None:
    root, h = clipped_root(1.0), 1e-6
    numeric = (clipped_mean_field(root + h, 1.0) - clipped_mean_field(root - h, 1.0)) / (2 * h)
    assert clipped_slope(1.0) == pytest.approx(float(numeric), rel=1e-6)


def test_matches_a_scalar_loop() -> None:
    horizons = np.array([3, 10, 25])
    got = clipped_sgd_location(0.5, horizons, 4, np.random.default_rng(7))
    draws = np.random.default_rng(7)
    x, want = np.zeros(4), []
    for t in range(25):
        xi = draws.exponential(1.0, 4)
        x = x - 2.0 / (t + 10) * np.clip(x - xi, -0.5, 0.5)
        if t + 1 in horizons:
            want.append(x.copy())
    np.testing.assert_allclose(got, np.array(want).T, rtol=1e-14)


def test_bad_horizons_rejected() -> None:
    with pytest.raises(ValueError, match="horizons"):
        clipped_sgd_location(1.0, np.array([5, 5]), 2, np.random.default_rng(0))
