"""SNS's default sparsification (10 off-diagonal Hessian entries per row) and its warm-up."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from simulators.sinkhorn import random_assignment
from simulators.sns import DEFAULT_WARMUP, KEEP_PER_ROW, resolve_keep_fraction, sns, sns_plan


def test_auto_keeps_ten_entries_per_row_of_the_smaller_side():
    assert resolve_keep_fraction("auto", 500, 800) == pytest.approx(KEEP_PER_ROW / 500)
    assert resolve_keep_fraction("auto", 800, 500) == pytest.approx(KEEP_PER_ROW / 500)
    assert resolve_keep_fraction("auto", 5, 7) == 1.0  # fewer columns than 10: exact Hessian
    assert resolve_keep_fraction(None, 500, 500) == 1.0
    assert resolve_keep_fraction(0.25, 500, 500) == 0.25


def test_sns_defaults_are_the_measured_ones():
    parameters = inspect.signature(sns).parameters
    assert parameters["keep_fraction"].default == "auto"
    assert parameters["warmup"].default == DEFAULT_WARMUP


@pytest.mark.parametrize("bad", ["half", 0.0, -0.1, 1.01])
def test_bad_keep_fraction_is_named(bad):
    with pytest.raises(ValueError, match="keep_fraction"):
        resolve_keep_fraction(bad, 10, 10)


def test_default_sparse_newton_reaches_the_exact_hessians_plan():
    # n = 80 at eta = 400: the plan is concentrated (tens of entries per row above 1e-12), the
    # default keeps 10 per row, and Sinkhorn alone would need hundreds of iterations; the
    # sparsified Newton stage converges all the same, to the same plan as exact Newton
    a, b, cost = random_assignment(np.random.default_rng(11), 2, 80)
    reg = 1.0 / 400.0
    sparse_run = sns(a, b, cost, reg, max_newton=200, tol=1e-12)
    exact_run = sns(a, b, cost, reg, max_newton=200, tol=1e-12, keep_fraction=None)
    assert sparse_run.converged.all() and exact_run.converged.all()
    assert np.all(sparse_run.fallbacks == 0)
    np.testing.assert_allclose(
        sns_plan(sparse_run.x, sparse_run.y, cost, 1 / reg),
        sns_plan(exact_run.x, exact_run.y, cost, 1 / reg),
        atol=1e-12,
    )
