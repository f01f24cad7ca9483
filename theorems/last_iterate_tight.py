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

and, for the convex construction, the average of the last :math:`k` iterates has
:math:`f - f^* \ge (\ln T - \ln k)/(32 c\sqrt T)`, while the suffix average of the last
:math:`T/2` iterates is :math:`O(1/\sqrt T)` (resp. :math:`O(1/T)`, Theorem 3.7).

The convex construction's value is exactly computable from the closed form in :math:`O(T)`:
:math:`\sqrt T f(x_{T+1}) = \tfrac{3}{64}(\ln T + 1)` within 0.5% for :math:`T = 2^6 \dots 2^{22}`
(and :math:`\tfrac{3}{64}(\ln T - \ln k + 1)` for the average of the last :math:`k`): the
:math:`\log T` is attained with slope :math:`3/64`, 1.5 times the proven :math:`1/32`, which is
why the two convex lower bounds are declared loose (a near bound 1.5 B is true on this
construction) and why the log factor itself is checked on the increments of
:math:`\sqrt T f(x_{T+1})` out to :math:`T = 2^{24}`.

Since :math:`f^* \le f(0) = 0`, :math:`f(x_{T+1})` itself is checked
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
from simulators.harvey import CONVEX_LOWER_BOUND, STRONGLY_CONVEX_LOWER_BOUND, SYMBOLS, T, c
from theorems.bibliography import HARVEY

# --- the lower bounds, each written once (with the construction, in simulators.harvey) ---------


def powers_of_two(lo: int, hi: int) -> np.ndarray:
    return 2 ** np.arange(lo, hi + 1)


#: Why the convex lower bounds are loose. The construction is the paper's; its value is exact
#: (deterministic), and it is affine in log T with slope 3/64, 1.5 times the proven 1/32.
CONSTANT_REASON = (
    "the bound is judged on the construction it is proved for, and that construction's exact "
    "value is (3/64)(log T + 1)/sqrt T within 0.5% (closed form, T = 2^6 ... 2^22; see "
    "sgd.last_iterate.tight_convex_log_factor): the paper's constant 1/32 is 1.5 times below it "
    "in the limit, so the near bound 1.5 B is true on every T and no check on this instance can "
    "refute it; min y/B falls from 1.87 (T = 2^6) toward 1.5 (1.60 at T = 2^22)"
)


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
    loose=CONSTANT_REASON,
    predicted=Bound(expression=CONVEX_LOWER_BOUND, x=T, side=AT_LEAST, symbols=SYMBOLS),
    mutants=HARVEY_MUTANTS,
)
def tight_convex(ctx: RunContext, tie: str = "min", report: str = "last") -> Samples:
    return harvey_samples(ctx, "convex", tie, report)


@functools.lru_cache(maxsize=64)
def scaled_last_value(horizon: int) -> float:
    """sqrt(T) f(x_{T+1}) from the paper's closed form (O(T); equal to the run to 1e-12)."""
    return float(np.sqrt(horizon) * harvey.closed_form_last_value(horizon, "convex", STEP_CONSTANT))


def log_increments(ctx: RunContext) -> Samples:
    """The growth of sqrt(T) f(x_{T+1}) per doubling of T, T = 2^8 ... 2^21 (2^24 in full)."""
    exponents = np.arange(8, ctx.pick(21, 24) + 1)
    scaled = np.array([scaled_last_value(2 ** int(e)) for e in np.concatenate(([7], exponents))])
    increments = np.diff(scaled)  # sqrt(T) f(x_{T+1}) - sqrt(T/2) f(x_{T/2+1})
    slope = increments[-1] / np.log(2)
    return Samples(
        2**exponents,
        increments,
        x_label="steps T (= dimension)",
        y_label="increment of sqrt(T) f(x_{T+1}) per doubling of T",
        notes={
            "slope in log T at the largest T": round(float(slope), 6),
            "3/64": 3 / 64,
            "the paper's constant 1/32": 1 / 32,
        },
    )


# Alternatives the increments separate. If sqrt(T) f(x_{T+1}) = A (log T)^p, the increment per
# doubling is ~ A p log 2 (log T)^(p-1): exponent 0 in T exactly when p = 1. log^2 T makes the
# increments grow like log T (a local exponent 1/log T = 0.07 to 0.18 over T = 2^8 ... 2^21);
# a pure power T^-0.36 (no log) makes them grow like T^0.14.
LOG_SQUARED = PowerLaw(exponent=0.0, log_power=1, tolerance=0.05, side=TIGHT)
PURE_POWER = PowerLaw(exponent=0.14, tolerance=0.05, side=TIGHT)


@claim(
    "sgd.last_iterate.tight_convex_log_factor",
    paper=HARVEY.theorem("Theorem 3.5"),
    statement=(
        "On the same construction f(x_{T+1}) decays exactly as log T / sqrt T: sqrt(T) f(x_{T+1}) "
        "is affine in log T, so it grows by a constant per doubling of T (one power of log T, "
        "not a pure power of T and not log^2 T), and the log factor of the upper bound is "
        "attained."
    ),
    latex=r"\sqrt{T}\,f(x_{T+1}) - \sqrt{T/2}\,f(x_{T/2+1}) \asymp T^{0}",
    assumptions=("as sgd.last_iterate.tight_convex",),
    simplification=(
        "c = 1; the iterates are the paper's closed form (Section 6), equal to the projected "
        "run to 1e-12 (tests/test_last_iterate.py), which costs O(T) per horizon instead of "
        "O(T^2), so T reaches 2^21 (quick) or 2^24 (full): over that span log T / sqrt T and "
        "a pure power of T separate. The tested quantity is the log power, through the "
        "increments of sqrt(T) f(x_{T+1}) per doubling of T: constant (exponent 0 in T) if and "
        "only if the log power is 1. The data are deterministic; the tolerance 0.05 covers the "
        "pre-asymptotic rise of the increments (0.0642 to 0.0650 per two doublings, a local "
        "exponent below 0.01 from T = 2^8 on) and lies under the local exponent of log^2 T "
        "(at least 0.07 over the window)."
    ),
    predicted=PowerLaw(exponent=0.0, tolerance=0.05, side=TIGHT),
    mutants=[
        Mutant(
            "log_squared",
            "f(x_{T+1}) ~ log^2 T / sqrt T: increments growing like log T",
            predicted=LOG_SQUARED,
        ),
        Mutant(
            "pure_power_no_log",
            "f(x_{T+1}) ~ T^-0.36 with no log factor (the exponent a fit over T <= 2^14 gives)",
            predicted=PURE_POWER,
        ),
    ],
)
def tight_convex_log_factor(ctx: RunContext) -> Samples:
    return log_increments(ctx)


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


# --- Harvey et al.: averages of the last k iterates ---------------------------------------------

k = sp.Symbol("k", positive=True, integer=True)
#: Theorem 3.5, averages: f(mean of x_{T+2-k}..x_{T+1}) - f^* >= (ln T - ln k)/(32 c sqrt T).
SUFFIX_LOWER_BOUND = (sp.log(T) - sp.log(k)) / (32 * c * sp.sqrt(T))
SUFFIX_SYMBOLS = {**SYMBOLS, "k": "number of last iterates averaged"}


def suffix_average_values(horizon: int, suffixes: np.ndarray) -> np.ndarray:
    """f at the uniform average of the last k iterates, for every k in ``suffixes``.

    The iterates are the paper's closed form, summed from x_{T+1} backwards, so all k cost
    one pass of O(T max k).
    """
    a, b = harvey.coefficients(horizon, "convex", STEP_CONSTANT)
    wanted = {int(s) for s in suffixes}
    total = np.zeros(horizon)
    values = {}
    for count, t in enumerate(range(horizon + 1, horizon + 1 - max(wanted), -1), start=1):
        total += harvey.closed_form_iterate(horizon, t, "convex", STEP_CONSTANT)
        if count in wanted:
            values[count] = harvey.objective(total / count, "convex", a, b)
    return np.array([values[int(s)] for s in suffixes])


@claim(
    "sgd.suffix_average.log_k",
    paper=HARVEY.theorem("Theorem 3.5 (averages of the last k iterates)"),
    statement=(
        "On Harvey et al.'s T-dimensional construction (step c/sqrt(t)), the uniform average "
        "of the last k iterates has f - f* >= (ln T - ln k)/(32 c sqrt T) for every k: "
        "averaging the last k iterates removes only ln k of the last iterate's ln T."
    ),
    latex=rf"f\Big(\tfrac1k\textstyle\sum_{{t=T+2-k}}^{{T+1}} x_t\Big) - f^* \ge "
    rf"{sp.latex(SUFFIX_LOWER_BOUND)}",
    assumptions=("as sgd.last_iterate.tight_convex", "1 <= k <= T"),
    simplification=(
        "c = 1, T = 2^12 (quick) or 2^14 (full), k = 1, 2, 4, ..., T/2; the iterates are the "
        "paper's closed form (equal to the run to 1e-12). f itself is checked (f* <= f(0) = 0)."
    ),
    loose=CONSTANT_REASON.replace("(3/64)(log T + 1)/sqrt T", "(3/64)(ln T - ln k + 1)/sqrt T")
    .replace("T = 2^6 ... 2^22", "k = 1 ... T/2")
    .replace("; min y/B falls from 1.87 (T = 2^6) toward 1.5 (1.60 at T = 2^22)", ""),
    predicted=Bound(expression=SUFFIX_LOWER_BOUND, x=k, side=AT_LEAST, symbols=SUFFIX_SYMBOLS),
    mutants=[
        Mutant(
            "last_iterate_bound_for_every_average",
            "the last iterate's ln T/(32 c sqrt T) claimed for every suffix average (the ln k "
            "dropped): averaging would then never help",
            predicted=Bound(
                expression=CONVEX_LOWER_BOUND, x=k, side=AT_LEAST, symbols=SUFFIX_SYMBOLS
            ),
        ),
        Mutant(
            "half_log_k_removed",
            "averaging credited with removing only half of ln k: (ln T - ln(k)/2)/(32 c sqrt T)",
            predicted=Bound(
                expression=SUFFIX_LOWER_BOUND.subs(sp.log(k), sp.log(k) / 2),
                x=k,
                side=AT_LEAST,
                symbols=SUFFIX_SYMBOLS,
            ),
        ),
    ],
)
def suffix_average_log_k(ctx: RunContext) -> Samples:
    horizon = 2 ** ctx.pick(12, 14)
    suffixes = 2 ** np.arange(0, int(np.log2(horizon)))  # k = 1 ... T/2
    return Samples(
        suffixes,
        suffix_average_values(horizon, suffixes),
        constants={"T": horizon, "c": STEP_CONSTANT},
        x_label="k (last iterates averaged)",
        y_label="f(average of the last k iterates)",
    )


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
