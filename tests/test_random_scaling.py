"""The random-scaling quadrature against Monte Carlo and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.random_scaling import ReluSine, relu_sine_instance, scaling_identity_sides


def test_gradient_matches_finite_differences_off_the_kinks() -> None:
    rng = np.random.default_rng(1)
    function = relu_sine_instance(rng)
    x = rng.standard_normal(5)
    step = 1e-6
    numeric = [
        (function.value(x + step * e) - function.value(x - step * e)) / (2 * step)
        for e in np.eye(5)
    ]
    np.testing.assert_allclose(function.gradient(x), numeric, rtol=1e-5, atol=1e-6)


def test_exponential_side_matches_monte_carlo() -> None:
    rng = np.random.default_rng(2)
    function = relu_sine_instance(rng)
    x, direction = rng.standard_normal(5), rng.standard_normal(5)
    lhs, _ = scaling_identity_sides(function, x, direction)
    s = rng.exponential(size=400_000)
    samples = function.value(x + s[:, None] * direction) - function.value(x)
    error = samples.std() / np.sqrt(s.size)
    assert abs(samples.mean() - lhs) < 4 * error


def test_kinks_are_where_the_pieces_meet() -> None:
    function = ReluSine(np.array([[1.0, 0.0]]), np.array([1.0]))
    kinks = function.kinks(np.array([-1.0, 0.1]), np.array([1.0, 0.0]), 3.0)
    # relu kink at s = 1; |sin 2 x_0| vanishes at x_0 = 0 and pi/2: s = 1 and 1 + pi/2
    np.testing.assert_allclose(kinks, [1.0, 1 + np.pi / 2])


def test_linear_function_satisfies_every_scaling() -> None:
    # on a linear F both sides equal E[s] <g, d>, whatever the law of s
    function = ReluSine(np.array([[1.0, 2.0]]), np.array([3.0]))
    x, direction = np.array([np.pi / 2 + 5.0, np.pi / 2 + 5.0]), np.array([1e-3, 1e-3])
    for scaling in ("uniform", "constant"):
        lhs, rhs = scaling_identity_sides(function, x, direction, scaling)
        assert lhs == pytest.approx(rhs, rel=1e-2)


def test_unknown_scaling_rejected() -> None:
    function = relu_sine_instance(np.random.default_rng(0))
    with pytest.raises(ValueError, match="scaling"):
        scaling_identity_sides(function, np.zeros(5), np.ones(5), "gamma")
