"""The shared core of the kinds fitted as a straight line (power law, scaling, geometric rate).

A line kind is configured by a coordinate transform, not by inheritance: it maps the horizons
``x`` to an abscissa ``u`` and each summary of the replicates to an ordinate ``v`` in which the
prediction is a slope (``log n`` and ``log y`` for a power law; ``-k`` and ``log e / -log rho``
for a geometric rate, whose slope is the rate ratio). :func:`judge_line` fits the window with a
bootstrap interval, runs the settledness diagnostic (head and tail of the window), and gives
the verdict on the slope. The kind turns the fitted slope into its own quantities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Samples
from ..errors import ClaimError
from ..fitting import WindowFit, bootstrap_summaries, fit_line_with_ci, summarize
from ..verdicts import (
    AT_LEAST,
    AT_MOST,
    INCONCLUSIVE,
    REFUTED,
    TIGHT,
    describe_side,
    drift_is_stable,
    interval_verdict,
)
from .base import Judgement


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
        bad = int(np.argmax(~np.isfinite(x)))
        raise ClaimError(claim_id, "data.x", f"x[{bad}] = {x[bad]} is NaN or infinite")
    steps = np.diff(x)
    if len(x) > 1 and not np.all(steps > 0):
        i = int(np.argmax(steps <= 0))
        raise ClaimError(
            claim_id,
            "data.x",
            f"horizons must be strictly increasing: x[{i}] = {x[i]:g}, x[{i + 1}] = {x[i + 1]:g}",
        )
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


def window_mask(x: np.ndarray, window: Any, claim_id: str, min_points: int = 4) -> np.ndarray:
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


@dataclass(frozen=True)
class Coordinates:
    """Where the prediction is a straight line.

    ``abscissa(x)`` gives ``u``; ``ordinate(summary, x)`` gives ``v`` for point summaries of
    shape (m,) and bootstrap summaries of shape (B, m); non-positive summaries map to NaN.
    ``quantity`` names the slope in messages (``"exponent"``, ``"rate ratio"``).
    """

    abscissa: Callable[[np.ndarray], np.ndarray]
    ordinate: Callable[[np.ndarray, np.ndarray], np.ndarray]
    quantity: str


@dataclass
class LineOutcome:
    """A line kind's judgement in slope units, before the kind maps it to its own quantities."""

    judgement: Judgement
    fit: WindowFit | None


def _distance(value: float, target: float, tol: float, side: str) -> float:
    """Distance from ``value`` to the acceptance region of a sided test."""
    above = max(0.0, value - (target + tol))
    below = max(0.0, (target - tol) - value)
    if side == AT_MOST:
        return above
    if side == AT_LEAST:
        return below
    return above + below


@dataclass(frozen=True)
class LineDecision:
    """The verdict of a window fit against one prediction, and why.

    ``settled``: the local slope agrees between the head and the tail of the window within the
    tolerance (two-sided) or the margin (one-sided); otherwise a confirmation is withheld.
    ``drift_real``: the drift's interval excludes every drift the tolerance allows.
    ``tail_refutes``: the refutation rests on the tail alone (a real drift moving away).
    """

    verdict: str
    settled: bool
    drift_real: bool = False
    tail_refutes: bool = False


def decide_line(wf: WindowFit, target: float, tol: float, side: str) -> LineDecision:
    """The verdict of ``wf`` against ``target`` within ``tol`` on ``side``: cheap, no refit.

    The settledness diagnostic depends on the fit and ``tol`` only, never on ``target``, so a
    near prediction (the resolution's bisection) is judged on the same fit by calling this
    again with another target.
    """
    verdict = interval_verdict(wf.whole.ci, target, tol, side)
    if drift_is_stable(wf.head.slope, wf.tail.slope, tol, side):
        return LineDecision(verdict, True)
    # The local slope moves by more than the tolerance across the window: a confirmation is
    # withheld. If the drift is real (its interval excludes every drift the tolerance allows),
    # the tail is the most asymptotic evidence and may refute on its own, unless the slope is
    # heading into the band (the data have not reached the asymptotic regime: a refutation
    # would be premature). If the drift may be noise, only the whole window may refute.
    lo, hi = wf.drift_ci
    if lo > tol or hi < -tol:
        approaching = _distance(wf.tail.slope, target, tol, side) < _distance(
            wf.head.slope, target, tol, side
        )
        if not approaching and interval_verdict(wf.tail.ci, target, tol, side) == REFUTED:
            return LineDecision(REFUTED, False, True, True)
        return LineDecision(INCONCLUSIVE, False, True)
    return LineDecision(REFUTED if verdict == REFUTED else INCONCLUSIVE, False)


def band_text(target: float, tol: float, side: str) -> str:
    """``"tight -0.5 ± 0.05"``, ``"at most -0.5 (margin 0.02)"``."""
    if side == TIGHT:
        return f"{describe_side(side)} {target:.4g} ± {tol:g}"
    return f"{describe_side(side)} {target:.4g} (margin {tol:g})"


def judge_line(
    data: Samples,
    rng: np.random.Generator,
    claim_id: str,
    coords: Coordinates,
    *,
    target: float,
    tolerance: float,
    side: str,
    window: Any,
    plot_extra: dict[str, Any],
) -> LineOutcome:
    """Fit the slope of ``data`` in ``coords`` and judge it against ``target`` within
    ``tolerance`` (the margin, for a one-sided claim) on ``side``; the settledness diagnostic
    may withhold a confirmation. The judgement's ``state`` is the window fit, for re-judging
    near predictions without refitting."""
    x, y = validate_samples(data, claim_id)
    mask = window_mask(x, window, claim_id)
    reps = y.shape[0]
    reason = divergence(y, x)
    if reason:
        return LineOutcome(Judgement(INCONCLUSIVE, reason, replicates=reps), None)
    u = coords.abscissa(x)
    point = summarize(y, data.statistic)
    v = coords.ordinate(point, x)
    if reps > 1:
        boot = bootstrap_summaries(y, data.statistic, rng)
        vb = coords.ordinate(boot, x)
        band = np.quantile(boot, [0.025, 0.975], axis=0)
    else:
        vb, band = None, np.vstack([point, point])
    plot = {
        "x": x.tolist(),
        "y": point.tolist(),
        "y_lo": band[0].tolist(),
        "y_hi": band[1].tolist(),
        "x_label": data.x_label,
        "y_label": data.y_label,
        "statistic": data.statistic,
        **plot_extra,
    }
    bad = mask & ~np.isfinite(v)
    if bad.any():
        why = f"summary not positive at x={x[bad].tolist()}: no log"
        return LineOutcome(Judgement(INCONCLUSIVE, why, plot=plot, replicates=reps), None)
    wf = fit_line_with_ci(u, v, vb, mask)
    judgement = _judgement(wf, x, plot, reps, coords.quantity, target, tolerance, side)
    judgement.state = wf
    return LineOutcome(judgement, wf)


def _judgement(
    wf: WindowFit,
    x: np.ndarray,
    plot: dict[str, Any],
    replicates: int,
    quantity: str,
    target: float,
    tol: float,
    side: str,
) -> Judgement:
    fitted: dict[str, Any] = {
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
    decision = decide_line(wf, target, tol, side)
    ci = f"[{wf.whole.ci[0]:.4g}, {wf.whole.ci[1]:.4g}]"
    reason = f"fitted {quantity} {wf.whole.slope:.4g}, 95% CI {ci}; predicted "
    reason += band_text(target, tol, side)
    if decision.settled:
        return Judgement(decision.verdict, reason, fitted, plot, replicates)
    what = "tolerance" if side == TIGHT else "margin"
    drift = (
        f"not settled: the local {quantity} still drifts from {wf.head.slope:.4g} (head of the "
        f"window) to {wf.tail.slope:.4g} (tail), more than the {what} {tol:g}: run longer "
        "horizons (or more replicates, if the drift may be noise)"
    )
    fitted["drift_ci"] = list(wf.drift_ci)
    fitted["settled"] = False
    if decision.tail_refutes:
        tail = f"tail fit {wf.tail.slope:.4g}, 95% CI [{wf.tail.ci[0]:.4g}, {wf.tail.ci[1]:.4g}]"
        reason = f"{drift}; the tail alone refutes ({tail}); {reason}"
    else:
        reason = f"{drift}; {reason}"
    return Judgement(decision.verdict, reason, fitted, plot, replicates)
