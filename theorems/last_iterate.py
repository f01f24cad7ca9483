r"""Last-iterate convergence of stochastic gradient methods, and why the log T is there.

**Liu & Zhou**, *Revisiting the Last-Iterate Convergence of Stochastic Gradient Methods*,
arXiv 2312.08531 (ICLR 2024). The algorithm is composite stochastic mirror descent,

.. math::  x_{t+1} = \arg\min_{x \in \mathcal X} h(x) + \langle \hat g_t, x\rangle
           + \frac{D_\psi(x, x_t)}{\eta_t},

on a general (possibly unbounded) domain, for :math:`F = f + h` with :math:`f` convex and
:math:`(L, M)`-smooth (:math:`f(x) - f(y) - \langle g(y), x - y\rangle \le \tfrac L2\|x-y\|^2
+ M\|x - y\|`: :math:`L = 0` is :math:`M/2`-Lipschitz, :math:`M = 0` is :math:`L`-smooth),
:math:`\mu_f`-strongly convex :math:`f` or :math:`\mu_h`-strongly convex :math:`h` allowed, and
an unbiased oracle with :math:`\mathbb E\|\xi_t\|_*^2 \le \sigma^2` (sub-Gaussian
:math:`\|\xi_t\|_*` for the high-probability bounds). With :math:`\psi = \tfrac12\|x\|_2^2`,
:math:`h = 0` and :math:`\mathcal X = \mathbb R^d` it is plain SGD. The last iterate satisfies:

* convex, :math:`\eta_t = \eta/\sqrt t` (Theorem 3.1, in expectation; :math:`T` unknown):

  .. math::  \mathbb E[F(x_{T+1})] - F^* = O\Big(\big(\tfrac{D}{\eta} + \eta(M^2 + \sigma^2)\big)
             \frac{\log T}{\sqrt T}\Big), \qquad D = D_\psi(x^*, x_1);

* convex and :math:`L`-smooth, :math:`\eta_t = \min\{1/(2L), \eta/\sqrt t\}`: the same theorem
  gives :math:`\tilde O(LD/T + \sigma\sqrt D/\sqrt T)`, i.e. :math:`\tilde O(1/\sqrt T)` with noise;
* :math:`\mu`-strongly convex, :math:`\eta_t = 1/(\mu t)`:
  :math:`\mathbb E[F(x_{T+1})] - F^* = O((M^2 + \sigma^2)\log T/(\mu T))`;
* with probability at least :math:`1 - \delta` under sub-Gaussian noise, the same rates with
  :math:`\sigma^2` replaced by :math:`\sigma^2\log(1/\delta)`: at a fixed :math:`T` and step the
  :math:`(1-\delta)`-quantile of the gap is at most :math:`A + B\log(1/\delta)`;
* heavy tails, :math:`\mathbb E\|\xi_t\|_*^p \le \sigma^p` with :math:`p \in (1, 2]`, convex,
  :math:`\eta_t \propto t^{-1/p}`: :math:`\mathbb E[F(x_{T+1})] - F^* = \tilde O(T^{1/p - 1})`.

Only Theorem 3.1's number could be checked against text (the ICLR 2024 reviews of the paper
discuss it by number: convex :math:`(L, M)`-smooth composite objectives on a general domain, in
expectation); the arXiv versions v1-v4 renumber, and for the strongly convex, high-probability
and heavy-tailed cases no theorem text was reachable, so those claims name the case and say the
number is not verified. No constant is encoded. The convex, smooth convex and composite claims
are judged two-sided on what their separable instances attain, the exponent -1/2 (no log factor:
that is attained only on Harvey et al.'s constructions); the strongly convex claim likewise on
the exponent -1, on a quadratic-plus-linear instance where nothing pins the iterate, so that a
step constant under 1/2 slows the rate at every horizon. Liu & Zhou's upper bound and Harvey et
al.'s lower bound on one instance are :mod:`theorems.last_iterate_sandwich`.

The heavy-tailed and high-probability claims are in :mod:`theorems.last_iterate_noise`; the
lower-bound constructions showing the :math:`\log T` is real are in
:mod:`theorems.last_iterate_tight`.
"""

from __future__ import annotations

import numpy as np

from proofs_checks import (
    AT_MOST,
    TIGHT,
    Mutant,
    PowerLaw,
    RunContext,
    Samples,
    claim,
)
from proofs_checks.grids import log_grid
from simulators.last_iterate import (
    huber_instance,
    l1_instance,
    last_iterate_values,
    step_sizes,
)
from theorems.bibliography import LIU_ZHOU

# Tolerance of the expectation-rate claims. They are upper bounds ("at most"), so only a fitted
# exponent above the bound by more than the tolerance counts against them. 0.1 is a fifth of the
# smallest gap between a claimed exponent and the failure a mutant stands for (a plateau, slope
# 0, against -1/2; t^(-1/2) against -1), and the local-slope drift that dividing out a log factor
# leaves over two decades of T (1/log T moves by about 0.05 between T = 2^8 and 2^15) stays
# inside it.
RATE_TOLERANCE = 0.1
WINDOW = (256, None)  # past the transient from x_1 (reaching the noise floor takes < 100 steps)
# What the separable instances attain: the bound's exponent -1/2 with no log factor (the last
# iterate fluctuates at scale eta_T sigma^2, e.g. E|x_T| = eta_T sigma^2/2 per coordinate of the
# l1 instance at stationarity). Two-sided, tolerance 0.05: the transient from x_1 is spent
# before the window opens (T = 256), and the fluctuation scale follows eta_T exactly.
SQRT_RATE_ATTAINED = PowerLaw(exponent=-0.5, tolerance=0.05, side=TIGHT, window=WINDOW)
LOG_REASON = (
    "the claim is judged two-sided on what this instance attains, the bound's exponent -1/2; "
    "the bound's log T is attained only by T-dimensional constructions (Harvey et al.; "
    "sgd.last_iterate.tight_convex_log_factor, sgd.last_iterate.anytime_vs_known_horizon), "
    "and Liu & Zhou's constants are not checked as a bound here (their theorem text, with the "
    "constants, could not be read)"
)
SLOW_STEP = Mutant(
    "step_power_0_4",
    "the step eta/t^0.4, just slower than the theorem's t^-1/2: the noise floor eta_T sigma^2 "
    "then decays only as T^-0.4",
    params={"power": 0.4},
)


# Single precision (simulators.single_precision), four times cheaper: normals cut at +-5.65
# (variance moved by 4e-6 relative), values rounded to 6e-8 relative, against mean gaps known
# to about 1%. Gaps are evaluated in float64; the strongly convex iterate sits near x* = -1,
# where floats are 6e-8 apart, 5e-6 of its distance to x* at T = 2^13 (about 0.011).
PRECISION = np.float32


def expectation_samples(values: np.ndarray, horizons: np.ndarray, **constants) -> Samples:
    return Samples(
        horizons,
        values,
        statistic="mean",
        constants=constants,
        x_label="steps T",
        y_label="F(x_{T+1}) - F*",
    )


# --- Liu & Zhou: convex Lipschitz ----------------------------------------------------------------

L1_DIM, L1_START, L1_ETA, NOISE = 5, 3.0, 0.5, 1.0


@claim(
    "sgd.last_iterate.convex_lipschitz",
    paper=LIU_ZHOU.theorem("Theorem 3.1 (ICLR 2024 numbering)"),
    statement=(
        "For convex Lipschitz f on an unbounded domain and the anytime step eta/sqrt(t), the last "
        "iterate of SGD satisfies E[F(x_{T+1})] - F* = O(log T / sqrt T)."
    ),
    latex=r"\mathbb E[F(x_{T+1})] - F^* = O\!\left(\frac{\log T}{\sqrt T}\right)",
    assumptions=(
        "f convex and G-Lipschitz (L = 0, M = 2G)",
        "domain R^d (unbounded), no projection",
        "unbiased oracle, E||xi||^2 <= sigma^2",
        "eta_t = eta / sqrt(t)",
    ),
    simplification=(
        "Euclidean norm, h = 0. Instance F(x) = ||x||_1 on R^5, x_1 = 3*1, Gaussian noise "
        "sigma = 1, eta = 0.5. The last iterate fluctuates at scale eta_t sigma^2, so the gap "
        "decays as T^(-1/2): the exponent of the bound is attained (its log factor is attained "
        "only by Harvey et al.'s T-dimensional instance, see sgd.last_iterate.tight_convex). "
        "Judged: " + LOG_REASON + "."
    ),
    predicted=SQRT_RATE_ATTAINED,
    mutants=[SLOW_STEP],
)
def convex_lipschitz(ctx: RunContext, power: float = 0.5) -> Samples:
    horizon = ctx.pick(2**13, 2**15)
    horizons = log_grid(16, horizon, ctx.pick(14, 18))
    subgradient, value = l1_instance()
    gaps = last_iterate_values(
        subgradient,
        value,
        np.full(L1_DIM, L1_START),
        step_sizes(horizon, "power", L1_ETA, power=power),
        horizons,
        ctx.pick(1_000, 4_000),
        ctx.rng,
        noise_scale=NOISE,
        dtype=PRECISION,
    )
    return expectation_samples(gaps, horizons, eta=L1_ETA, sigma=NOISE)


# --- Liu & Zhou: strongly convex -----------------------------------------------------------------

SC_MU = 1.0
#: f(x) = <1, x>: convex and Lipschitz (gradient norm sqrt 5, so M > 0), with a constant gradient,
#: so nothing pins the iterate the way an l1 term does; h = (mu/2)||x||^2 through its proximal
#: map. x* = -1/mu, F(x) - F* = (mu/2)||x - x*||^2 (each coordinate: f + h = s + s^2/2).
SC_SHIFT = -1.0 / SC_MU


def linear_subgradient(x: np.ndarray) -> np.ndarray:
    return np.ones_like(x)


def shifted_quadratic_gap(x: np.ndarray) -> np.ndarray:
    return 0.5 * SC_MU * ((x - SC_SHIFT) ** 2).sum(axis=1)


# The iterate of coordinate y = x - x* is y_{t+1} = (y_t - eta_t xi_t)/(1 + mu eta_t): with
# eta_t = c/(mu t) its mean contracts like t^-c and its variance settles at
# c^2 sigma^2 / (mu^2 (2c - 1) t) for c > 1/2, and at order t^-2c for c < 1/2. At c = 1 the
# expectation is exact: E[F(x_{T+1})] - F* = (d mu/2) (y_1^2 + sigma^2 T/mu^2)/(T + 1)^2, exactly
# T^-1 (no log) up to the factor T/(T+1)^2, whose local exponent is -1 - 1/T and, with
# y_1 = 1, sigma = 1, differs from -1 by less than 0.01 from T = 64 on. Two-sided, tolerance 0.05,
# window from T = 256 (the local exponent there is -0.996).
SC_RATE = PowerLaw(exponent=-1.0, tolerance=0.05, side=TIGHT, window=WINDOW)
#: c = 0.45, just under the threshold 1/2 of this instance: the gap decays as T^-0.9. From
#: x_1 = 0 the mean term (y_1^2 t^-2c) and the variance are of the same order, and the local
#: exponent (exact recursion) is -0.81 at T = 2^8 and -0.87 at 2^16: it never reaches -0.95 at
#: any horizon, so the threshold shows at every T, not only at short ones.
SC_STEP_CONSTANT_MUTANT = 0.45
# Runs: the settledness test (the window halves' slopes within 0.05) saw a difference of mean 0
# and sd 0.021-0.025 over 30 seeds at 1,000 runs (1 seed in 30 inconclusive). The iterate is a
# random walk over T divided by T + 1, so nearby horizons move together and a denser grid does
# not help (sd 0.026 with 48 window points); 2,000 runs gave sd 0.017, 2.9 sds from 0.05.
SC_RUNS = (2_000, 4_000)


@claim(
    "sgd.last_iterate.strongly_convex",
    paper=LIU_ZHOU.theorem("strongly convex case (theorem number not verified)"),
    statement=(
        "For F = f + h with f convex Lipschitz and h mu-strongly convex, and the step 1/(mu t), "
        "the last iterate of (proximal) SGD satisfies E[F(x_{T+1})] - F* = O(log T / T)."
    ),
    latex=r"\mathbb E[F(x_{T+1})] - F^* = O\!\left(\frac{(M^2 + \sigma^2)\log T}{\mu T}\right)",
    assumptions=(
        "f convex and G-Lipschitz (L = 0, M = 2G)",
        "h mu-strongly convex, handled by its proximal map",
        "unbiased oracle, E||xi||^2 <= sigma^2",
        "eta_t = 1 / (mu t)",
    ),
    simplification=(
        "Euclidean, domain R^5: f(x) = <1, x> (Lipschitz, constant gradient), h(x) = "
        "(1/2)||x||^2 (mu = 1) by its proximal map, x_1 = 0 (x* = -1), Gaussian noise "
        "sigma = 1 per coordinate, 2,000 (quick) or 4,000 (full) replicates, T to 2^13 or 2^15. "
        "Nothing pins the iterate (no l1 term), so the step constant matters at every horizon: "
        "with c/(mu t) the gap is exactly (d/2)(1 + sigma^2 T)/(T + 1)^2 at c = 1 (the "
        "exponent -1 attained, no log factor), and of order T^-2c for c < 1/2. The rate is judged "
        "two-sided on the exponent this instance attains; the bound's log T is attained only by "
        "Harvey et al.'s strongly convex construction (sgd.last_iterate.tight_strongly_convex), "
        "and Liu & Zhou's constants are not checked as a bound (their theorem text could not be "
        "read). The theorem's constant c = 1 is not this instance's threshold: any c > 1/2 gives "
        "T^-1 here (c = 0.6 has local exponent -0.94 at T = 2^8, -0.99 at 2^16)."
    ),
    predicted=SC_RATE,
    mutants=[
        Mutant(
            "step_constant_0_45",
            "step c/(mu t) with c = 0.45, just under 1/2 (mu overestimated by 2.2x): the gap "
            "decays only as T^(-2c) = T^-0.9 (local exponent -0.81 to -0.87 over the horizons)",
            params={"c": SC_STEP_CONSTANT_MUTANT},
        ),
        Mutant(
            "log_factor_attained",
            "the bound's log T / T attained on this instance (no T-dimensional construction "
            "needed for the log)",
            predicted=PowerLaw(
                exponent=-1.0, log_power=1, tolerance=0.05, side=TIGHT, window=WINDOW
            ),
        ),
    ],
)
def strongly_convex(ctx: RunContext, c: float = 1.0) -> Samples:
    horizon = ctx.pick(2**13, 2**15)
    horizons = log_grid(16, horizon, ctx.pick(14, 18))
    gaps = last_iterate_values(
        linear_subgradient,
        shifted_quadratic_gap,
        np.zeros(L1_DIM),
        step_sizes(horizon, "inverse", c / SC_MU),
        horizons,
        ctx.pick(*SC_RUNS),
        ctx.rng,
        noise_scale=NOISE,
        dtype=PRECISION,
        prox="squared",
        prox_weight=SC_MU,
    )
    return expectation_samples(gaps, horizons, mu=SC_MU, c=c, sigma=NOISE)


# --- Liu & Zhou: smooth convex -------------------------------------------------------------------

HUBER_CURVATURES, HUBER_THRESHOLD, SMOOTH_START = np.array([0.5, 1.0]), 1.0, 2.0
SMOOTHNESS = float(HUBER_CURVATURES.max())
# Horizons of the smooth claim: a dense window grid, as for the composite claim below. The
# window halves' slopes differed by 0.013 on average (the transient's trace), sd 0.023-0.029 over
# 30 seeds with the former 11 window points (1 seed in 30 inconclusive against 0.05). The
# iterate forgets its past within 1/(lambda_min eta_t) = 2 sqrt(t) steps and a horizon is free
# in the one run: 48 points over [256, 2^15] (27 steps apart at 256, 3,200 at the end) gave sd
# 0.014 over the same seeds, none inconclusive, 2.8 sds from the tolerance.
SMOOTH_WINDOW_POINTS = (48, 64)


@claim(
    "sgd.last_iterate.smooth_convex",
    paper=LIU_ZHOU.theorem("Theorem 3.1 (ICLR 2024 numbering)"),
    statement=(
        "For convex L-smooth f with additive noise and the step min(1/(2L), eta/sqrt t), the last "
        "iterate of SGD satisfies E[F(x_{T+1})] - F* = O~(1/sqrt T)."
    ),
    latex=r"\mathbb E[F(x_{T+1})] - F^* = \tilde O\!\left(\frac{LD}{T} + \frac{\sigma\sqrt D}"
    r"{\sqrt T}\right)",
    assumptions=(
        "f convex and L-smooth (M = 0), not strongly convex",
        "unbiased oracle, E||xi||^2 <= sigma^2",
        "eta_t = min(1/(2L), eta / sqrt(t))",
    ),
    simplification=(
        "Euclidean, h = 0, domain R^2. Instance: a sum of Huber functions with curvatures "
        "(0.5, 1) and threshold 1 (L = 1; linear growth far from 0, so not strongly convex), "
        "x_1 = (2, 2), additive Gaussian noise sigma = 1, eta = 1. The O~ is read as one log "
        "factor, the same as the Lipschitz case. Whether smooth convex SGD's last iterate needs "
        "the "
        "log at all is open (Garrigos, Cortild, Ketels & Peypouquet 2025, arXiv 2507.14122); "
        "judged: " + LOG_REASON + "."
    ),
    predicted=SQRT_RATE_ATTAINED,
    mutants=[
        SLOW_STEP,
        Mutant(
            "noiseless_rate",
            "the noiseless LD/T rate claimed with additive noise",
            predicted=PowerLaw(
                exponent=-1.0, log_power=1, tolerance=RATE_TOLERANCE, side=AT_MOST, window=WINDOW
            ),
        ),
    ],
)
def smooth_convex(ctx: RunContext, power: float = 0.5) -> Samples:
    # 2^15 steps in both profiles: at 2^13 the transient from x_1 (faster-than-asymptotic
    # decay at the head of the window) still moved the local slope by more than the tolerance
    # on a few seeds in 50 (inconclusive, never wrong).
    horizon = 2**15
    start = WINDOW[0]
    horizons = np.union1d(
        log_grid(16, start, 5), log_grid(start, horizon, ctx.pick(*SMOOTH_WINDOW_POINTS))
    )
    subgradient, value = huber_instance(HUBER_CURVATURES, HUBER_THRESHOLD)
    eta = 1.0
    gaps = last_iterate_values(
        subgradient,
        value,
        np.full(HUBER_CURVATURES.size, SMOOTH_START),
        step_sizes(horizon, "power", eta, power=power, cap=1 / (2 * SMOOTHNESS)),
        horizons,
        ctx.pick(1_000, 4_000),
        ctx.rng,
        noise_scale=NOISE,
        dtype=PRECISION,
    )
    return expectation_samples(gaps, horizons, L=SMOOTHNESS, sigma=NOISE)


# --- Liu & Zhou: composite -----------------------------------------------------------------------

COMPOSITE_CENTER, COMPOSITE_WEIGHT = 1.0, 2.0
# Horizons of the composite claim: a few before the window (the transient, for the figure), and
# a dense geometric grid inside it. Why dense: near x* = 0 each coordinate is a walk with drift
# -eta_t (x > 0) or +3 eta_t (x < 0) toward 0, noise of sd eta_t sigma and a soft threshold of
# width 2 eta_t, so it lives at scale eta_t and forgets its past within a few steps (the
# correlation of F(x_T) and F(x_{T+k}) across runs falls under 0.1 by k = 4 and to 0 by k = 8).
# Horizons 9 or more steps apart therefore give nearly independent gaps within one run: a denser
# grid adds independent information at no extra simulation. The per-replicate gap has a relative
# sd of about 1.25 (a third of coordinates sit exactly at 0), so 1,000 replicates leave 4% noise
# at each horizon; the settledness test compares the slopes of the window's two halves, whose
# difference over 8 points (the former 14-point grid) had sd about 0.04, against the tolerance
# 0.05: inconclusive on 4 seeds in 10. With n points a half over log-range R_h, the difference
# has variance 24 s^2 / (n R_h^2) (s = 0.04, R_h = ln 32 / 2 quick): n = 48 a half brings its sd
# to 0.016, a third of the tolerance; 96 points over [256, 8192] are 9.5 steps apart at the
# window's start, past the correlation time. (Full: s = 0.02 with 4,000 replicates and
# R_h = ln 128 / 2, so 64 points already give sd 0.006.)
COMPOSITE_WINDOW_POINTS = (96, 64)


@claim(
    "sgd.last_iterate.composite",
    paper=LIU_ZHOU.theorem("Theorem 3.1 (ICLR 2024 numbering)"),
    statement=(
        "For a composite objective F = f + h with f convex Lipschitz, h convex and handled by its "
        "proximal map, the last iterate of proximal SGD with step eta/sqrt(t) satisfies "
        "E[F(x_{T+1})] - F* = O(log T / sqrt T), the same rate as h = 0."
    ),
    latex=r"x_{t+1} = \operatorname{prox}_{\eta_t h}(x_t - \eta_t \hat g_t), \quad "
    r"\mathbb E[F(x_{T+1})] - F^* = O\!\left(\frac{\log T}{\sqrt T}\right)",
    assumptions=(
        "f convex and Lipschitz, h convex with a computable proximal map",
        "unbiased oracle for f only, E||xi||^2 <= sigma^2",
        "eta_t = eta / sqrt(t)",
    ),
    simplification=(
        "Euclidean, domain R^5: f(x) = ||x - 1||_1, h(x) = 2||x||_1 (soft threshold), so "
        "x* = 0 is set by h (F* = 5); x_1 = 3*1, Gaussian noise sigma = 1, eta = 0.5. Judged: "
        + LOG_REASON
        + "."
    ),
    predicted=SQRT_RATE_ATTAINED,
    mutants=[
        SLOW_STEP,
        Mutant(
            "prox_dropped",
            "h left out of the update (plain SGD on f): the iterate goes to argmin f, not x*",
            params={"prox": "none"},
        ),
    ],
)
def composite(ctx: RunContext, power: float = 0.5, prox: str = "l1") -> Samples:
    horizon = ctx.pick(2**13, 2**15)
    start = WINDOW[0]
    horizons = np.union1d(
        log_grid(16, start, 5), log_grid(start, horizon, ctx.pick(*COMPOSITE_WINDOW_POINTS))
    )
    center, weight = COMPOSITE_CENTER, COMPOSITE_WEIGHT
    subgradient, f_value = l1_instance(center)

    def gap(x: np.ndarray) -> np.ndarray:
        # F* = F(0) = d * center: on [0, center] F has slope weight - 1 > 0 per coordinate
        return f_value(x) + weight * np.abs(x).sum(axis=1) - L1_DIM * center

    gaps = last_iterate_values(
        subgradient,
        gap,
        np.full(L1_DIM, L1_START),
        step_sizes(horizon, "power", L1_ETA, power=power),
        horizons,
        ctx.pick(1_000, 4_000),
        ctx.rng,
        noise_scale=NOISE,
        dtype=PRECISION,
        prox=prox,
        prox_weight=weight,
    )
    return expectation_samples(gaps, horizons, eta=L1_ETA, sigma=NOISE)
