r"""Lion with decoupled weight decay enters the box :math:`\|x\|_\infty \le 1/\lambda`.

Chen, Liu, Liang & Liu, *Lion Secretly Solves Constrained Optimization: As Lyapunov Predicts*,
ICLR 2024, arXiv 2310.05898. The abstract (read) states that Lion minimises :math:`f` subject to
:math:`\|x\|_\infty \le 1/\lambda`, :math:`\lambda` the decoupled weight decay; public reviews
describe two phases, the iterates entering the box exponentially fast (appendix, Thm B.9,
not read) and then a Lyapunov function decreasing (Thm 4.1). The inequality checked here is the
first phase in its discrete form, derived in one line from the update
:math:`x_{t+1} = (1 - \eta\lambda) x_t - \eta\,\mathrm{sign}(c_t)`: if :math:`0 < \eta\lambda
\le 1`, then for **any** gradient sequence, coordinatewise,
:math:`|x_{t+1,i}| \le (1-\eta\lambda)|x_{t,i}| + \eta`, hence

.. math::  \big(\|x_t\|_\infty - 1/\lambda\big)_+ \le (1-\eta\lambda)^t
           \big(\|x_0\|_\infty - 1/\lambda\big)_+ ,

with equality while every sign pushes outward (a minimiser far outside the box).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from proofs_checks import Bound, Mutant, RunContext, Samples, claim
from simulators.lion import lion_quadratic
from theorems.bibliography import LION

t, eta, lam, E0 = sp.symbols("t eta lambda E_0", positive=True)
#: the excess over the box after t steps, at most (1 - eta lambda)^t times the initial excess
LION_BOX = (1 - eta * lam) ** t * E0
LION_PREDICTION = Bound(
    expression=LION_BOX,
    x=t,
    symbols={
        "t": "iterations",
        "eta": "step size",
        "lambda": "decoupled weight decay",
        "E_0": "(||x_0||_inf - 1/lambda)_+",
    },
)
DECAY, STEP, DIM, START = 0.5, 0.01, 6, 5.0  # box radius 2; ||x_0||_inf = 5: excess 3


def _excess(
    ctx: RunContext, iterations: int, instances: int, decay: float, coupled: bool
) -> np.ndarray:
    """Worst excess over the box per t: the attaining instance and noisy random quadratics."""
    rng = ctx.rng
    # attaining: diagonal A, c = 20 in every coordinate, x_0 = 5: every sign is -1 (outward)
    tight, _ = lion_quadratic(
        np.diag(np.linspace(1.0, 3.0, DIM)),
        np.full(DIM, 20.0),
        np.full((1, DIM), START),
        STEP,
        decay,
        iterations,
        rng,
        coupled=coupled,
    )
    rows = [tight[0]]
    for _ in range(instances):
        factor = rng.standard_normal((DIM, DIM))
        hessian = factor @ factor.T / DIM + 0.1 * np.eye(DIM)
        center = 4 * rng.standard_normal(DIM)
        x0 = START * rng.choice([-1.0, 1.0], size=(1, DIM)) * rng.uniform(0, 1, (1, DIM))
        x0[0, rng.integers(DIM)] = START * rng.choice([-1.0, 1.0])  # ||x_0||_inf = 5
        norms, _ = lion_quadratic(
            hessian, center, x0, STEP, decay, iterations, rng, noise=1.0, coupled=coupled
        )
        rows.append(norms[0])
    return np.clip(np.max(rows, axis=0) - 1 / DECAY, 0.0, None)


@claim(
    "lion.box_constraint",
    paper=LION.theorem("abstract; first phase (appendix Thm B.9, recalled), our one-line form"),
    statement=(
        "Lion with decoupled weight decay lambda and 0 < eta lambda <= 1 satisfies "
        f"(||x_t||_inf - 1/lambda)_+ <= {LION_BOX} for any gradient sequence "
        "(E_0 the initial excess): it enters the box ||x||_inf <= 1/lambda at rate "
        "(1 - eta lambda)^t; a minimiser far outside the box attains it."
    ),
    latex=rf"\left(\|x_t\|_\infty - 1/\lambda\right)_+ \le {sp.latex(LION_BOX)}",
    assumptions=("decoupled weight decay", "0 < eta lambda <= 1", "any gradients (noisy too)"),
    simplification=(
        "lambda = 0.5, eta = 0.01, beta = (0.9, 0.99), d = 6, ||x_0||_inf = 5 (E_0 = 3); the "
        "worst, per t, over the attaining instance (diagonal A, c = 20 * 1, x_0 = 5 * 1) and "
        "random quadratics with c ~ 4 N(0, I) and N(0, I) gradient noise. Deterministic given the "
        "seed: the bound is attained exactly while the iterates are outside the box."
    ),
    predicted=LION_PREDICTION,
    mutants=[
        Mutant(
            "no_weight_decay",
            "lambda = 0 in the run (the box claimed anyway): the iterates follow c out of the box",
            params={"decay": 0.0},
        ),
        Mutant(
            "coupled_decay",
            "the decay coupled into the gradient, sign(grad f + lambda x) (L2, not decoupled)",
            params={"coupled": True},
        ),
    ],
)
def lion_box_entry(ctx: RunContext, decay: float = DECAY, coupled: bool = False) -> Samples:
    # 800 steps (2000 full): the attaining instance needs log(3)/(eta lambda) ~ 220 steps to
    # enter the box, so the horizon covers the whole first phase and a long stay inside
    iterations = ctx.pick(800, 2000)
    excess = _excess(ctx, iterations, ctx.pick(10, 40), decay, coupled)
    steps = np.arange(1, iterations + 1)
    return Samples(
        steps,
        excess[1:],
        constants={"eta": STEP, "lambda": DECAY, "E_0": START - 1 / DECAY},
        x_label="iterations t",
        y_label="max over instances (||x_t||_inf - 1/lambda)_+",
    )
