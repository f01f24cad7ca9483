r"""Sinkhorn in the scaling domain with absorption, for iteration counts.

:func:`simulators.sinkhorn.sinkhorn_log` spends an ``exp`` over the whole ``(R, n, m)`` batch
twice per iteration (two log-sum-exps). Counting iterations to a tolerance needs thousands of
iterations, so here the same iteration runs in the scaling domain (Schmitzer 2019, Section
3.2): the log-scalings are split as ``u = u_0 + log s_u``, ``v = v_0 + log s_v``, the kernel
``exp(-C/reg + u_0 + v_0)`` (the plan at the last absorption) is formed once, and each
iteration is two batched matrix-vector products. Where a scaling leaves
``[e^-ABSORB_AT, e^ABSORB_AT]`` (or a product is not finite), that instance's iteration is
done in the log domain instead and its scalings absorbed into a new kernel, so nothing over-
or underflows: the iterates are those of ``sinkhorn_log`` to rounding, and the marginal error
is computed the same way (the row error exact after the ``u`` update). Instances leave the
batch once they reach the tolerance, so a slow instance does not make the others iterate.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import common
from .sinkhorn import ConvergenceWarning, check_problem, logsumexp

#: Largest |log| of a scaling before it is absorbed into the kernel: with the kernel equal to
#: a plan (entries at most 1), the products stay far inside float64's range (e^40 ~ 2e17).
ABSORB_AT = 40.0
LOW, HIGH = np.exp(-ABSORB_AT), np.exp(ABSORB_AT)


def sinkhorn_scaling(
    a: np.ndarray,
    b: np.ndarray,
    cost: np.ndarray,
    reg: float,
    max_iter: int,
    tol: float,
    log_u0: np.ndarray | None = None,
    log_v0: np.ndarray | None = None,
    warn: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The iteration of :func:`~simulators.sinkhorn.sinkhorn_log` (``v`` then ``u``), each
    instance stopped at its first error below ``tol``.

    Parameters
    ----------
    a, b, cost, reg, max_iter, log_u0, log_v0
        As in :func:`~simulators.sinkhorn.sinkhorn_log`.
    tol
        Positive: an instance stops at its first marginal error below it.
    warn
        Issue a ``ConvergenceWarning`` if some instance does not reach ``tol`` (as
        ``sinkhorn_log`` does); a caller that reports it itself passes False.

    Returns
    -------
    errors, iterations, log_u, log_v
        ``(R, max_iter + 1)`` marginal errors, NaN after an instance stopped; per instance the
        first ``k`` with ``errors[:, k] < tol`` (-1 if none); the final log-scalings.
    """
    a, b, cost = check_problem(a, b, cost, reg)
    max_iter = common.check_positive_int("max_iter", max_iter)
    common.check_positive("tol", tol)
    R, n, m = cost.shape
    log_kernel = -cost / reg
    log_a, log_b = np.log(a), np.log(b)
    u = np.zeros((R, n)) if log_u0 is None else np.array(np.broadcast_to(log_u0, (R, n)), float)
    v = np.zeros((R, m)) if log_v0 is None else np.array(np.broadcast_to(log_v0, (R, m)), float)
    errors = np.full((R, max_iter + 1), np.nan)
    iterations = np.full(R, -1)
    # iteration 0 and the first update in the log domain, exactly as sinkhorn_log
    row_err = np.abs(np.exp(u + logsumexp(log_kernel + v[:, None, :], axis=2)) - a).sum(axis=1)
    col = logsumexp(log_kernel + u[:, :, None], axis=1)
    errors[:, 0] = row_err + np.abs(np.exp(v + col) - b).sum(axis=1)
    iterations[errors[:, 0] < tol] = 0
    v = log_b - col
    u = log_a - logsumexp(log_kernel + v[:, None, :], axis=2)
    live = np.flatnonzero(iterations < 0)
    # the state of the live instances: absorbed potentials, kernel, scalings
    u0, v0 = u[live], v[live]
    kernel = np.exp(log_kernel[live] + u0[:, :, None] + v0[:, None, :])
    su, sv = np.ones((len(live), n)), np.ones((len(live), m))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        for k in range(1, max_iter + 1):
            if not len(live):
                break
            column_sums = np.matmul(su[:, None, :], kernel)[:, 0]
            err = np.abs(sv * column_sums - b[live]).sum(axis=1)
            errors[live, k] = err
            done = err < tol
            if done.any():
                iterations[live[done]] = k
                u[live[done]] = u0[done] + np.log(su[done])
                v[live[done]] = v0[done] + np.log(sv[done])
                stay = ~done
                live, u0, v0 = live[stay], u0[stay], v0[stay]
                kernel, su, sv = kernel[stay], su[stay], sv[stay]
                column_sums = column_sums[stay]
            if k == max_iter or not len(live):
                break
            new_sv = b[live] / column_sums
            new_su = a[live] / np.matmul(kernel, new_sv[:, :, None])[..., 0]
            # comparisons, not logs: NaN fails them too
            bad = ~(
                ((new_su >= LOW) & (new_su <= HIGH)).all(axis=1)
                & ((new_sv >= LOW) & (new_sv <= HIGH)).all(axis=1)
            )
            if bad.any():
                # this step in the log domain from the state before it, then absorb
                rows = live[bad]
                u0[bad], v0[bad], kernel[bad] = _log_domain_step(
                    u0[bad] + np.log(su[bad]), log_kernel[rows], log_a[rows], log_b[rows]
                )
                new_su[bad], new_sv[bad] = 1.0, 1.0
            su, sv = new_su, new_sv
    if len(live):
        u[live], v[live] = u0 + np.log(su), v0 + np.log(sv)
    if len(live) and warn:
        warnings.warn(
            f"Sinkhorn did not converge: {len(live)} of {R} instances stopped at {max_iter} "
            f"iterations with the marginal error above tol = {tol:g}",
            ConvergenceWarning,
            stacklevel=2,
        )
    return errors, iterations, u, v


def _log_domain_step(
    u: np.ndarray, log_kernel: np.ndarray, log_a: np.ndarray, log_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One iteration (``v`` then ``u``) in the log domain from ``u``; the new log-scalings
    and the kernel that absorbs them (the new plan)."""
    v = log_b - logsumexp(log_kernel + u[:, :, None], axis=1)
    u = log_a - logsumexp(log_kernel + v[:, None, :], axis=2)
    return u, v, np.exp(log_kernel + u[:, :, None] + v[:, None, :])


def sinkhorn_iterations(
    a: np.ndarray, b: np.ndarray, cost: np.ndarray, reg: float, max_iter: int, tol: float
) -> np.ndarray:
    """``sinkhorn_log(a, b, cost, reg, max_iter, tol).iterations`` (to rounding), computed by
    :func:`sinkhorn_scaling`: iterations to ``tol`` per instance, -1 if not within
    ``max_iter``."""
    return sinkhorn_scaling(a, b, cost, reg, max_iter, tol)[1]
