r"""Scaling: a cost against a problem parameter, :math:`\mathrm{cost}(p) \sim C p^a`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..data import Samples
from ..errors import ClaimError
from ..verdicts import TIGHT, describe_side
from .base import Judgement, register
from .power_law import EXPONENT_MARGIN, ExponentFamily, judge_power

if TYPE_CHECKING:
    from ..context import JudgeContext


@register
@dataclass
class Scaling(ExponentFamily):
    """A cost (iterations to reach eps, a threshold) against a problem parameter (kappa, batch
    size, n, d, 1/eps): ``cost(p) ~ C p^a (log p)^b``, fitted as a power law in ``p``.

    Parameters
    ----------
    exponent, tolerance, margin, log_power, side, window, known_factor
        As for :class:`~proofs_checks.kinds.power_law.PowerLaw`.
    parameter
        The parameter's name for the report (``"kappa"``, ``"batch size"``, ``"1/eps"``).
    """

    exponent: float = 0.0
    tolerance: float = 0.05
    log_power: float = 0.0
    side: str = TIGHT
    window: tuple[float | None, float | None] | None = None
    parameter: str = "p"
    margin: float = EXPONENT_MARGIN
    known_factor: str | None = None

    name: ClassVar[str] = "scaling"
    data_type: ClassVar[type] = Samples
    summary: ClassVar[str] = "cost(p) ~ C p^a in a problem parameter p: fitted as a power law in p"
    has_figure: ClassVar[bool] = True
    view: ClassVar[str | None] = "power_law"
    fitted_label: ClassVar[str | None] = "slope"

    def validate(self, claim_id: str) -> None:
        self.validate_exponent(claim_id)
        if not isinstance(self.parameter, str) or not self.parameter:
            raise ClaimError(claim_id, "parameter", "must name the parameter, e.g. 'kappa'")

    def describe(self) -> str:
        rate = f"{self.parameter}^{self.exponent:g}"
        if self.log_power:
            rate += f" (log {self.parameter})^{self.log_power:g}"
        return f"{describe_side(self.side)} {rate} ({self.band_text()}{self.factor_text()})"

    def judge(self, data: Samples, ctx: JudgeContext) -> Judgement:
        return judge_power(self, data, ctx, f"exponent in {self.parameter}")
