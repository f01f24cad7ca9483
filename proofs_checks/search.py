"""Worst-case search: judge a bound or a one-sided claim on the hardest instance of a family.

A bound checked where it is loose confirms any bound up to the slack: data that reach 17% of B
confirm B / 5 as well. A claim that knows no attaining instance can instead return a
:class:`Family` (a box of parameters, or a hypothesis strategy, and the function that runs one
instance); :func:`find_worst` searches it for the instance the prediction finds hardest
(``Kind.hardness``: ``max y/B`` for an upper bound, the fitted exponent past the claim for a
one-sided rate), first by a hypothesis search guided by ``hypothesis.target``, then by local
refinement with ``scipy.optimize`` (L-BFGS-B in the box, bounds respected, so a worst case on
the boundary is reached). The claim is judged on that instance, and the record says which it
is, how hard, and how many evaluations it took.

Every instance is evaluated with the same random numbers (a fresh context on the claim's
simulation stream): differences between instances are not noise, and the refinement sees a
smooth function where the family is smooth.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ClaimError
from .records import jsonable

if TYPE_CHECKING:
    from .context import JudgeContext, RunContext
    from .kinds.base import Kind


@dataclass
class Family:
    """A family of instances; the claim is judged on the hardest one found.

    Parameters
    ----------
    evaluate
        ``evaluate(ctx, **parameters)`` runs one instance and returns the kind's data
        (:class:`~proofs_checks.data.Samples`, with the constants the bound needs).
    box
        ``{"name": (lo, hi)}``: the parameters and their ranges. Searched uniformly by
        hypothesis, then refined locally.
    strategy
        A hypothesis strategy drawing parameter dicts, instead of (or as well as) the box: it
        may draw discrete parameters too. Refinement moves only the box's parameters.
    examples, examples_full
        Instances the hypothesis search evaluates (quick and full profiles).
    refine
        Most evaluations the local refinement may spend (0: none).
    """

    evaluate: Callable[..., Any]
    box: Mapping[str, tuple[float, float]] | None = None
    strategy: Any = None
    examples: int = 40
    examples_full: int = 150
    refine: int = 60
    notes: Mapping[str, Any] = field(default_factory=dict)

    def validate(self, claim_id: str) -> None:
        if self.box is None and self.strategy is None:
            raise ClaimError(claim_id, "data.box", "a family needs a box or a strategy")
        for name, bounds in (self.box or {}).items():
            try:
                lo, hi = (float(b) for b in bounds)
            except (TypeError, ValueError):
                raise ClaimError(claim_id, f"data.box.{name}", "must be (lo, hi)") from None
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ClaimError(
                    claim_id, f"data.box.{name}", f"must be finite and increasing, got {bounds}"
                )
        for name in ("examples", "examples_full", "refine"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < (0 if name == "refine" else 1):
                raise ClaimError(claim_id, f"data.{name}", f"must be a count, got {value!r}")

    def parameters_strategy(self) -> Any:
        from hypothesis import strategies as st

        if self.strategy is not None:
            return self.strategy
        assert self.box is not None  # validate(): a family without a strategy has a box
        box = {k: st.floats(float(lo), float(hi)) for k, (lo, hi) in self.box.items()}
        return st.fixed_dictionaries(box)


@dataclass
class WorstCase:
    """The hardest instance found, its data and how it was found."""

    data: Any
    parameters: dict[str, Any]
    score: float
    search_evaluations: int
    refine_evaluations: int

    def to_json(self, kind: Kind) -> dict[str, Any]:
        return jsonable(
            {
                "parameters": self.parameters,
                "score": self.score,
                "score_statistic": kind.hardness_statistic,
                "evaluations": self.search_evaluations + self.refine_evaluations,
                "search_evaluations": self.search_evaluations,
                "refine_evaluations": self.refine_evaluations,
            }
        )


class _Budget(Exception):
    """The refinement spent its evaluations."""


class _Tracker:
    """Evaluates instances and keeps the hardest."""

    def __init__(self, family: Family, kind: Kind, claim_id: str, make_run_ctx) -> None:
        self.family, self.kind, self.claim_id = family, kind, claim_id
        self.make_run_ctx = make_run_ctx
        self.best: tuple[float, dict[str, Any], Any] | None = None
        self.calls = 0

    def score(self, parameters: Mapping[str, Any]) -> float:
        if not isinstance(parameters, Mapping):
            raise ClaimError(
                self.claim_id, "data.strategy", f"must draw parameter dicts, drew {parameters!r}"
            )
        self.calls += 1
        data = self.family.evaluate(self.make_run_ctx(), **parameters)
        value = float(self.kind.hardness(data, self.claim_id))
        if math.isnan(value):
            value = -math.inf
        if self.best is None or value > self.best[0]:
            self.best = (value, dict(parameters), data)
        return value


def find_worst(
    family: Family,
    kind: Kind,
    claim_id: str,
    make_run_ctx: Callable[[], RunContext],
    ctx: JudgeContext,
) -> WorstCase:
    """Search ``family`` for the instance ``kind`` finds hardest (see the module doc)."""
    family.validate(claim_id)
    tracker = _Tracker(family, kind, claim_id, make_run_ctx)
    _guided_search(family, tracker, ctx)
    searched = tracker.calls
    best = tracker.best
    if family.box and family.refine and best is not None and math.isfinite(best[0]):
        _refine(family.box, family.refine, best[1], tracker)
    assert tracker.best is not None
    score, parameters, data = tracker.best
    return WorstCase(data, parameters, score, searched, tracker.calls - searched)


def hardest(
    data: Any,
    prediction: Kind,
    who: str,
    run_ctx: Callable[[], RunContext],
    ctx: JudgeContext,
) -> tuple[Any, dict[str, Any] | None]:
    """The data to judge: ``data`` itself, or the hardest member of a family and its record."""
    if not isinstance(data, Family):
        return data, None
    worst = find_worst(data, prediction, who, run_ctx, ctx)
    return worst.data, worst.to_json(prediction)


def _guided_search(family: Family, tracker: _Tracker, ctx: JudgeContext) -> None:
    import hypothesis
    from hypothesis import HealthCheck, Phase, settings

    def condition(parameters: Any) -> bool:
        value = tracker.score(parameters)
        # target() needs a finite number; a diverged instance is as hard as it gets
        hypothesis.target(value if math.isfinite(value) else math.copysign(1e300, value))
        return False

    config = settings(
        max_examples=ctx.pick(family.examples, family.examples_full),
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.target],
        suppress_health_check=list(HealthCheck),
    )
    seed = int(ctx.rng.integers(0, 2**32))
    try:
        hypothesis.find(
            family.parameters_strategy(), condition, settings=config, random=random.Random(seed)
        )
    except hypothesis.errors.NoSuchExample:
        pass


def _refine(
    box: Mapping[str, tuple[float, float]],
    evaluations: int,
    best: dict[str, Any],
    tracker: _Tracker,
) -> None:
    """L-BFGS-B from the best instance's parameters ``best``, in the unit cube of the ``box``
    (so one step size suits every parameter), within ``evaluations`` more evaluations."""
    import numpy as np
    from scipy.optimize import minimize

    names = list(box)
    lo = np.array([float(box[n][0]) for n in names])
    width = np.array([float(box[n][1]) for n in names]) - lo
    fixed = dict(best)
    start = np.clip((np.array([float(fixed[n]) for n in names]) - lo) / width, 0.0, 1.0)
    budget = tracker.calls + evaluations

    def objective(z: np.ndarray) -> float:
        if tracker.calls >= budget:
            raise _Budget
        point = {**fixed, **{n: float(v) for n, v in zip(names, lo + width * z, strict=True)}}
        value = tracker.score(point)
        return -value if math.isfinite(value) else -1e300

    try:
        minimize(
            objective,
            start,
            method="L-BFGS-B",
            bounds=[(0.0, 1.0)] * len(names),
            options={"maxfun": evaluations, "eps": 1e-7},
        )
    except _Budget:
        pass
