"""The scaling-domain Sinkhorn against the log-domain one, and SNS's sweep stage against
Sinkhorn sweeps done one at a time."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from simulators.sinkhorn import (
    ConvergenceWarning,
    discretized_densities,
    random_assignment,
    sinkhorn_log,
)
from simulators.sinkhorn_scaling import sinkhorn_iterations, sinkhorn_scaling
from simulators.sns import _marginal_error, _sinkhorn_sweep, sns, sns_plan


@pytest.mark.parametrize(
    ("make", "eta", "cap"),
    [
        (discretized_densities, 250.0, 5000),
        (discretized_densities, 2000.0, 5000),
        (random_assignment, 250.0, 1500),
    ],
)
def test_counts_and_errors_equal_sinkhorn_log(make, eta, cap):
    # eta = 2000 on W2 starts with kernel entries far below float64's range: the log-domain
    # steps and absorptions must carry it; one assignment instance stays above tol at the cap
    a, b, cost = make(np.random.default_rng(4), 3, 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = sinkhorn_log(a, b, cost, 1 / eta, max_iter=cap, tol=1e-10)
        errors, iterations, log_u, log_v = sinkhorn_scaling(a, b, cost, 1 / eta, cap, 1e-10)
    np.testing.assert_array_equal(iterations, reference.iterations)
    recorded = ~np.isnan(errors[:, : reference.errors.shape[1]])
    np.testing.assert_allclose(
        errors[:, : reference.errors.shape[1]][recorded], reference.errors[recorded], rtol=1e-3
    )
    stopped = iterations == reference.errors.shape[1] - 1  # the instance that stopped last
    np.testing.assert_allclose(log_u[stopped], reference.log_u[stopped], atol=1e-9)
    np.testing.assert_allclose(log_v[stopped], reference.log_v[stopped], atol=1e-9)


def test_iterations_warns_at_the_cap():
    a, b, cost = random_assignment(np.random.default_rng(0), 2, 30)
    with pytest.warns(ConvergenceWarning):
        counts = sinkhorn_iterations(a, b, cost, 1 / 400, 20, 1e-10)
    np.testing.assert_array_equal(counts, [-1, -1])


def test_sweep_stage_equals_sweeps_one_at_a_time():
    a, b, cost = random_assignment(np.random.default_rng(1), 3, 30)
    eta, warmup, budget = 40.0, 5, 400
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        run = sns(a, b, cost, 1 / eta, warmup=warmup, max_newton=budget, tol=1e-10, newton=False)
        warm = sinkhorn_log(a, b, cost, 1 / eta, warmup)
    x, y = (warm.log_u + 0.5) / eta, (warm.log_v + 0.5) / eta
    counts = np.full(3, -1)
    for k in range(1, budget + 1):
        x, y = _sinkhorn_sweep(x, y, cost, a, b, eta)
        err = _marginal_error(sns_plan(x, y, cost, eta), a, b)
        fresh = (err < 1e-10) & (counts < 0)
        counts[fresh] = warmup + k
    np.testing.assert_array_equal(run.iterations, counts)
    assert run.converged.all()
    np.testing.assert_array_equal(run.fallbacks, 0)
