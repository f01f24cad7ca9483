r"""DP-SGD as practitioners run it: Poisson sampling, per-example clipping, Gaussian noise.

Abadi, Chu, Goodfellow, McMahan, Mironov, Talwar, Zhang, *Deep Learning with Differential
Privacy*, CCS 2016, arXiv 1607.00133, **Theorem 1**: there are constants :math:`c_1, c_2` such
that for a sampling probability :math:`q = L/N` and :math:`T` steps, for any
:math:`\varepsilon < c_1 q^2 T`, DP-SGD is :math:`(\varepsilon, \delta)`-DP for any
:math:`\delta > 0` if :math:`\sigma \ge c_2\, q\sqrt{T\log(1/\delta)}/\varepsilon`. Its proof
(the moments accountant, Lemma 3, for :math:`q < 1/(16\sigma)`) bounds the log moment of one
step by :math:`q^2\lambda(\lambda+1)/((1-q)\sigma^2) + O(q^3\lambda^3/\sigma^3)`, so to first
order in :math:`q` the privacy of :math:`T` sampled steps depends on :math:`q` and :math:`T`
through :math:`q\sqrt T` alone: :math:`\varepsilon(q, T) = \varepsilon(q/2, 4T) + O(q)`.
``dp.sgd.amplification`` checks that invariance on ``dp_accounting``'s RDP accountant (a
refinement of the moments accountant) for :math:`\sigma = 4`, :math:`q \le 1/64`.

Utility (Bassily, Smith & Thakurta 2014, arXiv 1405.7085, Theorem 2.4, noisy SGD): the excess
empirical risk of a convex :math:`L`-Lipschitz loss is
:math:`\tilde O(LD\sqrt{d\log(1/\delta)}/(n\varepsilon))`. ``dp.sgd.utility`` runs DP-SGD as
Abadi et al. do (:mod:`simulators.dp_sgd`: every record sampled with probability ``q``, each
example's gradient clipped to ``C``, noise :math:`N(0, \sigma^2C^2)` on the sum, the sum divided
by the expected batch size :math:`qn`, ``n`` public) with :math:`\sigma` calibrated by
``dp_accounting`` for exactly that event, and checks the exponent -1 in ``n``.
"""

from __future__ import annotations

import numpy as np

from proofs_checks import Agreement, Comparison, Mutant, RunContext, Samples, Scaling, claim
from simulators.dp_sgd import dp_sgd_sharp, sharp_data
from simulators.privacy import calibrate_noise_multiplier, spent_epsilon
from theorems.bibliography import ABADI, BST14

DELTA = 1e-5

# --- amplification by sampling: q and T enter through q sqrt(T) ---------------------------------

#: sigma = 4 and q from 1/64 down (q < 1/(16 sigma), the lemma's range), T = 1000 at the largest
#: q and quadrupled whenever q halves. The O(q) correction is 1.6% at q = 1/64 on
#: dp_accounting's RDP accountant and halves with q; rtol 0.025 covers it, and a mistake that
#: changes how q or T enter (q T, or T alone) moves epsilon by a factor sqrt 2 or more per step.
AMPLIFICATION_SIGMA = 4.0
AMPLIFICATION_Q = 1 / 64 / 2 ** np.arange(5)
AMPLIFICATION_T0 = 1000
AMPLIFICATION_RTOL = 0.025
#: How the family of (q, T) is built: the claim (q sqrt T constant) and two plausible mistakes.
FAMILIES = {
    "q_sqrt_T": 4,  # T quadruples when q halves: the claim
    "q_T": 2,  # T doubles: epsilon would depend on q T (linear composition)
    "T_alone": 1,  # T fixed: epsilon would not depend on q (no amplification by sampling)
}


@claim(
    "dp.sgd.amplification",
    paper=ABADI.theorem("Theorem 1 (moments accountant, Lemma 3)"),
    statement=(
        "The epsilon of T Poisson-sampled Gaussian steps (rate q, noise multiplier sigma) grows "
        "as q sqrt(T log(1/delta)) / sigma: to first order in q it depends on q and T through "
        "q sqrt(T) alone, eps(q, T) = eps(q/2, 4T) + O(q)."
    ),
    latex=r"\varepsilon(q, T) \approx c_2\,\frac{q\sqrt{T\log(1/\delta)}}{\sigma}",
    assumptions=("q < 1/(16 sigma)", "add/remove adjacency", "sensitivity C per record"),
    simplification=(
        "sigma = 4, delta = 1e-5, q = 1/64 ... 1/1024 with T = 1000 ... 256000 (q sqrt T fixed); "
        "dp_accounting's RDP accountant; the reference is the smallest q's epsilon."
    ),
    predicted=Agreement(rtol=AMPLIFICATION_RTOL),
    mutants=[
        Mutant(
            "linear_composition",
            "epsilon taken to depend on q T (T doubled when q halves)",
            params={"family": "q_T"},
        ),
        Mutant(
            "no_amplification",
            "epsilon taken not to depend on q (T fixed while q halves)",
            params={"family": "T_alone"},
        ),
    ],
)
def amplification(ctx: RunContext, family: str = "q_sqrt_T") -> Comparison:
    growth = FAMILIES[family]
    steps = AMPLIFICATION_T0 * growth ** np.arange(len(AMPLIFICATION_Q))
    eps = np.array(
        [
            spent_epsilon(AMPLIFICATION_SIGMA, float(q), int(t), DELTA)
            for q, t in zip(AMPLIFICATION_Q, steps, strict=True)
        ]
    )
    return Comparison(
        computed=eps,
        reference=np.full(len(eps), eps[-1]),
        labels=[f"q=1/{round(1 / q)}, T={t}" for q, t in zip(AMPLIFICATION_Q, steps, strict=True)],
        notes={"sigma": AMPLIFICATION_SIGMA, "delta": DELTA},
    )


# --- utility of DP-SGD with Poisson sampling and per-example clipping ---------------------------

#: The sharp instance of theorems.dp_utility with per-record scale G = 2 > C = 1, so every
#: example is clipped. q = 1/32 and T = 16384 fixed (so sigma(q, T) = 16.2 is fixed and n enters
#: through the noise on the mean, sigma C / (q n), alone); d = 16. The noise share d s^2 / C^2
#: is >= 4 at n = 1024 and the excess at n = 128 is a quarter of the start's: the excess is then
#: proportional to s (the argument of theorems.dp_utility: half transient, half stationary
#: spread), exponent -1 in n to within the default 0.05.
SGD_D, SGD_SCALE, SGD_CLIP, SGD_Q, SGD_STEPS, SGD_EPS = 16, 2.0, 1.0, 1 / 32, 16_384, 1.0
SGD_N = np.array([128, 256, 512, 1024])


def dp_sgd_run(ctx: RunContext, records: int, noise: str = "calibrated", clip="per_example"):
    """One DP-SGD run on the sharp instance with ``records`` records; ``noise``: ``calibrated``,
    ``off`` (no noise) or ``on_mean`` (sigma C added to the mean, not the sum)."""
    sigma = calibrate_noise_multiplier(SGD_EPS, DELTA, SGD_Q, SGD_STEPS)
    if noise == "off":
        sigma = 0.0
    elif noise == "on_mean":
        sigma *= SGD_Q * records  # the mean gets sigma C: the sum gets q n times more
    # the step of the analysis for the noise this run adds to the mean
    noise_on_mean = sigma * SGD_CLIP / (SGD_Q * records)
    step = 1.0 / np.sqrt(SGD_STEPS * (SGD_CLIP**2 + SGD_D * noise_on_mean**2))
    data = sharp_data(int(records), SGD_D, ctx.rng)
    return dp_sgd_sharp(
        data,
        SGD_SCALE,
        1.0,
        step,
        sigma,
        SGD_CLIP,
        SGD_Q,
        SGD_STEPS,
        ctx.pick(12, 24),
        ctx.rng,
        DELTA,
        clip=clip,
    )


@claim(
    "dp.sgd.utility",
    paper=BST14.theorem("Theorem 2.4 (noisy SGD), run as Abadi et al. 2016 run DP-SGD"),
    statement=(
        "DP-SGD with Poisson sampling, per-example clipping and noise calibrated by the "
        "accountant to (eps, delta) has excess empirical risk of order "
        "sqrt(d log(1/delta)) / (n eps) on a convex Lipschitz loss: exponent -1 in n."
    ),
    latex=r"\mathbb{E}F(\theta_\tau) - F^* \asymp \frac{CD\sqrt{d\log(1/\delta)}}{n\varepsilon}",
    assumptions=(
        "loss convex; per-example gradients clipped to C",
        "(eps, delta)-DP, add/remove adjacency, n public",
    ),
    simplification=(
        "Sharp instance F = (G/n) sum ||theta - z_i||_1 / sqrt(d), G = 2, C = 1, d = 16; "
        "q = 1/32, T = 16384 fixed, eps = 1, delta = 1e-5; random-iterate output."
    ),
    predicted=Scaling(exponent=-1.0, parameter="n"),
    mutants=[
        Mutant("noise_off", "the privacy noise switched off (sigma = 0)", params={"noise": "off"}),
        Mutant(
            "noise_on_mean",
            "noise sigma C added to the averaged gradient instead of the sum (no 1/(q n))",
            params={"noise": "on_mean"},
        ),
    ],
)
def utility(ctx: RunContext, noise: str = "calibrated", clip: str = "per_example") -> Samples:
    runs = [dp_sgd_run(ctx, int(n), noise, clip) for n in SGD_N]
    values = np.stack([r.values for r in runs], axis=1)
    return Samples(
        SGD_N,
        values,
        x_label="records n",
        y_label="E F(theta_tau) - F*",
        notes={
            "privacy": {
                "claimed": [{"epsilon": SGD_EPS, "delta": DELTA} for _ in runs],
                "spent": [{"epsilon": r.privacy.epsilon, "delta": r.privacy.delta} for r in runs],
            },
            "sensitivity": {
                "assumed": [r.clip_norm for r in runs],
                "measured": [r.max_contribution for r in runs],
            },
            "sigma": [r.privacy.noise_multiplier for r in runs],
        },
    )


# --- the instance is what the docstring says ----------------------------------------------------


def test_every_example_is_clipped_and_batches_are_poisson():
    ctx = RunContext("t", 0, "quick", np.random.default_rng(0))
    run = dp_sgd_run(ctx, 256)
    assert run.max_contribution == SGD_CLIP  # G = 2 > C: every contribution is clipped to C
    sizes = run.batch_sizes.ravel()
    # Binomial(256, 1/32): mean 8, variance 8 (31/32)
    assert abs(sizes.mean() - 8) < 0.05
    assert abs(sizes.var() / (8 * 31 / 32) - 1) < 0.05
