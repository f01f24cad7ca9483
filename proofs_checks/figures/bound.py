"""Bound figures: the bound with the paper's constants over the data, which are either a Monte
Carlo mean with its joint confidence band or, for one deterministic run, exact values (no
band); the mutants' bounds dashed, and the data of mutants that reran the simulation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..formatting import fmt
from .style import BOUND, DATA, mutant_layers, values

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..records import ClaimRecord


def caption(record: ClaimRecord) -> str:
    if record.deterministic:
        return (
            "The bound with the paper's constants (black) and the computed values (blue): exact "
            "values of one deterministic run, so no band. Dashed, lighter: the mutants' bounds."
        )
    return (
        "The bound with the paper's constants (black) over the Monte Carlo mean and its joint "
        "confidence band (blue). Dashed, lighter: the mutants' bounds."
    )


def _axes_scales(ax: Axes, record: ClaimRecord, x: np.ndarray) -> bool:
    """Log x (symlog if x reaches 0); log y when everything drawn is positive and spans
    decades. Returns whether y is logarithmic."""
    drawn = [values(record.plot.get(k)) for k in ("y", "bound")]
    drawn += [
        values(layer.mutant.plot.get(k)) for layer in mutant_layers(record) for k in ("y", "bound")
    ]
    finite = np.concatenate(drawn)
    finite = finite[np.isfinite(finite)]
    if np.all(x[np.isfinite(x)] > 0):
        ax.set_xscale("log")
    else:
        positive = x[x > 0]
        ax.set_xscale("symlog", linthresh=max(1.0, float(positive.min())) if positive.size else 1.0)
    logy = bool(finite.size) and finite.min() > 0 and finite.max() / finite.min() > 30
    if logy:
        ax.set_yscale("log")
    return logy


def draw(fig: Figure, record: ClaimRecord) -> bool:
    """The claim's bound figure; False when its plot has no data (a diverged run)."""
    plot, pred = record.plot, record.predicted
    if not plot.get("x") or not plot.get("y") or not plot.get("bound"):
        return False
    x, y, bound = values(plot["x"]), values(plot["y"]), values(plot["bound"])
    if not x.shape == y.shape == bound.shape:
        raise ValueError(
            f"plot arrays differ in length: x {x.shape}, y {y.shape}, bound {bound.shape}"
        )
    ax = fig.add_subplot()
    logy = _axes_scales(ax, record, x)
    if record.deterministic or "y_lo" not in plot:
        label = "exact values (one deterministic run)"
    else:
        label = f"mean of {record.replicates} replicates"
        lo, hi = values(plot["y_lo"]), values(plot["y_hi"])
        if logy:
            lo = np.where(lo > 0, lo, np.nanmin(y[y > 0]) / 10)
        level = pred.get("level")
        band = f"joint {fmt(level)} band" if level else "band"
        ax.fill_between(x, lo, hi, color=DATA, alpha=0.22, lw=0, label=f"Monte Carlo {band}")
    ax.plot(x, y, "o-", color=DATA, ms=3.5, lw=1.2, zorder=3, label=label)
    word = "lower" if pred.get("side") == "at_least" else "upper"
    ax.plot(x, bound, color=BOUND, lw=1.8, zorder=4, label=f"{word} bound (paper's constants)")
    _draw_mutants(ax, record, bound)
    ax.set_xlabel(plot.get("x_label") or "n")
    ax.set_ylabel(plot.get("y_label") or "y")
    return True


def _draw_mutants(ax: Axes, record: ClaimRecord, bound: np.ndarray) -> None:
    """The mutants' bounds, and the data of those that reran, under the claim's own lines."""
    for layer in mutant_layers(record):
        m = layer.mutant
        if not m.plot.get("bound"):
            continue
        mx, mb = values(m.plot.get("x")), values(m.plot["bound"])
        if layer.same_data and mb.shape == bound.shape and np.allclose(mb, bound, equal_nan=True):
            continue  # the same bound: a mutant that changed something else
        if not layer.same_data and m.plot.get("y"):
            if m.plot.get("y_lo") and m.plot.get("y_hi"):
                ax.fill_between(
                    mx,
                    values(m.plot["y_lo"]),
                    values(m.plot["y_hi"]),
                    color=layer.colour,
                    alpha=0.18,
                    lw=0,
                )
            ax.plot(
                mx,
                values(m.plot["y"]),
                "s-",
                color=layer.colour,
                ms=2.5,
                lw=1,
                alpha=0.8,
                zorder=1.5,
                label=f"{layer.label}: data",
            )
        ax.plot(mx, mb, "--", color=layer.colour, lw=1.5, label=f"{layer.label}: bound")
