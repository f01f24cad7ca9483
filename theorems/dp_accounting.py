r"""Renyi differential privacy of the Gaussian and the Poisson-subsampled Gaussian mechanisms.

Mironov, *Renyi Differential Privacy*, CSF 2017, arXiv 1702.07476, Proposition 7: the Gaussian
mechanism with sensitivity :math:`\Delta` and noise :math:`N(0, s^2)` is
:math:`(\alpha, \alpha\Delta^2/(2s^2))`-RDP, since

.. math::  D_\alpha\big(N(0, s^2) \,\|\, N(\Delta, s^2)\big) = \frac{\alpha \Delta^2}{2 s^2}.

Mironov, Talwar, Zhang, *Renyi Differential Privacy of the Sampled Gaussian Mechanism*,
arXiv 1908.10530, Section 3.3: for Poisson sampling with rate :math:`q`, noise multiplier
:math:`\sigma` and an integer order :math:`\alpha \ge 2`,

.. math::  \varepsilon(\alpha) = \frac{1}{\alpha - 1} \log \sum_{k=0}^{\alpha} \binom{\alpha}{k}
           (1-q)^{\alpha-k} q^k \exp\Big(\frac{k^2 - k}{2\sigma^2}\Big).

The package calibrates every DP simulator with ``dp_accounting`` (:mod:`simulators.privacy`);
these claims check that the library's numbers are the theorems' numbers.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy

from proofs_checks import (
    Agreement,
    Comparison,
    Identity,
    Mutant,
    RunContext,
    Symbolic,
    claim,
)
from simulators.privacy import rdp_gaussian, rdp_poisson_gaussian
from theorems.bibliography import MIRONOV, MTZ

# --- the formulas, each written once ------------------------------------------------------------

ALPHA, SIGMA, DELTA_SENS = sympy.symbols("alpha sigma Delta", positive=True)
X = sympy.Symbol("x", real=True)
#: Proposition 7: the Gaussian mechanism's RDP of order alpha.
GAUSSIAN_RDP = ALPHA * DELTA_SENS**2 / (2 * SIGMA**2)

ORDER = sympy.Symbol("alpha", integer=True, positive=True)  # MTZ: integer orders >= 2
Q = sympy.Symbol("q", positive=True)
K = sympy.Symbol("k", integer=True, nonnegative=True)
#: MTZ Section 3.3: the Poisson-subsampled Gaussian's RDP at an integer order.
MTZ_RDP = sympy.log(
    sympy.Sum(
        sympy.binomial(ORDER, K)
        * (1 - Q) ** (ORDER - K)
        * Q**K
        * sympy.exp((K**2 - K) / (2 * SIGMA**2)),
        (K, 0, ORDER),
    )
) / (ORDER - 1)
#: The formula and the mistake its mutant stands for (the 2 of 2 sigma^2 dropped: sigma^2 ->
#: sigma^2 / 2), evaluated in mpmath.
MTZ_FORMULAS = {
    "theorem": MTZ_RDP,
    "exponent_factor_dropped": MTZ_RDP.subs(SIGMA, SIGMA / sympy.sqrt(2)),
}
_MTZ_NUMBERS = {
    name: sympy.lambdify((Q, SIGMA, ORDER), formula, modules="mpmath")
    for name, formula in MTZ_FORMULAS.items()
}


@claim(
    "dp.rdp.gaussian",
    paper=MIRONOV.theorem("Proposition 7"),
    statement=(
        "The Renyi divergence of order alpha between N(0, sigma^2) and N(Delta, sigma^2) is "
        f"{GAUSSIAN_RDP}."
    ),
    latex=rf"D_\alpha(N(0,\sigma^2)\,\|\,N(\Delta,\sigma^2)) = {sympy.latex(GAUSSIAN_RDP)}",
    assumptions=("alpha > 1", "sigma > 0"),
    simplification="The divergence is integrated by sympy for symbolic alpha, Delta, sigma.",
    predicted=Symbolic(),
    mutants=[
        Mutant(
            "factor_two_dropped",
            f"{2 * GAUSSIAN_RDP} (the factor 2 dropped)",
            params={"scale": 2},
        )
    ],
)
def gaussian_rdp(ctx: RunContext, scale: int = 1) -> Identity:
    s, a, d = SIGMA, ALPHA, DELTA_SENS
    # p^alpha q^(1 - alpha) for p = N(0, s^2), q = N(Delta, s^2): one Gaussian integral.
    integrand = sympy.exp(sympy.expand(-(a * X**2 + (1 - a) * (X - d) ** 2) / (2 * s**2)))
    integrand /= sympy.sqrt(2 * sympy.pi * s**2)
    integral = sympy.simplify(sympy.integrate(integrand, (X, -sympy.oo, sympy.oo), conds="none"))
    divergence = sympy.expand_log(sympy.log(integral), force=True) / (a - 1)
    return Identity(
        lhs=divergence,
        rhs=scale * GAUSSIAN_RDP,
        steps=[
            ("integral of p^alpha q^(1-alpha)", integral),
            ("divergence log(.)/(alpha - 1)", sympy.simplify(divergence)),
        ],
        test_points=[{a: sympy.Rational(314159, 100000), s: sympy.Rational(271828, 100000), d: 1}],
    )


# --- the Poisson-subsampled Gaussian ------------------------------------------------------------

RATES = (0.001, 0.01, 0.1, 0.5, 1.0)
NOISES = (0.7, 1.0, 2.0, 5.0)
ORDERS = (2, 3, 5, 8, 16, 32, 64)


def mtz_rdp(q: float, sigma: float, alpha: int, formula: str = "theorem") -> mpmath.mpf:
    """One of :data:`MTZ_FORMULAS` evaluated in 50-digit arithmetic."""
    with mpmath.workdps(50):
        return _MTZ_NUMBERS[formula](mpmath.mpf(q), mpmath.mpf(sigma), int(alpha))


@claim(
    "dp.rdp.subsampled_gaussian",
    paper=MTZ.theorem("Section 3.3, integer orders"),
    statement=(
        f"The RDP of the Poisson-subsampled Gaussian at integer orders is {MTZ_RDP}, "
        "and dp_accounting computes exactly that."
    ),
    latex=rf"\varepsilon(\alpha) = {sympy.latex(MTZ_RDP)}",
    assumptions=("integer alpha >= 2", "add/remove adjacency", "0 < q <= 1"),
    simplification=(
        "Integer orders only: for fractional orders dp_accounting sums absolute values of the "
        "series terms (a slightly conservative value) and differs from signed-series "
        "implementations in the 4th digit."
    ),
    # dp_accounting evaluates the same finite sum in float64 log space: an absolute error of a
    # few 1e-16 in log A. The smallest log A on this grid is ~4e-8 (q = 0.001, sigma = 5,
    # alpha = 2), so the relative error is below 1e-8; 1e-6 leaves a wide margin, while the
    # mutant's factor changes the exponent terms by e^{(k^2-k)/(2 sigma^2)} (>= 2% at sigma = 5).
    predicted=Agreement(rtol=1e-6),
    mutants=[
        Mutant(
            "exponent_factor_changed",
            "exp((k^2 - k)/sigma^2): the factor 2 of the exponent dropped",
            params={"formula": "exponent_factor_dropped"},
        )
    ],
)
def subsampled_gaussian_rdp(ctx: RunContext, formula: str = "theorem") -> Comparison:
    computed, reference, labels = [], [], []
    for q in RATES:
        for sigma in NOISES:
            library = rdp_poisson_gaussian(q, sigma, ORDERS)
            for alpha, value in zip(ORDERS, library, strict=True):
                computed.append(float(mtz_rdp(q, sigma, alpha, formula)))
                reference.append(value)
                labels.append(f"q={q:g}, sigma={sigma:g}, alpha={alpha}")
    return Comparison(np.array(computed), np.array(reference), labels)


# --- the symbolic value is dp_accounting's value ----------------------------------------------


def test_gaussian_rdp_closed_form_equals_dp_accounting():
    orders = [1.5, 2.0, 3.14159, 10.0, 64.0]
    for sigma in (0.5, 2.71828, 10.0):
        closed_form = sympy.lambdify((ALPHA, SIGMA, DELTA_SENS), GAUSSIAN_RDP)
        expected = [closed_form(a, sigma, 1.0) for a in orders]
        np.testing.assert_allclose(rdp_gaussian(sigma, orders), expected, rtol=1e-12)


def test_mtz_formula_reduces_to_gaussian_at_full_sampling():
    for alpha in (2, 7, 32):
        value = mtz_rdp(1.0, 1.7, alpha)
        assert abs(float(value) - alpha / (2 * 1.7**2)) < 1e-30 + 1e-14 * alpha
