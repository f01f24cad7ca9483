"""Figures of the fitted kinds: power law and scaling (log-log), geometric (semilog) and
order (log e_{k+1} against log e_k)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .figure_style import (
    DATA,
    FIT,
    MUTANT_ALPHA,
    NEUTRAL,
    PREDICTED,
    _arr,
    _clamp_to_data,
    _errorbars,
    _mutants,
    _replicates_label,
    _through,
    _window_points,
    fmt,
    fmt_ci,
)


def _powerlaw_fit(plot, fitted):
    """The fitted line and its pivot: ``(xs, ys, x0, y0)``, or None without a fit."""
    if fitted.get("estimate") is None or fitted.get("intercept") is None:
        return None
    x = _arr(plot.get("x"))
    b = float(plot.get("log_power") or 0.0)
    pts = _window_points(x, fitted.get("window") or plot.get("fit_window"))
    if b:
        pts = pts[pts > 1]
    if len(pts) < 2:
        return None
    # OLS passes through the centroid of (log x, log y - b log log x) in the window.
    x0 = float(np.exp(np.log(pts).mean()))
    y0 = math.exp(fitted["intercept"] + fitted["estimate"] * math.log(x0))
    y0 *= math.log(x0) ** b if b else 1.0
    xs = np.geomspace(pts[0], pts[-1], 60)
    return xs, _through(xs, x0, y0, fitted["estimate"], b), x0, y0


def draw_power_law(ax, entry: dict[str, Any]) -> None:
    plot, fitted, pred = entry["plot"], entry.get("fitted") or {}, entry.get("predicted") or {}
    x, y = _arr(plot["x"]), _arr(plot["y"])
    b = float(plot.get("log_power") or 0.0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    _errorbars(
        ax,
        x,
        y,
        _arr(plot.get("y_lo")),
        _arr(plot.get("y_hi")),
        DATA,
        _replicates_label(entry, plot),
    )
    logf = f" × (log n)^{fmt(b)}" if b else ""
    fit = _powerlaw_fit(plot, fitted)
    if fit is not None:
        xs, ys, x0, y0 = fit
        ax.plot(xs, ys, color=FIT, zorder=4, label=f"fit: slope {fmt_ci(fitted['estimate'], None)}")
        ci = fitted.get("ci")
        if ci and None not in ci:
            a, c = _through(xs, x0, y0, ci[0], b), _through(xs, x0, y0, ci[1], b)
            ax.fill_between(
                xs,
                np.minimum(a, c),
                np.maximum(a, c),
                color=FIT,
                alpha=0.18,
                lw=0,
                label=f"95% CI of slope [{fmt(ci[0])}, {fmt(ci[1])}]",
            )
        full = x[np.isfinite(x) & (x > (1 if b else 0))]
        if pred.get("exponent") is not None and len(full) > 1:
            xp = np.geomspace(full.min(), full.max(), 60)
            side = {"at_most": " (at most)", "at_least": " (at least)"}.get(pred.get("side"), "")
            ax.plot(
                xp,
                _through(xp, x0, y0, pred["exponent"], pred.get("log_power") or 0.0),
                "--",
                color=PREDICTED,
                zorder=3,
                label=f"predicted slope {fmt(pred['exponent'])}{side}{logf}",
            )
        for _, m, colour, same in _mutants(entry):
            mpred, mplot, mfit = (
                m.get("predicted") or {},
                m.get("plot") or {},
                m.get("fitted") or {},
            )
            if same and mpred.get("exponent") is not None and len(full) > 1:
                xp = np.geomspace(full.min(), full.max(), 60)
                ax.plot(
                    xp,
                    _through(xp, x0, y0, mpred["exponent"], mpred.get("log_power") or 0.0),
                    ":",
                    color=colour,
                    alpha=0.9,
                    label=f"mutant {m['name']}: slope {fmt(mpred['exponent'])}",
                )
    for _, m, colour, same in _mutants(entry):
        mplot, mfit = m.get("plot") or {}, m.get("fitted") or {}
        if same or not mplot.get("x"):
            continue
        _errorbars(
            ax,
            _arr(mplot["x"]),
            _arr(mplot["y"]),
            _arr(mplot.get("y_lo")),
            _arr(mplot.get("y_hi")),
            colour,
            f"mutant {m['name']}: data",
            alpha=MUTANT_ALPHA,
            marker="s",
        )
        mf = _powerlaw_fit(mplot, mfit)
        if mf is not None:
            ax.plot(
                mf[0],
                mf[1],
                color=colour,
                alpha=0.9,
                label=f"mutant {m['name']}: fit slope {fmt(mfit['estimate'])}",
            )
    _clamp_to_data(ax, entry)
    ax.set_xlabel(plot.get("x_label") or "n")
    ax.set_ylabel(plot.get("y_label") or "y")


# --- geometric -----------------------------------------------------------------------------


def _geometric_fit(plot, fitted, pred):
    """Fitted line of a geometric claim and its pivot, decoding the fit's rate units."""
    rho, est = pred.get("rho"), fitted.get("estimate")
    if rho is None or est is None or fitted.get("intercept") is None or est <= 0:
        return None
    x = _arr(plot.get("x"))
    keep = np.isfinite(x)
    win = fitted.get("window")
    if win:
        keep &= (x >= win[0]) & (x <= win[1])
    pts = x[keep]
    if len(pts) < 2:
        return None
    m = float(plot.get("poly_power") or 0.0)
    # The fit is (log y - m log(x+1)) / -log(rho) = intercept - q x, with rho_hat = rho^q.
    x0 = float(pts.mean())
    logy0 = m * math.log(x0 + 1) - math.log(rho) * fitted["intercept"] + x0 * math.log(est)
    xs = np.linspace(pts[0], pts[-1], 80)
    return xs, x0, math.exp(logy0), m


def _geo_line(xs, x0, y0, rho, m):
    return y0 * ((xs + 1) / (x0 + 1)) ** m * np.exp((xs - x0) * math.log(rho))


def draw_geometric(ax, entry: dict[str, Any]) -> None:
    plot, fitted, pred = entry["plot"], entry.get("fitted") or {}, entry.get("predicted") or {}
    x, y = _arr(plot["x"]), _arr(plot["y"])
    ax.set_yscale("log")
    _errorbars(
        ax,
        x,
        y,
        _arr(plot.get("y_lo")),
        _arr(plot.get("y_hi")),
        DATA,
        _replicates_label(entry, plot),
        marker=".",
    )
    fit = _geometric_fit(plot, fitted, pred)
    if fit is not None:
        xs, x0, y0, m = fit
        ax.plot(
            xs,
            _geo_line(xs, x0, y0, fitted["estimate"], m),
            color=FIT,
            zorder=4,
            label=f"fit: ρ̂ = {fmt_ci(fitted['estimate'], fitted.get('ci'))}",
        )
        ci = fitted.get("ci")
        if ci and None not in ci and min(ci) > 0:
            a, c = _geo_line(xs, x0, y0, ci[0], m), _geo_line(xs, x0, y0, ci[1], m)
            ax.fill_between(
                xs, np.minimum(a, c), np.maximum(a, c), color=FIT, alpha=0.18, lw=0, label="95% CI"
            )
        full = np.linspace(np.nanmin(x), np.nanmax(x), 80)
        ax.plot(
            full,
            _geo_line(full, x0, y0, pred["rho"], m),
            "--",
            color=PREDICTED,
            label=f"predicted ρ = {fmt(pred['rho'], 6)}",
        )
        for _, mu, colour, same in _mutants(entry):
            mpred = mu.get("predicted") or {}
            if same and mpred.get("rho") is not None:
                ax.plot(
                    full,
                    _geo_line(full, x0, y0, mpred["rho"], float(mpred.get("poly_power") or 0.0)),
                    ":",
                    color=colour,
                    label=f"mutant {mu['name']}: ρ = {fmt(mpred['rho'], 6)}",
                )
    for _, mu, colour, same in _mutants(entry):
        mplot = mu.get("plot") or {}
        if same or not mplot.get("x"):
            continue
        mx = _arr(mplot["x"])
        _errorbars(
            ax,
            mx,
            _arr(mplot["y"]),
            _arr(mplot.get("y_lo")),
            _arr(mplot.get("y_hi")),
            colour,
            f"mutant {mu['name']}: data",
            alpha=MUTANT_ALPHA,
            marker=".",
        )
        mf = _geometric_fit(mplot, mu.get("fitted") or {}, mu.get("predicted") or {})
        if mf is not None:
            xs, x0, y0, m = mf
            rho_hat = mu["fitted"]["estimate"]
            ax.plot(
                xs,
                _geo_line(xs, x0, y0, rho_hat, m),
                color=colour,
                label=f"mutant {mu['name']}: fit ρ̂ = {fmt(rho_hat, 6)}",
            )
    _clamp_to_data(ax, entry)
    ax.set_xlabel(plot.get("x_label") or "k")
    ax.set_ylabel(plot.get("y_label") or "e_k")


# --- order ---------------------------------------------------------------------------------


def _order_pairs(plot):
    """Pairs (log10 e_k, log10 e_k+1) split into fitted, above the floor, and dropped."""
    loge = plot.get("log_e") or []
    dropped = int(plot.get("dropped_at_floor") or 0)
    last = len(loge) - dropped  # errors[:last] were above the floor
    npairs = int((plot.get("fit") or {}).get("pairs") or 0)
    fitted, unused, floor = [], [], []
    for k in range(len(loge) - 1):
        if loge[k] is None or loge[k + 1] is None:
            continue
        pair = (loge[k], loge[k + 1])
        if k + 1 >= last:
            floor.append(pair)
        elif k >= last - 1 - npairs:
            fitted.append(pair)
        else:
            unused.append(pair)
    return [np.array(p, dtype=float).reshape(-1, 2) for p in (fitted, unused, floor)]


def draw_order(ax, entry: dict[str, Any]) -> None:
    plot, fitted, pred = entry["plot"], entry.get("fitted") or {}, entry.get("predicted") or {}
    used, unused, floor = _order_pairs(plot)
    if len(used):
        ax.plot(used[:, 0], used[:, 1], "o", color=DATA, label="pairs fitted", zorder=3)
    if len(unused):
        ax.plot(
            unused[:, 0],
            unused[:, 1],
            "o",
            mfc="none",
            color=DATA,
            label="pairs before the fitted tail",
        )
    if len(floor):
        ax.plot(
            floor[:, 0],
            floor[:, 1],
            "x",
            color=NEUTRAL,
            ms=6,
            label=f"at the precision floor (dropped: {plot.get('dropped_at_floor')})",
        )
    shown = np.vstack([used, unused, floor])
    near = len(shown) and plot.get("floor") is not None
    if near:
        span = max(np.ptp(shown), 1.0)
        near = plot["floor"] >= shown.min() - 0.25 * span
    if near:
        ax.axhline(plot["floor"], color=NEUTRAL, ls=":", lw=1)
        ax.axvline(plot["floor"], color=NEUTRAL, ls=":", lw=1, label="precision floor")
    fit = plot.get("fit") or {}
    if len(used) >= 2 and fit.get("slope") is not None:
        ln10 = math.log(10)
        u0 = float(used[:, 0].mean())
        v0 = fit["intercept"] / ln10 + fit["slope"] * u0
        span = used[:, 0].max() - used[:, 0].min()
        us = np.linspace(used[:, 0].min() - 0.1 * span, used[:, 0].max() + 0.1 * span, 40)
        ax.plot(
            us,
            v0 + fit["slope"] * (us - u0),
            color=FIT,
            label=f"fit: order {fmt_ci(fitted.get('estimate'), fitted.get('ci'))}",
        )
        ci = fitted.get("ci")
        if ci and None not in ci:
            a, c = v0 + ci[0] * (us - u0), v0 + ci[1] * (us - u0)
            ax.fill_between(us, np.minimum(a, c), np.maximum(a, c), color=FIT, alpha=0.18, lw=0)
        if pred.get("order") is not None:
            ax.plot(
                us,
                v0 + pred["order"] * (us - u0),
                "--",
                color=PREDICTED,
                label=f"predicted order {fmt(pred['order'])}",
            )
        for _, m, colour, same in _mutants(entry):
            mpred = m.get("predicted") or {}
            if same and mpred.get("order") is not None and mpred["order"] != pred.get("order"):
                ax.plot(
                    us,
                    v0 + mpred["order"] * (us - u0),
                    ":",
                    color=colour,
                    label=f"mutant {m['name']}: order {fmt(mpred['order'])}",
                )
    for _, m, colour, _same in _mutants(entry):
        mplot = m.get("plot") or {}
        if not mplot.get("log_e") or mplot.get("log_e") == plot.get("log_e"):
            continue
        mu, mun, mfl = _order_pairs(mplot)
        mest = (m.get("fitted") or {}).get("estimate")
        pts = np.vstack([mu, mun, mfl])
        if len(pts):
            ax.plot(
                pts[:, 0],
                pts[:, 1],
                "s",
                color=colour,
                alpha=MUTANT_ALPHA,
                ms=3.5,
                label=f"mutant {m['name']}: pairs (order {fmt(mest)})",
            )
    label = plot.get("label") or "e_k"
    ax.set_xlabel(r"$\log_{10} e_k$" + ("" if label == "e_k" else f"   ({label})"))
    ax.set_ylabel(r"$\log_{10} e_{k+1}$")


# --- bound ---------------------------------------------------------------------------------
