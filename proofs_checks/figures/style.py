"""The figures' shared style and helpers: sizes, colours, matplotlib settings, error bars,
mutant layers, legends and log ticks, so that every kind's figure looks the same.

Everything here is public: the per-kind views (:mod:`proofs_checks.figures.power_law` and its
siblings) and a kind defined outside the package use the same names.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.container import ErrorbarContainer
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

    from ..records import ClaimRecord, MutantRecord

#: Print resolution of DIR/figures/<id>.png.
DPI = 200
#: Resolution of the copy embedded in index.html (shown at its natural size on screen).
SCREEN_DPI = 84  # the page embeds this copy; the 200 dpi file is one click away
#: Inches: a column-and-a-half figure; WIDE for two panels side by side.
SIZE = (6.4, 4.0)
WIDE = (8.0, 4.0)

STYLE: dict[RcKeyType, Any] = {
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
MUTANT_COLOURS = ("#CC79A7", "#E69F00", "#56B4E9", "#999999", "#F0E442")
MUTANT_ALPHA = 0.6

#: The plot fields that hold a run's data: a mutant whose plot has the same ones judged the
#: claim's own data (a wrong prediction), any other mutant was rerun (a wrong simulation).
DATA_FIELDS = ("x", "y", "computed", "log_e")


def values(seq: Sequence[Any] | None) -> np.ndarray:
    """A float array from a JSON list (``None`` entries, JSON's NaN, as NaN)."""
    return np.array([np.nan if v is None else v for v in seq or ()], dtype=float)


@dataclass(frozen=True)
class MutantLayer:
    """How to draw one mutant on its claim's figure."""

    mutant: MutantRecord
    colour: str
    #: The mutant judged the claim's own data: draw its prediction through the claim's data.
    same_data: bool
    #: The mutant's prediction has the claim's kind, so the view can read its parameters.
    same_kind: bool

    @property
    def label(self) -> str:
        return f"mutant {self.mutant.name}"


def mutant_layers(record: ClaimRecord) -> Iterator[MutantLayer]:
    """One layer per mutant, each with its own colour.

    A mutant record written before mutants carried their kind has an empty ``kind``: it is
    the claim's kind (a mutant then only changed the prediction's parameters or the run).
    """
    for i, m in enumerate(record.mutants):
        same = all(m.plot.get(k) == record.plot.get(k) for k in DATA_FIELDS)
        yield MutantLayer(
            m, MUTANT_COLOURS[i % len(MUTANT_COLOURS)], same, (m.kind or record.kind) == record.kind
        )


def data_label(record: ClaimRecord, statistic: str | None = None) -> str:
    """The legend entry of the claim's data: what was summarised, or that it is exact."""
    if record.deterministic:
        return "exact values (one deterministic run)"
    return f"{statistic or 'mean'} of {record.replicates} replicates (bars: 95% bootstrap)"


def errorbars(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    colour: str,
    label: str,
    alpha: float = 1.0,
    marker: str = "o",
) -> None:
    """Points with asymmetric bars (none where ``lo == hi == y``), positive values only."""
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
    ax.errorbar(
        x,
        y,
        yerr=yerr if yerr.max() > 0 else None,
        fmt=marker,
        color=colour,
        alpha=alpha,
        ms=4.5 if alpha == 1.0 else 3.5,
        elinewidth=1.0,
        label=label,
        zorder=3 if alpha == 1.0 else 2,
    )


def clamp_to_data(ax: Axes, record: ClaimRecord, pad: float = 2.0) -> None:
    """Log y-limits from the data (the claim's and its rerun mutants'), so that a wrong
    predicted line drawn through the data cannot squash the data into a corner."""
    arrays = [values(record.plot.get(k)) for k in ("y", "y_lo", "y_hi")]
    arrays += [values(layer.mutant.plot.get("y")) for layer in mutant_layers(record)]
    v = np.concatenate(arrays)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size:
        ax.set_ylim(v.min() / pad, v.max() * pad)


def tick_label(value: float, _pos: Any = None) -> str:
    """Tick labels: plain numbers where short, else powers of ten in mathtext."""
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:g}".replace("-", "−")
    mantissa, exponent = f"{value:.0e}".split("e")
    power = f"10^{{{int(exponent)}}}"
    return f"${power}$" if mantissa == "1" else rf"${mantissa}\times{power}$"


def readable_log_ticks(ax: Axes) -> None:
    """Label 1-2-5 ticks on a log axis spanning under two decades (else it shows one label)."""
    for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        if axis.get_scale() != "log" or not (0 < lo < hi) or hi / lo >= 100:
            continue
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(tick_label))
        axis.set_minor_formatter(NullFormatter())


def wrap(text: str, width: int) -> str:
    """A long label over several lines (never inside mathtext)."""
    return text if "$" in text or len(text) <= width else textwrap.fill(text, width)


def wrap_labels(fig: Figure) -> None:
    for ax in fig.axes:
        ax.set_xlabel(wrap(ax.get_xlabel(), 80))
        ax.set_ylabel(wrap(ax.get_ylabel(), 42))


def legend(fig: Figure) -> None:
    """One legend under the axes (it never hides data), the data's entries first."""
    pairs: dict[str, Any] = {}
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if not label.startswith("_"):
                pairs.setdefault(label, handle)
    items = sorted(pairs.items(), key=lambda lh: not isinstance(lh[1], ErrorbarContainer))
    if items:
        fig.legend(
            [h for _, h in items],
            [wrap(label, 60) for label, _ in items],
            loc="outside lower center",
            ncol=2 if len(items) > 2 else len(items),
        )


def rerun_mutant_data(ax: Any, record: ClaimRecord, marker: str) -> Iterator[MutantLayer]:
    """Draw the data of the mutants that reran the simulation (lighter, with their bands) and
    yield their layers, so the kind's view can add each mutant's own fitted line."""
    for layer in mutant_layers(record):
        m = layer.mutant
        if layer.same_data or not m.plot.get("x"):
            continue
        errorbars(
            ax,
            values(m.plot["x"]),
            values(m.plot.get("y")),
            values(m.plot.get("y_lo")),
            values(m.plot.get("y_hi")),
            layer.colour,
            f"{layer.label}: data",
            alpha=MUTANT_ALPHA,
            marker=marker,
        )
        yield layer
