r"""Entropic optimal transport: Sinkhorn's linear rate and the entropic bias.

Problem (POT's convention, ``reg`` = regularization, :math:`\eta = 1/\mathrm{reg}`): minimise
:math:`\langle C, P\rangle - \mathrm{reg}\,H(P)` over couplings of ``(a, b)``,
:math:`H(P) = -\sum_{ij} P_{ij}\log P_{ij}`; ``OT`` is the unregularized LP value.

**Sinkhorn's linear rate** (Franklin & Lorenz 1989; Peyre & Cuturi, *Computational Optimal
Transport*, arXiv 1803.00567, Theorem 4.2). With :math:`K = e^{-C/\mathrm{reg}}` and
:math:`\lambda(K) = \tanh(\Delta(K)/4)`, :math:`\Delta(K) = \log\max_{ijkl}
\frac{K_{ik}K_{jl}}{K_{jk}K_{il}}`, each full Sinkhorn iteration contracts the Hilbert projective
distance to the fixed point:

.. math::  d_H(u^{(\ell+1)}, u^*) \le \lambda(K)^2 \, d_H(u^{(\ell)}, u^*).

**Entropic bias** (elementary; a sharper form of the usual :math:`2\log n/\eta`). Since
:math:`\max(H(a), H(b)) \le H(P) \le H(a) + H(b)` for every coupling,

.. math::  0 \le \langle C, P_{\mathrm{reg}}\rangle - \mathrm{OT}
           \le \mathrm{reg}\,\min(H(a), H(b)), \qquad
           -\mathrm{reg}(H(a) + H(b)) \le \mathrm{OT}_{\mathrm{reg}} - \mathrm{OT}
           \le -\mathrm{reg}\max(H(a), H(b)).

``ot.emd2`` (POT's exact network simplex) is the LP oracle throughout.
Sinkhorn-Newton-Sparse (Tang et al. 2024) is in :mod:`theorems.optimal_transport_sns`.
"""

from __future__ import annotations

import numpy as np
import ot

from proofs_checks import AT_MOST, Bound, Geometric, Mutant, Paper, RunContext, Samples, claim
from simulators.sinkhorn import entropy, hilbert_contraction, sinkhorn_log
from simulators.sns import sns, sns_plan

PEYRE_CUTURI = Paper(
    title="Computational Optimal Transport",
    authors="Gabriel Peyre, Marco Cuturi",
    year=2019,
    arxiv="1803.00567",
    venue="Foundations and Trends in Machine Learning",
)

# --- Sinkhorn's linear rate ------------------------------------------------------------------

# A fixed cost (squared distances between two grids of [0, 1]) so that Delta(K), hence the
# bound, is the same for every replicate; the replicates draw random marginals. reg = 0.5
# makes the bound informative (tanh(Delta/4)^2 = 0.58, not 1 - 1e-7 as at reg = 0.05).
GRID_N, GRID_M, RATE_REG = 20, 25, 0.5
GRID_COST = (np.linspace(0, 1, GRID_N)[:, None] - np.linspace(0, 1, GRID_M)[None, :]) ** 2
HILBERT_RHO = float(hilbert_contraction(GRID_COST, RATE_REG)[0])


@claim(
    "ot.sinkhorn.linear_rate",
    paper=PEYRE_CUTURI.theorem("Theorem 4.2"),
    statement=(
        "Sinkhorn's marginal error decays geometrically, at least as fast as the Hilbert-metric "
        "contraction tanh(Delta(K)/4)^2 per full iteration."
    ),
    latex=r"\|P_\ell\mathbf 1 - a\|_1 + \|P_\ell^\top\mathbf 1 - b\|_1 \lesssim \lambda(K)^{2\ell}",
    assumptions=("K = exp(-C/reg) has positive entries", "a, b positive with equal mass"),
    simplification=(
        "The theorem contracts the Hilbert distance of the scalings; the check fits the l1 "
        "marginal error, which decays at the same asymptotic rate. The bound is very "
        "pessimistic (0.58 against an observed ~0.11), so it is checked one-sided, as a bound, "
        "not as the rate. n = 20, m = 25 grid, squared-distance cost, reg = 0.5."
    ),
    # Relative tolerance 5% on the rate -log(rho): well inside the gap between the bound and
    # the observed rate, and a stalled iteration (rho_hat = 1) is 100% off.
    predicted=Geometric(rho=HILBERT_RHO, side=AT_MOST, tolerance=0.05, window=(2, None)),
    mutants=[
        Mutant(
            "one_scaling_only",
            "a 'Sinkhorn' that updates only u: the column marginal never improves",
            params={"one_sided": True},
        )
    ],
)
def sinkhorn_linear_rate(ctx: RunContext, one_sided: bool = False) -> Samples:
    R = ctx.pick(32, 128)
    a = ctx.rng.uniform(0.5, 1.5, (R, GRID_N))
    b = ctx.rng.uniform(0.5, 1.5, (R, GRID_M))
    a, b = a / a.sum(1, keepdims=True), b / b.sum(1, keepdims=True)
    # stop at 1e-12: the l1 error sums n + m rounding errors of ~1e-16, so its floor is
    # ~1e-14; stopping two decades above keeps every fitted point meaningful
    run = sinkhorn_log(a, b, GRID_COST, RATE_REG, max_iter=60, tol=1e-12, one_sided=one_sided)
    errors = run.errors
    return Samples(
        np.arange(errors.shape[1]),
        errors,
        constants={"rho_bound": HILBERT_RHO, "reg": RATE_REG},
        x_label="Sinkhorn iteration",
        y_label="marginal error (l1)",
        notes={"hilbert_bound": HILBERT_RHO},
    )


# --- Entropic bias -----------------------------------------------------------------------------


def _sandwich_position(value, lower, upper):
    """|2 v - (L + U)| / (U - L): at most 1 exactly when L <= v <= U."""
    return np.abs(2 * value - (lower + upper)) / (upper - lower)


@claim(
    "ot.entropic_bias",
    paper=PEYRE_CUTURI.theorem("Proposition 4.1 (limit reg -> 0); sandwich derived here"),
    statement=(
        "For every reg: 0 <= <C, P_reg> - OT <= reg min(H(a), H(b)) and "
        "-reg (H(a) + H(b)) <= OT_reg - OT <= -reg max(H(a), H(b))."
    ),
    latex=r"0 \le \langle C,P_{\mathrm{reg}}\rangle - \mathrm{OT} \le \mathrm{reg}\min(H(a),H(b)),"
    r"\quad \mathrm{OT}_{\mathrm{reg}} - \mathrm{OT} \in [-\mathrm{reg}(H(a)+H(b)),"
    r" -\mathrm{reg}\max(H(a),H(b))]",
    assumptions=("a, b probability vectors", "OT the exact LP value (ot.emd2)"),
    simplification=(
        "Both sandwiches are folded into one statistic, |2v - (L + U)| / (U - L) <= 1, the "
        "largest over the two sandwiches and over the instances (30 x 40 Gaussian clouds in "
        "the plane, cost scaled to max 1, random marginals), at each reg of a grid from 1 to "
        "1e-3. P_reg from SNS (exact Hessian) to marginal error 1e-12."
    ),
    predicted=Bound(formula=lambda x: np.ones_like(x), expression="1 (inside both sandwiches)"),
    mutants=[
        Mutant(
            "entropy_wrong_sign",
            "OT_reg computed with the entropy's sign flipped: <C,P> + reg H(P)",
            params={"entropy_sign": -1.0},
        ),
        Mutant(
            "linear_part_only",
            "ot.sinkhorn2's value (the linear part <C,P> only) taken as OT_reg",
            params={"value": "linear"},
        ),
        Mutant(
            "kernel_times_reg",
            "the kernel exp(-C reg) instead of exp(-C / reg)",
            params={"kernel": "times"},
        ),
    ],
)
def entropic_bias(
    ctx: RunContext, entropy_sign: float = 1.0, value: str = "entropic", kernel: str = "divide"
) -> Samples:
    n, m, R = 30, 40, ctx.pick(4, 16)
    regs = np.geomspace(1.0, 1e-3, ctx.pick(7, 13))
    xs = ctx.rng.normal(size=(R, n, 2))
    ys = ctx.rng.normal(size=(R, m, 2)) + np.array([1.0, 0.5])
    cost = ((xs[:, :, None, :] - ys[:, None, :, :]) ** 2).sum(-1)
    cost /= cost.max(axis=(1, 2), keepdims=True)
    a = ctx.rng.uniform(0.5, 1.5, (R, n))
    b = ctx.rng.uniform(0.5, 1.5, (R, m))
    a, b = a / a.sum(1, keepdims=True), b / b.sum(1, keepdims=True)
    exact = np.array([ot.emd2(a[r], b[r], cost[r]) for r in range(R)])  # the LP oracle
    Ha, Hb = entropy(a), entropy(b)
    positions, log_u, log_v, prev = [], None, None, None
    for reg in regs:  # a continuation path: each solve warm-starts the next
        solve_reg = reg if kernel == "divide" else 1.0 / reg
        if log_u is not None:  # dual potentials reg * log u vary slowly along the path
            log_u, log_v = log_u * prev / solve_reg, log_v * prev / solve_reg
        run = sns(
            a, b, cost, solve_reg, warmup=20, max_newton=200, tol=1e-12, log_u0=log_u, log_v0=log_v
        )
        eta = 1.0 / solve_reg
        log_u, log_v, prev = eta * run.x - 0.5, eta * run.y - 0.5, solve_reg
        P = sns_plan(run.x, run.y, cost, eta)
        linear = (cost * P).sum((1, 2))
        H = entropy(P, axis=(1, 2))
        val = linear if value == "linear" else linear - entropy_sign * reg * H
        s1 = _sandwich_position(linear - exact, 0.0, reg * np.minimum(Ha, Hb))
        s2 = _sandwich_position(val - exact, -reg * (Ha + Hb), -reg * np.maximum(Ha, Hb))
        s = np.maximum(s1, s2)
        positions.append(np.where(run.iterations < 0, np.nan, s))  # unconverged: no verdict
    return Samples(
        1.0 / regs,
        np.array(positions).T.max(axis=0),
        x_label="1/reg",
        y_label="max position in the sandwiches (<= 1 inside)",
        notes={"OT": exact.tolist()},
    )
