"""The report's figures: one per claim, drawn from its record alone (no rerun).

The claim's kind draws it: :func:`figure` creates the matplotlib Figure and asks
``kind_class(record.kind).draw(fig, record)``, which creates its axes (the bundled kinds
delegate to :mod:`.power_law`, :mod:`.geometric`, :mod:`.order`, :mod:`.bound` and
:mod:`.agreement`); then it finishes the figure the same way for every kind: the title, one
legend under the axes, wrapped labels, readable log ticks. A kind without a figure (or a record
with nothing to draw) gives None. The object-oriented API with the Agg canvas is used, never
pyplot: no global figure state, no display.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..kinds import kind_class
from .style import DPI, SCREEN_DPI, SIZE, STYLE, legend, readable_log_ticks, wrap_labels

if TYPE_CHECKING:
    from ..records import ClaimRecord

__all__ = ["DPI", "SCREEN_DPI", "figure", "render_png", "render_pngs", "to_png"]


def figure(record: ClaimRecord) -> Figure | None:
    """The claim's finished figure, or None when its kind draws none or there is no data.

    Must be called inside ``rc_context(STYLE)`` (as :func:`render_pngs` does) for the style.
    """
    kind = kind_class(record.kind)
    if not kind.has_figure:
        return None
    fig = Figure(figsize=SIZE, layout="constrained")
    FigureCanvasAgg(fig)
    if not kind.draw(fig, record) or not fig.axes:
        return None
    title = f"{record.id}  ({record.verdict})"
    if len(fig.axes) == 1:
        fig.axes[0].set_title(title)
    else:
        fig.suptitle(title, fontsize=10.5)
    for ax in fig.axes:
        readable_log_ticks(ax)
    legend(fig)
    wrap_labels(fig)
    return fig


def to_png(fig: Figure, dpi: float, palette: bool = False) -> bytes:
    """``fig`` as PNG bytes at ``dpi``; ``palette`` stores 64 colours (about a quarter of the
    bytes; a plot's flat colours and their anti-aliased edges need no more), for the copy
    embedded in a page."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", bbox_inches="tight")
    if not palette:
        return buf.getvalue()
    from PIL import Image

    buf.seek(0)
    image = Image.open(buf).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_pngs(record: ClaimRecord, screen_dpi: float = SCREEN_DPI) -> tuple[bytes, bytes] | None:
    """The claim's figure drawn once, saved twice: at print resolution (:data:`DPI`) and as a
    compact copy at ``screen_dpi`` for the page; None when there is no figure."""
    with rc_context(STYLE):
        fig = figure(record)
        if fig is None:
            return None
        return to_png(fig, DPI), to_png(fig, screen_dpi, palette=True)


def render_png(record: ClaimRecord, dpi: float = DPI) -> bytes | None:
    """The claim's figure as PNG bytes at ``dpi``, or None when there is no figure."""
    with rc_context(STYLE):
        fig = figure(record)
        return None if fig is None else to_png(fig, dpi)
