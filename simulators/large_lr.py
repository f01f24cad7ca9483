r"""Gradient descent in one dimension on a function with a sharp local and a flat global minimum.

The instance is ours (the mechanism of linear stability, not the function class of Mohtashami,
Jaggi & Stich): :math:`f(x) = (x - 4)^2/8 - e^{-5x^2}` has a sharp local minimum near 0.103
(:math:`f'' \approx 8.7`, stable for steps below :math:`2/f'' \approx 0.229`) and a flat global
minimum near 4 (:math:`f'' \approx 1/4`, stable for steps below 8).
"""

from __future__ import annotations

import numpy as np

from simulators.common import check_positive_int


def sharp_flat_gradient(x: np.ndarray) -> np.ndarray:
    """The derivative of ``f(x) = (x - 4)^2 / 8 - exp(-5 x^2)``."""
    x = np.asarray(x, float)
    return (x - 4) / 4 + 10 * x * np.exp(-5 * x**2)


def sharp_flat_curvature(x: np.ndarray) -> np.ndarray:
    """The second derivative of the same ``f``."""
    x = np.asarray(x, float)
    return 0.25 + (10 - 100 * x**2) * np.exp(-5 * x**2)


def sharp_flat_minima() -> tuple[float, float]:
    """The local (sharp) and global (flat) minimisers, by Newton's method to rounding."""
    roots = []
    for guess in (0.1, 4.0):
        x = guess
        for _ in range(50):
            x -= float(sharp_flat_gradient(np.array(x)) / sharp_flat_curvature(np.array(x)))
        roots.append(x)
    return roots[0], roots[1]


def gd_final_points(starts: np.ndarray, steps: np.ndarray, iterations: int) -> np.ndarray:
    """Where GD ends on the sharp-flat function, for every (start, step) pair.

    Parameters
    ----------
    starts
        Starting points, shape ``(m,)``.
    steps
        Step sizes, shape ``(s,)``.
    iterations
        Number of GD steps.

    Returns
    -------
    numpy.ndarray
        Final iterates, shape ``(s, m)``; a diverged run holds ``inf`` or ``nan``.
    """
    iterations = check_positive_int("iterations", iterations)
    steps = np.asarray(steps, float)[:, None]
    x = np.broadcast_to(np.asarray(starts, float), (steps.shape[0], len(starts))).copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(iterations):
            x = x - steps * sharp_flat_gradient(x)
    return x
