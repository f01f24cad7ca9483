r"""Order of convergence: :math:`e_{k+1} \sim C e_k^p`, fitted in high precision if need be."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..data import ErrorSequence
from ..errors import ClaimError
from ..fitting import LineFit, ols_line
from ..verdicts import (
    AT_LEAST,
    AT_MOST,
    INCONCLUSIVE,
    TIGHT,
    describe_side,
    drift_is_stable,
    interval_verdict,
)
from .base import Judgement, Kind, check_finite, check_side, check_tolerance, register

if TYPE_CHECKING:
    from ..context import JudgeContext


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


@dataclass(frozen=True)
class OrderFit:
    """The order fit over the pairs used, and the local order at the head and tail of them."""

    whole: LineFit
    head: float
    tail: float


def fit_order(u: np.ndarray, v: np.ndarray) -> OrderFit:
    """Fit ``v`` on ``u`` (``log e_{k+1}`` on ``log e_k``) and its first and last part.

    The head and the tail are the first and the last ``m // 2 + 1`` pairs (at least two, so
    three pairs give two local orders that share a pair): their slopes are the local order
    where the fit starts and where it ends.
    """
    m = len(u)
    whole = ols_line(u, v)
    if m < 3:
        return OrderFit(whole, math.nan, math.nan)
    part = max(2, m // 2 + 1)
    head = ols_line(u[:part], v[:part]).slope
    tail = ols_line(u[-part:], v[-part:]).slope
    return OrderFit(whole, head, tail)


def order_verdict(fit: OrderFit, order: float, tol: float, side: str) -> str:
    """The verdict on the order: the interval test, withheld when the local order drifts by
    more than ``tol`` over the pairs. Unsettled data are never refuted either: a transient
    (superlinear convergence still speeding up, a linear one still slowing down) is not yet
    the order, whichever way the fit points."""
    if not math.isnan(fit.head) and not drift_is_stable(fit.head, fit.tail, tol, side):
        return INCONCLUSIVE
    return interval_verdict(fit.whole.ci, order, tol, side)


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
        Half-width of the acceptance interval on ``p`` (a two-sided claim).
    margin
        A one-sided claim's margin on its lenient side (the fit's model error).
    side
        ``"tight"``, ``"at_least"`` (superlinear claims: ``p >= order``) or ``"at_most"``.
    tail
        How many final pairs to fit (all above the floor if None).
    """

    order: float = 2.0
    tolerance: float = 0.1
    side: str = TIGHT
    tail: int | None = None
    margin: float = 0.1

    name: ClassVar[str] = "order"
    data_type: ClassVar[type] = ErrorSequence
    summary: ClassVar[str] = (
        "e_{k+1} ~ C e_k^p: log e_{k+1} on log e_k over the pairs above the precision floor "
        "(mpmath where float64 runs out of digits), t-interval on p"
    )
    has_figure: ClassVar[bool] = True
    view: ClassVar[str | None] = "order"
    fitted_label: ClassVar[str | None] = "order"
    resolution_parameter: ClassVar[str | None] = "order"
    #: 0.2 in the order: a check that cannot refute 1.8 or 2.2 cannot tell quadratic
    #: convergence from the superlinear orders (golden ratio 1.62, 1.8) methods often reach.
    resolution_target: ClassVar[float] = 0.2
    tightness_statistic: ClassVar[str | None] = (
        "fitted order's distance from the claimed one, toward the strict side"
    )

    @property
    def band(self) -> float:
        return self.tolerance if self.side == TIGHT else self.margin

    def validate(self, claim_id: str) -> None:
        check_finite(claim_id, self.order, "order")
        check_tolerance(claim_id, self.tolerance)
        check_tolerance(claim_id, self.margin, "margin")
        check_side(claim_id, self.side)
        if self.tail is not None and self.tail < 3:
            raise ClaimError(claim_id, "tail", "at least 3 pairs are needed for an order fit")

    def describe(self) -> str:
        band = f"±{self.tolerance:g}" if self.side == TIGHT else f"margin {self.margin:g}"
        return f"{describe_side(self.side)} order p = {self.order:g} ({band})"

    def nearby(self, d: float) -> Kind:
        return replace(self, order=self.order + d)

    def parameter_value(self, d: float) -> float:
        return self.order + d

    def strict_directions(self) -> tuple[int, ...]:
        return {TIGHT: (-1, 1), AT_MOST: (-1,), AT_LEAST: (1,)}[self.side]

    def resolver(
        self, data: Any, judgement: Judgement, make_ctx: Callable[[], JudgeContext]
    ) -> Callable[[float], str]:
        fit = judgement.state
        if not isinstance(fit, OrderFit):
            return super().resolver(data, judgement, make_ctx)
        return lambda d: order_verdict(fit, self.order + d, self.band, self.side)

    def tightness(self, judgement: Judgement) -> float | None:
        estimate = judgement.fitted.get("estimate")
        if self.side == TIGHT or estimate is None:
            return None
        return estimate - self.order if self.side == AT_LEAST else self.order - estimate

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
        ofit = fit_order(u, v)
        fit = ofit.whole
        verdict = order_verdict(ofit, self.order, self.band, self.side)
        fitted = {
            "estimate": fit.slope,
            "ci": list(fit.ci),
            "r2": fit.r2,
            "pairs": fit.points,
            "dropped_at_floor": dropped,
            "precision": f"mpmath {mpmath.mp.dps} digits" if high_precision else "float64",
        }
        plot["fit"] = {"slope": fit.slope, "intercept": fit.intercept, "pairs": fit.points}
        band = f"± {self.tolerance:g}" if self.side == TIGHT else f"(margin {self.margin:g})"
        reason = (
            f"fitted order {fit.slope:.4g}, 95% CI [{fit.ci[0]:.4g}, {fit.ci[1]:.4g}] over "
            f"{fit.points} pairs ({dropped} at the precision floor dropped); predicted "
            f"{describe_side(self.side)} {self.order:g} {band}"
        )
        if not math.isnan(ofit.head):
            fitted["head_estimate"], fitted["tail_estimate"] = ofit.head, ofit.tail
            fitted["settled"] = drift_is_stable(ofit.head, ofit.tail, self.band, self.side)
        if fitted.get("settled") is False:
            what = "tolerance" if self.side == TIGHT else "margin"
            more = "run more iterations" + (
                "" if high_precision else " in higher precision (mpmath)"
            )
            reason = (
                f"not settled: the local order still drifts from {ofit.head:.3g} to "
                f"{ofit.tail:.3g} over the fitted pairs, more than the {what} "
                f"{self.band:g}: {more}, or fit only the settled tail (tail=); {reason}"
            )
        return Judgement(verdict, reason, fitted, plot, state=ofit)
