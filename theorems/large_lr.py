r"""Large steps reach a flat global minimum that small steps miss (an instance of ours).

Mohtashami, Jaggi & Stich, *Special Properties of Gradient Descent with Large Learning Rates*,
ICML 2023, arXiv 2205.15142. The abstract (read) states that on certain non-convex function
classes GD with a large step follows a different trajectory than with a small step and can
reach a global minimum instead of a local one; the paper's function class and theorem were not
read. The claim below is **consistent with the paper's mechanism, not its theorem**: linear
stability on our own function

.. math::  f(x) = \frac{(x-4)^2}{8} - e^{-5x^2},

whose local minimum :math:`x_\ell \approx 0.1027` is sharp (:math:`f''(x_\ell) \approx 8.74`)
and whose global minimum :math:`x_g = 4` is flat (:math:`f''(x_g) \approx 1/4`). GD from any
start in :math:`[-0.25, 0.45]` (the local basin) converges to :math:`x_\ell` when
:math:`\eta < 2/f''(x_\ell) \approx 0.229` and to :math:`x_g` when :math:`\eta \in [0.5, 4]`
(a step above :math:`2/f''(x_\ell)` makes :math:`x_\ell` unstable, one below :math:`2/f''(x_g)
= 8` keeps :math:`x_g` stable).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from hypothesis import strategies as st

from proofs_checks import Implication, Mutant, RunContext, Search, claim
from simulators.large_lr import gd_final_points, sharp_flat_curvature, sharp_flat_minima
from theorems.bibliography import MOHTASHAMI

STARTS = np.linspace(-0.25, 0.45, 36)
#: 120 steps, a geometric grid from 0.02 to 4 (4.5% apart): points on both sides of 2/f''(x_l)
#: within 5%, so a threshold overstated by 10% is met by a drawn step.
STEPS = np.geomspace(0.02, 4.0, 120)
LARGE_FROM = 0.5
#: Convergence at the slowest step in the premise (4.5% under the threshold) contracts by
#: |1 - eta f''| ~ 0.91 per step: 3000 steps bring any start far below the 1e-6 tolerance.
ITERATIONS = 3000
TOLERANCE = 1e-6


@cache
def _final_points() -> np.ndarray:
    return gd_final_points(STARTS, STEPS, ITERATIONS)


def basin_search(small_goes_to: str = "local", strength: float = 0.0) -> Search:
    """The claim as a search over (start, step) pairs; ``strength`` > 0 widens both premises."""
    local, global_ = sharp_flat_minima()
    threshold = 2.0 / float(sharp_flat_curvature(np.array(local)))
    finals = _final_points()
    small_limit = threshold * (1 + strength)
    large_from = LARGE_FROM / (1 + strength)
    small_target = local if small_goes_to == "local" else global_

    def premise(pair: tuple[int, int]) -> bool:
        step = STEPS[pair[1]]
        return bool(step < small_limit or step >= large_from)

    def conclusion(pair: tuple[int, int]) -> bool:
        start, step = pair
        target = small_target if STEPS[step] < small_limit else global_
        return bool(abs(finals[step, start] - target) < TOLERANCE)

    def describe(pair: tuple[int, int]) -> dict:
        start, step = pair
        return {
            "start": float(STARTS[start]),
            "step": float(STEPS[step]),
            "step / (2 / f''(x_local))": float(STEPS[step] / threshold),
            "final point": float(finals[step, start]),
            "local minimum": local,
            "global minimum": global_,
        }

    def slack(pair: tuple[int, int]) -> float:
        step = STEPS[pair[1]]
        return float(min(abs(np.log(step / small_limit)), abs(np.log(step / large_from))))

    return Search(
        st.tuples(st.integers(0, len(STARTS) - 1), st.integers(0, len(STEPS) - 1)),
        premise,
        conclusion,
        describe,
        notes={"2/f''(x_local)": threshold, "iterations": ITERATIONS, "tolerance": TOLERANCE},
        near=lambda d: basin_search(small_goes_to, strength + d),
        near_parameter="threshold factor (small-step limit x (1 + d), large-step start / (1 + d))",
        slack=slack,
    )


@claim(
    "large_lr.global_min",
    paper=MOHTASHAMI.theorem("main result (abstract); our instance, the mechanism only"),
    statement=(
        "On f(x) = (x - 4)^2/8 - exp(-5x^2) (an instance of ours, consistent with the paper's "
        "mechanism rather than its theorem), GD from every start in [-0.25, 0.45] reaches the "
        "sharp local minimum when eta < 2/f''(x_local) ~ 0.229 and the flat global minimum 4 "
        "when 0.5 <= eta <= 4."
    ),
    latex=r"\eta < 2/f''(x_\ell) \Rightarrow x_t \to x_\ell, \qquad "
    r"\eta \in [0.5, 4] \Rightarrow x_t \to x_g",
    assumptions=("f(x) = (x-4)^2/8 - exp(-5x^2)", "starts in the local basin [-0.25, 0.45]"),
    simplification=(
        "36 starts and 120 steps on a geometric grid in [0.02, 4]; 3000 GD steps; 'reaches' = "
        "within 1e-6."
    ),
    predicted=Implication(max_examples=300, max_examples_full=1500),
    mutants=[
        Mutant(
            "small_step_global",
            "a small step (eta < 2/f''(x_local)) claimed to reach the global minimum too",
            params={"small_goes_to": "global"},
        )
    ],
)
def large_step_global_minimum(ctx: RunContext, small_goes_to: str = "local") -> Search:
    del ctx  # deterministic: the grid of (start, step) pairs is the instance family
    return basin_search(small_goes_to)
