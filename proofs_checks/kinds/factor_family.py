"""The family of near predictions shared by the kinds whose prediction is a value B: B (1 + d).

A bound and a worst-case value are both refuted or confirmed as a whole curve, so the nearest
wrong statements are the same curve scaled; the bisection steps in log(1 + d), so a factor and
its inverse are the same distance away.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar


class FactorFamily:
    """Mixin for a kind with ``scaled(factor)``: near predictions ``B (1 + d)``."""

    #: How the claimed value is named in the resolution's text ("B", "tau").
    value_symbol: ClassVar[str] = "B"
    #: Significant digits of a factor in the resolution's text.
    factor_digits: ClassVar[int] = 3

    def scaled(self, factor: Any) -> Any:
        raise NotImplementedError

    def nearby(self, d: float) -> Any:
        return self.scaled(1 + d)

    def parameter_value(self, d: float) -> float:
        return 1 + d

    def near_offset(self, direction: int, step: float) -> float:
        return math.exp(direction * step) - 1

    def format_value(self, value: float) -> str:
        return f"{value:.{self.factor_digits}g} {self.value_symbol}"

    def near_text(self, _parameter: str, d: float) -> str:
        return self.value_symbol if d == 0 else self.format_value(1 + d)

    def target_step(self, target: float) -> float:
        return math.log(target)
