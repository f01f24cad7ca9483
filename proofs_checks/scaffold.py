"""The template behind ``ratecheck new NAME``: a theorem module that runs and passes as written."""

from __future__ import annotations

TEMPLATE = '''r"""{title}: <the paper's title> (<authors>, <year>, arXiv <id>).

Replace this docstring with the theorem as the paper states it, in LaTeX, with its number.
The example below is a real, small claim so that the module passes as written:

**Example.** Gradient descent with step :math:`\\gamma = 1/L` on the quadratic
:math:`f(x) = \\frac12 \\sum_i \\lambda_i x_i^2`, :math:`\\lambda_i \\in [\\mu, L]`, contracts the
squared distance to the minimiser by exactly :math:`(1 - \\gamma\\mu)^2` per step in the long run
(the slowest mode dominates).
"""

from __future__ import annotations

import numpy as np

from proofs_checks import Geometric, Mutant, Paper, RunContext, Samples, claim
from simulators.gd import diagonal_quadratic_sq_errors

# 1. The paper: title, authors, year, arXiv id.
PAPER = Paper(title="<title>", authors="<First Author, Second Author>", year=2024, arxiv=None)

MU, L, DIM = 0.1, 1.0, 10


# 2. One function per claim. The decorator holds the claim as data: the statement, the
#    prediction (kind, predicted value, tolerance, side, fit window) and the mutants.
@claim(
    # The id: dotted lower-case words, family.subject.case (^[a-z0-9_]+(\\.[a-z0-9_]+)+$),
    # stable once published: results files, reports and `ratecheck compare` refer to it.
    "{name}.gd.quadratic.linear_rate",
    paper=PAPER.theorem("Theorem 1"),  # the theorem number in the paper
    statement="GD with step 1/L on a mu-strongly convex quadratic contracts ||x_t - x*||^2 "
    "by exactly (1 - mu/L)^2 per step in the long run.",
    latex=r"\\|x_t - x^*\\|^2 \\asymp (1 - \\mu/L)^{{2t}}",
    assumptions=("f quadratic, eigenvalues in [mu, L]", "step 1/L"),
    # The tolerance is relative on the rate -log(rho): 2% is far wider than the fit's error
    # on exact geometric data past the window start and far narrower than the mutant's
    # factor-2 error. Choose yours from the theory in the same way, never from a seed.
    predicted=Geometric(rho=(1 - MU / L) ** 2, tolerance=0.02, window=(50, None)),
    # 3. At least one mutant: a deliberately wrong variant the check must refute.
    mutants=[
        Mutant(
            "unsquared_rate",
            "the norm's rate (1 - mu/L) claimed for the squared norm",
            predicted=Geometric(rho=1 - MU / L, tolerance=0.02, window=(50, None)),
        )
    ],
)
def gd_quadratic_rate(ctx: RunContext) -> Samples:
    # 4. Run a simulator with ctx.rng (seeded from the run's seed and the claim id) and sizes chosen
    #    per profile with ctx.pick(quick, full); return the data the kind needs.
    replicates = ctx.pick(32, 128)
    steps = ctx.pick(200, 400)
    x0 = ctx.rng.standard_normal((replicates, DIM))
    sq = diagonal_quadratic_sq_errors(np.linspace(MU, L, DIM), x0, 1.0 / L, steps)
    return Samples(np.arange(steps + 1), sq, x_label="iterations t", y_label="||x_t - x*||^2")
'''


def render(name: str) -> str:
    return (
        TEMPLATE.replace("{title}", name.replace("_", " ").capitalize())
        .replace("{name}", name)
        .replace("{{", "{")
        .replace("}}", "}")
    )
