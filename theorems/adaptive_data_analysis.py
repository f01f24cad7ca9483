r"""Adaptive data analysis: answer noise makes adaptively chosen queries safe.

Dwork, Feldman, Hardt, Pitassi, Reingold & Roth, *Preserving Statistical Validity in Adaptive
Data Analysis*, arXiv 1411.2664 (STOC 2015): answering :math:`k` adaptively chosen statistical
queries with their empirical means on :math:`n` samples supports only about :math:`n` queries
(an adaptive analyst forces error :math:`\approx\sqrt{k/n}`), while perturbed answers support
exponentially many. The rate for Gaussian noise, **error** :math:`\tilde O(k^{1/4}/\sqrt n)`
**with** :math:`\sigma \asymp k^{1/4}/\sqrt n`, is that of Bassily, Nissim, Smith, Steinke,
Stemmer & Ullman, *Algorithmic Stability for Adaptive Data Analysis*, arXiv 1511.02513 (STOC
2016), not of DFHPRR.

The instance (a majority-vote attack): :math:`x \in \{\pm1\}^k` uniform, :math:`y \in \{\pm1\}`
independent; the analyst asks :math:`q_j = x_j y`, keeps the signs :math:`s_j` of the answers
and asks :math:`q^* = y\,\mathrm{sign}(\sum_j s_j x_j)`; every true answer is 0. The error of
the answer to :math:`q^*` is :math:`\approx (2/\pi)\sqrt{k/n}` for empirical answers and of order
:math:`k^{1/4}/\sqrt n` (bias and noise alike) with :math:`\sigma = k^{1/4}/\sqrt n`: the attack
attains the upper bound's rate.
"""

from __future__ import annotations

import numpy as np

from proofs_checks import Mutant, PowerLaw, RunContext, Samples, claim
from simulators.adaptive_data_analysis import final_query_error_sweep
from theorems.bibliography import BNSSSU

SAMPLE_SIZE = 1_000


@claim(
    "adaptive_data_analysis.noise_helps",
    paper=BNSSSU.theorem("the Gaussian mechanism's k^1/4/sqrt(n) accuracy (rate of BNSSSU 2016)"),
    statement=(
        "Answering k adaptively chosen statistical queries with Gaussian noise of standard "
        "deviation k^1/4/sqrt(n) keeps the error of the analyst's final query of order "
        "k^1/4/sqrt(n), where empirical answers suffer sqrt(k/n); the majority-vote attack "
        "attains k^1/4."
    ),
    latex=r"\mathbb{E}\,|a(q^*) - q^*(\mathcal{D})| \asymp k^{1/4}/\sqrt{n}",
    assumptions=("k <= n / 4", "queries bounded in [-1, 1]", "noise i.i.d. N(0, sigma^2)"),
    simplification=(
        "n = 1000, k = 15 to 255 (odd, so majority votes do not tie), 1000 runs; the error "
        "averaged exactly over the final answer's noise."
    ),
    # In units of 1/sqrt(n) the answer's error is |b + sqrt(1 + sqrt k) Z| with bias
    # b ~ (2/pi) sqrt(k)/sqrt(1 + sqrt k): both terms tend to k^1/4, and the +1 (the sample's
    # own noise) lowers the local slope by about 0.05 at k = 15 and 0.015 at k = 255, so the
    # fit lies within 0.03 of 1/4 (measured: 0.237, local slopes 0.231 to 0.242): tolerance
    # 0.05.
    predicted=PowerLaw(exponent=0.25, tolerance=0.05),
    mutants=[
        Mutant(
            "noise_does_not_help",
            "the noisy mechanism claimed to suffer the empirical sqrt(k) growth",
            predicted=PowerLaw(exponent=0.5, tolerance=0.05),
        ),
        Mutant(
            "empirical_answers_suffice",
            "empirical answers (no noise) claimed to grow as k^1/4",
            params={"mechanism": "empirical"},
        ),
    ],
)
def noise_helps(ctx: RunContext, mechanism: str = "gaussian") -> Samples:
    queries = np.array([15, 31, 63, 127, 255])
    # Each replicate's points share one data set (the attack with k queries uses its first k
    # columns) and one normal per answer, and its error is averaged exactly over the final
    # answer's noise (the folded normal's mean): the mean error at each k is unchanged, the
    # per-replicate spread falls from 0.75 to 0.12-0.22 of the mean, and the common
    # numbers make the five means move together. Over 30 seeds the slope's standard deviation
    # is 0.002 at 1000 replicates (0.01 with independent data per k and the final noise
    # drawn), against the 0.037 between the instance's exponent (0.237) and the band's edge.
    replicates = ctx.pick(1_000, 4_000)
    noises = queries**0.25 / np.sqrt(SAMPLE_SIZE)
    if mechanism == "empirical":
        noises = np.zeros(len(queries))
    errors = np.sqrt(SAMPLE_SIZE) * final_query_error_sweep(
        SAMPLE_SIZE, queries, replicates, ctx.rng, noises
    )
    return Samples(queries, errors, x_label="queries k", y_label="sqrt(n) |error of q*|")
