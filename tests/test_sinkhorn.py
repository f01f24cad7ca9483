"""The Sinkhorn and SNS simulators against POT and against finite differences."""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import ot
import pytest

from simulators.sinkhorn import (
    ConvergenceWarning,
    discretized_densities,
    entropy,
    hilbert_contraction,
    hilbert_distances,
    plan,
    planted_assignment,
    random_assignment,
    sinkhorn_log,
)
from simulators.sns import (
    lyapunov,
    lyapunov_gradient,
    lyapunov_hessian,
    newton_errors_mp,
    sns,
    sns_plan,
    sparsified_system,
)


def clouds(seed: int, n: int = 12, m: int = 15):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, 2)), rng.normal(size=(m, 2)) + 0.5
    cost = ((x[:, None] - y[None]) ** 2).sum(-1)
    cost /= cost.max()
    a, b = rng.uniform(0.5, 1.5, n), rng.uniform(0.5, 1.5, m)
    return a / a.sum(), b / b.sum(), cost


@pytest.mark.parametrize("reg", [1.0, 0.1, 0.01])
def test_plan_equals_pot_sinkhorn_log(reg):
    a, b, cost = clouds(0)
    run = sinkhorn_log(a, b, cost, reg, max_iter=200_000, tol=1e-14)
    assert run.iterations[0] > 0
    mine = plan(run.log_u, run.log_v, cost, reg)[0]
    ref = ot.bregman.sinkhorn_log(a, b, cost, reg, numItermax=200_000, stopThr=1e-14)
    np.testing.assert_allclose(mine, ref, rtol=0, atol=1e-8)
    # and the batch axis: two instances at once give the same plans as one at a time
    a2, b2, cost2 = clouds(1)
    both = sinkhorn_log(
        np.stack([a, a2]),
        np.stack([b, b2]),
        np.stack([cost, cost2]),
        reg,
        max_iter=200_000,
        tol=1e-14,
    )
    np.testing.assert_allclose(
        plan(both.log_u, both.log_v, np.stack([cost, cost2]), reg)[0], mine, atol=1e-12
    )


def test_sns_plan_equals_pot():
    a, b, cost = clouds(2)
    reg = 0.02
    run = sns(a, b, cost, reg, warmup=20, max_newton=100, tol=1e-13)
    assert run.iterations[0] > 0
    ref = ot.bregman.sinkhorn_log(a, b, cost, reg, numItermax=500_000, stopThr=1e-14)
    np.testing.assert_allclose(sns_plan(run.x, run.y, cost, 1 / reg)[0], ref, atol=1e-8)


def test_unregularized_limit_agrees_with_emd2():
    # the gap <C, P_reg> - OT is at most reg * min(H(a), H(b)) (entropic-bias sandwich) and
    # decays exponentially once reg is below the LP's vertex gap: at reg = 1e-3 on this
    # instance the regularized plan's cost matches the exact LP to 1e-10
    a, b, cost = planted_assignment(np.random.default_rng(3), 1, 10)
    exact = ot.emd2(a[0], b[0], cost[0])
    reg = 2e-3
    run = sns(a, b, cost, reg, warmup=50, max_newton=200, tol=1e-13)
    assert run.iterations[0] > 0
    linear = float((cost * sns_plan(run.x, run.y, cost, 1 / reg)).sum())
    assert linear >= exact - 1e-12
    assert linear - exact <= reg * entropy(a[0])
    np.testing.assert_allclose(linear, exact, rtol=1e-10, atol=1e-12)


def test_gradient_and_hessian_match_finite_differences():
    rng = np.random.default_rng(4)
    n, m, eta = 5, 6, 3.0
    cost = rng.random((1, n, m))
    r, c = np.full((1, n), 1 / n), np.full((1, m), 1 / m)
    x, y = rng.normal(scale=0.1, size=(1, n)), rng.normal(scale=0.1, size=(1, m))
    z = np.concatenate([x, y], 1)

    def f(zz):
        return lyapunov(zz[:, :n], zz[:, n:], cost, r, c, eta)[0]

    def g(zz):
        return lyapunov_gradient(zz[:, :n], zz[:, n:], cost, r, c, eta)[0]

    h = 1e-6
    fd_grad = np.array([(f(z + h * e) - f(z - h * e)) / (2 * h) for e in np.eye(n + m)[:, None]])
    np.testing.assert_allclose(g(z), fd_grad, rtol=1e-6, atol=1e-9)
    fd_hess = np.array([(g(z + h * e) - g(z - h * e)) / (2 * h) for e in np.eye(n + m)[:, None]])
    hess = lyapunov_hessian(x, y, cost, eta)[0]
    np.testing.assert_allclose(hess, fd_hess, rtol=1e-6, atol=1e-9)
    # concave: negative semidefinite, with the gauge null vector (1, -1)
    assert np.linalg.eigvalsh(hess).max() < 1e-12
    np.testing.assert_allclose(hess @ np.r_[np.ones(n), -np.ones(m)], 0, atol=1e-12)


def test_sparsified_system_keeps_diagonal_blocks_and_is_definite():
    _, _, cost = random_assignment(np.random.default_rng(5), 2, 20)
    eta = 50.0
    zeros = np.zeros((2, 20))
    P = sns_plan(zeros, zeros, cost, eta)
    full = sparsified_system(P, eta, 1.0).toarray()
    exact = -lyapunov_hessian(zeros[:1], zeros[:1], cost[:1], eta)[0]
    pin = np.zeros((40, 40))
    pin[-1, -1] = exact[-1, -1]  # the gauge direction (1, -1) pinned on the last entry
    np.testing.assert_allclose(full[:40, :40], exact + pin, rtol=1e-12)
    sparse = sparsified_system(P, eta, 2 / 20).toarray()
    block = sparse[:40, :40]
    np.testing.assert_allclose(np.diag(block), np.diag(full[:40, :40]))
    assert np.count_nonzero(block[:20, 20:]) == 2 * 20  # ceil(lambda n m) entries kept
    assert np.linalg.eigvalsh(block).min() > 0
    assert np.linalg.eigvalsh(full[:40, :40]).min() > 0
    assert not sparse[:40, 40:].any()  # instances do not couple


def test_sinkhorn_error_is_recorded_every_iteration_and_contracts():
    a, b, cost = discretized_densities(np.random.default_rng(6), 3, 30)
    run = sinkhorn_log(a, b, cost, 0.01, max_iter=40)
    assert run.errors.shape == (3, 41)
    assert np.all(run.errors[:, 1:] > 1e-9)  # above the float floor: every step counts
    assert np.all(run.errors[:, 2:] < run.errors[:, 1:-1])
    # the observed rate is within the Hilbert-metric bound (here nearly 1: vacuous but true)
    ratio = run.errors[:, 30] / run.errors[:, 29]
    assert np.all(ratio <= hilbert_contraction(cost[0], 0.01)[0])
    # the bound is informative at large reg: on a grid cost, reg = 0.5 gives 0.58
    grid = (np.linspace(0, 1, 20)[:, None] - np.linspace(0, 1, 25)[None]) ** 2
    wa, wb = np.linspace(1, 2, 20), np.linspace(2, 1, 25)
    fast = sinkhorn_log(wa / wa.sum(), wb / wb.sum(), grid, 0.5, max_iter=8)
    assert fast.errors[0, 8] > 1e-12
    assert fast.errors[0, 8] / fast.errors[0, 7] < hilbert_contraction(grid, 0.5)[0] < 0.6
    stuck = sinkhorn_log(a, b, cost, 0.01, max_iter=40, one_sided=True)
    assert np.allclose(stuck.errors[:, 5], stuck.errors[:, -1])


def test_mpmath_newton_is_quadratic_and_wrong_sign_is_not():
    rng = np.random.default_rng(7)
    cost, u = rng.random((6, 6)), np.full(6, 1 / 6)
    errs = newton_errors_mp(cost, u, u, 10.0, warmup=10, steps=8, dps=80)
    logs = [float(mpmath.log10(e)) for e in errs]
    assert logs[-1] < -60
    assert logs[-2] / logs[-3] > 1.8  # digits double
    flipped = newton_errors_mp(cost, u, u, 10.0, warmup=10, steps=8, dps=80, hessian_sign=-1)
    assert float(mpmath.log10(flipped[-1])) > -10


def test_sns_wrong_sign_falls_back_to_sinkhorn():
    a, b, cost = random_assignment(np.random.default_rng(8), 2, 30)
    with pytest.warns(ConvergenceWarning, match="SNS did not converge"):
        run = sns(a, b, cost, 0.02, warmup=10, max_newton=20, tol=1e-10, hessian_sign=-1)
    assert np.all(run.fallbacks == 20)
    assert not run.converged.any()


def test_unconverged_runs_warn_as_pot_does_and_say_so_in_the_record():
    a, b, cost = random_assignment(np.random.default_rng(9), 3, 20)
    with pytest.warns(ConvergenceWarning, match="3 of 3 instances stopped at 5 iterations"):
        short = sinkhorn_log(a, b, cost, 0.01, max_iter=5, tol=1e-12)
    assert not short.converged.any()
    assert np.all(short.iterations == -1)
    with pytest.warns(UserWarning, match="did not converge"):  # POT's own warning, same case
        ot.bregman.sinkhorn_log(a[0], b[0], cost[0], 0.01, numItermax=5, stopThr=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        done = sinkhorn_log(a, b, cost, 0.5, max_iter=5000, tol=1e-9)
        assert done.converged.all()
        assert np.all(done.errors[np.arange(3), done.iterations] < 1e-9)
        # no tolerance asked (a fixed number of iterations recorded): no warning
        fixed = sinkhorn_log(a, b, cost, 0.01, max_iter=5)
        assert not fixed.converged.any()
        assert sns(a, b, cost, 0.5, warmup=5, max_newton=50, tol=1e-9).converged.all()
    with pytest.warns(ConvergenceWarning, match="SNS did not converge"):
        stopped = sns(a, b, cost, 0.005, warmup=2, max_newton=0, tol=1e-12)
    assert not stopped.converged.any()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reg": 0.0}, "reg"),
        ({"reg": float("nan")}, "reg"),
        ({"a": np.array([0.5, 0.6])}, "same total mass"),
        ({"a": np.array([1.0, 0.0])}, "positive"),
        ({"cost": np.ones((3, 2))}, "shapes"),
        ({"cost": np.array([[0.0, np.inf], [1.0, 0.0]])}, "NaN or infinite"),
        ({"max_iter": 0}, "max_iter"),
    ],
)
def test_bad_input_to_sinkhorn(kwargs, message):
    args = {
        "a": np.array([0.5, 0.5]),
        "b": np.array([0.5, 0.5]),
        "cost": np.eye(2),
        "reg": 0.1,
        "max_iter": 10,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        sinkhorn_log(**args)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"keep_fraction": 0.0}, "keep_fraction"),
        ({"keep_fraction": 1.5}, "keep_fraction"),
        ({"hessian_sign": 2}, "hessian_sign"),
        ({"warmup": 0}, "warmup"),
    ],
)
def test_bad_input_to_sns(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sns(np.array([0.5, 0.5]), np.array([0.5, 0.5]), np.eye(2), 0.1, **kwargs)


def test_bad_input_to_instances_and_mp():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n must be an integer >= 2"):
        random_assignment(rng, 1, 1)
    with pytest.raises(ValueError, match="margin"):
        planted_assignment(rng, 1, 4, margin=1.5)
    with pytest.raises(ValueError, match="method"):
        newton_errors_mp(np.eye(2), np.full(2, 0.5), np.full(2, 0.5), 1.0, 1, 1, 30, method="x")
    with pytest.raises(ValueError, match="do not fit"):
        newton_errors_mp(np.eye(2), np.full(3, 1 / 3), np.full(2, 0.5), 1.0, 1, 1, 30)


def test_hilbert_distance_contracts_by_the_birkhoff_factor_and_attains_it():
    rng = np.random.default_rng(11)
    cost = rng.random((3, 4, 5))
    a, b = rng.uniform(0.2, 1, (3, 4)), rng.uniform(0.2, 1, (3, 5))
    a, b = a / a.sum(1, keepdims=True), b / b.sum(1, keepdims=True)
    for r in range(3):
        dist = hilbert_distances(a[r], b[r], cost[r], 0.3, 15, rng.normal(size=4))[0]
        ratios = dist[1:] / dist[:-1]
        assert np.all(ratios <= hilbert_contraction(cost[r], 0.3)[0] * (1 + 1e-9))
    # 2 x 2 with uniform marginals: the local ratio converges to lambda(K)^2 itself
    c2, half = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0.5, 0.5])
    dist = hilbert_distances(half, half, c2, 0.5, 25, np.array([0.0, 1.0]))[0]
    np.testing.assert_allclose(dist[25] / dist[24], hilbert_contraction(c2, 0.5)[0], rtol=1e-6)


def test_solve_definite_matches_lu_solve():
    from simulators.sns_mp import solve_definite

    rng = np.random.default_rng(0)
    B = rng.normal(size=(12, 12))
    A = B @ B.T + 0.1 * np.eye(12)  # symmetric positive definite
    g = rng.normal(size=12)
    with mpmath.workdps(60):
        rows = [[mpmath.mpf(float(v)) for v in row] for row in A]
        rhs = [mpmath.mpf(float(v)) for v in g]
        ours = solve_definite(rows, rhs)
        reference = mpmath.lu_solve(mpmath.matrix(rows), mpmath.matrix(rhs))
        assert max(abs(ours[i] - reference[i]) for i in range(12)) < mpmath.mpf(10) ** -50
