"""Factorisation GD and ScaledGD(lambda) against scalar loops and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.matrix_sensing import (
    factorization_errors,
    iterations_to_accuracy,
    low_rank_target,
)


def test_target_has_the_requested_spectrum() -> None:
    target = low_rank_target(np.random.default_rng(0), 8, np.array([2.0, 0.5]))
    np.testing.assert_allclose(np.linalg.eigvalsh(target)[-2:], [0.5, 2.0], atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(target)[:-2], 0.0, atol=1e-12)


def test_scalar_case_matches_the_recursion() -> None:
    # n = k = 1, M* = 0: x <- x - eta x^3, error x^4
    x, errors = 0.5, []
    for _ in range(10):
        x -= 0.1 * x**3
        errors.append(x**4)
    got = factorization_errors(np.zeros((1, 1)), np.full((1, 1, 1), 0.5), 0.1, np.arange(1, 11))
    np.testing.assert_allclose(got[0], errors, rtol=1e-13)


def test_spurious_mode_decays_as_one_over_two_eta_t() -> None:
    # M* = 0 in one dimension: s = x^2 obeys s <- s (1 - eta s)^2, so s_t ~ 1/(2 eta t)
    got = factorization_errors(np.zeros((1, 1)), np.full((1, 1, 1), 1.0), 0.1, [100_000])
    assert np.sqrt(got[0, 0]) * 2 * 0.1 * 100_000 == pytest.approx(1.0, rel=1e-3)


def test_scaledgd_with_zero_damping_on_exact_rank_is_fast() -> None:
    rng = np.random.default_rng(1)
    target = low_rank_target(rng, 10, np.array([1.0, 1e-3]))
    x0 = 1e-3 * rng.standard_normal((2, 10, 2))
    scaled = iterations_to_accuracy(target, x0, 0.5, 1e-6, 3_000, damping=1e-4)
    plain = iterations_to_accuracy(target, x0, 0.5, 1e-6, 3_000)
    assert np.all(scaled < 100) and np.all(plain > scaled)


def test_unreached_accuracy_is_reported_past_the_budget() -> None:
    counts = iterations_to_accuracy(np.eye(2), np.full((1, 2, 2), 1e-3), 0.01, 1e-8, 5)
    assert counts.tolist() == [6]
