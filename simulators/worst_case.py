r"""Worst-case examples as concrete functions, and the gradient methods run on them.

A performance-estimation SDP returns a worst-case example as finitely many triplets
:math:`(x_i, g_i, f_i)` (points, gradients, values) that satisfy the interpolation conditions of
the class of :math:`L`-smooth convex functions. :class:`SmoothConvexInterpolant` is a concrete
function of that class through them (Taylor, Hendrickx & Glineur 2017, arXiv 1502.05666,
Theorem 4; via conjugation):

.. math::
    f(x) = \min_{\lambda \in \Delta} \; \tfrac{L}{2} \|x - D\lambda\|^2 - c^\top \lambda,
    \qquad d_i = x_i - g_i / L, \quad c_i = \|g_i\|^2 / (2L) - f_i,

with :math:`\nabla f(x) = L (x - D\lambda^*)`. Each evaluation is a small quadratic program over
the simplex, solved with cvxpy and Clarabel (imported on first use). The methods below take a
gradient oracle and know nothing of where it came from.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from . import common


class SmoothConvexInterpolant:
    """An L-smooth convex function through given (point, gradient, value) triplets.

    Parameters
    ----------
    points, gradients
        Shape ``(m, d)``.
    values
        Shape ``(m,)``.
    smoothness
        ``L``.
    """

    def __init__(
        self, points: np.ndarray, gradients: np.ndarray, values: np.ndarray, smoothness: float
    ) -> None:
        self.L = common.check_positive("smoothness", smoothness)
        x = np.atleast_2d(np.asarray(points, dtype=float))
        g = np.atleast_2d(np.asarray(gradients, dtype=float))
        f = np.asarray(values, dtype=float)
        if x.shape != g.shape or f.shape != (x.shape[0],):
            raise ValueError(
                f"shapes differ: points {x.shape}, gradients {g.shape}, values {f.shape}"
            )
        self.anchors = (x - g / self.L).T  # D, shape (d, m)
        self.offsets = (g**2).sum(axis=1) / (2 * self.L) - f  # c

    def _solve(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        import cvxpy as cp

        lam = cp.Variable(self.anchors.shape[1], nonneg=True)
        residual = np.asarray(x, float) - self.anchors @ lam
        objective = cp.Minimize(self.L / 2 * cp.sum_squares(residual) - self.offsets @ lam)
        problem = cp.Problem(objective, [cp.sum(lam) == 1])
        with warnings.catch_warnings():
            # at these tolerances Clarabel may stop 'inaccurate' yet within 1e-6 of the value;
            # the replay is judged on what it reproduces, not on the QP's status
            warnings.simplefilter("ignore", UserWarning)
            problem.solve(solver="CLARABEL", tol_gap_rel=1e-12, tol_gap_abs=1e-14, tol_feas=1e-12)
        if lam.value is None:
            raise RuntimeError(f"interpolant evaluation failed: {problem.status}")
        return float(problem.value), self.L * (np.asarray(x, float) - self.anchors @ lam.value)

    def value(self, x: np.ndarray) -> float:
        return self._solve(x)[0]

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self._solve(x)[1]


def gradient_descent(
    gradient: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, step: float, steps: int
) -> list[np.ndarray]:
    """``[x_0, ..., x_steps]`` of :math:`x_{k+1} = x_k - \\gamma \\nabla f(x_k)`."""
    common.check_positive_int("steps", steps)
    common.check_positive("step", step)
    xs = [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - step * gradient(xs[-1]))
    return xs


def fast_gradient(
    gradient: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, smoothness: float, steps: int
) -> list[np.ndarray]:
    r"""Nesterov's fast gradient method, ``[x_0, ..., x_steps]``, with
    :math:`\lambda_{k+1} = (1 + \sqrt{4\lambda_k^2 + 1})/2`."""
    common.check_positive_int("steps", steps)
    x = y = np.asarray(x0, dtype=float)
    lam, xs = 1.0, [x]
    for _ in range(steps):
        lam_next = (1 + np.sqrt(4 * lam**2 + 1)) / 2
        x_next = y - gradient(y) / smoothness
        y = x_next + (lam - 1) / lam_next * (x_next - x)
        x, lam = x_next, lam_next
        xs.append(x)
    return xs
