r"""Rate fits with confidence intervals.

Every fit here is a straight line in transformed coordinates, fitted by least squares over an
explicit window:

* power law  :math:`y(n) \approx C n^a (\log n)^b`: :math:`\log y - b \log\log n` against
  :math:`\log n` (the known log factor is divided out first: a free log power is nearly
  unidentifiable over two or three decades);
* geometric  :math:`e_k \approx C (k+1)^m \rho^k`: :math:`\log e_k - m \log(k+1)` against
  :math:`k` (``m`` is the known polynomial factor of a non-normal iteration);
* order      :math:`e_{k+1} \approx C e_k^p`: :math:`\log e_{k+1}` against :math:`\log e_k`.

Replicates are summarised *before* taking logs (the mean of a quantity, not the geometric mean),
and confidence intervals come from the bootstrap over replicates: whole trajectories are
resampled and the summary and the line refitted, all in one vectorised pass.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import mpmath
import numpy as np
from scipy import stats

#: Confidence level of every interval the engine reports.
CONFIDENCE = 0.95
#: Bootstrap resamples: the 2.5% and 97.5% percentiles of 2000 resamples have a Monte Carlo
#: error well under a tenth of the interval's half-width.
BOOTSTRAP_RESAMPLES = 2000


def summarize(y: np.ndarray, statistic: str) -> np.ndarray:
    """Summarise replicates (axis ``-2``) by ``"mean"`` or ``"quantile:q"``."""
    if statistic == "mean":
        return y.mean(axis=-2)
    if statistic.startswith("quantile:"):
        q = float(statistic.split(":", 1)[1])
        return np.quantile(y, q, axis=-2)
    raise ValueError(f"unknown statistic {statistic!r}: use 'mean' or 'quantile:q'")


def bootstrap_summaries(
    y: np.ndarray, statistic: str, rng: np.random.Generator, resamples: int = BOOTSTRAP_RESAMPLES
) -> np.ndarray:
    """Summaries of ``resamples`` bootstrap resamples of the replicates, shape ``(B, m)``.

    Whole rows (trajectories) are resampled, so the dependence between horizons within a run
    is kept. Done in chunks so memory stays bounded for large replicate counts.
    """
    replicates, m = y.shape
    out = np.empty((resamples, m))
    if statistic == "mean":
        # A resample's mean is (counts @ y) / R with multinomial counts: one matrix product
        # per chunk instead of gathering R x m values per resample.
        chunk = max(1, int(4_000_000 // replicates))
        for start in range(0, resamples, chunk):
            rows = min(resamples, start + chunk) - start
            draws = rng.integers(0, replicates, size=(rows, replicates))
            draws += np.arange(rows)[:, None] * replicates
            counts = np.bincount(draws.ravel(), minlength=rows * replicates)
            out[start : start + rows] = counts.reshape(rows, replicates) @ y / replicates
        return out
    chunk = max(1, int(4_000_000 // max(1, replicates * m)))
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        idx = rng.integers(0, replicates, size=(stop - start, replicates))
        out[start:stop] = summarize(y[idx], statistic)
    return out


def line_fit(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slopes and intercepts of ``v`` on ``u``, vectorised over rows of ``v``."""
    u = np.asarray(u, dtype=float)
    uc = u - u.mean()
    denom = float(uc @ uc)
    vbar = v.mean(axis=-1, keepdims=True)
    slope = ((v - vbar) @ uc) / denom
    intercept = vbar[..., 0] - slope * u.mean()
    return slope, intercept


@dataclass
class LineFit:
    """A fitted line with a confidence interval on its slope."""

    slope: float
    intercept: float
    ci: tuple[float, float]
    r2: float
    points: int

    def scaled(self, factor: float) -> LineFit:
        """The same fit in ordinates multiplied by ``factor > 0`` (another unit of slope)."""
        lo, hi = self.ci
        return replace(
            self,
            slope=self.slope * factor,
            intercept=self.intercept * factor,
            ci=(lo * factor, hi * factor),
        )


def ols_line(u: np.ndarray, v: np.ndarray, level: float = CONFIDENCE) -> LineFit:
    """Ordinary least squares with a t-based interval on the slope (deterministic data)."""
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    slopes, intercepts = line_fit(u, v[None, :])
    slope, intercept = float(slopes[0]), float(intercepts[0])
    resid = v - (intercept + slope * u)
    m = len(u)
    ss_res = float(resid @ resid)
    ss_tot = float(((v - v.mean()) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    if m > 2:
        se = np.sqrt(ss_res / (m - 2) / float(((u - u.mean()) ** 2).sum()))
        half = float(stats.t.ppf(0.5 + level / 2, m - 2) * se)
    else:
        half = 0.0
    return LineFit(slope, intercept, (slope - half, slope + half), r2, m)


def bootstrap_line(
    u: np.ndarray, v_point: np.ndarray, v_boot: np.ndarray, level: float = CONFIDENCE
) -> LineFit:
    """Slope of the point summary with a percentile interval from the bootstrap rows.

    Rows with non-finite values (a resample whose summary is not positive, so has no log) are
    left out of the interval; :func:`fit_line_with_ci` reports how many.
    """
    point = ols_line(u, v_point, level)
    good = np.all(np.isfinite(v_boot), axis=1)
    slopes, _ = line_fit(u, v_boot[good])
    alpha = 1 - level
    lo, hi = np.quantile(slopes, [alpha / 2, 1 - alpha / 2])
    # with (near) noiseless data the percentiles can miss the point estimate by rounding
    lo, hi = min(float(lo), point.slope), max(float(hi), point.slope)
    return LineFit(point.slope, point.intercept, (lo, hi), point.r2, point.points)


@dataclass
class WindowFit:
    """A line over the whole window plus over its head and tail (the stability diagnostic)."""

    whole: LineFit
    head: LineFit
    tail: LineFit
    mask: np.ndarray
    dropped_resamples: int
    #: Confidence interval of ``tail.slope - head.slope`` (a point for deterministic data).
    drift_ci: tuple[float, float] = (0.0, 0.0)

    def scaled(self, factor: float) -> WindowFit:
        """The same fits with every slope multiplied by ``factor > 0``.

        Judging a near prediction whose coordinates differ from the claim's by a constant
        factor (a geometric rate rho^(1+d) measures slopes in units of its own log rho) needs
        no refit: the bootstrap is linear in the ordinate.
        """
        lo, hi = self.drift_ci
        return replace(
            self,
            whole=self.whole.scaled(factor),
            head=self.head.scaled(factor),
            tail=self.tail.scaled(factor),
            drift_ci=(lo * factor, hi * factor),
        )


def split_head_tail(m: int) -> tuple[slice, slice]:
    """Head and tail halves of ``m`` window points, overlapping by one so each has >= 3."""
    half = max(3, (m + 1) // 2 + 1) if m >= 4 else m
    return slice(0, half), slice(m - half, m)


def fit_line_with_ci(
    u: np.ndarray,
    v_point: np.ndarray,
    v_boot: np.ndarray | None,
    mask: np.ndarray,
    level: float = CONFIDENCE,
) -> WindowFit:
    """Fit the window ``mask`` of (u, v), and its head and tail halves."""
    uw = u[mask]
    vw = v_point[mask]
    head, tail = split_head_tail(int(mask.sum()))
    if v_boot is None:
        h, t = ols_line(uw[head], vw[head], level), ols_line(uw[tail], vw[tail], level)
        drift = t.slope - h.slope
        return WindowFit(ols_line(uw, vw, level), h, t, mask, 0, (drift, drift))
    vb = v_boot[:, mask]
    good = np.all(np.isfinite(vb), axis=1)
    dropped = int((~good).sum())
    # the drift's interval comes from the same resamples for head and tail (they are dependent)
    drifts = line_fit(uw[tail], vb[good][:, tail])[0] - line_fit(uw[head], vb[good][:, head])[0]
    alpha = 1 - level
    d_lo, d_hi = np.quantile(drifts, [alpha / 2, 1 - alpha / 2])
    return WindowFit(
        bootstrap_line(uw, vw, vb, level),
        bootstrap_line(uw[head], vw[head], vb[:, head], level),
        bootstrap_line(uw[tail], vw[tail], vb[:, tail], level),
        mask,
        dropped,
        (float(d_lo), float(d_hi)),
    )


def safe_log(a: np.ndarray) -> np.ndarray:
    """Natural log with non-positive entries mapped to NaN (no warnings)."""
    a = np.asarray(a, dtype=float)
    out = np.full(a.shape, np.nan)
    pos = a > 0
    out[pos] = np.log(a[pos])
    return out


def mp_log10(values) -> np.ndarray:
    """log10 of floats or mpmath numbers as float64 (logs fit in float64 even when values don't)."""
    return np.array([float(mpmath.log10(mpmath.mpf(v))) if v > 0 else np.nan for v in values])
