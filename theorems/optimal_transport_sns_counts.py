r"""Sinkhorn-Newton-Sparse against Sinkhorn: iterations to a marginal error of 1e-10.

Conventions as in :mod:`theorems.optimal_transport` (POT's ``reg``, :math:`\eta = 1/\mathrm{reg}`).

**Sinkhorn-Newton-Sparse** (Tang, Shavlovsky, Rahmanian, Tardini, Thekumparampil, Xiao, Ying,
ICLR 2024, arXiv 2401.12253, Section 6 and Table 1): a Sinkhorn warm-up followed by Newton
steps on the sparsified Hessian of the Lyapunov potential (:mod:`simulators.sns`) needs orders
of magnitude fewer iterations than Sinkhorn, the more so the smaller the regularization. The
paper states no rate; the claims here encode the growth of the ratio with 1/reg on W2 between
discretized densities, and a tenfold speed-up on random assignment problems wherever Sinkhorn
is slow. The algorithm's order, the plan's sparsity and the sparsity regime are in
:mod:`theorems.optimal_transport_sns`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from proofs_checks import AT_LEAST, AT_MOST, Bound, Mutant, RunContext, Samples, Scaling, claim
from simulators.sinkhorn import discretized_densities, random_assignment
from simulators.sinkhorn_scaling import sinkhorn_iterations
from simulators.sns import KEEP_PER_ROW, sns
from theorems.bibliography import SNS_PAPER

# --- SNS: iteration counts ---------------------------------------------------------------------

TOL = 1e-10  # marginal error at which both methods stop (the target)


@lru_cache(maxsize=4)
def _sinkhorn_counts(family: str, seed: int, n: int, replicates: int, etas: tuple, cap: int):
    """Sinkhorn's iterations to TOL per (instance, eta), -1 if not within ``cap``; cached
    so that a mutant (same random numbers) reuses them."""
    make = {"w2": discretized_densities, "assignment": random_assignment}[family]
    a, b, cost = make(np.random.default_rng(seed), replicates, n)
    # sinkhorn_log's iteration counts, computed in the scaling domain (the same iterates to
    # rounding, five to ten times faster on these batches)
    counts = [sinkhorn_iterations(a, b, cost, 1.0 / eta, cap, TOL) for eta in etas]
    return (a, b, cost), np.array(counts).T


def _sns_counts(problem, etas, warmup, keep, newton, budget):
    """SNS iterations (warm-up + Newton) to TOL per (instance, eta), -1 if not reached."""
    a, b, cost = problem
    counts = []
    for eta in etas:  # a loop over the regularization grid; instances are batched
        run = sns(
            a,
            b,
            cost,
            1.0 / eta,
            warmup=warmup,
            max_newton=budget,
            tol=TOL,
            keep_fraction=keep,
            newton=newton,
        )
        counts.append(run.iterations)
    return np.array(counts).T


def _censored_ratio(slow, slow_cap, fast, fast_cap):
    """Sinkhorn / SNS iteration ratio with capped counts handled honestly.

    A Sinkhorn count at its cap is a lower bound: the ratio is understated, which an "at
    least" claim may use. An SNS count at its budget is a lower bound too, so the ratio is
    overstated; the scaling claim keeps it because that happens at the largest reg, where an
    overstated ratio flattens the fitted growth, and records the counts in the notes.
    Both capped carries no information: NaN, which is never confirmed.
    """
    slow_c = np.where(slow < 0, slow_cap, slow).astype(float)
    fast_c = np.where(fast < 0, fast_cap, fast).astype(float)
    return np.where((slow < 0) & (fast < 0), np.nan, slow_c / fast_c)


# W2 between discretized densities: cost |x - y|^2 on [0, 1]; eta = 1/reg from 250 to 2000
W2_ETAS = {
    "quick": tuple(float(v) for v in np.geomspace(250, 2000, 5)),
    "full": tuple(float(v) for v in np.geomspace(250, 2000, 7)),
}


@claim(
    "ot.sns.iteration_count",
    paper=SNS_PAPER.theorem("Section 6, Table 1"),
    statement=(
        "SNS needs orders of magnitude fewer iterations than Sinkhorn to reach marginal error "
        "1e-10, and the ratio grows as the regularization shrinks: ratio ~ (1/reg)^a with "
        "a >= 1/2 on W2 between discretized densities."
    ),
    latex=r"\frac{N_{\mathrm{Sinkhorn}}(\mathrm{reg})}{N_{\mathrm{SNS}}(\mathrm{reg})}"
    r"\gtrsim \mathrm{reg}^{-1/2}",
    assumptions=("Sinkhorn warm-up of 50 steps", "lambda = 30/n off-diagonal entries kept"),
    simplification=(
        "1-D W2 between two-Gaussian mixtures on a grid of n = 100 (200 in full), eta = 1/reg "
        "from 250 to 2000 on the cost scaled to [0, 1]. lambda = 30/n: the plan is a band of "
        "~20-30 entries per row at these reg, and 15/n (the paper's choice for W1) leaves "
        "Newton linear at reg = 1/250 (over 100 iterations). The paper states 'orders of "
        "magnitude' without a rate; growth is encoded as an exponent of at least 1/2."
    ),
    # Newton's count is bounded (warm-up plus a few steps) while Sinkhorn's grows with 1/reg
    # (its local rate 1 - rho shrinks with reg). The paper gives no rate: "grows at least like
    # (1/reg)^(1/2)" is the statement above. The margin 0.25 is the measurement's own spread:
    # the ratio of integer iteration counts (Sinkhorn's up to its cap) has a local exponent that
    # moves by 0.05 to 0.1 between the head and the tail of the grid and with n.
    loose=(
        "Table 1 reports speed-ups without a rate or a constant: the exponent 1/2 is this "
        "package's reading of 'grows', and the instance grows as (1/reg)^0.84 at n = 100 and "
        "(1/reg)^1.36 at n = 200, so a claim of at least 0.8 passes too; no statement of the "
        "paper is nearer"
    ),
    predicted=Scaling(exponent=0.5, side=AT_LEAST, margin=0.25, parameter="1/reg"),
    mutants=[
        Mutant(
            "newton_stage_replaced",
            "SNS with its Newton stage replaced by more Sinkhorn steps",
            params={"newton": False},
        )
    ],
)
def sns_iteration_count(ctx: RunContext, newton: bool = True) -> Samples:
    n, R, etas = ctx.pick(100, 200), ctx.pick(3, 6), W2_ETAS[ctx.profile]
    # Sinkhorn needs ~1.4/reg iterations on most instances, but ~12.5/reg when a mode of one
    # density must cross a low-mass gap (25000 at reg = 1/2000 seen): the cap is 30/reg at
    # the smallest reg, and the no-Newton mutant gets the same budget, so that both stay
    # informative (both capped would be NaN, never a verdict)
    cap, warmup = 60_000, 50
    seed = int(ctx.rng.integers(2**63))
    problem, sink = _sinkhorn_counts("w2", seed, n, R, etas, cap)
    budget = 300 if newton else cap
    fast = _sns_counts(problem, etas, warmup, keep=30 / n, newton=newton, budget=budget)
    return Samples(
        np.array(etas),
        _censored_ratio(sink, cap, fast, warmup + budget),
        x_label="1/reg",
        y_label="Sinkhorn iterations / SNS iterations",
        notes={"sinkhorn": sink.tolist(), "sns": fast.tolist(), "n": n, "cap": cap},
    )


#: Random assignment problems per profile: (n, eta grid, replicates, Sinkhorn's cap). The
#: quick profile stays small (n = 100, where Sinkhorn needs 500 to 3000 iterations at eta 150
#: to 250); the full profile is the paper's regime, n = 500 with eta = 1200 (Sinkhorn is capped
#: there: a lower bound, which can only understate the bound N_Sinkhorn/10), plus eta = 800,
#: where Sinkhorn converges within the cap (about 300 to 650 iterations at eta = 600, so
#: 500 < N < 3000 at 800 is expected), so that the no-Newton mutant is judged on uncapped counts.
ASSIGN = {
    "quick": (100, (150.0, 200.0, 250.0), 3, 3000),
    "full": (500, (800.0, 1200.0), 2, 3000),
}


sinkhorn_count, speedup = sp.symbols("N_Sinkhorn k", positive=True)
#: Wherever Sinkhorn needs N_Sinkhorn > 500 iterations, SNS needs at most N_Sinkhorn / 10.
SNS_COUNT_BOUND = sinkhorn_count / speedup
SPEEDUP, SLOW_SINKHORN = 10, 500


@claim(
    "ot.sns.iteration_count.tenfold",
    paper=SNS_PAPER.theorem("Section 6, Table 1"),
    statement=(
        f"On random assignment problems, wherever Sinkhorn needs N_Sinkhorn > {SLOW_SINKHORN} "
        "iterations to reach marginal error 1e-10, SNS needs at most "
        f"{SNS_COUNT_BOUND.subs(speedup, SPEEDUP)} (at least {SPEEDUP} times fewer)."
    ),
    latex=rf"N_{{\mathrm{{Sinkhorn}}}} > {SLOW_SINKHORN} \Rightarrow "
    rf"N_{{\mathrm{{SNS}}}} \le {sp.latex(SNS_COUNT_BOUND)}, \quad k = {SPEEDUP}",
    assumptions=("C ~ U[0,1]^{n x n}, uniform marginals", "warm-up 20, lambda = 10/n"),
    simplification=(
        "Quick: n = 100, eta in {150, 200, 250}; full: the paper's n = 500 with eta in "
        "{800, 1200} (the paper: eta = 1200, lambda = 2/n). lambda = 2/n turns Newton linear "
        "(see ot.sns.quadratic_order's mutant; it needs 60-70 steps at n = 500, eta = 1200, and "
        "does not reach 1e-9 at n = 200), so 10/n is used (simulators.sns's default, 10 "
        "entries per row, 10% of the plan at n = 100 and 2% at n = 500; 5/n left Newton "
        "linear on the slowest instances, see the code). Sinkhorn is stopped at 3000 "
        "iterations: a capped count is a lower bound, so the bound N_Sinkhorn/10 can only be "
        "understated. x is Sinkhorn's count on each (instance, eta) where it needed more than "
        "500 iterations, y the SNS count on the same problem (the largest where two share x)."
    ),
    loose=(
        "Table 1's 'orders of magnitude' read at its weakest, tenfold: the instance shows at "
        "least 20-fold in the quick profile (max y/B 0.48 over seeds 0-59: SNS needs 24-29 "
        "iterations while the premise makes the bound at least 50) and 27-fold at n = 500 in "
        "the full one (0.37 over seeds 0-5, at eta = 800 where Sinkhorn needed 650 "
        "iterations), so a bound nearly twice as tight passes on those seeds; the paper "
        "states no constant nearer"
    ),
    predicted=Bound(
        expression=SNS_COUNT_BOUND,
        x=sinkhorn_count,
        side=AT_MOST,
        symbols={
            "N_Sinkhorn": "Sinkhorn's iterations to marginal error 1e-10",
            "k": "the claimed speed-up",
        },
    ),
    mutants=[
        Mutant(
            "newton_stage_replaced",
            "SNS with its Newton stage replaced by more Sinkhorn steps",
            params={"newton": False},
        )
    ],
)
def sns_tenfold(ctx: RunContext, newton: bool = True) -> Samples:
    n, etas, R, cap = ASSIGN[ctx.profile]
    warmup = 20
    seed = int(ctx.rng.integers(2**63))
    problem, sink = _sinkhorn_counts("assignment", seed, n, R, etas, cap)
    budget = 300 if newton else cap
    # KEEP_PER_ROW (10) off-diagonal Hessian entries per row. The sparsified Newton step
    # contracts at a linear rate set by the dropped plan mass against the Hessian's spectral
    # gap, and the instances where Sinkhorn is slow are those with a small gap (its own rate
    # is 1 minus that gap). With 5 per row (0.1-0.4% of the mass dropped at eta = 150) Newton
    # turned linear on about 1 instance in 100: 81 to 177 iterations, or none within 300
    # (seed 37's first instance at eta = 150); with 10 the dropped mass is under 0.05% and
    # every instance checked converges in 24-29 iterations
    keep = KEEP_PER_ROW / n
    fast = _sns_counts(problem, etas, warmup, keep=keep, newton=newton, budget=budget)
    slow_c = np.where(sink < 0, cap, sink)  # a capped Sinkhorn count is a lower bound
    both_capped = (sink < 0) & (fast < 0)  # no information: left out, and counted in the notes
    premise = (slow_c > SLOW_SINKHORN) & ~both_capped
    if not premise.any():
        raise RuntimeError("no instance needed more than 500 Sinkhorn iterations; raise eta")
    # a capped SNS count is a lower bound of its true count: taken at the budget, it can only
    # count against the claim
    fast_c = np.where(fast < 0, warmup + budget, fast)
    counts: dict[int, int] = {}
    for x, y in zip(slow_c[premise], fast_c[premise], strict=True):
        counts[int(x)] = max(counts.get(int(x), 0), int(y))  # the worst where x repeats
    x = np.array(sorted(counts))
    return Samples(
        x,
        np.array([counts[v] for v in x], dtype=float),
        constants={"k": SPEEDUP},
        x_label="Sinkhorn iterations to 1e-10",
        y_label="SNS iterations to 1e-10",
        notes={
            "sinkhorn": sink.tolist(),
            "sns": fast.tolist(),
            "n": n,
            "eta": list(etas),
            "cap": cap,
            "premise held, both capped (no information)": int(
                ((slow_c > SLOW_SINKHORN) & both_capped).sum()
            ),
        },
    )
