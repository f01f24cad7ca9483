r"""Order of convergence: :math:`e_{k+1} \sim C e_k^p`, fitted in high precision if need be."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..data import ErrorSequence
from ..errors import ClaimError
from ..fitting import ols_line
from ..verdicts import INCONCLUSIVE, TIGHT, describe_side, interval_verdict
from .base import Judgement, Kind, check_finite, check_side, check_tolerance, register

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..context import JudgeContext
    from ..records import ClaimRecord


def _floor(data: ErrorSequence, high_precision: bool, claim_id: str) -> Any:
    import mpmath

    if data.floor is not None:
        floor = mpmath.mpf(data.floor)
        if not floor > 0:
            raise ClaimError(
                claim_id,
                "data.floor",
                f"must be positive, got {data.floor!r} (a float below 1e-308 is 0: pass an "
                "mpmath.mpf)",
            )
        return floor
    if high_precision:
        return mpmath.mpf(10) ** (-(mpmath.mp.dps - 3))
    return mpmath.mpf(1e3 * np.finfo(float).eps)


@register
@dataclass
class Order(Kind):
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

    name: ClassVar[str] = "order"
    data_type: ClassVar[type] = ErrorSequence
    summary: ClassVar[str] = (
        "e_{k+1} ~ C e_k^p: log e_{k+1} on log e_k over the pairs above the precision floor "
        "(mpmath where float64 runs out of digits), t-interval on p"
    )
    has_figure: ClassVar[bool] = True

    def validate(self, claim_id: str) -> None:
        check_finite(claim_id, self.order, "order")
        check_tolerance(claim_id, self.tolerance)
        check_side(claim_id, self.side)
        if self.tail is not None and self.tail < 3:
            raise ClaimError(claim_id, "tail", "at least 3 pairs are needed for an order fit")

    def describe(self) -> str:
        return f"{describe_side(self.side)} order p = {self.order:g} (±{self.tolerance:g})"

    def judge(self, data: ErrorSequence, ctx: JudgeContext) -> Judgement:
        import mpmath

        claim_id = ctx.claim_id
        self.check_data_type(data, claim_id)
        errors = list(data.errors)
        if len(errors) < 4:
            raise ClaimError(claim_id, "data.errors", f"{len(errors)} errors; at least 4 needed")
        high_precision = any(isinstance(e, mpmath.mpf) for e in errors)
        finite = [mpmath.isfinite(e) if high_precision else math.isfinite(e) for e in errors]
        if not all(finite):
            return Judgement(INCONCLUSIVE, "iteration diverged: non-finite error; not fitted")
        floor = _floor(data, high_precision, claim_id)
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

    @classmethod
    def fitted_text(cls, fitted: dict[str, Any], deterministic: bool = False) -> str:
        from ..formatting import DASH, fmt_ci

        if fitted.get("estimate") is None:
            return DASH
        return f"order {fmt_ci(fitted['estimate'], fitted.get('ci'))}"

    @classmethod
    def caption(cls, record: ClaimRecord) -> str:
        from ..figures import order as view

        return view.caption(record)

    @classmethod
    def draw(cls, fig: Figure, record: ClaimRecord) -> bool:
        from ..figures import order as view

        return view.draw(fig, record)
