"""Halpern's iteration against closed forms and an independent scalar loop."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.halpern import (
    ball_reflection,
    box_reflection,
    halpern_residuals,
    linear_map,
    negation,
)


def test_negation_matches_the_closed_form() -> None:
    # x_{2j} = D / (2j + 1), x_{2j+1} = 0, so the residual 2|x_k| is 2D/(k+1) at even k
    residuals = halpern_residuals(negation, np.array([[3.0]]), 20)[0]
    k = np.arange(21)
    expected = np.where(k % 2 == 0, 6.0 / (k + 1), 0.0)
    np.testing.assert_allclose(residuals, expected, atol=1e-14)


def test_rotation_matches_a_scalar_complex_loop() -> None:
    angle = 0.7
    matrix = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    x0 = np.array([[1.5, -0.5]])
    residuals = halpern_residuals(linear_map(matrix), x0, 30)[0]
    z0 = complex(1.5, -0.5)
    z, expected = z0, []
    for step in range(31):
        tz = np.exp(1j * angle) * z
        expected.append(abs(z - tz))
        z = z0 / (step + 2) + (1 - 1 / (step + 2)) * tz
    np.testing.assert_allclose(residuals, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "operator",
    [box_reflection(-np.ones(3), 2 * np.ones(3)), ball_reflection(np.array([1.0, 0, 0]), 0.5)],
)
def test_reflections_are_nonexpansive_and_fix_their_set(operator) -> None:
    rng = np.random.default_rng(0)
    x, y = 3 * rng.standard_normal((500, 3)), 3 * rng.standard_normal((500, 3))
    gap = np.linalg.norm(operator(x) - operator(y), axis=1)
    assert np.all(gap <= np.linalg.norm(x - y, axis=1) + 1e-12)
    inside = np.array([[1.0, 0.1, 0.0]])
    np.testing.assert_allclose(operator(inside), inside)


def test_replicates_run_independently() -> None:
    starts = np.array([[1.0, 0.0], [0.0, 2.0]])
    both = halpern_residuals(negation, starts, 5)
    for row, start in zip(both, starts, strict=True):
        np.testing.assert_allclose(row, halpern_residuals(negation, start[None], 5)[0])


def test_bad_iterations_rejected() -> None:
    with pytest.raises(ValueError, match="iterations"):
        halpern_residuals(negation, np.ones((1, 1)), 0)
