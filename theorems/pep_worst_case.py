r"""Worst cases over whole function classes, certified by performance estimation (PEP).

A simulator checks a claim on chosen instances; these claims are checked on every function of
the class: for each horizon N a semidefinite program (PEPit, solved by Clarabel) gives the exact
worst case tau_PEP(N), with its solver status and duality gap; the rate of tau_PEP over N is
fitted; and for gradient descent the worst-case example is extracted from the SDP, rebuilt as a
concrete L-smooth convex function, and run through the simulator (simulators.worst_case).

Initial conditions are normalised to 1 (||x0 - x*||^2 <= 1, so D = 1) and L = 1 unless stated.
Horizon grids are modest in the quick profile (an SDP's size grows with N: about 1 s at N = 24,
3 s at N = 32 for GD on one core) and longer in the full profile.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from proofs_checks import Mutant, PowerLaw, RunContext, claim
from proofs_checks.kinds.worst_case import WorstCase, WorstCaseData
from proofs_checks.pep import PEPProblem, require_pepit, solve_grid
from simulators.gd import huber_worst_case_gaps
from simulators.worst_case import SmoothConvexInterpolant, gradient_descent

from .bibliography import DRORI_TEBOULLE

N, L, D, mu, gamma = sp.symbols("N L D mu gamma", positive=True)
SYMBOLS = {"L": "smoothness", "D": "||x_0 - x*||", "mu": "strong convexity", "gamma": "step"}


# --- the methods, written once as PEPit steps ---------------------------------------------------


def gd_steps(funcs, x0, n, step):
    """Gradient descent with a constant step."""
    f, xs = funcs[0], [x0]
    for _ in range(n):
        xs.append(xs[-1] - step * f.gradient(xs[-1]))
    return xs


def fgm_steps(funcs, x0, n, smoothness):
    """Nesterov's fast gradient method (lambda_{k+1} = (1 + sqrt(4 lambda_k^2 + 1)) / 2)."""
    f, x, y, lam, xs = funcs[0], x0, x0, 1.0, [x0]
    for _ in range(n):
        lam_next = (1 + math.sqrt(4 * lam**2 + 1)) / 2
        x_next = y - 1 / smoothness * f.gradient(y)
        y = x_next + (lam - 1) / lam_next * (x_next - x)
        x, lam = x_next, lam_next
        xs.append(x)
    return xs


def heavy_ball_steps(funcs, x0, n, alpha, beta):
    """Heavy ball x_{k+1} = x_k - alpha grad f(x_k) + beta (x_k - x_{k-1}), x_{-1} = x_0."""
    f, prev, xs = funcs[0], x0, [x0]
    for _ in range(n):
        x = xs[-1]
        xs.append(x - alpha * f.gradient(x) + beta * (x - prev))
        prev = x
    return xs


def proximal_gradient_steps(funcs, x0, n, step):
    """Proximal gradient on f1 + f2: a gradient step on f1, a proximal step on f2."""
    from PEPit.primitive_steps import proximal_step

    f1, f2 = funcs
    xs = [x0]
    for _ in range(n):
        y = xs[-1] - step * f1.gradient(xs[-1])
        x, _, _ = proximal_step(y, f2, step)
        xs.append(x)
    return xs


def _data(problem: PEPProblem, horizons, constants, **kwargs) -> WorstCaseData:
    require_pepit()
    solves = solve_grid(problem, horizons)
    notes = {"problem": problem.describe(), **kwargs.pop("notes", {})}
    return WorstCaseData.from_solves(solves, constants=constants, notes=notes, **kwargs)


# --- gradient descent on smooth convex functions -------------------------------------------------

GD_TAU = L * D**2 / (4 * N + 2)


def replay_gd(solves, smoothness: float, step: float) -> list[float]:
    """The worst-case example of each solve, rebuilt and run through the GD simulator:
    f(x_N) - f* on the concrete function, started at the extracted x_0."""
    out = []
    for s in solves:
        traj = s.trajectory["functions"][0]
        f = SmoothConvexInterpolant(traj["points"], traj["gradients"], traj["values"], smoothness)
        xs = gradient_descent(f.gradient, s.trajectory["iterates"][0], step, s.n)
        out.append(f.value(xs[-1]) - f.value(s.trajectory["x_star"]))
    return out


@claim(
    "pep.gd.smooth_convex",
    paper=DRORI_TEBOULLE.theorem("Theorem 3.1 (Theorem 2 of the journal version)"),
    statement=(
        "Over every convex L-smooth f, gradient descent with step 1/L satisfies "
        "f(x_N) - f* <= L ||x_0 - x*||^2 / (4N + 2), and the bound is attained (tight); the worst "
        "case decays as N^-1, and the Huber instance of handbook.gd.smooth_convex.bound attains it."
    ),
    latex=r"\sup_{f \in \mathcal{F}_{0,L}} f(x_N) - f^* = \frac{L \|x_0 - x^*\|^2}{4N + 2}",
    assumptions=("f convex and L-smooth", "step 1/L", "||x_0 - x*|| <= D"),
    predicted=WorstCase(
        GD_TAU,
        x=N,
        side="tight",
        symbols=SYMBOLS,
        # slope of 1/(4N+2) is -4N/(4N+2): -0.97 at N = 8..24, within 0.05 of -1
        rate=PowerLaw(exponent=-1, tolerance=0.05, window=(8, None)),
    ),
    mutants=[
        Mutant(
            "halved_constant",
            "the constant halved: L D^2 / (8N + 4), as if the Huber threshold were misread",
            predicted=WorstCase(GD_TAU / 2, x=N, side="at_most", symbols=SYMBOLS),
        ),
        Mutant(
            "accelerated_rate",
            "GD's worst case claimed to decay as N^-2, the rate of the fast gradient method",
            predicted=WorstCase(
                GD_TAU,
                x=N,
                side="at_most",
                symbols=SYMBOLS,
                rate=PowerLaw(exponent=-2, side="at_most", window=(8, None)),
            ),
        ),
    ],
)
def gd_smooth_convex(ctx: RunContext, step: float = 1.0):
    smoothness = 1.0
    horizons = ctx.pick([1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24], [1, 2, 4, 8, 12, 16, 24, 32, 40])
    problem = PEPProblem(
        "gd.smooth_convex",
        (("smooth_convex", {"L": smoothness}),),
        gd_steps,
        {"step": step / smoothness},
        initial="distance",
        metric="function_value",
    )
    data = _data(problem, horizons, {"L": smoothness, "D": 1.0})
    solves = solve_grid(problem, horizons)  # cached: no second solve
    data.replay = replay_gd(solves, smoothness, step / smoothness)
    huber = huber_worst_case_gaps(np.asarray(horizons), smoothness, 1.0, step / smoothness)
    data.references = {"Huber instance (handbook.gd.smooth_convex.bound)": huber.tolist()}
    data.y_label = "f(x_N) - f*"
    return data
