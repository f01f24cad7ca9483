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
    Paper,
    RunContext,
    Symbolic,
    claim,
)
from simulators.privacy import rdp_gaussian, rdp_poisson_gaussian

MIRONOV = Paper(
    title="Renyi Differential Privacy",
    authors="Ilya Mironov",
    year=2017,
    arxiv="1702.07476",
    venue="CSF 2017",
)
MTZ = Paper(
    title="Renyi Differential Privacy of the Sampled Gaussian Mechanism",
    authors="Ilya Mironov, Kunal Talwar, Li Zhang",
    year=2019,
    arxiv="1908.10530",
)

ALPHA, SIGMA, DELTA_SENS = sympy.symbols("alpha sigma Delta", positive=True)
X = sympy.Symbol("x", real=True)


@claim(
    "dp.rdp.gaussian",
    paper=MIRONOV.theorem("Proposition 7"),
    statement=(
        "The Renyi divergence of order alpha between N(0, s^2) and N(Delta, s^2) is "
        "alpha Delta^2 / (2 s^2)."
    ),
    latex=r"D_\alpha(N(0,s^2)\,\|\,N(\Delta,s^2)) = \frac{\alpha\Delta^2}{2s^2}",
    assumptions=("alpha > 1", "s > 0"),
    simplification="The divergence is integrated by sympy for symbolic alpha, Delta, s.",
    predicted=Symbolic(),
    mutants=[
        Mutant(
            "factor_two_dropped",
            "alpha Delta^2 / s^2 (the factor 2 dropped)",
            params={"denominator": 1},
        )
    ],
)
def gaussian_rdp(ctx: RunContext, denominator: int = 2) -> Identity:
    s, a, d = SIGMA, ALPHA, DELTA_SENS
    # p^alpha q^(1 - alpha) for p = N(0, s^2), q = N(Delta, s^2): one Gaussian integral.
    integrand = sympy.exp(sympy.expand(-(a * X**2 + (1 - a) * (X - d) ** 2) / (2 * s**2)))
    integrand /= sympy.sqrt(2 * sympy.pi * s**2)
    integral = sympy.simplify(sympy.integrate(integrand, (X, -sympy.oo, sympy.oo), conds="none"))
    divergence = sympy.expand_log(sympy.log(integral), force=True) / (a - 1)
    return Identity(
        lhs=divergence,
        rhs=a * d**2 / (denominator * s**2),
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


def mtz_rdp(q: float, sigma: float, alpha: int, factor: int = 2) -> mpmath.mpf:
    """MTZ's integer-order formula in 50-digit arithmetic; ``factor`` is the 2 of 2 sigma^2."""
    with mpmath.workdps(50):
        q, sigma = mpmath.mpf(q), mpmath.mpf(sigma)
        total = mpmath.fsum(
            mpmath.binomial(alpha, k)
            * (1 - q) ** (alpha - k)
            * q**k
            * mpmath.exp((k * k - k) / (factor * sigma**2))
            for k in range(alpha + 1)
        )
        return mpmath.log(total) / (alpha - 1)


@claim(
    "dp.rdp.subsampled_gaussian",
    paper=MTZ.theorem("Section 3.3, integer orders"),
    statement=(
        "The RDP of the Poisson-subsampled Gaussian at integer orders is "
        "log(sum_k C(alpha,k) (1-q)^(alpha-k) q^k exp((k^2-k)/(2 sigma^2))) / (alpha - 1), "
        "and dp_accounting computes exactly that."
    ),
    latex=(
        r"\varepsilon(\alpha) = \frac{1}{\alpha-1}\log\sum_{k=0}^{\alpha}\binom{\alpha}{k}"
        r"(1-q)^{\alpha-k}q^k e^{(k^2-k)/(2\sigma^2)}"
    ),
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
            params={"factor": 1},
        )
    ],
)
def subsampled_gaussian_rdp(ctx: RunContext, factor: int = 2) -> Comparison:
    computed, reference, labels = [], [], []
    for q in RATES:
        for sigma in NOISES:
            library = rdp_poisson_gaussian(q, sigma, ORDERS)
            for alpha, value in zip(ORDERS, library, strict=True):
                computed.append(float(mtz_rdp(q, sigma, alpha, factor)))
                reference.append(value)
                labels.append(f"q={q:g}, sigma={sigma:g}, alpha={alpha}")
    return Comparison(np.array(computed), np.array(reference), labels)


# --- the symbolic value is dp_accounting's value ----------------------------------------------


def test_gaussian_rdp_closed_form_equals_dp_accounting():
    orders = [1.5, 2.0, 3.14159, 10.0, 64.0]
    for sigma in (0.5, 2.71828, 10.0):
        expected = [a / (2 * sigma**2) for a in orders]
        np.testing.assert_allclose(rdp_gaussian(sigma, orders), expected, rtol=1e-12)


def test_mtz_formula_reduces_to_gaussian_at_full_sampling():
    for alpha in (2, 7, 32):
        value = mtz_rdp(1.0, 1.7, alpha)
        assert abs(float(value) - alpha / (2 * 1.7**2)) < 1e-30 + 1e-14 * alpha
