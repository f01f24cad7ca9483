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

    def sweep(self, x: list, y: list) -> tuple[list, list]:
        """One Sinkhorn sweep: the row potentials, then the column potentials."""
        n, m, E = self.n, self.m, self.eta
        P = self.plan(x, y)
        x = [x[i] + (mpmath.log(self.r[i]) - mpmath.log(mpmath.fsum(P[i]))) / E for i in range(n)]
        P = self.plan(x, y)
        col = [mpmath.fsum(P[i][j] for i in range(n)) for j in range(m)]
        return x, [y[j] + (mpmath.log(self.c[j]) - mpmath.log(col[j])) / E for j in range(m)]

    def gradient(self, P: list[list]) -> list:
        n, m = self.n, self.m
        g = [self.r[i] - mpmath.fsum(P[i]) for i in range(n)]
        return g + [self.c[j] - mpmath.fsum(P[i][j] for i in range(n)) for j in range(m)]

    def newton_system(self, P: list[list], keep: int) -> mpmath.matrix:
        """The negated Hessian with only the ``keep`` largest entries of ``P`` off the diagonal,
        plus ``v v^T`` along its null vector ``v = (1, -1)/sqrt(n + m)``."""
        n, m, E = self.n, self.m, self.eta
        cut = sorted((P[i][j] for i in range(n) for j in range(m)), reverse=True)[keep - 1]
        A = mpmath.zeros(n + m, n + m)
        s = 1 / mpmath.sqrt(n + m)
        v = [s] * n + [-s] * m
        for i in range(n):
            A[i, i] = E * mpmath.fsum(P[i])
            for j in range(m):
                kept = E * P[i][j] if P[i][j] >= cut else 0
                A[i, n + j] = A[n + j, i] = kept
        for j in range(m):
            A[n + j, n + j] = E * mpmath.fsum(P[i][j] for i in range(n))
        for p in range(n + m):
            for q in range(n + m):
                A[p, q] += v[p] * v[q]
        return A

    def newton_step(
        self, x: list, y: list, P: list[list], g: list, keep: int, hessian_sign: int
    ) -> tuple[list, list]:
        """A full Newton step, or a Sinkhorn sweep where its direction does not ascend."""
        n, m = self.n, self.m
        d = mpmath.lu_solve(self.newton_system(P, keep), mpmath.matrix(g)) * hessian_sign
        if mpmath.fsum(g[p] * d[p] for p in range(n + m)) > 0:
            # full Newton steps: the warm-up puts the iterate in the quadratic basin
            return [x[i] + d[i] for i in range(n)], [y[j] + d[n + j] for j in range(m)]
        return self.sweep(x, y)


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
        for _ in range(warmup):
            x, y = problem.sweep(x, y)
        P = problem.plan(x, y)
        g = problem.gradient(P)
        errors = [mpmath.fsum(abs(v) for v in g)]
        floor = mpmath.mpf(10) ** (-(dps - 10))
        keep = n * m if keep_fraction is None else max(1, math.ceil(keep_fraction * n * m))
        for _ in range(steps):
            if errors[-1] < floor:
                break
            if method == "sinkhorn":
                x, y = problem.sweep(x, y)
            else:
                x, y = problem.newton_step(x, y, P, g, keep, hessian_sign)
            P = problem.plan(x, y)
            g = problem.gradient(P)
            errors.append(mpmath.fsum(abs(v) for v in g))
        return errors
