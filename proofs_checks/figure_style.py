"""The report figures' shared style and helpers: colours, number formats, error bars,
legends and log ticks, so every kind's figure looks the same."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
from matplotlib.container import ErrorbarContainer
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

DPI = 200  # print resolution
SIZE = (6.4, 4.0)  # inches: a column-and-a-half figure

STYLE = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.7,
    "lines.markersize": 4.5,
    "errorbar.capsize": 2.0,
}

# Okabe-Ito colours: distinguishable with colour-vision deficiencies and in greyscale print.
DATA = "#0072B2"
FIT = "#D55E00"
PREDICTED = "#009E73"
BOUND = "#000000"
NEUTRAL = "#777777"
MUTANTS = ("#CC79A7", "#E69F00", "#56B4E9", "#999999", "#F0E442")
MUTANT_ALPHA = 0.6

NO_FIGURE_KINDS = ("implication", "symbolic")


# --- numbers -------------------------------------------------------------------------------


def fmt(value: Any, digits: int = 3) -> str:
    """A number in ``digits`` significant digits, with a true minus sign; ``–`` if missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if not isinstance(value, int | float):
        return str(value)
    text = f"{value:.{digits}g}"
    if "e" in text:  # 1.91e+03 -> 1.91e3, 7.2e-13 -> 7.2e-13
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


def _tick(value: float, _pos=None) -> str:
    """Tick labels: plain numbers where short, else powers of ten in mathtext."""
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:g}".replace("-", "−")
    mantissa, exponent = f"{value:.0e}".split("e")
    power = f"10^{{{int(exponent)}}}"
    return f"${power}$" if mantissa == "1" else rf"${mantissa}\times{power}$"


def fmt_ci(estimate: Any, ci: Any) -> str:
    """``est [lo, hi]`` with as many digits as it takes to tell the interval's ends apart."""
    if estimate is None:
        return "–"
    if not ci or len(ci) != 2 or None in ci:
        return fmt(estimate)
    digits = 3
    while digits < 6 and fmt(ci[0], digits) == fmt(ci[1], digits):
        digits += 1
    if fmt(ci[0], digits) == fmt(ci[1], digits):  # a (near) deterministic fit
        return fmt(estimate, 4)  # the interval, if any, is in the section's fitted values
    return f"{fmt(estimate, digits)} [{fmt(ci[0], digits)}, {fmt(ci[1], digits)}]"


def prediction_kind(predicted: dict[str, Any], default: str) -> str:
    """The kind of a prediction dict (a mutant's carries no ``kind`` field)."""
    keys = set(predicted or {})
    for key, kind in (
        ("rho", "geometric"),
        ("order", "order"),
        ("bound", "bound"),
        ("parameter", "scaling"),
        ("exponent", "power_law"),
        ("rtol", "agreement"),
        ("max_examples", "implication"),
        ("method", "symbolic"),
    ):
        if key in keys:
            if kind == "power_law" and default == "scaling":
                return default
            return kind
    return default


# --- helpers -------------------------------------------------------------------------------


def _arr(values: Any) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in (values or [])], dtype=float)


def _same_data(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether a mutant judged the claim's own data (a wrong prediction, not a rerun)."""
    return all(a.get(k) == b.get(k) for k in ("x", "y", "computed", "log_e"))


def _mutants(entry: dict[str, Any]):
    """(index, mutant, colour, shares the claim's data) for each mutant with a plot."""
    for i, m in enumerate(entry.get("mutants") or []):
        yield i, m, MUTANTS[i % len(MUTANTS)], _same_data(m.get("plot") or {}, entry["plot"])


def _errorbars(ax, x, y, lo, hi, color, label, alpha=1.0, marker="o"):
    """Points with asymmetric bars, clipped to positive values for log axes."""
    if x.shape != y.shape:
        return
    lo = lo if lo.shape == y.shape else y
    hi = hi if hi.shape == y.shape else y
    ok = np.isfinite(x) & np.isfinite(y) & (y > 0)
    if not ok.any():
        return
    x, y = x[ok], y[ok]
    lo = np.where(np.isfinite(lo[ok]) & (lo[ok] > 0), lo[ok], y / 10)
    hi = np.where(np.isfinite(hi[ok]), hi[ok], y)
    yerr = np.vstack([np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)])
    bars = yerr.max() > 0
    ax.errorbar(
        x,
        y,
        yerr=yerr if bars else None,
        fmt=marker,
        color=color,
        alpha=alpha,
        ms=4.5 if alpha == 1.0 else 3.5,
        elinewidth=1.0,
        label=label,
        zorder=3 if alpha == 1.0 else 2,
    )


def _through(xs, x0, y0, slope, log_power=0.0):
    """``y0 (x/x0)^slope (log x / log x0)^b``: a power law through ``(x0, y0)``."""
    ys = y0 * (xs / x0) ** slope
    if log_power:
        ys = ys * (np.log(xs) / np.log(x0)) ** log_power
    return ys


def _window_points(x, window):
    keep = np.isfinite(x) & (x > 0)
    if window:
        lo, hi = window
        if lo is not None:
            keep &= x >= lo
        if hi is not None:
            keep &= x <= hi
    return x[keep]


def _clamp_to_data(ax, entry: dict[str, Any], pad: float = 2.0) -> None:
    """Log y-limits from the data (the claim's and rerun mutants'), so that a wrong predicted
    line through the data cannot squash the data into a corner."""
    values = [_arr(entry["plot"].get(k)) for k in ("y", "y_lo", "y_hi")]
    for _, m, _, same in _mutants(entry):
        if not same:
            values.append(_arr((m.get("plot") or {}).get("y")))
    v = np.concatenate([a for a in values if a.size])
    v = v[np.isfinite(v) & (v > 0)]
    if v.size:
        ax.set_ylim(v.min() / pad, v.max() * pad)


def _readable_log_ticks(ax) -> None:
    """Label 1-2-5 ticks on a log axis spanning under two decades (else it shows one label)."""
    for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        if axis.get_scale() != "log" or not (0 < lo < hi) or hi / lo >= 100:
            continue
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(_tick))
        axis.set_minor_formatter(NullFormatter())


def _replicates_label(entry: dict[str, Any], plot: dict[str, Any]) -> str:
    stat = plot.get("statistic") or "mean"
    reps = entry.get("replicates") or 1
    if reps <= 1:
        return "deterministic run"
    return f"{stat} of {reps} replicates (bars: 95% bootstrap)"


def _wrap(text: str, width: int) -> str:
    """Long labels over several lines (never inside mathtext)."""
    return text if "$" in text or len(text) <= width else textwrap.fill(text, width)


def _wrap_labels(fig) -> None:
    for ax in fig.axes:
        ax.set_xlabel(_wrap(ax.get_xlabel(), 80))
        ax.set_ylabel(_wrap(ax.get_ylabel(), 42))


def _legend(fig, *axes) -> None:
    """One legend under the axes (it never hides data), the data's entries first."""
    pairs: dict[str, Any] = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            pairs.setdefault(lab, h)
    items = sorted(pairs.items(), key=lambda lh: not isinstance(lh[1], ErrorbarContainer))
    if items:
        fig.legend(
            [h for _, h in items],
            [_wrap(lab, 60) for lab, _ in items],
            loc="outside lower center",
            ncol=2 if len(items) > 2 else len(items),
        )


# --- power law and scaling -----------------------------------------------------------------
