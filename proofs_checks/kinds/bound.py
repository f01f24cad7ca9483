r"""Bound: :math:`y(n) \le B(n)` (or :math:`\ge`) at every horizon, with the paper's constants.

The bound is a sympy expression, written once: the check evaluates it with
:func:`sympy.lambdify`, the report renders it with :func:`sympy.latex`, and a mutant that
changes a constant or drops a term is derived from it (:meth:`Bound.scaled`,
:meth:`Bound.substituted`), so the words and the check cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..data import Samples
from ..errors import ClaimError
from ..fitting import CONFIDENCE
from ..verdicts import AT_LEAST, AT_MOST, CONFIRMED, INCONCLUSIVE, REFUTED, describe_side
from .base import Judgement, Kind, check_side, register
from .factor_family import FactorFamily
from .line_fit import divergence, validate_samples

if TYPE_CHECKING:
    import sympy

    from ..context import JudgeContext


def mean_bands(y: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean at each column with simultaneous one-sided bands (Bonferroni over columns).

    Each side holds with probability ``level`` jointly over all ``m`` columns: the per-column
    one-sided level is ``1 - (1 - level) / m``. The normal quantile is justified by the CLT
    at the replicate counts the claims use (hundreds or more).
    """
    from scipy import stats

    replicates, m = y.shape
    mean = y.mean(axis=0)
    if replicates == 1:
        return mean, mean, mean
    se = y.std(axis=0, ddof=1) / math.sqrt(replicates)
    z = stats.norm.ppf(1 - (1 - level) / m)
    return mean, mean - z * se, mean + z * se


@dataclass(frozen=True)
class BoundBands:
    """What a bound's verdict depends on: the bands of y, the bound, and how they compare.

    Kept in the judgement, so a near bound ``factor * B`` is judged without re-evaluating
    the formula or the bands.
    """

    lo: np.ndarray
    hi: np.ndarray
    bound: np.ndarray
    exact: bool
    rtol: float
    side: str

    def verdict(self, factor: float = 1.0) -> str:
        """The verdict against ``factor * B``."""
        bound = self.bound * factor
        if self.exact:
            # one tolerance, on the lenient side only: an exactly attained bound is confirmed
            slack = self.rtol * np.abs(bound)
            bound = bound + slack if self.side == AT_MOST else bound - slack
        if self.side == AT_MOST:
            if np.all(self.hi <= bound):
                return CONFIRMED
            return REFUTED if np.any(self.lo > bound) else INCONCLUSIVE
        if np.all(self.lo >= bound):
            return CONFIRMED
        return REFUTED if np.any(self.hi < bound) else INCONCLUSIVE


@register
@dataclass
class Bound(FactorFamily, Kind):
    r"""``y(x) <= B(x)`` (or ``>=``) at every horizon, ``B`` a sympy expression.

    Parameters
    ----------
    expression
        The bound as a sympy expression in the horizon symbol ``x`` and the instance's
        constants. Every other free symbol must be a key of :attr:`Samples.constants`
        (a number, or an array with one value per horizon).
    x
        The symbol (or its name) that stands for :attr:`Samples.x`.
    side
        ``"at_most"`` (an upper bound: confirmed if every upper band lies under B, refuted if
        some lower band lies over it) or ``"at_least"``.
    symbols
        What each symbol means, by name (``{"D": "||x_0 - x^*||"}``), shown in the report.
    level
        Joint confidence of the Monte Carlo bands over all horizons.
    rtol
        For deterministic data (one replicate): the floating-point tolerance. A value with
        ``y <= B (1 + rtol)`` is confirmed (a bound attained exactly is not refuted by
        rounding); ``y > B (1 + rtol)`` is refuted. No band: the values are exact.
    """

    expression: Any = None
    x: Any = "t"
    side: str = AT_MOST
    symbols: Mapping[str, str] = field(default_factory=dict)
    level: float = CONFIDENCE
    rtol: float = 1e-9

    name: ClassVar[str] = "bound"
    data_type: ClassVar[type] = Samples
    summary: ClassVar[str] = (
        "y(n) <= B(n) with the paper's constants: Monte Carlo mean with a joint confidence band "
        "at each n (exact values for deterministic data)"
    )
    has_figure: ClassVar[bool] = True
    view: ClassVar[str | None] = "bound"

    # --- the formula ----------------------------------------------------------------------

    @property
    def sympy_expression(self) -> sympy.Expr:
        import sympy

        return sympy.sympify(self.expression)

    @property
    def x_symbol(self) -> sympy.Symbol:
        import sympy

        return self.x if isinstance(self.x, sympy.Symbol) else sympy.Symbol(str(self.x))

    def constant_names(self) -> list[str]:
        """The names of the constants the bound needs (its free symbols but ``x``)."""
        x = str(self.x_symbol)
        return sorted(str(s) for s in self.sympy_expression.free_symbols if str(s) != x)

    def latex(self) -> str:
        import sympy

        return sympy.latex(self.sympy_expression)

    def _function(self) -> Callable[..., Any]:
        cached = self.__dict__.get("_lambdified")
        if cached is None:
            import sympy

            by_name = {str(s): s for s in self.sympy_expression.free_symbols}
            args = [by_name.get(str(self.x_symbol), self.x_symbol)]
            args += [by_name[n] for n in self.constant_names()]
            cached = sympy.lambdify(args, self.sympy_expression, modules="numpy")
            self.__dict__["_lambdified"] = cached
        return cached

    def evaluate(self, x: np.ndarray, constants: Mapping[str, Any], claim_id: str) -> np.ndarray:
        """``B`` at the horizons ``x`` with the instance's constants."""
        names = self.constant_names()
        missing = [n for n in names if n not in constants]
        if missing:
            raise ClaimError(
                claim_id,
                "data.constants",
                f"the bound needs {', '.join(repr(n) for n in missing)} in Samples.constants "
                f"(given: {', '.join(sorted(constants)) or 'none'})",
            )
        values = []
        for n in names:
            v = np.asarray(constants[n], dtype=float)
            if v.ndim and v.shape != x.shape:
                raise ClaimError(
                    claim_id,
                    f"data.constants.{n}",
                    f"has shape {v.shape}: give a number or one value per horizon {x.shape}",
                )
            values.append(v)
        with np.errstate(all="ignore"):
            bound = np.asarray(self._function()(x, *values), dtype=float)
        bound = np.broadcast_to(bound, x.shape)
        if not np.all(np.isfinite(bound)):
            i = int(np.argmax(~np.isfinite(bound)))
            raise ClaimError(claim_id, "expression", f"the bound is {bound[i]} at x = {x[i]:g}")
        return bound

    def scaled(self, factor: Any) -> Bound:
        """The same bound times ``factor`` (an understated or overstated constant)."""
        return self.with_expression(self.sympy_expression * factor)

    def substituted(self, values: Mapping[Any, Any]) -> Bound:
        """The bound with symbols replaced (a term dropped: ``{sigma: 0}``)."""
        return self.with_expression(self.sympy_expression.subs(dict(values)))

    def with_expression(self, expression: Any) -> Bound:
        new = replace(self, expression=expression)
        new.__dict__.pop("_lambdified", None)
        return new

    # --- the kind -------------------------------------------------------------------------

    def validate(self, claim_id: str) -> None:
        import sympy

        if self.expression is None or (
            callable(self.expression) and not isinstance(self.expression, sympy.Basic)
        ):
            raise ClaimError(claim_id, "expression", "a bound claim needs B as a sympy expression")
        try:
            expr = self.sympy_expression
        except (sympy.SympifyError, TypeError) as exc:
            raise ClaimError(claim_id, "expression", f"is not a sympy expression: {exc}") from None
        if not isinstance(expr, sympy.Expr):
            raise ClaimError(claim_id, "expression", f"must be an expression, got {expr!r}")
        check_side(claim_id, self.side, (AT_MOST, AT_LEAST))
        if not 0 < self.level < 1:
            raise ClaimError(claim_id, "level", f"must lie in (0, 1), got {self.level!r}")
        if not (isinstance(self.rtol, int | float) and 0 <= self.rtol < 1):
            raise ClaimError(claim_id, "rtol", f"must lie in [0, 1), got {self.rtol!r}")

    def parameters(self) -> dict[str, Any]:
        return {
            "bound": self.latex(),
            "expression": str(self.sympy_expression),
            "x": str(self.x_symbol),
            "symbols": dict(self.symbols),
            "side": self.side,
            "level": self.level,
            "rtol": self.rtol,
        }

    def describe(self) -> str:
        return f"{describe_side(self.side)} {self.sympy_expression}"

    def judge(self, data: Samples, ctx: JudgeContext) -> Judgement:
        claim_id = ctx.claim_id
        self.check_data_type(data, claim_id)
        x, y = validate_samples(data, claim_id)
        reason = divergence(y, x)
        if reason:
            return Judgement(INCONCLUSIVE, reason, replicates=y.shape[0])
        bound = self.evaluate(x, data.constants, claim_id)
        exact = y.shape[0] == 1
        if exact:
            mean = lo = hi = y[0]
        else:
            mean, lo, hi = mean_bands(y, self.level)
        bands = BoundBands(lo, hi, bound, exact, self.rtol, self.side)
        verdict = bands.verdict()
        ratio = mean / bound
        if self.side == AT_MOST:
            worst = int(np.argmax(lo / bound if verdict == REFUTED else ratio))
            ci = [float(np.max(lo / bound)), float(np.max(hi / bound))]
            estimate = float(np.max(ratio))
        else:
            worst = int(np.argmin(hi / bound if verdict == REFUTED else ratio))
            ci = [float(np.min(lo / bound)), float(np.min(hi / bound))]
            estimate = float(np.min(ratio))
        word = "max" if self.side == AT_MOST else "min"
        if exact:
            reason = (
                f"{word} of y/B over {len(x)} horizons = {estimate:.6g} (exact values, "
                f"floating-point tolerance rtol {self.rtol:g}); worst at x = {x[worst]:g}"
            )
        else:
            reason = (
                f"{word} of y/B over {len(x)} horizons = {estimate:.4g} (band {ci[0]:.4g} to "
                f"{ci[1]:.4g}, joint level {self.level:g}); worst at x = {x[worst]:g}"
            )
        fitted: dict[str, Any] = {
            "estimate": estimate,
            "statistic": f"{word} y/B",
            "at": float(x[worst]),
        }
        if exact:
            fitted["exact"] = True
        else:
            fitted["ci"] = ci
        plot = {
            "x": x.tolist(),
            "y": mean.tolist(),
            "bound": bound.tolist(),
            "x_label": data.x_label,
            "y_label": data.y_label,
        }
        if not exact:
            plot["y_lo"], plot["y_hi"] = lo.tolist(), hi.tolist()
        return Judgement(verdict, reason, fitted, plot, y.shape[0], state=bands)

    # --- resolution and worst case --------------------------------------------------------
    #
    # The near bounds are factor * B, the factor reached as e^(-t) (stricter, for an upper
    # bound) or e^(+t): the bisection is as fine at a factor 1e-8 as at 0.9.

    resolution_parameter: ClassVar[str | None] = "bound"
    #: A bound loose by a factor 1.5 is still confirmed by data that reach two thirds of it;
    #: a constant off by 1.5 (a 2 for a 3, a missing sqrt 2) is the near mistake of a bound.
    resolution_target: ClassVar[float] = 1.5
    #: factors from e^-27.6 = 1e-12 to 1e12
    resolution_span: ClassVar[float] = math.log(1e12)

    @property
    def tightness_statistic(self) -> str:  # type: ignore[override]
        return "max y/B" if self.side == AT_MOST else "min y/B"

    @property
    def hardness_statistic(self) -> str:  # type: ignore[override]
        return "max y/B" if self.side == AT_MOST else "-min y/B"

    def strict_directions(self) -> tuple[int, ...]:
        return (-1,) if self.side == AT_MOST else (1,)

    def resolver(
        self, data: Any, judgement: Judgement, make_ctx: Callable[[], JudgeContext]
    ) -> Callable[[float], str]:
        bands = judgement.state
        if not isinstance(bands, BoundBands):
            return super().resolver(data, judgement, make_ctx)
        return lambda d: bands.verdict(1 + d)

    def tightness(self, judgement: Judgement) -> float | None:
        return judgement.fitted.get("estimate")

    def hardness(self, data: Any, claim_id: str) -> float:
        """``max y/B`` for an upper bound (``-min y/B`` for a lower one) of the mean."""
        self.check_data_type(data, claim_id)
        x, y = validate_samples(data, claim_id)
        if divergence(y, x):
            return math.inf  # a diverged instance is the hardest: judging it says so
        ratio = y.mean(axis=0) / self.evaluate(x, data.constants, claim_id)
        return float(np.max(ratio)) if self.side == AT_MOST else -float(np.min(ratio))

    # --- the report -----------------------------------------------------------------------

    @classmethod
    def predicted_latex(cls, predicted: dict[str, Any]) -> str | None:
        return predicted.get("bound") or None
