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

(Theorem 1's body, its constants and the paper's exact preprocessing were not readable here:
the stored copies of arXiv 2307.11106v2 and of the ICLR text reached only the abstract and the
introduction; reviews describe a private mean estimate and a private quantile step. The
centring encoded below, a private histogram for a coarse centre then a Gaussian mean of the
clipped deviations, is ours, not the paper's: its error scales with the diameter, not with R,
but on this instance its clip radius exceeds the diameter, so it never clips.)

The budget covers the preprocessing: the noise of the training run is calibrated by
``dp_accounting`` for the composition of the histogram, the mean and the run.
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
from simulators.dp_features import feature_preprocessing_gaps
from theorems.bibliography import SUN

N, EPSILON, DELTA = 200, 1.0, 1e-5
mu, eps = sp.symbols("mu epsilon", positive=True)
#: Offsets from 1 to 1024: n eps = 200 lies inside, so the grid covers the paper's regime
#: mu > n eps and the one below it.
OFFSETS = np.array([1.0, 4.0, 16.0, 64.0, 256.0, 1024.0])
SIMPLIFICATION = (
    "n = 200, eps = 1, delta = 1e-5, logistic loss, ||theta|| <= 1, free intercept; full-batch "
    "DP-GD (200 steps, step 0.5, clip 1, averaged iterate); DPSGD-F's centring: a private "
    "histogram (bins of 4) for a coarse centre, then a Gaussian mean of the deviations clipped "
    "at 4; noise multipliers 10 (histogram) and 20 (mean), the training noise calibrated for "
    "the composed budget."
)


def gaps(ctx: RunContext, method: str, **options) -> Samples:
    run = feature_preprocessing_gaps(
        N, OFFSETS, EPSILON, DELTA, ctx.pick(32, 128), ctx.rng, method=method, **options
    )
    return Samples(
        OFFSETS,
        run.values,
        x_label="feature offset mu",
        y_label="F(theta, b) - F*",
        notes={"privacy": run.privacy_notes(EPSILON, DELTA)},
    )


@claim(
    "dp.feature_preprocessing",
    paper=SUN.theorem("Theorem 1 (DPSGD-F) on the Section 4 instance"),
    statement=(
        "DPSGD-F's optimality gap does not grow with the feature offset mu (it depends on the "
        "feature diameter, 2 here), on the instance where DPSGD's does."
    ),
    latex=r"\text{gap}_{\mathrm{DPSGD\text{-}F}}(\mu) \propto \mu^0",
    assumptions=("linear classification, convex G-Lipschitz loss", "(eps, delta)-DP"),
    simplification=SIMPLIFICATION,
    # Theorem 1 also has an R log n / (n eps) term, from the paper's quantile step; the centring
    # here has no such term (the coarse centre is within a bin whatever mu <= 2048, and the
    # deviations are within the clip radius), so the gap should be flat. |slope| < 0.2 is the
    # criterion of the research notes; it separates DPSGD's slope (about 0.8) by a wide margin.
    loose=(
        "pending rework: flat by construction: the deviations from the coarse centre are never "
        "clipped (radius 4 > diameter 2), so the centred data are the same for every mu; the "
        "paper's preprocessing (private quantile step, then the mean) and Theorem 1's explicit "
        "bound with its R log n/(n eps) term are not encoded: Theorem 1's statement and "
        "constants could not be read (only the abstract and introduction of arXiv 2307.11106 "
        "were reachable), and neither its form in n and eps nor an instance where clipping "
        "matters is checked yet. Tolerance 0.2 (refutes exponents outside [-0.21, 0.21])"
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
def dpsgd_f_flat(
    ctx: RunContext,
    method: str = "dpsgd_f",
    bias_shift: bool = True,
    count_preprocessing: bool = True,
) -> Samples:
    return gaps(ctx, method, bias_shift=bias_shift, count_preprocessing=count_preprocessing)


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
    return gaps(ctx, method)


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
    )
