"""Worst-case figures: the certified worst case tau_PEP(N) over the class (blue), the claimed
tau(N) (black), the replayed worst-case instance and known instances (markers on the same
values), untrusted solves hollow, and the mutants' claimed tau dashed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .style import BOUND, DATA, FIT, NEUTRAL, mutant_layers, values

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..records import ClaimRecord


def caption(record: ClaimRecord) -> str:
    fitted = record.fitted
    text = (
        "The exact worst case over the function class at each N, solved as a performance-"
        f"estimation SDP with {fitted.get('solver') or 'the solver'} (blue; hollow where the "
        "solve is not trusted), against the claimed tau(N) (black)."
    )
    if record.plot.get("replay") is not None:
        text += (
            " Orange crosses: the worst-case example extracted from the SDP, rebuilt as a "
            "concrete function and run through the simulator."
        )
    if record.plot.get("references"):
        text += " Grey squares: known instances."
    return text + " Dashed, lighter: the mutants' claimed tau."


def draw(fig: Figure, record: ClaimRecord) -> bool:
    """The claim's worst-case figure; False when there is nothing to draw."""
    plot = record.plot
    if not plot.get("x") or not plot.get("tau"):
        return False
    x, tau, claimed = values(plot["x"]), values(plot["tau"]), values(plot["claimed"])
    trusted = np.asarray(plot.get("trusted") or [True] * len(x), dtype=bool)
    ax = fig.add_subplot()
    if not plot.get("semilog"):
        ax.set_xscale("log")
    positive = np.concatenate([tau[np.isfinite(tau)], claimed])
    if positive.size and positive.min() > 0:
        ax.set_yscale("log")
    ax.plot(x, claimed, color=BOUND, lw=1.8, zorder=4, label="claimed tau(N)")
    ax.plot(x, tau, "-", color=DATA, lw=1.2, zorder=3)
    ax.plot(
        x[trusted],
        tau[trusted],
        "o",
        color=DATA,
        ms=4,
        zorder=3,
        label="tau_PEP(N), certified worst case",
    )
    if (~trusted).any():
        ax.plot(
            x[~trusted],
            tau[~trusted],
            "o",
            mfc="none",
            color=DATA,
            ms=5,
            label="untrusted solve (status or gap)",
        )
    if plot.get("replay") is not None:
        ax.plot(
            x,
            values(plot["replay"]),
            "x",
            color=FIT,
            ms=7,
            zorder=5,
            label="worst-case instance replayed by the simulator",
        )
    for label, ref in plot.get("references", {}).items():
        ax.plot(x, values(ref), "s", mfc="none", color=NEUTRAL, ms=7, zorder=2, label=label)
    for layer in mutant_layers(record):
        m = layer.mutant
        if m.plot.get("claimed") and m.plot.get("x"):
            ax.plot(
                values(m.plot["x"]),
                values(m.plot["claimed"]),
                "--",
                color=layer.colour,
                lw=1.2,
                alpha=0.8,
                label=f"mutant {m.name}: claimed tau",
            )
    ax.set_xlabel(plot.get("x_label") or "N")
    ax.set_ylabel(plot.get("y_label") or "worst case")
    return True
