"""Agreement: computed values equal reference values (an oracle, a closed form, a library)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..data import Comparison
from ..errors import ClaimError
from ..fitting import CONFIDENCE
from ..verdicts import CONFIRMED, INCONCLUSIVE, REFUTED
from .base import Judgement, Kind, check_finite, check_tolerance, register
from .bound import mean_bands
from .line_fit import divergence

if TYPE_CHECKING:
    from ..context import JudgeContext


@register
@dataclass
class Agreement(Kind):
    """Computed values equal reference values within ``rtol`` (relative) plus ``atol``.

    Deterministic computations are compared directly (exact values: no interval). Monte Carlo
    estimates (``computed`` of shape ``(replicates, m)``) use simultaneous bands on the mean:
    confirmed if every band lies within the tolerance, refuted if some band lies wholly outside.

    ``reference_factor`` multiplies the reference: 1 for the claim; the near predictions
    (the resolution's family) are the reference times ``1 + d``.
    """

    rtol: float = 1e-9
    atol: float = 0.0
    level: float = CONFIDENCE
    reference_factor: float = 1.0

    name: ClassVar[str] = "agreement"
    data_type: ClassVar[type] = Comparison
    summary: ClassVar[str] = (
        "computed values equal reference values within rtol + atol (joint Monte Carlo bands for "
        "estimates)"
    )
    has_figure: ClassVar[bool] = True
    view: ClassVar[str | None] = "agreement"
    resolution_parameter: ClassVar[str | None] = "factor on the reference"
    #: A reference off by 10% (a constant 0.9 for 1, a sqrt(1.2)) is the near mistake an
    #: agreement claim can make; exact computations resolve far finer than that.
    resolution_target: ClassVar[float] = 0.1
    resolution_span: ClassVar[float] = 0.9

    def nearby(self, d: float) -> Kind:
        return replace(self, reference_factor=self.reference_factor * (1 + d))

    def parameter_value(self, d: float) -> float:
        return self.reference_factor * (1 + d)

    def validate(self, claim_id: str) -> None:
        for name in ("rtol", "atol"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0:
                raise ClaimError(claim_id, name, f"must be a non-negative number, got {value!r}")
        check_tolerance(claim_id, self.rtol + self.atol, "rtol")
        if not 0 < self.level < 1:
            raise ClaimError(claim_id, "level", f"must lie in (0, 1), got {self.level!r}")
        check_finite(claim_id, self.reference_factor, "reference_factor")

    def describe(self) -> str:
        tol = f"rtol {self.rtol:g}" + (f", atol {self.atol:g}" if self.atol else "")
        if self.reference_factor != 1:
            return f"equal to {self.reference_factor:.6g} x the reference ({tol})"
        return f"equal to the reference ({tol})"

    def judge(self, data: Comparison, ctx: JudgeContext) -> Judgement:
        claim_id = ctx.claim_id
        self.check_data_type(data, claim_id)
        ref = np.atleast_1d(np.asarray(data.reference, float))
        comp = np.asarray(data.computed, float)
        comp2 = np.atleast_2d(comp[None, :] if comp.ndim <= 1 else comp)
        if comp2.shape[1] != ref.shape[0]:
            raise ClaimError(
                claim_id,
                "data.computed",
                f"shape {comp.shape} does not match reference {ref.shape}",
            )
        if not np.all(np.isfinite(ref)):
            raise ClaimError(claim_id, "data.reference", "contains NaN or infinite values")
        ref = ref * self.reference_factor
        labels = list(data.labels) or [str(i) for i in range(len(ref))]
        reason = divergence(comp2, np.arange(len(ref), dtype=float))
        if reason:
            return Judgement(INCONCLUSIVE, reason, replicates=comp2.shape[0])
        exact = comp2.shape[0] == 1
        mean, lo, hi = mean_bands(comp2, self.level)
        allowed = self.atol + self.rtol * np.abs(ref)
        err = np.abs(mean - ref)
        scale = np.where(np.abs(ref) > 0, np.abs(ref), 1.0)
        if exact:
            verdict = CONFIRMED if np.all(err <= allowed) else REFUTED
        elif np.all((lo >= ref - allowed) & (hi <= ref + allowed)):
            verdict = CONFIRMED
        elif np.any((hi < ref - allowed) | (lo > ref + allowed)):
            verdict = REFUTED
        else:
            verdict = INCONCLUSIVE
        worst = int(np.argmax(err / np.maximum(allowed, 1e-300)))
        rel = err / scale
        reason = (
            f"largest relative error {rel.max():.3g} (at {labels[worst]}); allowed rtol "
            f"{self.rtol:g}, atol {self.atol:g} over {len(ref)} comparisons"
        )
        fitted: dict[str, Any] = {
            "estimate": float(rel.max()),
            "statistic": "max relative error",
            "worst": labels[worst],
        }
        plot: dict[str, Any] = {
            "labels": labels,
            "computed": mean.tolist(),
            "reference": ref.tolist(),
        }
        if exact:
            fitted["exact"] = True
        else:
            # An interval on the largest relative error: its lower end is the largest distance
            # from a reference to its band (0 where the band contains the reference), its upper
            # end the farthest band end.
            near = np.maximum(0.0, np.maximum(lo - ref, ref - hi)) / scale
            far = np.maximum(np.abs(lo - ref), np.abs(hi - ref)) / scale
            fitted["ci"] = [float(near.max()), float(far.max())]
            plot["lo"], plot["hi"] = lo.tolist(), hi.tolist()
        return Judgement(verdict, reason, fitted, plot, comp2.shape[0])

    @classmethod
    def fitted_text(cls, fitted: dict[str, Any], deterministic: bool = False) -> str:
        from ..formatting import DASH, fmt

        if fitted.get("estimate") is None:
            return DASH
        text = f"max relative error {fmt(fitted['estimate'])}"
        # "ci" holds how far each end of the Monte Carlo band lies from the reference (the
        # largest over comparisons), not an interval around the estimate.
        ci = fitted.get("ci")
        if ci and None not in ci and fmt(max(ci)) != fmt(fitted["estimate"]):
            text += f" (band reaches {fmt(max(ci))})"
        return text
