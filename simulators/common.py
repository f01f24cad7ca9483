r"""What several simulators share: input checks, and the Huber function.

Every check raises ``ValueError`` with the argument's name in the message, so a caller sees
which input was wrong; where it normalises its input (an array of floats, integer horizons) it
returns the normalised value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# --- scalars ----------------------------------------------------------------------------------


def check_positive_int(name: str, value: Any, least: int = 1) -> int:
    """``value`` as an ``int`` if it is an integer (not a bool) of at least ``least``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        kind = "a positive integer" if least == 1 else f"an integer >= {least}"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def check_positive(name: str, value: Any, allow_zero: bool = False) -> float:
    """``value`` as a ``float`` if it is a finite number above 0 (or at least 0)."""
    number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool
    )
    if not (number and math.isfinite(value) and (value >= 0 if allow_zero else value > 0)):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} finite number, got {value!r}")
    return float(value)


def check_momentum(name: str, value: Any) -> float:
    """A momentum parameter: a number in ``[0, 1)``."""
    if not (isinstance(value, int | float | np.floating) and 0 <= value < 1):
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")
    return float(value)


def check_generator(rng: Any) -> np.random.Generator:
    """A ``numpy.random.Generator`` (the only source of randomness a simulator takes)."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


# --- arrays -----------------------------------------------------------------------------------


def check_positive_array(name: str, values: Any, allow_zero: bool = False) -> np.ndarray:
    """At least 1-d float array of finite entries above 0 (or at least 0)."""
    values = np.atleast_1d(np.asarray(values, float))
    bad = ~np.isfinite(values) | ((values < 0) if allow_zero else (values <= 0))
    if bad.any():
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be {kind} and finite, got {values[bad].tolist()}")
    return values


def check_eigenvalues(eigenvalues: Any, allow_zero: bool = False) -> np.ndarray:
    """A non-empty 1-d array of positive (or non-negative) finite eigenvalues."""
    lam = np.asarray(eigenvalues, float)
    bad = (lam < 0) if allow_zero else (lam <= 0)
    if lam.ndim != 1 or len(lam) == 0 or not np.all(np.isfinite(lam)) or np.any(bad):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"eigenvalues must be a non-empty 1-d array of {kind} numbers, got {lam}")
    return lam


def check_finite_vector(name: str, values: Any, length: int | None = None) -> np.ndarray:
    """A finite 1-d float array, of the given length if one is given (at least 1 entry)."""
    v = np.asarray(values, float)
    shape = f"({length},)" if length is not None else "(d,)"
    if v.ndim != 1 or v.size == 0 or (length is not None and v.shape != (length,)):
        raise ValueError(f"{name} must be a finite vector of shape {shape}, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be a finite vector of shape {shape}: it has NaN or inf")
    return v


def check_step_sizes(steps: Any) -> np.ndarray:
    """``steps`` as a float vector: non-empty, every step size positive and finite."""
    steps = np.asarray(steps, dtype=float)
    if steps.ndim != 1 or steps.size == 0 or not np.all(np.isfinite(steps) & (steps > 0)):
        raise ValueError("steps must be a non-empty vector of positive finite step sizes")
    return steps


def check_horizons(horizons: Any, lowest: int = 1, highest: int | None = None) -> np.ndarray:
    """Strictly increasing integers in ``[lowest, highest]``, as an ``int`` array."""
    h = np.asarray(horizons)
    ok = (
        h.ndim == 1
        and len(h) > 0
        and np.issubdtype(h.dtype, np.integer)
        and h[0] >= lowest
        and (highest is None or h[-1] <= highest)
        and np.all(np.diff(h) > 0)
    )
    if not ok:
        where = f"in [{lowest}, {highest}]" if highest is not None else f">= {lowest}"
        raise ValueError(f"horizons must be strictly increasing integers {where}, got {h}")
    return h.astype(int)


# --- the Huber function -------------------------------------------------------------------------


def huber(x: np.ndarray, threshold: Any, smoothness: Any) -> np.ndarray:
    r"""The Huber function :math:`f(x) = \frac{L}{2}x^2` for :math:`|x| \le \tau`, else
    :math:`L\tau|x| - \frac{L}{2}\tau^2`: convex, L-smooth, minimum 0 at 0, and linear growth
    (so not strongly convex) away from it. Elementwise; ``threshold`` and ``smoothness``
    broadcast against ``x`` (one curvature per coordinate, one threshold per instance)."""
    x = np.asarray(x, float)
    a = np.abs(x)
    return smoothness * np.where(a <= threshold, 0.5 * x**2, threshold * a - 0.5 * threshold**2)


def huber_gradient(x: np.ndarray, threshold: Any, smoothness: Any) -> np.ndarray:
    r""":math:`f'(x) = L\,\mathrm{clip}(x, -\tau, \tau)`, elementwise (see :func:`huber`)."""
    return smoothness * np.clip(x, -threshold, threshold)


def check_least_squares(features: Any, targets: Any) -> tuple[np.ndarray, np.ndarray]:
    """``features`` as an (n, d) array and ``targets`` as an (n,) array, or a ValueError."""
    features = np.asarray(features, float)
    targets = np.asarray(targets, float)
    if features.ndim != 2 or targets.shape != (features.shape[0],):
        raise ValueError(
            f"features must be (n, d) and targets (n,); got {features.shape} and {targets.shape}"
        )
    return features, targets
