r"""Stochastic gradient descent on finite sums.

Vectorised over independent replicates: iterates are arrays of shape ``(replicates, d)``.
"""

from __future__ import annotations

import numpy as np

from . import common


def sgd_least_squares(
    features: np.ndarray,
    targets: np.ndarray,
    x0: np.ndarray,
    step: float,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    r"""SGD on :math:`f(x) = \frac1n \sum_i \frac12 (a_i^\top x - b_i)^2`, one uniformly
    sampled index per step, constant step size.

    Parameters
    ----------
    features
        Shape ``(n, d)``: the rows :math:`a_i`.
    targets
        Shape ``(n,)``: the :math:`b_i`.
    x0
        Shape ``(d,)``: the common starting point.
    step
        The step size :math:`\gamma`.
    horizons
        Increasing iteration counts at which the iterates are recorded (0 allowed).
    replicates
        Independent runs.
    rng
        Source of the sampled indices.

    Returns
    -------
    numpy.ndarray
        Iterates at the horizons, shape ``(replicates, len(horizons), d)``.
    """
    features = np.asarray(features, float)
    targets = np.asarray(targets, float)
    if features.ndim != 2 or targets.shape != (features.shape[0],):
        raise ValueError(
            f"features must be (n, d) and targets (n,); got {features.shape} and {targets.shape}"
        )
    common.check_positive("step", step)
    horizons = common.check_horizons(horizons, lowest=0)
    replicates = common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    n, d = features.shape
    x = np.broadcast_to(common.check_finite_vector("x0", x0, d), (replicates, d)).copy()
    out = np.empty((replicates, len(horizons), d))
    k = 0
    while k < len(horizons) and horizons[k] == 0:
        out[:, k] = x
        k += 1
    for t in range(1, int(horizons.max()) + 1):
        i = rng.integers(0, n, size=replicates)
        a = features[i]
        residual = np.einsum("rd,rd->r", a, x) - targets[i]
        x -= step * residual[:, None] * a
        while k < len(horizons) and horizons[k] == t:
            out[:, k] = x
            k += 1
    return out
