"""Horizon grids for rate fits."""

from __future__ import annotations

import numpy as np


def log_grid(lo: float, hi: float, points: int) -> np.ndarray:
    """Distinct integers spaced evenly in log scale from ``lo`` to ``hi``.

    A geometric grid makes every decade weigh the same in a log-log least-squares fit; rounding
    can merge neighbours at the low end, so fewer than ``points`` values may come back.
    """
    if not (1 <= lo < hi) or points < 2:
        raise ValueError(
            f"need 1 <= lo < hi and points >= 2, got lo={lo}, hi={hi}, points={points}"
        )
    return np.unique(np.round(np.geomspace(lo, hi, points)).astype(int))
