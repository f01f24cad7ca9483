"""Three-way verdicts from confidence intervals.

A verdict is ``confirmed``, ``refuted`` or ``inconclusive``. Interval rules, for a predicted value
``t`` with tolerance ``tol`` and a confidence interval ``[lo, hi]`` on the fitted value:

* ``tight`` (two-sided; the instance attains the prediction): an equivalence test. Confirmed
  if ``[lo, hi]`` lies inside ``[t - tol, t + tol]``; refuted if it is disjoint from it;
  otherwise the data cannot decide.
* ``at_most`` (an upper bound: the fitted value is at most ``t``): confirmed if
  ``hi <= t + tol``, refuted if ``lo > t + tol``.
* ``at_least`` (a lower bound): confirmed if ``lo >= t - tol``, refuted if ``hi < t - tol``.

For a one-sided rule ``tol`` is the claim's *margin*: the model error of the fit on the lenient
side (pre-asymptotic curvature, the local slope of a log factor), argued from the theory and
small by default, never the distance to a mutant.
"""

from __future__ import annotations

CONFIRMED = "confirmed"
REFUTED = "refuted"
INCONCLUSIVE = "inconclusive"
VERDICTS = (CONFIRMED, REFUTED, INCONCLUSIVE)

TIGHT = "tight"
AT_MOST = "at_most"
AT_LEAST = "at_least"
SIDES = (TIGHT, AT_MOST, AT_LEAST)


def _decide(confirmed: bool, refuted: bool) -> str:
    """The verdict from the two tests of a side's rule: confirmation is checked first."""
    if confirmed:
        return CONFIRMED
    if refuted:
        return REFUTED
    return INCONCLUSIVE


def interval_verdict(ci: tuple[float, float], target: float, tol: float, side: str) -> str:
    """Verdict of a confidence interval against ``target`` within ``tol`` (see module doc)."""
    lo, hi = ci
    if side == TIGHT:
        return _decide(
            target - tol <= lo and hi <= target + tol, hi < target - tol or lo > target + tol
        )
    if side == AT_MOST:
        return _decide(hi <= target + tol, lo > target + tol)
    if side == AT_LEAST:
        return _decide(lo >= target - tol, hi < target - tol)
    raise ValueError(f"unknown side {side!r}; expected one of {SIDES}")


def drift_is_stable(head: float, tail: float, tol: float, side: str) -> bool:
    """Whether the local slope is stable over the window: head and tail agree within ``tol``.

    The same rule holds on every side. A one-sided claim gets no benefit of the doubt from a
    drift toward its strict side: a local slope that keeps steepening (a pre-asymptotic
    collapse, an instance that decays faster than claimed) says as little about the
    asymptotic rate as one that keeps flattening. ``tol`` is the tolerance of a two-sided
    claim and the margin (model error) of a one-sided one.
    """
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; expected one of {SIDES}")
    return abs(tail - head) <= tol


def describe_side(side: str) -> str:
    return {TIGHT: "tight", AT_MOST: "at most", AT_LEAST: "at least"}[side]
