"""Geometric-rate figures on semilog axes: the data, the log-linear fit with the interval of
the rate over the fit window, the predicted rate through the fit's centroid, the mutants."""

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


def caption(record: ClaimRecord) -> str:
    if record.deterministic:
        points = (
            "Points: exact values of one deterministic run (no error bars). Red: the log-linear "
            "fit over the fit window, shaded by the t-interval of the rate."
        )
    else:
        points = (
            "Points: the summary at each iteration with its 95% bootstrap interval. Red: the "
            "log-linear fit over the fit window with the 95% interval of the rate."
        )
    return (
        f"Semilog axes. {points} Green dashed: the predicted rate through the fit's centroid. "
        "Dotted or lighter: the mutants."
    )


def fitted_line(plot: dict[str, Any], fitted: dict[str, Any], rho: Any):
    """``(xs, x0, y0, m)`` of the fitted line, decoding the fit's rate units, or None.

    The fit is ``(log y - m log(x+1)) / -log(rho) = intercept - q x`` with ``rho_hat = rho^q``.
    """
    est = fitted.get("estimate")
    if rho is None or est is None or fitted.get("intercept") is None or est <= 0:
        return None
    x = values(plot.get("x"))
    keep = np.isfinite(x)
    window = fitted.get("window")
    if window:
        keep &= (x >= window[0]) & (x <= window[1])
    pts = x[keep]
    if len(pts) < 2:
        return None
    m = float(plot.get("poly_power") or 0.0)
    x0 = float(pts.mean())
    log_y0 = m * math.log(x0 + 1) - math.log(rho) * fitted["intercept"] + x0 * math.log(est)
    return np.linspace(pts[0], pts[-1], 80), x0, math.exp(log_y0), m


def line(xs: np.ndarray, x0: float, y0: float, rho: float, m: float) -> np.ndarray:
    """``y0 ((x+1)/(x0+1))^m rho^(x - x0)``: a geometric rate through ``(x0, y0)``."""
    return y0 * ((xs + 1) / (x0 + 1)) ** m * np.exp((xs - x0) * math.log(rho))


def draw(fig: Figure, record: ClaimRecord) -> bool:
    """The claim's semilog figure; False when its plot has no data (a diverged run)."""
    plot, fitted, pred = record.plot, record.fitted, record.predicted
    if not plot.get("x") or not plot.get("y"):
        return False
    ax = fig.add_subplot()
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
        marker=".",
    )
    fit = fitted_line(plot, fitted, pred.get("rho"))
    if fit is not None:
        _draw_fit_and_predictions(ax, record, x, fit)
    _draw_rerun_mutants(ax, record)
    clamp_to_data(ax, record)
    ax.set_xlabel(plot.get("x_label") or "k")
    ax.set_ylabel(plot.get("y_label") or "e_k")
    return True


def _draw_fit_and_predictions(ax: Axes, record: ClaimRecord, x: np.ndarray, fit) -> None:
    fitted, pred = record.fitted, record.predicted
    xs, x0, y0, m = fit
    ax.plot(
        xs,
        line(xs, x0, y0, fitted["estimate"], m),
        color=FIT,
        zorder=4,
        label=f"fit: ρ̂ = {fmt_ci(fitted['estimate'], fitted.get('ci'))}",
    )
    ci = fitted.get("ci")
    if ci and None not in ci and min(ci) > 0:
        a, c = line(xs, x0, y0, ci[0], m), line(xs, x0, y0, ci[1], m)
        what = "t-interval of ρ̂" if record.deterministic else "95% CI of ρ̂"
        ax.fill_between(
            xs, np.minimum(a, c), np.maximum(a, c), color=FIT, alpha=0.18, lw=0, label=what
        )
    full = np.linspace(np.nanmin(x), np.nanmax(x), 80)
    ax.plot(
        full,
        line(full, x0, y0, pred["rho"], m),
        "--",
        color=PREDICTED,
        label=f"predicted ρ = {fmt(pred['rho'], 6)}",
    )
    for layer in mutant_layers(record):
        mpred = layer.mutant.predicted
        if layer.same_data and layer.same_kind and mpred.get("rho") is not None:
            ax.plot(
                full,
                line(full, x0, y0, mpred["rho"], float(mpred.get("poly_power") or 0.0)),
                ":",
                color=layer.colour,
                label=f"{layer.label}: ρ = {fmt(mpred['rho'], 6)}",
            )


def _draw_rerun_mutants(ax: Axes, record: ClaimRecord) -> None:
    for layer in rerun_mutant_data(ax, record, "."):
        m = layer.mutant
        fit = fitted_line(m.plot, m.fitted, m.predicted.get("rho")) if layer.same_kind else None
        if fit is not None:
            xs, x0, y0, mp = fit
            rho_hat = m.fitted["estimate"]
            ax.plot(
                xs,
                line(xs, x0, y0, rho_hat, mp),
                color=layer.colour,
                label=f"{layer.label}: fit ρ̂ = {fmt(rho_hat, 6)}",
            )
