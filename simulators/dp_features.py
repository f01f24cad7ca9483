r"""Feature preprocessing for private linear classification (DPSGD and DPSGD-F).

Sun, Suresh and Menon's counterexample (features :math:`\mu e_1 \pm e_2`) and a variant with
outliers where clipping matters, full-batch DP-GD for logistic regression with clipping, and
DPSGD-F's private centring (:mod:`simulators.dp_centring`), whose error scales with the data's
diameter rather than its norm. Vectorized over replicates and configurations, as in
:mod:`simulators.dp`; privacy calibrated and reported through :mod:`simulators.privacy`, and
every noised release's measured per-record contribution reported next to the sensitivity its
noise assumed (:mod:`simulators.dp_sensitivity`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from . import common
from .dp import GRADIENT_MEAN, DPRun
from .dp_centring import (
    centring_events,
    centring_multipliers,
    private_center,
    quantile_center,
)
from .dp_sensitivity import Sensitivity

__all__ = [
    "centring_run",
    "feature_preprocessing_gaps",
    "offset_features",
    "outlier_features",
    "preprocessing_errors",
    "private_center",
]

# --- feature preprocessing for linear classification (Sun, Suresh, Menon) ----------------------


def offset_features(n: int, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Sun et al.'s counterexample: features :math:`\mu e_1 + y e_2`, labels :math:`y = \pm 1`
    (half each), one feature matrix per offset :math:`\mu`.

    Returns
    -------
    features, labels
        Shapes ``(m, n, 2)`` and ``(n,)``.
    """
    offsets = common.check_positive_array("offsets", offsets, allow_zero=True)
    if n < 2 or n % 2:
        raise ValueError(f"n must be a positive even number, got {n}")
    labels = np.repeat([1.0, -1.0], n // 2)
    features = np.zeros((len(offsets), n, 2))
    features[:, :, 0] = offsets[:, None]
    features[:, :, 1] = labels
    return features, labels


def logistic_risk(features: np.ndarray, labels: np.ndarray, theta, bias) -> np.ndarray:
    """Mean logistic loss of the linear model ``x . theta + bias``; batch axes broadcast."""
    margin = labels * (np.einsum("...np,...p->...n", features, theta) + bias[..., None])
    return np.logaddexp(0.0, -margin).mean(axis=-1)


def dp_gd_logistic(
    features: np.ndarray,
    labels: np.ndarray,
    clip_norm: float,
    noise_multiplier: np.ndarray,
    step: float,
    steps: int,
    rng: np.random.Generator,
    radius: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, list[Sensitivity]]:
    r"""Full-batch DP-GD for logistic regression with an intercept: per-record gradients of
    :math:`\log(1 + e^{-y(x\cdot\theta + b)})` in :math:`(\theta, b)` clipped to ``clip_norm``,
    averaged, plus :math:`N(0, (\sigma C/n)^2 I)`; :math:`\theta` projected on the ball of
    ``radius``, b free. Returns the averaged iterate.

    Parameters
    ----------
    features
        Shape ``(R, m, n, p)`` (a feature matrix per replicate and configuration).
    labels
        Shape ``(n,)``, entries +-1.
    noise_multiplier
        Shape ``(m,)``: :math:`\sigma` per configuration.

    Returns
    -------
    theta, bias, sensitivity
        Shapes ``(R, m, p)`` and ``(R, m)``; per configuration, the largest clipped gradient
        norm of one record over every step and replicate, over n, next to ``clip_norm / n``.
    """
    if features.ndim != 4 or features.shape[2] != len(labels):
        raise ValueError(
            f"features must be (R, m, n, p) with n = len(labels), got {features.shape}"
        )
    sigma = common.check_positive_array("noise_multiplier", noise_multiplier)
    reps, m, n, p = features.shape
    if sigma.shape != (m,):
        raise ValueError("noise_multiplier needs one entry per configuration")
    common.check_positive_int("steps", steps)
    common.check_generator(rng)
    augmented = np.concatenate([features, np.ones((reps, m, n, 1))], axis=-1)
    # a record's gradient is slope * (x, 1): its norm is |slope| times the record's norm,
    # which does not change between steps, so the clipping needs no per-step gradient array
    record_norms = np.linalg.norm(augmented, axis=-1)
    w = np.zeros((reps, m, p + 1))
    average = np.zeros_like(w)
    noise_std = sigma * clip_norm / n
    largest = np.zeros(m)
    for _ in range(steps):
        margin = labels * np.einsum("rmnp,rmp->rmn", augmented, w)
        slope = -labels * expit(-margin)  # d loss / d (x.theta + b)
        norms = np.abs(slope) * record_norms
        factor = np.minimum(1.0, clip_norm / np.maximum(norms, 1e-300))
        largest = np.maximum(largest, (norms * factor).max(axis=(0, 2)))
        noise = noise_std[None, :, None] * rng.standard_normal(w.shape)
        g = np.einsum("rmn,rmnp->rmp", slope * factor, augmented) / n + noise
        w -= step * g
        norm = np.linalg.norm(w[..., :p], axis=-1, keepdims=True)
        w[..., :p] /= np.maximum(1.0, norm / radius)
        average += w / steps
    measured = [
        Sensitivity(GRADIENT_MEAN, float(s_k / sigma_k), float(g / n))
        for s_k, sigma_k, g in zip(noise_std, sigma, largest, strict=True)
    ]
    return average[..., :p], average[..., p], measured


def outlier_features(n: int, outliers: int, offsets: np.ndarray, distance: float) -> np.ndarray:
    r"""Sun et al.'s instance (:func:`offset_features`) with its last ``outliers`` records moved
    ``distance`` further along :math:`e_1`: an instance where clipping matters (the spread of
    the deviations exceeds any radius that excludes fewer than ``outliers`` records).

    Returns
    -------
    numpy.ndarray
        Shape ``(m, n, 2)``.
    """
    if not 0 <= outliers < n:
        raise ValueError(f"outliers must be in [0, n), got {outliers}")
    features, _ = offset_features(n, offsets)
    features[:, n - outliers :, 0] += distance
    return features


def preprocessing_errors(
    features: np.ndarray,
    excluded: float,
    multipliers: tuple[float, float, float],
    replicates: int,
    rng: np.random.Generator,
    method: str = "quantile",
    bound: float = 2048.0,
) -> np.ndarray:
    r"""Error :math:`\|\hat m - \bar x\|` of the private centre, shape ``(replicates, m)``.

    ``method="quantile"``: :func:`quantile_center` (bins of 4); ``method="naive_mean"``: the
    mean of the records clipped at the norm bound :math:`R = \max\|x\|` plus
    :math:`N(0, (\sigma_m R/n)^2)`.
    """
    return private_centres(features, excluded, multipliers, replicates, rng, method, bound)[0]


def private_centres(
    features: np.ndarray,
    excluded: float,
    multipliers: tuple[float, float, float],
    replicates: int,
    rng: np.random.Generator,
    method: str = "quantile",
    bound: float = 2048.0,
) -> tuple[np.ndarray, list[list[Sensitivity]]]:
    """:func:`preprocessing_errors`, and per configuration the releases' measured and assumed
    sensitivities."""
    m, n, p = features.shape
    if method == "quantile":
        center, _, sensitivity = quantile_center(
            features, bound, 4.0, excluded, multipliers, replicates, rng
        )
    elif method == "naive_mean":
        # R read off the data stands for a public bound the features are known to satisfy
        record_norms = np.linalg.norm(features, axis=-1)  # (m, n)
        norm_bound = record_norms.max(axis=-1)
        noise_std = multipliers[2] * norm_bound / n
        noise = noise_std[None, :, None] * rng.standard_normal((replicates, m, p))
        clipped = features * np.minimum(1.0, norm_bound[:, None] / record_norms)[..., None]
        center = clipped.mean(axis=1)[None] + noise
        largest = np.linalg.norm(clipped, axis=-1).max(axis=-1) / n
        sensitivity = [
            [Sensitivity("mean", float(s_k / multipliers[2]), float(g))]
            for s_k, g in zip(noise_std, largest, strict=True)
        ]
    else:
        raise ValueError(f"method must be 'quantile' or 'naive_mean', got {method!r}")
    return np.linalg.norm(center - features.mean(axis=1)[None], axis=-1), sensitivity


def centring_run(
    features: np.ndarray,
    epsilon: float,
    delta: float,
    excluded: float,
    replicates: int,
    rng: np.random.Generator,
    method: str = "quantile",
    count_preprocessing: bool = True,
) -> DPRun:
    r"""Errors :math:`\|\hat m - \bar x\|` of DPSGD-F's private centring
    (:func:`preprocessing_errors`), noise calibrated by ``dp_accounting`` to
    ``(epsilon, delta)`` (:func:`centring_multipliers`), with the privacy each configuration
    spent. ``method="naive_mean"`` spends the whole budget on the mean clipped at R.
    """
    from dp_accounting import dp_event

    from .privacy import PrivacySpent, calibrate_noise_multiplier, event_epsilon

    multipliers = centring_multipliers(epsilon, delta, count_preprocessing)
    if method == "naive_mean":
        single = calibrate_noise_multiplier(epsilon, delta, 1.0, 1)
        multipliers = (multipliers[0], multipliers[1], single)
        events: list = [dp_event.GaussianDpEvent(single)]
    else:
        events = centring_events(multipliers)
    errors, sensitivity = private_centres(features, excluded, multipliers, replicates, rng, method)
    spent_epsilon = event_epsilon(dp_event.ComposedDpEvent(events), delta)
    spent = PrivacySpent(spent_epsilon, delta, multipliers[2], 1.0, len(events))
    return DPRun(errors, [spent] * features.shape[0], [e for k in sensitivity for e in k])


def feature_preprocessing_gaps(
    n: int,
    offsets: np.ndarray,
    epsilon: float,
    delta: float,
    replicates: int,
    rng: np.random.Generator,
    method: str = "dpsgd_f",
    steps: int = 200,
    step: float = 0.5,
    clip_norm: float = 1.0,
    histogram_multiplier: float = 10.0,
    mean_multiplier: float = 20.0,
    quantile_multiplier: float = 40.0,
    count_preprocessing: bool = True,
    bias_shift: bool = True,
) -> DPRun:
    r"""Optimality gap of DP-GD (``method="dpsgd"``) or DPSGD-F (private centring, DP-GD on the
    centred features, then the intercept shifted back by :math:`-\theta\cdot\hat m`) on Sun et
    al.'s counterexample, at an ``(epsilon, delta)`` budget. ``method="naive_mean"`` centres on
    the naive private mean, the features clipped at their norm bound R (error ~ R / n).

    The DP-GD noise multiplier is calibrated by ``dp_accounting`` so that the whole pipeline
    (for DPSGD-F: the histogram, the quantile step's counts, the mean and the training run,
    composed) spends the budget;
    ``count_preprocessing=False`` leaves the preprocessing out of the calibration (then the
    pipeline overspends, and the reported privacy says so). ``bias_shift=False`` forgets the
    intercept shift.

    Returns
    -------
    DPRun
        ``values``: :math:`F(\hat\theta, \hat b) - F^*`, shape ``(replicates, m)``, with
        :math:`F^* = \log(1 + e^{-1})` (attained at :math:`\theta = e_2, b = 0` on the unit
        ball); ``privacy``: what each configuration's pipeline spent; ``sensitivity``: per
        configuration, every release's measured and assumed sensitivity (the centring's, then
        the training run's).
    """
    from dp_accounting import dp_event

    from .privacy import PrivacySpent, calibrate_noise_multiplier, dp_sgd_event, event_epsilon

    if method not in ("dpsgd", "dpsgd_f", "naive_mean"):
        raise ValueError(f"method must be 'dpsgd', 'dpsgd_f' or 'naive_mean', got {method!r}")
    features, labels = offset_features(n, offsets)
    m = features.shape[0]
    preceding = []
    if method == "dpsgd_f":
        multipliers = (histogram_multiplier, quantile_multiplier, mean_multiplier)
        preceding = centring_events(multipliers)
    elif method == "naive_mean":
        preceding = [dp_event.GaussianDpEvent(mean_multiplier)]
    calibrated_for = preceding if count_preprocessing else []
    sigma = calibrate_noise_multiplier(epsilon, delta, 1.0, steps, preceding=calibrated_for)
    centring: list[list[Sensitivity]] = [[] for _ in range(m)]
    if method == "dpsgd":
        train = np.broadcast_to(features, (replicates, *features.shape))
        center = None
    elif method == "naive_mean":
        # the naive private mean: features clipped at the public norm bound R (every record's
        # norm, sqrt(mu^2 + 1)), Gaussian noise mean_multiplier R / n: its error grows with R
        radius = np.sqrt(np.asarray(offsets, float) ** 2 + 1)
        noise_std = mean_multiplier * radius / n
        noise = noise_std[None, :, None] * rng.standard_normal((replicates, m, 2))
        record_norms = np.linalg.norm(features, axis=-1)
        clipped = features * np.minimum(1.0, radius[:, None] / record_norms)[..., None]
        center = clipped.mean(axis=1)[None] + noise
        largest = np.linalg.norm(clipped, axis=-1).max(axis=-1) / n
        centring = [
            [Sensitivity("mean", float(s_k / mean_multiplier), float(g))]
            for s_k, g in zip(noise_std, largest, strict=True)
        ]
    else:
        # bins of 4 (>= 2x the diameter 2, so one bin holds the data along each coordinate), a
        # public bound 2048 on the features; the quantile step leaves out up to n/2 records:
        # here every deviation has the same norm, so the count is n or 0, 2.5 sigma away
        center, _, centring = quantile_center(
            features, 2048.0, 4.0, n / 2, multipliers, replicates, rng
        )
    if center is not None:
        train = features[None] - center[:, :, None, :]
    theta, bias, training = dp_gd_logistic(
        train, labels, clip_norm, np.full(m, sigma), step, steps, rng
    )
    if center is not None and bias_shift:
        bias = bias - np.einsum("rmp,rmp->rm", theta, center)
    gaps = logistic_risk(features[None], labels, theta, bias) - np.log1p(np.exp(-1.0))
    event = dp_event.ComposedDpEvent([*preceding, dp_sgd_event(sigma, 1.0, steps)])
    spent = PrivacySpent(event_epsilon(event, delta), delta, sigma, 1.0, steps)
    sensitivity = [e for k in range(m) for e in [*centring[k], training[k]]]
    return DPRun(gaps, [spent] * m, sensitivity)
