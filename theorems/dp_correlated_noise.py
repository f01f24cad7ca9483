r"""Correlated noise beats independent noise for private linear regression.

Choquette-Choo, Dvijotham, Pillutla, Ganesh, Steinke, Thakurta, *Correlated Noise Provably
Beats Independent Noise for Differentially Private Learning*, ICLR 2024, arXiv 2310.06771
(Section 3, the asymptotic excess risk of noisy gradient descent on linear regression, and
nu-DP-FTRL).

Gradient descent with correlated noise,
:math:`\theta_{t+1} = \theta_t - \eta(\nabla F(\theta_t) + s\sum_{\tau \ge 0}\beta_\tau
w_{t-\tau})`, :math:`w_t \sim N(0, I)`, on
:math:`F(\theta) = \frac12(\theta - \theta^*)^\top H (\theta - \theta^*)`, has the stationary
excess risk (a linear filter of white noise, evaluated in the frequency domain)

.. math::  F_\infty(\beta) = \frac{\eta^2 s^2}{2}\sum_i \lambda_i \frac{1}{2\pi}
           \int_{-\pi}^{\pi}\frac{|B(e^{i\omega})|^2}{|1 - (1-\eta\lambda_i)e^{i\omega}|^2}\,
           d\omega, \qquad B(z) = \sum_\tau \beta_\tau z^\tau .

Privacy: the noise is that of the matrix mechanism :math:`Cx + s w` with
:math:`C = B^{-1}` (lower-triangular Toeplitz with first column c); with single participation a
record's gradient (norm at most G) moves :math:`Cx` by at most :math:`G\|c\|_2`, so equal
privacy means :math:`s = \sigma G \|c\|_2` for the noise multiplier :math:`\sigma` of the
budget (DP-SGD: :math:`\beta = (1)`, :math:`\|c\|_2 = 1`). nu-DP-FTRL takes
:math:`\beta_\tau = (-1)^\tau\binom{1/2}{\tau}(1-\nu)^\tau`, the power series of
:math:`\sqrt{1 - (1-\nu)z}`; its stationary risk is below DP-SGD's
:math:`(\eta s^2/2)\sum_i 1/(2 - \eta\lambda_i)` at equal privacy.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from proofs_checks import (
    AT_MOST,
    Agreement,
    Bound,
    Comparison,
    Mutant,
    RunContext,
    Samples,
    claim,
)
from simulators.dp import privacy_notes
from simulators.dp_noise import (
    correlated_noise_regression,
    inverse_coefficients,
    nu_ftrl_coefficients,
    stationary_excess_formula,
)
from simulators.privacy import calibrate_noise_multiplier
from theorems.bibliography import CCDPGST

DIM, STEP, GRADIENT_BOUND, EPSILON, DELTA = 50, 0.5, 1.0, 1.0, 1e-5
COEFFICIENTS = 2000  # truncation of the noise filter (1 - nu)^2000 <= 2e-9 for nu >= 0.01

# --- the spectrum and DP-SGD's stationary excess risk, written once ------------------------------

i = sp.Symbol("i", integer=True, positive=True)
#: lambda_i = 1/i, i = 1..d: condition number 50, eta mu = 0.01.
EIGENVALUE = 1 / i
EIGENVALUES = sp.lambdify(i, EIGENVALUE)(np.arange(1, DIM + 1, dtype=float))
nu, eta, sigma, G = sp.symbols("nu eta sigma G", positive=True)
SYMBOLS = {
    "nu": "nu-DP-FTRL's parameter",
    "eta": "step size",
    "sigma": "noise multiplier of the budget",
    "G": "bound on a record's gradient norm",
    "i": f"eigendirection, lambda_i = 1/i, i = 1..{DIM}",
}
#: (eta s^2/2) sum_i 1/(2 - eta lambda_i) with s = sigma G, on this instance's spectrum 1/i.
DP_SGD_STATIONARY = eta * (sigma * G) ** 2 / 2 * sp.Sum(1 / (2 - eta * EIGENVALUE), (i, 1, DIM))
dp_sgd_stationary = sp.lambdify((eta, sigma, G), DP_SGD_STATIONARY)


def noise_coefficients(parameter: float | None) -> np.ndarray:
    """DP-SGD (``None``: independent noise) or nu-DP-FTRL with nu = ``parameter``."""
    if parameter is None:
        return np.array([1.0])
    return nu_ftrl_coefficients(parameter, COEFFICIENTS)


def noise_multiplier() -> float:
    """The noise multiplier of the budget: one Gaussian release per record."""
    return calibrate_noise_multiplier(EPSILON, DELTA, 1.0, 1)


def run_method(ctx, beta, rescale=True):
    """Simulate one noise filter at the noise the budget allows (or not rescaled)."""
    column_norm = float(np.linalg.norm(inverse_coefficients(beta)))
    s = noise_multiplier() * GRADIENT_BOUND * (column_norm if rescale else 1.0)
    run = correlated_noise_regression(
        EIGENVALUES,
        STEP,
        beta,
        s,
        GRADIENT_BOUND * column_norm,
        ctx.pick(10_000, 40_000),
        1_000,
        ctx.pick(8, 16),
        ctx.rng,
        DELTA,
    )
    return run, column_norm


METHODS = (None, 0.01, 0.05)  # DP-SGD, nu = eta mu, nu = 5 eta mu


@claim(
    "dp.correlated_noise.linear_regression",
    paper=CCDPGST.theorem("Section 3 (asymptotic excess risk, linear regression)"),
    statement=(
        "At a fixed privacy budget, the stationary excess risk of gradient descent with noise "
        "filter beta on linear regression equals the frequency-domain formula with "
        "s = sigma G ||c||_2, for DP-SGD and for nu-DP-FTRL."
    ),
    latex=(
        r"F_\infty = \frac{\eta^2 s^2}{2}\sum_i\lambda_i\frac{1}{2\pi}\int_{-\pi}^{\pi}"
        r"\frac{|B(e^{i\omega})|^2}{|1-(1-\eta\lambda_i)e^{i\omega}|^2}d\omega,\ "
        r"s = \sigma G\|c\|_2"
    ),
    assumptions=(
        "quadratic loss, diagonal Hessian",
        "single participation",
        "(eps, delta)-DP, add/remove adjacency",
    ),
    simplification=(
        "Only the privacy noise is simulated (full gradients, no sampling noise); d = 50, "
        "lambda_i = 1/i, eta = 0.5, eps = 1, delta = 1e-5, beta truncated at 2000 terms."
    ),
    # The simulated time average is an unbiased estimate of F_inf once stationary (burn-in
    # 1000 steps = 10 relaxation times of the slowest mode; the noise filter is stationary
    # from the start); the 3% tolerance is the issue's, and the Monte Carlo bands are ~+-1%.
    predicted=Agreement(rtol=0.03),
    mutants=[
        Mutant(
            "noise_not_rescaled",
            "the correlated noise not rescaled by ||c||_2 (less noise than the budget allows)",
            params={"rescale": False},
        )
    ],
)
def correlated_noise_formula(ctx: RunContext, rescale: bool = True) -> Comparison:
    computed, reference, labels, spent = [], [], [], []
    multiplier = noise_multiplier()
    for parameter in METHODS:
        beta = noise_coefficients(parameter)
        run, column_norm = run_method(ctx, beta, rescale)
        computed.append(run.values[:, 0])
        budget_noise = multiplier * GRADIENT_BOUND * column_norm
        reference.append(stationary_excess_formula(EIGENVALUES, STEP, beta, budget_noise))
        labels.append("DP-SGD" if parameter is None else f"nu-DP-FTRL nu={parameter:g}")
        spent += run.privacy
    return Comparison(
        np.stack(computed, axis=1),
        np.array(reference),
        labels,
        notes={"privacy": privacy_notes(spent, EPSILON, DELTA)},
    )


NUS = np.array([0.005, 0.01, 0.02, 0.05])


@claim(
    "dp.correlated_noise.linear_regression.advantage",
    paper=CCDPGST.theorem("Section 3 (nu-DP-FTRL vs DP-SGD)"),
    statement=(
        "At equal privacy, nu-DP-FTRL's stationary excess risk on linear regression is below "
        f"DP-SGD's {DP_SGD_STATIONARY} (lambda_i = 1/i)."
    ),
    latex=rf"F_\infty(\nu\text{{-DP-FTRL}}) \le {sp.latex(DP_SGD_STATIONARY)}",
    assumptions=("quadratic loss", "single participation", "equal (eps, delta)"),
    simplification="The instance of dp.correlated_noise.linear_regression, nu in [0.005, 0.05].",
    loose=(
        "pending rework: the data reach 0.28 of the bound (max y/B 0.283): a bound 3.5 times "
        "smaller is confirmed too"
    ),
    predicted=Bound(expression=DP_SGD_STATIONARY, x=nu, side=AT_MOST, symbols=SYMBOLS),
    mutants=[
        Mutant(
            "strategy_as_noise",
            "the strategy coefficients c used as the noise coefficients (error blows up)",
            params={"filter": "strategy"},
        )
    ],
)
def correlated_noise_advantage(ctx: RunContext, filter: str = "noise") -> Samples:
    values, spent = [], []
    for parameter in NUS:
        beta = noise_coefficients(float(parameter))
        if filter == "strategy":
            beta = inverse_coefficients(beta)
        run, _ = run_method(ctx, beta)
        values.append(run.values[:, 0])
        spent += run.privacy
    return Samples(
        NUS,
        np.stack(values, axis=1),
        constants={"sigma": noise_multiplier(), "eta": STEP, "G": GRADIENT_BOUND},
        x_label="nu",
        y_label="stationary excess risk",
        notes={"privacy": privacy_notes(spent, EPSILON, DELTA)},
    )


def test_reference_numbers_of_the_notes():
    """d = 50, lambda_i = 1/i, eta = 0.5, s = ||c|| per unit sensitivity: 6.4063 and 1.668."""
    sgd = stationary_excess_formula(EIGENVALUES, STEP, np.array([1.0]), 1.0)
    assert abs(sgd - 6.4063) < 1e-3
    assert abs(sgd - dp_sgd_stationary(STEP, 1.0, 1.0)) < 1e-9
    beta = nu_ftrl_coefficients(0.01, COEFFICIENTS)
    c = inverse_coefficients(beta)
    assert abs(c @ c - 2.137) < 1e-3
    assert abs(stationary_excess_formula(EIGENVALUES, STEP, beta, np.linalg.norm(c)) - 1.668) < 1e-3
