r"""Geometric rate: :math:`e_k \sim C (k+1)^m \rho^k`, fitted on semilog axes."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..data import Samples
from ..errors import ClaimError
from ..fitting import WindowFit, ols_line, safe_log, summarize
from ..verdicts import AT_LEAST, AT_MOST, TIGHT, describe_side
from .base import Judgement, Kind, check_finite, check_side, check_tolerance, check_window, register
from .line_fit import Coordinates, decide_line, judge_line, validate_samples, window_mask

if TYPE_CHECKING:
    from ..context import JudgeContext

_FLIP = {TIGHT: TIGHT, AT_MOST: AT_LEAST, AT_LEAST: AT_MOST}


@register
@dataclass
class Geometric(Kind):
    r"""``e_k ~ C (k+1)^m rho^k``: a linear rate (``rho < 1``) or geometric growth (``rho > 1``).

    The tolerance is relative, on the rate ``-log rho`` (so it means the same for
    ``rho = 0.5`` and ``rho = 0.999``): the fitted rate ratio
    ``q = log(rho_hat) / log(rho)`` is tested against 1 with ``tolerance`` (two-sided) or
    ``margin`` (one-sided). The near predictions are ``rho^(1+d)``: ``d`` is a relative
    change of ``log rho``.

    Parameters
    ----------
    rho
        The predicted rate, positive and not 1.
    tolerance
        Relative tolerance on ``log rho`` (a two-sided claim).
    margin
        A one-sided claim's relative margin on ``log rho``, on the lenient side: the fit's
        model error argued from the theory, small by default.
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
    margin: float = 0.05

    name: ClassVar[str] = "geometric"
    data_type: ClassVar[type] = Samples
    summary: ClassVar[str] = (
        "e_k ~ C rho^k: log-linear fit of the tail, the rate ratio log(rho_hat)/log(rho) tested "
        "against 1"
    )
    has_figure: ClassVar[bool] = True
    view: ClassVar[str | None] = "geometric"
    fitted_label: ClassVar[str | None] = "ρ̂ ="
    resolution_parameter: ClassVar[str | None] = "rho"
    #: 10% of log rho: a rate whose constant is off by 10% (1 - mu/L against 1 - 0.9 mu/L)
    #: is the near mistake a contraction claim can make.
    resolution_target: ClassVar[float] = 0.1
    #: toward rho^0.1 on one side (d > -1 keeps a rate), toward rho^10 on the other
    resolution_span: ClassVar[float] = 0.9
    tightness_statistic: ClassVar[str | None] = (
        "fitted rate ratio log(rho_hat)/log(rho) minus 1, toward the strict side"
    )
    hardness_statistic: ClassVar[str] = "point-fit rate ratio past the claimed one"

    @property
    def band(self) -> float:
        return self.tolerance if self.side == TIGHT else self.margin

    @property
    def q_side(self) -> str:
        """The side of the test on the rate ratio ``q``. For a contraction (rho < 1),
        ``q >= 1 - tol`` is "contracts at least as fast": an at_most claim on rho is an
        at_least claim on q. For growth (rho > 1) the side carries over."""
        return _FLIP[self.side] if self.rho < 1 else self.side

    def validate(self, claim_id: str) -> None:
        check_finite(claim_id, self.rho, "rho")
        if not (self.rho > 0 and self.rho != 1):
            raise ClaimError(claim_id, "rho", f"must be positive and not 1, got {self.rho!r}")
        check_finite(claim_id, self.poly_power, "poly_power")
        check_tolerance(claim_id, self.tolerance)
        check_tolerance(claim_id, self.margin, "margin")
        check_side(claim_id, self.side)
        check_window(claim_id, self.window)

    def describe(self) -> str:
        band = f"rate ±{self.tolerance:.0%}" if self.side == TIGHT else f"margin {self.margin:.0%}"
        return f"{describe_side(self.side)} rho = {self.rho:.6g} ({band})"

    # --- resolution -----------------------------------------------------------------------

    def nearby(self, d: float) -> Kind:
        return replace(self, rho=self.rho ** (1 + d))

    def parameter_value(self, d: float) -> float:
        return self.rho ** (1 + d)

    def step_limit(self, direction: int) -> float:
        return 9.0 if direction > 0 else self.resolution_span

    def format_value(self, value: float) -> str:
        return f"{value:.6g}"

    def strict_directions(self) -> tuple[int, ...]:
        # d > 0 raises the rate ratio: q_side at_least needs q high, so d > 0 is stricter
        return {TIGHT: (-1, 1), AT_LEAST: (1,), AT_MOST: (-1,)}[self.q_side]

    def resolver(
        self, data: Any, judgement: Judgement, make_ctx: Callable[[], JudgeContext]
    ) -> Callable[[float], str]:
        wf = judgement.state
        if not isinstance(wf, WindowFit):
            return super().resolver(data, judgement, make_ctx)

        # rho^(1+d) measures slopes in units of (1+d) log rho: the same fit, rescaled
        def verdict(d: float) -> str:
            return decide_line(wf.scaled(1 / (1 + d)), 1.0, self.band, self.q_side).verdict

        return verdict

    def tightness(self, judgement: Judgement) -> float | None:
        q = judgement.fitted.get("rate_ratio")
        if self.side == TIGHT or q is None:
            return None
        return q - 1 if self.q_side == AT_LEAST else 1 - q

    def _ordinate(self, summary: np.ndarray, x: np.ndarray) -> np.ndarray:
        # in units of the predicted rate: the slope is the rate ratio q
        return (safe_log(summary) - self.poly_power * np.log(x + 1.0)) / -math.log(self.rho)

    def hardness(self, data: Any, claim_id: str) -> float:
        """The point fit's rate ratio past the claim toward its lenient side."""
        x, y = validate_samples(data, claim_id)
        mask = window_mask(x, self.window, claim_id)
        v = self._ordinate(summarize(y, data.statistic), x)
        if not np.all(np.isfinite(v[mask])):
            return -np.inf
        q = ols_line(-x[mask], v[mask]).slope
        return 1 - q if self.q_side == AT_LEAST else q - 1

    def judge(self, data: Samples, ctx: JudgeContext) -> Judgement:
        self.check_data_type(data, ctx.claim_id)
        log_rho = math.log(self.rho)
        outcome = judge_line(
            data,
            ctx.rng,
            ctx.claim_id,
            Coordinates(np.negative, self._ordinate, "rate ratio log(rho_hat)/log(rho)"),
            target=1.0,
            tolerance=self.band,
            side=self.q_side,
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
