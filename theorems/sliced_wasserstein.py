r"""Sliced Wasserstein distance: the Monte Carlo rate and Nguyen & Ho's control variates.

Nguyen & Ho, *Sliced Wasserstein Estimation with Control Variates*, arXiv 2305.00402 (ICLR
2024). The sliced distance :math:`SW_2^2(\mu, \nu) = \mathbb{E}_{\theta \sim U(S^{d-1})}
W_2^2(\theta_\#\mu, \theta_\#\nu)` is estimated by averaging :math:`Z(\theta) =
W_2^2(\theta_\#\mu, \theta_\#\nu)` over :math:`L` random directions. The paper's starting
point is that this Monte Carlo estimate is unbiased with error :math:`O(L^{-1/2})` (the central
limit theorem: :math:`Z` is bounded); its contribution is a pair of control variates, the
closed-form :math:`W_2^2` between Gaussian fits of the projections (a lower bound :math:`G_L`
and an upper bound :math:`G_U`; definitions from the authors' public code, khainb/CV-SW), whose
means over the sphere are known exactly, and the estimator

.. math::  \widehat{SW}{}_2^2 = \bar Z - \hat\gamma\,(\bar G - \mathbb{E} G), \qquad
           \hat\gamma = \widehat{\operatorname{Cov}}(Z, G) / \widehat{\operatorname{Var}}(G),

which the paper shows (empirically; no rate or constant is stated) "reduces the variance
considerably". Classical control-variate theory gives its mean squared error as
:math:`(1 - \rho^2)\operatorname{Var}(Z)/L + O(L^{-2})`, :math:`\rho = \operatorname{corr}(Z, G)`.

The instance: 100 points in :math:`\mathbb{R}^{10}` each, an anisotropic Gaussian cloud
against a shifted bimodal one (:math:`\rho \approx 0.96` for the lower control variate). The
reference value is the mean of :math:`Z` over :math:`10^5` directions (standard error 0.3% of
the quick profile's smallest error, so its own error shifts no fit).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from proofs_checks import AT_MOST, Bound, Mutant, PowerLaw, RunContext, Samples, claim
from simulators.sliced_wasserstein import (
    projected_w2,
    random_directions,
    sliced_w2_estimates,
    two_cloud_instance,
)
from theorems.bibliography import NGUYEN_HO

ATOMS, DIM = 100, 10
REFERENCE_DIRECTIONS = 100_000


Instance = tuple[np.ndarray, np.ndarray, float, float]


def instance(ctx: RunContext) -> Instance:
    """The two clouds, the reference SW_2^2 and Var Z (both over 1e5 directions)."""
    x, y = two_cloud_instance(ATOMS, DIM, ctx.rng)
    z = projected_w2(x, y, random_directions(REFERENCE_DIRECTIONS, DIM, ctx.rng))
    return x, y, float(z.mean()), float(z.var())


@claim(
    "sliced_wasserstein.mc_rate",
    paper=NGUYEN_HO.theorem("Section 2, the Monte Carlo estimate (central limit theorem)"),
    statement=(
        "The Monte Carlo estimate of SW_2^2 from L directions uniform on the sphere is unbiased "
        "and its mean absolute error decays as L^-1/2."
    ),
    latex=r"\mathbb{E}\,\big|\tfrac1L \textstyle\sum_{l\le L} Z(\theta_l) - SW_2^2\big| "
    r"\asymp L^{-1/2}",
    assumptions=("directions i.i.d. uniform on the sphere", "Z(theta) bounded (finite supports)"),
    simplification=(
        "Two empirical measures of 100 points in R^10 (anisotropic Gaussian against bimodal); "
        "L from 10 to 1000, nested within each replicate."
    ),
    # E|mean - mu| = sigma sqrt(2/(pi L)) (1 + O(1/L)): the skewness correction moves the
    # local slope by well under 0.01 from L = 10, so the rate is attained and 0.05 is the
    # tolerance. The head and tail slopes of the window each carry Monte Carlo noise: with
    # 1000 replicates their difference has standard deviation about 0.02 (measured on
    # resampled directions), inside the 0.05 the settledness test allows.
    predicted=PowerLaw(exponent=-0.5, tolerance=0.05),
    mutants=[
        Mutant(
            "quasi_monte_carlo_rate",
            "the 1/L rate of a quasi-Monte Carlo rule claimed for random directions",
            predicted=PowerLaw(exponent=-1.0, tolerance=0.05),
        )
    ],
)
def mc_rate(ctx: RunContext) -> Samples:
    x, y, reference, _ = instance(ctx)
    projections = np.unique(np.geomspace(10, 1_000, 9).astype(int))
    replicates = ctx.pick(1_000, 4_000)
    estimates = sliced_w2_estimates(x, y, projections, replicates, ctx.rng)
    return Samples(
        projections,
        np.abs(estimates - reference),
        x_label="projections L",
        y_label="|SW_2^2 estimate - reference|",
        notes={"reference": reference},
    )


L_SYM, SIGMA2 = sp.symbols("L sigma_Z^2", positive=True)
#: Plain Monte Carlo's mean squared error: the bound the control variate must stay under.
MC_MSE = SIGMA2 / L_SYM
MC_MSE_BOUND = Bound(
    expression=MC_MSE,
    x=L_SYM,
    side=AT_MOST,
    symbols={"L": "projections", "sigma_Z^2": "variance of Z(theta) over directions"},
)


#: Replicates of the wrong_variate_mean mutant. Its bias, 0.5 gamma ||m_1 - m_2||^2 / d, is
#: fixed while Var(Z)/L falls, so at L = 1000 its mean squared error is 140-150 times the bound
#: and, the bias being about 12 standard deviations of the estimate's noise, the squared error
#: is nearly Gaussian there. At 500 replicates the lower band sits about 1.2 under the mean;
#: at 100 it widens by sqrt(5) to about 2.6, still more than 50 band widths above the bound 1.
MUTANT_REPLICATES = 100


@claim(
    "sliced_wasserstein.control_variates",
    paper=NGUYEN_HO.theorem("Section 3, the lower control variate (LCV-SW)"),
    statement=(
        "The control-variate estimate of SW_2^2 with the Gaussian lower bound G_L (coefficient "
        "estimated from the same L directions) is unbiased, and its mean squared error is below "
        "plain Monte Carlo's Var(Z)/L."
    ),
    latex=r"\mathbb{E}\big(\widehat{SW}{}_2^2 - SW_2^2\big)^2 \le \frac{\operatorname{Var} Z}{L}",
    assumptions=(
        "directions i.i.d. uniform on the sphere",
        "G_L(theta) = (theta . (m_1 - m_2))^2 with exact mean ||m_1 - m_2||^2 / d",
    ),
    simplification=(
        "The instance of sliced_wasserstein.mc_rate; L from 30 to 1000; the bound uses Var Z "
        "over 1e5 directions."
    ),
    loose=(
        "the paper claims a variance reduction with no constant; on an instance where the control "
        "variate helps (corr 0.96) the reduction is tenfold, and where it does not (corr near 0) "
        "the estimated coefficient makes the estimate worse than plain Monte Carlo at finite L, "
        "so no instance attains the bound Var(Z)/L while satisfying it"
    ),
    predicted=MC_MSE_BOUND,
    mutants=[
        Mutant(
            "wrong_variate_mean",
            "the control variate's mean taken as 1.5 ||m_1 - m_2||^2 / d (a biased estimate)",
            params={"mean_factor": 1.5, "replicates": MUTANT_REPLICATES},
        )
    ],
)
def control_variates(
    ctx: RunContext, mean_factor: float = 1.0, replicates: int | None = None
) -> Samples:
    x, y, reference, variance = instance(ctx)
    projections = np.unique(np.geomspace(30, 1_000, 6).astype(int))
    replicates = replicates or ctx.pick(500, 2_000)
    estimates = sliced_w2_estimates(
        x, y, projections, replicates, ctx.rng, variate="lower", mean_factor=mean_factor
    )
    return Samples(
        projections,
        (estimates - reference) ** 2,
        constants={"sigma_Z^2": variance},
        x_label="projections L",
        y_label="squared error of the control-variate estimate",
        notes={"reference": reference},
    )
