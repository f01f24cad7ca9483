"""Polyak's step against closed forms on the attaining instance and a scalar reference."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.polyak import (
    l1_regression_instance,
    max_type_instance,
    normalised_best_gaps,
    polyak_run,
)


@pytest.mark.parametrize("dim", [1, 5, 37])
def test_max_type_gap_is_constant_then_zero(dim: int) -> None:
    instance = max_type_instance(dim, lipschitz=2.0, distance=3.0)
    gaps, norms = polyak_run(instance, dim + 3)
    np.testing.assert_allclose(gaps[:dim], 2.0 * 3.0 / np.sqrt(dim), rtol=1e-12)
    np.testing.assert_allclose(gaps[dim:], 0.0, atol=1e-12)
    np.testing.assert_allclose(norms[:dim], 2.0)
    assert instance.distance == pytest.approx(float(np.linalg.norm(instance.start)))


def test_one_dimensional_step_reaches_the_minimum() -> None:
    # f(x) = |x - 1| from 0: Polyak's step (f - f*)/|g|^2 * g = 1 lands on x* at once
    rng = np.random.default_rng(3)
    instance = l1_regression_instance(1, 1, rng)
    gaps, _ = polyak_run(instance, 3)
    assert gaps[0] > 0 and gaps[1] == pytest.approx(0.0, abs=1e-12)


def test_distance_to_optimum_never_grows() -> None:
    rng = np.random.default_rng(0)
    instance = l1_regression_instance(30, 6, rng)
    gaps, norms = polyak_run(instance, 200)
    # the telescoped inequality: sum (f_t - f*)^2 / ||g_t||^2 <= D^2
    assert np.sum(gaps[norms > 0] ** 2 / norms[norms > 0] ** 2) <= instance.distance**2 + 1e-9


def test_bound_holds_and_misspecified_optimum_stalls() -> None:
    rng = np.random.default_rng(1)
    instance = l1_regression_instance(40, 10, rng)
    horizons = np.array([10, 100, 2000])
    assert np.all(normalised_best_gaps(instance, horizons) <= 1 / np.sqrt(horizons))
    told = 0.05 * instance.value(instance.start)
    stalled = normalised_best_gaps(instance, horizons, told)
    assert stalled[-1] > 1 / np.sqrt(horizons[-1])


def test_bad_iterations_rejected() -> None:
    with pytest.raises(ValueError):
        polyak_run(max_type_instance(3), 0)
