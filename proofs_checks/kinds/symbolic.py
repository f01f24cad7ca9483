"""Symbolic: an identity or inequality proved by sympy, refuted at a test point in 50 digits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..data import Identity
from ..errors import ClaimError
from ..verdicts import CONFIRMED, INCONCLUSIVE, REFUTED
from .base import Judgement, Kind, register

if TYPE_CHECKING:
    from ..context import JudgeContext


@register
@dataclass
class Symbolic(Kind):
    """An identity or inequality proved by sympy.

    Confirmed (proved) if ``lhs - rhs`` simplifies to zero (for ``<=``: sympy establishes
    ``rhs - lhs >= 0`` from the symbols' assumptions). Refuted if the residual is non-zero at
    a test point, evaluated with 50 significant digits. Otherwise inconclusive, with the
    residual expression.
    """

    name: ClassVar[str] = "symbolic"
    data_type: ClassVar[type] = Identity
    summary: ClassVar[str] = "an identity or inequality: sympy simplification of the residual"
    method: ClassVar[str | None] = (
        "sympy simplification of the residual; refuted by a test point in 50 digits"
    )
    needs_resolution: ClassVar[bool] = False
    resolution_note: ClassVar[str] = (
        "not applicable: a proof by simplification holds for this identity only; a near "
        "identity leaves a residual that does not simplify to zero"
    )

    def parameters(self) -> dict[str, Any]:
        return {"method": "sympy simplification"}

    def describe(self) -> str:
        return "identity holds symbolically"

    def judge(self, data: Identity, ctx: JudgeContext) -> Judgement:
        import mpmath
        import sympy

        claim_id = ctx.claim_id
        self.check_data_type(data, claim_id)
        if data.relation not in ("==", "<="):
            raise ClaimError(
                claim_id, "data.relation", f"must be '==' or '<=', got {data.relation!r}"
            )
        lhs, rhs = sympy.sympify(data.lhs), sympy.sympify(data.rhs)
        raw = rhs - lhs if data.relation == "<=" else lhs - rhs
        steps = [[label, sympy.latex(expr), str(expr)] for label, expr in data.steps]
        plot = {"steps": steps, "lhs": sympy.latex(lhs), "rhs": sympy.latex(rhs)}
        fitted: dict[str, Any] = {"relation": data.relation}
        # A false statement is refuted at a test point before any (possibly slow)
        # simplification: one point where the residual is off is a proof that it is false.
        for point in data.test_points:
            value = mpmath.mpmathify(sympy.N(raw.subs(point), 50))
            scale = max(abs(mpmath.mpmathify(sympy.N(lhs.subs(point), 50))), mpmath.mpf(1))
            tiny = scale * mpmath.mpf(10) ** -40
            if data.relation == "==":
                off = abs(value) > tiny
            else:
                off = abs(mpmath.im(value)) <= tiny and mpmath.re(value) < -tiny
            if off:
                fitted["residual"] = str(raw)[:500]
                fitted["counterexample"] = {str(k): str(v) for k, v in point.items()}
                fitted["residual_value"] = mpmath.nstr(value, 15)
                return Judgement(
                    REFUTED,
                    f"the residual is {mpmath.nstr(value, 6)}, not "
                    f"{'0' if data.relation == '==' else '>= 0'}, at {fitted['counterexample']}",
                    fitted,
                    plot,
                )
        residual = sympy.simplify(raw)
        fitted["residual"] = str(residual)
        proved = residual == 0 if data.relation == "==" else bool(residual.is_nonnegative)
        if proved:
            return Judgement(CONFIRMED, f"proved: residual simplifies to {residual}", fitted, plot)
        return Judgement(
            INCONCLUSIVE, f"could not simplify the residual {residual} to 0", fitted, plot
        )

    @classmethod
    def fitted_text(cls, fitted: dict[str, Any], deterministic: bool = False) -> str:
        return f"residual {fitted['residual']}" if "residual" in fitted else "–"
