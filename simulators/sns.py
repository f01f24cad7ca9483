r"""Sinkhorn-Newton-Sparse (Tang et al., ICLR 2024, arXiv 2401.12253) in float64.

Convention of the paper: inverse regularization ``eta = 1/reg``, potentials ``z = (x, y)``,

.. math::
    P(x, y) = \exp\bigl(\eta(-C + x\mathbf 1^\top + \mathbf 1 y^\top) - 1\bigr), \qquad
    f(x, y) = -\tfrac1\eta \textstyle\sum_{ij} P_{ij} + r^\top x + c^\top y,

a concave Lyapunov potential with :math:`\nabla_x f = r - P\mathbf 1`,
:math:`\nabla_y f = c - P^\top \mathbf 1` and

.. math::
    \nabla^2 f = -\eta \begin{pmatrix} \operatorname{diag}(P\mathbf 1) & P \\
                                        P^\top & \operatorname{diag}(P^\top\mathbf 1)
                       \end{pmatrix} \preceq 0 .

(Log-scalings of :mod:`simulators.sinkhorn` relate by ``u = eta x - 1/2``, ``v = eta y - 1/2``.)
Algorithm 1: a Sinkhorn warm-up, then Newton steps whose Hessian keeps the diagonal blocks
exactly and only the largest ``keep_fraction * n * m`` entries of ``P`` off the diagonal; the
system is solved by conjugate gradient and the step chosen by a line search on ``f``. Newton
in mpmath arithmetic, for order fits, is :func:`simulators.sns_mp.newton_errors_mp`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import cg

from . import common
from .sinkhorn import check_problem, sinkhorn_log, stopping_record
from .sinkhorn_scaling import sinkhorn_scaling
from .sns_mp import newton_errors_mp as newton_errors_mp  # re-exported: its home was here

#: The defaults: 10 off-diagonal Hessian entries per row (``keep_fraction = 10 / min(n, m)``)
#: and 10 warm-up steps, the fastest to marginal error 1e-9 on random assignment problems at
#: n = 200 to 1000, eta = 1000 to 2000 (the sweep of benchmarks/sinkhorn_speed.py; its numbers
#: are in benchmarks/README.md). The paper's 2/n is 3-4x slower, and did not reach 1e-9 at
#: n = 200, eta = 1200.
KEEP_PER_ROW = 10
DEFAULT_WARMUP = 10


def sns_plan(x: np.ndarray, y: np.ndarray, cost: np.ndarray, eta: float) -> np.ndarray:
    """``P(x, y)``, batched: ``x (R, n)``, ``y (R, m)``, ``cost (R, n, m)``."""
    return np.exp(eta * (-cost + x[..., :, None] + y[..., None, :]) - 1.0)


def lyapunov(x, y, cost, r, c, eta: float) -> np.ndarray:
    """The concave potential ``f(x, y)``, shape ``(R,)``."""
    P = sns_plan(x, y, cost, eta)
    return -P.sum(axis=(-2, -1)) / eta + (r * x).sum(-1) + (c * y).sum(-1)


def lyapunov_gradient(x, y, cost, r, c, eta: float) -> np.ndarray:
    """``(r - P 1, c - P^T 1)``, shape ``(R, n + m)``."""
    P = sns_plan(x, y, cost, eta)
    return np.concatenate([r - P.sum(-1), c - P.sum(-2)], axis=-1)


def lyapunov_hessian(x, y, cost, eta: float) -> np.ndarray:
    """The dense Hessian of ``f`` (negative semidefinite), shape ``(R, n + m, n + m)``."""
    P = sns_plan(x, y, cost, eta)
    R, n, m = P.shape
    H = np.zeros((R, n + m, n + m))
    idx_n, idx_m = np.arange(n), n + np.arange(m)
    H[:, idx_n, idx_n] = P.sum(-1)
    H[:, idx_m, idx_m] = P.sum(-2)
    H[:, :n, n:] = P
    H[:, n:, :n] = np.swapaxes(P, 1, 2)
    return -eta * H


def sparsified_system(P: np.ndarray, eta: float, keep_fraction: float) -> sparse.csr_matrix:
    """The negated, sparsified Hessian of a batch as one block-diagonal sparse matrix.

    Block ``k`` is ``eta [[diag(P_k 1), S_k], [S_k^T, diag(P_k^T 1)]]`` where ``S_k`` keeps the
    ``ceil(keep_fraction n m)`` largest entries of ``P_k`` (the rest set to 0). The diagonal
    blocks stay exact, so each block is symmetric and diagonally dominant: positive
    semidefinite, and CG applies.
    """
    R, n, m = P.shape
    keep = min(n * m, max(1, math.ceil(keep_fraction * n * m)))
    flat = P.reshape(R, n * m)
    top = np.argpartition(flat, n * m - keep, axis=1)[:, n * m - keep :]
    rows, cols = np.divmod(top, m)
    vals = np.take_along_axis(flat, top, axis=1)
    offset = (np.arange(R) * (n + m))[:, None]
    diag = np.concatenate([P.sum(-1), P.sum(-2)], axis=1)
    # f is constant along the gauge direction (1, -1): pin it by doubling the last diagonal
    # entry. The system becomes definite; its solution differs from the pseudo-inverse one
    # only along (1, -1), so it is an equally good Newton direction.
    diag[:, -1] *= 2.0
    diag = diag.ravel()
    d_idx = np.arange(R * (n + m))
    i = np.concatenate([d_idx, (offset + rows).ravel(), (offset + n + cols).ravel()])
    j = np.concatenate([d_idx, (offset + n + cols).ravel(), (offset + rows).ravel()])
    data = eta * np.concatenate([diag, vals.ravel(), vals.ravel()])
    size = R * (n + m)
    return sparse.csr_matrix((data, (i, j)), shape=(size, size))


def resolve_keep_fraction(keep_fraction: float | str | None, n: int, m: int) -> float:
    """The fraction of off-diagonal Hessian entries :func:`sns` keeps (1: the exact Hessian);
    a ``ValueError`` unless ``keep_fraction`` is ``"auto"``, ``None`` or in ``(0, 1]``."""
    if keep_fraction == "auto":
        return min(1.0, KEEP_PER_ROW / min(n, m))
    if keep_fraction is None:
        return 1.0
    if isinstance(keep_fraction, str) or not 0 < keep_fraction <= 1:
        raise ValueError(f"keep_fraction must be 'auto', None or in (0, 1], got {keep_fraction!r}")
    return float(keep_fraction)


@dataclass
class SNSRun:
    """Outcome of a batch of SNS runs.

    Attributes
    ----------
    errors
        ``(R, warmup + max_newton + 1)``: marginal error after each iteration (warm-up
        Sinkhorn iterations, then Newton steps); NaN after an instance has stopped.
    iterations
        ``(R,)``: total iterations (warm-up + Newton) to reach ``tol``; -1 if not reached.
    fallbacks
        ``(R,)``: Newton steps replaced by a Sinkhorn sweep because the direction was not an
        ascent direction or the line search found no acceptable step.
    x, y
        Final potentials.
    converged
        ``(R,)``: whether the instance reached ``tol`` (else a ``ConvergenceWarning``).
    """

    errors: np.ndarray
    iterations: np.ndarray
    fallbacks: np.ndarray
    x: np.ndarray
    y: np.ndarray
    converged: np.ndarray


def _marginal_error(P, r, c):
    return np.abs(P.sum(-1) - r).sum(-1) + np.abs(P.sum(-2) - c).sum(-1)


def _sinkhorn_sweep(x, y, cost, r, c, eta):
    """One exact alternating maximisation of ``f`` (x then y), in the SNS potentials."""
    P = sns_plan(x, y, cost, eta)
    x = x + (np.log(r) - np.log(P.sum(-1))) / eta
    P = sns_plan(x, y, cost, eta)
    y = y + (np.log(c) - np.log(P.sum(-2))) / eta
    return x, y


def _line_search(x, y, dx, dy, cost, r, c, eta, slope, err0, halvings=40):
    """Backtracking on ``f`` that stays reliable near machine precision.

    Armijo's test ``f(z + t d) - f(z) >= 1e-4 t g.d`` is used while the increase is
    resolvable; the increase is computed entrywise (``sum(P_new - P_old)``) to avoid the
    cancellation of ``f_new - f_old``. Once the predicted increase is below the rounding
    level of ``f`` the test is noise, and a step is accepted if the marginal error does not
    grow. Returns the step per instance (0 where none was found).
    """
    P0 = sns_plan(x, y, cost, eta)
    step = np.ones(len(x))
    with np.errstate(over="ignore", invalid="ignore"):
        return _backtrack(x, y, dx, dy, cost, r, c, eta, slope, err0, halvings, P0, step)


def _backtrack(x, y, dx, dy, cost, r, c, eta, slope, err0, halvings, P0, step):
    accepted = np.zeros(len(x), bool)
    for _ in range(halvings):
        t = step[:, None]
        P1 = sns_plan(x + t * dx, y + t * dy, cost, eta)
        gain = -(P1 - P0).sum((-2, -1)) / eta + step * ((r * dx).sum(-1) + (c * dy).sum(-1))
        noise = 64 * np.finfo(float).eps * (P0.sum((-2, -1)) + P1.sum((-2, -1))) / eta
        resolvable = step * slope > noise
        ok = np.where(resolvable, gain >= 1e-4 * step * slope, _marginal_error(P1, r, c) <= err0)
        ok &= (slope > 0) & ~accepted
        accepted |= ok
        if accepted.all() or not np.any(slope > 0):
            break
        step = np.where(accepted, step, step / 2)
    return np.where(accepted, step, 0.0)


def _sweep_stage(warm, errors, a, b, cost, reg, tol, warmup, max_newton) -> SNSRun:
    """SNS with its Newton stage replaced by Sinkhorn sweeps (x then y) after the warm-up.

    The sweeps are sinkhorn_log's iteration (v then u) on the transposed problem: run there
    in the scaling domain (:func:`~simulators.sinkhorn_scaling.sinkhorn_scaling`), each
    instance stopped at ``tol``; ``errors`` holds the warm-up's record and is filled in.
    """
    eta = 1.0 / reg
    sweeps, _, log_y, log_x = sinkhorn_scaling(
        b,
        a,
        np.swapaxes(cost, 1, 2),
        reg,
        max_newton,
        tol,
        log_u0=warm.log_v,
        log_v0=warm.log_u,
        warn=False,  # stopping_record warns for the whole run
    )
    x, y = (warm.log_u + 0.5) / eta, (warm.log_v + 0.5) / eta
    still = warm.errors[:, -1] >= tol  # instances the warm-up left above tol
    errors[still, warmup + 1 :] = sweeps[still, 1:]
    x[still], y[still] = (log_x[still] + 0.5) / eta, (log_y[still] + 0.5) / eta
    iterations, converged = stopping_record("SNS", errors, tol, warmup + max_newton)
    return SNSRun(errors, iterations, np.zeros(len(x), int), x, y, converged)


def sns(
    a: np.ndarray,
    b: np.ndarray,
    cost: np.ndarray,
    reg: float,
    warmup: int = DEFAULT_WARMUP,
    max_newton: int = 50,
    tol: float = 1e-10,
    keep_fraction: float | str | None = "auto",
    hessian_sign: float = 1.0,
    newton: bool = True,
    cg_rtol: float = 1e-10,
    log_u0: np.ndarray | None = None,
    log_v0: np.ndarray | None = None,
) -> SNSRun:
    """Sinkhorn-Newton-Sparse on a batch of problems (Tang et al. 2024, Algorithm 1).

    Parameters
    ----------
    a, b, cost, reg
        The problem, as in :func:`simulators.sinkhorn.sinkhorn_log` (``eta = 1/reg``).
    warmup
        Sinkhorn iterations of stage 1 (``N_1``).
    max_newton
        Largest number of stage-2 iterations (``N_2``).
    tol
        Stop an instance once its marginal error is below ``tol``.
    keep_fraction
        Fraction of the ``n m`` off-diagonal Hessian entries kept (the paper's ``lambda``;
        it uses ``2/n``). ``"auto"``: ``KEEP_PER_ROW / min(n, m)`` (10 entries per row, capped
        at 1), the measured fastest. ``None`` or 1 keeps the exact Hessian.
    hessian_sign
        ``+1`` the Hessian as derived; ``-1`` flips its sign (a descent direction).
    newton
        False replaces the Newton stage by Sinkhorn iterations (plain Sinkhorn with the same
        iteration budget).
    cg_rtol
        Smallest relative residual asked of CG (the forcing term is the current marginal
        error, clipped to ``[cg_rtol, 1e-2]``).
    log_u0, log_v0
        Starting log-scalings of the warm-up (a warm start), as in ``sinkhorn_log``.

    Returns
    -------
    SNSRun
        A ``ConvergenceWarning`` is issued if some instance does not reach ``tol``.
    """
    a, b, cost = check_problem(a, b, cost, reg)
    if hessian_sign not in (1, -1, 1.0, -1.0):
        raise ValueError(f"hessian_sign must be +1 or -1, got {hessian_sign!r}")
    common.check_positive_int("warmup", warmup)
    common.check_positive_int("max_newton", max_newton, least=0)
    eta = 1.0 / reg
    R, n, m = cost.shape
    keep = resolve_keep_fraction(keep_fraction, n, m)
    warm = sinkhorn_log(a, b, cost, reg, warmup, log_u0=log_u0, log_v0=log_v0)
    x, y = (warm.log_u + 0.5) / eta, (warm.log_v + 0.5) / eta
    errors = np.full((R, warmup + max_newton + 1), np.nan)
    errors[:, : warm.errors.shape[1]] = warm.errors
    fallbacks = np.zeros(R, int)
    err = warm.errors[:, -1]
    if not newton and max_newton:
        return _sweep_stage(warm, errors, a, b, cost, reg, tol, warmup, max_newton)
    for k in range(warmup + 1, warmup + max_newton + 1):
        active = err >= tol
        if not active.any():
            break
        xa, ya, Ca, ra, ca = x[active], y[active], cost[active], a[active], b[active]
        if newton:
            P = sns_plan(xa, ya, Ca, eta)
            grad = np.concatenate([ra - P.sum(-1), ca - P.sum(-2)], axis=1)
            system = sparsified_system(P, eta, keep)
            # Jacobi preconditioner: the exact diagonal, eta (P 1, P^T 1)
            precond = sparse.diags(1.0 / np.maximum(system.diagonal(), np.finfo(float).tiny))
            # f is concave: the ascent direction solves (-Hess) d = grad
            with np.errstate(all="ignore"):
                # inexact Newton: a forcing term proportional to the error keeps the local
                # quadratic rate while sparing CG iterations far from the solution
                rtol = float(np.clip(err[active].max(), cg_rtol, 1e-2))
                step, _ = cg(system, grad.ravel(), rtol=rtol, maxiter=20 * (n + m), M=precond)
            d = hessian_sign * step.reshape(grad.shape)
            # a breakdown (underflowed rows at tiny reg) gives a non-finite direction: no step
            broken = ~np.all(np.isfinite(d), axis=1)
            d[broken] = 0.0
            slope = np.where(broken, -1.0, (grad * d).sum(-1))
            t = _line_search(xa, ya, d[:, :n], d[:, n:], Ca, ra, ca, eta, slope, err[active])
            xa, ya = xa + t[:, None] * d[:, :n], ya + t[:, None] * d[:, n:]
            stuck = t == 0
        else:
            stuck = np.ones(int(active.sum()), bool)
        if stuck.any():
            # safeguard: where Newton made no progress, one Sinkhorn sweep instead
            xs, ys = _sinkhorn_sweep(xa[stuck], ya[stuck], Ca[stuck], ra[stuck], ca[stuck], eta)
            xa[stuck], ya[stuck] = xs, ys
            if newton:
                fallbacks[np.flatnonzero(active)[stuck]] += 1
        x[active], y[active] = xa, ya
        err = err.copy()
        err[active] = _marginal_error(sns_plan(xa, ya, Ca, eta), ra, ca)
        errors[active, k] = err[active]
    iterations, converged = stopping_record("SNS", errors, tol, warmup + max_newton)
    return SNSRun(errors, iterations, fallbacks, x, y, converged)
