"""The learning-curve recursion against a full-covariance computation and a scalar SGD loop."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.learning_curves import loss_recursion, power_law_spectrum, sgd_test_loss


def full_second_moment(lam, c0, eta, batch, steps):
    """E[e e^T] propagated with the full fourth-moment formula, dense (independent of the
    diagonal closure): C <- C - eta (SC + CS) + eta^2 [(B+1) SCS + S tr(SC)] / B."""
    s, c, out = np.diag(lam), np.diag(c0), []
    for _ in range(steps + 1):
        out.append(0.5 * np.trace(s @ c))
        fourth = ((batch + 1) * s @ c @ s + s * np.trace(s @ c)) / batch
        c = c - eta * (s @ c + c @ s) + eta**2 * fourth
    return np.array(out)


@pytest.mark.parametrize("batch", [1, 3])
def test_diagonal_recursion_matches_the_dense_one(batch: int) -> None:
    lam, w2 = power_law_spectrum(6, 2.0, 1.5)
    got = loss_recursion(lam, w2, 0.3, batch, np.arange(20))
    np.testing.assert_allclose(got, full_second_moment(lam, w2, 0.3, batch, 19), rtol=1e-12)


def test_sgd_matches_a_scalar_loop() -> None:
    lam, w2 = power_law_spectrum(4, 2.0, 1.0)
    got = sgd_test_loss(lam, np.sqrt(w2), 0.1, 2, np.array([0, 3, 7]), 2, np.random.default_rng(5))
    rng, want = np.random.default_rng(5), []
    error = -np.tile(np.sqrt(w2), (2, 1))
    for t in range(8):
        if t in (0, 3, 7):
            want.append(0.5 * (error**2) @ lam)
        x = rng.standard_normal((2, 2, 4)) * np.sqrt(lam)
        for r in range(2):
            error[r] -= 0.1 / 2 * sum(x[r, b] * (x[r, b] @ error[r]) for b in range(2))
    np.testing.assert_allclose(got, np.array(want).T, rtol=1e-12)


def test_monte_carlo_mean_matches_the_recursion() -> None:
    lam, w2 = power_law_spectrum(10, 2.0, 1.5)
    horizons = np.array([5, 20])
    mc = sgd_test_loss(lam, np.sqrt(w2), 0.3, 1, horizons, 20_000, np.random.default_rng(1))
    exact = loss_recursion(lam, w2, 0.3, 1, horizons)
    se = mc.std(0) / np.sqrt(len(mc))
    assert np.all(np.abs(mc.mean(0) - exact) < 4 * se)


def test_bad_horizons_rejected() -> None:
    with pytest.raises(ValueError, match="horizons"):
        loss_recursion(np.ones(2), np.ones(2), 0.1, 1, np.array([3, 2]))
