r"""Worst case: :math:`\tau_{PEP}(N)` over a function class against the claimed :math:`\tau(N)`.

The data are solved performance-estimation problems (:mod:`proofs_checks.pep`), one per
horizon: the certified worst case (dual value), the attained one (primal value of the
worst-case example), the solver's status and duality gap. The check has four parts:

* solver honesty: a solve whose status is not ``optimal`` or whose relative duality gap
  exceeds ``gap_tolerance`` is evidence of nothing: no confirmation rests on it;
* the value: ``at_most`` (an upper bound) is refuted by an attained example above
  ``tau (1 + rtol)``; ``at_least`` by a certificate below ``tau (1 - rtol)``; ``tight`` by
  either; confirmed when every trusted solve lies on the claim's side within ``rtol``;
* the rate: an optional :class:`PowerLaw` or :class:`Geometric` prediction judged on
  ``(N, tau_PEP(N))``;
* the instance: where the worst-case example was replayed (a concrete function through the
  extracted iterates, run by a simulator), or a known instance is given, its metric must
  reproduce ``tau_PEP(N)`` within ``replay_rtol``; otherwise no confirmation.

The resolution family is the bound's: ``tau (1 + d)``, a factor on the claimed worst case,
judged on the same solves (no new SDP).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..data import Samples
from ..errors import ClaimError
from ..verdicts import AT_LEAST, AT_MOST, CONFIRMED, INCONCLUSIVE, REFUTED, TIGHT, describe_side
from .base import Judgement, Kind, check_side, check_tolerance, register
from .bound import Bound
from .factor_family import FactorFamily

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..context import JudgeContext
    from ..pep import Solve
    from ..records import ClaimRecord


@dataclass
class WorstCaseData:
    """Solved PEPs at increasing horizons, and the instances replayed against them.

    Parameters
    ----------
    x
        Horizons ``N``, strictly increasing.
    tau, primal
        Certified (dual) and attained (primal) worst case at each ``N``.
    status, gap, seconds
        Each solve's status, relative duality gap and time.
    solver
        The SDP solver.
    constants
        The constants the claimed ``tau`` needs (``L``, ``D``, ``mu``...).
    replay
        The metric of the extracted worst-case example, rebuilt as a concrete function and
        run through a simulator, at each ``N`` (None: not replayed).
    references
        Known instances' metrics at each ``N``, by label (a hand-made worst case).
    """

    x: Any
    tau: Any
    primal: Any
    status: list[str]
    gap: Any
    seconds: Any
    solver: str = "CLARABEL"
    constants: Mapping[str, float] = field(default_factory=dict)
    replay: Any = None
    references: Mapping[str, Any] = field(default_factory=dict)
    x_label: str = "N"
    y_label: str = "worst case"
    notes: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_solves(cls, solves: list[Solve], **kwargs: Any) -> WorstCaseData:
        return cls(
            x=[s.n for s in solves],
            tau=[s.tau for s in solves],
            primal=[s.primal for s in solves],
            status=[s.status for s in solves],
            gap=[s.gap for s in solves],
            seconds=[s.seconds for s in solves],
            solver=solves[0].solver if solves else "",
            **kwargs,
        )


@dataclass(frozen=True)
class _Evidence:
    """What the value verdict depends on, kept to judge near predictions without re-solving."""

    tau: np.ndarray
    primal: np.ndarray
    claimed: np.ndarray
    trusted: np.ndarray
    rtol: float
    side: str
    other: str  # the verdict of the parts that do not depend on the claimed value

    def value_verdict(self, factor: float = 1.0) -> str:
        b = self.claimed * factor
        hi, lo = b * (1 + self.rtol), b * (1 - self.rtol)
        t, p, ok = self.tau, self.primal, self.trusted
        above = bool(np.any(ok & (p > hi)))  # an attained example exceeds the claim
        below = bool(np.any(ok & (t < lo)))  # a certificate shows every function below it
        if self.side == AT_MOST:
            refuted, holds = above, np.all(t <= hi)
        elif self.side == AT_LEAST:
            refuted, holds = below, np.all(p >= lo)
        else:
            refuted, holds = above or below, np.all((t <= hi) & (p >= lo))
        if refuted:
            return REFUTED
        return CONFIRMED if bool(holds) and bool(ok.all()) else INCONCLUSIVE

    def verdict(self, factor: float = 1.0) -> str:
        return combine(self.value_verdict(factor), self.other)


def combine(*verdicts: str) -> str:
    """Refuted if any part refutes, confirmed if every part confirms, else inconclusive."""
    if REFUTED in verdicts:
        return REFUTED
    return CONFIRMED if all(v == CONFIRMED for v in verdicts) else INCONCLUSIVE


@register
@dataclass
class WorstCase(FactorFamily, Kind):
    r"""The worst case over a function class, ``tau_PEP(N)``, against the claimed ``tau(N)``.

    Parameters
    ----------
    tau
        The claimed worst case as a sympy expression in ``x`` and the constants of
        :attr:`WorstCaseData.constants` (for an initial condition normalised to 1).
    x
        The horizon's symbol (or name).
    side
        ``"tight"`` (the class attains tau), ``"at_most"`` (an upper bound) or
        ``"at_least"`` (the worst case is at least tau: a lower bound, a non-contraction).
    symbols
        What each symbol means (report).
    rtol
        Relative tolerance of the values: the solver's accuracy (Clarabel at 1e-7 agrees
        with known closed forms to 4e-8; see :mod:`proofs_checks.pep`).
    gap_tolerance
        The largest relative duality gap a trusted solve may have.
    rate
        A :class:`PowerLaw` or :class:`Geometric` prediction judged on ``(N, tau_PEP)``.
    replay_rtol
        How closely a replayed or reference instance must reproduce ``tau_PEP``.
    """

    tau: Any = None
    x: Any = "N"
    side: str = TIGHT
    symbols: Mapping[str, str] = field(default_factory=dict)
    rtol: float = 1e-6
    gap_tolerance: float = 1e-6
    rate: Kind | None = None
    replay_rtol: float = 1e-5

    name: ClassVar[str] = "worst_case"
    value_symbol: ClassVar[str] = "tau"
    factor_digits: ClassVar[int] = 9
    data_type: ClassVar[type] = WorstCaseData
    summary: ClassVar[str] = (
        "the exact worst case over a function class, tau_PEP(N), from a performance-estimation "
        "SDP (Clarabel) at each N: compared with tau(N) within the solver's accuracy, its rate "
        "fitted, its worst-case example replayed as a concrete instance"
    )
    method: ClassVar[str | None] = (
        "PEPit builds the SDP; Clarabel solves it; a solve not 'optimal' or with a duality gap "
        "above the tolerance confirms nothing"
    )
    has_figure: ClassVar[bool] = True
    resolution_parameter: ClassVar[str | None] = "tau"
    #: As for a bound: a constant off by 1.5 is the near mistake of a worst-case formula;
    #: tight claims, computed to 1e-7, resolve far finer.
    resolution_target: ClassVar[float] = 1.5
    resolution_span: ClassVar[float] = math.log(1e12)

    # --- the formula ----------------------------------------------------------------------

    def _bound(self) -> Bound:
        return Bound(self.tau, x=self.x, side=AT_MOST, symbols=self.symbols)

    def scaled(self, factor: Any) -> WorstCase:
        from dataclasses import replace

        return replace(self, tau=self._bound().sympy_expression * factor)

    def validate(self, claim_id: str) -> None:
        self._bound().validate(claim_id)
        check_side(claim_id, self.side)
        for name in ("rtol", "gap_tolerance", "replay_rtol"):
            check_tolerance(claim_id, getattr(self, name), name)
        if self.rate is not None:
            if not isinstance(self.rate, Kind) or self.rate.data_type is not Samples:
                raise ClaimError(claim_id, "rate", "must be a PowerLaw or Geometric prediction")
            self.rate.validate(claim_id)

    def parameters(self) -> dict[str, Any]:
        b = self._bound()
        return {
            "tau": b.latex(),
            "expression": str(b.sympy_expression),
            "x": str(b.x_symbol),
            "symbols": dict(self.symbols),
            "side": self.side,
            "rtol": self.rtol,
            "gap_tolerance": self.gap_tolerance,
            "replay_rtol": self.replay_rtol,
            "rate": self.rate.to_dict() if self.rate is not None else None,
        }

    def describe(self) -> str:
        text = f"worst case {describe_side(self.side)} {self._bound().sympy_expression}"
        return text + (f"; rate {self.rate.describe()}" if self.rate is not None else "")

    # --- judging --------------------------------------------------------------------------

    def judge(self, data: WorstCaseData, ctx: JudgeContext) -> Judgement:
        cid = ctx.claim_id
        self.check_data_type(data, cid)
        x = np.asarray(data.x, dtype=float)
        tau, primal = np.asarray(data.tau, float), np.asarray(data.primal, float)
        gap = np.asarray(data.gap, float)
        if x.ndim != 1 or len(x) < 1 or tau.shape != x.shape or primal.shape != x.shape:
            raise ClaimError(cid, "data", "x, tau and primal must be arrays of one length")
        if np.any(np.diff(x) <= 0):
            raise ClaimError(cid, "data.x", "horizons must be strictly increasing")
        trusted = (
            np.array([s == "optimal" for s in data.status], dtype=bool)
            & np.isfinite(tau)
            & np.isfinite(primal)
            & (np.abs(gap) <= self.gap_tolerance)
        )
        claimed = self._bound().evaluate(x, data.constants, cid)
        parts, reasons, fitted = [], [], self._solver_facts(data, x, trusted)
        if not trusted.all():
            bad = [
                f"N={x[i]:g}: {data.status[i]}, gap {gap[i]:.2g}" for i in np.flatnonzero(~trusted)
            ]
            reasons.append(f"untrusted solves (no confirmation rests on them): {'; '.join(bad)}")
        rate_plot = {}
        if self.rate is not None:
            ok = trusted & (tau > 0)
            if ok.sum() >= 4:
                rj = self.rate.judge(Samples(x[ok], tau[ok], x_label="N"), ctx)
                parts.append(rj.verdict)
                reasons.append(f"rate: {rj.reason}")
                fitted["rate"] = rj.fitted
                rate_plot = rj.plot
            else:
                parts.append(INCONCLUSIVE)
                reasons.append("rate: fewer than 4 trusted positive solves to fit")
        parts.append(self._instances(data, tau, reasons, fitted))
        evidence = _Evidence(tau, primal, claimed, trusted, self.rtol, self.side, combine(*parts))
        verdict = evidence.verdict()
        ratio = np.where(trusted, tau / claimed, np.nan)
        fitted["estimate"] = (
            float(np.nanmax(ratio) if self.side != AT_LEAST else np.nanmin(ratio))
            if trusted.any()
            else None
        )
        fitted["statistic"] = "max tau_PEP/tau" if self.side != AT_LEAST else "min tau_PEP/tau"
        fitted["max_relative_error"] = (
            float(np.nanmax(np.abs(ratio - 1))) if trusted.any() else None
        )
        fitted["exact"] = True
        word = "value: " + (
            f"tau_PEP/tau from {np.nanmin(ratio):.9g} to {np.nanmax(ratio):.9g} over "
            f"{int(trusted.sum())} trusted solves (rtol {self.rtol:g})"
            if trusted.any()
            else "no trusted solve"
        )
        reason = "; ".join([word, *reasons])
        plot = {
            "x": x.tolist(),
            "tau": tau.tolist(),
            "primal": primal.tolist(),
            "claimed": claimed.tolist(),
            "trusted": trusted.tolist(),
            "replay": None if data.replay is None else np.asarray(data.replay, float).tolist(),
            "references": {k: np.asarray(v, float).tolist() for k, v in data.references.items()},
            "x_label": data.x_label,
            "y_label": data.y_label,
            "semilog": bool(self.rate is not None and self.rate.name == "geometric"),
            "rate_fit": {k: rate_plot.get(k) for k in ("fit_window",)} if rate_plot else None,
        }
        return Judgement(verdict, reason, fitted, plot, 1, state=evidence)

    @staticmethod
    def _solver_facts(data: WorstCaseData, x: np.ndarray, trusted: np.ndarray) -> dict[str, Any]:
        gap = np.asarray(data.gap, float)
        return {
            "solver": data.solver,
            "solves": [
                {
                    "N": int(n),
                    "status": s,
                    "gap": float(g),
                    "seconds": float(t),
                    "tau": float(v),
                    "primal": float(p),
                    "trusted": bool(ok),
                }
                for n, s, g, t, v, p, ok in zip(
                    x, data.status, gap, data.seconds, data.tau, data.primal, trusted, strict=True
                )
            ],
            "max_gap": float(np.nanmax(np.abs(gap))) if np.isfinite(gap).any() else None,
            "solve_seconds": float(np.sum(data.seconds)),
        }

    def _instances(
        self, data: WorstCaseData, tau: np.ndarray, reasons: list[str], fitted: dict[str, Any]
    ) -> str:
        """Whether the replayed and reference instances reproduce tau_PEP (else no confirmation)."""
        verdict = CONFIRMED
        named = dict(data.references)
        if data.replay is not None:
            named = {"replayed worst-case instance": data.replay, **named}
        for label, values in named.items():
            v = np.asarray(values, float)
            err = float(np.max(np.abs(v - tau) / np.abs(tau))) if v.shape == tau.shape else math.inf
            fitted.setdefault("instances", {})[label] = err
            agrees = err <= self.replay_rtol
            reasons.append(
                f"{label} reproduces tau_PEP to {err:.2g} (allowed {self.replay_rtol:g})"
            )
            if not agrees:
                verdict = INCONCLUSIVE
        return verdict

    # --- resolution -----------------------------------------------------------------------

    @property
    def tightness_statistic(self) -> str:  # type: ignore[override]
        return "min tau_PEP/tau" if self.side == AT_LEAST else "max tau_PEP/tau"

    def strict_directions(self) -> tuple[int, ...]:
        return {TIGHT: (-1, 1), AT_MOST: (-1,), AT_LEAST: (1,)}[self.side]

    def resolver(
        self, data: Any, judgement: Judgement, make_ctx: Callable[[], JudgeContext]
    ) -> Callable[[float], str]:
        evidence = judgement.state
        if not isinstance(evidence, _Evidence):
            return super().resolver(data, judgement, make_ctx)
        return lambda d: evidence.verdict(1 + d)

    def tightness(self, judgement: Judgement) -> float | None:
        return None if self.side == TIGHT else judgement.fitted.get("estimate")

    # --- the report -----------------------------------------------------------------------

    @classmethod
    def predicted_latex(cls, predicted: dict[str, Any]) -> str | None:
        return predicted.get("tau") or None

    @classmethod
    def fitted_text(cls, fitted: dict[str, Any], deterministic: bool = False) -> str:
        from ..formatting import DASH, fmt

        if fitted.get("estimate") is None:
            return DASH
        text = f"{fitted.get('statistic', 'tau_PEP/tau')} = {fmt(fitted['estimate'])}"
        rate = fitted.get("rate") or {}
        if rate.get("estimate") is not None:
            text += f"; rate {fmt(rate['estimate'])}"
        if fitted.get("max_gap") is not None:
            text += f"; max gap {fitted['max_gap']:.1g}"
        return text

    @classmethod
    def caption(cls, record: ClaimRecord) -> str:
        from ..figures import worst_case as view

        return view.caption(record)

    @classmethod
    def draw(cls, fig: Figure, record: ClaimRecord) -> bool:
        from ..figures import worst_case as view

        return view.draw(fig, record)
