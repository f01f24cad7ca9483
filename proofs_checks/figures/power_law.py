"""Power-law and scaling figures on log-log axes: the data with replicate error bars (none
for exact values), the fitted line with the interval of its slope over the fit window, the
predicted slope through the fit's centroid, and the mutants in lighter colours."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..formatting import fmt, fmt_ci
from .style import (
    DATA,
    FIT,
    PREDICTED,
    clamp_to_data,
    data_label,
    errorbars,
    mutant_layers,
    rerun_mutant_data,
    values,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..records import ClaimRecord

#: Words after the predicted slope, by the prediction's ``side`` (None: a kind without sides).
SIDE_WORDS: dict[str | None, str] = {"at_most": " (at most)", "at_least": " (at least)"}


def caption(record: ClaimRecord) -> str:
    if record.deterministic:
        points = (
            "Points: exact values of one deterministic run (no error bars). Red: least-squares "
            "fit over the fit window, shaded by the t-interval of its slope."
        )
    else:
        points = (
            "Points: the summary at each horizon, bars its 95% bootstrap interval over "
            "replicates. Red: least-squares fit over the fit window, shaded by the 95% "
            "interval of its slope."
        )
    return (
        f"Log-log axes. {points} Green dashed: the predicted slope, drawn through the fit's "
        "centroid. Dotted or lighter: the mutants."
    )


def through(xs: np.ndarray, x0: float, y0: float, slope: float, log_power: float = 0.0):
    """``y0 (x/x0)^slope (log x / log x0)^b``: a power law through ``(x0, y0)``."""
    ys = y0 * (xs / x0) ** slope
    if log_power:
        ys = ys * (np.log(xs) / np.log(x0)) ** log_power
    return ys


def _window_points(x: np.ndarray, window: Any) -> np.ndarray:
    keep = np.isfinite(x) & (x > 0)
    if window:
        lo, hi = window
        if lo is not None:
            keep &= x >= lo
        if hi is not None:
            keep &= x <= hi
    return x[keep]


def fitted_line(plot: dict[str, Any], fitted: dict[str, Any]):
    """The fitted line and its pivot ``(xs, ys, x0, y0)``, or None without a fit."""
    if fitted.get("estimate") is None or fitted.get("intercept") is None:
        return None
    b = float(plot.get("log_power") or 0.0)
    pts = _window_points(values(plot.get("x")), fitted.get("window") or plot.get("fit_window"))
    if b:
        pts = pts[pts > 1]
    if len(pts) < 2:
        return None
    # least squares passes through the centroid of (log x, log y - b log log x) in the window
    x0 = float(np.exp(np.log(pts).mean()))
    y0 = math.exp(fitted["intercept"] + fitted["estimate"] * math.log(x0))
    y0 *= math.log(x0) ** b if b else 1.0
    xs = np.geomspace(pts[0], pts[-1], 60)
    return xs, through(xs, x0, y0, fitted["estimate"], b), x0, y0


def draw(fig: Figure, record: ClaimRecord) -> bool:
    """The claim's log-log figure; False when its plot has no data (a diverged run)."""
    plot = record.plot
    if not plot.get("x") or not plot.get("y"):
        return False
    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.set_yscale("log")
    x = values(plot["x"])
    errorbars(
        ax,
        x,
        values(plot["y"]),
        values(plot.get("y_lo")),
        values(plot.get("y_hi")),
        DATA,
        data_label(record, plot.get("statistic")),
    )
    fit = fitted_line(plot, record.fitted)
    if fit is not None:
        _draw_fit_and_predictions(ax, record, x, fit)
    _draw_rerun_mutants(ax, record)
    clamp_to_data(ax, record)
    ax.set_xlabel(plot.get("x_label") or "n")
    ax.set_ylabel(plot.get("y_label") or "y")
    return True


def _draw_fit_and_predictions(ax: Axes, record: ClaimRecord, x: np.ndarray, fit) -> None:
    fitted, pred = record.fitted, record.predicted
    xs, ys, x0, y0 = fit
    b = float(record.plot.get("log_power") or 0.0)
    ax.plot(xs, ys, color=FIT, zorder=4, label=f"fit: slope {fmt_ci(fitted['estimate'], None)}")
    ci = fitted.get("ci")
    if ci and None not in ci:
        a, c = through(xs, x0, y0, ci[0], b), through(xs, x0, y0, ci[1], b)
        what = "t-interval of slope" if record.deterministic else "95% CI of slope"
        ax.fill_between(
            xs,
            np.minimum(a, c),
            np.maximum(a, c),
            color=FIT,
            alpha=0.18,
            lw=0,
            label=f"{what} [{fmt(ci[0])}, {fmt(ci[1])}]",
        )
    full = x[np.isfinite(x) & (x > (1 if b else 0))]
    if len(full) < 2:
        return
    xp = np.geomspace(full.min(), full.max(), 60)
    if pred.get("exponent") is not None:
        logf = f" × (log n)^{fmt(b)}" if b else ""
        ax.plot(
            xp,
            through(xp, x0, y0, pred["exponent"], pred.get("log_power") or 0.0),
            "--",
            color=PREDICTED,
            zorder=3,
            label=f"predicted slope {fmt(pred['exponent'])}"
            f"{SIDE_WORDS.get(pred.get('side'), '')}{logf}",
        )
    for layer in mutant_layers(record):
        mpred = layer.mutant.predicted
        if layer.same_data and layer.same_kind and mpred.get("exponent") is not None:
            ax.plot(
                xp,
                through(xp, x0, y0, mpred["exponent"], mpred.get("log_power") or 0.0),
                ":",
                color=layer.colour,
                alpha=0.9,
                label=f"{layer.label}: slope {fmt(mpred['exponent'])}",
            )


def _draw_rerun_mutants(ax: Axes, record: ClaimRecord) -> None:
    """Mutants that reran the simulation: their data and their own fitted line."""
    for layer in rerun_mutant_data(ax, record, "s"):
        m = layer.mutant
        fit = fitted_line(m.plot, m.fitted) if layer.same_kind else None
        if fit is not None:
            ax.plot(
                fit[0],
                fit[1],
                color=layer.colour,
                alpha=0.9,
                label=f"{layer.label}: fit slope {fmt(m.fitted['estimate'])}",
            )
