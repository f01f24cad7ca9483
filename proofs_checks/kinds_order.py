"""The order-of-convergence kind: ``e_{k+1} ~ C e_k^p``, fitted in high precision if need be."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from .data import ErrorSequence
from .errors import ClaimError
from .fitting import ols_line
from .kinds import Judgement, Prediction, _check_side, _check_tolerance
from .verdicts import INCONCLUSIVE, TIGHT, describe_side, interval_verdict


@dataclass
class Order(Prediction):
    r"""``e_{k+1} ~ C e_k^p``: the order of convergence.

    The last ``tail`` pairs above the precision floor are fitted (``log e_{k+1}`` on
    ``log e_k``); the interval is the t-interval of the slope (one deterministic run).

    Parameters
    ----------
    order
        The predicted ``p`` (1 linear, 2 quadratic).
    tolerance
        Half-width of the acceptance interval on ``p``.
    side
        ``"tight"``, ``"at_least"`` (superlinear claims: ``p >= order``) or ``"at_most"``.
    tail
        How many final pairs to fit (all above the floor if None).
    """

    order: float = 2.0
    tolerance: float = 0.2
    side: str = TIGHT
    tail: int | None = None
    kind: str = "order"
    data_type: type = ErrorSequence

    def validate(self, claim_id: str) -> None:
        _check_tolerance(claim_id, self.tolerance)
        _check_side(claim_id, self.side)
        if self.tail is not None and self.tail < 3:
            raise ClaimError(claim_id, "tail", "at least 3 pairs are needed for an order fit")

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "tolerance": self.tolerance,
            "side": self.side,
            "tail": self.tail,
        }

    def describe(self) -> str:
        return f"{describe_side(self.side)} order p = {self.order:g} (±{self.tolerance:g})"

    def judge(self, data: ErrorSequence, rng: np.random.Generator, claim_id: str) -> Judgement:
        self.check_data_type(data, claim_id)
        errors = list(data.errors)
        if len(errors) < 4:
            raise ClaimError(claim_id, "data.errors", f"{len(errors)} errors; at least 4 needed")
        high_precision = any(isinstance(e, mpmath.mpf) for e in errors)
        finite = [mpmath.isfinite(e) if high_precision else math.isfinite(e) for e in errors]
        if not all(finite):
            return Judgement(INCONCLUSIVE, "iteration diverged: non-finite error; not fitted")
        if data.floor is not None:
            floor = mpmath.mpf(data.floor)
            if not floor > 0:
                raise ClaimError(
                    claim_id,
                    "data.floor",
                    f"must be positive, got {data.floor!r} (a float below 1e-308 is 0: pass "
                    "an mpmath.mpf)",
                )
        elif high_precision:
            floor = mpmath.mpf(10) ** (-(mpmath.mp.dps - 3))
        else:
            floor = mpmath.mpf(1e3 * np.finfo(float).eps)
        keep = [e > floor for e in errors]
        # once at the floor, later errors are rounding noise too
        last = len(keep) if all(keep) else keep.index(False)
        used = errors[:last]
        dropped = len(errors) - last
        logs = np.array([float(mpmath.log(mpmath.mpf(e))) for e in used]) if used else np.array([])
        plot = {
            "log_e": [float(mpmath.log10(mpmath.mpf(e))) if e > 0 else None for e in errors],
            "dropped_at_floor": dropped,
            "floor": float(mpmath.log10(floor)),
            "label": data.label,
        }
        pairs = len(logs) - 1
        if pairs < 3:
            return Judgement(
                INCONCLUSIVE,
                f"only {max(pairs, 0)} pairs above the precision floor "
                f"(1e{float(mpmath.log10(floor)):.0f}); {dropped} dropped",
                {"dropped_at_floor": dropped},
                plot,
            )
        u, v = logs[:-1], logs[1:]
        if self.tail is not None:
            u, v = u[-self.tail :], v[-self.tail :]
        fit = ols_line(u, v)
        verdict = interval_verdict(fit.ci, self.order, self.tolerance, self.side)
        fitted = {
            "estimate": fit.slope,
            "ci": list(fit.ci),
            "r2": fit.r2,
            "pairs": fit.points,
            "dropped_at_floor": dropped,
            "precision": f"mpmath {mpmath.mp.dps} digits" if high_precision else "float64",
        }
        plot["fit"] = {"slope": fit.slope, "intercept": fit.intercept, "pairs": fit.points}
        reason = (
            f"fitted order {fit.slope:.4g}, 95% CI [{fit.ci[0]:.4g}, {fit.ci[1]:.4g}] over "
            f"{fit.points} pairs ({dropped} at the precision floor dropped); predicted "
            f"{describe_side(self.side)} {self.order:g} ± {self.tolerance:g}"
        )
        return Judgement(verdict, reason, fitted, plot)
