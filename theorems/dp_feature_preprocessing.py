r"""Feature preprocessing for differentially private linear optimization.

Sun, Suresh, Menon, *The Importance of Feature Preprocessing for Differentially Private Linear
Optimization*, ICLR 2024, arXiv 2307.11106. Lemma 1 / Theorem 2: on linear classification,
DPSGD's optimality gap grows with the largest feature norm :math:`R = \max_x\|x\|`; there is an
instance (features :math:`\mu e_1 + e_2` for :math:`y = 1` and :math:`\mu e_1 - e_2` for
:math:`y = -1`, Section 4) where it does. Theorem 1: DPSGD-F, DPSGD after a private centring of
the features (and the matching shift of the intercept), has a gap governed by the feature
*diameter* :math:`\max\|x - x'\|` (here 2, whatever :math:`\mu`):

.. math::  \text{gap}_{\mathrm{DPSGD}} \propto \frac{G R\sqrt{\mathrm{rank}\log(1/\delta)}}
           {n\varepsilon}, \qquad
           \text{gap}_{\mathrm{DPSGD\text{-}F}} \propto \frac{G\,\mathrm{diam}\sqrt{\mathrm{rank}
           \log(1/\delta)} + R\log n}{n\varepsilon}.

DPSGD-F's preprocessing, in the steps the paper's summaries give (a private quantile step
chooses the clip radius, then a private mean of the clipped features, then centring), encoded
here with Gaussian mechanisms (the paper's own mechanisms could not be read): a noisy
histogram for a coarse centre :math:`m_0` (translation invariance), a noisy binary search over
radii :math:`2^j` for the radius :math:`\tau` that leaves about :math:`k` deviations
:math:`\|x_i - m_0\|` outside it (5 noisy counts; :math:`k` six times the count noise, so
:math:`k \propto 1/\varepsilon`), then the Gaussian mean of the deviations clipped at
:math:`\tau`. Its error is at most :math:`(k\,\mathrm{diam} + \sigma_m\tau)/n`: the records
outside :math:`\tau` are clipped by at most the diameter each. That is the form of Theorem 1's
:math:`R\log n/(n\varepsilon)` term, with (our reading) :math:`k \sim \log n/\varepsilon` for
a pure-DP quantile over a grid of :math:`\mathrm{poly}(n)` radii (here :math:`k \sim
\sqrt{\log(1/\delta)}/\varepsilon`, no log n: the search asks a fixed number of counts) and
the diameter bounded by :math:`2R`.

Theorem 1's constants could not be read (the stored copies of arXiv 2307.11106 reach only the
abstract and introduction), so the bound is not encoded as a formula with constants. Instead
the error's scaling is checked, two-sided, on the instance that attains the clipping term:
Section 4's features with :math:`K = k/2` records moved a distance :math:`D = 100` along
:math:`e_1`. The quantile step clips those K records (the radius is below the deviations'
spread), and the error is :math:`\approx K(D - \tau)/n + \sigma_m\tau/n`: proportional to
:math:`1/n` (``dp.feature_preprocessing.n``), to the accountant's
:math:`\sigma(\varepsilon) \approx 1/\varepsilon` (``.eps``), and independent of the offset
:math:`\mu`, hence of :math:`R = \max\|x\|` (``dp.feature_preprocessing``), where the naive
private mean, clipped at R, grows with it.

The budget covers the preprocessing: the centring's noise is calibrated by ``dp_accounting`` for
the composition of the histogram, the quantile counts and the mean, and the training run's for
the composition of all of them with the run.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from proofs_checks import (
    AT_LEAST,
    Bound,
    Mutant,
    RunContext,
    Samples,
    Scaling,
    claim,
)
from simulators.dp import privacy_notes
from simulators.dp_centring import centring_multipliers, outliers_for
from simulators.dp_features import centring_run, feature_preprocessing_gaps, outlier_features
from simulators.dp_sensitivity import Sensitivity, sensitivity_notes
from theorems.bibliography import SUN

N, EPSILON, DELTA = 200, 1.0, 1e-5
mu, eps = sp.symbols("mu epsilon", positive=True)
#: Offsets from 1 to 1024: n eps = 200 lies inside, so the grid covers the paper's regime
#: mu > n eps and the one below it.
OFFSETS = np.array([1.0, 4.0, 16.0, 64.0, 256.0, 1024.0])
SIMPLIFICATION = (
    "n = 200, eps = 1, delta = 1e-5, logistic loss, ||theta|| <= 1, free intercept; full-batch "
    "DP-GD (200 steps, step 0.5, clip 1, averaged iterate); DPSGD-F's centring: a private "
    "histogram (bins of 4) for a coarse centre, a private quantile (5 noisy counts over radii "
    "2^j, about n/2 records left out) for the clip radius, then a Gaussian mean of the "
    "clipped deviations; noise multipliers 10 (histogram), 40 (each count) and 20 (mean), the "
    "training noise calibrated for the composed budget."
)

#: The instance where clipping matters: Section 4's features with K records moved D along e1.
DISTANCE = 100.0
#: Offsets for the centring error, not multiples of the bin width 4, so the coarse centre's
#: offset from the data varies with mu as it would on real data.
CLIPPED_OFFSETS = np.array([1.0, 5.0, 23.0, 90.0, 361.0, 1446.0])
SIZES = np.array([500, 1000, 2000, 4000, 8000, 16000])
EPSILONS = np.array([0.25, 0.5, 1.0, 2.0, 4.0])
CENTRING = (
    "delta = 1e-5; Section 4's features with K records moved D = 100 along e1, K = 3 times the "
    "quantile step's count noise (K = 44 at eps = 1); the quantile step leaves out up to 2K "
    "records, so it clips the K far ones; noise multipliers in ratio 1 : 2 : 1 (histogram, each "
    "of 5 quantile counts, mean) calibrated by dp_accounting for the composed (eps, delta); "
    "error ||m_hat - mean(x)||."
)
#: Why the tolerance is 0.05: the error is K (D + d - tau)/n plus the mean's noise, where the
#: coarse centre's offset d (|d| <= 2) and the radius tau (2 or 4: within a factor 2 of the
#: cluster's deviation, sqrt(d^2 + 1)) vary with the configuration: a factor at most
#: 101/94 between configurations, which tilts a fit over a factor 16 or more by at most
#: ln(101/94)/ln 16 = 0.026; the quantile step's failures (a count 3 sigma from its
#: threshold) are equally likely everywhere, as every margin is in units of the count noise.
TOLERANCE_REASON = "offset and radius-grid effects tilt the fit by at most 0.026"


def centring(
    ctx: RunContext,
    sizes: np.ndarray,
    offsets: np.ndarray,
    epsilons: np.ndarray,
    method: str = "quantile",
    count_preprocessing: bool = True,
) -> tuple[np.ndarray, list, list, list[Sensitivity]]:
    """Centring errors over configurations (n, mu, eps), broadcast to one length; the
    privacy spent and the mean's noise multiplier per configuration, and every release's
    measured and assumed sensitivity."""
    sizes, offsets, epsilons = np.broadcast_arrays(sizes, offsets, epsilons)
    replicates = ctx.pick(64, 256)
    errors, spent, multipliers, sensitivity = [], [], [], []
    for n, offset, epsilon in zip(sizes, offsets, epsilons, strict=True):
        chosen = centring_multipliers(float(epsilon), DELTA, count_preprocessing)
        # K far records and a quantile threshold 2K: K counts of margin, 3 sigma, either side
        outliers = outliers_for(centring_multipliers(float(epsilon), DELTA))
        excluded = 2 * outliers
        features = outlier_features(int(n), outliers, np.array([offset]), DISTANCE)
        run = centring_run(
            features,
            float(epsilon),
            DELTA,
            excluded,
            replicates,
            ctx.rng,
            method=method,
            count_preprocessing=count_preprocessing,
        )
        errors.append(run.values[:, 0])
        spent.extend(run.privacy)
        sensitivity.extend(run.sensitivity)
        multipliers.append(chosen[2])
    return np.stack(errors, axis=1), spent, multipliers, sensitivity


@claim(
    "dp.feature_preprocessing",
    paper=SUN.theorem("Theorem 1 (DPSGD-F's preprocessing), on Section 4's instance with outliers"),
    statement=(
        "The error of DPSGD-F's private centring does not grow with the feature offset mu, "
        "hence not with R = max ||x||, on an instance where its clipping matters; the naive "
        "private mean (clipped at R) does grow."
    ),
    latex=r"\|\hat m - \bar x\|(\mu) \propto \mu^0",
    assumptions=("(eps, delta)-DP, add/remove adjacency", "features in a public box"),
    simplification=CENTRING + " n = 1000, eps = 1, mu from 1 to 1446.",
    # two-sided: the instance attains the clipping term (TOLERANCE_REASON)
    predicted=Scaling(exponent=0.0, tolerance=0.05, parameter="mu"),
    mutants=[
        Mutant(
            "naive_private_mean",
            "centring on the naive private mean, features clipped at their norm bound R: its "
            "noise R/n grows with mu",
            params={"method": "naive_mean"},
        ),
    ],
)
def centring_flat(
    ctx: RunContext, method: str = "quantile", count_preprocessing: bool = True
) -> Samples:
    errors, spent, _, sensitivity = centring(
        ctx, np.array(1000), CLIPPED_OFFSETS, np.array(EPSILON), method, count_preprocessing
    )
    return Samples(
        CLIPPED_OFFSETS,
        errors,
        x_label="feature offset mu",
        y_label="||m_hat - mean(x)||",
        notes={
            "privacy": privacy_notes(spent, EPSILON, DELTA),
            "sensitivity": sensitivity_notes(sensitivity),
        },
    )


@claim(
    "dp.feature_preprocessing.n",
    paper=SUN.theorem("Theorem 1, the term R log n/(n eps) of the preprocessing"),
    statement=(
        "The error of DPSGD-F's private centring, where the quantile step clips records, is "
        "proportional to 1/n at fixed eps (no log n here: the quantile search asks a fixed "
        "number of counts)."
    ),
    latex=r"\|\hat m - \bar x\| \propto \frac{k\,\mathrm{diam} + \sigma\tau}{n} \propto n^{-1}",
    assumptions=("(eps, delta)-DP, add/remove adjacency", "features in a public box"),
    simplification=CENTRING + " eps = 1, mu = 90, n from 500 to 16000.",
    predicted=Scaling(exponent=-1.0, tolerance=0.05, parameter="n"),
    mutants=[
        Mutant(
            "log_n",
            "the log n of a pure-DP quantile over poly(n) radii, which this search does not pay",
            predicted=Scaling(exponent=-1.0, log_power=1.0, tolerance=0.05, parameter="n"),
        ),
    ],
)
def centring_in_n(ctx: RunContext) -> Samples:
    errors, spent, _, sensitivity = centring(ctx, SIZES, np.array(90.0), np.array(EPSILON))
    return Samples(
        SIZES.astype(float),
        errors,
        x_label="n",
        y_label="||m_hat - mean(x)||",
        notes={
            "privacy": privacy_notes(spent, EPSILON, DELTA),
            "sensitivity": sensitivity_notes(sensitivity),
        },
    )


@claim(
    "dp.feature_preprocessing.eps",
    paper=SUN.theorem("Theorem 1, the term R log n/(n eps) of the preprocessing"),
    statement=(
        "The error of DPSGD-F's private centring, where the quantile step clips records, is "
        "proportional to 1/eps at fixed n: to the accountant's noise multiplier sigma(eps), "
        "which is sqrt(2 log(1.25/delta))/eps only asymptotically."
    ),
    latex=r"\|\hat m - \bar x\| \propto \frac{\sigma(\varepsilon)}{n} \approx \varepsilon^{-1}",
    assumptions=("(eps, delta)-DP, add/remove adjacency", "features in a public box"),
    simplification=CENTRING
    + " n = 4000, mu = 90, eps from 1/4 to 4 (K from 158 to 13); the accountant's sigma(eps) eps "
    "divided out.",
    predicted=Scaling(exponent=-1.0, tolerance=0.05, parameter="eps", known_factor="sigma_eps"),
    mutants=[
        Mutant(
            "literal_one_over_eps",
            "error proportional to 1/eps read literally, the accountant's sigma(eps) eps (3.6 "
            "at eps = 1/4, 4.4 at eps = 4) not divided out",
            predicted=Scaling(exponent=-1.0, tolerance=0.05, parameter="eps"),
        ),
    ],
)
def centring_in_eps(ctx: RunContext) -> Samples:
    errors, spent, multipliers, sensitivity = centring(
        ctx, np.array(4000), np.array(90.0), EPSILONS
    )
    return Samples(
        EPSILONS,
        errors,
        constants={"sigma_eps": np.array(multipliers) * EPSILONS},
        x_label="epsilon",
        y_label="||m_hat - mean(x)||",
        notes={
            "privacy": privacy_notes(spent, EPSILONS, DELTA),
            "sensitivity": sensitivity_notes(sensitivity),
        },
    )


def gaps(ctx: RunContext, method: str, replicates: int | None = None, **options) -> Samples:
    replicates = replicates or ctx.pick(32, 128)
    run = feature_preprocessing_gaps(
        N, OFFSETS, EPSILON, DELTA, replicates, ctx.rng, method=method, **options
    )
    return Samples(
        OFFSETS,
        run.values,
        x_label="feature offset mu",
        y_label="F(theta, b) - F*",
        notes={
            "privacy": run.privacy_notes(EPSILON, DELTA),
            "sensitivity": run.sensitivity_notes(),
        },
    )


@claim(
    "dp.feature_preprocessing.gap",
    paper=SUN.theorem("Theorem 1 (DPSGD-F) on the Section 4 instance"),
    statement=(
        "DPSGD-F's optimality gap does not grow with the feature offset mu (it depends on the "
        "feature diameter, 2 here), on the instance where DPSGD's does."
    ),
    latex=r"\text{gap}_{\mathrm{DPSGD\text{-}F}}(\mu) \propto \mu^0",
    assumptions=("linear classification, convex G-Lipschitz loss", "(eps, delta)-DP"),
    simplification=SIMPLIFICATION,
    # |slope| < 0.2 separates DPSGD's slope (about 0.8) by a wide margin
    loose=(
        "on Section 4's instance every deviation from the coarse centre has the same norm, so "
        "the quantile step's radius is above all of them and nothing is clipped: the centred "
        "data are the same for every mu up to the coarse centre's offset; the clipping term is "
        "checked on the outlier instance (dp.feature_preprocessing, .n, .eps). Tolerance 0.2"
    ),
    predicted=Scaling(exponent=0.0, tolerance=0.2, parameter="mu"),
    mutants=[
        Mutant(
            "dpsgd",
            "plain DPSGD on the raw features (its gap grows with mu)",
            params={"method": "dpsgd"},
        ),
        Mutant(
            "bias_shift_omitted",
            "centring without shifting the intercept back by -theta . m_hat",
            params={"bias_shift": False},
        ),
        Mutant(
            "naive_private_mean",
            "centring on the naive private mean, features clipped at their norm bound R: its "
            "noise R/n grows with mu",
            params={"method": "naive_mean"},
        ),
    ],
)
def dpsgd_f_flat(ctx: RunContext, method: str = "dpsgd_f", bias_shift: bool = True) -> Samples:
    return gaps(ctx, method, bias_shift=bias_shift)


#: Replicates of dp.feature_preprocessing.dpsgd_grows (quick profile). The claim is withheld
#: when the head and tail fits differ by more than the margin 0.2; their difference is the
#: instance's curvature, 0.12 on average, plus noise of standard deviation 0.042 at 32
#: replicates (over 40 seeds; 2 of them beyond 0.2, as seeds 16 and 24 of the power run),
#: 0.036 at 64 (1 of 40) and 0.024 at 128 (none). 96 replicates put the margin about 2.7
#: standard deviations (0.029) above the mean drift: under 1% of seeds withheld.
GROWS_REPLICATES = 96


@claim(
    "dp.feature_preprocessing.dpsgd_grows",
    paper=SUN.theorem("Lemma 1 and Theorem 2 (DPSGD) on the Section 4 instance"),
    statement="DPSGD's optimality gap grows with the feature offset mu (with R ~ mu).",
    latex=r"\text{gap}_{\mathrm{DPSGD}}(\mu) \gtrsim \mu^{1/2}",
    assumptions=("linear classification", "(eps, delta)-DP"),
    simplification=SIMPLIFICATION,
    # Lemma 1 and Theorem 2 make the gap proportional to R ~ mu between the noise floor (small
    # mu) and saturation (mu > n eps = 200): a crossover on both ends of this grid, whose local
    # slope runs from 0.6 to 1.1 (mu = 1 ... 1024, doubling). The margin 0.2 is that curvature
    # (the head and tail fits differ by 0.05 to 0.1 with the seed and profile); the claim is the
    # theorem's qualitative one, growth at least as mu^(1/2).
    loose=(
        "the theorems give growth proportional to R only between the noise floor and "
        "saturation, both inside this grid: the fitted exponent 0.83 straddles the crossovers, "
        "so a claim of at least 0.8 passes too; no exponent is stated for the whole range"
    ),
    predicted=Scaling(exponent=0.5, side=AT_LEAST, margin=0.2, parameter="mu"),
    mutants=[
        Mutant(
            "with_preprocessing",
            "DPSGD-F in place of DPSGD: its gap does not grow",
            params={"method": "dpsgd_f"},
        )
    ],
)
def dpsgd_grows(ctx: RunContext, method: str = "dpsgd") -> Samples:
    return gaps(ctx, method, ctx.pick(GROWS_REPLICATES, 128))


@claim(
    "dp.feature_preprocessing.budget",
    paper=SUN.theorem("Theorem 1 (privacy of DPSGD-F)"),
    statement=(
        "DPSGD-F is (eps, delta)-DP as a whole: the budget includes the private centring, so "
        "the composed pipeline spends at most the claimed epsilon."
    ),
    latex=r"\varepsilon(\text{histogram} \circ \text{mean} \circ \text{DP-GD}) \le \varepsilon",
    assumptions=("add/remove adjacency",),
    simplification=SIMPLIFICATION + " Epsilon from dp_accounting's RDP accountant.",
    predicted=Bound(
        expression=eps,
        x=mu,
        symbols={"epsilon": "the claimed budget", "mu": "feature offset"},
    ),
    mutants=[
        Mutant(
            "preprocessing_not_counted",
            "the training noise calibrated to the whole budget, the centring left out",
            params={"count_preprocessing": False},
        )
    ],
)
def dpsgd_f_budget(ctx: RunContext, count_preprocessing: bool = True) -> Samples:
    run = feature_preprocessing_gaps(
        N,
        OFFSETS,
        EPSILON,
        DELTA,
        2,
        ctx.rng,
        method="dpsgd_f",
        count_preprocessing=count_preprocessing,
    )
    spent = np.array([p.epsilon for p in run.privacy])
    return Samples(
        OFFSETS,
        spent,
        constants={"epsilon": EPSILON},
        x_label="feature offset mu",
        y_label="epsilon spent",
        notes={
            "privacy": run.privacy_notes(EPSILON, DELTA),
            "sensitivity": run.sensitivity_notes(),
        },
    )
