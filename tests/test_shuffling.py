"""Shuffling SGD on the piecewise quadratic against scalar loops and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.shuffling import (
    balanced_signs,
    piecewise_quadratic_gradient,
    shuffling_final_values,
)


def _scalar_reference(n: int, epochs: int, step: float, orders: list[np.ndarray]) -> float:
    x = 1.0
    for epoch in range(epochs):
        for sign in orders[epoch]:
            x -= step * ((4.0 if x < 0 else 1.0) * x + sign)
    return (4.0 if x < 0 else 1.0) * x * x / 2


def test_reshuffle_matches_a_scalar_loop() -> None:
    n, epochs, steps = 4, 3, np.array([0.05, 0.2])
    got = shuffling_final_values(n, epochs, steps, 2, np.random.default_rng(5))
    draws = np.random.default_rng(5)
    orders = [balanced_signs(n, 2, draws).T for _ in range(epochs)]
    for r in range(2):
        for s, step in enumerate(steps):
            want = _scalar_reference(n, epochs, step, [o[r] for o in orders])
            assert got[r, s] == pytest.approx(want, rel=1e-12)


def test_balanced_signs_are_a_uniform_random_order() -> None:
    # n = 4: the C(4, 2) = 6 arrangements of two +1 and two -1, each with probability 1/6
    signs = balanced_signs(4, 60_000, np.random.default_rng(7))
    assert np.all(signs.sum(axis=0) == 0)
    codes = ((signs > 0) * np.array([[8], [4], [2], [1]])).sum(axis=0)
    arrangements, counts = np.unique(codes, return_counts=True)
    assert len(arrangements) == 6
    # each count is Binomial(60000, 1/6): standard deviation 91, so 5 sigma is 460
    np.testing.assert_allclose(counts, 10_000, atol=460)


def test_fixed_order_is_deterministic_and_alternating() -> None:
    got = shuffling_final_values(6, 4, np.array([0.1]), 3, np.random.default_rng(0), "fixed")
    want = _scalar_reference(6, 4, 0.1, [np.tile([1.0, -1.0], 3)] * 4)
    np.testing.assert_allclose(got[:, 0], want, rtol=1e-12)


def test_replacement_draws_balanced_signs_on_average() -> None:
    # with tiny steps x barely moves from 1, and F = 1/2 up to O(step n K)
    got = shuffling_final_values(
        8, 2, np.array([1e-9]), 50, np.random.default_rng(1), "replacement"
    )
    np.testing.assert_allclose(got, 0.5, rtol=1e-6)


def test_gradient_has_the_two_curvatures() -> None:
    x = np.array([-1.0, 2.0])
    np.testing.assert_allclose(
        piecewise_quadratic_gradient(x, np.array([1.0, -1.0]), 4, 1, 1), [-3.0, 1.0]
    )


def test_reshuffling_beats_replacement_at_many_epochs() -> None:
    rng = np.random.default_rng(2)
    steps = np.geomspace(2, 16, 8) / (8 * 64)
    rr = shuffling_final_values(8, 64, steps, 400, rng).mean(axis=0).min()
    sgd = shuffling_final_values(8, 64, steps, 400, rng, "replacement").mean(axis=0).min()
    assert rr < sgd / 3


def test_bad_input_rejected() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="even"):
        shuffling_final_values(5, 2, np.array([0.1]), 2, rng)
    with pytest.raises(ValueError, match="order"):
        shuffling_final_values(4, 2, np.array([0.1]), 2, rng, "cyclic")


def test_sorted_order_puts_the_positive_signs_first() -> None:
    got = shuffling_final_values(6, 3, np.array([0.1]), 2, np.random.default_rng(0), "sorted")
    want = _scalar_reference(6, 3, 0.1, [np.array([1.0, 1.0, 1.0, -1.0, -1.0, -1.0])] * 3)
    np.testing.assert_allclose(got[:, 0], want, rtol=1e-12)


def test_reshuffling_gains_in_n_and_the_sorted_order_does_not() -> None:
    # eta = 8/(mu n K) at K = 32: the variance term falls as 1/n under reshuffling only
    rng = np.random.default_rng(6)
    rr = [shuffling_final_values(n, 32, np.array([8 / (n * 32)]), 600, rng).mean() for n in (8, 64)]
    ig = [
        shuffling_final_values(n, 32, np.array([8 / (n * 32)]), 1, rng, "sorted").mean()
        for n in (8, 64)
    ]
    assert rr[0] / rr[1] > 4
    assert 0.7 < ig[0] / ig[1] < 1.4
