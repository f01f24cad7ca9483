r"""Exponential random scaling: the identity behind Zhang & Cutkosky's SGDM variant.

Zhang & Cutkosky, *Random Scaling and Momentum for Non-smooth Non-convex Optimization*,
ICML 2024, arXiv 2405.09742. The abstract (read) says that scaling each SGDM update by an
Exp(1) random scalar gives optimal guarantees for non-smooth non-convex optimization through
online-to-nonconvex conversion; the theorem bodies were not read. The step the conversion rests
on is the identity below (our derivation, integration by parts against :math:`e^{-s}`, not a
numbered statement of the paper): for :math:`F` locally Lipschitz with sub-exponential growth
and :math:`s \sim \mathrm{Exp}(1)`,

.. math::  \mathbb{E}_s[F(x + s\Delta)] - F(x)
           = \mathbb{E}_s[\langle \nabla F(x + s\Delta), \Delta\rangle],

with no smoothness or convexity: the expected loss change of a randomly scaled step equals an
expected linear term, which an online learner can control. With any other law of :math:`s` (a
uniform with the same mean, a constant) a remainder from the curvature stays.
"""

from __future__ import annotations

import numpy as np

from proofs_checks import Agreement, Comparison, Mutant, RunContext, claim
from simulators.random_scaling import relu_sine_instance, scaling_identity_sides
from theorems.bibliography import ZHANG_CUTKOSKY


@claim(
    "random_scaling.identity",
    paper=ZHANG_CUTKOSKY.theorem("the exponential-scaling identity (mechanism; our derivation)"),
    statement=(
        "With s ~ Exp(1), E[F(x + s d)] - F(x) = E[<grad F(x + s d), d>] exactly, for F "
        "non-smooth and non-convex (a ReLU layer plus sum |sin 2x_j|); the identity the "
        "paper's online-to-nonconvex conversion rests on, derived here by parts, not quoted."
    ),
    latex=r"\mathbb{E}_{s\sim\mathrm{Exp}(1)}[F(x+s\Delta)] - F(x) = "
    r"\mathbb{E}_{s\sim\mathrm{Exp}(1)}[\langle \nabla F(x+s\Delta), \Delta\rangle]",
    assumptions=("F locally Lipschitz", "F of sub-exponential growth", "s ~ Exp(1)"),
    simplification=(
        "Twenty random (F, x, d) in R^5 with F(x) = v^T relu(W x) + sum_j |sin 2 x_j| (W 8 x 5); "
        "both expectations by Gauss-Legendre quadrature on each smooth piece between the kinks "
        "of the ray, exact to rounding."
    ),
    # Both sides are computed to rounding (about 1e-15 relative to values of order 1), so a
    # relative tolerance of 1e-10 is floating-point slack only; the mutants miss by 1e-2 to 1.
    predicted=Agreement(rtol=1e-10, atol=1e-12),
    mutants=[
        Mutant(
            "uniform_scaling",
            "s ~ U(0, 2), the same mean as Exp(1): the identity claimed for it",
            params={"scaling": "uniform"},
        ),
        Mutant(
            "no_scaling",
            "s = 1 (plain SGDM): F(x + d) - F(x) = <grad F(x + d), d> claimed",
            params={"scaling": "constant"},
        ),
    ],
)
def exponential_scaling_identity(ctx: RunContext, scaling: str = "exponential") -> Comparison:
    instances = ctx.pick(20, 100)
    lhs, rhs, labels = [], [], []
    for index in range(instances):
        function = relu_sine_instance(ctx.rng)
        x, direction = ctx.rng.standard_normal(5), ctx.rng.standard_normal(5)
        left, right = scaling_identity_sides(function, x, direction, scaling)
        lhs.append(left)
        rhs.append(right)
        labels.append(f"instance {index}")
    return Comparison(
        np.array(lhs),
        np.array(rhs),
        labels,
        notes={"scaling": scaling, "dimension": 5, "hidden width": 8},
    )
