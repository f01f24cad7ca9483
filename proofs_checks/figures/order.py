"""Order-of-convergence figures: ``log10 e_{k+1}`` against ``log10 e_k``, whose slope is the
order; the pairs fitted, those before the fitted tail and those at the precision floor."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..formatting import fmt, fmt_ci
from .style import DATA, FIT, MUTANT_ALPHA, NEUTRAL, PREDICTED, mutant_layers

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..records import ClaimRecord


def caption(_record: ClaimRecord) -> str:
    return (
        "Each point is one pair (log10 e_k, log10 e_k+1) of one deterministic run: the slope is "
        "the order of convergence. Filled: pairs fitted; crosses: errors at the precision floor, "
        "dropped. Red: the least-squares fit with the t-interval of its slope; green dashed: the "
        "predicted order."
    )


def pairs(plot: dict[str, Any]) -> list[np.ndarray]:
    """Pairs (log10 e_k, log10 e_k+1): fitted, before the fitted tail, at the floor."""
    log_e = plot.get("log_e", [])
    dropped = int(plot.get("dropped_at_floor", 0))
    last = len(log_e) - dropped  # errors[:last] were above the floor
    fitted_pairs = int(plot["fit"]["pairs"]) if "fit" in plot else 0
    fitted, unused, floor = [], [], []
    for k in range(len(log_e) - 1):
        if log_e[k] is None or log_e[k + 1] is None:
            continue
        pair = (log_e[k], log_e[k + 1])
        if k + 1 >= last:
            floor.append(pair)
        elif k >= last - 1 - fitted_pairs:
            fitted.append(pair)
        else:
            unused.append(pair)
    return [np.array(p, dtype=float).reshape(-1, 2) for p in (fitted, unused, floor)]


def draw(fig: Figure, record: ClaimRecord) -> bool:
    """The claim's pairs figure; False when no error was recorded."""
    plot = record.plot
    if not plot.get("log_e"):
        return False
    ax = fig.add_subplot()
    used, unused, floor = pairs(plot)
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
    if len(shown) and plot.get("floor") is not None:
        span = max(np.ptp(shown), 1.0)
        if plot["floor"] >= shown.min() - 0.25 * span:
            ax.axhline(plot["floor"], color=NEUTRAL, ls=":", lw=1)
            ax.axvline(plot["floor"], color=NEUTRAL, ls=":", lw=1, label="precision floor")
    if len(used) >= 2 and "fit" in plot:
        _draw_fit_and_predictions(ax, record, used)
    _draw_rerun_mutants(ax, record)
    label = plot.get("label") or "e_k"
    ax.set_xlabel(r"$\log_{10} e_k$" + ("" if label == "e_k" else f"   ({label})"))
    ax.set_ylabel(r"$\log_{10} e_{k+1}$")
    return True


def _draw_fit_and_predictions(ax: Axes, record: ClaimRecord, used: np.ndarray) -> None:
    fit, fitted, pred = record.plot["fit"], record.fitted, record.predicted
    u0 = float(used[:, 0].mean())
    v0 = fit["intercept"] / math.log(10) + fit["slope"] * u0
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
    for layer in mutant_layers(record):
        order = layer.mutant.predicted.get("order")
        if layer.same_data and layer.same_kind and order is not None and order != pred.get("order"):
            ax.plot(
                us,
                v0 + order * (us - u0),
                ":",
                color=layer.colour,
                label=f"{layer.label}: order {fmt(order)}",
            )


def _draw_rerun_mutants(ax: Axes, record: ClaimRecord) -> None:
    for layer in mutant_layers(record):
        m = layer.mutant
        if layer.same_data or not m.plot.get("log_e"):
            continue
        pts = np.vstack(pairs(m.plot))
        if len(pts):
            ax.plot(
                pts[:, 0],
                pts[:, 1],
                "s",
                color=layer.colour,
                alpha=MUTANT_ALPHA,
                ms=3.5,
                label=f"{layer.label}: pairs (order {fmt(m.fitted.get('estimate'))})",
            )
