r"""Newton on the Lyapunov potential of :mod:`simulators.sns` in mpmath arithmetic.

One small instance at a time, in as many digits as an order-of-convergence fit needs (float64
leaves two or three Newton steps above its floor). Re-exported by :mod:`simulators.sns`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np


@dataclass
class _MpTransport:
    """One entropic transport instance in mpmath numbers, for :func:`newton_errors_mp`.

    Its methods compute in the working precision of the caller's ``mpmath.workdps``.
    """

    eta: mpmath.mpf
    cost: list[list[mpmath.mpf]]
    r: list[mpmath.mpf]
    c: list[mpmath.mpf]

    @property
    def n(self) -> int:
        return len(self.r)

    @property
    def m(self) -> int:
        return len(self.c)

    def plan(self, x: list, y: list) -> list[list]:
        E, C = self.eta, self.cost
        return [
            [mpmath.exp(E * (y[j] + x[i] - C[i][j]) - 1) for j in range(self.m)]
            for i in range(self.n)
        ]

    def sweep(self, x: list, y: list, P: list[list]) -> tuple[list, list, list[list]]:
        """One Sinkhorn sweep from ``(x, y)`` with plan ``P``: the row potentials, then the
        column potentials; returns them and their plan.

        Moving ``x_i`` by ``(log r_i - log (P 1)_i) / eta`` multiplies row ``i`` of the plan by
        ``r_i / (P 1)_i`` (and the column step likewise): the new plan is rescaled, not
        recomputed (no exponentials; the same numbers to rounding).
        """
        n, m, E = self.n, self.m, self.eta
        rows = [mpmath.fsum(P[i]) for i in range(n)]
        x = [x[i] + (mpmath.log(self.r[i]) - mpmath.log(rows[i])) / E for i in range(n)]
        P = [[v * (self.r[i] / rows[i]) for v in P[i]] for i in range(n)]
        col = [mpmath.fsum(P[i][j] for i in range(n)) for j in range(m)]
        y = [y[j] + (mpmath.log(self.c[j]) - mpmath.log(col[j])) / E for j in range(m)]
        scale = [self.c[j] / col[j] for j in range(m)]
        return x, y, [[P[i][j] * scale[j] for j in range(m)] for i in range(n)]

    def gradient(self, P: list[list]) -> list:
        n, m = self.n, self.m
        g = [self.r[i] - mpmath.fsum(P[i]) for i in range(n)]
        return g + [self.c[j] - mpmath.fsum(P[i][j] for i in range(n)) for j in range(m)]

    def newton_system(self, P: list[list], keep: int) -> list[list]:
        """The negated Hessian with only the ``keep`` largest entries of ``P`` off the diagonal,
        plus ``v v^T`` along its null vector ``v = (1, -1)/sqrt(n + m)``, as rows."""
        n, m, E = self.n, self.m, self.eta
        cut = sorted((P[i][j] for i in range(n) for j in range(m)), reverse=True)[keep - 1]
        s2 = 1 / mpmath.mpf(n + m)  # v_p v_q = +-1/(n + m)
        sign = [1] * n + [-1] * m
        A = [[s2 if sign[p] == sign[q] else -s2 for q in range(n + m)] for p in range(n + m)]
        for i in range(n):
            A[i][i] += E * mpmath.fsum(P[i])
            for j in range(m):
                if P[i][j] >= cut:
                    A[i][n + j] += E * P[i][j]
                    A[n + j][i] += E * P[i][j]
        for j in range(m):
            A[n + j][n + j] += E * mpmath.fsum(P[i][j] for i in range(n))
        return A

    def newton_step(
        self, x: list, y: list, P: list[list], g: list, keep: int, hessian_sign: int
    ) -> tuple[list, list]:
        """A full Newton step, or a Sinkhorn sweep where its direction does not ascend."""
        n, m = self.n, self.m
        d = [hessian_sign * v for v in solve_definite(self.newton_system(P, keep), g)]
        if mpmath.fsum(g[p] * d[p] for p in range(n + m)) > 0:
            # full Newton steps: the warm-up puts the iterate in the quadratic basin
            return [x[i] + d[i] for i in range(n)], [y[j] + d[n + j] for j in range(m)]
        return self.sweep(x, y, P)[:2]


def solve_definite(A: list[list], b: list) -> list:
    """``A^-1 b`` for a symmetric positive definite (or diagonally dominant) ``A`` given as rows
    of mpmath numbers, by Gaussian elimination without pivoting (stable for such matrices), in
    10 guard digits more than the working precision, as ``mpmath.lu_solve`` works.

    ``mpmath.lu_solve`` spent most of the Newton runs' time in its pivot search (a row sum
    per candidate row per column, through the matrix class's item access); the Newton systems
    here are definite, so no pivoting is needed.
    """
    size = len(b)
    rows = [list(row) for row in A]
    rhs = list(b)
    with mpmath.extradps(10):
        for j in range(size):
            pivot_row = rows[j]
            for i in range(j + 1, size):
                factor = rows[i][j] / pivot_row[j]
                if not factor:
                    continue
                row = rows[i]
                for k in range(j + 1, size):
                    row[k] -= factor * pivot_row[k]
                rhs[i] -= factor * rhs[j]
        x = [mpmath.mpf(0)] * size
        for i in reversed(range(size)):
            row = rows[i]
            x[i] = (rhs[i] - mpmath.fdot(row[i + 1 :], x[i + 1 :])) / row[i]
    return [+v for v in x]  # rounded to the working precision


def newton_errors_mp(
    cost: np.ndarray,
    r: np.ndarray,
    c: np.ndarray,
    eta: float,
    warmup: int,
    steps: int,
    dps: int,
    method: str = "newton",
    hessian_sign: int = 1,
    keep_fraction: float | None = None,
) -> list:
    """Marginal errors of Newton (or Sinkhorn) on ``f`` in ``dps``-digit mpmath arithmetic.

    One small instance (``n, m`` of order 10); float64 would leave two or three Newton steps
    above its floor. Stops at ``steps`` iterations or once the error is below
    ``10^-(dps - 10)``. The Newton system is made nonsingular by adding ``v v^T`` along the
    Hessian's null vector ``v = (1, -1)/sqrt(n + m)`` (the gradient is orthogonal to ``v``,
    so the step is unchanged). Where the Newton direction is not an ascent direction the step
    falls back to a Sinkhorn sweep, as in :func:`sns`.

    Returns
    -------
    list of mpmath.mpf
        Errors after the warm-up and after each later iteration.
    """
    if method not in ("newton", "sinkhorn"):
        raise ValueError(f"method must be 'newton' or 'sinkhorn', got {method!r}")
    cost = np.asarray(cost, dtype=float)
    n, m = cost.shape
    if r.shape != (n,) or c.shape != (m,):
        raise ValueError(f"marginals of shapes {r.shape}, {c.shape} do not fit cost {cost.shape}")
    with mpmath.workdps(dps):
        problem = _MpTransport(
            eta=mpmath.mpf(eta),
            cost=[[mpmath.mpf(float(v)) for v in row] for row in cost],
            r=[mpmath.mpf(float(v)) for v in r],
            c=[mpmath.mpf(float(v)) for v in c],
        )
        x, y = [mpmath.mpf(0)] * n, [mpmath.mpf(0)] * m
        P = problem.plan(x, y)
        for _ in range(warmup):
            x, y, P = problem.sweep(x, y, P)
        g = problem.gradient(P)
        errors = [mpmath.fsum(abs(v) for v in g)]
        floor = mpmath.mpf(10) ** (-(dps - 10))
        keep = n * m if keep_fraction is None else max(1, math.ceil(keep_fraction * n * m))
        for _ in range(steps):
            if errors[-1] < floor:
                break
            if method == "sinkhorn":
                x, y, P = problem.sweep(x, y, P)
            else:
                x, y = problem.newton_step(x, y, P, g, keep, hessian_sign)
                P = problem.plan(x, y)
            g = problem.gradient(P)
            errors.append(mpmath.fsum(abs(v) for v in g))
        return errors
