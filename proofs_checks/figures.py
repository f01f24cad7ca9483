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
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .figure_style import (
    BOUND,
    DATA,
    DPI,
    MUTANT_ALPHA,
    NEUTRAL,
    NO_FIGURE_KINDS,
    SIZE,
    STYLE,
    _arr,
    _errorbars,
    _legend,
    _mutants,
    _readable_log_ticks,
    _replicates_label,
    _wrap_labels,
    fmt,
)
from .figures_rates import (
    draw_geometric,
    draw_order,
    draw_power_law,
)


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
