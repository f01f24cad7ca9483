r"""Projected SGD on a one-dimensional quadratic with Gaussian noise, sampled at its horizons.

The instance is :math:`F(z) = \tfrac\lambda2 z^2` on :math:`[-r, r]`, the oracle returns
:math:`\lambda z_t + \sigma\zeta_t` with :math:`\zeta_t \sim N(0, 1)`, and the step is
:math:`z_{t+1} = \Pi_{[-r, r]}\big((1 - \eta_t\lambda) z_t - \eta_t\sigma\zeta_t\big)`. Where the
projection does not bind this is a linear Gaussian recursion, so between two horizons
:math:`h < h'` the iterate moves by the exact transition

.. math::  z_{h'} = A z_h + \sqrt V\,\zeta, \qquad A = \prod_{t=h}^{h'-1} a_t, \qquad
           V = \sigma^2 \sum_{t=h}^{h'-1} \eta_t^2 \prod_{s=t+1}^{h'-1} a_s^2, \qquad
           a_t = 1 - \eta_t\lambda,

one draw per replicate and horizon instead of one per step. :func:`quadratic_box_values`
simulates the first steps one at a time, projection included (early, large steps can leave the
box), and uses the transitions from a step the caller names on: the caller argues that the box
no longer binds from there (its probability), since the transitions cannot see it.
"""

from __future__ import annotations

import numpy as np

from . import common


def transition(steps: np.ndarray, curvature: float, sigma: float) -> tuple[float, float]:
    r""":math:`(A, V)` of the unprojected recursion over ``steps`` (see the module).

    Computed in logarithms (:math:`\prod a_s` underflows over long stretches) from the end:
    :math:`\prod_{s > t} a_s^2 = \exp\sum_{s > t}\log a_s^2`.
    """
    factors = 1.0 - np.asarray(steps, dtype=float) * curvature
    with np.errstate(divide="ignore"):  # a factor of exactly 0 forgets everything before it
        log_squares = np.log(factors * factors)
    # after[t] = sum_{s > t} log a_s^2
    after = np.concatenate((np.cumsum(log_squares[::-1])[::-1][1:], [0.0]))
    sign = -1.0 if np.count_nonzero(factors < 0) % 2 else 1.0
    gain = sign * float(np.exp(0.5 * log_squares.sum()))
    variance = sigma**2 * float(np.sum(np.asarray(steps, dtype=float) ** 2 * np.exp(after)))
    return gain, variance


def quadratic_box_values(
    curvature: float,
    radius: float,
    start: float,
    steps: np.ndarray,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    *,
    noise_scale: float,
    exact_from: int,
) -> np.ndarray:
    r""":math:`\tfrac\lambda2 z_{t+1}^2` after ``t`` steps, at ``horizons``.

    Parameters
    ----------
    curvature, radius, start
        :math:`\lambda > 0`, the box's half-width :math:`r > 0`, and :math:`z_1 \in [-r, r]`.
    steps
        :math:`\eta_1, \dots, \eta_T`, positive.
    horizons
        Strictly increasing step counts in ``[1, T]``.
    replicates
        Independent runs.
    rng
        Source of the noise (float64 normals).
    noise_scale
        :math:`\sigma \ge 0`.
    exact_from
        Steps ``1 .. exact_from`` are simulated one at a time with the projection; later ones
        by the exact transitions between horizons, which assume the box no longer binds.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, len(horizons))``.
    """
    common.check_positive("curvature", curvature)
    common.check_positive("radius", radius)
    if not (np.isfinite(start) and abs(start) <= radius):
        raise ValueError(f"start must lie in [-radius, radius], got {start!r}")
    steps = common.check_step_sizes(steps)
    horizons = common.check_horizons(horizons, lowest=1, highest=steps.size)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    sigma = common.check_positive("noise_scale", noise_scale, allow_zero=True)
    common.check_positive_int("exact_from", exact_from, least=0)
    z = np.full(replicates, float(start))
    out = np.empty((replicates, horizons.size))
    record = {int(h): k for k, h in enumerate(horizons)}
    first = min(exact_from, int(horizons[-1]))
    noise = rng.standard_normal((first, replicates))
    for t in range(1, first + 1):
        step = steps[t - 1]
        z -= step * (curvature * z + sigma * noise[t - 1])
        np.maximum(z, -radius, out=z)
        np.minimum(z, radius, out=z)
        if t in record:
            out[:, record[t]] = 0.5 * curvature * z * z
    previous = first
    for k, horizon in enumerate(horizons):
        if horizon <= first:
            continue
        gain, variance = transition(steps[previous:horizon], curvature, sigma)
        z = gain * z + np.sqrt(variance) * rng.standard_normal(replicates)
        out[:, k] = 0.5 * curvature * z * z
        previous = int(horizon)
    return out
