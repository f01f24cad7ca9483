"""Implication: ``premise(instance) => conclusion(instance)`` over a searched instance family."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..data import Search
from ..errors import ClaimError
from ..verdicts import CONFIRMED, REFUTED
from .base import Judgement, Kind, register

if TYPE_CHECKING:
    from ..context import JudgeContext


@register
@dataclass
class Implication(Kind):
    """``premise(instance) => conclusion(instance)`` for every instance the strategy draws.

    hypothesis searches for an instance where the premise holds and the conclusion fails, and
    shrinks it. None found in ``max_examples`` draws (``max_examples_full`` in the full
    profile): confirmed, with the count (a search, not a proof; the report says so). Found:
    refuted, with the shrunk counterexample recorded.
    """

    max_examples: int = 300
    max_examples_full: int = 2000

    name: ClassVar[str] = "implication"
    data_type: ClassVar[type] = Search
    summary: ClassVar[str] = (
        "premise implies conclusion: property-based search (hypothesis) for a counterexample"
    )
    method: ClassVar[str | None] = (
        "property-based search (hypothesis) for an instance where the premise holds and the "
        "conclusion fails, shrunk to a minimal one; a confirmation is a search, not a proof"
    )

    def validate(self, claim_id: str) -> None:
        for name in ("max_examples", "max_examples_full"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ClaimError(claim_id, name, f"must be a positive integer, got {value!r}")

    def describe(self) -> str:
        return "premise implies conclusion on every instance searched"

    def judge(self, data: Search, ctx: JudgeContext) -> Judgement:
        import hypothesis
        from hypothesis import HealthCheck, Phase, settings

        self.check_data_type(data, ctx.claim_id)
        budget = ctx.pick(self.max_examples, self.max_examples_full)
        tried = {"instances": 0, "premise": 0}

        def violates(instance: Any) -> bool:
            tried["instances"] += 1
            if not data.premise(instance):
                return False
            tried["premise"] += 1
            return not data.conclusion(instance)

        config = settings(
            max_examples=budget,
            database=None,
            deadline=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        seed = int(ctx.rng.integers(0, 2**32))
        try:
            example = hypothesis.find(
                data.strategy, violates, settings=config, random=random.Random(seed)
            )
        except hypothesis.errors.NoSuchExample:
            return Judgement(
                CONFIRMED,
                f"no counterexample in {tried['instances']} instances "
                f"({tried['premise']} satisfied the premise)",
                {"instances": tried["instances"], "premise_held": tried["premise"]},
            )
        counterexample = data.describe(example)
        return Judgement(
            REFUTED,
            f"counterexample found (shrunk) after {tried['instances']} evaluations",
            {"instances": tried["instances"], "counterexample": counterexample},
            {"counterexample": counterexample},
        )

    @classmethod
    def fitted_text(cls, fitted: dict[str, Any], deterministic: bool = False) -> str:
        if "instances" not in fitted:
            return "–"
        if "counterexample" in fitted:
            return f"counterexample after {fitted['instances']} instances"
        held = fitted.get("premise_held")
        extra = f" ({held} met the premise)" if held is not None else ""
        return f"no counterexample in {fitted['instances']} instances{extra}"
