r"""Log-domain Sinkhorn for entropic optimal transport, and the instances it is run on.

The entropic problem, in POT's convention (``reg`` = regularization, ``1/reg`` = ``eta`` in
Tang et al. 2024):

.. math::  \min_{P \mathbf 1 = a,\; P^\top \mathbf 1 = b} \langle C, P\rangle
           + \mathrm{reg} \sum_{ij} P_{ij} (\log P_{ij} - 1)

has the solution :math:`P = \exp(-C/\mathrm{reg} + u \mathbf 1^\top + \mathbf 1 v^\top)` for
log-scalings ``u, v``. Sinkhorn alternates exact updates of ``v`` and ``u`` (the order POT's
``sinkhorn_log`` uses, so after each full iteration the row marginal is exact). Unlike POT,
which samples the error every 10th iteration, the marginal error is recorded at every
iteration, as a rate fit needs.

Everything is vectorised over a batch of instances (leading axis ``R``). A run asked for a
tolerance that some instance does not reach within its iterations warns
(:class:`ConvergenceWarning`, as POT does) and says so in its record (``converged``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from . import common


@dataclass
class SinkhornRun:
    r"""The outcome of a batch of Sinkhorn runs.

    Attributes
    ----------
    log_u, log_v
        Final log-scalings, shapes ``(R, n)`` and ``(R, m)``.
    errors
        ``(R, K + 1)``: ``errors[:, k]`` is the marginal error
        :math:`\|P_k \mathbf 1 - a\|_1 + \|P_k^\top \mathbf 1 - b\|_1` after ``k`` full
        iterations (``k = 0`` is the starting point).
    iterations
        ``(R,)``: the first ``k`` with ``errors[:, k] < tol`` (``-1`` if never reached).
    converged
        ``(R,)``: whether the instance reached ``tol`` (all False when no tolerance was asked,
        ``tol = 0``: the run then records a fixed number of iterations).
    """

    log_u: np.ndarray
    log_v: np.ndarray
    errors: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray


class ConvergenceWarning(UserWarning):
    """A Sinkhorn or SNS run stopped at its iteration cap before reaching its tolerance."""


def stopping_record(
    method: str, errors: np.ndarray, tol: float, cap: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(iterations, converged)`` of a run's error record (NaN after an instance stopped):
    the first iteration below ``tol`` (-1 if none) and whether there is one; warns (as POT
    does) when ``tol > 0`` and some instance never got below it."""
    below = np.nan_to_num(errors, nan=np.inf) < tol
    iterations = np.where(below.any(axis=1), np.argmax(below, axis=1), -1)
    converged = iterations >= 0
    missed = int(np.size(converged) - np.count_nonzero(converged))
    if tol > 0 and missed:
        warnings.warn(
            f"{method} did not converge: {missed} of {np.size(converged)} instances stopped at "
            f"{cap} iterations with the marginal error above tol = {tol:g}; their plans are "
            "not the solution (see the record's converged and iterations)",
            ConvergenceWarning,
            stacklevel=3,
        )
    return iterations, converged


def logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    """``log(sum(exp(x), axis))`` computed stably (shift by the maximum)."""
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(x - top), axis=axis))


def check_problem(
    a: np.ndarray, b: np.ndarray, cost: np.ndarray, reg: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate marginals and cost; return them as float batches ``(R, n), (R, m), (R, n, m)``.

    Raises
    ------
    ValueError
        If shapes disagree, a marginal is not a positive probability vector, masses differ,
        the cost is not finite, or ``reg`` is not positive.
    """
    a = np.atleast_2d(np.asarray(a, dtype=float))
    b = np.atleast_2d(np.asarray(b, dtype=float))
    cost = np.asarray(cost, dtype=float)
    if cost.ndim == 2:
        cost = cost[None]
    if a.ndim != 2 or b.ndim != 2 or cost.ndim != 3:
        raise ValueError("a, b must be (n,) or (R, n) and cost (n, m) or (R, n, m)")
    R = max(a.shape[0], b.shape[0], cost.shape[0])
    try:
        a = np.broadcast_to(a, (R, a.shape[1]))
        b = np.broadcast_to(b, (R, b.shape[1]))
        cost = np.broadcast_to(cost, (R, a.shape[1], b.shape[1]))
    except ValueError:
        raise ValueError(
            f"shapes do not match: a {a.shape}, b {b.shape}, cost {cost.shape}"
        ) from None
    common.check_positive("reg", reg)
    if not np.all(np.isfinite(cost)):
        raise ValueError("cost contains NaN or infinite entries")
    for name, w in (("a", a), ("b", b)):
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError(f"marginal {name} must have positive finite entries")
    if not np.allclose(a.sum(axis=1), b.sum(axis=1), rtol=1e-10, atol=0):
        raise ValueError("marginals a and b must have the same total mass")
    return a, b, cost


def sinkhorn_log(
    a: np.ndarray,
    b: np.ndarray,
    cost: np.ndarray,
    reg: float,
    max_iter: int,
    tol: float = 0.0,
    log_u0: np.ndarray | None = None,
    log_v0: np.ndarray | None = None,
    one_sided: bool = False,
) -> SinkhornRun:
    """Log-domain Sinkhorn on a batch of problems, recording the marginal error every step.

    Parameters
    ----------
    a, b
        Marginals, ``(n,)`` or ``(R, n)`` and ``(m,)`` or ``(R, m)``, positive, equal mass.
    cost
        ``(n, m)`` or ``(R, n, m)``.
    reg
        Entropic regularization (POT's ``reg``; ``eta = 1/reg``).
    max_iter
        Largest number of full iterations (a ``v`` update then a ``u`` update).
    tol
        Stop early once every instance's marginal error is below ``tol`` (0: never).
    log_u0, log_v0
        Starting log-scalings (zeros, as in POT, if None).
    one_sided
        Update only ``u`` (a broken "Sinkhorn" whose column marginal never improves).

    Returns
    -------
    SinkhornRun

    Warns
    -----
    ConvergenceWarning
        When ``tol > 0`` and some instance's error is still above it after ``max_iter``.
    """
    a, b, cost = check_problem(a, b, cost, reg)
    common.check_positive_int("max_iter", max_iter)
    R, n, m = cost.shape
    log_kernel = -cost / reg
    log_a, log_b = np.log(a), np.log(b)
    u = np.zeros((R, n)) if log_u0 is None else np.array(np.broadcast_to(log_u0, (R, n)), float)
    v = np.zeros((R, m)) if log_v0 is None else np.array(np.broadcast_to(log_v0, (R, m)), float)
    # the row error of the starting point; afterwards the u update makes it exact
    row_err = np.abs(np.exp(u + logsumexp(log_kernel + v[:, None, :], axis=2)) - a).sum(axis=1)
    errors = np.empty((R, max_iter + 1))
    for k in range(max_iter + 1):
        # column log-sums of the current plan: the column error now, the v update next
        col = logsumexp(log_kernel + u[:, :, None], axis=1)
        errors[:, k] = row_err + np.abs(np.exp(v + col) - b).sum(axis=1)
        if k == max_iter or (tol > 0 and np.all(errors[:, k] < tol)):
            break
        if not one_sided:
            v = log_b - col
        row = logsumexp(log_kernel + v[:, None, :], axis=2)
        u = log_a - row
        row_err = 0.0
    errors = errors[:, : k + 1]
    iterations, converged = stopping_record("Sinkhorn", errors, tol, max_iter)
    return SinkhornRun(u, v, errors, iterations, converged)


def hilbert_distances(
    a: np.ndarray,
    b: np.ndarray,
    cost: np.ndarray,
    reg: float,
    iterations: int,
    log_u0: np.ndarray,
    one_sided: bool = False,
) -> np.ndarray:
    r"""The Hilbert projective distance :math:`d_H(u^{(\ell)}, u^*)` of Sinkhorn's scaling to
    the fixed point after each full iteration, ``(R, iterations + 1)``.

    :math:`d_H(u, u^*) = \max_i \log(u_i/u^*_i) - \min_i \log(u_i/u^*_i)` (invariant under
    rescaling, as the scalings' gauge is). The fixed point is Sinkhorn run to convergence
    (1e-14 on the marginals, at most 10^5 iterations) from the same start.
    """
    a, b, cost = check_problem(a, b, cost, reg)
    common.check_positive_int("iterations", iterations)
    star = sinkhorn_log(a, b, cost, reg, max_iter=100_000, tol=1e-14, log_u0=log_u0).log_u
    u = np.array(np.broadcast_to(log_u0, a.shape), float)
    distances = np.empty((a.shape[0], iterations + 1))
    for k in range(iterations + 1):
        gap = u - star
        distances[:, k] = gap.max(axis=1) - gap.min(axis=1)
        if k < iterations:
            step = sinkhorn_log(a, b, cost, reg, 1, log_u0=u, one_sided=one_sided)
            u = step.log_u
    return distances


def plan(log_u: np.ndarray, log_v: np.ndarray, cost: np.ndarray, reg: float) -> np.ndarray:
    """The plan ``exp(-C/reg + u + v)`` of log-scalings, batched ``(R, n, m)``."""
    return np.exp(-np.asarray(cost) / reg + log_u[..., :, None] + log_v[..., None, :])


def entropy(p: np.ndarray, axis: tuple[int, ...] | int = -1) -> np.ndarray:
    """Shannon entropy ``-sum p log p`` (with ``0 log 0 = 0``) over ``axis``."""
    p = np.asarray(p, dtype=float)
    safe = np.where(p > 0, p, 1.0)
    return -np.sum(np.where(p > 0, p * np.log(safe), 0.0), axis=axis)


def hilbert_contraction(cost: np.ndarray, reg: float) -> np.ndarray:
    r"""Birkhoff's contraction ratio squared, :math:`\tanh(\Delta(K)/4)^2`, of ``K = e^{-C/reg}``.

    :math:`\Delta(K) = \max_{i,j,k,l} (C_{jk} + C_{il} - C_{ik} - C_{jl}) / \mathrm{reg}`
    (the log of the projective diameter); one full Sinkhorn iteration contracts the Hilbert
    distance to the fixed point by at least this factor (Franklin & Lorenz 1989;
    Peyre & Cuturi 2019, Theorem 4.2). ``O(n^2 m^2)`` memory-free via row differences.
    """
    cost = np.asarray(cost, dtype=float)
    cost = cost[None] if cost.ndim == 2 else cost
    # max over (i, j) of [max_l (C_il - C_jl) + max_k (C_jk - C_ik)]
    diff = cost[:, :, None, :] - cost[:, None, :, :]  # (R, i, j, l): C_il - C_jl
    best = diff.max(axis=3)
    delta = (best + np.swapaxes(best, 1, 2)).max(axis=(1, 2)) / reg
    return np.tanh(delta / 4.0) ** 2


def _check_instances(rng: np.random.Generator, replicates: int, n: int) -> None:
    common.check_generator(rng)
    common.check_positive_int("replicates", replicates)
    common.check_positive_int("n", n, least=2)


def random_assignment(rng: np.random.Generator, replicates: int, n: int) -> tuple:
    """Random assignment instances: ``C ~ U[0, 1]^{n x n}``, uniform marginals (Tang et al.)."""
    _check_instances(rng, replicates, n)
    cost = rng.random((replicates, n, n))
    uniform = np.full((replicates, n), 1.0 / n)
    return uniform, uniform.copy(), cost


def discretized_densities(rng: np.random.Generator, replicates: int, n: int) -> tuple:
    r"""W2 between two discretized 1-D Gaussian mixtures on a uniform grid of ``[0, 1]``.

    Each marginal mixes two Gaussians with random means in ``[0.15, 0.85]`` and widths in
    ``[0.05, 0.15]``, plus a tiny floor (every bin positive); the cost is
    :math:`|x_i - y_j|^2`.
    """
    _check_instances(rng, replicates, n)
    grid = np.linspace(0.0, 1.0, n)
    dens = []
    for _ in range(2):  # the two marginals, each a batch (R, n)
        mean = rng.uniform(0.15, 0.85, (replicates, 2, 1))
        width = rng.uniform(0.05, 0.15, (replicates, 2, 1))
        w = np.exp(-0.5 * ((grid - mean) / width) ** 2).sum(axis=1) + 1e-3
        dens.append(w / w.sum(axis=1, keepdims=True))
    cost = np.broadcast_to((grid[:, None] - grid[None, :]) ** 2, (replicates, n, n)).copy()
    return dens[0], dens[1], cost


def planted_assignment(
    rng: np.random.Generator, replicates: int, n: int, margin: float = 0.2
) -> tuple:
    """Assignment instances with a planted unique optimum: cost 0 on a random permutation,
    ``U[margin, 1]`` elsewhere, uniform marginals. Every other permutation costs at least
    ``2 margin`` more, so the LP solution is unique with a vertex gap of at least
    ``2 margin / n``."""
    _check_instances(rng, replicates, n)
    if not 0 < margin < 1:
        raise ValueError(f"margin must lie in (0, 1), got {margin!r}")
    cost = rng.uniform(margin, 1.0, (replicates, n, n))
    perm = np.argsort(rng.random((replicates, n)), axis=1)
    np.put_along_axis(cost, perm[:, :, None], 0.0, axis=2)
    uniform = np.full((replicates, n), 1.0 / n)
    return uniform, uniform.copy(), cost
