r"""Power law: :math:`y(n) \sim C n^a (\log n)^b`, fitted on log-log axes."""

from __future__ import annotations

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
    from dataclasses import Field

    from ..context import JudgeContext


def log_log(log_power: float, quantity: str) -> Coordinates:
    """``log y - b log log x`` against ``log x``: the slope is the exponent ``a``."""

    def ordinate(summary: np.ndarray, x: np.ndarray) -> np.ndarray:
        loglog = np.log(np.where(x > 1, np.log(np.where(x > 1, x, np.e)), 1.0))
        return safe_log(summary) - log_power * loglog

    return Coordinates(np.log, ordinate, quantity)


#: Default margin of a one-sided exponent claim: the lenient side's model error. Half the
#: default resolution target, so an attaining instance leaves the other half to the interval.
EXPONENT_MARGIN = 0.05


def divide_known_factor(data: Samples, known_factor: str | None, claim_id: str) -> Samples:
    """``data`` with ``y`` divided by ``data.constants[known_factor]`` (one positive value per
    x), or ``data`` itself when there is no known factor.

    A known factor is a dependence the claim does not predict but knows exactly, measured on the
    instance (the noise multiplier an accountant calibrated for each epsilon, whose departure from
    1/epsilon is the accountant's, not the theorem's). The mean and the quantiles of ``y / f``
    are those of ``y`` divided by ``f``, so dividing the replicates is dividing the summary.
    """
    if known_factor is None:
        return data
    if known_factor not in data.constants:
        raise ClaimError(claim_id, "data.constants", f"no known factor {known_factor!r}")
    x, y = validate_samples(data, claim_id)
    factor = np.broadcast_to(np.asarray(data.constants[known_factor], float), x.shape)
    if not np.all(np.isfinite(factor) & (factor > 0)):
        raise ClaimError(
            claim_id, f"data.constants[{known_factor!r}]", "must be positive and finite at every x"
        )
    return replace(data, y=y / factor)


def judge_power(kind: Any, data: Samples, ctx: JudgeContext, quantity: str) -> Judgement:
    """Judge a power-law-shaped prediction (``exponent``, ``log_power``, ``tolerance``,
    ``margin``, ``side``, ``window``, ``known_factor``) on ``data``."""
    kind.check_data_type(data, ctx.claim_id)
    data = divide_known_factor(data, kind.known_factor, ctx.claim_id)
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
        tolerance=kind.band,
        side=kind.side,
        window=kind.window,
        plot_extra={"log_power": kind.log_power},
    )
    return outcome.judgement


class ExponentFamily(Kind):
    """What power laws and scalings share: the exponent family ``a + d`` and its judging.

    Subclasses are dataclasses with ``exponent``, ``tolerance``, ``margin``, ``log_power``,
    ``side``, ``window`` and ``known_factor``.
    """

    exponent: float
    tolerance: float
    margin: float
    log_power: float
    side: str
    window: Any
    known_factor: str | None
    if TYPE_CHECKING:
        # the subclasses are dataclasses, so nearby() may use dataclasses.replace on them
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    resolution_parameter: ClassVar[str | None] = "exponent"
    #: An exponent off by 0.1 is the size of a missing log factor's local slope over the
    #: horizons the claims use (1/ln T at T = 1e4): a check that cannot refute it cannot tell
    #: log T/sqrt T from 1/sqrt T.
    resolution_target: ClassVar[float] = 0.1
    resolution_span: ClassVar[float] = 2.0
    tightness_statistic: ClassVar[str | None] = (
        "fitted exponent's distance from the claimed one, toward the strict side"
    )
    hardness_statistic: ClassVar[str] = "point-fit exponent past the claimed one"

    @property
    def band(self) -> float:
        """Half-width of a two-sided claim's band; the margin of a one-sided one."""
        return self.tolerance if self.side == TIGHT else self.margin

    def validate_exponent(self, claim_id: str) -> None:
        check_finite(claim_id, self.exponent, "exponent")
        check_finite(claim_id, self.log_power, "log_power")
        check_tolerance(claim_id, self.tolerance)
        check_tolerance(claim_id, self.margin, "margin")
        check_side(claim_id, self.side)
        check_window(claim_id, self.window)
        if self.known_factor is not None and (
            not isinstance(self.known_factor, str) or not self.known_factor
        ):
            raise ClaimError(claim_id, "known_factor", "must name an entry of Samples.constants")

    def factor_text(self) -> str:
        return f", after dividing out {self.known_factor}" if self.known_factor else ""

    def band_text(self) -> str:
        return f"±{self.tolerance:g}" if self.side == TIGHT else f"margin {self.margin:g}"

    def nearby(self, d: float) -> Kind:
        return replace(self, exponent=self.exponent + d)

    def parameter_value(self, d: float) -> float:
        return self.exponent + d

    def strict_directions(self) -> tuple[int, ...]:
        return {TIGHT: (-1, 1), AT_MOST: (-1,), AT_LEAST: (1,)}[self.side]

    def resolver(
        self, data: Any, judgement: Judgement, make_ctx: Callable[[], JudgeContext]
    ) -> Callable[[float], str]:
        wf = judgement.state
        if not isinstance(wf, WindowFit):
            return super().resolver(data, judgement, make_ctx)
        # the exponent is the slope itself: the near predictions differ in the target only
        return lambda d: decide_line(wf, self.exponent + d, self.band, self.side).verdict

    def tightness(self, judgement: Judgement) -> float | None:
        estimate = judgement.fitted.get("estimate")
        if self.side == TIGHT or estimate is None:
            return None
        gap = self.exponent - estimate
        return gap if self.side == AT_MOST else -gap

    def hardness(self, data: Any, claim_id: str) -> float:
        """The point fit's exponent past the claim toward its lenient side (no bootstrap)."""
        data = divide_known_factor(data, self.known_factor, claim_id)
        x, y = validate_samples(data, claim_id)
        mask = window_mask(x, self.window, claim_id)
        v = log_log(self.log_power, "exponent").ordinate(summarize(y, data.statistic), x)
        if not np.all(np.isfinite(v[mask])):
            return -np.inf
        slope = ols_line(np.log(x[mask]), v[mask]).slope
        return slope - self.exponent if self.side != AT_LEAST else self.exponent - slope


@register
@dataclass
class PowerLaw(ExponentFamily):
    r"""``y(n) ~ C n^a (log n)^b``.

    Parameters
    ----------
    exponent
        The predicted ``a``.
    tolerance
        Half-width of the acceptance interval on ``a`` (a two-sided claim). The default
        leaves room under the default resolution target (0.1) for the interval.
    margin
        A one-sided claim's margin on its lenient side: the fit's model error argued from the
        theory (pre-asymptotic curvature, a log factor's local slope), not the distance to a
        mutant. A drift of the local slope by more than the margin, in either direction,
        withholds a confirmation.
    log_power
        The known ``b``, divided out before fitting.
    side
        ``"tight"`` (the instance attains the rate), ``"at_most"`` (an upper bound: the
        fitted exponent is at most ``a``), or ``"at_least"``.
    window
        ``(lo, hi)`` in units of ``x``; either may be None. The fit uses only these points.
    known_factor
        The name of a ``Samples.constants`` entry (one positive value per x) divided out of
        ``y`` before fitting: a dependence the instance has and the claim knows exactly (an
        accountant's calibrated noise against its 1/epsilon). None: nothing divided out.
    """

    exponent: float = 0.0
    tolerance: float = 0.05
    log_power: float = 0.0
    side: str = TIGHT
    window: tuple[float | None, float | None] | None = None
    margin: float = EXPONENT_MARGIN
    known_factor: str | None = None

    name: ClassVar[str] = "power_law"
    data_type: ClassVar[type] = Samples
    summary: ClassVar[str] = (
        "y(n) ~ C n^a (log n)^b: least squares on log-log axes after dividing out the known log "
        "factor, bootstrap interval over replicates, equivalence or one-sided test on a"
    )
    has_figure: ClassVar[bool] = True
    view: ClassVar[str | None] = "power_law"
    fitted_label: ClassVar[str | None] = "slope"

    def validate(self, claim_id: str) -> None:
        self.validate_exponent(claim_id)

    def describe(self) -> str:
        rate = f"n^{self.exponent:g}"
        if self.log_power:
            rate += f" (log n)^{self.log_power:g}"
        return f"{describe_side(self.side)} {rate} ({self.band_text()}{self.factor_text()})"

    def judge(self, data: Samples, ctx: JudgeContext) -> Judgement:
        return judge_power(self, data, ctx, "exponent")
