"""Numbers as text, shared by the kinds' messages, the report and the figures (no heavy imports)."""

from __future__ import annotations

import math
from typing import Any

DASH = "–"


def fmt(value: Any, digits: int = 3) -> str:
    """A number in ``digits`` significant digits, with a true minus sign; ``–`` if missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return DASH
    if not isinstance(value, int | float):
        return str(value)
    text = f"{value:.{digits}g}"
    if "e" in text:  # 1.91e+03 -> 1.91e3, 7.2e-13 -> 7.2e-13
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


def fmt_ci(estimate: Any, ci: Any) -> str:
    """``est [lo, hi]`` with as many digits as it takes to tell the interval's ends apart."""
    if estimate is None:
        return DASH
    if not ci or len(ci) != 2 or None in ci:
        return fmt(estimate)
    digits = 3
    while digits < 6 and fmt(ci[0], digits) == fmt(ci[1], digits):
        digits += 1
    if fmt(ci[0], digits) == fmt(ci[1], digits):  # a (near) deterministic fit
        return fmt(estimate, 4)  # the interval, if any, is in the section's fitted values
    return f"{fmt(estimate, digits)} [{fmt(ci[0], digits)}, {fmt(ci[1], digits)}]"
