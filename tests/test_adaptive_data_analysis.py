"""The adaptive-attack simulator against the closed-form bias of the majority vote."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.adaptive_data_analysis import final_query_errors


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
