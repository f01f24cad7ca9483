r"""The entropic plan converges to the optimal vertex exponentially fast in 1/reg.

Cominetti & San Martin (1994, asymptotic) and Weed, *An Explicit Analysis of the Entropic
Penalty in Linear Programming*, COLT 2018, arXiv 1806.01879 (main theorem, non-asymptotic; the
abstract is verified, the theorem's text was not retrieved here): for a linear program with a
unique solution :math:`x^*` and vertex suboptimality gap :math:`\Delta` (the least
:math:`c^\top v - c^\top x^*` over the other vertices), the entropic solution :math:`x_\eta`
approaches :math:`x^*` as :math:`e^{-\eta\Delta/R_1}` up to a constant, :math:`R_1` the largest
l1 norm on the polytope (1 for couplings of probability vectors), once
:math:`\eta \ge (R_1 + R_H)/\Delta`. This is what SNS's sparsity theorem
(:mod:`theorems.optimal_transport_sns`) builds on.

Encoded as the exponent of :math:`\|P_\eta - P^*\|_1` in :math:`\eta\Delta`: at most
:math:`e^{-1}` per unit. It is attained on 2 x 2 problems with uniform marginals, where the
plan's cross ratio :math:`P_{11}P_{22}/(P_{12}P_{21}) = e^{\eta D}` (:math:`D = c_{12} + c_{21}
- c_{11} - c_{22}`, :math:`\Delta = D/2`) gives :math:`\|P_\eta - P^*\|_1 = 2/(1 + e^{\eta\Delta})`
exactly, whatever the cost. ``ot.emd`` (POT's network simplex) gives :math:`P^*`.
"""

from __future__ import annotations

import numpy as np
import ot

from proofs_checks import AT_MOST, Geometric, Mutant, RunContext, Samples, claim
from simulators.sns import sns, sns_plan
from theorems.bibliography import WEED

#: From just above the theorem's threshold (R_1 + R_H)/Delta = (1 + log 2)/Delta, i.e.
#: eta Delta = 1.7 at n = 2, to 24, where the distance (8e-11) is still far above the plan's
#: rounding (SNS to marginal error 1e-13). The window starts at 6: the local slope of
#: log(2/(1 + e^x)) is -1 + 1/(1 + e^x), within 0.0025 of -1 from there.
ETA_DELTA = np.arange(3.0, 25.0, 3.0)
WINDOW = (6.0, None)


def vertex_distances(ctx: RunContext, vertex: str = "optimal") -> Samples:
    """``||P_eta - P*||_1`` on random 2 x 2 costs with uniform marginals along eta Delta.

    ``vertex="independent"`` measures the distance to the independent coupling a b^T instead (a
    mistaken target)."""
    replicates = ctx.pick(8, 32)
    # the diagonal optimal with a gap of at least 1/4 (scaled costs C / Delta below 8)
    cost = 0.5 * ctx.rng.random((replicates, 2, 2)) + 0.75 * (1 - np.eye(2))
    half = np.full((replicates, 2), 0.5)
    gap = (cost[:, 0, 1] + cost[:, 1, 0] - cost[:, 0, 0] - cost[:, 1, 1]) / 2
    scaled = cost / gap[:, None, None]  # eta = x / Delta on C is eta = x on C / Delta
    if vertex == "optimal":
        target = np.stack([ot.emd(half[r], half[r], cost[r]) for r in range(replicates)])
    else:
        target = np.full((replicates, 2, 2), 0.25)
    distances = []
    for x in ETA_DELTA:
        run = sns(half, half, scaled, 1.0 / x, warmup=50, max_newton=100, tol=1e-13)
        P = sns_plan(run.x, run.y, scaled, x)
        d = np.abs(P - target).sum(axis=(1, 2))
        distances.append(np.where(run.converged, d, np.nan))
    return Samples(
        ETA_DELTA,
        np.array(distances).T,
        x_label="eta * Delta",
        y_label="||P_eta - P*||_1",
        notes={"delta": gap.tolist()},
    )


@claim(
    "ot.entropic.vertex_convergence",
    paper=WEED.theorem("main theorem (Cominetti & San Martin 1994, made non-asymptotic)"),
    statement=(
        "For a transport problem with a unique optimal vertex P* and vertex gap Delta, the "
        "entropic plan P_eta approaches P* exponentially in eta = 1/reg: ||P_eta - P*||_1 "
        "decays at least as exp(-eta Delta) (R_1 = 1 for couplings)."
    ),
    latex=r"\|P_\eta - P^*\|_1 \lesssim e^{-\eta\Delta/R_1}",
    assumptions=("unique LP solution", "eta >= (R_1 + R_H)/Delta"),
    simplification=(
        "2 x 2 problems with uniform marginals and random costs (gap >= 1/4), which attain the "
        "exponent; eta Delta = 3, 6, ..., 24, fitted from 6; P_eta from SNS (exact Hessian) to "
        "marginal error 1e-13, P* from ot.emd."
    ),
    predicted=Geometric(rho=float(np.exp(-1.0)), side=AT_MOST, window=WINDOW),
    mutants=[
        Mutant(
            "reduced_cost_for_gap",
            "the exponent read with the entry's reduced cost D = 2 Delta for the vertex gap: "
            "exp(-2 eta Delta)",
            predicted=Geometric(rho=float(np.exp(-2.0)), side=AT_MOST, window=WINDOW),
        ),
        Mutant(
            "independent_coupling",
            "convergence claimed toward the independent coupling a b^T (the large-reg limit)",
            params={"vertex": "independent"},
        ),
    ],
)
def vertex_convergence(ctx: RunContext, vertex: str = "optimal") -> Samples:
    return vertex_distances(ctx, vertex)


def test_two_by_two_distance_is_the_closed_form():
    data = vertex_distances(RunContext("t", 0, "quick", np.random.default_rng(5)))
    closed = np.broadcast_to(2 / (1 + np.exp(ETA_DELTA)), data.y.shape)
    np.testing.assert_allclose(data.y, closed, rtol=1e-4)
