r"""The last iterate of SGD needs its log T: Harvey et al.'s tight constructions.

**Harvey, Liaw, Plan & Randhawa**, *Tight analyses for non-smooth stochastic gradient descent*,
arXiv 1812.05217v1 (COLT 2019), show the :math:`\log T` cannot be removed for the last iterate.
For every :math:`T` there is a function on the unit ball of :math:`\mathbb R^T` and a
deterministic subgradient oracle (minimum-index tie-breaking) such that projected gradient
descent from :math:`x_1 = 0` satisfies

* Theorem 3.5 (1-Lipschitz convex, :math:`\eta_t = c/\sqrt t`, Section 6):
  :math:`f(x_{T+1}) - f^* \ge \log T/(32 c\sqrt T)`;
* Theorem 3.4 (1-strongly convex, 3-Lipschitz, :math:`\eta_t = 1/t`, Section 5):
  :math:`f(x_{T+1}) - f^* \ge \log T/(4T)`;

while the suffix average of the last :math:`T/2` iterates is :math:`O(1/\sqrt T)` (resp.
:math:`O(1/T)`, Theorem 3.7). Since :math:`f^* \le f(0) = 0`, :math:`f(x_{T+1})` itself is checked
against the bound (a lower bound on it is a lower bound on the gap). The constructions are
:mod:`simulators.harvey`; its iterates equal the paper's closed forms (Lemma 5.4 and Section 6) to
1e-12, see ``tests/test_last_iterate.py``.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from proofs_checks import (
    AT_LEAST,
    TIGHT,
    Bound,
    Mutant,
    PowerLaw,
    RunContext,
    Samples,
    claim,
)
from simulators import harvey
from theorems.bibliography import HARVEY

# --- the lower bounds, each written once --------------------------------------------------------

T, c = sp.symbols("T c", positive=True)
SYMBOLS = {"T": "steps (= dimension)", "c": "step constant, eta_t = c/sqrt(t)"}
#: Theorem 3.5: f(x_{T+1}) - f^* >= log T / (32 c sqrt T) (convex, eta_t = c/sqrt t).
CONVEX_LOWER_BOUND = sp.log(T) / (32 * c * sp.sqrt(T))
#: Theorem 3.4: f(x_{T+1}) - f^* >= log T / (4 T) (strongly convex, eta_t = 1/t).
STRONGLY_CONVEX_LOWER_BOUND = sp.log(T) / (4 * T)


def powers_of_two(lo: int, hi: int) -> np.ndarray:
    return 2 ** np.arange(lo, hi + 1)


# --- Harvey et al.: the log T is real ------------------------------------------------------------

STEP_CONSTANT = 1.0  # Theorem 3.5 states c = 1; Section 6 allows any c >= 1


@functools.lru_cache(maxsize=64)
def harvey_values(horizon: int, kind: str, tie: str) -> tuple[float, float]:
    """f at the last iterate and at the suffix average of one deterministic run.

    Cached: the runs are deterministic, and the claim, its suffix-average mutant and the
    log-factor claim read the same runs.
    """
    run = harvey.run(horizon, kind, STEP_CONSTANT, tie=tie)
    return run.f_last, run.f_suffix


def harvey_samples(ctx: RunContext, kind: str, tie: str, report: str) -> Samples:
    """f at the last iterate (or at the suffix average) of one run per horizon T."""
    if report not in ("last", "suffix_average"):
        raise ValueError(f"report must be 'last' or 'suffix_average', got {report!r}")
    horizons = powers_of_two(6, ctx.pick(12, 14))
    # one deterministic run per T: the function itself depends on T
    values = [harvey_values(int(T), kind, tie)[0 if report == "last" else 1] for T in horizons]
    return Samples(
        horizons,
        np.array(values),
        constants={"c": STEP_CONSTANT},
        x_label="steps T (= dimension)",
        y_label="f(x_{T+1})" if report == "last" else "f(suffix average)",
    )


HARVEY_MUTANTS = [
    Mutant(
        "max_index_ties",
        "the oracle breaks ties by the maximum index: the construction's slow path is lost",
        params={"tie": "max"},
    ),
    Mutant(
        "suffix_average_reported",
        "the suffix average of the last T/2 iterates reported as the last iterate",
        params={"report": "suffix_average"},
    ),
]


@claim(
    "sgd.last_iterate.tight_convex",
    paper=HARVEY.theorem("Theorem 3.5"),
    statement=(
        "On Harvey et al.'s T-dimensional 1-Lipschitz convex function with the minimum-index "
        f"oracle, projected GD with step c/sqrt(t) has f(x_{{T+1}}) - f* >= {CONVEX_LOWER_BOUND} "
        "at every T."
    ),
    latex=rf"f(x_{{T+1}}) - f^* \ge {sp.latex(CONVEX_LOWER_BOUND)}",
    assumptions=(
        "X = Euclidean unit ball of R^T, x_1 = 0",
        "deterministic oracle returning h_i with i the minimum active index",
        "eta_t = c / sqrt(t), c >= 1",
    ),
    simplification=(
        "c = 1, T = 2^6 ... 2^12 (quick) or 2^14 (full); f(x_{T+1}) is checked, which is at "
        "most the gap since f* <= f(0) = 0."
    ),
    loose=(
        "pending rework: the data lie 1.68 times above the lower bound (min y/B 1.68): a lower "
        "bound 1.6 times larger is confirmed too"
    ),
    predicted=Bound(expression=CONVEX_LOWER_BOUND, x=T, side=AT_LEAST, symbols=SYMBOLS),
    mutants=HARVEY_MUTANTS,
)
def tight_convex(ctx: RunContext, tie: str = "min", report: str = "last") -> Samples:
    return harvey_samples(ctx, "convex", tie, report)


@claim(
    "sgd.last_iterate.tight_convex_log_factor",
    paper=HARVEY.theorem("Theorem 3.5"),
    statement=(
        "On the same construction f(x_{T+1}) decays exactly as log T / sqrt T: f(x_{T+1}) sqrt T "
        "grows linearly in log T, so the log factor of the upper bound is attained."
    ),
    latex=r"f(x_{T+1}) \asymp \frac{\log T}{\sqrt T}",
    assumptions=("as sgd.last_iterate.tight_convex",),
    simplification=(
        "Deterministic runs, c = 1; the fitted exponent is that of f(x_{T+1}) / log T. The "
        "tolerance 0.05 is below the local slope a missing log factor adds (1/log T >= 0.1 "
        "for T <= 2^14), so 'no log factor' is a refutable alternative, and above the drift of "
        "the ratio to log T / (32 sqrt T) (1.83 at T = 100 to 1.65 at 2^14: slope -0.02)."
    ),
    predicted=PowerLaw(exponent=-0.5, log_power=1, tolerance=0.05, side=TIGHT),
    mutants=[
        Mutant(
            "no_log_factor",
            "f(x_{T+1}) ~ 1/sqrt T claimed, the rate of the suffix average",
            predicted=PowerLaw(exponent=-0.5, log_power=0, tolerance=0.05, side=TIGHT),
        ),
        HARVEY_MUTANTS[1],
    ],
)
def tight_convex_log_factor(ctx: RunContext, report: str = "last") -> Samples:
    return harvey_samples(ctx, "convex", "min", report)


@claim(
    "sgd.last_iterate.tight_convex_suffix_average",
    paper=HARVEY.theorem("Theorem 3.5 (averages of the last k iterates)"),
    statement=(
        "On the same construction the average of the last T/2 iterates decays as 1/sqrt T, "
        "without the log factor: the log T belongs to the last iterate, not to the method."
    ),
    latex=r"f\Big(\tfrac{1}{k}\textstyle\sum_{t=T+2-k}^{T+1} x_t\Big) \asymp \frac{1}{\sqrt T},"
    r"\quad k = \lceil T/2 \rceil",
    assumptions=("as sgd.last_iterate.tight_convex",),
    simplification=(
        "The paper proves the lower bound (ln T - ln k)/(32 c sqrt T) for averages of the last "
        "k iterates (a constant times 1/sqrt T at k = T/2); the matching O(1/sqrt T) is the "
        "classical guarantee for averaged iterates, not a theorem of this paper. The check fits "
        "the exponent of f at the suffix average: c = 1, deterministic runs, tolerance 0.05 as "
        "in tight_convex_log_factor."
    ),
    predicted=PowerLaw(exponent=-0.5, tolerance=0.05, side=TIGHT),
    mutants=[
        Mutant(
            "log_factor_claimed",
            "the last iterate's log T / sqrt T claimed for the suffix average",
            predicted=PowerLaw(exponent=-0.5, log_power=1, tolerance=0.05, side=TIGHT),
        ),
        Mutant(
            "last_iterate_reported",
            "the last iterate reported instead of the suffix average",
            params={"report": "last"},
        ),
    ],
)
def tight_convex_suffix_average(ctx: RunContext, report: str = "suffix_average") -> Samples:
    return harvey_samples(ctx, "convex", "min", report)


@claim(
    "sgd.last_iterate.tight_strongly_convex",
    paper=HARVEY.theorem("Theorem 3.4"),
    statement=(
        "On Harvey et al.'s T-dimensional 1-strongly convex, 3-Lipschitz function with the "
        "minimum-index oracle, projected GD with step 1/t has "
        f"f(x_{{T+1}}) - f* >= {STRONGLY_CONVEX_LOWER_BOUND} at every T."
    ),
    latex=rf"f(x_{{T+1}}) - f^* \ge {sp.latex(STRONGLY_CONVEX_LOWER_BOUND)}",
    assumptions=(
        "X = Euclidean unit ball of R^T, x_1 = 0",
        "deterministic oracle returning h_i + x with i the minimum active index",
        "eta_t = 1 / t",
    ),
    simplification=(
        "T = 2^6 ... 2^12 (quick) or 2^14 (full); f(x_{T+1}) is checked (f* <= f(0) = 0)."
    ),
    predicted=Bound(expression=STRONGLY_CONVEX_LOWER_BOUND, x=T, side=AT_LEAST, symbols=SYMBOLS),
    mutants=HARVEY_MUTANTS,
)
def tight_strongly_convex(ctx: RunContext, tie: str = "min", report: str = "last") -> Samples:
    return harvey_samples(ctx, "strongly_convex", tie, report)
