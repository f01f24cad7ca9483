r"""Deterministic gradient descent and its classical worst-case instances.

All functions are vectorised over a batch of instances or starting points (leading axis).
"""

from __future__ import annotations

import numpy as np

from . import common
from .common import huber, huber_gradient


def huber_worst_case_gaps(
    horizons: np.ndarray, smoothness: float, distance: float, step: float
) -> np.ndarray:
    r"""Final gaps :math:`f_N(x_N) - f^*` of GD on the Huber family :math:`\tau_N = D/(2N+1)`.

    For each horizon ``N`` the instance is the Huber function with threshold
    :math:`D/(2N+1)`, started at :math:`x_0 = D`; GD runs ``N`` steps of size ``step``. With
    ``step = 1/L`` the iterates stay on the linear branch and the gap is exactly
    :math:`LD^2/(4N+2)`, which makes this family nearly tight for the
    :math:`D^2/(2\gamma N)` bound.

    Parameters
    ----------
    horizons
        Strictly increasing step counts ``N``, shape ``(m,)``.
    smoothness, distance, step
        ``L``, ``D = |x_0 - x^*|`` and the step size ``gamma``.

    Returns
    -------
    numpy.ndarray
        Shape ``(m,)``: the gap of instance ``N`` after ``N`` steps.
    """
    horizons = common.check_horizons(horizons, lowest=1)
    for name, value in (("smoothness", smoothness), ("distance", distance), ("step", step)):
        common.check_positive(name, value)
    threshold = distance / (2 * horizons + 1.0)
    x = np.full(horizons.shape, float(distance))
    gaps = np.empty(horizons.shape)
    done = 0
    for t in range(1, int(horizons.max()) + 1):
        x = x - step * huber_gradient(x, threshold, smoothness)
        while done < len(horizons) and horizons[done] == t:
            gaps[done] = huber(x[done], threshold[done], smoothness)
            done += 1
    return gaps


def diagonal_quadratic_sq_errors(
    eigenvalues: np.ndarray, x0: np.ndarray, step: float, steps: int
) -> np.ndarray:
    r"""Squared distances :math:`\|x_t - x^*\|^2`, t = 0..steps, of GD on
    :math:`f(x) = \frac12 \sum_i \lambda_i x_i^2` (so :math:`x^* = 0`).

    Parameters
    ----------
    eigenvalues
        Shape ``(d,)``: the Hessian's eigenvalues (between mu and L).
    x0
        Starting points, shape ``(replicates, d)``.
    step
        Constant step size.
    steps
        Number of GD steps.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, steps + 1)``.
    """
    x = np.array(x0, dtype=float)
    if x.ndim != 2 or x.shape[1] != np.shape(eigenvalues)[0]:
        raise ValueError(f"x0 must be (replicates, {np.shape(eigenvalues)[0]}), got {x.shape}")
    common.check_positive_int("steps", steps, least=0)
    contraction = 1.0 - step * np.asarray(eigenvalues, float)
    out = np.empty((x.shape[0], steps + 1))
    out[:, 0] = (x**2).sum(axis=1)
    for t in range(1, steps + 1):
        x = contraction * x
        out[:, t] = (x**2).sum(axis=1)
    return out
