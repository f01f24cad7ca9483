"""EF21 on heterogeneous quadratics against closed forms and a scalar loop."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.ef21 import (
    ef21_bound_ratios,
    ef21_step_size,
    heterogeneous_quadratics,
    smoothness,
    top_k,
)


def test_top_k_keeps_the_largest_magnitudes() -> None:
    values = np.array([[0.5, -3.0, 2.0, 0.1], [1.0, 1.0, -1.0, 0.0]])
    np.testing.assert_array_equal(
        top_k(values, np.array([2, 1])), [[0.0, -3.0, 2.0, 0.0], [1.0, 0.0, 0.0, 0.0]]
    )
    # Top-k is contractive with alpha = k/d
    v = np.random.default_rng(0).standard_normal((50, 7))
    residual = np.sum((top_k(v, 3) - v) ** 2, axis=1)
    assert np.all(residual <= (1 - 3 / 7) * np.sum(v**2, axis=1) + 1e-12)


def test_isotropic_uncompressed_ratio_is_the_closed_form() -> None:
    rng = np.random.default_rng(1)
    hessians, centres = heterogeneous_quadratics(3, 4, 3, rng, 100.0, "geometric", 0.0)
    keep = np.full(3, 3)
    _, total = smoothness(hessians)
    np.testing.assert_allclose(ef21_step_size(hessians, keep), 1 / total)
    for factor in (0.7, 1.0, 1.06):
        steps = factor * ef21_step_size(hessians, keep)
        ratios = ef21_bound_ratios(hessians, centres, rng.standard_normal((3, 3)), keep, steps, 9)
        expected = (1 - (1 - factor) ** 18) / (2 - factor)
        np.testing.assert_allclose(ratios, expected, rtol=1e-9)


def test_matches_a_scalar_loop() -> None:
    rng = np.random.default_rng(2)
    hessians, centres = heterogeneous_quadratics(1, 3, 4, rng, 30.0, "one_heavy", 0.9)
    x0 = rng.standard_normal((1, 4))
    keep, step = np.array([1]), ef21_step_size(hessians, np.array([1]))
    got = ef21_bound_ratios(hessians, centres, x0, keep, step, 25)[0]
    a, b, x = hessians[0], centres[0], x0[0].copy()
    grads = [a[i] @ (x - b[i]) for i in range(3)]
    f = lambda z: sum(0.5 * (z - b[i]) @ a[i] @ (z - b[i]) for i in range(3)) / 3  # noqa: E731
    minimiser = np.linalg.solve(a.mean(axis=0), sum(a[i] @ b[i] for i in range(3)) / 3)
    total = 0.0
    for _ in range(25):
        total += float(np.sum(np.mean([a[i] @ (x - b[i]) for i in range(3)], axis=0) ** 2))
        x = x - step[0] * np.mean(grads, axis=0)
        for i in range(3):
            diff = a[i] @ (x - b[i]) - grads[i]
            j = int(np.argmax(np.abs(diff)))
            grads[i] = grads[i] + np.where(np.arange(4) == j, diff, 0.0)
    expected = step[0] * total / (2 * (f(x0[0]) - f(minimiser)))
    assert got == pytest.approx(expected, rel=1e-10)


def test_constants_are_ordered() -> None:
    rng = np.random.default_rng(3)
    hessians, _ = heterogeneous_quadratics(5, 6, 3, rng, 1000.0)
    keep = np.full(5, 1)
    by_min = ef21_step_size(hessians, keep, "minimum")
    by_mean = ef21_step_size(hessians, keep, "arithmetic")
    by_quadratic = ef21_step_size(hessians, keep, "quadratic")
    assert np.all(by_min > by_mean) and np.all(by_mean >= by_quadratic)


def test_bad_pattern_rejected() -> None:
    with pytest.raises(ValueError, match="pattern"):
        heterogeneous_quadratics(1, 2, 2, np.random.default_rng(0), pattern="ring")
