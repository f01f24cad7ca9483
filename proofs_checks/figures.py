"""The report's figures: one per claim, drawn from its results.json entry alone.

Each kind gets the picture a reader of the paper would draw by hand, in one style readable in
print: power law and scaling on log-log axes (data with replicate error bars, the fitted line
with its confidence band over the fit window, the predicted slope drawn through the data),
geometric rates on semilog axes, orders as ``log e_{k+1}`` against ``log e_k``, bounds as the
bound curve over the Monte Carlo band, agreements as computed against reference. Mutants are
drawn in lighter colours. Implication and symbolic claims have no figure (their section shows
the counterexample or the derivation instead).

Only the entry's ``plot``, ``fitted`` and ``predicted`` fields (and its mutants') are read, so a
figure can be redrawn from a results.json without rerunning anything. The object-oriented
matplotlib API with the Agg canvas is used, never pyplot: no global figure state, no display.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
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


def draw_bound(ax, entry: dict[str, Any]) -> None:
    plot, pred = entry["plot"], entry.get("predicted") or {}
    x, y = _arr(plot["x"]), _arr(plot["y"])
    lo, hi, bound = _arr(plot.get("y_lo")), _arr(plot.get("y_hi")), _arr(plot.get("bound"))
    lo = lo if lo.shape == y.shape else y
    hi = hi if hi.shape == y.shape else y
    # log y when everything drawn (mutants' data and bounds too) is positive and spans decades
    drawn = [y, bound] + [
        _arr((m.get("plot") or {}).get(k))
        for m in entry.get("mutants") or []
        for k in ("y", "bound")
    ]
    values = np.concatenate([v for v in drawn if v.size])
    positive = values[np.isfinite(values)]
    logy = len(positive) and positive.min() > 0 and positive.max() / positive.min() > 30
    if np.all(x[np.isfinite(x)] > 0):
        ax.set_xscale("log")
    else:
        ax.set_xscale(
            "symlog", linthresh=max(1.0, float(np.nanmin(x[x > 0])) if (x > 0).any() else 1)
        )
    if logy:
        ax.set_yscale("log")
        floor = positive.min() / 10
        lo = np.where(lo > 0, lo, floor)
    reps = entry.get("replicates") or 1
    level = pred.get("level")
    band = f"joint {fmt(level)} band" if level else "band"
    if reps > 1:
        ax.fill_between(x, lo, hi, color=DATA, alpha=0.22, lw=0, label=f"Monte Carlo {band}")
        ax.plot(x, y, "o-", color=DATA, ms=3.5, lw=1.2, label=f"mean of {reps} replicates")
    else:
        ax.plot(x, y, "o-", color=DATA, ms=3.5, lw=1.2, label="deterministic run")
    word = "lower" if pred.get("side") == "at_least" else "upper"
    ax.plot(x, bound, color=BOUND, lw=1.8, label=f"{word} bound (paper's constants)")
    for _, m, colour, same in _mutants(entry):
        mplot = m.get("plot") or {}
        if not mplot.get("bound"):
            continue
        mb = _arr(mplot["bound"])
        if same and np.allclose(mb, bound, equal_nan=True):
            continue
        if not same and mplot.get("y"):
            mx = _arr(mplot["x"])
            ax.fill_between(
                mx, _arr(mplot["y_lo"]), _arr(mplot["y_hi"]), color=colour, alpha=0.18, lw=0
            )
            ax.plot(
                mx,
                _arr(mplot["y"]),
                "s-",
                color=colour,
                ms=2.5,
                lw=1,
                alpha=0.8,
                label=f"mutant {m['name']}: data",
            )
        ax.plot(
            _arr(mplot["x"]),
            mb,
            "--",
            color=colour,
            lw=1.5,
            label=f"mutant {m['name']}: bound",
        )
    ax.set_xlabel(plot.get("x_label") or "n")
    ax.set_ylabel(plot.get("y_label") or "y")


# --- agreement -----------------------------------------------------------------------------


def draw_agreement(fig, entry: dict[str, Any]) -> None:
    plot, pred = entry["plot"], entry.get("predicted") or {}
    comp, ref = _arr(plot["computed"]), _arr(plot["reference"])
    labels = list(plot.get("labels") or range(len(ref)))
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
    lohi = np.concatenate([comp, ref])
    lim = [np.nanmin(lohi), np.nanmax(lohi)]
    if lim[0] > 0 and lim[1] / lim[0] > 30:  # log axes only when values span decades
        ax1.set_xscale("log")
        ax1.set_yscale("log")
    ax1.plot(lim, lim, color=NEUTRAL, lw=1, label="computed = reference")
    ax1.plot(ref, comp, "o", color=DATA, label="computed")
    ax1.set_xlabel("reference")
    ax1.set_ylabel("computed")
    ax1.set_title("computed against reference")
    scale = np.where(np.abs(ref) > 0, np.abs(ref), 1.0)
    idx = np.arange(len(ref))

    def rel_err(values, against=ref):
        err = np.abs(values - against) / np.where(np.abs(against) > 0, np.abs(against), 1.0)
        return np.where(err > 0, err, 1e-17)  # exact agreement drawn at the floor

    rtol, atol = float(pred.get("rtol") or 0.0), float(pred.get("atol") or 0.0)
    allowed = (atol + rtol * np.abs(ref)) / scale
    ax2.set_yscale("log")
    exact = " (0 drawn at 1e−17)" if np.any(np.abs(comp - ref) == 0) else ""
    ax2.plot(idx, rel_err(comp), "o", color=DATA, zorder=3, label=f"relative error{exact}")
    ax2.step(idx, allowed, where="mid", color=BOUND, lw=1.5, label="allowed")
    for _, m, colour, _same in _mutants(entry):
        mplot, mpred = m.get("plot") or {}, m.get("predicted") or {}
        mcomp, mref = _arr(mplot.get("computed")), _arr(mplot.get("reference"))
        rerun = len(mcomp) == len(ref) and len(mref) == len(ref)
        if rerun and not (np.array_equal(mcomp, comp) and np.array_equal(mref, ref)):
            # a mutant that changes the computation or the claimed reference
            ax2.plot(
                idx,
                rel_err(mcomp, mref),
                "s",
                color=colour,
                alpha=MUTANT_ALPHA,
                ms=3.5,
                zorder=1,
                label=f"mutant {m['name']}",
            )
        elif mpred.get("rtol") is not None and (mpred.get("rtol"), mpred.get("atol")) != (
            pred.get("rtol"),
            pred.get("atol"),
        ):
            mallowed = (float(mpred.get("atol") or 0) + mpred["rtol"] * np.abs(ref)) / scale
            ax2.step(idx, mallowed, where="mid", ls=":", color=colour, label=f"mutant {m['name']}")
    if len(labels) <= 12:
        short = [str(s) if len(str(s)) <= 22 else str(s)[:21] + "…" for s in labels]
        ax2.set_xticks(idx, short, rotation=30, ha="right", fontsize=7.5)
    else:
        ax2.set_xlabel("comparison")
    ax2.set_ylabel("|computed − ref.| / |ref.|")
    ax2.set_title("relative error")
    _legend(fig, ax1, ax2)


# --- generic -------------------------------------------------------------------------------


def draw_generic(ax, entry: dict[str, Any]) -> None:
    """Any other kind whose plot has ``x`` and ``y``: the data on the fitting axes."""
    plot = entry["plot"]
    x, y = _arr(plot["x"]), _arr(plot["y"])
    if np.all(x[np.isfinite(x)] > 0):
        ax.set_xscale("log")
    if np.all(y[np.isfinite(y)] > 0):
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
    ax.set_xlabel(plot.get("x_label") or "x")
    ax.set_ylabel(plot.get("y_label") or "y")


CAPTIONS = {
    "power_law": (
        "Log-log axes. Points: the summary at each horizon, bars its 95% bootstrap interval "
        "over replicates. Red: least-squares fit over the fit window, shaded by the 95% "
        "interval of its slope. Green dashed: the predicted slope, drawn through the fit's "
        "centroid. Dotted or lighter: the mutants."
    ),
    "geometric": (
        "Semilog axes. Points: the summary at each iteration with its 95% bootstrap interval. "
        "Red: the log-linear fit over the fit window with the 95% interval of the rate. Green "
        "dashed: the predicted rate through the fit's centroid. Dotted or lighter: the mutants."
    ),
    "order": (
        "Each point is one pair (log10 e_k, log10 e_k+1): the slope is the order of "
        "convergence. Filled: pairs fitted; crosses: errors at the precision floor, dropped. "
        "Red: the fit with its 95% interval; green dashed: the predicted order."
    ),
    "bound": (
        "The bound with the paper's constants (black) over the Monte Carlo mean and its joint "
        "confidence band (blue). Dashed, lighter: the mutants' bounds."
    ),
    "agreement": (
        "Left: computed values against the reference (on the grey line when equal). Right: "
        "relative error of each comparison against the allowed tolerance."
    ),
}
CAPTIONS["scaling"] = CAPTIONS["power_law"]


def caption(kind: str) -> str:
    return CAPTIONS.get(kind, "The claim's data.")


def draw(entry: dict[str, Any]) -> Figure | None:
    """The figure of one results.json entry, or None when its kind has none (or no data)."""
    kind, plot = entry.get("kind"), entry.get("plot") or {}
    if kind in NO_FIGURE_KINDS:
        return None
    if kind == "agreement" and plot.get("computed") is not None:
        fig = Figure(figsize=(SIZE[0] * 1.25, SIZE[1]), layout="constrained")
        FigureCanvasAgg(fig)
        draw_agreement(fig, entry)
        _wrap_labels(fig)
        fig.suptitle(entry["id"], fontsize=10.5)
        return fig
    if kind == "order" and plot.get("log_e"):
        drawer = draw_order
    elif not plot.get("x") or not plot.get("y"):
        return None
    elif kind in ("power_law", "scaling"):
        drawer = draw_power_law
    elif kind == "geometric" or plot.get("semilog"):
        drawer = draw_geometric
    elif kind == "bound" or plot.get("bound"):
        drawer = draw_bound
    else:
        drawer = draw_generic
    fig = Figure(figsize=SIZE, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    drawer(ax, entry)
    ax.set_title(f"{entry['id']}  ({entry.get('verdict', '')})")
    _readable_log_ticks(ax)
    _legend(fig, ax)
    _wrap_labels(fig)
    return fig


def render_png(entry: dict[str, Any], dpi: int = DPI) -> bytes | None:
    """The entry's figure as PNG bytes at ``dpi``, or None when its kind has no figure."""
    with rc_context(STYLE):
        fig = draw(entry)
        if fig is None:
            return None
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", bbox_inches="tight")
    return buf.getvalue()
