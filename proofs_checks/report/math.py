"""Formulas as PNG images, rendered with matplotlib's mathtext (no MathJax: the page is offline).

mathtext parses a subset of LaTeX: a formula is tried as written, then rewritten into that
subset (``\\le`` as ``\\leq``, ``\\tfrac`` as ``\\frac``, environments dropped); a formula that
still does not parse gives None, and the page shows its LaTeX source instead.
"""

from __future__ import annotations

import functools
import io
import re
import struct
from typing import Any

#: Resolution of a formula image; the page shows it at :data:`MATH_SCALE` of its size.
MATH_DPI = 150  # shown at 96/150: still crisp at 1.5x zoom, half the bytes of 200
MATH_SIZE = 12  # points

_REWRITES = [
    (r"\\(?:begin|end)\{[a-zA-Z*]+\}", ""),
    (r"\\(?:displaystyle|textstyle|nonumber|notag)(?![a-zA-Z])", ""),
    (r"\\(?:label|tag)\{[^{}]*\}", ""),
    (r"\\[bB]igg?[lrm]?(?![a-zA-Z])", ""),
    (r"\\(?:l|r)vert(?![a-zA-Z])", "|"),
    (r"\\(?:l|r)Vert(?![a-zA-Z])", r"\\Vert "),
    (r"\\[td]frac(?![a-zA-Z])", r"\\frac"),
    (r"\\frac(\d)(\d)", r"\\frac{\1}{\2}"),
    (r"\\sqrt\s*([A-Za-z0-9])", r"\\sqrt{\1}"),
    (r"\\le(?![a-zA-Z])", r"\\leq"),
    (r"\\ge(?![a-zA-Z])", r"\\geq"),
    (r"\\(?:textbf|bm)\{", r"\\mathbf{"),
    (r"\\(?:textrm|textup|text)\{", r"\\mathrm{"),
    (r"\\(?:textit|emph)\{", r"\\mathit{"),
    (r"\\operatorname\*", r"\\operatorname"),
    (r"\\mathop\{([^{}]*)\}", r"\1"),
    (r"\\coloneqq(?![a-zA-Z])", ":="),
    (r"\\eqqcolon(?![a-zA-Z])", "=:"),
    (r"\\implies(?![a-zA-Z])", r"\\Rightarrow"),
    (r"\\iff(?![a-zA-Z])", r"\\Leftrightarrow"),
    (r"\\gets(?![a-zA-Z])", r"\\leftarrow"),
    (r"\\land(?![a-zA-Z])", r"\\wedge"),
    (r"\\lor(?![a-zA-Z])", r"\\vee"),
    (r"\\xrightarrow\{[^{}]*\}", r"\\rightarrow"),
    (r"\\stackrel\{([^{}]*)\}", r"\\overset{\1}"),
    (r"&", ""),
]


def mathtext_variants(latex: str) -> list[str]:
    """The formula as written, then rewritten into the subset of LaTeX mathtext parses."""
    text = latex.strip().strip("$").strip()
    simpler = text
    for pattern, repl in _REWRITES:
        simpler = re.sub(pattern, repl, simpler)
    return [text] if simpler == text else [text, simpler]


def looks_like_formula(text: str) -> bool:
    """Whether ``text`` has LaTeX markup (plain words such as ``"1 (both sides)"`` stay text)."""
    return bool(re.search(r"[\\^_{]", text))


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, from the PNG header."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def render_math(latex: str) -> list[bytes] | None:
    """PNG images of a formula (one per line of a multi-line one), or None if mathtext fails."""
    images = _render(latex)
    return None if images is None else list(images)


@functools.lru_cache(maxsize=4096)  # a page's formulas, laid out ahead (prepare_section)
def _render(latex: str) -> tuple[bytes, ...] | None:
    from matplotlib.font_manager import FontProperties

    if not latex or not latex.strip():
        return None
    prop = FontProperties(family="DejaVu Sans", size=MATH_SIZE)
    for variant in mathtext_variants(latex):
        lines = [ln.strip() for ln in re.split(r"\\\\", variant) if ln.strip()]
        if not lines:
            continue
        try:
            return tuple(_line_png(f"${line}$", prop) for line in lines)
        except Exception:  # mathtext raises ValueError, sometimes others, on what it cannot parse
            continue
    return None


def _line_png(text: str, prop: Any) -> bytes:
    """One line of mathtext as a PNG in grey levels with alpha (black on transparent, a third
    of the bytes of RGBA), rasterised by mathtext's own Agg parser: one parse, where
    ``mathtext.math_to_image`` parses twice and draws a figure."""
    import numpy as np
    from PIL import Image

    alpha = np.asarray(_parser().parse(text, dpi=MATH_DPI, prop=prop).image, dtype=np.uint8)
    image = Image.fromarray(np.stack([np.zeros_like(alpha), alpha], axis=-1), "LA")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@functools.cache
def _parser() -> Any:
    from matplotlib.mathtext import MathTextParser

    return MathTextParser("agg")
