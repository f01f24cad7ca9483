"""Inexact Newton against a plain numpy loop, and its float and mpmath paths against each other."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from simulators.inexact_newton import inexact_newton_residuals, logistic_system


def _instance(seed: int = 0, dim: int = 3):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((dim, dim))
    return (
        a @ a.T / dim + 0.5 * np.eye(dim),
        rng.standard_normal(dim),
        rng.standard_normal((2, dim)),
    )


def reference(q, lin, x0, steps, eta_of, frozen=False):
    """One start, np.linalg.solve, F and J written out from f = x'Qx/2 + q'x + sum log(1+e^x)."""

    def system(x):
        s = 1 / (1 + np.exp(-x))
        return q @ x + lin + s, q + np.diag(s * (1 - s))

    x, out = x0.copy(), []
    j0 = system(x)[1]
    for _ in range(steps + 1):
        f, j = system(x)
        out.append(np.linalg.norm(f))
        x = x - (1 + eta_of(np.linalg.norm(f))) * np.linalg.solve(j0 if frozen else j, f)
    return np.array(out)


@pytest.mark.parametrize(
    ("forcing", "eta_of"),
    [("exact", lambda n: 0.0), ("fixed", lambda n: 0.1), ("power", lambda n: min(0.1, n**0.5))],
)
@pytest.mark.parametrize("jacobian", ["exact", "frozen"])
def test_matches_a_plain_loop(forcing, eta_of, jacobian) -> None:
    q, lin, x0 = _instance()
    got = inexact_newton_residuals(q, lin, x0, 6, forcing, 0.1, 0.5, jacobian)
    for row in range(2):
        want = reference(q, lin, x0[row], 6, eta_of, frozen=jacobian == "frozen")
        np.testing.assert_allclose(got[row], want, rtol=1e-9, atol=1e-15)


def test_jacobian_is_the_derivative_of_the_residual() -> None:
    q, lin, x0 = _instance(1)
    _, j = logistic_system(x0, q, lin)
    h = 1e-6
    for i in range(3):
        bump = np.zeros(3)
        bump[i] = h
        numeric = (
            logistic_system(x0 + bump, q, lin)[0] - logistic_system(x0 - bump, q, lin)[0]
        ) / (2 * h)
        np.testing.assert_allclose(numeric, j[:, :, i], atol=1e-8)


def test_mpmath_path_agrees_with_float64() -> None:
    q, lin, x0 = _instance(2)
    to_mp = np.vectorize(mpmath.mpf, otypes=[object])
    with mpmath.workdps(50):
        high = inexact_newton_residuals(to_mp(q), to_mp(lin), to_mp(x0), 4, "fixed", 0.1)
    low = inexact_newton_residuals(q, lin, x0, 4, "fixed", 0.1)
    np.testing.assert_allclose(high.astype(float), low, rtol=1e-10)


def test_bad_forcing_rejected() -> None:
    q, lin, x0 = _instance()
    with pytest.raises(ValueError, match="forcing"):
        inexact_newton_residuals(q, lin, x0, 3, forcing="sometimes")
