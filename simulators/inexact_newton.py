r"""Inexact Newton on a smooth strongly convex gradient system, in float64 or in mpmath.

The system is the gradient of :math:`f(x) = \tfrac12 x^\top Q x + q^\top x + \sum_i
\log(1 + e^{x_i})`: :math:`F(x) = Qx + q + \sigma(x)`, :math:`J(x) = Q + \mathrm{diag}(\sigma'(x))`.
A step solves the Newton system only to a relative residual :math:`\eta_k`,

.. math::  J_k s_k = -F(x_k) + r_k, \qquad \|r_k\| = \eta_k \|F(x_k)\|,

with the residual aligned with :math:`-F(x_k)`, :math:`r_k = -\eta_k F(x_k)`: the solver stops
short of the Newton step by the full tolerance allowed (Dembo, Eisenstat & Steihaug's condition
:math:`\|r_k\| \le \eta_k \|F_k\|` holds with equality), so the residual contracts by
:math:`\eta_k` to first order. ``J_k`` is the exact Jacobian, or the one frozen at ``x_0``.

The arithmetic follows the arrays passed in: float arrays run in float64, ``dtype=object``
arrays of ``mpmath.mpf`` in mpmath's working precision (set ``mpmath.mp.dps`` first), so an
order of convergence can be read far below float64's floor.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np

from simulators.common import check_positive, check_positive_int

_MP_EXP = np.frompyfunc(mpmath.exp, 1, 1)
_MP_SQRT = np.frompyfunc(mpmath.sqrt, 1, 1)


def _exp(x: np.ndarray) -> np.ndarray:
    return _MP_EXP(x) if x.dtype == object else np.exp(x)


def _norm(v: np.ndarray) -> np.ndarray:
    squares = (v * v).sum(axis=-1)
    return _MP_SQRT(squares) if squares.dtype == object else np.sqrt(squares)


def _solve(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Gaussian elimination without pivoting (the matrices are symmetric positive definite),
    batched over the leading axis; works on float and on object (mpmath) arrays alike."""
    a = matrix.copy()
    b = rhs.copy()
    d = a.shape[-1]
    for col in range(d):
        pivot = a[:, col, col]
        for row in range(col + 1, d):
            factor = a[:, row, col] / pivot
            a[:, row, col:] = a[:, row, col:] - factor[:, None] * a[:, col, col:]
            b[:, row] = b[:, row] - factor * b[:, col]
    x = b.copy()
    for row in range(d - 1, -1, -1):
        tail = (a[:, row, row + 1 :] * x[:, row + 1 :]).sum(axis=-1) if row < d - 1 else 0
        x[:, row] = (b[:, row] - tail) / a[:, row, row]
    return x


def logistic_system(x: np.ndarray, hessian: np.ndarray, linear: np.ndarray) -> tuple[Any, Any]:
    """``F(x)`` and ``J(x)`` for every row of ``x`` (shape ``(replicates, d)``)."""
    e = _exp(-x)
    sigma = 1 / (1 + e)
    weight = sigma * (1 - sigma)
    residual = x @ hessian.T + linear + sigma
    jacobian = np.broadcast_to(hessian, (x.shape[0], *hessian.shape)).copy()
    idx = np.arange(x.shape[1])
    jacobian[:, idx, idx] = jacobian[:, idx, idx] + weight
    return residual, jacobian


def inexact_newton_residuals(
    hessian: np.ndarray,
    linear: np.ndarray,
    x0: np.ndarray,
    iterations: int,
    forcing: str = "power",
    theta: float = 0.5,
    power: float = 0.5,
    jacobian: str = "exact",
) -> np.ndarray:
    r"""Residual norms :math:`\|F(x_k)\|` of inexact Newton, ``k = 0..iterations``.

    Parameters
    ----------
    hessian, linear
        ``Q`` (d, d), symmetric positive semi-definite, and ``q`` (d,), same dtype as ``x0``.
    x0
        Starting points, shape ``(replicates, d)`` (float, or object of ``mpmath.mpf``).
    iterations
        Number of steps.
    forcing
        ``"power"``: :math:`\eta_k = \min(\theta, \|F_k\|^p)`; ``"fixed"``: :math:`\eta_k =
        \theta`; ``"exact"``: :math:`\eta_k = 0`.
    theta, power
        :math:`\theta` and :math:`p`.
    jacobian
        ``"exact"`` or ``"frozen"`` (the Jacobian at ``x_0`` used throughout).

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, iterations + 1)``, the dtype of ``x0``.
    """
    iterations = check_positive_int("iterations", iterations)
    theta = check_positive("theta", theta, allow_zero=True)
    if forcing not in ("power", "fixed", "exact"):
        raise ValueError(f"forcing must be 'power', 'fixed' or 'exact', got {forcing!r}")
    if jacobian not in ("exact", "frozen"):
        raise ValueError(f"jacobian must be 'exact' or 'frozen', got {jacobian!r}")
    x = np.array(np.atleast_2d(x0))
    norms = np.empty((x.shape[0], iterations + 1), dtype=x.dtype)
    residual, frozen = logistic_system(x, hessian, linear)
    for k in range(iterations + 1):
        if k:
            residual, current = logistic_system(x, hessian, linear)
        else:
            current = frozen
        size = _norm(residual)
        norms[:, k] = size
        if k == iterations:
            break
        if forcing == "exact":
            eta = size * 0
        elif forcing == "fixed":
            eta = size * 0 + theta
        else:
            powered = size**power
            eta = np.where(powered < theta, powered, theta)
        matrix = frozen if jacobian == "frozen" else current
        # J s = -F + r with r = -eta F: s = -(1 + eta) J^-1 F
        step = _solve(matrix, -residual * (1 + eta)[:, None])
        x = x + step
    return norms
