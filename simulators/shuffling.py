r"""Shuffling SGD on a one-dimensional piecewise-quadratic finite sum.

:math:`F(x) = \frac1n \sum_i f_i(x)`, :math:`f_i(x) = h(x) + s_i G x`, with
:math:`h(x) = \frac L2 x^2` for :math:`x < 0` and :math:`\frac\mu2 x^2` for :math:`x \ge 0` and
balanced signs :math:`s_i = \pm 1` (n even), so :math:`F = h`, :math:`x^* = 0`, :math:`F^* = 0`.
On a quadratic the component noise averages out faster under reshuffling; the kink in
:math:`h` (curvature L on one side, :math:`\mu` on the other) turns the within-epoch noise into a
drift of the end-of-epoch iterate, the mechanism of the Theta(1/(n K^2)) lower bounds for random
reshuffling.

Orders: ``"reshuffle"`` (a fresh permutation every epoch), ``"replacement"`` (n independent
uniform draws per epoch), ``"fixed"`` (one order for all epochs: incremental gradient, the
signs alternating +, -, +, ...), ``"sorted"`` (one order for all epochs, the n/2 positive signs
first: the incremental-gradient order whose within-epoch excursion grows as n, not sqrt(n)).
"""

from __future__ import annotations

import numpy as np

from simulators.common import check_generator, check_positive, check_positive_int

ORDERS = ("reshuffle", "replacement", "fixed", "sorted")


def piecewise_quadratic_gradient(
    x: np.ndarray, sign: np.ndarray, smooth: float, strong: float, noise: float
) -> np.ndarray:
    r""":math:`\nabla f_i(x) = h'(x) + s_i G`, :math:`h'(x) = L x` for x < 0, :math:`\mu x` else."""
    return np.where(x < 0, smooth, strong) * x + sign * noise


def shuffling_final_values(
    components: int,
    epochs: int,
    steps: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    order: str = "reshuffle",
    smooth: float = 4.0,
    strong: float = 1.0,
    noise: float = 1.0,
    x0: float = 1.0,
) -> np.ndarray:
    r""":math:`F(x_{nK}) - F^*` after K epochs of n component steps, for each constant step.

    Parameters
    ----------
    components
        n, even (balanced signs).
    epochs
        K.
    steps
        Constant steps :math:`\eta`, shape ``(s,)``; every step sees the same component order
        (common random numbers across steps).
    replicates
        Independent runs.
    rng
        Source of the orders.
    order
        One of ``ORDERS``.
    smooth, strong, noise
        L, :math:`\mu` and G.
    x0
        Starting point.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, s)``.
    """
    n = check_positive_int("components", components)
    if n % 2:
        raise ValueError(f"components must be even (balanced signs), got {n}")
    epochs = check_positive_int("epochs", epochs)
    replicates = check_positive_int("replicates", replicates)
    rng = check_generator(rng)
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    smooth, strong = check_positive("smooth", smooth), check_positive("strong", strong)
    noise = check_positive("noise", noise)
    steps = np.asarray(steps, float)
    if steps.ndim != 1 or np.any(steps <= 0):
        raise ValueError("steps must be a 1-D array of positive steps")
    signs = np.tile([1.0, -1.0], n // 2)
    x = np.full((replicates, steps.size), float(x0))
    # x - eta (h'(x) + s G) = (1 - eta c(x)) x - eta s G, c(x) = L left of 0 and mu right of it:
    # four array operations per component step instead of seven (the loop is the cost)
    shrink_left, shrink_right, push = 1 - steps * smooth, 1 - steps * strong, steps * noise
    for _ in range(epochs):
        if order == "reshuffle":
            draws = rng.permuted(np.broadcast_to(signs, (replicates, n)), axis=1)
        elif order == "replacement":
            draws = signs[rng.integers(0, n, (replicates, n))]
        elif order == "fixed":
            draws = np.broadcast_to(signs, (replicates, n))
        else:
            draws = np.broadcast_to(np.sort(signs)[::-1], (replicates, n))
        kicks = draws[:, :, None] * push
        for i in range(n):
            x = np.where(x < 0, shrink_left, shrink_right) * x - kicks[:, i]
    return np.where(x < 0, smooth, strong) * x**2 / 2
