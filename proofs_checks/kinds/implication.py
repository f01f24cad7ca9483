"""Implication: ``premise(instance) => conclusion(instance)`` over a searched instance family."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from ..data import Search
from ..errors import ClaimError
from ..verdicts import CONFIRMED, REFUTED
from .base import Judgement, Kind, check_finite, register

if TYPE_CHECKING:
    from ..context import JudgeContext

#: How many drawn instances a judgement keeps for re-checking near statements.
KEPT_INSTANCES = 5000


@register
@dataclass
class Implication(Kind):
    """``premise(instance) => conclusion(instance)`` for every instance the strategy draws.

    hypothesis searches for an instance where the premise holds and the conclusion fails, and
    shrinks it. None found in ``max_examples`` draws (``max_examples_full`` in the full
    profile): confirmed, with the count (a search, not a proof; the report says so). Found:
    refuted, with the shrunk counterexample recorded. With ``Search.slack`` the search is
    driven toward the premise's boundary (``hypothesis.target``).

    ``strength`` is the near statement judged (``Search.near(strength)``); 0 is the claim.
    """

    max_examples: int = 300
    max_examples_full: int = 2000
    strength: float = 0.0

    name: ClassVar[str] = "implication"
    data_type: ClassVar[type] = Search
    summary: ClassVar[str] = (
        "premise implies conclusion: property-based search (hypothesis) for a counterexample"
    )
    method: ClassVar[str | None] = (
        "property-based search (hypothesis) for an instance where the premise holds and the "
        "conclusion fails, shrunk to a minimal one; a confirmation is a search, not a proof"
    )
    resolution_parameter: ClassVar[str | None] = "threshold factor"
    #: A statement 10% stronger (a threshold 2.2 for 2) must be refuted by the instances drawn:
    #: otherwise the search never came near the premise's boundary.
    resolution_target: ClassVar[float] = 0.1
    resolution_span: ClassVar[float] = 1.0
    #: each bisection step re-checks every instance drawn: a coarse edge is enough
    resolution_precision: ClassVar[float] = 0.05
    resolution_note: ClassVar[str] = (
        "the claim declares no near statements: give Search(near=lambda d: ...), the claim "
        "made stronger by d (a threshold constant scaled by 1 + d)"
    )

    def validate(self, claim_id: str) -> None:
        for name in ("max_examples", "max_examples_full"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ClaimError(claim_id, name, f"must be a positive integer, got {value!r}")
        check_finite(claim_id, self.strength, "strength")

    def describe(self) -> str:
        if self.strength:
            return f"the statement made stronger by {self.strength:g} holds on every instance"
        return "premise implies conclusion on every instance searched"

    def statement(self, data: Search, claim_id: str) -> Search:
        """The searched statement: the claim's, or its near statement at ``strength``."""
        if not self.strength:
            return data
        if data.near is None:
            raise ClaimError(claim_id, "data.near", "a near statement needs Search(near=...)")
        return data.near(self.strength)

    def judge(self, data: Search, ctx: JudgeContext) -> Judgement:
        import hypothesis
        from hypothesis import HealthCheck, Phase, settings

        self.check_data_type(data, ctx.claim_id)
        search = self.statement(data, ctx.claim_id)
        budget = ctx.pick(self.max_examples, self.max_examples_full)
        tried = {"instances": 0, "premise": 0}
        drawn: list[Any] = []

        def violates(instance: Any) -> bool:
            tried["instances"] += 1
            if len(drawn) < KEPT_INSTANCES:
                drawn.append(instance)
            if search.slack is not None:
                # toward the premise's boundary from both sides: inside it the conclusion is
                # nearest to failing, just outside it the near statements are tested
                hypothesis.target(-abs(float(search.slack(instance))), label="premise slack")
            if not search.premise(instance):
                return False
            tried["premise"] += 1
            return not search.conclusion(instance)

        config = settings(
            max_examples=budget,
            database=None,
            deadline=None,
            phases=[Phase.generate, Phase.target, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        seed = int(ctx.rng.integers(0, 2**32))
        try:
            example = hypothesis.find(
                search.strategy, violates, settings=config, random=random.Random(seed)
            )
        except hypothesis.errors.NoSuchExample:
            return Judgement(
                CONFIRMED,
                f"no counterexample in {tried['instances']} instances "
                f"({tried['premise']} satisfied the premise)",
                {"instances": tried["instances"], "premise_held": tried["premise"]},
                state=drawn,
            )
        counterexample = search.describe(example)
        return Judgement(
            REFUTED,
            f"counterexample found (shrunk) after {tried['instances']} evaluations",
            {"instances": tried["instances"], "counterexample": counterexample},
            {"counterexample": counterexample},
            state=drawn,
        )

    # --- resolution: the near statements, re-checked on the instances drawn --------------

    def nearby(self, d: float) -> Kind:
        return replace(self, strength=self.strength + d)

    def parameter_value(self, d: float) -> float:
        return 1 + self.strength + d

    def strict_directions(self) -> tuple[int, ...]:
        return (1,)

    def family_name(self, data: Any) -> str | None:
        return data.near_parameter if getattr(data, "near", None) is not None else None

    def resolver(
        self, data: Any, judgement: Judgement, make_ctx: Callable[[], JudgeContext]
    ) -> Callable[[float], str]:
        drawn = judgement.state
        if not isinstance(drawn, list):
            return super().resolver(data, judgement, make_ctx)

        def verdict(d: float) -> str:
            near = data.near(self.strength + d) if self.strength + d else data
            for instance in drawn:
                if near.premise(instance) and not near.conclusion(instance):
                    return REFUTED
            return CONFIRMED

        return verdict

    @classmethod
    def fitted_text(cls, fitted: dict[str, Any], deterministic: bool = False) -> str:
        if "instances" not in fitted:
            return "–"
        if "counterexample" in fitted:
            return f"counterexample after {fitted['instances']} instances"
        held = fitted.get("premise_held")
        extra = f" ({held} met the premise)" if held is not None else ""
        return f"no counterexample in {fitted['instances']} instances{extra}"
