"""The sharp-flat instance against finite differences and a scalar GD loop."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.large_lr import (
    gd_final_points,
    sharp_flat_curvature,
    sharp_flat_gradient,
    sharp_flat_minima,
)


def value(x: np.ndarray) -> np.ndarray:
    return (x - 4) ** 2 / 8 - np.exp(-5 * x**2)


def test_derivatives_match_finite_differences() -> None:
    x = np.linspace(-1, 5, 41)
    h = 1e-5
    np.testing.assert_allclose(
        sharp_flat_gradient(x), (value(x + h) - value(x - h)) / (2 * h), atol=1e-8
    )
    np.testing.assert_allclose(
        sharp_flat_curvature(x), (value(x + h) - 2 * value(x) + value(x - h)) / h**2, atol=1e-4
    )


def test_minima_are_stationary_with_the_documented_curvatures() -> None:
    local, global_ = sharp_flat_minima()
    assert abs(sharp_flat_gradient(np.array([local, global_]))).max() < 1e-14
    assert local == pytest.approx(0.1027, abs=1e-4)
    assert value(np.array(global_)) < value(np.array(local))
    assert sharp_flat_curvature(np.array(local)) == pytest.approx(8.735, abs=1e-3)


def test_grid_matches_a_scalar_loop() -> None:
    starts, steps = np.array([-0.2, 0.3]), np.array([0.1, 0.3, 1.0])
    finals = gd_final_points(starts, steps, 200)
    for i, step in enumerate(steps):
        for j, start in enumerate(starts):
            x = float(start)
            for _ in range(200):
                x -= step * ((x - 4) / 4 + 10 * x * np.exp(-5 * x * x))
            assert finals[i, j] == pytest.approx(x, rel=1e-12, abs=1e-12)


def test_bad_iterations_rejected() -> None:
    with pytest.raises(ValueError, match="iterations"):
        gd_final_points(np.zeros(1), np.ones(1), 0)
