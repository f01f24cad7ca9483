r"""Halpern's iteration for a nonexpansive map, and the maps its tight instances use.

Halpern's iteration anchors every step at the start:
:math:`x_{k+1} = \lambda_k x_0 + (1 - \lambda_k) T x_k` with :math:`\lambda_k = 1/(k+2)`.
The maps act on arrays shaped ``(replicates, d)`` row by row.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulators.common import check_positive_int

Operator = Callable[[np.ndarray], np.ndarray]


def halpern_residuals(operator: Operator, x0: np.ndarray, iterations: int) -> np.ndarray:
    """The fixed-point residuals ``||x_k - T x_k||`` of Halpern's iteration, k = 0..iterations.

    Parameters
    ----------
    operator
        A nonexpansive map acting row-wise on ``(replicates, d)`` arrays.
    x0
        Starting points, shape ``(replicates, d)``.
    iterations
        How many steps to take.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, iterations + 1)``.
    """
    iterations = check_positive_int("iterations", iterations)
    anchor = np.atleast_2d(np.asarray(x0, float))
    x = anchor.copy()
    residuals = np.empty((anchor.shape[0], iterations + 1))
    for k in range(iterations + 1):
        tx = operator(x)
        residuals[:, k] = np.linalg.norm(x - tx, axis=1)
        weight = 1.0 / (k + 2)
        x = weight * anchor + (1 - weight) * tx
    return residuals


def negation(x: np.ndarray) -> np.ndarray:
    """``T(x) = -x``: nonexpansive, fixed point 0; Lieder's tight instance."""
    return -np.asarray(x, float)


def linear_map(matrix: np.ndarray) -> Operator:
    """``T(x) = M x`` (nonexpansive when the spectral norm of ``M`` is at most 1)."""
    matrix = np.asarray(matrix, float)
    return lambda x: np.asarray(x, float) @ matrix.T


def box_reflection(lower: np.ndarray, upper: np.ndarray) -> Operator:
    """``T = 2 P_C - I`` for the box ``C = [lower, upper]``: nonexpansive, ``Fix T = C``."""
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    return lambda x: 2 * np.clip(x, lower, upper) - np.asarray(x, float)


def ball_reflection(center: np.ndarray, radius: float) -> Operator:
    """``T = 2 P_B - I`` for the Euclidean ball ``B(center, radius)``; ``Fix T = B``."""
    center = np.asarray(center, float)

    def reflect(x: np.ndarray) -> np.ndarray:
        offset = np.asarray(x, float) - center
        norm = np.linalg.norm(offset, axis=-1, keepdims=True)
        projected = center + offset * np.minimum(1.0, radius / np.maximum(norm, 1e-300))
        return 2 * projected - x

    return reflect
