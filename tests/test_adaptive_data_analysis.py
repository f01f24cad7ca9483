"""The adaptive-attack simulator against the closed-form bias of the majority vote."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.adaptive_data_analysis import (
    expected_abs_gaussian,
    final_query_error_sweep,
    final_query_errors,
)


def test_empirical_attack_error_matches_the_gaussian_approximation():
    # each vote u_i = sum_j s_j z_ij has mean sqrt(2/pi) k / sqrt(n) and sd sqrt(k), so
    # the final answer's bias is (2/pi) sqrt(k/n) (k << n), plus sampling noise of sd 1/sqrt(n).
    n, k = 2_000, 63
    errors = final_query_errors(n, k, 600, np.random.default_rng(0))
    bias = 2 / np.pi * np.sqrt(k / n)
    expected = np.mean(np.abs(bias + np.random.default_rng(1).standard_normal(10**6) / np.sqrt(n)))
    assert errors.mean() == pytest.approx(expected, rel=0.08)


def test_a_single_query_is_unbiased():
    # with k = 1 the final query is q_1 itself, up to its sign: error |mean of n signs|
    n = 400
    errors = final_query_errors(n, 1, 4_000, np.random.default_rng(2))
    assert errors.mean() == pytest.approx(np.sqrt(2 / (np.pi * n)), rel=0.05)


def test_bad_input_is_named():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="noise"):
        final_query_errors(10, 3, 2, rng, noise=-1.0)
    with pytest.raises(ValueError, match="k must"):
        final_query_errors(10, 0, 2, rng)


def test_folded_normal_mean_matches_its_special_cases_and_monte_carlo():
    assert expected_abs_gaussian(np.array(-0.3), np.array(0.0)) == pytest.approx(0.3)
    assert expected_abs_gaussian(np.array(0.0), np.array(2.0)) == pytest.approx(
        2 * np.sqrt(2 / np.pi)
    )
    z = np.random.default_rng(3).standard_normal(10**6)
    for mean, sd in [(0.4, 1.0), (-1.5, 0.5), (3.0, 0.2)]:
        expected = np.mean(np.abs(mean + sd * z))
        assert expected_abs_gaussian(np.array(mean), np.array(sd)) == pytest.approx(
            expected, rel=3e-3
        )


def test_averaging_over_the_final_noise_keeps_the_mean_and_cuts_the_spread():
    n, ks = 200, np.array([3, 9, 27])
    noises = ks**0.25 / np.sqrt(n)
    drawn = final_query_error_sweep(
        n, ks, 6_000, np.random.default_rng(4), noises, conditional=False
    )
    averaged = final_query_error_sweep(n, ks, 6_000, np.random.default_rng(5), noises)
    # the drawn errors' means have a relative standard error of about 0.01
    np.testing.assert_allclose(averaged.mean(axis=0), drawn.mean(axis=0), rtol=0.04)
    assert np.all(averaged.std(axis=0) < 0.5 * drawn.std(axis=0))


def test_each_point_of_a_sweep_is_the_attack_with_its_own_k():
    # the k = 63 point uses the first 63 of 127 columns: the closed-form bias as above
    n = 2_000
    errors = final_query_error_sweep(n, [15, 63, 127], 600, np.random.default_rng(6), [0.0] * 3)
    bias = 2 / np.pi * np.sqrt(63 / n)
    expected = np.mean(np.abs(bias + np.random.default_rng(1).standard_normal(10**6) / np.sqrt(n)))
    assert errors[:, 1].mean() == pytest.approx(expected, rel=0.08)


def test_a_sweep_needs_one_noise_per_k():
    with pytest.raises(ValueError, match="one value per k"):
        final_query_error_sweep(10, [1, 3], 2, np.random.default_rng(0), [0.1])


def test_the_popcount_votes_equal_the_direct_sums():
    # the same draws in the same order, the votes summed as sum_j s_j x_ij y_i
    n, ks, noises, reps = 50, np.array([3, 7, 65, 71]), np.array([0.0, 0.1, 0.2, 0.3]), 4
    got = final_query_error_sweep(n, ks, reps, np.random.default_rng(7), noises, conditional=False)
    rng = np.random.default_rng(7)
    packed = rng.integers(0, 256, size=(reps, n, 16), dtype=np.uint8)
    z = 2.0 * np.unpackbits(packed, axis=2, count=71) - 1
    normals = rng.standard_normal((reps, 71, 1))
    final_noise = rng.standard_normal((reps, 1))
    for p, (k, sd) in enumerate(zip(ks, noises, strict=True)):
        signs = np.where(z[:, :, :k].mean(axis=1) + sd * normals[:, :k, 0] >= 0, 1.0, -1.0)
        votes = np.einsum("rnk,rk->rn", z[:, :, :k], signs)
        final = np.where(votes >= 0, 1.0, -1.0).mean(axis=1)
        np.testing.assert_allclose(got[:, p], np.abs(final + sd * final_noise[:, 0]))
