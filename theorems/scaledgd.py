r"""ScaledGD(lambda): iteration counts for over-parameterised low-rank recovery free of kappa.

Xu, Shen, Chi & Ma, *The Power of Preconditioning in Overparameterized Low-Rank Matrix
Sensing*, ICML 2023, arXiv 2302.01186. The abstract (read) states that ScaledGD(lambda), GD
preconditioned by the damped :math:`(X^\top X + \lambda I)^{-1}`, from a small random
initialisation, converges at a constant linear rate after a number of iterations logarithmic in
the condition number :math:`\kappa` (and :math:`n`), whereas vanilla GD's count grows
polynomially in :math:`\kappa`; the complexity :math:`O(\log\kappa \cdot \log(\kappa n) +
\log(1/\varepsilon))` is second-hand (a summary page), the update and the choice
:math:`\lambda \asymp \sigma_{\min}(M^*)` recalled. The claim checks the abstract's statement
on the factorisation instance (measurement operator the identity, an instance of ours):

.. math::  T_{\mathrm{ScaledGD}(\lambda)}(\varepsilon) = O(\log \kappa) \text{ up to }
           \log(1/\varepsilon), \qquad T_{\mathrm{GD}}(\varepsilon) \propto \kappa .
"""

from __future__ import annotations

import numpy as np

from proofs_checks import AT_MOST, Mutant, RunContext, Samples, Scaling, claim
from simulators.matrix_sensing import iterations_to_accuracy, low_rank_target
from theorems.bibliography import SCALEDGD_LAMBDA

SIZE, RANK, WIDTH, INIT_SCALE, ACCURACY = 30, 3, 6, 1e-6, 1e-8
SCALED_STEP, GD_STEP, DAMPING_FACTOR = 0.5, 0.2, 0.1  # lambda = 0.1 sigma_min(M*)
# GD's kappas (the mutant): 1 to 10^1.5 at half-decade steps. Its count is about
# (log(1/eps) + the escape from alpha) / (eta sigma_min), so it follows kappa from kappa = 1
# (110 iterations there, ~3,000 at 10^1.5, ~8,800 at 100, ~77,000 at 1e3): the fit over
# [1, 10^1.5] gives ~0.96 as over [1, 1e3] it gives ~0.95, with an interval of about +-0.005
# against the 0.05 margin, some 180 widths away. Each further half-decade triples the
# mutant's iterations (up to 1e3 they cost 1.6 s a seed) and adds nothing to a refutation
# that far out.
GD_KAPPAS = np.logspace(0, 1.5, 4)


@claim(
    "scaledgd.condition_free",
    paper=SCALEDGD_LAMBDA.theorem("main theorem (abstract; complexity second-hand)"),
    statement=(
        "ScaledGD(lambda) from a small random initialisation reaches relative accuracy 1e-8 on "
        "an over-parameterised rank-r factorisation in a number of iterations that grows at "
        "most logarithmically in kappa (here, for kappa from 1 to 1e4, it does not grow at all), "
        "while GD's grows as kappa."
    ),
    latex=r"T_{\mathrm{ScaledGD}(\lambda)}(10^{-8}) = O(\log\kappa)"
    r"\quad (\text{checked as } \lesssim \kappa^{0})",
    assumptions=(
        "M* PSD of rank r, condition number kappa",
        "k > r (over-parameterised)",
        "X_0 = alpha G, alpha small",
        "lambda = 0.1 sigma_min(M*)",
        "measurement operator = identity",
    ),
    simplification=(
        "n = 30, r = 3, k = 6, alpha = 1e-6, eta = 0.5, eigenvalues geometric from 1 to 1/kappa; "
        "five initialisations per kappa in {1, 10, ..., 1e4} (GD, the mutant: eta = 0.2, kappa "
        "from 1 to 10^1.5 at half-decade steps, where it already needs ~3e3 iterations)."
    ),
    loose=(
        "the factorisation instance does not attain the log(kappa) growth the theorem allows: its "
        "ScaledGD(lambda) counts fall slowly with kappa (about 17 at kappa = 1 to 11 at 1e4), so "
        "a claimed exponent -0.1 is not refuted; no instance attaining log(kappa) growth at this "
        "scale is known (with Gaussian sensing at small m the counts are erratic)"
    ),
    # One-sided "at most kappa^0": stronger than the theorem's log(kappa), which this instance
    # does not show (no log factor divided out where it is not attained). The margin 0.05 is
    # the fit's model error: integer counts of 11 to 19 move the slope over four decades by
    # about 1/(15 * ln 1e4) ~ 0.007 per iteration of rounding, a few iterations at most.
    predicted=Scaling(exponent=0.0, side=AT_MOST, parameter="kappa"),
    mutants=[
        Mutant(
            "plain_gd",
            "vanilla GD (no preconditioner) run under the ScaledGD(lambda) claim: ~kappa^0.95",
            params={"method": "gd"},
        )
    ],
)
def scaledgd_iterations(ctx: RunContext, method: str = "scaledgd") -> Samples:
    replicates = ctx.pick(5, 10)
    kappas = np.logspace(0, 4, 5) if method == "scaledgd" else GD_KAPPAS
    counts = np.empty((replicates, len(kappas)))
    for column, kappa in enumerate(kappas):
        target = low_rank_target(ctx.rng, SIZE, np.geomspace(1.0, 1.0 / kappa, RANK))
        x0 = INIT_SCALE * ctx.rng.standard_normal((replicates, SIZE, WIDTH))
        if method == "scaledgd":
            counts[:, column] = iterations_to_accuracy(
                target, x0, SCALED_STEP, ACCURACY, 5_000, damping=DAMPING_FACTOR / kappa
            )
        else:
            counts[:, column] = iterations_to_accuracy(
                target, x0, GD_STEP, ACCURACY, int(200 * kappa)
            )
    return Samples(kappas, counts, x_label="condition number kappa", y_label="iterations to 1e-8")
