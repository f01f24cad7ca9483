"""The input checks every simulator shares: what they accept, and the name in what they refuse."""

from __future__ import annotations

import numpy as np
import pytest

from simulators import checks
from simulators.momentum import shb_quadratic_risk
from simulators.sgd import sgd_least_squares


def test_accepted_values_come_back_normalised():
    assert checks.positive_int("steps", np.int64(3)) == 3
    assert checks.positive_int("max_newton", 0, least=0) == 0
    assert checks.positive("eta", np.float32(0.5)) == 0.5
    assert checks.positive("noise scale", 0, allow_zero=True) == 0.0
    assert checks.momentum("beta", 0.0) == 0.0
    np.testing.assert_array_equal(checks.positive_array("c", 2.0), [2.0])
    np.testing.assert_array_equal(checks.horizons([0, 3, 10], lowest=0), [0, 3, 10])
    assert checks.finite_vector("x0", [1, 2], length=2).dtype == float


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: checks.positive_int("replicates", 0), "replicates must be a positive integer"),
        (lambda: checks.positive_int("replicates", True), "replicates"),
        (lambda: checks.positive_int("replicates", 2.0), "replicates"),
        (lambda: checks.positive_int("horizon T", 1, least=2), "horizon T must be an integer >= 2"),
        (lambda: checks.positive("eta", 0.0), "eta must be a positive finite number"),
        (lambda: checks.positive("eta", float("inf")), "eta"),
        (lambda: checks.positive("eta", "1"), "eta"),
        (lambda: checks.positive("sigma", -1.0, allow_zero=True), "sigma must be a non-negative"),
        (lambda: checks.momentum("beta", 1.0), r"beta must lie in \[0, 1\)"),
        (lambda: checks.generator(0), "rng must be a numpy.random.Generator"),
        (lambda: checks.generator(np.random.RandomState(0)), "RandomState"),
        (lambda: checks.positive_array("step", [0.1, -1.0]), "step must be positive"),
        (lambda: checks.eigenvalues([[1.0]]), "eigenvalues"),
        (lambda: checks.eigenvalues([0.0, 1.0]), "positive"),
        (lambda: checks.finite_vector("x0", np.ones(3), length=2), r"x0 .* shape \(2,\)"),
        (lambda: checks.finite_vector("x0", [np.nan]), "NaN"),
        (lambda: checks.horizons([3, 2]), "strictly increasing"),
        (lambda: checks.horizons([1.0, 2.0]), "integers"),
        (lambda: checks.horizons([0, 1], lowest=1), ">= 1"),
        (lambda: checks.horizons([1, 5], highest=4), r"in \[1, 4\]"),
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
