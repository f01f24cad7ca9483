"""The mean-square stability operator against batch enumeration and direct Monte Carlo."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators import stability as stab
from simulators.stability import (
    apply_operator,
    linear_sgd_sq_norms,
    noise_factor,
    rank_one_hessians,
    restrict_to_range,
    second_moment_operator,
    spectral_radius,
    stability_threshold,
)


def enumerated_operator(h: np.ndarray, eta: float, batch: int, replacement: bool) -> np.ndarray:
    """E[(I - eta H_S) (x) (I - eta H_S)] by listing every equally likely batch."""
    n, d, _ = h.shape
    if replacement:
        batches = itertools.product(range(n), repeat=batch)
    else:
        batches = itertools.combinations(range(n), batch)
    mats = [np.eye(d) - eta * h[list(s)].mean(axis=0) for s in batches]
    return np.mean([np.kron(a, a) for a in mats], axis=0)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 5),
    d=st.integers(1, 3),
    batch=st.integers(1, 4),
    replacement=st.booleans(),
    eta=st.floats(0.01, 2.0),
    seed=st.integers(0, 2**16),
)
def test_operator_equals_enumeration_over_batches(n, d, batch, replacement, eta, seed):
    if not replacement and batch > n:
        return
    h = rank_one_hessians(np.random.default_rng(seed).standard_normal((n, d)))
    np.testing.assert_allclose(
        second_moment_operator(h, eta, batch, replacement),
        enumerated_operator(h, eta, batch, replacement),
        atol=1e-12 * (1 + eta**2 * np.abs(h).max() ** 2),
    )


@pytest.mark.parametrize(
    ("seed", "batch", "replacement"), [(0, 1, True), (1, 2, True), (2, 2, False), (3, 3, False)]
)
def test_operator_predicts_monte_carlo_second_moment(seed, batch, replacement):
    # Direct simulation: E||e_t||^2 = vec(I)^T M^t vec(e0 e0^T). With 200k runs over 4 steps
    # at half the threshold the relative standard error is below 1%; allow 5 standard errors.
    rng = np.random.default_rng(seed)
    h = rank_one_hessians(rng.standard_normal((5, 3)))
    eta = 0.5 * stability_threshold(h, batch, replacement, rtol=1e-8)
    e0 = rng.standard_normal(3)
    horizons = np.arange(5)
    sq = linear_sgd_sq_norms(h, eta, batch, e0, horizons, 200_000, rng, replacement)
    m = second_moment_operator(h, eta, batch, replacement)
    v = np.outer(e0, e0).reshape(-1)
    for k, t in enumerate(horizons):
        exact = np.eye(3).reshape(-1) @ np.linalg.matrix_power(m, t) @ v
        se = sq[:, k].std() / np.sqrt(sq.shape[0])
        assert abs(sq[:, k].mean() - exact) <= 5 * se + 1e-12 * exact


def test_matrix_free_step_equals_dense_operator():
    rng = np.random.default_rng(4)
    h = rank_one_hessians(rng.standard_normal((6, 4)))
    x = rng.standard_normal((4, 4))  # not symmetric: the map must be right on all matrices
    for batch, replacement in ((1, True), (3, True), (2, False)):
        dense = second_moment_operator(h, 0.2, batch, replacement) @ x.reshape(-1)
        np.testing.assert_allclose(
            apply_operator(h, x, 0.2, batch, replacement).reshape(-1), dense, atol=1e-12
        )


def test_lanczos_radius_equals_dense_radius(monkeypatch):
    rng = np.random.default_rng(5)
    h = rank_one_hessians(rng.standard_normal((12, 6)))
    dense = spectral_radius(h, 0.05, 2)
    monkeypatch.setattr(stab, "DENSE_MAX_DIM", 3)  # force the matrix-free path
    assert spectral_radius(h, 0.05, 2) == pytest.approx(dense, rel=1e-9)


def test_threshold_brackets_the_spectral_radius():
    h = rank_one_hessians(np.random.default_rng(6).standard_normal((7, 4)))
    for batch in (1, 2, 5):
        star = stability_threshold(h, batch, rtol=1e-12)
        assert spectral_radius(h, star, batch) <= 1
        assert spectral_radius(h, star * (1 + 1e-6), batch) > 1


@pytest.mark.parametrize(("batch", "replacement"), [(1, True), (3, True), (2, False), (6, False)])
def test_generalised_eigenvalue_threshold_equals_bisection(monkeypatch, batch, replacement):
    # eta* = 1/lambda_max(Q, L) against bisection on the matrix-free radius (no L, Q at all)
    h = rank_one_hessians(np.random.default_rng(9).standard_normal((7, 3)) * [1.0, 0.5, 2.0])
    direct = stability_threshold(h, batch, replacement, rtol=1e-10)
    monkeypatch.setattr(stab, "DENSE_MAX_DIM", 0)
    bisected = stability_threshold(h, batch, replacement, rtol=1e-10)
    assert direct == pytest.approx(bisected, rel=2e-10)
    assert spectral_radius(h, direct, batch, replacement) <= 1


def test_threshold_grows_with_batch_and_full_batch_without_replacement_is_gd():
    h = rank_one_hessians(np.random.default_rng(7).standard_normal((6, 3)))
    stars = [stability_threshold(h, b, rtol=1e-12) for b in (1, 2, 4, 8, 64)]
    assert np.all(np.diff(stars) > 0)
    gd = 2 / np.linalg.eigvalsh(h.mean(0))[-1]
    assert stars[-1] < gd
    assert stability_threshold(h, 6, replacement=False, rtol=1e-12) == pytest.approx(gd, 1e-10)


def test_flat_directions_are_removed():
    # over-parameterised: 2 samples in 5 dimensions; without the restriction rho would be 1
    g = np.random.default_rng(8).standard_normal((2, 5))
    h = rank_one_hessians(g)
    assert restrict_to_range(h).shape == (2, 2, 2)
    assert spectral_radius(h, 0.1 / np.trace(h.mean(0)), 1) < 1


def test_noise_factor_values():
    assert noise_factor(10, 4) == 0.25
    assert noise_factor(10, 4, replacement=False) == pytest.approx(6 / 36)
    assert noise_factor(10, 10, replacement=False) == 0.0
    assert noise_factor(1, 1, replacement=False) == 0.0


def test_simulation_is_reproducible():
    h = rank_one_hessians(np.eye(3))

    def run():
        return linear_sgd_sq_norms(
            h, 0.5, 2, np.ones(3), np.array([0, 3]), 8, np.random.default_rng(9), False
        )

    np.testing.assert_array_equal(run(), run())


# --- bad input -------------------------------------------------------------------------------

GOOD = rank_one_hessians(np.eye(2))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: second_moment_operator(np.ones((2, 2)), 0.1, 1), "shape"),
        (lambda: second_moment_operator(np.full((1, 2, 2), np.nan), 0.1, 1), "NaN"),
        (lambda: second_moment_operator(np.array([[[1.0, 2.0], [0.0, 1.0]]]), 0.1, 1), "symm"),
        (lambda: second_moment_operator(GOOD, -0.1, 1), "eta"),
        (lambda: second_moment_operator(GOOD, float("nan"), 1), "eta"),
        (lambda: second_moment_operator(GOOD, 0.1, 0), "batch"),
        (lambda: second_moment_operator(GOOD, 0.1, 1.5), "batch"),
        (lambda: second_moment_operator(GOOD, 0.1, 3, replacement=False), "exceeds"),
        (lambda: spectral_radius(np.zeros((2, 2, 2)), 0.1, 1), "zero"),
        (lambda: stability_threshold(GOOD, 1, rtol=0.0), "rtol"),
        (lambda: rank_one_hessians(np.ones(3)), "features"),
        (lambda: rank_one_hessians(np.array([[np.inf, 1.0]])), "NaN"),
        (
            lambda: linear_sgd_sq_norms(
                GOOD, 0.1, 1, np.ones(3), np.array([0, 1]), 4, np.random.default_rng(0)
            ),
            "x0",
        ),
        (
            lambda: linear_sgd_sq_norms(
                GOOD, 0.1, 1, np.ones(2), np.array([2, 1]), 4, np.random.default_rng(0)
            ),
            "horizons",
        ),
        (
            lambda: linear_sgd_sq_norms(
                GOOD, 0.1, 1, np.ones(2), np.array([0, 1]), 0, np.random.default_rng(0)
            ),
            "replicates",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
