r"""Differentially private gradient methods and their problem instances.

Every simulator here adds Gaussian noise of a standard deviation the caller chooses and reports
the ``(epsilon, delta)`` that noise actually buys, computed by ``dp_accounting`` through
:mod:`simulators.privacy` (add/remove adjacency; per-record gradients bounded by ``L``, so the
sum over a batch has sensitivity ``L`` and its average over ``n`` records ``L / n``).
Iterates are arrays of shape ``(replicates, configurations, d)``: one run advances several
noise levels or step sizes at once, on common random numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import common
from .privacy import PrivacySpent, check_delta, privacy_of_noise


@dataclass
class DPRun:
    """Result of a DP simulation.

    Parameters
    ----------
    values
        The measured quantity, shape ``(replicates, configurations)``.
    privacy
        One :class:`~simulators.privacy.PrivacySpent` per configuration: what the noise that
        was actually added buys, from ``dp_accounting``.
    """

    values: np.ndarray
    privacy: list[PrivacySpent] = field(default_factory=list)

    def privacy_notes(self, epsilon: float | np.ndarray, delta: float) -> dict:
        """:func:`privacy_notes` of this run's configurations."""
        return privacy_notes(self.privacy, epsilon, delta)


def spent_by_noise(
    noise_std: float, sensitivity: float, sampling_rate: float, steps: int, delta: float
) -> PrivacySpent:
    """:func:`~simulators.privacy.privacy_of_noise`, or an infinite epsilon for a run without
    noise (it releases its gradients: no finite epsilon)."""
    if noise_std == 0:
        return PrivacySpent(math.inf, delta, 0.0, float(sampling_rate), int(steps))
    return privacy_of_noise(noise_std, sensitivity, sampling_rate, steps, delta)


def privacy_notes(
    spent: Sequence[PrivacySpent], epsilon: float | np.ndarray, delta: float
) -> dict[str, list[dict[str, float]]]:
    """What each configuration claims (``epsilon``: one value, or one per configuration) next to
    what it spent, from the noise it actually used: the ledger a claim records in its notes."""
    eps = np.broadcast_to(np.asarray(epsilon, float), (len(spent),))
    return {
        "claimed": [{"epsilon": float(e), "delta": delta} for e in eps],
        "spent": [{"epsilon": p.epsilon, "delta": p.delta} for p in spent],
    }


# --- absolute-deviation loss: a sharp minimum --------------------------------------------------


@dataclass
class AbsoluteLoss:
    r"""Empirical risk :math:`F(\theta) = \frac1n \sum_i \|\theta - z_i\|_1 / \sqrt d`.

    Each record's loss is 1-Lipschitz in the Euclidean norm (its subgradient is a sign vector
    divided by :math:`\sqrt d`). The minimizer is the coordinatewise median, and the excess risk
    grows linearly with the distance to it: a sharp minimum. The data set is described by
    ``values``, shape ``(n,)``: every coordinate of the records runs through these values (the
    columns of the data matrix are permutations of ``values``), so that
    :math:`F(\theta) = \frac{1}{\sqrt d}\sum_j f(\theta_j)` with
    :math:`f(t) = \frac1n \sum_i |t - v_i|`, in any dimension.
    """

    values: np.ndarray
    sorted_values: np.ndarray = field(init=False)
    prefix: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        values = np.asarray(self.values, float)
        if values.ndim != 1 or len(values) < 2 or not np.all(np.isfinite(values)):
            raise ValueError(f"values must be a finite vector of length >= 2, got {values!r}")
        self.values = values
        self.sorted_values = np.sort(values)
        self.prefix = np.concatenate([[0.0], np.cumsum(self.sorted_values)])

    @property
    def n(self) -> int:
        return len(self.values)

    def coordinate_gradient(self, t: np.ndarray) -> np.ndarray:
        """:math:`f'(t)` elementwise: (records below minus records above) / n."""
        below = np.searchsorted(self.sorted_values, t, side="left")
        above = self.n - np.searchsorted(self.sorted_values, t, side="right")
        return (below - above) / self.n

    def coordinate_excess(self, t: np.ndarray) -> np.ndarray:
        r""":math:`f(t) - \min f` elementwise."""
        return self._f(t) - self._f(self.sorted_values[(self.n - 1) // 2])

    def _f(self, t):
        v, s, n = self.sorted_values, self.prefix, self.n
        k = np.searchsorted(v, t)
        return (t * k - s[k] + (s[n] - s[k]) - t * (n - k)) / n


def symmetric_sharp_values(n: int) -> np.ndarray:
    """Half the records at 0, a quarter at +1/2, a quarter at -1/2 (per coordinate).

    The median is 0 and ``f(t) - f* = |t| / 2`` for ``|t| <= 1/2``: in dimension ``d``,
    ``F(theta) - F* = ||theta||_1 / (2 sqrt d)`` near the minimum.
    """
    if n < 4 or n % 4:
        raise ValueError(f"n must be a positive multiple of 4, got {n}")
    return np.concatenate([np.zeros(n // 2), np.full(n // 4, 0.5), np.full(n // 4, -0.5)])


def dp_gd_random_iterate(
    loss: AbsoluteLoss,
    distance: float,
    dims: np.ndarray,
    step: np.ndarray,
    noise_std: np.ndarray,
    sensitivity: np.ndarray,
    steps: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
    every: int = 1,
) -> DPRun:
    r"""Full-batch noisy (sub)gradient descent,
    :math:`\theta_{t+1} = \theta_t - \eta (\nabla F(\theta_t) + \xi_t)`,
    :math:`\xi_t \sim N(0, s^2 I_d)`, output a uniformly random iterate of
    :math:`\theta_0, \dots, \theta_{T-1}`.

    Parameters
    ----------
    loss
        The empirical risk (unconstrained: it is globally Lipschitz).
    distance
        :math:`\|\theta_0 - \theta^*\|`: the start has all coordinates equal to
        ``distance / sqrt(d)`` (the minimizer is 0 for :func:`symmetric_sharp_values`).
    dims, step, noise_std, sensitivity, steps
        Shape ``(m,)``: per configuration, the dimension :math:`d`, the step :math:`\eta`, the
        noise standard deviation :math:`s` on the averaged gradient (0: no noise, an infinite
        epsilon), the sensitivity of that
        average (``L / n``) and the horizon :math:`T` (non-decreasing over configurations: a
        configuration stops when its horizon is reached, the others go on).
    replicates
        Independent runs.
    rng
        Source of the noise.
    delta
        The delta at which the spent epsilon is reported.
    every
        The risk is evaluated every ``every`` steps (the output is then a uniformly random
        iterate among those); 1 evaluates it at every step.

    Returns
    -------
    DPRun
        ``values[r, k]``: expected excess risk of the random-iterate output of run ``r`` in
        configuration ``k``, i.e. the mean of :math:`F(\theta_t) - F^*` over ``t < T_k``
        (``t`` a multiple of ``every``).
    """
    step = common.check_positive_array("step", step)
    noise_std = common.check_positive_array("noise_std", noise_std, allow_zero=True)
    sensitivity = common.check_positive_array("sensitivity", sensitivity)
    horizons = np.atleast_1d(np.asarray(steps))
    dims = np.atleast_1d(np.asarray(dims))
    if not step.shape == noise_std.shape == sensitivity.shape == horizons.shape == dims.shape:
        raise ValueError("dims, step, noise_std, sensitivity, steps: one entry per configuration")
    for name, arr in (("steps", horizons), ("dims", dims)):
        if not np.issubdtype(arr.dtype, np.integer) or arr.min() < 1:
            raise ValueError(f"{name} must be positive integers, got {arr.tolist()}")
    if np.any(np.diff(horizons) < 0):
        raise ValueError(f"steps must be non-decreasing over configurations, got {horizons}")
    common.check_positive_int("replicates", replicates)
    common.check_positive_int("every", every)
    common.check_generator(rng)
    check_delta(delta)
    common.check_positive("distance", distance, allow_zero=True)
    m, width = len(step), int(dims.max())
    # Configurations of smaller dimension use the first d coordinates; the rest stay at 0 and
    # are masked out of the gradient, the noise and the risk.
    mask = (np.arange(width)[None, :] < dims[:, None]).astype(float)[None]
    scale = (1.0 / np.sqrt(dims))[None, :, None]
    theta = np.broadcast_to(distance * scale[0] * mask, (replicates, m, width)).copy()
    total = np.zeros((replicates, m))
    eta, s = step[None, :, None], noise_std[None, :, None]
    first = 0  # configurations before `first` have reached their horizon
    for t in range(int(horizons[-1])):
        while horizons[first] <= t:
            first += 1
        th, mk, sc = theta[:, first:], mask[:, first:], scale[:, first:]
        if t % every == 0:
            total[:, first:] += (loss.coordinate_excess(th) * mk).sum(axis=-1) * sc[..., 0]
        grad = loss.coordinate_gradient(th) * sc + s[:, first:] * rng.standard_normal(th.shape)
        th -= eta[:, first:] * grad * mk
    privacy = [
        spent_by_noise(sk, dk, 1.0, int(tk), delta)
        for sk, dk, tk in zip(noise_std, sensitivity, horizons, strict=True)
    ]
    evaluated = (horizons + every - 1) // every  # t = 0, every, 2 every, ... < T
    return DPRun(total / evaluated, privacy)


# --- linear loss plus a (mu/2)||theta||^2 term: strongly convex ---------------------------------


def dp_sgd_strongly_convex_linear(
    mean_feature: np.ndarray,
    mu: float,
    noise_std: np.ndarray,
    sensitivity: np.ndarray,
    steps: int,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
) -> DPRun:
    r"""Noisy gradient descent with steps :math:`1/(\mu t)` on
    :math:`F(\theta) = -\langle \bar z, \theta\rangle + \frac\mu2 \|\theta\|^2`
    (the average of the 1-Lipschitz linear losses :math:`-\langle z_i, \theta\rangle`,
    :math:`\|z_i\| \le 1`, plus the regularizer). Only the data term is noised (the
    regularizer's gradient is data-independent). Started at 0.

    Returns
    -------
    DPRun
        ``values[r, k]``: :math:`F(\theta_T) - F^* = \frac\mu2 \|\theta_T - \bar z/\mu\|^2`.
    """
    mean_feature = np.asarray(mean_feature, float)
    if mean_feature.ndim != 1:
        raise ValueError(f"mean_feature must be a vector, got shape {mean_feature.shape}")
    noise_std, sensitivity = _check_noisy_run(
        mu, noise_std, sensitivity, steps, replicates, rng, delta
    )
    m, d = len(noise_std), len(mean_feature)
    theta = np.zeros((replicates, m, d))
    s = noise_std[None, :, None]
    for t in range(1, steps + 1):
        grad = mu * theta - mean_feature + s * rng.standard_normal((replicates, m, d))
        theta -= grad / (mu * t)
    excess = 0.5 * mu * ((theta - mean_feature / mu) ** 2).sum(axis=-1)
    privacy = [
        privacy_of_noise(sk, dk, 1.0, steps, delta)
        for sk, dk in zip(noise_std, sensitivity, strict=True)
    ]
    return DPRun(excess, privacy)


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
    diff = theta[..., None, :] - data
    r = np.linalg.norm(diff, axis=-1, keepdims=True)
    per_record = diff / np.maximum(1.0, r)
    return per_record.mean(axis=-2) + mu * theta


def huber_ridge_minimum(data: np.ndarray, mu: float, iterations: int = 5000) -> np.ndarray:
    """The minimiser of :func:`huber_ridge_risk` by gradient descent with step 1/(1 + mu) (the
    loss is (1 + mu)-smooth and mu-strongly convex: linear convergence to machine precision)."""
    theta = np.zeros(data.shape[1])
    for _ in range(iterations):
        theta = theta - huber_ridge_gradient(data, mu, theta) / (1 + mu)
    return theta


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
        ``T`` composed Gaussian steps per configuration, from the noise actually added.
    """
    data = np.asarray(data, float)
    if data.ndim != 2:
        raise ValueError(f"data must be an (n, d) array, got shape {data.shape}")
    noise_std, sensitivity = _check_noisy_run(
        mu, noise_std, sensitivity, steps, replicates, rng, delta
    )
    d = data.shape[1]
    theta = np.zeros((replicates, len(noise_std), d))
    s = noise_std[None, :, None]
    for t in range(1, steps + 1):
        grad = huber_ridge_gradient(data, mu, theta) + s * rng.standard_normal(theta.shape)
        theta -= grad / (mu * t)
    best = huber_ridge_risk(data, mu, huber_ridge_minimum(data, mu))
    excess = huber_ridge_risk(data, mu, theta) - best
    privacy = [
        spent_by_noise(sk, dk, 1.0, steps, delta)
        for sk, dk in zip(noise_std, sensitivity, strict=True)
    ]
    return DPRun(excess, privacy)


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
