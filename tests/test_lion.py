"""Lion against a scalar reference loop, and the one-line box inequality."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.lion import lion_quadratic


def reference_lion(a, c, x0, eta, lam, steps, coupled=False):
    x, m, path = np.array(x0, float), np.zeros(len(x0)), [np.abs(x0).max()]
    for _ in range(steps):
        g = a @ (x - c) + (lam * x if coupled else 0)
        direction = np.sign(0.9 * m + 0.1 * g)
        x = x - eta * (direction + (0 if coupled else lam) * x)
        m = 0.99 * m + 0.01 * g
        path.append(np.abs(x).max())
    return np.array(path), x


@pytest.mark.parametrize("coupled", [False, True])
def test_matches_the_reference_loop(coupled: bool) -> None:
    rng = np.random.default_rng(3)
    a = np.array([[2.0, 0.3], [0.3, 1.0]])
    c, x0 = np.array([3.0, -1.0]), np.array([[1.0, 4.0]])
    norms, path = lion_quadratic(a, c, x0, 0.05, 0.5, 40, rng, coupled=coupled)
    expected_norms, expected_last = reference_lion(a, c, x0[0], 0.05, 0.5, 40, coupled)
    np.testing.assert_allclose(norms[0], expected_norms, rtol=1e-13)
    np.testing.assert_allclose(path[0, -1], expected_last, rtol=1e-13)


def test_box_inequality_holds_for_noisy_gradients() -> None:
    rng = np.random.default_rng(4)
    eta, lam = 0.02, 2.0
    norms, _ = lion_quadratic(
        np.eye(3), np.full(3, 9.0), np.full((50, 3), 3.0), eta, lam, 300, rng, noise=5.0
    )
    t = np.arange(301)
    assert np.all(np.clip(norms - 1 / lam, 0, None) <= (1 - eta * lam) ** t * 2.5 + 1e-12)


def test_bad_step_rejected() -> None:
    with pytest.raises(ValueError, match="step"):
        lion_quadratic(
            np.eye(1), np.zeros(1), np.ones((1, 1)), 0.0, 1.0, 5, np.random.default_rng(0)
        )
