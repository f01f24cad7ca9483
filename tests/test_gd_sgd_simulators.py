"""The gradient-descent and finite-sum SGD simulators against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.common import huber, huber_gradient
from simulators.gd import diagonal_quadratic_sq_errors, huber_worst_case_gaps
from simulators.sgd import sgd_least_squares, sgd_least_squares_sq_errors


@settings(max_examples=30, deadline=None)
@given(x=st.floats(-10, 10), tau=st.floats(0.01, 5), L=st.floats(0.1, 10))
def test_huber_gradient_is_the_derivative(x, tau, L):
    h = 1e-6
    numeric = (huber(x + h, tau, L) - huber(x - h, tau, L)) / (2 * h)
    assert huber_gradient(x, tau, L) == pytest.approx(numeric, abs=1e-5 * max(1, L * tau))


@given(N=st.integers(1, 300), L=st.floats(0.5, 8), D=st.floats(0.1, 10))
@settings(max_examples=20, deadline=None)
def test_huber_family_gap_closed_form(N, L, D):
    gap = huber_worst_case_gaps(np.array([N]), L, D, 1 / L)
    assert gap[0] == pytest.approx(L * D**2 / (4 * N + 2), rel=1e-10)


def test_diagonal_quadratic_matches_closed_form():
    rng = np.random.default_rng(0)
    eig = np.array([0.1, 0.5, 1.0])
    x0 = rng.standard_normal((4, 3))
    sq = diagonal_quadratic_sq_errors(eig, x0, 0.9, 25)
    t = np.arange(26)
    expected = ((x0[:, None, :] * (1 - 0.9 * eig) ** t[None, :, None]) ** 2).sum(-1)
    np.testing.assert_allclose(sq, expected, rtol=1e-12)


def test_sgd_stationary_variance_matches_theory():
    # f_i = (x - b_i)^2/2: E(x_t - x*)^2 -> gamma s^2 / (2 - gamma), s^2 = Var(b)
    b = np.linspace(-1, 1, 10)
    gamma = 0.3
    x = sgd_least_squares(
        np.ones((10, 1)),
        b,
        np.array([0.0]),
        gamma,
        np.array([200]),
        40_000,
        np.random.default_rng(1),
    )
    second = np.mean((x[:, 0, 0] - b.mean()) ** 2)
    theory = gamma * b.var() / (2 - gamma)
    assert second == pytest.approx(theory, rel=0.03)  # 40k replicates: relative SE about 1%


def test_sgd_records_horizon_zero_and_is_reproducible():
    A = np.random.default_rng(2).standard_normal((5, 3))
    b = np.ones(5)

    def run():
        horizons = np.array([0, 3, 10])
        return sgd_least_squares(A, b, np.zeros(3), 0.05, horizons, 7, np.random.default_rng(9))

    out = run()
    assert out.shape == (7, 3, 3)
    np.testing.assert_array_equal(out[:, 0], 0.0)
    np.testing.assert_array_equal(out, run())


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: huber_worst_case_gaps(np.array([5, 3]), 1.0, 1.0, 1.0), "increasing"),
        (lambda: huber_worst_case_gaps(np.array([1, 3]), -1.0, 1.0, 1.0), "positive"),
        (lambda: diagonal_quadratic_sq_errors(np.ones(3), np.ones((2, 4)), 0.1, 5), "x0"),
        (
            lambda: sgd_least_squares(
                np.ones((3, 1)),
                np.ones(4),
                np.zeros(1),
                0.1,
                np.array([1]),
                2,
                np.random.default_rng(0),
            ),
            "targets",
        ),
        (
            lambda: sgd_least_squares(
                np.ones((3, 1)),
                np.ones(3),
                np.zeros(1),
                0.0,
                np.array([1]),
                2,
                np.random.default_rng(0),
            ),
            "step",
        ),
    ],
)
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_exact_sq_errors_match_monte_carlo():
    rng = np.random.default_rng(3)
    features = rng.standard_normal((6, 3))
    targets = rng.standard_normal(6)  # not interpolated: the noise and cross terms matter
    x0 = np.array([1.0, -2.0, 0.5])
    step, horizons = 0.08, np.array([0, 1, 2, 5, 20, 60])
    exact = sgd_least_squares_sq_errors(features, targets, x0, step, int(horizons[-1]))
    solution = np.linalg.lstsq(features, targets, rcond=None)[0]
    x = sgd_least_squares(features, targets, x0, step, horizons, 40_000, rng)
    sq = ((x - solution) ** 2).sum(-1)
    mean, se = sq.mean(0), sq.std(0, ddof=1) / np.sqrt(sq.shape[0])
    np.testing.assert_allclose(mean, exact[horizons], atol=5 * se.max() + 1e-12)


def test_exact_sq_errors_one_dimension_closed_form():
    # a_i^2 in {0, 1}, interpolated targets: E e_t^2 = (mean (1 - gamma a_i^2)^2)^t e_0^2
    features = np.array([[1.0], [0.0], [1.0], [0.0]])
    exact = sgd_least_squares_sq_errors(features, 2.0 * features[:, 0], [5.0], 0.45, 30)
    factor = np.mean((1 - 0.45 * features[:, 0] ** 2) ** 2)
    np.testing.assert_allclose(exact, 9.0 * factor ** np.arange(31), rtol=1e-12)
