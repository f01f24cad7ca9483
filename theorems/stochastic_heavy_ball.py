r"""Stochastic heavy ball: acceleration under anisotropic noise (Pan et al.).

**Pan, Liu, Wang & Zhang 2023** (arXiv 2312.14567, ICLR 2024), main result (abstract; the
theorem's text, stage lengths and constants could not be retrieved). On quadratics
:math:`f(w) = \frac12 (w - w^*)^\top H (w - w^*)`, :math:`\mu I \preceq H \preceq LI`, with
anisotropic gradient noise :math:`\mathbb E[n_t n_t^\top] \preceq \sigma^2 H`, stochastic heavy
ball with a step-decay schedule needs :math:`\tilde O(\sqrt\kappa \log(1/\epsilon))` iterations
to shrink the bias term by :math:`\epsilon` where SGD with step decay needs
:math:`\tilde O(\kappa \log(1/\epsilon))`, while its variance term stays
:math:`\tilde O(d\sigma^2/T)`, like SGD's.

The Handbook's SGD with momentum (Garrigos & Gower, Theorem 7.4) is checked in
:mod:`theorems.handbook_shb`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from proofs_checks import (
    AT_MOST,
    Mutant,
    PowerLaw,
    RunContext,
    Samples,
    Scaling,
    claim,
)
from simulators.momentum import shb_noiseless_gaps, shb_quadratic_risk, step_decay_stages
from theorems.bibliography import PAN

# --- the formulas, each written once ------------------------------------------------------------

kappa = sp.Symbol("kappa", positive=True)
#: SHB's momentum: every eigenvalue of the first stage (step 1/L) contracts at 1 - 1/sqrt(kappa).
SHB_MOMENTUM = (1 - 1 / sp.sqrt(kappa)) ** 2
shb_momentum = sp.lambdify(kappa, SHB_MOMENTUM)

# --- Pan et al.: the bias term, iterations against kappa ---------------------------------------

BIAS_EPS, BIAS_DIM = 1e-6, 50
SCHEDULE = (
    "Step decay as in Ge et al. 2019 (the paper's stage lengths were not retrieved): budget T "
    "split into S(T) = floor(log2 T) equal stages, step 1/L halved each stage; SHB momentum "
    f"fixed at beta = {SHB_MOMENTUM}, the value that makes every eigenvalue of the first "
    "stage contract at 1 - 1/sqrt(kappa)."
)


@lru_cache(maxsize=64)  # deterministic: the SGD baseline and the momentum-off mutant share it
def iterations_to_eps(kappa: float, beta_rule: str) -> int:
    """Smallest budget T (to 0.2%) whose final gap, and every larger budget's, is below
    ``BIAS_EPS`` times the initial gap: T_eps of a horizon-dependent schedule."""
    lam = np.geomspace(1 / kappa, 1.0, BIAS_DIM)
    e0 = lam**-0.5  # every eigendirection starts with the same excess risk
    beta = shb_momentum(kappa) if beta_rule == "polyak" else 0.0
    target = BIAS_EPS * 0.5 * np.sum(lam * e0**2)

    def last_failure(budgets: np.ndarray) -> int:
        bad = np.nonzero(shb_noiseless_gaps(lam, e0, budgets, 1.0, beta) > target)[0]
        return int(bad[-1]) if len(bad) else -1

    coarse = np.unique(np.round(np.geomspace(4, 1e8, 250)).astype(int))
    i = last_failure(coarse)
    if i == len(coarse) - 1:
        raise RuntimeError(f"no budget up to 1e8 reaches the target at kappa = {kappa}")
    if i < 0:
        return int(coarse[0])
    fine = np.unique(np.round(np.geomspace(coarse[i], coarse[i + 1], 60)).astype(int))
    return int(fine[last_failure(fine) + 1])


def _bias_samples(ctx: RunContext, beta_rule: str) -> Samples:
    kappas = np.geomspace(1e2, 1e4, ctx.pick(7, 13))
    budgets = np.array([iterations_to_eps(float(k), beta_rule) for k in kappas])
    stages = np.array([step_decay_stages(int(t)) for t in budgets])
    return Samples(
        kappas,
        budgets / stages,
        x_label="condition number kappa",
        y_label="T_eps / S(T_eps) (iterations per stage)",
        notes={"T_eps": budgets.tolist(), "stages": stages.tolist()},
    )


#: Exponents 1/2 and 1 are 0.5 apart; 0.15 (the tolerance proposed in the research notes)
#: leaves room for the slowly varying (t+1) factor of the double root at lambda = mu and the
#: later stages' share of the decrease, and still separates the two rates by 0.2 either way.
SCALING_TOLERANCE = 0.15


@claim(
    "shb.anisotropic.bias_acceleration",
    paper=PAN.theorem("main result (abstract); bias term"),
    statement=(
        "On noiseless quadratics (the bias term) the iterations SHB with step decay needs to "
        "shrink f - f* by 1e-6 grow as kappa^(1/2), up to the log factor of the schedule."
    ),
    latex=r"T_\epsilon^{\mathrm{SHB}} = \tilde O(\sqrt\kappa \log(1/\epsilon))",
    assumptions=("f quadratic, mu I <= H <= L I", "bias term: no gradient noise"),
    simplification=SCHEDULE
    + " d = 50 eigenvalues log-spaced in [1/kappa, 1], equal initial excess risk in each; "
    "kappa from 1e2 to 1e4; the known log factor S(T) (number of stages) is divided out.",
    loose=(
        "pending rework: tolerance 0.15 exceeds the resolution target 0.1: refutes only exponents "
        "outside [0.35, 0.66] though the fit's interval is +-0.004"
    ),
    predicted=Scaling(exponent=0.5, tolerance=SCALING_TOLERANCE, parameter="kappa"),
    mutants=[
        Mutant(
            "momentum_off",
            "SHB with beta = 0 (SGD with step decay): no acceleration",
            params={"beta_rule": "zero"},
        )
    ],
)
def shb_bias_scaling(ctx: RunContext, beta_rule: str = "polyak") -> Samples:
    return _bias_samples(ctx, beta_rule)


@claim(
    "shb.anisotropic.bias_acceleration.sgd_baseline",
    paper=PAN.theorem("main result (abstract); the SGD baseline"),
    statement=(
        "On noiseless quadratics SGD with step decay needs iterations growing as kappa^1 to "
        "shrink f - f* by 1e-6, up to the log factor of the schedule."
    ),
    latex=r"T_\epsilon^{\mathrm{SGD}} = \tilde O(\kappa \log(1/\epsilon))",
    assumptions=("f quadratic, mu I <= H <= L I", "bias term: no gradient noise"),
    simplification=SCHEDULE + " Same instances as the SHB claim, beta = 0.",
    loose=(
        "pending rework: tolerance 0.15 exceeds the resolution target 0.1: refutes only exponents "
        "outside [0.84, 1.15] though the fit's interval is +-0.001"
    ),
    predicted=Scaling(exponent=1.0, tolerance=SCALING_TOLERANCE, parameter="kappa"),
    mutants=[
        Mutant(
            "accelerated_sgd",
            "SGD claimed to need only kappa^(1/2) iterations",
            predicted=Scaling(exponent=0.5, tolerance=SCALING_TOLERANCE, parameter="kappa"),
        )
    ],
)
def sgd_bias_scaling(ctx: RunContext) -> Samples:
    return _bias_samples(ctx, "zero")


# --- Pan et al.: the variance term, risk against T --------------------------------------------

VAR_KAPPA, VAR_DIM, VAR_SIGMA = 100.0, 20, 1.0

#: Predicted: risk <= C d sigma^2 log(T) / T. An extra log factor beyond the one divided out
#: would add at most 1/log(256) = 0.18 to the fitted slope over these budgets, so 0.2 admits
#: "within a polylog"; a risk that does not decay (the constant-step mutant) has slope near 0.
# margin 0.2: the old tolerance, pending rework (both variance claims are marked loose)
VARIANCE_PREDICTION = PowerLaw(exponent=-1.0, log_power=1, tolerance=0.2, margin=0.2, side=AT_MOST)


def _variance_samples(ctx: RunContext, beta: float, decay: bool) -> Samples:
    lam = np.geomspace(1 / VAR_KAPPA, 1.0, VAR_DIM)
    budgets = 2 ** np.arange(8, ctx.pick(14, 16))
    risk = shb_quadratic_risk(
        lam, budgets, 1.0, beta, VAR_SIGMA, ctx.pick(100, 200), ctx.rng, decay=decay
    )
    return Samples(
        budgets,
        risk,
        x_label="iterations T",
        y_label="E f(w_T) - f*",
        constants={"d": VAR_DIM, "sigma": VAR_SIGMA},
    )


@claim(
    "shb.anisotropic.variance",
    paper=PAN.theorem("main result (abstract); variance term"),
    statement=(
        "Under anisotropic noise E[n n^T] <= sigma^2 H and w_0 = w*, the final excess risk "
        "of SHB with step decay is O(d sigma^2 / T) up to a polylog of T."
    ),
    latex=r"\mathbb E f(w_T) - f^* = \tilde O\Big(\frac{d\sigma^2}{T}\Big)",
    assumptions=("f quadratic", "E[n n^T] <= sigma^2 H", "step decay"),
    simplification=SCHEDULE
    + " kappa = 100, d = 20, noise n = sigma H^(1/2) z (equality in the condition), "
    "w_0 = w* (variance term alone), budgets 2^8 to 2^13 (2^15 in the full profile).",
    loose=(
        "pending rework: margin 0.2 is the old tolerance (the distance to the mutant), not a model"
        " error: fitted exponent -1.05 after dividing out a log factor, local exponent drifting "
        "from -1.07 to -1.01: cannot tell -1 from -1.1 (refutes only from -1.27)"
    ),
    predicted=VARIANCE_PREDICTION,
    mutants=[
        Mutant(
            "constant_step",
            "SHB with a constant step (no decay): the risk does not fall with T",
            params={"decay": False},
        )
    ],
)
def shb_variance(ctx: RunContext, decay: bool = True) -> Samples:
    return _variance_samples(ctx, shb_momentum(VAR_KAPPA), decay)


@claim(
    "shb.anisotropic.variance.sgd_baseline",
    paper=PAN.theorem("main result (abstract); the SGD baseline"),
    statement=(
        "Under the same anisotropic noise SGD with step decay has final excess risk "
        "O(d sigma^2 / T) up to a polylog of T."
    ),
    latex=r"\mathbb E f(w_T) - f^* = \tilde O\Big(\frac{d\sigma^2}{T}\Big)",
    assumptions=("f quadratic", "E[n n^T] <= sigma^2 H", "step decay"),
    simplification=SCHEDULE + " Same instance as the SHB claim, beta = 0.",
    loose=(
        "pending rework: margin 0.2 is the old tolerance (the distance to the mutant), not a model"
        " error: fitted exponent -0.95 after dividing out a log factor, local exponent drifting "
        "from -0.93 to -0.98; cannot tell -1 from -1.1 (refutes only from -1.18)"
    ),
    predicted=VARIANCE_PREDICTION,
    mutants=[
        Mutant(
            "constant_step",
            "SGD with a constant step: the risk does not fall with T",
            params={"decay": False},
        )
    ],
)
def sgd_variance(ctx: RunContext, decay: bool = True) -> Samples:
    return _variance_samples(ctx, 0.0, decay)
