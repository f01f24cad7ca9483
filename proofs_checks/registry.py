"""Claim kinds by name, for specs written as plain data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ClaimError
from .kinds import Geometric, PowerLaw, Prediction, Scaling
from .kinds_exact import Agreement, Bound, Implication, Symbolic
from .kinds_order import Order

KINDS: dict[str, type[Prediction]] = {
    "power_law": PowerLaw,
    "scaling": Scaling,
    "geometric": Geometric,
    "order": Order,
    "bound": Bound,
    "agreement": Agreement,
    "implication": Implication,
    "symbolic": Symbolic,
}


def prediction_from_dict(spec: Mapping[str, Any], claim_id: str) -> Prediction:
    """Build a prediction from ``{"kind": ..., **fields}``; unknown kinds raise ClaimError."""
    spec = dict(spec)
    kind = spec.pop("kind", None)
    if kind not in KINDS:
        raise ClaimError(claim_id, "kind", f"unknown kind {kind!r}; known: {sorted(KINDS)}")
    try:
        return KINDS[kind](**spec)
    except TypeError as exc:
        raise ClaimError(claim_id, "predicted", str(exc)) from None
