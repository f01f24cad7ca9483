r"""Noisy gradient descent on strongly convex instances, for the private ERM rates.

A linear loss plus :math:`(\mu/2)\|\theta\|^2` (whose excess is known in closed form) and the
vector Huber loss plus the same term (non-linear), both run with steps :math:`1/(\mu t)` and
Gaussian noise on the data term's mean gradient. Privacy and the measured per-record
contributions are reported as in :mod:`simulators.dp`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import common
from .dp import GRADIENT_MEAN, DPRun, spent_by_noise
from .dp_sensitivity import Sensitivity
from .privacy import check_delta, privacy_of_noise

# --- linear loss plus a (mu/2)||theta||^2 term: strongly convex ---------------------------------


def unit_records(mean: np.ndarray, n: int) -> np.ndarray:
    """``n`` records of norm exactly 1 whose mean is ``mean``: half ``mean + w``, half
    ``mean - w``, with ``w`` orthogonal to ``mean`` and ``||w||^2 = 1 - ||mean||^2`` (so every
    linear loss ``-<z_i, theta>`` is exactly 1-Lipschitz).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, d)``.
    """
    mean = np.asarray(mean, float)
    if mean.ndim != 1 or len(mean) < 2 or not np.linalg.norm(mean) < 1:
        raise ValueError(f"mean must be a vector of norm < 1 in dimension >= 2, got {mean!r}")
    if n < 2 or n % 2:
        raise ValueError(f"n must be a positive even number, got {n}")
    direction = np.zeros(len(mean))
    direction[np.argmin(np.abs(mean))] = 1.0  # not parallel to mean (d >= 2)
    if np.linalg.norm(mean) > 0:
        unit = mean / np.linalg.norm(mean)
        direction -= (direction @ unit) * unit
    w = direction / np.linalg.norm(direction) * np.sqrt(1 - mean @ mean)
    return np.concatenate([np.tile(mean + w, (n // 2, 1)), np.tile(mean - w, (n // 2, 1))])


def dp_sgd_strongly_convex_linear(
    records: np.ndarray | Sequence[np.ndarray],
    mu: float,
    noise_std: np.ndarray,
    sensitivity: np.ndarray,
    steps: int,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
    common_noise: bool = False,
) -> DPRun:
    r"""Noisy gradient descent with steps :math:`1/(\mu t)` on
    :math:`F(\theta) = -\langle \bar z, \theta\rangle + \frac\mu2 \|\theta\|^2`
    (the average of the linear losses :math:`-\langle z_i, \theta\rangle`, each
    :math:`\|z_i\|`-Lipschitz, plus the regularizer). Only the data term is noised (the
    regularizer's gradient is data-independent). Started at 0.

    Parameters
    ----------
    records
        The data set, ``(n, d)``, shared by every configuration, or one ``(n_k, d_k)`` data set
        per configuration (e.g. one per n or per d of a sweep; a configuration of a smaller
        dimension runs on the first d_k coordinates).
    common_noise
        Every configuration of a replicate adds the same standard normals (its first d_k
        coordinates), scaled by its own noise standard deviation: common random numbers across a
        sweep. The deviation from the optimum is linear in the noise, so the points' Monte Carlo
        errors then cancel in their ratios (exactly, for configurations of one dimension).

    Returns
    -------
    DPRun
        ``values[r, k]``: :math:`F(\theta_T) - F^* = \frac\mu2 \|\theta_T - \bar z/\mu\|^2`;
        ``sensitivity``: record i's gradient is :math:`-z_i` at every step, so the largest
        contribution to the mean is :math:`\max_i\|z_i\|/n`, exactly, for the whole run.
    """
    noise_std, sensitivity = _check_noisy_run(
        mu, noise_std, sensitivity, steps, replicates, rng, delta
    )
    m = len(noise_std)
    data = [records] * m if isinstance(records, np.ndarray) else list(records)
    data = [np.asarray(z, float) for z in data]
    if len(data) != m or any(z.ndim != 2 for z in data):
        raise ValueError("records: one (n, d) array, or one (n_k, d_k) array per configuration")
    dims = np.array([z.shape[1] for z in data])
    width = int(dims.max())
    # each configuration's mean record, zero beyond its dimension (m, width)
    mean_feature = np.zeros((m, width))
    for k, z in enumerate(data):
        mean_feature[k, : dims[k]] = z.mean(axis=0)
    # coordinates beyond a configuration's dimension get no noise and stay at 0
    mask = None if np.all(dims == width) else (np.arange(width) < dims[:, None]).astype(float)
    theta = np.zeros((replicates, m, width))
    s = noise_std[None, :, None] if mask is None else noise_std[None, :, None] * mask
    shape = (replicates, 1, width) if common_noise else theta.shape
    for t in range(1, steps + 1):
        grad = mu * theta - mean_feature + s * rng.standard_normal(shape)
        theta -= grad / (mu * t)
    excess = 0.5 * mu * ((theta - mean_feature / mu) ** 2).sum(axis=-1)
    privacy = [
        privacy_of_noise(sk, dk, 1.0, steps, delta)
        for sk, dk in zip(noise_std, sensitivity, strict=True)
    ]
    measured = [
        Sensitivity(GRADIENT_MEAN, float(dk), float(np.linalg.norm(z, axis=1).max() / len(z)))
        for dk, z in zip(sensitivity, data, strict=True)
    ]
    return DPRun(excess, privacy, measured)


# --- a non-linear strongly convex loss: the vector Huber function plus (mu/2)||theta||^2 ----------


def huber_ridge_risk(data: np.ndarray, mu: float, theta: np.ndarray) -> np.ndarray:
    r""":math:`F(\theta) = \frac1n\sum_i h(\|\theta - z_i\|) + \frac\mu2\|\theta\|^2`, with
    :math:`h(r) = r^2/2` for :math:`r \le 1` and :math:`r - 1/2` beyond: each record's loss is
    1-Lipschitz, curved near the record and linear far from it. ``theta``: ``(..., d)``."""
    r = np.linalg.norm(theta[..., None, :] - data, axis=-1)
    h = np.where(r <= 1, 0.5 * r**2, r - 0.5)
    return h.mean(axis=-1) + 0.5 * mu * (theta**2).sum(axis=-1)


def huber_ridge_gradient(data: np.ndarray, mu: float, theta: np.ndarray) -> np.ndarray:
    """The gradient of :func:`huber_ridge_risk`: the mean of per-record gradients of norm at
    most 1, plus ``mu theta``."""
    return huber_record_gradients(data, theta).mean(axis=-2) + mu * theta


def huber_record_gradients(data: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Each record's gradient of ``h(||theta - z_i||)``, shape ``(..., n, d)``."""
    diff = theta[..., None, :] - data
    r = np.linalg.norm(diff, axis=-1, keepdims=True)
    return diff / np.maximum(1.0, r)


def huber_ridge_minimum(data: np.ndarray, mu: float, iterations: int = 5000) -> np.ndarray:
    """The minimiser of :func:`huber_ridge_risk` by gradient descent with step 1/(1 + mu) (the
    loss is (1 + mu)-smooth and mu-strongly convex: linear convergence to machine precision)."""
    distinct, counts = np.unique(np.asarray(data, float), axis=0, return_counts=True)
    return _huber_minimum(distinct, counts / counts.sum(), mu, iterations)


def _huber_minimum(
    distinct: np.ndarray, weights: np.ndarray, mu: float, iterations: int = 5000
) -> np.ndarray:
    """:func:`huber_ridge_minimum` of the records ``distinct`` with these weights (summing to 1)."""
    theta = np.zeros(distinct.shape[1])
    for _ in range(iterations):
        grad = weights @ huber_record_gradients(distinct, theta) + mu * theta
        updated = theta - grad / (1 + mu)
        if np.array_equal(updated, theta):  # a fixed point in floating point: nothing moves on
            break
        theta = updated
    return theta


def _weighted_huber_ridge_risk(
    distinct: np.ndarray, weights: np.ndarray, mu: float, theta: np.ndarray
) -> np.ndarray:
    """:func:`huber_ridge_risk` of the records ``distinct`` with these weights (summing to 1)."""
    r = np.linalg.norm(theta[..., None, :] - distinct, axis=-1)
    h = np.where(r <= 1, 0.5 * r**2, r - 0.5)
    return h @ weights + 0.5 * mu * (theta**2).sum(axis=-1)


def dp_gd_strongly_convex_huber(
    data: np.ndarray,
    mu: float,
    noise_std: np.ndarray,
    sensitivity: np.ndarray,
    steps: int,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
) -> DPRun:
    r"""Full-batch noisy gradient descent with steps :math:`1/(\mu t)` on
    :func:`huber_ridge_risk`, noise :math:`N(0, s^2 I)` on the data term's mean gradient, from 0.

    Returns
    -------
    DPRun
        ``values[r, k]``: :math:`F(\theta_T) - F^*` per replicate and noise level; ``privacy``:
        ``T`` composed Gaussian steps per configuration, from the noise actually added;
        ``sensitivity``: the largest norm of one record's gradient over every step and
        replicate, divided by n, next to the sensitivity given to the accountant.
    """
    data = np.asarray(data, float)
    if data.ndim != 2:
        raise ValueError(f"data must be an (n, d) array, got shape {data.shape}")
    noise_std, sensitivity = _check_noisy_run(
        mu, noise_std, sensitivity, steps, replicates, rng, delta
    )
    n, d = data.shape
    # Records that repeat contribute the same gradient: each distinct record once, weighted by
    # its count (the same mean gradient, risk and largest contribution, for a fraction of the work)
    distinct, counts = np.unique(data, axis=0, return_counts=True)
    weights = counts / n
    theta = np.zeros((replicates, len(noise_std), d))
    largest = np.zeros(len(noise_std))
    s = noise_std[None, :, None]
    for t in range(1, steps + 1):
        # one pass for the distances: record i's gradient is diff_i / max(1, r_i), of norm
        # min(1, r_i), and their mean is one contraction over the records
        diff = theta[..., None, :] - distinct
        r = np.sqrt(np.einsum("rknd,rknd->rkn", diff, diff))
        largest = np.maximum(largest, np.minimum(r, 1.0).max(axis=(0, 2)))
        data_term = np.einsum("rknd,rkn->rkd", diff, weights / np.maximum(1.0, r))
        grad = data_term + mu * theta + s * rng.standard_normal(theta.shape)
        theta -= grad / (mu * t)
    best = _weighted_huber_ridge_risk(distinct, weights, mu, _huber_minimum(distinct, weights, mu))
    excess = _weighted_huber_ridge_risk(distinct, weights, mu, theta) - best
    privacy = [
        spent_by_noise(sk, dk, 1.0, steps, delta)
        for sk, dk in zip(noise_std, sensitivity, strict=True)
    ]
    measured = [
        Sensitivity(GRADIENT_MEAN, float(dk), float(g / n))
        for dk, g in zip(sensitivity, largest, strict=True)
    ]
    return DPRun(excess, privacy, measured)


def _check_noisy_run(
    mu: float,
    noise_std: Any,
    sensitivity: Any,
    steps: int,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The checks every noisy strongly convex run makes; the noise and sensitivity arrays."""
    common.check_positive("mu", mu)
    noise_std = common.check_positive_array("noise_std", noise_std)
    sensitivity = common.check_positive_array("sensitivity", sensitivity)
    if noise_std.shape != sensitivity.shape:
        raise ValueError("noise_std and sensitivity must have one entry per configuration")
    common.check_positive_int("steps", steps)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    check_delta(delta)
    return noise_std, sensitivity
