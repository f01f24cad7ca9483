r"""Clipped SGD on a location problem: its limit is the root of :math:`E[\mathrm{clip}_\tau(g)]`.

The gradient of the location problem is :math:`g(x, \xi) = x - \xi` with :math:`\xi \sim
\mathrm{Exp}(1)` (mean 1, median :math:`\ln 2`). Clipped SGD,
:math:`x_{t+1} = x_t - \alpha_t\,\mathrm{clip}_\tau(x_t - \xi_t)` with
:math:`\mathrm{clip}_\tau(v) = \max(-\tau, \min(\tau, v))`, is a stochastic approximation of the
root :math:`x_\tau` of :math:`h_\tau(x) = E[\mathrm{clip}_\tau(x - \xi)]`, a Huber location: the
median's root as :math:`\tau \to 0`, the mean's as :math:`\tau \to \infty`. For the exponential
law :math:`h_\tau` has a closed form (``clipped_mean_field``).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from simulators.common import check_generator, check_positive, check_positive_int


def clipped_mean_field(x: np.ndarray | float, tau: float) -> np.ndarray:
    r""":math:`h_\tau(x) = E[\mathrm{clip}_\tau(x - \xi)]`, :math:`\xi \sim \mathrm{Exp}(1)`.

    With :math:`a = (x - \tau)_+`, :math:`b = (x + \tau)_+`: :math:`h = \tau(1 - e^{-a}) +
    (b - x + 1)e^{-b} - (a - x + 1)e^{-a} - \tau e^{-b}` (the middle terms integrate
    :math:`(x - s)e^{-s}` over :math:`[a, b]`).
    """
    tau = check_positive("tau", tau)
    x = np.asarray(x, float)
    a, b = np.maximum(x - tau, 0.0), np.maximum(x + tau, 0.0)
    return (
        tau * (1 - np.exp(-a))
        + (b - x + 1) * np.exp(-b)
        - (a - x + 1) * np.exp(-a)
        - tau * np.exp(-b)
    )


def clipped_root(tau: float) -> float:
    r"""The root :math:`x_\tau` of :math:`h_\tau`, in :math:`(0, 1]` (to 1e-14)."""
    if clipped_mean_field(1.0, tau) == 0:
        return 1.0
    return float(brentq(lambda x: float(clipped_mean_field(x, tau)), 0.0, 1.0, xtol=1e-15))


def clipped_slope(tau: float) -> float:
    r""":math:`h_\tau'(x_\tau) = P(|x_\tau - \xi| < \tau)`, the mean field's slope at the root."""
    root = clipped_root(tau)
    return float(np.exp(-max(root - tau, 0.0)) - np.exp(-(root + tau)))


def clipped_sgd_location(
    tau: float,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    scale: float = 2.0,
    offset: float = 10.0,
    x0: float = 0.0,
) -> np.ndarray:
    r"""Iterates :math:`x_T` of clipped SGD at each horizon, steps :math:`\alpha_t =
    \mathrm{scale}/(t + \mathrm{offset})`, ``t = 0, 1, ...``.

    Parameters
    ----------
    tau
        Clipping threshold (``numpy.inf`` for plain SGD).
    horizons
        Increasing positive ints ``T``.
    replicates
        Independent runs.
    rng
        Source of the exponential draws.
    scale, offset
        The step schedule.
    x0
        Starting point.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, len(horizons))``.
    """
    rng = check_generator(rng)
    replicates = check_positive_int("replicates", replicates)
    horizons = np.asarray(horizons, int)
    if horizons.ndim != 1 or np.any(np.diff(horizons) <= 0) or horizons[0] < 1:
        raise ValueError("horizons must be increasing positive integers")
    x = np.full(replicates, float(x0))
    out = np.empty((replicates, len(horizons)))
    column = 0
    for t in range(int(horizons[-1])):
        gradient = np.clip(x - rng.exponential(1.0, replicates), -tau, tau)
        x -= scale / (t + offset) * gradient
        if t + 1 == horizons[column]:
            out[:, column] = x
            column += 1
    return out
