r"""Polyak's step on convex Lipschitz functions: :math:`\min_{t<T} f(x_t) - f^* \le G D/\sqrt T`.

Polyak, *Introduction to Optimization* (1987); the bound is **recalled, not read** there (it is
restated by Hazan & Kakade 2019), and its three-line proof is ours: with
:math:`\eta_t = (f(x_t) - f^*)/\|g_t\|^2` and convexity,
:math:`\|x_{t+1} - x^*\|^2 \le \|x_t - x^*\|^2 - (f(x_t) - f^*)^2/\|g_t\|^2`, so
:math:`\sum_{t<T} (f(x_t) - f^*)^2 \le G^2 D^2` and

.. math::  \min_{t<T} f(x_t) - f^* \le \frac{G\,D}{\sqrt T},
           \qquad G = \max_{t<T}\|g_t\|,\; D = \mathrm{dist}(x_0, \arg\min f).

A sharp instance (the notes' :math:`\|Ax - b\|_1`) never comes near it: Polyak's step
converges linearly there. The attaining instance is ours, after Nesterov's resisting
max-type function: for horizon T, :math:`f(x) = G\max(0, x_1, \dots, x_T)` in
:math:`\mathbb R^T` from :math:`x_0 = (D/\sqrt T)\mathbf 1`, the oracle returning
:math:`G e_i` for the first maximal index. Every inequality in the proof is then an equality
(f is linear between each iterate and the minimiser it heads for, and each step zeroes one
coordinate), so :math:`f(x_t) - f^* = GD/\sqrt T` for every :math:`t < T`: the bound holds
with equality at every T. Not sharp uniformly in T: its sharpness constant is
:math:`G/\sqrt T`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from proofs_checks import Bound, Mutant, RunContext, Samples, claim
from simulators.polyak import l1_regression_instance, max_type_instance, normalised_best_gaps
from theorems.bibliography import POLYAK_1987

T, G, D = sp.symbols("T G D", positive=True)
POLYAK_BOUND = G * D / sp.sqrt(T)
PREDICTION = Bound(
    expression=POLYAK_BOUND,
    x=T,
    symbols={"T": "subgradient evaluations", "G": "max_t ||g_t||", "D": "dist(x_0, argmin f)"},
)


@claim(
    "polyak.step.bounds",
    paper=POLYAK_1987.theorem("Polyak's step-size bound (recalled, not read; proof ours)"),
    statement=(
        "The subgradient method with Polyak's step (f(x_t) - f*)/||g_t||^2 satisfies "
        "min_{t<T} f(x_t) - f* <= G D / sqrt(T) on convex functions, G the largest subgradient "
        "norm met, D = dist(x_0, argmin f); attained with equality at every T by "
        "G max(0, x_1, ..., x_T) with a resisting oracle (an instance of ours)."
    ),
    latex=rf"\min_{{t<T}} f(x_t) - f^* \le {sp.latex(POLYAK_BOUND)}",
    assumptions=("f convex", "f* known exactly", "subgradient norms at most G along the run"),
    simplification=(
        "The worst, per T, over two instances, each normalised to G D = 1: the max-type "
        "function in R^T (the attaining instance) and ||Ax - b||_1 with A 40 x 10 Gaussian "
        "(sharp: linear convergence). Deterministic, so the bound is judged exactly."
    ),
    predicted=PREDICTION,
    mutants=[
        Mutant(
            "misspecified_optimum",
            "Polyak's step told f* + 0.05 (f(x_0) - f*): the bound claimed with a wrong "
            "optimal value (the method stalls at the level it is told)",
            params={"offset": 0.05},
        ),
        Mutant(
            "sharp_rate_for_all",
            "the 1/T rate Polyak's step reaches on smooth or sharp functions read as a bound "
            "for every convex Lipschitz function: G D / T",
            predicted=PREDICTION.with_expression(G * D / T),
        ),
    ],
)
def polyak_nonsmooth_bound(ctx: RunContext, offset: float = 0.0) -> Samples:
    # Horizons 4..3000 (20000 full), twelve points: the attaining instance is exact at every T,
    # so the horizons only have to reach the regime where a misspecified f* shows: with offset
    # 0.05 f(x_0) the gap on ||Ax - b||_1 stalls near 0.05 f(x_0), above G D/sqrt(T) once
    # sqrt(T) exceeds about 20 G D / f(x_0), a few hundred evaluations.
    horizons = np.unique(np.geomspace(4, ctx.pick(3_000, 20_000), 12).astype(int))
    sharp = l1_regression_instance(40, 10, ctx.rng)
    sharp_offset = offset * (sharp.value(sharp.start) - sharp.optimum)
    worst = normalised_best_gaps(sharp, horizons, sharp_offset)
    attaining = np.empty(len(horizons))
    for i, horizon in enumerate(horizons):
        instance = max_type_instance(int(horizon))
        told = offset * (instance.value(instance.start) - instance.optimum)
        attaining[i] = normalised_best_gaps(instance, np.array([horizon]), told)[0]
    return Samples(
        horizons,
        np.maximum(worst, attaining),
        constants={"G": 1.0, "D": 1.0},
        x_label="subgradient evaluations T",
        y_label="max over instances of min_{t<T} (f(x_t) - f*) / (G D)",
        notes={
            "max-type instance, min gap * sqrt(T) / (G D)": list(attaining * np.sqrt(horizons)),
            "||Ax - b||_1, min gap * sqrt(T) / (G D)": list(worst * np.sqrt(horizons)),
        },
    )
