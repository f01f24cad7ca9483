r"""Maximum likelihood under misspecification: the risk to the information projection.

Sheena, *MLE convergence speed to information projection of exponential family: criterion for
model dimension and sample size*, arXiv 2105.08947 (2021). The paper expands the risk
:math:`\mathbb{E}\,KL(p^* \,\|\, p_{\hat\theta_n})` of the plug-in MLE up to order
:math:`n^{-2}`, where :math:`p^*` is the information projection of the true law :math:`q` on
the model (the model member closest to :math:`q` in Kullback-Leibler divergence). Its leading
term, for an exponential family with sufficient statistic :math:`T`, is

.. math::  n\,\mathbb{E}\,KL(p^* \,\|\, p_{\hat\theta_n}) \to
           \tfrac12 \operatorname{tr}\!\big(J^{-1} I\big), \qquad
           I = \operatorname{Cov}_q T, \quad J = \operatorname{Cov}_{p^*} T,

which is :math:`p/2` (:math:`p` the model's dimension) exactly when :math:`I = J`, as for a
correctly specified model. The paper's theorem numbers were not retrieved; the leading term is
written here from the standard sandwich argument (the MLE's natural parameter is asymptotically
normal with covariance :math:`J^{-1} I J^{-1}/n`, and the KL divergence is locally the quadratic
form of :math:`J`), which the paper's expansion refines.

The instance: the Gaussian model :math:`N(\mu, \sigma^2)` (:math:`p = 2`, :math:`T = (x, x^2)`)
fitted to Laplace(0, 1) data (:math:`p^* = N(0, 2)`, constant 1.75), to Exponential(1) data
(:math:`p^* = N(1, 1)`, constant 2.5) and to N(0, 1) data (correct model, constant 1).
"""

from __future__ import annotations

import functools

import numpy as np

from proofs_checks import Agreement, Comparison, Mutant, RunContext, claim
from simulators.mle import projection_kl, sandwich_constant
from theorems.bibliography import SHEENA

TRUTHS = ("laplace", "exponential", "gaussian")
MODEL_DIMENSION = 2


@functools.lru_cache(maxsize=4)
def scaled_risks(seed: int, n: int, replicates: int) -> np.ndarray:
    """``n KL(p* || p_hat_n)`` for each true law, shape ``(replicates, len(TRUTHS))``: drawn
    once per seed, so a mutant rerun with the claim's random numbers reuses the draws."""
    rng = np.random.default_rng(seed)
    return np.stack([n * projection_kl(t, n, replicates, rng) for t in TRUTHS], axis=1)


@claim(
    "mle.information_projection",
    paper=SHEENA.theorem("leading term of the risk expansion (sandwich form, our derivation)"),
    statement=(
        "For an exponential-family model fitted by maximum likelihood to n i.i.d. draws from a "
        "law q outside the model, n E KL(p* || p_hat_n) tends to tr(J^-1 I)/2, with I the "
        "covariance of the sufficient statistic under q and J its covariance under the "
        "information projection p*; it equals p/2 only when I = J."
    ),
    latex=r"n\,\mathbb{E}\,KL(p^* \,\|\, p_{\hat\theta_n}) \to \tfrac12 \operatorname{tr}"
    r"\big(J^{-1} I\big)",
    assumptions=(
        "exponential-family model (here N(mu, sigma^2), p = 2)",
        "i.i.d. data with finite fourth moments",
        "p* the information projection of the true law",
    ),
    simplification=(
        "Gaussian model fitted to Laplace(0, 1) (constant 1.75), Exponential(1) (2.5) and "
        "N(0, 1) (1.0) data; n = 3200 (quick) or 12800 (full), KL in closed form."
    ),
    # The O(1/n) remainder, measured at n = 400 (10^4 replicates), is 5% for Laplace and 2%
    # for the exponential law: 0.6% at n = 3200, 0.15% at n = 12800. n KL is a weighted
    # chi-square with relative standard deviation about 1.1, so 4 10^4 replicates give a
    # standard error of 0.55% and a joint (three comparisons) band of 1.3%: rtol 0.04 holds the
    # remainder plus the band with 3.8 standard errors to spare, and a constant off by 10% lies
    # outside both.
    predicted=Agreement(rtol=0.04),
    mutants=[
        Mutant(
            "well_specified_constant",
            "the well-specified risk p/(2n) claimed under misspecification",
            params={"constant": "dimension"},
        )
    ],
)
def information_projection(ctx: RunContext, constant: str = "sandwich") -> Comparison:
    n = ctx.pick(3_200, 12_800)
    replicates = 40_000  # the band argued above; the full profile gains a larger n
    seed = int(ctx.rng.integers(2**63))
    computed = scaled_risks(seed, n, replicates)
    if constant == "dimension":
        reference = np.full(len(TRUTHS), MODEL_DIMENSION / 2)
    else:
        reference = np.array([sandwich_constant(t) for t in TRUTHS])
    labels = [f"{t}, n={n}" for t in TRUTHS]
    return Comparison(computed, reference, labels, notes={"n": n, "replicates": replicates})


# --- the instance is what the docstring says it is ----------------------------------------------


def test_sandwich_constants_are_the_closed_forms():
    # Laplace(0, 1): Var x = 2, kurtosis 6 -> 1/2 (1 + (24 - 4)/(2 * 4)) = 1.75; Exp(1) adds
    # the skewness term; a Gaussian truth gives p/2.
    np.testing.assert_allclose([sandwich_constant(t) for t in TRUTHS], [1.75, 2.5, 1.0])
