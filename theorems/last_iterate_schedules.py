r"""The last iterate's log T belongs to the anytime step, not to SGD: a known-horizon schedule.

**Jain, Nagaraj & Netrapalli**, *Making the Last Iterate of SGD Information Theoretically
Optimal*, arXiv 1904.12443 (COLT 2019). For a convex :math:`G`-Lipschitz function on a domain
of diameter :math:`D` and a horizon :math:`T` known in advance, projected SGD with the step
:math:`\eta_t = D 2^{-i}/(G\sqrt T)` on the phase :math:`T_i < t \le T_{i+1}`
(:math:`T_0 = 0`, :math:`T_i = T - \lceil T 2^{-i}\rceil`) has a last iterate within
:math:`O(GD/\sqrt T)` of the optimum: no :math:`\log T`, the information-theoretic rate.

**Harvey, Liaw, Plan & Randhawa** (arXiv 1812.05217v1, Theorem 3.5) build, for every :math:`T`,
a 1-Lipschitz convex function on the unit ball of :math:`\mathbb R^T` (and a minimum-index
subgradient oracle) on which the anytime step :math:`c/\sqrt t` leaves
:math:`f(x_{T+1}) \ge \log T/(32 c\sqrt T)`; the construction's exact value is
:math:`\tfrac{3}{64}(\ln T + 1)/\sqrt T` (see :mod:`theorems.last_iterate_tight`).

The claim here runs both schedules on the same construction and the same oracle: with the
known-horizon steps :math:`\sqrt T f(x_{T+1})` is flat in :math:`T` (0.0962 from
:math:`T = 2^8` on, at scale :math:`D/G = 2`), with the anytime steps it grows by
:math:`\tfrac{3}{64}\ln 2` per doubling. Harvey's function is not built against the
known-horizon schedule, but the rate :math:`1/\sqrt T` is a lower bound for every method
(information-theoretic), so a flat :math:`\sqrt T f` is the schedule's rate attained, and the
claim is two-sided.
"""

from __future__ import annotations

import functools

import numpy as np

from proofs_checks import TIGHT, Mutant, Paper, PowerLaw, RunContext, Samples, claim
from simulators import harvey
from simulators.last_iterate import known_horizon_steps

JAIN = Paper(
    title="Making the Last Iterate of SGD Information Theoretically Optimal",
    authors="Prateek Jain, Dheeraj Nagaraj, Praneeth Netrapalli",
    year=2019,
    arxiv="1904.12443",
    venue="COLT 2019",
)

#: Harvey's construction lives on the unit ball (diameter D = 2) and is 1-Lipschitz (G = 1):
#: Jain et al.'s step scale D/G.
KNOWN_HORIZON_SCALE = 2.0
STEP_CONSTANT = 1.0  # the anytime schedule c/sqrt(t) of Harvey et al.'s Theorem 3.5


@functools.lru_cache(maxsize=64)
def scaled_last_value(horizon: int, schedule: str) -> float:
    """sqrt(T) f(x_{T+1}) on Harvey's T-dimensional construction under one schedule.

    The anytime value comes from the paper's closed form (O(T), equal to the run to 1e-12);
    the known-horizon schedule is run (O(T^2)): the construction's closed form assumes c/sqrt t.
    """
    if schedule == "anytime":
        value = harvey.closed_form_last_value(horizon, "convex", STEP_CONSTANT)
    elif schedule == "known_horizon":
        steps = known_horizon_steps(horizon, KNOWN_HORIZON_SCALE)
        value = harvey.run(horizon, "convex", STEP_CONSTANT, steps=steps).f_last
    else:
        raise ValueError(f"schedule must be 'anytime' or 'known_horizon', got {schedule!r}")
    return float(np.sqrt(horizon) * value)


@claim(
    "sgd.last_iterate.anytime_vs_known_horizon",
    paper=JAIN.theorem("the known-horizon step schedule (main theorem, in expectation)"),
    statement=(
        "On Harvey et al.'s construction, where the anytime step c/sqrt(t) leaves "
        "f(x_{T+1}) ~ log T / sqrt T, Jain, Nagaraj & Netrapalli's known-horizon schedule "
        "(step (D/G) 2^-i / sqrt T on the i-th halving of the remaining horizon) gives "
        "f(x_{T+1}) ~ 1/sqrt T: sqrt(T) f(x_{T+1}) is flat in T, the log factor removed."
    ),
    latex=r"\sqrt T\,f(x_{T+1}) \asymp T^{0}\ \text{(known }T\text{)}, \qquad "
    r"\sqrt T\,f(x_{T+1}) = \tfrac{3}{64}(\ln T + 1)\ \text{(anytime)}",
    assumptions=(
        "f convex and G-Lipschitz on a domain of diameter D (here G = 1, D = 2: the unit ball)",
        "projected (sub)gradient steps, x_1 = 0, Harvey et al.'s minimum-index oracle",
        "the horizon T known when the schedule is built",
    ),
    simplification=(
        "Harvey et al.'s convex construction (Theorem 3.5) for each T = 2^6 ... 2^13 (quick) or "
        "2^14 (full), deterministic runs. The tested quantity is sqrt(T) f(x_{T+1}), fitted as "
        "a power of T: exponent 0 two-sided. Tolerance 0.05: the data are exact, and the "
        "known-horizon values move by 1.5% from T = 2^6 to 2^13 (a local exponent below 0.01); "
        "a log T left in the rate would give a local exponent 1/(ln T + 1) >= 0.10 over the "
        "window, twice the tolerance, so the anytime mutant and a log factor claimed for the "
        "known-horizon schedule are separated at every T used."
    ),
    predicted=PowerLaw(exponent=0.0, tolerance=0.05, side=TIGHT),
    mutants=[
        Mutant(
            "anytime_schedule",
            "the anytime step c/sqrt(t) credited with the same 1/sqrt T: on the same "
            "construction sqrt(T) f(x_{T+1}) grows as (3/64)(ln T + 1)",
            params={"schedule": "anytime"},
        ),
        Mutant(
            "log_factor_kept",
            "the known-horizon schedule claimed to keep the log T (f ~ log T / sqrt T)",
            predicted=PowerLaw(exponent=0.0, log_power=1, tolerance=0.05, side=TIGHT),
        ),
    ],
)
def anytime_vs_known_horizon(ctx: RunContext, schedule: str = "known_horizon") -> Samples:
    horizons = 2 ** np.arange(6, ctx.pick(13, 14) + 1)
    values = np.array([scaled_last_value(int(T), schedule) for T in horizons])
    return Samples(
        horizons,
        values,
        constants={"D/G": KNOWN_HORIZON_SCALE, "c": STEP_CONSTANT},
        x_label="steps T (= dimension)",
        y_label="sqrt(T) f(x_{T+1})",
        notes={"schedule": schedule},
    )
