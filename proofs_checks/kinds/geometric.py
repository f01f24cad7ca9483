r"""Geometric rate: :math:`e_k \sim C (k+1)^m \rho^k`, fitted on semilog axes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..data import Samples
from ..errors import ClaimError
from ..fitting import safe_log
from ..verdicts import AT_LEAST, AT_MOST, TIGHT, describe_side
from .base import Judgement, Kind, check_finite, check_side, check_tolerance, check_window, register
from .line_fit import Coordinates, judge_line

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..context import JudgeContext
    from ..records import ClaimRecord

_FLIP = {TIGHT: TIGHT, AT_MOST: AT_LEAST, AT_LEAST: AT_MOST}


@register
@dataclass
class Geometric(Kind):
    r"""``e_k ~ C (k+1)^m rho^k``: a linear rate (``rho < 1``) or geometric growth (``rho > 1``).

    The tolerance is relative, on the rate ``-log rho`` (so it means the same for
    ``rho = 0.5`` and ``rho = 0.999``): the fitted rate ratio
    ``q = log(rho_hat) / log(rho)`` is tested against 1 with ``tolerance``.

    Parameters
    ----------
    rho
        The predicted rate, positive and not 1.
    tolerance
        Relative tolerance on ``log rho``.
    poly_power
        The known polynomial factor ``m`` (e.g. 1 for a defective eigenvalue of a non-normal
        iteration matrix), divided out before fitting.
    side
        ``"tight"``; ``"at_most"`` reads "contracts at least as fast as rho"
        (``rho_hat <= rho``); ``"at_least"`` "no faster than rho".
    window
        ``(lo, hi)`` in iterations; either may be None.
    """

    rho: float = 0.5
    tolerance: float = 0.05
    poly_power: float = 0.0
    side: str = TIGHT
    window: tuple[float | None, float | None] | None = None

    name: ClassVar[str] = "geometric"
    data_type: ClassVar[type] = Samples
    summary: ClassVar[str] = (
        "e_k ~ C rho^k: log-linear fit of the tail, the rate ratio log(rho_hat)/log(rho) tested "
        "against 1"
    )
    has_figure: ClassVar[bool] = True

    def validate(self, claim_id: str) -> None:
        check_finite(claim_id, self.rho, "rho")
        if not (self.rho > 0 and self.rho != 1):
            raise ClaimError(claim_id, "rho", f"must be positive and not 1, got {self.rho!r}")
        check_finite(claim_id, self.poly_power, "poly_power")
        check_tolerance(claim_id, self.tolerance)
        check_side(claim_id, self.side)
        check_window(claim_id, self.window)

    def describe(self) -> str:
        return f"{describe_side(self.side)} rho = {self.rho:.6g} (rate ±{self.tolerance:.0%})"

    def judge(self, data: Samples, ctx: JudgeContext) -> Judgement:
        self.check_data_type(data, ctx.claim_id)
        log_rho = math.log(self.rho)

        def ordinate(summary: np.ndarray, x: np.ndarray) -> np.ndarray:
            # in units of the predicted rate: the slope is the rate ratio q
            return (safe_log(summary) - self.poly_power * np.log(x + 1.0)) / -log_rho

        # For a contraction (rho < 1), q >= 1 - tol is "contracts at least as fast": an at_most
        # claim on rho is an at_least claim on q. For growth (rho > 1) the side carries over.
        q_side = _FLIP[self.side] if self.rho < 1 else self.side
        outcome = judge_line(
            data,
            ctx.rng,
            ctx.claim_id,
            Coordinates(np.negative, ordinate, "rate ratio log(rho_hat)/log(rho)"),
            target=1.0,
            tolerance=self.tolerance,
            side=q_side,
            window=self.window,
            plot_extra={"poly_power": self.poly_power, "semilog": True},
        )
        j = outcome.judgement
        if outcome.fit is None:
            return j
        f = j.fitted
        j.fitted = {
            "estimate": math.exp(log_rho * f["estimate"]),
            "ci": sorted(math.exp(log_rho * c) for c in f["ci"]),
            "rate_ratio": f["estimate"],
            "rate_ratio_ci": f["ci"],
            **{k: f[k] for k in ("r2", "intercept", "window", "points") if k in f},
            "tail_estimate": math.exp(log_rho * f["tail_estimate"]),
            "head_estimate": math.exp(log_rho * f["head_estimate"]),
            **{k: f[k] for k in ("drift_ci", "settled", "dropped_resamples") if k in f},
        }
        j.reason += f" (rho_hat = {j.fitted['estimate']:.6g}, predicted rho = {self.rho:.6g})"
        return j

    @classmethod
    def fitted_text(cls, fitted: dict[str, Any], deterministic: bool = False) -> str:
        from ..formatting import DASH, fmt_ci

        if fitted.get("estimate") is None:
            return DASH
        return f"ρ̂ = {fmt_ci(fitted['estimate'], fitted.get('ci'))}"

    @classmethod
    def caption(cls, record: ClaimRecord) -> str:
        from ..figures import geometric as view

        return view.caption(record)

    @classmethod
    def draw(cls, fig: Figure, record: ClaimRecord) -> bool:
        from ..figures import geometric as view

        return view.draw(fig, record)
