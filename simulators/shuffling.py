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


def balanced_signs(
    components: int, rows: int, rng: np.random.Generator, out: np.ndarray | None = None
) -> np.ndarray:
    """The signs of a uniformly random order of n/2 components with sign +1 and n/2 with -1,
    one order per row, shape (n, rows): component-major, for the step loop.

    Drawn sequentially: the i-th sign is +1 with probability (positives left)/(n - i), the
    law of a uniform random permutation's prefix (hypergeometric), from one uniform per
    entry; two in-place operations per component instead of a Fisher-Yates shuffle per row
    (which cost more than the whole step loop). ``out``: a float64 (n, rows) buffer to fill.
    """
    signs = np.empty((components, rows)) if out is None else out
    rng.random(out=signs)
    # u (n - i) < positives left  <=>  u < positives left / (n - i)
    signs *= np.arange(components, 0, -1)[:, None]
    positives_left = np.full(rows, components / 2)
    for sign in signs:
        np.less(sign, positives_left, out=sign)
        positives_left -= sign
    signs *= 2.0
    signs -= 1.0
    return signs


def _deterministic_final_values(
    order_signs: np.ndarray,
    epochs: int,
    steps: np.ndarray,
    smooth: float,
    strong: float,
    noise: float,
    x0: float,
) -> np.ndarray:
    """One run per step for an order that draws nothing, in Python floats: the same IEEE
    operations, in the same order, as the vectorised loop on one row (so the same values),
    without numpy's per-call cost on arrays of one element."""
    values = []
    signs = order_signs.tolist()
    for step in steps.tolist():
        shrink, kink, push = 1 - step * strong, step * (smooth - strong), step * noise
        kicks = [sign * push for sign in signs]
        x = x0
        for _ in range(epochs):
            for kick in kicks:
                x = x * shrink - min(x, 0.0) * kink - kick
        values.append((smooth if x < 0 else strong) * (x * x) / 2)
    return np.array(values)


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
    # a fixed or sorted order draws nothing: every replicate is the same run, simulated once
    if order in ("fixed", "sorted"):
        values = _deterministic_final_values(
            signs if order == "fixed" else np.sort(signs)[::-1],
            epochs,
            steps,
            smooth,
            strong,
            noise,
            float(x0),
        )
        return np.broadcast_to(values, (replicates, steps.size)).copy()
    x = np.full((replicates, steps.size), float(x0))
    # x - eta (h'(x) + s G) = (1 - eta mu) x - eta (L - mu) min(x, 0) - eta s G: five in-place
    # operations on contiguous rows per component step (the loop is the cost)
    shrink, kink, push = 1 - steps * strong, steps * (smooth - strong), steps * noise
    left = np.empty_like(x)
    draws = np.empty((n, replicates))  # reused every epoch: no fresh pages to fault in
    for _ in range(epochs):
        if order == "reshuffle":
            balanced_signs(n, replicates, rng, out=draws)
        else:
            draws[:] = signs[rng.integers(0, n, (replicates, n))].T
        # component-major (n, rows, s), so each step reads one contiguous block
        if steps.size == 1:
            draws *= push[0]
            kicks = draws[:, :, None]
        else:
            kicks = draws[:, :, None] * push
        for kick in kicks:
            np.minimum(x, 0.0, out=left)
            left *= kink
            x *= shrink
            x -= left
            x -= kick
    return np.where(x < 0, smooth, strong) * x**2 / 2
