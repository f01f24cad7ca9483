r"""Liu & Zhou's upper bound and Harvey et al.'s lower bound on one noisy instance.

**Liu & Zhou** (arXiv 2312.08531, ICLR 2024; Theorem 3.1 in the ICLR numbering) bound the last
iterate of SGD with the anytime step :math:`\eta/\sqrt t` on a convex :math:`(0, M)`-smooth
(Lipschitz) objective, with noise of variance :math:`\sigma^2`, by

.. math::  \mathbb E[F(x_{T+1})] - F^* = O\Big(\big(\tfrac{D}{\eta} + \eta(M^2 + \sigma^2)\big)
           \frac{1 + \log T}{\sqrt T}\Big), \qquad D = \tfrac12\|x^* - x_1\|^2,

the shape the colleagues' reading of the paper gives; the theorem's own text, with its absolute
constant, could not be read (the stored page of arXiv 2312.08531v3 gives the abstract only), so
no constant of the upper bound is encoded. **Harvey, Liaw, Plan & Randhawa** (arXiv
1812.05217v1, Theorem 3.5) prove :math:`f(x_{T+1}) - f^* \ge \log T/(32 c\sqrt T)` for the step
:math:`c/\sqrt t` on their :math:`T`-dimensional construction with the minimum-index oracle.

**Noise and the ties.** Harvey's construction needs exact ties among its pieces at every iterate
(the oracle's minimum-index rule is what steers the path). Noise entering the construction's own
coordinates breaks them: with :math:`\xi_t \sim N(0, \sigma^2 I_T/T)` the last iterate loses the
log factor (:math:`\sqrt T f(x_{T+1})` is about 0.09 to 0.10 for :math:`T = 2^6 \dots 2^{10}` at
:math:`\sigma = 0.01`, and 0.16 at :math:`T = 2^{10}`, :math:`\sigma = 0.25`, against the
noiseless :math:`\tfrac{3}{64}(\ln T + 1)`, 0.24 to 0.37). So the noisy instance on which both
bounds hold and the log is attained adds the noise on a coordinate of its own:

.. math::  F(x, z) = f_H(x) + \tfrac12 z^2 \quad\text{on } B_T \times [-1, 1], \qquad
           \hat g_t = \big(h_{i'}(x_t),\ z_t + \sigma\zeta_t\big),

with :math:`\zeta_t \sim N(0, 1)`: convex, :math:`\sqrt 2`-Lipschitz on the domain
(:math:`M = 2\sqrt 2`), noise variance :math:`\sigma^2`, :math:`x_1 = 0`, :math:`z_1 = 0`,
:math:`D \le 1/2`, projection on the product domain (the construction's iterates never leave the
ball). The added part is smooth on purpose: with :math:`|z|` the sign subgradient alone makes the
iterate zigzag at amplitude :math:`\eta_t` whatever the noise (measured: :math:`\sqrt T\,
\mathbb E|z_{T+1}| \approx 0.52` at :math:`\sigma = 0.25`, against the noise floor's 0.03), a
floor that hides the log factor and owes nothing to the noise. Its gap is
:math:`f_H(x_{T+1}) - f_H^* + \tfrac12 z_{T+1}^2`, at least
:math:`y_T = f_H(x_{T+1}) + \tfrac12 z_{T+1}^2` since
:math:`f_H^* \le f_H(0) = 0`: Harvey's bound holds for :math:`y_T` (its :math:`f_H` part alone
meets it) and Liu & Zhou's for the gap, so :math:`y_T` is sandwiched. Its expectation is
:math:`(\tfrac{3}{64}(\ln T + 1) + \tfrac{c\sigma^2}{4} + o(1))/\sqrt T` (:math:`f_H` from the
paper's closed form, the :math:`z` part at its noise floor :math:`\eta_T\sigma^2/4`): the upper
bound's shape :math:`\log T/\sqrt T` is attained, with the lower bound's order.
"""

from __future__ import annotations

import functools

import numpy as np

from proofs_checks import AT_LEAST, TIGHT, Bound, Mutant, PowerLaw, RunContext, Samples, claim
from simulators import harvey
from simulators.harvey import CONVEX_LOWER_BOUND, SYMBOLS, T
from simulators.last_iterate import step_sizes
from simulators.quadratic_block import quadratic_box_values
from theorems.bibliography import LIU_ZHOU

STEP_CONSTANT = 1.0  # eta_t = c/sqrt(t), c = 1: Harvey's Theorem 3.5 and Liu & Zhou's eta = 1
#: Noise on the added coordinate. Its floor c sigma^2/4 = 0.031 (z^2/2 with step eta has
#: stationary variance eta sigma^2/(2 - eta)) is two thirds of the construction's log slope 3/64:
#: noise of the order of the effect, not so large that the constant term hides the log factor at
#: the horizons run (see SANDWICH_RATE).
SIGMA = 0.35
#: D = (1/2)||x* - x_1||^2 <= 1/2 (x* in the unit ball, z* = 0 = z_1); M = 2 G, G = sqrt 2.
DISTANCE, LIPSCHITZ_M = 0.5, 2 * np.sqrt(2.0)
#: In-block noise costs O(R T^2). With the noise inside, sqrt(T) E f stays near 0.20-0.21 (the
#: log factor is lost) while the bound's sqrt(T) B = ln T/32 keeps growing, so the margin the
#: refutation has grows with ln T: at T = 2^10 mean y/B is 0.93 (per-run sd 0.0136, runs with
#: ties kept longer up to 0.021), and 40 runs left the upper band over the bound on about 1 seed
#: in 150. At T = 2^11 mean y/B is 0.886, a margin about twice as wide (0/150 seeds with 20
#: runs), for the run's cost 4 T^2: so the mutant runs every other power, 2^7, 2^9, 2^11, on 20
#: runs (1.6 times the cost of 40 runs of 2^6 ... 2^10).
IN_BLOCK_HORIZONS = 2 ** np.arange(7, 12, 2)
IN_BLOCK_REPLICATES = 20

# What the sandwich checks: E y_T ~ log T / sqrt T, two-sided, the log divided out because this
# instance attains it. With E y_T = (B ln T + A)/sqrt T, B = 3/64, A = 3/64 + c sigma^2/4 = 0.078,
# y_T sqrt(T)/ln T = B + A/ln T has local exponent -A/(ln T (B ln T + A)): -0.042 at T = 2^8,
# -0.020 at 2^12, -0.012 at 2^16, so the fit over the window lands near -0.52 and its head-tail
# drift (about 0.02) stays under the tolerance 0.05. Without the log the local exponent is
# -1/2 + B/(B ln T + A), -0.38 to -0.42 over the window: a gap of 0.08 or more.
WINDOW = (256, None)
SANDWICH_RATE = PowerLaw(exponent=-0.5, log_power=1, tolerance=0.05, side=TIGHT, window=WINDOW)


@functools.lru_cache(maxsize=64)
def construction_value(horizon: int) -> float:
    """f_H(x_{T+1}) from the paper's closed form (O(T), equal to the run to 1e-12)."""
    return harvey.closed_form_last_value(horizon, "convex", STEP_CONSTANT)


#: The z block is simulated step by step (projection included) up to this step and sampled at
#: the horizons by its exact linear-Gaussian transitions after it (simulators.quadratic_block),
#: which assume the box [-1, 1] no longer binds. From t = 256 on, eta_t <= 1/16 and z's
#: stationary sd is sqrt(eta_t sigma^2 / (2 - eta_t)) <= 0.063: |z_256| > 1/2 is an 8-sd event
#: (1e-15 a run) and, from under 1/2, reaching the edge in the remaining 65,000 steps needs a
#: further 8-sd excursion; over 2,000 runs the transitions differ from the projected run with
#: probability under 1e-11 a seed. The first horizons (64, 128, 256) are step by step.
Z_EXACT_FROM = 256


def separate_noise_values(ctx: RunContext, horizons: np.ndarray, replicates: int) -> np.ndarray:
    """y_T = f_H(x_{T+1}) + z_{T+1}^2/2 per replicate: the x block exact, the z block simulated.

    One z trajectory serves every horizon (the step c/sqrt t does not depend on T), while f_H
    is a different T-dimensional function for each T, deterministic.
    """
    z_part = quadratic_box_values(
        1.0,  # z^2/2
        1.0,
        0.0,
        step_sizes(int(horizons[-1]), "sqrt", STEP_CONSTANT),
        horizons,
        replicates,
        ctx.rng,
        noise_scale=SIGMA,
        exact_from=Z_EXACT_FROM,
    )
    return z_part + np.array([construction_value(int(horizon)) for horizon in horizons])


@claim(
    "sgd.last_iterate.sandwich",
    paper=LIU_ZHOU.theorem("Theorem 3.1 (ICLR 2024 numbering), with Harvey et al. Theorem 3.5"),
    statement=(
        "On Harvey et al.'s convex construction with a noisy coordinate added (variance sigma^2), "
        "the last iterate of SGD with step c/sqrt(t) lies between Harvey et al.'s lower bound "
        "log T/(32 c sqrt T) and Liu & Zhou's upper bound O((D/eta + eta(M^2 + sigma^2)) "
        "log T/sqrt T): E[F(x_{T+1})] - F* is of order log T / sqrt T exactly, the two bounds "
        "meet up to constants."
    ),
    latex=r"\frac{\log T}{32c\sqrt T} \le \mathbb E[F(x_{T+1})] - F^* \le "
    r"C\Big(\frac{D}{\eta} + \eta(M^2 + \sigma^2)\Big)\frac{1 + \log T}{\sqrt T}",
    assumptions=(
        "F = f_H(x) + z^2/2 on the unit ball of R^T times [-1, 1], f_H Harvey et al.'s "
        "construction",
        "oracle: h_{i'} (minimum active index) on x, z + N(0, sigma^2) on z",
        "eta_t = c / sqrt(t), c = 1; x_1 = 0, z_1 = 0",
    ),
    simplification=(
        f"c = 1, sigma = {SIGMA}, T = 2^6 ... 2^16 (quick, 2,000 replicates) or 2^18 (full, "
        "4,000); f_H from the paper's closed form, the z part simulated (step by step to "
        "T = 256, then by its exact Gaussian transitions between horizons, where the box no "
        "longer binds). The tested quantity is "
        "y_T = f_H(x_{T+1}) + z_{T+1}^2/2 (at most the gap, at least Harvey's bound), fitted as "
        "T^-1/2 log T two-sided (tolerance 0.05, argued at SANDWICH_RATE). Liu & Zhou's "
        "absolute constant C could not be read, so the sandwich is checked as an order: the "
        "upper bound's shape log T/sqrt T and the lower bound's constant 1/32; the measured gap "
        "between them is in the notes (y_T over the lower bound, and y_T over the upper "
        "bound's shape with its prefactor D/eta + eta(M^2 + sigma^2), C left out). Noise inside "
        "Harvey's block breaks the construction's ties, and with them the lower bound: see "
        "the mutant."
    ),
    predicted=SANDWICH_RATE,
    mutants=[
        Mutant(
            "no_log_factor",
            "the noisy last iterate decays as 1/sqrt T (the log T of the upper bound an artifact "
            "of the analysis, noise smoothing out the construction)",
            predicted=PowerLaw(exponent=-0.5, tolerance=0.05, side=TIGHT, window=WINDOW),
        ),
        Mutant(
            "lower_bound_with_noise_inside",
            "Harvey's lower bound log T/(32 c sqrt T) read as holding when the same noise enters "
            "the construction's own coordinates (N(0, sigma^2 I/T)): the minimum-index ties "
            "break and the mean falls under the bound from about T = 2^9 (sqrt(T) E f = 0.21 "
            "against 0.238 at T = 2^11, 20 replicates, standard error 0.003); run at T = 2^7, "
            "2^9, 2^11 only, O(R T^2)",
            predicted=Bound(expression=CONVEX_LOWER_BOUND, x=T, side=AT_LEAST, symbols=SYMBOLS),
            params={"noise": "inside"},
        ),
    ],
)
def sandwich(ctx: RunContext, noise: str = "separate") -> Samples:
    if noise == "separate":
        horizons = 2 ** np.arange(6, ctx.pick(16, 18) + 1)
        values = separate_noise_values(ctx, horizons, ctx.pick(2_000, 4_000))
    elif noise == "inside":
        horizons = IN_BLOCK_HORIZONS
        values = np.stack(
            [
                harvey.noisy_last_values(
                    int(horizon), STEP_CONSTANT, SIGMA, IN_BLOCK_REPLICATES, ctx.rng
                )
                for horizon in horizons
            ],
            axis=1,
        )
    else:
        raise ValueError(f"noise must be 'separate' or 'inside', got {noise!r}")
    mean = values.mean(axis=0)
    lower = np.log(horizons) / (32 * STEP_CONSTANT * np.sqrt(horizons))
    eta = STEP_CONSTANT
    upper_shape = (
        (DISTANCE / eta + eta * (LIPSCHITZ_M**2 + SIGMA**2))
        * (1 + np.log(horizons))
        / np.sqrt(horizons)
    )
    return Samples(
        horizons,
        values,
        statistic="mean",
        constants={"c": STEP_CONSTANT, "sigma": SIGMA},
        x_label="steps T (= dimension + 1)",
        y_label="f_H(x_{T+1}) + z_{T+1}^2/2",
        notes={
            "noise": noise,
            "mean y / Harvey's lower bound, min over T": round(float((mean / lower).min()), 3),
            "mean y / Harvey's lower bound, at the largest T": round(
                float(mean[-1] / lower[-1]), 3
            ),
            "sqrt(T) mean y / ln T at the largest T": round(
                float(mean[-1] * np.sqrt(horizons[-1]) / np.log(horizons[-1])), 4
            ),
            "mean y / ((D/eta + eta(M^2 + sigma^2))(1 + ln T)/sqrt T), max over T "
            "(Liu & Zhou's absolute constant C not included)": round(
                float((mean / upper_shape).max()), 4
            ),
        },
    )
