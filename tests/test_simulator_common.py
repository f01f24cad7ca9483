"""The input checks every simulator shares: what they accept, and the name in what they refuse."""

from __future__ import annotations

import numpy as np
import pytest

from simulators import common
from simulators.momentum import shb_quadratic_risk
from simulators.sgd import sgd_least_squares


def test_accepted_values_come_back_normalised():
    assert common.check_positive_int("steps", np.int64(3)) == 3
    assert common.check_positive_int("max_newton", 0, least=0) == 0
    assert common.check_positive("eta", np.float32(0.5)) == 0.5
    assert common.check_positive("noise scale", 0, allow_zero=True) == 0.0
    assert common.check_momentum("beta", 0.0) == 0.0
    np.testing.assert_array_equal(common.check_positive_array("c", 2.0), [2.0])
    np.testing.assert_array_equal(common.check_horizons([0, 3, 10], lowest=0), [0, 3, 10])
    assert common.check_finite_vector("x0", [1, 2], length=2).dtype == float


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: common.check_positive_int("replicates", 0),
            "replicates must be a positive integer",
        ),
        (lambda: common.check_positive_int("replicates", True), "replicates"),
        (lambda: common.check_positive_int("replicates", 2.0), "replicates"),
        (
            lambda: common.check_positive_int("horizon T", 1, least=2),
            "horizon T must be an integer >= 2",
        ),
        (lambda: common.check_positive("eta", 0.0), "eta must be a positive finite number"),
        (lambda: common.check_positive("eta", float("inf")), "eta"),
        (lambda: common.check_positive("eta", "1"), "eta"),
        (
            lambda: common.check_positive("sigma", -1.0, allow_zero=True),
            "sigma must be a non-negative",
        ),
        (lambda: common.check_momentum("beta", 1.0), r"beta must lie in \[0, 1\)"),
        (lambda: common.check_generator(0), "rng must be a numpy.random.Generator"),
        (lambda: common.check_generator(np.random.RandomState(0)), "RandomState"),
        (lambda: common.check_positive_array("step", [0.1, -1.0]), "step must be positive"),
        (lambda: common.check_eigenvalues([[1.0]]), "eigenvalues"),
        (lambda: common.check_eigenvalues([0.0, 1.0]), "positive"),
        (lambda: common.check_finite_vector("x0", np.ones(3), length=2), r"x0 .* shape \(2,\)"),
        (lambda: common.check_finite_vector("x0", [np.nan]), "NaN"),
        (lambda: common.check_horizons([3, 2]), "strictly increasing"),
        (lambda: common.check_horizons([1.0, 2.0]), "integers"),
        (lambda: common.check_horizons([0, 1], lowest=1), ">= 1"),
        (lambda: common.check_horizons([1, 5], highest=4), r"in \[1, 4\]"),
    ],
)
def test_refusals_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_simulators_refuse_a_seed_in_place_of_a_generator():
    with pytest.raises(ValueError, match="rng"):
        sgd_least_squares(np.ones((2, 1)), np.ones(2), np.zeros(1), 0.1, np.array([1]), 2, 0)
    with pytest.raises(ValueError, match="rng"):
        shb_quadratic_risk(np.ones(2), np.array([4]), 1.0, 0.5, 1.0, 3, 42)
