"""Claim kinds for quantities fitted as lines: power law, scaling, geometric rate, order.

Each prediction knows how to validate itself, how to fit the data a claim function returns, and
how to turn the fit into a verdict. The others (bound, agreement, implication, symbolic) live in
:mod:`proofs_checks.kinds_exact`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .data import Samples
from .errors import ClaimError
from .fitting import bootstrap_summaries, fit_line_with_ci, safe_log, summarize
from .verdicts import (
    AT_LEAST,
    AT_MOST,
    INCONCLUSIVE,
    REFUTED,
    SIDES,
    TIGHT,
    describe_side,
    drift_is_stable,
    interval_verdict,
)


@dataclass
class Judgement:
    """The outcome of judging one data set against one prediction."""

    verdict: str
    reason: str
    fitted: dict[str, Any] = field(default_factory=dict)
    plot: dict[str, Any] = field(default_factory=dict)
    replicates: int = 1


class Prediction:
    """Base class of every claim kind."""

    kind: str = "abstract"
    data_type: type = object

    def validate(self, claim_id: str) -> None:
        """Raise :class:`ClaimError` if the prediction is malformed."""

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def describe(self) -> str:
        """One line for tables: what is predicted."""
        raise NotImplementedError

    def judge(self, data: Any, rng: np.random.Generator, claim_id: str) -> Judgement:
        raise NotImplementedError

    def check_data_type(self, data: Any, claim_id: str) -> None:
        if not isinstance(data, self.data_type):
            raise ClaimError(
                claim_id,
                "data",
                f"a {self.kind} claim must return {self.data_type.__name__}, "
                f"got {type(data).__name__}",
            )


def _check_tolerance(claim_id: str, tol: float, name: str = "tolerance") -> None:
    if not (isinstance(tol, int | float) and math.isfinite(tol) and tol > 0):
        raise ClaimError(claim_id, name, f"must be a positive finite number, got {tol!r}")


def _check_side(claim_id: str, side: str) -> None:
    if side not in SIDES:
        raise ClaimError(claim_id, "side", f"must be one of {SIDES}, got {side!r}")


def _check_window(claim_id: str, window: tuple[float | None, float | None] | None) -> None:
    if window is None:
        return
    lo, hi = window
    if lo is not None and hi is not None and not lo < hi:
        raise ClaimError(claim_id, "window", f"must be increasing, got {window!r}")


def validate_samples(data: Samples, claim_id: str) -> tuple[np.ndarray, np.ndarray]:
    """Check shapes and horizons; return ``x`` (m,) and ``y`` as (replicates, m)."""
    try:
        x = np.asarray(data.x, dtype=float)
        y = np.asarray(data.y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ClaimError(claim_id, "data", f"x and y must be numeric arrays ({exc})") from None
    if x.ndim != 1:
        raise ClaimError(claim_id, "data.x", f"must be one-dimensional, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ClaimError(claim_id, "data.x", "contains NaN or infinite horizons")
    if len(x) > 1 and not np.all(np.diff(x) > 0):
        raise ClaimError(claim_id, "data.x", "horizons must be strictly increasing")
    if y.ndim == 1:
        y = y[None, :]
    if y.ndim != 2 or y.shape[1] != x.shape[0]:
        raise ClaimError(
            claim_id,
            "data.y",
            f"replicate array has shape {np.shape(data.y)}, expected (replicates, {len(x)}) "
            f"or ({len(x)},)",
        )
    if y.shape[0] < 1:
        raise ClaimError(claim_id, "data.y", "has no replicates")
    return x, y


def window_mask(x: np.ndarray, window, claim_id: str, min_points: int = 4) -> np.ndarray:
    lo, hi = window if window is not None else (None, None)
    mask = np.ones_like(x, dtype=bool)
    if lo is not None:
        mask &= x >= lo
    if hi is not None:
        mask &= x <= hi
    if mask.sum() < min_points:
        raise ClaimError(
            claim_id,
            "data.x",
            f"only {int(mask.sum())} points in the fit window {window}; at least {min_points} "
            "are needed",
        )
    return mask


def divergence(y: np.ndarray, x: np.ndarray) -> str | None:
    """The reason a run counts as diverged (non-finite values), or None."""
    bad = ~np.isfinite(y)
    if not bad.any():
        return None
    rows = int(bad.any(axis=1).sum())
    first = x[np.argmax(bad.any(axis=0))]
    return (
        f"simulation diverged: {rows} of {y.shape[0]} replicates non-finite "
        f"(first at {first:g}); not fitted"
    )


def _margin_absorbs(wf, target: float, tol: float, side: str) -> bool:
    """For a one-sided claim: the tail's interval, moved by one more window of the same drift,
    is still inside the acceptance region. A drift far inside the region cannot carry the
    slope out of it within the next window, so it does not withhold a confirmation."""
    drift = wf.tail.slope - wf.head.slope
    if side == AT_MOST:
        return wf.tail.ci[1] + max(drift, 0.0) <= target + tol
    if side == AT_LEAST:
        return wf.tail.ci[0] + min(drift, 0.0) >= target - tol
    return False


def _distance(value: float, target: float, tol: float, side: str) -> float:
    """Distance from ``value`` to the acceptance region of a sided test."""
    above = max(0.0, value - (target + tol))
    below = max(0.0, (target - tol) - value)
    if side == AT_MOST:
        return above
    if side == AT_LEAST:
        return below
    return above + below


@dataclass
class _LineClaim(Prediction):
    """Shared machinery of the log-log and semilog fits."""

    def _fit(self, u, x, y, statistic, transform, rng, claim_id, mask):
        point = summarize(y, statistic)
        v = transform(point)
        if y.shape[0] > 1:
            boot = bootstrap_summaries(y, statistic, rng)
            vb = transform(boot)
            band = np.quantile(boot, [0.025, 0.975], axis=0)
        else:
            vb, band = None, np.vstack([point, point])
        bad = mask & ~np.isfinite(v)
        if bad.any():
            return None, point, band, f"summary not positive at x={x[bad].tolist()}: no log"
        return fit_line_with_ci(u, v, vb, mask), point, band, None


@dataclass
class PowerLaw(_LineClaim):
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
    kind: str = "power_law"
    data_type: type = Samples

    def validate(self, claim_id: str) -> None:
        if not math.isfinite(self.exponent):
            raise ClaimError(claim_id, "exponent", "must be finite")
        _check_tolerance(claim_id, self.tolerance)
        _check_side(claim_id, self.side)
        _check_window(claim_id, self.window)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exponent": self.exponent,
            "log_power": self.log_power,
            "tolerance": self.tolerance,
            "side": self.side,
            "window": list(self.window) if self.window else None,
        }

    def describe(self) -> str:
        rate = f"n^{self.exponent:g}"
        if self.log_power:
            rate += f" (log n)^{self.log_power:g}"
        return f"{describe_side(self.side)} {rate} (±{self.tolerance:g})"

    def judge(self, data: Samples, rng: np.random.Generator, claim_id: str) -> Judgement:
        self.check_data_type(data, claim_id)
        x, y = validate_samples(data, claim_id)
        mask = window_mask(x, self.window, claim_id)
        if self.log_power and np.any(x[mask] <= 1):
            raise ClaimError(claim_id, "data.x", "a log factor needs x > 1 in the window")
        reason = divergence(y, x)
        if reason:
            return Judgement(INCONCLUSIVE, reason, replicates=y.shape[0])
        logx = np.log(x)
        loglog = np.log(np.where(x > 1, logx, 1.0))

        def transform(s):
            return safe_log(s) - self.log_power * loglog

        wf, point, band, why = self._fit(logx, x, y, data.statistic, transform, rng, claim_id, mask)
        plot = {
            "x": x.tolist(),
            "y": point.tolist(),
            "y_lo": band[0].tolist(),
            "y_hi": band[1].tolist(),
            "x_label": data.x_label,
            "y_label": data.y_label,
            "statistic": data.statistic,
            "log_power": self.log_power,
        }
        if wf is None:
            return Judgement(INCONCLUSIVE, why, plot=plot, replicates=y.shape[0])
        return self._verdict(wf, x, plot, y.shape[0], self.exponent)

    def _verdict(self, wf, x, plot, replicates, target) -> Judgement:
        tol, side = self.tolerance, self.side
        fitted = {
            "estimate": wf.whole.slope,
            "ci": list(wf.whole.ci),
            "r2": wf.whole.r2,
            "intercept": wf.whole.intercept,
            "head_estimate": wf.head.slope,
            "tail_estimate": wf.tail.slope,
            "tail_ci": list(wf.tail.ci),
            "window": [float(x[wf.mask][0]), float(x[wf.mask][-1])],
            "points": wf.whole.points,
        }
        if wf.dropped_resamples:
            fitted["dropped_resamples"] = wf.dropped_resamples
        plot["fit_window"] = fitted["window"]
        verdict = interval_verdict(wf.whole.ci, target, tol, side)
        ci = f"[{wf.whole.ci[0]:.4g}, {wf.whole.ci[1]:.4g}]"
        reason = f"fitted {wf.whole.slope:.4g}, 95% CI {ci}; predicted {describe_side(side)} "
        reason += f"{target:g} ± {tol:g}"
        if not drift_is_stable(wf.head.slope, wf.tail.slope, tol, side) and not _margin_absorbs(
            wf, target, tol, side
        ):
            # The local slope moves by more than the tolerance across the window: a
            # confirmation is withheld. If the drift is real (its interval excludes every
            # drift the tolerance allows), the tail is the most asymptotic evidence and may
            # refute on its own; if it may be noise, only the whole window may refute.
            drift = (
                f"local slope moves from {wf.head.slope:.4g} (head of window) to "
                f"{wf.tail.slope:.4g} (tail): not stable, pre-asymptotic or too noisy"
            )
            lo, hi = wf.drift_ci
            real = not (
                drift_is_stable(0.0, lo, tol, side) or drift_is_stable(0.0, hi, tol, side)
            ) and (side != TIGHT or lo > tol or hi < -tol)
            fitted["drift_ci"] = [lo, hi]
            if real:
                # ... unless the slope is heading into the band: then the data have not
                # reached the asymptotic regime, and a refutation would be premature.
                approaching = _distance(wf.tail.slope, target, tol, side) < _distance(
                    wf.head.slope, target, tol, side
                )
                if not approaching and interval_verdict(wf.tail.ci, target, tol, side) == REFUTED:
                    tail = f"tail fit {wf.tail.slope:.4g}, 95% CI [{wf.tail.ci[0]:.4g}, "
                    tail += f"{wf.tail.ci[1]:.4g}]"
                    return Judgement(
                        REFUTED,
                        f"{drift}; the tail alone refutes ({tail}); {reason}",
                        fitted,
                        plot,
                        replicates,
                    )
            elif verdict == REFUTED:
                return Judgement(REFUTED, f"{drift}; {reason}", fitted, plot, replicates)
            return Judgement(INCONCLUSIVE, f"{drift}; {reason}", fitted, plot, replicates)
        return Judgement(verdict, reason, fitted, plot, replicates)


@dataclass
class Scaling(PowerLaw):
    """A cost against a problem parameter: ``cost(p) ~ C p^a``, fitted as a power law.

    ``parameter`` names the parameter (``"kappa"``, ``"batch size"``, ``"1/eps"``).
    """

    parameter: str = "p"
    kind: str = "scaling"

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "parameter": self.parameter}

    def describe(self) -> str:
        rate = f"{self.parameter}^{self.exponent:g}"
        if self.log_power:
            rate += f" (log {self.parameter})^{self.log_power:g}"
        return f"{describe_side(self.side)} {rate} (±{self.tolerance:g})"


@dataclass
class Geometric(PowerLaw):
    r"""``e_k ~ C (k+1)^m rho^k``: a linear rate (``rho < 1``) or geometric growth (``rho > 1``).

    The tolerance is relative, on the rate ``-log rho`` (so it means the same for
    ``rho = 0.5`` and ``rho = 0.999``): the fitted rate ratio
    ``q = log(rho_hat) / log(rho)`` is tested against 1 with ``tolerance``.
    ``side="at_most"`` reads "contracts at least as fast as rho" (``rho_hat <= rho``),
    ``"at_least"`` "no faster than rho".

    ``poly_power`` is the known polynomial factor ``m`` (e.g. 1 for a defective eigenvalue of a
    non-normal iteration matrix), divided out before fitting.
    """

    rho: float = 0.5
    tolerance: float = 0.05
    poly_power: float = 0.0
    kind: str = "geometric"

    def validate(self, claim_id: str) -> None:
        if not (math.isfinite(self.rho) and self.rho > 0 and self.rho != 1):
            raise ClaimError(claim_id, "rho", f"must be positive and not 1, got {self.rho!r}")
        _check_tolerance(claim_id, self.tolerance)
        _check_side(claim_id, self.side)
        _check_window(claim_id, self.window)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rho": self.rho,
            "tolerance": self.tolerance,
            "poly_power": self.poly_power,
            "side": self.side,
            "window": list(self.window) if self.window else None,
        }

    def describe(self) -> str:
        return f"{describe_side(self.side)} rho = {self.rho:.6g} (rate ±{self.tolerance:.0%})"

    def judge(self, data: Samples, rng: np.random.Generator, claim_id: str) -> Judgement:
        self.check_data_type(data, claim_id)
        x, y = validate_samples(data, claim_id)
        mask = window_mask(x, self.window, claim_id)
        reason = divergence(y, x)
        if reason:
            return Judgement(INCONCLUSIVE, reason, replicates=y.shape[0])
        log_rho = math.log(self.rho)
        poly = self.poly_power * np.log(x + 1.0)

        def transform(s):
            # in units of the predicted rate: the slope is the rate ratio q
            return (safe_log(s) - poly) / -log_rho

        wf, point, band, why = self._fit(-x, x, y, data.statistic, transform, rng, claim_id, mask)
        plot = {
            "x": x.tolist(),
            "y": point.tolist(),
            "y_lo": band[0].tolist(),
            "y_hi": band[1].tolist(),
            "x_label": data.x_label,
            "y_label": data.y_label,
            "statistic": data.statistic,
            "poly_power": self.poly_power,
            "semilog": True,
        }
        if wf is None:
            return Judgement(INCONCLUSIVE, why, plot=plot, replicates=y.shape[0])
        # For a contraction (rho < 1), q >= 1 - tol is "contracts at least as fast": an
        # at_most claim on rho is an at_least claim on q. For growth (rho > 1) log rho > 0 and
        # rho_hat <= rho is q <= 1: the side carries over unchanged.
        flip = {TIGHT: TIGHT, AT_MOST: AT_LEAST, AT_LEAST: AT_MOST}
        q_side = flip[self.side] if self.rho < 1 else self.side
        sided = Geometric.__new__(Geometric)
        sided.__dict__.update(self.__dict__)
        sided.side = q_side
        j = PowerLaw._verdict(sided, wf, x, plot, y.shape[0], 1.0)
        f = j.fitted
        j.fitted = {
            "estimate": math.exp(log_rho * f["estimate"]),
            "ci": sorted(math.exp(log_rho * c) for c in f["ci"]),
            "rate_ratio": f["estimate"],
            "rate_ratio_ci": f["ci"],
            "r2": f["r2"],
            "intercept": f["intercept"],
            "tail_estimate": math.exp(log_rho * f["tail_estimate"]),
            "head_estimate": math.exp(log_rho * f["head_estimate"]),
            "window": f["window"],
            "points": f["points"],
        }
        j.reason = j.reason.replace("fitted", "fitted rate ratio log(rho_hat)/log(rho) =", 1)
        j.reason += f" (rho_hat = {j.fitted['estimate']:.6g}, predicted rho = {self.rho:.6g})"
        return j
