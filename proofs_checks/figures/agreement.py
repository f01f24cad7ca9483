"""Agreement figures, two panels: computed against reference values, and each comparison's
relative error against the allowed tolerance (with the mutants' errors or tolerances)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .style import BOUND, DATA, MUTANT_ALPHA, NEUTRAL, WIDE, data_label, mutant_layers, values

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..records import ClaimRecord

#: Where an exact agreement (relative error 0) is drawn on the log axis.
FLOOR = 1e-17


def caption(record: ClaimRecord) -> str:
    values_shown = (
        "exact values of one deterministic run"
        if record.deterministic
        else f"Monte Carlo means over {record.replicates} replicates, bars their joint band"
    )
    return (
        f"Left: computed values ({values_shown}) against the reference, on the grey line when "
        "equal. Right: relative error of each comparison against the allowed tolerance."
    )


def relative_error(computed: np.ndarray, reference: np.ndarray) -> np.ndarray:
    scale = np.where(np.abs(reference) > 0, np.abs(reference), 1.0)
    err = np.abs(computed - reference) / scale
    return np.where(err > 0, err, FLOOR)


def draw(fig: Figure, record: ClaimRecord) -> bool:
    """The claim's two panels; False when nothing was compared (a diverged run)."""
    plot, pred = record.plot, record.predicted
    if plot.get("computed") is None or plot.get("reference") is None:
        return False
    comp, ref = values(plot["computed"]), values(plot["reference"])
    if comp.shape != ref.shape:
        raise ValueError(f"computed {comp.shape} and reference {ref.shape} differ in shape")
    fig.set_size_inches(*WIDE)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
    both = np.concatenate([comp, ref])
    lim = [np.nanmin(both), np.nanmax(both)]
    if lim[0] > 0 and lim[1] / lim[0] > 30:  # log axes only when values span decades
        ax1.set_xscale("log")
        ax1.set_yscale("log")
    ax1.plot(lim, lim, color=NEUTRAL, lw=1, label="computed = reference")
    if record.deterministic:
        label = f"computed: {data_label(record)}"
    else:
        label = f"computed: mean of {record.replicates} replicates (bars: joint band)"
    if "lo" in plot and "hi" in plot and not record.deterministic:
        lo, hi = values(plot["lo"]), values(plot["hi"])
        yerr = np.vstack([np.clip(comp - lo, 0, None), np.clip(hi - comp, 0, None)])
        ax1.errorbar(ref, comp, yerr=yerr, fmt="o", color=DATA, elinewidth=1.0, label=label)
    else:
        ax1.plot(ref, comp, "o", color=DATA, label=label)
    ax1.set_xlabel("reference")
    ax1.set_ylabel("computed")
    ax1.set_title("computed against reference")

    idx = np.arange(len(ref))
    scale = np.where(np.abs(ref) > 0, np.abs(ref), 1.0)
    rtol, atol = float(pred.get("rtol") or 0.0), float(pred.get("atol") or 0.0)
    ax2.set_yscale("log")
    exact = f" (0 drawn at {FLOOR:g})" if np.any(comp == ref) else ""
    ax2.plot(
        idx, relative_error(comp, ref), "o", color=DATA, zorder=3, label=f"relative error{exact}"
    )
    ax2.step(
        idx, (atol + rtol * np.abs(ref)) / scale, where="mid", color=BOUND, lw=1.5, label="allowed"
    )
    _draw_mutants(ax2, record, comp, ref, idx, scale)
    labels = list(plot.get("labels") or range(len(ref)))
    if len(labels) <= 12:
        short = [str(s) if len(str(s)) <= 22 else str(s)[:21] + "…" for s in labels]
        ax2.set_xticks(idx, short, rotation=30, ha="right", fontsize=7.5)
    else:
        ax2.set_xlabel("comparison")
    ax2.set_ylabel("|computed − ref.| / |ref.|")
    ax2.set_title("relative error")
    return True


def _draw_mutants(
    ax: Axes, record: ClaimRecord, comp: np.ndarray, ref: np.ndarray, idx, scale
) -> None:
    pred = record.predicted
    for layer in mutant_layers(record):
        m = layer.mutant
        mcomp, mref = values(m.plot.get("computed")), values(m.plot.get("reference"))
        rerun = mcomp.shape == ref.shape and mref.shape == ref.shape
        if rerun and not (np.array_equal(mcomp, comp) and np.array_equal(mref, ref)):
            # a mutant that changes the computation or the claimed reference
            ax.plot(
                idx,
                relative_error(mcomp, mref),
                "s",
                color=layer.colour,
                alpha=MUTANT_ALPHA,
                ms=3.5,
                zorder=1,
                label=layer.label,
            )
            continue
        mpred = m.predicted
        if not layer.same_kind or mpred.get("rtol") is None:
            continue
        if (mpred.get("rtol"), mpred.get("atol")) != (pred.get("rtol"), pred.get("atol")):
            allowed = (float(mpred.get("atol") or 0.0) + mpred["rtol"] * np.abs(ref)) / scale
            ax.step(idx, allowed, where="mid", ls=":", color=layer.colour, label=layer.label)
