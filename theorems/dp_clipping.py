r"""Clipping bias in SGD, and error feedback that removes it.

Koloskova, Hendrikx, Stich, *Revisiting Gradient Clipping: Stochastic Bias and Tight Convergence
Guarantees*, ICML 2023, arXiv 2305.01588 (the stochastic lower bound, Section 4): clipped SGD
under bounded-variance noise need not converge to a stationary point, whatever the step size;
the gradient norm it stalls at is :math:`\Theta(\min(\sigma, \sigma^2/c))`.

The instance encoded here is a one-dimensional version of their lower-bound construction:
:math:`f(x) = x^2/2` with zero-mean noise :math:`\xi = -2c` with probability p and
:math:`2cp/(1-p)` otherwise, :math:`p/(1-p) = \sigma^2/(4c^2)` (variance :math:`\sigma^2`).
Near the optimum the rare negative value is always clipped to :math:`-c` and the frequent one
never is, so :math:`\mathbb{E}\,\mathrm{clip}_c(x + \xi) = pc + (1-p)x` is linear in x and the
iterates' stationary mean solves it exactly:

.. math::  |\nabla f(\bar x)| = \frac{pc}{1-p} = \frac{\sigma^2}{4c} \quad (\text{every } \eta).

Symmetric noise gives no bias at all, however often it is clipped (Chen, Wu & Hong, NeurIPS 2020,
arXiv 2006.15429: clipping a symmetric gradient distribution keeps its mean direction); the
mutant runs noise that is clipped one step in five and must show no bias.

Zhang, Bu, Wu, Hong, *Differentially Private SGD Without Clipping Bias: An Error-Feedback
Approach* (DiceSGD), ICLR 2024, arXiv 2311.14632, Algorithm 1: feeding the clipping error
:math:`e_{t+1} = e_t + g_t - v_t` back into the update (clipped at :math:`C_2 \ge C_1`) removes
the constant clipping bias: the fixed point of the noise-free recursion is the true optimum
(at a fixed point :math:`v = 0` and :math:`e` is constant, so the true gradient is 0).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from proofs_checks import Agreement, Bound, Comparison, Mutant, RunContext, Samples, claim
from simulators.dp_noise import (
    asymmetric_noise,
    clipped_sgd_discrete_noise,
    clipped_sgd_quadratic,
    dice_sgd_mean_estimation,
)
from theorems.bibliography import CHEN_WU_HONG, DICESGD, KOLOSKOVA

#: The gradient norm clipped SGD stalls at under the two-point noise: sigma^2 / (4 c).
sigma, c = sp.symbols("sigma c", positive=True)
CLIPPING_BIAS = sigma**2 / (4 * c)
clipping_bias_value = sp.lambdify((sigma, c), CLIPPING_BIAS)

NOISE_STD = 1.0
CLIPS = np.array([2.0, 4.0, 8.0, 16.0])
STEPS_ETA = np.array([0.1, 0.03, 0.01])


@claim(
    "dp.clipping.bias",
    paper=KOLOSKOVA.theorem("Section 4 (stochastic lower bound)"),
    statement=(
        "Clipped SGD with skewed zero-mean noise of variance sigma^2 stalls at a gradient norm "
        f"{CLIPPING_BIAS}, for every step size: the bias falls as 1/c and does not vanish as "
        "eta -> 0."
    ),
    latex=rf"|\nabla f(\bar x_\infty)| = {sp.latex(CLIPPING_BIAS)}\quad\forall\eta",
    assumptions=("f(x) = x^2/2", "zero-mean noise of variance sigma^2", "clipping at c"),
    simplification=(
        "The one-dimensional two-point noise of the lower bound, sigma = 1, c in {2, 4, 8, 16}, "
        "eta in {0.1, 0.03, 0.01}; the stationary mean is estimated by the time average of "
        "x_t after a burn-in of 10/eta steps with a martingale control variate (each clipped "
        "step minus its exact conditional mean), averaged over 256 replicates."
    ),
    # The stationary mean equals sigma^2/(4c) exactly while the iterates stay in the linear
    # region x < c - sigma^2/(2c) (their spread is sqrt(eta/8) <= 0.12, the region's edge is at
    # least 1.75 away), so the tolerance only has to hold the Monte Carlo bands: the joint band
    # is about +-1.3% at the hardest configuration (c = 16, where the bias is 1/64; see the
    # function), and 5% of the bias separates it from a constant off by 10% or more.
    predicted=Agreement(rtol=0.05),
    mutants=[
        Mutant(
            "symmetric_noise",
            "symmetric noise clipped one step in five (+-3c, else +-sigma): Chen, Wu & Hong's "
            "no-bias case; the bias claimed there must be refuted",
            params={"noise": "symmetric"},
        ),
        Mutant(
            "bias_sigma2_over_2c",
            f"a bias of {2 * CLIPPING_BIAS} claimed (the constant doubled)",
            predicted=Agreement(rtol=0.05, reference_factor=2.0),
        ),
    ],
)
def clipping_bias(ctx: RunContext, noise: str = "two_point") -> Comparison:
    clips, steps_eta = np.meshgrid(CLIPS, STEPS_ETA)
    clips, steps_eta = clips.ravel(), steps_eta.ravel()
    # The time average carries the martingale control variate (the clipped step minus its
    # exact conditional mean over the two atoms, over P(unclipped)): the same mean, and in the
    # linear region only the window's boundary term is left, of standard deviation about
    # sigma_M / (b^1.5 sqrt(eta) (T - B)) per replicate. Measured: 0.23% of the bias at the
    # hardest configuration (c = 16, eta = 0.01) with 256 replicates of 10,000 steps (0.75%
    # with 2048 replicates and no control variate); 5,000 steps after the burn-in of 10/eta
    # give about 0.42%, a joint band of about +-1.3% against the 5% tolerance.
    steps = ctx.pick(6_000, 21_000)
    bias = clipped_sgd_quadratic(
        clips, steps_eta, NOISE_STD, steps, 1_000, 256, ctx.rng, noise, control_variate=True
    )
    return Comparison(
        bias,
        clipping_bias_value(NOISE_STD, clips),
        [f"c={c:g}, eta={e:g}" for c, e in zip(clips, steps_eta, strict=True)],
    )


# --- Chen, Wu & Hong: the bias is bounded by the distance to symmetry ---------------------------

#: Chen, Wu & Hong (NeurIPS 2020, arXiv 2006.15429), Section 3, as recalled (the theorem's body
#: and number were not readable here; its form is the one the abstract states: the clipping
#: bias "can be upper bounded by the Wasserstein distance between the gradient distribution and
#: a geometrically symmetric distribution"). Write the gradient noise p as p~ + (p - p~), p~
#: symmetric. Clipped SGD satisfies
#:     (1/T) sum_t P_{p~}(||xi|| < c/4) ||grad f(x_t)|| min(||grad f(x_t)||, 3c/4)
#:         <= (optimization terms, -> 0 as eta -> 0 and T eta -> inf) + (1/T) sum_t b_t,
#: b_t = -<grad f(x_t), E_p clip_c(grad f + xi) - E_p~ clip_c(grad f + xi)> <= ||grad f|| W(p, p~)
#: (clipping is 1-Lipschitz, so the difference of the clipped means is at most W_1). With p
#: symmetric (W = 0) the bias vanishes: clipped SGD stalls only where the gradient is 0. At the
#: point where clipped SGD stalls (the optimization terms gone), dividing by ||grad f||:
#:     P_{p~}(|xi| < c/4) min(|f'(x_bar)|, 3c/4) <= W_1(p, p~),
#: the bound judged here, written once.
W_SYM, SHIFT, UNCLIPPED = sp.symbols("W D P", nonnegative=True)
SYMMETRY_BOUND = Bound(
    expression=W_SYM,
    x=SHIFT,
    symbols={
        "W": "W_1(p, p~): Wasserstein-1 distance from the noise to its symmetric part",
        "D": "the displacement that makes the noise asymmetric",
        "P": "P_p~(|xi| < c/4), the weight on the left side",
    },
)
#: Displacements D (clip c = 1): a decade of asymmetry, the moved atom c/8 + D always unclipped.
SHIFTS = np.array([1 / 32, 1 / 16, 1 / 8, 1 / 4])
SYMMETRY_STEP = 0.005


@claim(
    "dp.clipping.symmetry_bound",
    paper=CHEN_WU_HONG.theorem(
        "Section 3, convergence of clipped SGD (recalled, not read): bias <= ||grad f|| W(p, p~)"
    ),
    statement=(
        "Clipped SGD has no clipping bias under symmetric gradient noise, and under asymmetric "
        "zero-mean noise p the gradient where it stalls obeys P_p~(|xi| < c/4) min(|f'|, 3c/4) "
        "<= W_1(p, p~) for every symmetric p~ (here the nearest one)."
    ),
    latex=r"P_{\tilde p}(|\xi| < c/4)\,\min(|f'(\bar x)|, 3c/4) \le W_1(p, \tilde p)",
    assumptions=("f(x) = x^2/2 (1-smooth)", "zero-mean i.i.d. gradient noise", "clipping at c"),
    simplification=(
        "One dimension, c = 1, f(x) = x^2/2. The symmetric part p~: +-1/8 with mass 0.2 each "
        "(never clipped), +-3 with mass 0.3 each (always clipped: 60% of steps). The noise p "
        "moves +1/8 to 1/8 + D and -3 outward by 2D/3 (mean still 0), D in {1/32, 1/16, 1/8, "
        "1/4}; W_1(p, p~) from scipy.stats.wasserstein_distance. Step 0.005, the stall read as "
        "the time average of x_t after a burn-in of 10/(eta P(unclipped)) steps, with a "
        "martingale control variate (each clipped step minus its exact conditional mean)."
    ),
    # Tightness. The noise is zero-mean, so for any symmetric p~ and any coupling, u = xi - xi~
    # has E u = 0 and v = clip(g + xi) - clip(g + xi~) has the sign of u with |v| <= |u|:
    # E v <= E u+ = E|u|/2. The bias is therefore at most W_1/2 on every zero-mean instance, and
    # this instance attains that exactly (mass moved right only inside the clipping ball, left
    # only outside it): the left side is mD = 0.2 D and W_1 = 2mD. The iterates stay in the
    # region where E clip(x + xi) = 0.4 x + mD is affine (|x| <= 5/8; their spread is sqrt(0.75
    # eta) = 0.06), so the stall is exactly -mD/0.4 in expectation; the bands are Monte Carlo
    # only (about 3% of the smallest value: see the function).
    loose=(
        "zero-mean noise can reach at most half the theorem's bound (the bias is <= W_1/2 for "
        "every zero-mean p and symmetric p~: see the comment); this instance attains that half "
        "exactly, so tightness 0.5 is the most any instance shows and the default target 1.5 "
        "cannot be met"
    ),
    predicted=SYMMETRY_BOUND,
    mutants=[
        Mutant(
            "zero_mean_no_bias",
            "zero-mean noise clips without bias (the bound with W replaced by the distance "
            "between the means, 0)",
            predicted=SYMMETRY_BOUND.substituted({W_SYM: 0}),
        ),
        Mutant(
            "stall_bounded_by_w",
            "the stalling gradient itself bounded by W_1, the probability of staying unclipped "
            "dropped (with 60% of the steps clipped the stall is 1.25 W_1); judged on the same "
            "data as P |f'| <= P W_1",
            predicted=SYMMETRY_BOUND.substituted({W_SYM: UNCLIPPED * W_SYM}),
        ),
    ],
)
def symmetry_bound(ctx: RunContext) -> Samples:
    from scipy.stats import wasserstein_distance

    values, probs, sym_values, sym_probs = asymmetric_noise(SHIFTS)
    distance = np.array(
        [
            wasserstein_distance(v, sv, p, sp_)
            for v, sv, p, sp_ in zip(values, sym_values, probs, sym_probs, strict=True)
        ]
    )
    unclipped = np.array(
        [p[np.abs(v) < 0.25].sum() for v, p in zip(sym_values, sym_probs, strict=True)]
    )
    burn_in = int(np.ceil(10 / (SYMMETRY_STEP * unclipped.min())))
    # The time average carries the martingale control variate (each clipped step minus its
    # exact conditional mean over the four atoms, over P(unclipped) = 0.4): the same mean, a
    # third of the standard error at equal length (measured at 256 replicates of 10,000
    # steps: 3.4% of the smallest stall, 10% without it), so 384 replicates of 2 burn-ins give
    # about 2.8%, as 1024 replicates of 4 burn-ins gave without it.
    steps = ctx.pick(2, 4) * burn_in
    stall = -clipped_sgd_discrete_noise(
        values,
        probs,
        1.0,
        SYMMETRY_STEP,
        steps,
        burn_in,
        ctx.pick(384, 768),
        ctx.rng,
        control_variate=True,
    )
    # |f'| < 3c/4 at every stall here, so min(|f'|, 3c/4) = |f'|; the sign is kept so that the
    # Monte Carlo mean is unbiased (the stall lies on the negative side of the optimum).
    left = np.minimum(stall, 0.75) * unclipped
    return Samples(
        SHIFTS,
        left,
        constants={"W": distance, "P": unclipped},
        x_label="asymmetry D",
        y_label="P(|xi~| < c/4) |f'(x_bar)|",
    )


# --- DiceSGD ------------------------------------------------------------------------------------

CLIP_GRADIENT, DICE_STEP, DICE_STEPS = 1.0, 0.05, 20_000


def dice_targets(rng: np.random.Generator) -> np.ndarray:
    """190 records near 0 and 10 outliers near 50: clipping at 1 biases the mean estimate."""
    return np.concatenate([rng.normal(0.0, 0.1, 190), rng.normal(50.0, 0.1, 10)])


@claim(
    "dp.clipping.error_feedback",
    paper=DICESGD.theorem("Algorithm 1 (DiceSGD), fixed-point property"),
    statement=(
        "With clipping-error feedback (C2 >= C1), clipped gradient descent converges to the true "
        "optimum, where plain clipped GD stays biased."
    ),
    latex=r"x_T \to \arg\min_x \tfrac1n\textstyle\sum_i (x - a_i)^2/2 = \bar a",
    assumptions=("C2 >= C1", "full batch"),
    simplification=(
        "Noise-free full-batch recursion (sigma = 0) on f(x) = mean (x - a_i)^2/2 with 5% "
        "outliers, C1 = 1, C2 in {1, 3}, eta = 0.05, 20000 steps. The claim is about the "
        "clipping bias, a property of the noiseless fixed point; DiceSGD's privacy needs the "
        "paper's algorithm-specific RDP analysis, which dp_accounting does not provide, so no "
        "(eps, delta) is claimed for this run."
    ),
    # The recursion contracts geometrically (our run reaches the mean to ~1e-13); 1e-6 is far
    # above rounding and far below the clipped fixed point's bias (~2.4).
    predicted=Agreement(rtol=1e-6),
    mutants=[
        Mutant(
            "clipped_error_update",
            "the error update uses the clipped gradient (the feedback vanishes: bias returns)",
            params={"error_update": "clipped"},
        ),
        Mutant(
            "no_feedback",
            "DP-SGD with clipping and no error feedback",
            params={"error_update": "none"},
        ),
    ],
)
def error_feedback(ctx: RunContext, error_update: str = "unclipped") -> Comparison:
    targets = dice_targets(ctx.rng)
    clip_error = np.array([1.0, 3.0])
    final = dice_sgd_mean_estimation(
        targets, CLIP_GRADIENT, clip_error, DICE_STEP, DICE_STEPS, error_update
    )
    return Comparison(final, np.full(2, targets.mean()), [f"C2={c:g}" for c in clip_error])


def test_two_point_noise_has_mean_zero_and_variance_sigma2():
    for clip in CLIPS:
        odds = NOISE_STD**2 / (4 * clip**2)
        p = odds / (1 + odds)
        values, probs = np.array([-2 * clip, 2 * clip * odds]), np.array([p, 1 - p])
        assert abs(values @ probs) < 1e-12
        assert abs((values**2) @ probs - NOISE_STD**2) < 1e-12
