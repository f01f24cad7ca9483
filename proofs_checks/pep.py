"""Performance estimation (PEP) through PEPit: exact worst cases over a function class.

A worst-case problem is declared once (:class:`PEPProblem`): the function class, the method
written as PEPit steps, the initial condition and the performance metric. :func:`solve` builds
the PEP for one horizon ``N``, solves the semidefinite program with Clarabel, and returns a
:class:`Solve`: the certified value (the dual objective, an upper bound on the worst case), the
primal value (attained by a worst-case example), the solver's status, the relative duality gap,
the time, and the worst-case trajectory (points, gradients, function values) extracted from the
Gram matrix. Solves are cached by (problem, N, solver settings), so a claim and its mutants, or
a report, never solve the same program twice in one process.

Why Clarabel. Measured on GD over L-smooth convex functions (N = 1..32, one core): Clarabel's
values agree with L/(4N+2) to 5e-10..4e-8 relative, SCS's (PEPit's fallback when MOSEK is
absent) only to 1e-8..6e-5 (primal 6e-5 at N = 32); at N = 32 Clarabel at its default 1e-8
tolerances reports ``optimal_inaccurate`` (its values are still 2e-8 from the truth), so the
settings below ask for 1e-7 and any status but ``optimal`` is reported, never trusted.

PEPit is imported lazily: without it, :func:`require_pepit` skips the claim under pytest (one
line saying how to install it) and raises :class:`ImportError` elsewhere.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: How to install what worst-case claims need.
INSTALL_HINT = (
    "worst-case (PEP) claims need PEPit and Clarabel: pip install 'ratecheck[pep]' "
    "(or pip install pepit clarabel)"
)

#: Clarabel's tolerances: 1e-7 relative (at 1e-8 it stops 'optimal_inaccurate' from N ~ 32).
SOLVER_SETTINGS: Mapping[str, Any] = {
    "solver": "CLARABEL",
    "tol_gap_rel": 1e-7,
    "tol_gap_abs": 1e-7,
    "tol_feas": 1e-7,
}

#: Function classes by name: the PEPit class a problem declares.
FUNCTION_CLASSES = {
    "smooth_convex": "SmoothConvexFunction",
    "smooth_strongly_convex": "SmoothStronglyConvexFunction",
    "smooth_strongly_convex_quadratic": "SmoothStronglyConvexQuadraticFunction",
    "convex": "ConvexFunction",
}


def pepit_available() -> bool:
    """Whether PEPit and Clarabel can be imported."""
    return all(importlib.util.find_spec(m) is not None for m in ("PEPit", "clarabel", "cvxpy"))


def require_pepit() -> None:
    """Skip (under pytest) or raise ImportError (elsewhere) when PEPit is missing."""
    if pepit_available():
        return
    if os.environ.get("PYTEST_CURRENT_TEST"):
        import pytest

        pytest.skip(INSTALL_HINT)
    raise ImportError(INSTALL_HINT)


@dataclass(frozen=True)
class PEPProblem:
    """A worst-case problem over a function class, for any horizon ``N``.

    Parameters
    ----------
    name
        A stable name (part of the cache key and of the record).
    functions
        The objective as a sum: ``(("smooth_convex", {"L": 1.0}),)``; a composite objective
        lists two classes (a smooth part and a proximable part).
    method
        The method written once as PEPit steps: ``method(funcs, x0, n, **params)`` returns the
        iterates ``[x_0, ..., x_N]`` (PEPit points); ``funcs`` are the declared functions.
    params
        The method's parameters (step sizes, momentum), passed to ``method``.
    initial
        ``"distance"`` (``||x_0 - x*||^2 <= 1``) or ``"function_value"`` (``F(x_0) - F* <= 1``).
    metric
        ``"function_value"`` (``F(x_N) - F*``) or ``"distance"`` (``||x_N - x*||^2``).
    """

    name: str
    functions: tuple[tuple[str, Mapping[str, float]], ...]
    method: Callable[..., list[Any]]
    params: Mapping[str, float] = field(default_factory=dict)
    initial: str = "distance"
    metric: str = "function_value"

    def key(self, n: int) -> tuple[Any, ...]:
        classes = tuple((c, tuple(sorted(p.items()))) for c, p in self.functions)
        method = f"{self.method.__module__}.{self.method.__qualname__}"
        return (
            self.name,
            classes,
            method,
            tuple(sorted(self.params.items())),
            self.initial,
            self.metric,
            int(n),
            tuple(sorted(SOLVER_SETTINGS.items())),
        )

    def describe(self) -> dict[str, Any]:
        """The problem as JSON values (results.json ``notes.problem``)."""
        return {
            "name": self.name,
            "functions": [{"class": c, **dict(p)} for c, p in self.functions],
            "method": self.method.__name__,
            "params": dict(self.params),
            "initial": self.initial,
            "metric": self.metric,
        }


@dataclass
class Solve:
    """One solved PEP: the certified worst case at one horizon, and its evidence."""

    n: int
    tau: float  # the dual objective: every function in the class does at most this
    primal: float  # the primal objective: the worst-case example attains this
    status: str
    gap: float  # relative duality gap (tau - primal) / |primal|
    seconds: float
    solver: str
    trajectory: dict[str, Any] = field(default_factory=dict)


_CACHE: dict[tuple[Any, ...], Solve] = {}


def clear_cache() -> None:
    """Forget every cached solve (tests)."""
    _CACHE.clear()


def _initial_and_metric(
    problem: PEPProblem, objective: Any, x0: Any, xs: Any, fs: Any, x_n: Any
) -> tuple[Any, Any]:
    conditions = {
        "distance": lambda: (x0 - xs) ** 2,
        "function_value": lambda: objective(x0) - fs,
    }
    metrics = {
        "distance": lambda: (x_n - xs) ** 2,
        "function_value": lambda: objective(x_n) - fs,
    }
    if problem.initial not in conditions or problem.metric not in metrics:
        raise ValueError(f"unknown initial condition or metric in problem {problem.name!r}")
    return conditions[problem.initial](), metrics[problem.metric]()


def solve(problem: PEPProblem, n: int) -> Solve:
    """The worst case of ``problem`` at horizon ``n`` (cached); see the module doc."""
    key = problem.key(n)
    if key in _CACHE:
        return _CACHE[key]
    require_pepit()
    import PEPit.functions as classes
    from PEPit import PEP

    pep = PEP()
    funcs = [
        pep.declare_function(getattr(classes, FUNCTION_CLASSES[c]), **dict(p))
        for c, p in problem.functions
    ]
    objective = funcs[0] if len(funcs) == 1 else sum(funcs[1:], funcs[0])
    xs = objective.stationary_point()
    fs = objective(xs)
    x0 = pep.set_initial_point()
    iterates = problem.method(funcs, x0, int(n), **dict(problem.params))
    initial, metric = _initial_and_metric(problem, objective, x0, xs, fs, iterates[-1])
    pep.set_initial_condition(initial <= 1)
    pep.set_performance_metric(metric)
    start = time.perf_counter()
    try:
        tau = float(pep.solve(verbose=0, **SOLVER_SETTINGS))
        status = str(pep.wrapper.prob.status)
        primal = float(pep.wrapper.objective.value)
    except Exception as exc:  # a solver failure is evidence of nothing: recorded, not raised
        out = Solve(
            int(n),
            float("nan"),
            float("nan"),
            f"failed: {exc}",
            float("nan"),
            time.perf_counter() - start,
            str(SOLVER_SETTINGS["solver"]),
        )
        _CACHE[key] = out
        return out
    seconds = time.perf_counter() - start
    gap = (tau - primal) / abs(primal) if primal != 0 else tau - primal
    out = Solve(
        int(n),
        tau,
        primal,
        status,
        float(gap),
        seconds,
        str(pep.wrapper.prob.solver_stats.solver_name),
    )
    out.trajectory = _trajectory(funcs, iterates, xs)
    _CACHE[key] = out
    return out


def _trajectory(funcs: list[Any], iterates: list[Any], xs: Any) -> dict[str, Any]:
    """The worst-case example: iterates, and each function's evaluated (x, g, f) triplets.

    Every triplet PEPit's interpolation constraints involve is here, so a concrete function
    of the class through them exists (``simulators.worst_case`` builds it).
    """

    def vec(p: Any) -> np.ndarray:
        return np.atleast_1d(np.asarray(p.eval(), dtype=float))

    out: dict[str, Any] = {
        "iterates": [vec(x) for x in iterates],
        "x_star": vec(xs),
        "functions": [],
    }
    for f in funcs:
        pts = f.list_of_points
        out["functions"].append(
            {
                "points": np.array([vec(x) for x, _, _ in pts]),
                "gradients": np.array([vec(g) for _, g, _ in pts]),
                "values": np.array([float(v.eval()) for _, _, v in pts]),
            }
        )
    return out


def solve_grid(problem: PEPProblem, horizons: Any) -> list[Solve]:
    """:func:`solve` at each horizon."""
    return [solve(problem, int(n)) for n in horizons]
