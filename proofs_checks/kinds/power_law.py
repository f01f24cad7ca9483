r"""Power law: :math:`y(n) \sim C n^a (\log n)^b`, fitted on log-log axes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..data import Samples
from ..errors import ClaimError
from ..fitting import safe_log
from ..verdicts import TIGHT, describe_side
from .base import Judgement, Kind, check_finite, check_side, check_tolerance, check_window, register
from .line_fit import Coordinates, judge_line, validate_samples, window_mask

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..context import JudgeContext
    from ..records import ClaimRecord

def log_log(log_power: float, quantity: str) -> Coordinates:
    """``log y - b log log x`` against ``log x``: the slope is the exponent ``a``."""

    def ordinate(summary: np.ndarray, x: np.ndarray) -> np.ndarray:
        loglog = np.log(np.where(x > 1, np.log(np.where(x > 1, x, np.e)), 1.0))
        return safe_log(summary) - log_power * loglog

    return Coordinates(np.log, ordinate, quantity)


def judge_power(kind: Any, data: Samples, ctx: JudgeContext, quantity: str) -> Judgement:
    """Judge a power-law-shaped prediction (``exponent``, ``log_power``, ``tolerance``,
    ``side``, ``window``) on ``data``."""
    kind.check_data_type(data, ctx.claim_id)
    if kind.log_power:
        x, _ = validate_samples(data, ctx.claim_id)
        if np.any(x[window_mask(x, kind.window, ctx.claim_id)] <= 1):
            raise ClaimError(ctx.claim_id, "data.x", "a log factor needs x > 1 in the window")
    outcome = judge_line(
        data,
        ctx.rng,
        ctx.claim_id,
        log_log(kind.log_power, quantity),
        target=kind.exponent,
        tolerance=kind.tolerance,
        side=kind.side,
        window=kind.window,
        plot_extra={"log_power": kind.log_power},
    )
    return outcome.judgement


@register
@dataclass
class PowerLaw(Kind):
    r"""``y(n) ~ C n^a (log n)^b``.

    Parameters
    ----------
    exponent
        The predicted ``a``.
    tolerance
        Half-width of the acceptance interval on ``a``.
    log_power
        The known ``b``, divided out before fitting.
    side
        ``"tight"`` (the instance attains the rate), ``"at_most"`` (an upper bound: the
        fitted exponent is at most ``a``), or ``"at_least"``.
    window
        ``(lo, hi)`` in units of ``x``; either may be None. The fit uses only these points.
    """

    exponent: float = 0.0
    tolerance: float = 0.1
    log_power: float = 0.0
    side: str = TIGHT
    window: tuple[float | None, float | None] | None = None

    name: ClassVar[str] = "power_law"
    data_type: ClassVar[type] = Samples
    summary: ClassVar[str] = (
        "y(n) ~ C n^a (log n)^b: least squares on log-log axes after dividing out the known log "
        "factor, bootstrap interval over replicates, equivalence or one-sided test on a"
    )
    has_figure: ClassVar[bool] = True

    def validate(self, claim_id: str) -> None:
        check_finite(claim_id, self.exponent, "exponent")
        check_finite(claim_id, self.log_power, "log_power")
        check_tolerance(claim_id, self.tolerance)
        check_side(claim_id, self.side)
        check_window(claim_id, self.window)

    def describe(self) -> str:
        rate = f"n^{self.exponent:g}"
        if self.log_power:
            rate += f" (log n)^{self.log_power:g}"
        return f"{describe_side(self.side)} {rate} (±{self.tolerance:g})"

    def judge(self, data: Samples, ctx: JudgeContext) -> Judgement:
        return judge_power(self, data, ctx, "exponent")

    @classmethod
    def fitted_text(cls, fitted: dict[str, Any], deterministic: bool = False) -> str:
        from ..formatting import DASH, fmt_ci

        if fitted.get("estimate") is None:
            return DASH
        return f"slope {fmt_ci(fitted['estimate'], fitted.get('ci'))}"

    @classmethod
    def caption(cls, record: ClaimRecord) -> str:
        from ..figures import power_law as view

        return view.caption(record)

    @classmethod
    def draw(cls, fig: Figure, record: ClaimRecord) -> bool:
        from ..figures import power_law as view

        return view.draw(fig, record)
