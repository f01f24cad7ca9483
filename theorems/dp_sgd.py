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
refinement of the moments accountant) for :math:`\sigma = 4`, :math:`q \le 1/64`. Its mutant
``fixed_size_as_poisson`` is the classic accounting mismatch: batches of exactly :math:`qn`
records reported with the Poisson-sampled epsilon. Under the same (add/remove) adjacency an
added record *displaces* one of a fixed-size batch's, so the batch sum moves by 2C: on that pair
of data sets the run spends the Poisson epsilon at noise multiplier :math:`\sigma/2`, more
than twice the reported one (:func:`fixed_size_against_poisson`).

Utility (Bassily, Smith & Thakurta 2014, arXiv 1405.7085, Theorem 2.4, noisy SGD): the excess
empirical risk of a convex :math:`L`-Lipschitz loss is
:math:`\tilde O(LD\sqrt{d\log(1/\delta)}/(n\varepsilon))`. ``dp.sgd.utility`` runs DP-SGD as
Abadi et al. do (:mod:`simulators.dp_sgd`: every record sampled with probability ``q``, each
example's gradient clipped to ``C``, noise :math:`N(0, \sigma^2C^2)` on the sum, the sum divided
by the expected batch size :math:`qn`, ``n`` public) with :math:`\sigma` calibrated by
``dp_accounting`` for exactly that event, and checks the exponent -1 in ``n``;
``dp.sgd.utility.d`` and ``dp.sgd.utility.eps`` check the bound's exponents 1/2 in ``d`` and
-1 in ``eps`` (at delta = 1e-5, with the accountant's own sigma(eps) eps divided out: its
departure from 1/eps is the accountant's, not the theorem's).

Clipping the averaged gradient instead of each example's keeps the excess risk's exponents
(its excess in n has exponent -1.03 on the same instance, per-example -0.96): the utility
cannot tell it apart. What it breaks is the sensitivity the accounting assumes, and
``tests/test_dp_budget.py`` catches it there, by the per-record contribution the simulator
measures.
"""

from __future__ import annotations

import functools

import numpy as np

from proofs_checks import Agreement, Comparison, Mutant, RunContext, Samples, Scaling, claim
from simulators.dp_sampling import fixed_size_pair_epsilon
from simulators.dp_sensitivity import ADJACENCY, sensitivity_notes
from simulators.dp_sgd import DPSGDRun, dp_sgd_sharp_sweep, sharp_data
from simulators.privacy import EPSILON_SWEEP, calibrate_noise_multiplier, spent_epsilon
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
        Mutant(
            "fixed_size_as_poisson",
            "fixed-size batches spend what Poisson sampling spends: a run drawing batches of "
            "exactly q n records reports the Poisson-sampled epsilon (both under add/remove)",
            params={"sampling": "fixed_size"},
        ),
    ],
)
def amplification(
    ctx: RunContext, family: str = "q_sqrt_T", sampling: str = "poisson"
) -> Comparison:
    growth = FAMILIES[family]
    steps = AMPLIFICATION_T0 * growth ** np.arange(len(AMPLIFICATION_Q))
    labels = [f"q=1/{round(1 / q)}, T={t}" for q, t in zip(AMPLIFICATION_Q, steps, strict=True)]
    eps = np.array(
        [
            spent_epsilon(AMPLIFICATION_SIGMA, float(q), int(t), DELTA)
            for q, t in zip(AMPLIFICATION_Q, steps, strict=True)
        ]
    )
    if sampling == "fixed_size":
        return fixed_size_against_poisson(steps, eps, labels)
    return Comparison(
        computed=eps,
        reference=np.full(len(eps), eps[-1]),
        labels=labels,
        notes={"sigma": AMPLIFICATION_SIGMA, "delta": DELTA, "adjacency": ADD_REMOVE},
    )


# --- fixed-size batches accounted as Poisson sampling -------------------------------------------

#: The neighbouring relation of every epsilon in this module: dp_accounting's default.
ADD_REMOVE = ADJACENCY
#: Records of the fixed-size run: batches of b = q n records, n = 2^20 (b from 16384 to 1024).
FIXED_SIZE_RECORDS = 2**20


def fixed_size_against_poisson(steps: np.ndarray, reported: np.ndarray, labels) -> Comparison:
    """What a run with fixed-size batches spends on the displacing pair of data sets
    (:mod:`simulators.dp_sampling`: the added record takes a batch slot, so the sum moves by 2C),
    next to the Poisson epsilon it reports; both under add/remove adjacency, both by the RDP
    accountant. A lower bound on the fixed-size run's epsilon: the mutant is refuted when it
    already exceeds the reported number (tests/test_dp_budget.py certifies it by the optimistic
    privacy-loss distribution)."""
    spent = np.array(
        [
            fixed_size_pair_epsilon(
                AMPLIFICATION_SIGMA, float(q), int(t), DELTA, FIXED_SIZE_RECORDS
            )
            for q, t in zip(AMPLIFICATION_Q, steps, strict=True)
        ]
    )
    return Comparison(
        computed=spent,
        reference=reported,
        labels=labels,
        notes={
            "sigma": AMPLIFICATION_SIGMA,
            "delta": DELTA,
            "adjacency": ADD_REMOVE,
            "records": FIXED_SIZE_RECORDS,
            "pair": "D: n gradients -C e; D' = D + {x}, x's gradient +C e (sensitivity 2C)",
        },
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
#: Replicates. The instance's own exponent is the local slope at the largest n, -0.978 (r = 4),
#: 0.028 inside the band around -1. At 12 independent replicates per point the fit's 95%
#: interval was +-0.033 wide, so it reached the band's edge on about half the seeds (3 of 8
#: confirmed). Every point of a sweep runs on the same random numbers (common random numbers:
#: the same Gaussian draws, and for the eps sweep the same data and batches), and the fit
#: resamples whole replicates, so the points' errors cancel in the slope: +-0.02 at 12
#: replicates. 48 halve it again (the interval narrows as 1/sqrt(replicates)): the fitted slope
#: then sits about 2.5 standard errors clear of the band's edge. The eps sweep's exponent,
#: measured at 96 independent replicates, is -0.975 +- 0.009; with common numbers 48 replicates
#: give about +-0.009, 3 standard errors clear. The d sweep's exponent sits at its centre
#: (8 of 8 seeds confirmed at 12 independent replicates).


#: Replicates of a mutant's rerun. Every rerun mutant here changes the noise so that the excess
#: no longer moves with the swept parameter as the bound says: its exponent sits 0.35 to 1 from
#: the band (noise on the mean: about 0 against -1 in n; a noise vector of norm sigma C: 0
#: against 1/2 in d; composition forgotten: -0.6 against -1 in eps), while with common random
#: numbers the fit's 95% interval at 6 replicates is about +-0.015 (+-0.0045 at 48, growing as
#: 1/sqrt(replicates)): more than 20 widths. More replicates buy the mutants nothing. (Switching
#: the noise off is no mistake a paper makes: the wrong rates the sweeps also refute are those
#: of the theorem's strongly convex part, judged on the claim's own data.)
MUTANT_REPLICATES = 6


@functools.cache
def calibrated_sigma(epsilon: float, steps: int) -> float:
    """The accountant's noise multiplier for ``steps`` steps at rate ``SGD_Q`` and
    ``(epsilon, DELTA)``: deterministic, and the same for every point of a sweep at one
    epsilon, so computed once per process."""
    return calibrate_noise_multiplier(epsilon, DELTA, SGD_Q, steps)


def sgd_point(
    records: int,
    noise: str = "calibrated",
    dims: int = SGD_D,
    epsilon: float = SGD_EPS,
) -> tuple[float, float, float]:
    """The noise multiplier a run on ``records`` records in dimension ``dims`` adds, its step,
    and the noise multiplier the accounting calibrated to ``(epsilon, DELTA)``.

    ``noise``: ``calibrated``; ``on_mean`` (sigma C added to the mean, not
    the sum); ``norm`` (a noise vector of norm about sigma C: per-coordinate standard deviation
    sigma C / sqrt d); ``no_composition`` (sigma calibrated for one sampled step instead of T,
    and that sigma returned as the calibrated one).
    """
    calibrated = calibrated_sigma(epsilon, 1 if noise == "no_composition" else SGD_STEPS)
    sigma = calibrated
    if noise == "on_mean":
        sigma *= SGD_Q * records  # the mean gets sigma C: the sum gets q n times more
    elif noise == "norm":
        sigma /= np.sqrt(dims)
    # the step of the analysis for the noise this run adds to the mean
    noise_on_mean = sigma * SGD_CLIP / (SGD_Q * records)
    step = 1.0 / np.sqrt(SGD_STEPS * (SGD_CLIP**2 + dims * noise_on_mean**2))
    return sigma, float(step), calibrated


def dp_sgd_runs(
    ctx: RunContext, settings: list[dict], replicates: int, clip: str = "per_example"
) -> tuple[list[DPSGDRun], np.ndarray]:
    """DP-SGD on the sharp instance at every point of a sweep (:func:`sgd_point`'s
    ``settings``), in one vectorised run, and the noise multipliers the accounting calibrated.

    Common random numbers: every point draws its data set from the same stream (the claim's
    first task stream, fresh for each point), and the simulator gives points with the same n
    the same batches and points with the same d the same Gaussian draws. Replicate r of every
    point thus sees the same draws, and the fit, which resamples whole replicates, sees the
    points' errors move together.
    """
    points = [sgd_point(**setting) for setting in settings]
    datasets = [
        sharp_data(int(s["records"]), int(s.get("dims", SGD_D)), ctx.task(0).rng) for s in settings
    ]
    runs = dp_sgd_sharp_sweep(
        datasets,
        SGD_SCALE,
        1.0,
        [step for _, step, _ in points],
        [sigma for sigma, _, _ in points],
        SGD_CLIP,
        SGD_Q,
        SGD_STEPS,
        replicates,
        ctx.task(0).rng,
        DELTA,
        clip=clip,
    )
    return runs, np.array([calibrated for _, _, calibrated in points])


def sgd_notes(runs: list[DPSGDRun], epsilon: np.ndarray) -> dict:
    """The privacy each run claims and spends, and the sensitivity it assumed and measured."""
    return {
        "privacy": {
            "claimed": [{"epsilon": float(e), "delta": DELTA} for e in epsilon],
            "spent": [{"epsilon": r.privacy.epsilon, "delta": r.privacy.delta} for r in runs],
        },
        "sensitivity": sensitivity_notes(r.sensitivity for r in runs),
        "sigma": [r.privacy.noise_multiplier for r in runs],
    }


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
        Mutant(
            "strongly_convex_rate",
            "the rate of the theorem's strongly convex part, d log^2(n/delta) log(1/delta) / "
            "(n^2 eps^2), read for this convex loss: exponent -2 in n",
            predicted=Scaling(exponent=-2.0, parameter="n"),
        ),
        Mutant(
            "noise_on_mean",
            "noise sigma C added to the averaged gradient instead of the sum (no 1/(q n))",
            params={"noise": "on_mean", "replicates": MUTANT_REPLICATES},
        ),
    ],
)
def utility(
    ctx: RunContext,
    noise: str = "calibrated",
    clip: str = "per_example",
    replicates: int | None = None,
) -> Samples:
    settings = [{"records": int(n), "noise": noise} for n in SGD_N]
    runs, _ = dp_sgd_runs(ctx, settings, replicates or ctx.pick(48, 96), clip=clip)
    return Samples(
        SGD_N,
        np.stack([r.values for r in runs], axis=1),
        x_label="records n",
        y_label="E F(theta_tau) - F*",
        notes=sgd_notes(runs, np.full(len(runs), SGD_EPS)),
    )


# --- the rate in d and in epsilon: the exponents of the bound --------------------------------

#: Where d and epsilon enter. On the sharp instance (clipped per-coordinate drift C/(2 sqrt d)
#: toward the median, noise s = sigma C/(q n) per coordinate on the mean, step
#: eta = D/sqrt(T (C^2 + d s^2))) the random iterate's excess is a transient (the descent from
#: D, G D sqrt(C^2 + d s^2)/(2 C sqrt T)) plus the stationary spread of the noise
#: (G d eta s^2/(2 C)); with r = d s^2/C^2 their sum is G D (1 + 2r)/(2 sqrt(T (1 + r))),
#: whose local slope in r is 2r/(1 + 2r) - r/(2(1 + r)): 0.489 at r = 4, 0.499 at r = 16,
#: 1/2 as r grows. So the excess is proportional to sqrt(r) = sqrt(d) sigma/(q n), the bound's
#: C D sqrt(d log(1/delta))/(n eps) with the accountant's sigma(eps) in place of
#: sqrt(log(1/delta))/eps: exponent 1/2 in d, and -1 in eps once sigma(eps) eps is divided out.
#: Poisson sampling adds a per-coordinate variance C^2/(d q n) to the mean, a share
#: q n/(d sigma^2) <= 1.5% of the noise's here. The d sweep: n = 512, q n = 16, r = 1.03 d at
#: eps = 1 (sigma = 16.2), so r >= 4 on d in [4, 64]. The eps sweep: n = 1024, d = 16, so
#: r = 4.1 at eps = 1 and 16 sigma(eps)^2/1024 <= 70 at eps = 1/4 (the transient then takes
#: 2 sqrt(1 + r)/sqrt T = 13% of the run). n = 1024 there because the random iterate's spread
#: grows with r: the noise-driven walk decorrelates in about 2r steps, so a run holds about
#: T d/(2r) independent looks and its relative error goes as s = sigma C/(q n); at n = 512
#: the interval on the eps-slope was 0.1 wide, as wide as the tolerance band. Every local
#: exponent is within 0.011 of the bound's: the default tolerance 0.05 holds.
D_SWEEP_N, EPS_SWEEP_N = 512, 1024
D_GRID = np.array([4, 8, 16, 32, 64])


@claim(
    "dp.sgd.utility.d",
    paper=BST14.theorem("Theorem 2.4 (noisy SGD), run as Abadi et al. 2016 run DP-SGD"),
    statement=(
        "The excess empirical risk of DP-SGD (Poisson sampling, per-example clipping, noise "
        "calibrated to (eps, delta)) grows as sqrt(d) at fixed n and eps."
    ),
    latex=r"\mathbb{E}F(\theta_\tau) - F^* \propto \sqrt d",
    assumptions=("loss convex; per-example gradients clipped to C", "(eps, delta)-DP"),
    simplification=(
        "The sharp instance of dp.sgd.utility at n = 512, d in [4, 64], eps = 1, "
        "delta = 1e-5, q = 1/32, T = 16384 (the noise share d s^2/C^2 >= 4 at every d)."
    ),
    predicted=Scaling(exponent=0.5, parameter="d"),
    mutants=[
        Mutant(
            "noise_norm_sigma_C",
            "a noise vector of norm sigma C (per-coordinate std sigma C / sqrt d) instead of "
            "N(0, sigma^2 C^2 I_d): the noise no longer grows with d",
            params={"noise": "norm", "replicates": MUTANT_REPLICATES},
        ),
        Mutant(
            "strongly_convex_rate",
            "the dimension dependence of the theorem's strongly convex part (d, not sqrt d) "
            "read for this convex loss",
            predicted=Scaling(exponent=1.0, parameter="d"),
        ),
    ],
)
def utility_in_d(
    ctx: RunContext, noise: str = "calibrated", replicates: int | None = None
) -> Samples:
    settings = [{"records": D_SWEEP_N, "noise": noise, "dims": int(d)} for d in D_GRID]
    runs, _ = dp_sgd_runs(ctx, settings, replicates or ctx.pick(12, 24))
    return Samples(
        D_GRID,
        np.stack([r.values for r in runs], axis=1),
        x_label="dimension d",
        y_label="E F(theta_tau) - F*",
        notes=sgd_notes(runs, np.full(len(runs), SGD_EPS)),
    )


@claim(
    "dp.sgd.utility.eps",
    paper=BST14.theorem("Theorem 2.4 (noisy SGD), run as Abadi et al. 2016 run DP-SGD"),
    statement=(
        "The excess empirical risk of DP-SGD falls as 1/eps at fixed n and d, the 1/eps being "
        "the Gaussian noise sqrt(log(1/delta))/eps the accountant calibrates."
    ),
    latex=r"\mathbb{E}F(\theta_\tau) - F^* \propto \varepsilon^{-1}",
    assumptions=("loss convex; per-example gradients clipped to C", "(eps, delta)-DP, eps <= 1"),
    simplification=(
        "The sharp instance of dp.sgd.utility at n = 1024, d = 16, eps in [1/4, 1], "
        "delta = 1e-5, q = 1/32, T = 16384; the accountant's sigma(eps) eps (its departure "
        "from 1/eps) divided out."
    ),
    predicted=Scaling(exponent=-1.0, parameter="eps", known_factor="sigma_eps"),
    mutants=[
        Mutant(
            "composition_forgotten",
            "sigma calibrated for one sampled step instead of T (the accounting forgets "
            "composition)",
            params={"noise": "no_composition", "replicates": MUTANT_REPLICATES},
        ),
        Mutant(
            "strongly_convex_rate",
            "the privacy dependence of the theorem's strongly convex part (1/eps^2) read for "
            "this convex loss",
            predicted=Scaling(exponent=-2.0, parameter="eps", known_factor="sigma_eps"),
        ),
    ],
)
def utility_in_eps(
    ctx: RunContext, noise: str = "calibrated", replicates: int | None = None
) -> Samples:
    settings = [
        {"records": EPS_SWEEP_N, "noise": noise, "epsilon": float(e)} for e in EPSILON_SWEEP
    ]
    runs, calibrated = dp_sgd_runs(ctx, settings, replicates or ctx.pick(48, 96))
    return Samples(
        EPSILON_SWEEP,
        np.stack([r.values for r in runs], axis=1),
        # the calibrated noise's factor, whatever the mutant did to the noise it added
        constants={"sigma_eps": calibrated * EPSILON_SWEEP},
        x_label="epsilon",
        y_label="E F(theta_tau) - F*",
        notes=sgd_notes(runs, EPSILON_SWEEP),
    )


# --- the instance is what the docstring says ----------------------------------------------------


def test_every_example_is_clipped_and_batches_are_poisson():
    ctx = RunContext("t", 0, "quick", np.random.default_rng(0))
    (run,), _ = dp_sgd_runs(ctx, [{"records": 256}], 12)
    assert run.max_contribution == SGD_CLIP  # G = 2 > C: every contribution is clipped to C
    sizes = run.batch_sizes.ravel()
    # Binomial(256, 1/32): mean 8, variance 8 (31/32)
    assert abs(sizes.mean() - 8) < 0.05
    assert abs(sizes.var() / (8 * 31 / 32) - 1) < 0.05
