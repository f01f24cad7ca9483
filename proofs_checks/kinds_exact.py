"""Claim kinds judged without a rate fit: bounds, agreements, implications, identities."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy
from scipy import stats

from .data import Comparison, Identity, Samples, Search
from .errors import ClaimError
from .fitting import CONFIDENCE
from .kinds import (
    Judgement,
    Prediction,
    _check_side,
    _check_tolerance,
    divergence,
    validate_samples,
)
from .verdicts import AT_LEAST, AT_MOST, CONFIRMED, INCONCLUSIVE, REFUTED, describe_side


def mean_bands(y: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean at each column with simultaneous one-sided bands (Bonferroni over columns).

    Each side holds with probability ``level`` jointly over all ``m`` columns: the per-column
    one-sided level is ``1 - (1 - level) / m``. The normal quantile is justified by the CLT
    at the replicate counts the claims use (hundreds or more).
    """
    replicates, m = y.shape
    mean = y.mean(axis=0)
    if replicates == 1:
        return mean, mean, mean
    se = y.std(axis=0, ddof=1) / math.sqrt(replicates)
    z = stats.norm.ppf(1 - (1 - level) / m)
    return mean, mean - z * se, mean + z * se


@dataclass
class Bound(Prediction):
    r"""``y(n) <= B(n)`` (or ``>=``) at every horizon, with the paper's constants.

    Parameters
    ----------
    formula
        ``B(x, **constants)``: the bound, evaluated on the horizons with the instance's
        constants (from :attr:`Samples.constants`).
    expression
        The bound as the paper writes it (LaTeX), for the report.
    side
        ``"at_most"`` (an upper bound: confirmed if every upper band lies under B, refuted if
        some lower band lies over it) or ``"at_least"``.
    level
        Joint confidence of the bands over all horizons.
    rtol
        For deterministic data only: floating-point slack (a bound that is exactly attained
        must not be refuted by rounding).
    """

    formula: Callable[..., Any] | None = None
    expression: str = ""
    side: str = AT_MOST
    level: float = CONFIDENCE
    rtol: float = 1e-9
    kind: str = "bound"
    data_type: type = Samples

    def validate(self, claim_id: str) -> None:
        if not callable(self.formula):
            raise ClaimError(claim_id, "formula", "a bound claim needs a callable B(x, **c)")
        _check_side(claim_id, self.side)
        if self.side not in (AT_MOST, AT_LEAST):
            raise ClaimError(claim_id, "side", "a bound is 'at_most' or 'at_least'")
        if not 0 < self.level < 1:
            raise ClaimError(claim_id, "level", f"must lie in (0, 1), got {self.level!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"bound": self.expression, "side": self.side, "level": self.level}

    def describe(self) -> str:
        return f"{describe_side(self.side)} {self.expression}"

    def judge(self, data: Samples, rng: np.random.Generator, claim_id: str) -> Judgement:
        self.check_data_type(data, claim_id)
        x, y = validate_samples(data, claim_id)
        reason = divergence(y, x)
        if reason:
            return Judgement(INCONCLUSIVE, reason, replicates=y.shape[0])
        bound = np.broadcast_to(np.asarray(self.formula(x, **data.constants), float), x.shape)
        if not np.all(np.isfinite(bound)):
            raise ClaimError(claim_id, "formula", "the bound is NaN or infinite at some horizon")
        mean, lo, hi = mean_bands(y, self.level)
        if y.shape[0] == 1:
            slack = self.rtol * np.abs(bound)
            lo, hi = mean - slack, mean + slack
        ratio = mean / bound
        if self.side == AT_MOST:
            worst = int(np.argmax(ratio))
            if np.all(hi <= bound):
                verdict = CONFIRMED
            elif np.any(lo > bound):
                verdict = REFUTED
                worst = int(np.argmax(lo / bound))
            else:
                verdict = INCONCLUSIVE
            ci = [float(np.max(lo / bound)), float(np.max(hi / bound))]
            estimate = float(np.max(ratio))
        else:
            worst = int(np.argmin(ratio))
            if np.all(lo >= bound):
                verdict = CONFIRMED
            elif np.any(hi < bound):
                verdict = REFUTED
                worst = int(np.argmin(hi / bound))
            else:
                verdict = INCONCLUSIVE
            ci = [float(np.min(lo / bound)), float(np.min(hi / bound))]
            estimate = float(np.min(ratio))
        word = "max" if self.side == AT_MOST else "min"
        reason = (
            f"{word} of y/B over {len(x)} horizons = {estimate:.4g} (band {ci[0]:.4g} to "
            f"{ci[1]:.4g}, joint level {self.level:g}); worst at x = {x[worst]:g}"
        )
        fitted = {"estimate": estimate, "ci": ci, "statistic": f"{word} y/B", "at": float(x[worst])}
        plot = {
            "x": x.tolist(),
            "y": mean.tolist(),
            "y_lo": lo.tolist(),
            "y_hi": hi.tolist(),
            "bound": bound.tolist(),
            "x_label": data.x_label,
            "y_label": data.y_label,
        }
        return Judgement(verdict, reason, fitted, plot, y.shape[0])


@dataclass
class Agreement(Prediction):
    """Computed values equal reference values within ``rtol`` (relative) plus ``atol``.

    Deterministic computations are compared directly. Monte Carlo estimates (``computed`` of
    shape ``(replicates, m)``) use simultaneous bands on the mean: confirmed if every band lies
    within the tolerance, refuted if some band lies wholly outside it.
    """

    rtol: float = 1e-9
    atol: float = 0.0
    level: float = CONFIDENCE
    kind: str = "agreement"
    data_type: type = Comparison

    def validate(self, claim_id: str) -> None:
        _check_tolerance(claim_id, self.rtol + self.atol, "rtol")
        if self.rtol < 0 or self.atol < 0:
            raise ClaimError(claim_id, "rtol", "tolerances must be non-negative")

    def to_dict(self) -> dict[str, Any]:
        return {"rtol": self.rtol, "atol": self.atol}

    def describe(self) -> str:
        tol = f"rtol {self.rtol:g}" + (f", atol {self.atol:g}" if self.atol else "")
        return f"equal to the reference ({tol})"

    def judge(self, data: Comparison, rng: np.random.Generator, claim_id: str) -> Judgement:
        self.check_data_type(data, claim_id)
        ref = np.atleast_1d(np.asarray(data.reference, float))
        comp = np.asarray(data.computed, float)
        comp2 = comp[None, :] if comp.ndim <= 1 else comp
        comp2 = np.atleast_2d(comp2)
        if comp2.shape[1] != ref.shape[0]:
            raise ClaimError(
                claim_id,
                "data.computed",
                f"shape {comp.shape} does not match reference {ref.shape}",
            )
        if not np.all(np.isfinite(ref)):
            raise ClaimError(claim_id, "data.reference", "contains NaN or infinite values")
        labels = list(data.labels) or [str(i) for i in range(len(ref))]
        reason = divergence(comp2, np.arange(len(ref), dtype=float))
        if reason:
            return Judgement(INCONCLUSIVE, reason, replicates=comp2.shape[0])
        mean, lo, hi = mean_bands(comp2, self.level)
        allowed = self.atol + self.rtol * np.abs(ref)
        err = np.abs(mean - ref)
        scale = np.where(np.abs(ref) > 0, np.abs(ref), 1.0)
        if comp2.shape[0] == 1:
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
        # An interval on the largest relative error: its lower end is the largest distance
        # from a reference to its band (0 where the band contains the reference), its upper end
        # the farthest band end.
        near = np.maximum(0.0, np.maximum(lo - ref, ref - hi)) / scale
        far = np.maximum(np.abs(lo - ref), np.abs(hi - ref)) / scale
        fitted = {
            "estimate": float(rel.max()),
            "ci": [float(near.max()), float(far.max())],
            "statistic": "max relative error",
            "worst": labels[worst],
        }
        plot = {
            "labels": labels,
            "computed": mean.tolist(),
            "reference": ref.tolist(),
            "lo": lo.tolist(),
            "hi": hi.tolist(),
        }
        return Judgement(verdict, reason, fitted, plot, comp2.shape[0])


@dataclass
class Implication(Prediction):
    """``premise(instance) => conclusion(instance)`` for every instance the strategy draws.

    hypothesis searches for an instance where the premise holds and the conclusion fails, and
    shrinks it. None found in ``max_examples`` draws: confirmed, with the count (a search, not
    a proof; the report says so). Found: refuted, with the shrunk counterexample recorded.
    """

    max_examples: int = 300
    max_examples_full: int = 2000
    kind: str = "implication"
    data_type: type = Search

    def validate(self, claim_id: str) -> None:
        if self.max_examples < 1:
            raise ClaimError(claim_id, "max_examples", "must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        return {"max_examples": self.max_examples, "max_examples_full": self.max_examples_full}

    def describe(self) -> str:
        return "premise implies conclusion on every instance searched"

    def judge(
        self, data: Search, rng: np.random.Generator, claim_id: str, profile: str = "quick"
    ) -> Judgement:
        import hypothesis
        from hypothesis import HealthCheck, Phase, settings

        self.check_data_type(data, claim_id)
        budget = self.max_examples_full if profile == "full" else self.max_examples
        tried = {"instances": 0, "premise": 0}

        def violates(instance) -> bool:
            tried["instances"] += 1
            if not data.premise(instance):
                return False
            tried["premise"] += 1
            return not data.conclusion(instance)

        config = settings(
            max_examples=budget,
            database=None,
            deadline=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        seed = int(rng.integers(0, 2**32))
        try:
            example = hypothesis.find(
                data.strategy, violates, settings=config, random=random.Random(seed)
            )
        except hypothesis.errors.NoSuchExample:
            return Judgement(
                CONFIRMED,
                f"no counterexample in {tried['instances']} instances "
                f"({tried['premise']} satisfied the premise)",
                {"instances": tried["instances"], "premise_held": tried["premise"]},
            )
        counterexample = data.describe(example)
        return Judgement(
            REFUTED,
            f"counterexample found (shrunk) after {tried['instances']} evaluations",
            {"instances": tried["instances"], "counterexample": counterexample},
            {"counterexample": counterexample},
        )


@dataclass
class Symbolic(Prediction):
    """An identity or inequality proved by sympy.

    Confirmed (proved) if ``lhs - rhs`` simplifies to zero (for ``<=``: sympy establishes
    ``rhs - lhs >= 0`` from the symbols' assumptions). Refuted if the residual is non-zero at
    a test point, evaluated with 50 significant digits. Otherwise inconclusive, with the
    residual expression.
    """

    kind: str = "symbolic"
    data_type: type = Identity

    def to_dict(self) -> dict[str, Any]:
        return {"method": "sympy simplification"}

    def describe(self) -> str:
        return "identity holds symbolically"

    def judge(self, data: Identity, rng: np.random.Generator, claim_id: str) -> Judgement:
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
