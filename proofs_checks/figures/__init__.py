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
from typing import TYPE_CHECKING, Any

import numpy as np
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
    return _palette_png(Image.open(buf).convert("RGB"))


def _palette_png(image: Any) -> bytes:
    # Octree keeps the plot's few flat colours exact (median cut merged the data's blue with
    # the prediction's green once the edges were resampled) at a tenth of median cut's time.
    from PIL import Image

    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(
        out, format="PNG", optimize=True
    )
    return out.getvalue()


#: Inches of white around the drawn content, as ``savefig(bbox_inches="tight")`` leaves.
PAD_INCHES = 0.1


def _drawn_once(fig: Figure, dpi: float) -> Any | None:
    """The figure drawn once at ``dpi`` and cropped to its content plus :data:`PAD_INCHES`, as
    a PIL image; None when some artist reaches outside the canvas (then only ``savefig``'s
    tight box, which enlarges the canvas, shows it whole)."""
    from PIL import Image

    fig.set_dpi(dpi)
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # :func:`figure` attaches one
    canvas.draw()  # the layout and the pixels in one pass; savefig's tight box costs two
    content = fig.get_tightbbox(canvas.get_renderer())
    width, height = fig.get_size_inches()
    if content.x0 < 0 or content.y0 < 0 or content.x1 > width or content.y1 > height:
        return None
    pixels = np.asarray(canvas.buffer_rgba())[:, :, :3]
    rows = pixels.shape[0]
    pad = round(PAD_INCHES * dpi)
    x0, x1 = int(np.floor(content.x0 * dpi)), int(np.ceil(content.x1 * dpi))
    y0, y1 = rows - int(np.ceil(content.y1 * dpi)), rows - int(np.floor(content.y0 * dpi))
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, pixels.shape[1]), min(y1, rows)
    image = Image.new("RGB", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), "white")
    image.paste(Image.fromarray(np.ascontiguousarray(pixels[y0:y1, x0:x1])), (pad, pad))
    return image


def render_pngs(record: ClaimRecord, screen_dpi: float = SCREEN_DPI) -> tuple[bytes, bytes] | None:
    """The claim's figure drawn once at print resolution (:data:`DPI`) and saved twice: as is,
    and resampled to ``screen_dpi`` with a 64-colour palette for the page; None when there is
    no figure.

    Drawing is the report's main cost (layout and text metrics): one draw instead of the four
    that two tight-boxed ``savefig`` calls make. A figure with an artist outside its canvas (a
    legend wider than the axes) is saved by ``savefig``, whose tight box enlarges the canvas
    (two draws), and its screen copy resampled from that.
    """
    from PIL import Image

    with rc_context(STYLE):
        fig = figure(record)
        if fig is None:
            return None
        image = _drawn_once(fig, DPI)
        if image is None:
            printed = to_png(fig, DPI)
            image = Image.open(io.BytesIO(printed)).convert("RGB")
        else:
            out = io.BytesIO()
            image.save(out, format="PNG")
            printed = out.getvalue()
    scale = screen_dpi / DPI
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return printed, _palette_png(image.resize(size, Image.Resampling.LANCZOS))


def render_png(record: ClaimRecord, dpi: float = DPI) -> bytes | None:
    """The claim's figure as PNG bytes at ``dpi``, or None when there is no figure."""
    with rc_context(STYLE):
        fig = figure(record)
        return None if fig is None else to_png(fig, dpi)
