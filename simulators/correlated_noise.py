r"""The matrix mechanism run as practitioners run it: clipped per-record gradients, cyclic
batches, correlated noise calibrated to the multi-participation sensitivity.

A record takes part in the steps of a :math:`b`-min-separated pattern (cyclic passes over
:math:`b` fixed disjoint batches: steps :math:`t_0, t_0 + b, \dots`). Gradient descent with the
noise filter :math:`\beta` releases :math:`x_t + s(Bw)_t = (B(Cx + sw))_t`,
:math:`C = B^{-1}` (lower-triangular Toeplitz, first column :math:`c`), so it is the Gaussian
mechanism :math:`Cx + sw` followed by post-processing (Denisov et al. 2022 cover adaptively
chosen :math:`x` for lower-triangular :math:`C`). Its L2 sensitivity to adding or removing one
record whose clipped gradients have norm at most G is

.. math::  \Delta = G\max_{\pi}\sup_{\|g_t\|\le 1}\Big\|\sum_{t\in\pi} C e_t g_t^\top\Big\|_F,

the maximum over participation patterns :math:`\pi` with gaps at least b (Choquette-Choo et al.'s
b-min-separated sensitivity). When :math:`c \ge 0` is non-increasing, :math:`C^\top C` is
entrywise non-negative (aligned gradients are worst) and :math:`(C^\top C)_{st}` only decreases
as the later index or the gap grows, so the packed pattern :math:`\{0, b, 2b, \dots\}` dominates
every other one term by term: :func:`participation_sensitivity` computes it exactly, and
:func:`brute_force_sensitivity` enumerates every pattern on small horizons to check that.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np

from . import common
from .dp_noise import inverse_coefficients
from .privacy import PrivacySpent, check_delta, privacy_of_noise


def strategy_column(beta: np.ndarray, horizon: int) -> np.ndarray:
    """The first column of :math:`C = B^{-1}` over ``horizon`` steps (``beta`` zero-padded),
    read-only: a sweep asks for the same filter's column once per run, and the recursion costs
    O(horizon x len(beta)), so each is computed once per process."""
    beta = np.ascontiguousarray(beta, float)
    return _strategy_column(beta.tobytes(), common.check_positive_int("horizon", horizon))


@functools.lru_cache(maxsize=16)
def _strategy_column(beta_bytes: bytes, horizon: int) -> np.ndarray:
    column = inverse_coefficients(np.frombuffer(beta_bytes), horizon)
    column.flags.writeable = False
    return column


def participation_sensitivity(column: np.ndarray, separation: int) -> float:
    r"""Sensitivity (per unit gradient bound) of the lower-triangular Toeplitz strategy with first
    column ``column`` (length = horizon T) when a record takes part at most once every
    ``separation`` steps: :math:`\|\sum_{j} C e_{jb}\|_2` over the packed pattern
    :math:`0, b, 2b, \dots < T`, exact when the column is non-negative and non-increasing (see
    the module docstring); any other column is refused."""
    c = np.asarray(column, float)
    common.check_positive_int("separation", separation)
    if c.ndim != 1 or len(c) == 0:
        raise ValueError("column must be a non-empty vector")
    if np.any(c < 0) or np.any(np.diff(c) > 1e-15 * c[0]):
        raise ValueError("the packed pattern is worst only for a non-negative, decreasing column")
    horizon = len(c)
    total = np.zeros(horizon)
    for start in range(0, horizon, separation):
        total[start:] += c[: horizon - start]
    return float(np.linalg.norm(total))


def brute_force_sensitivity(column: np.ndarray, separation: int) -> float:
    r"""The same sensitivity by enumerating every b-min-separated pattern (aligned gradients:
    the supremum when :math:`C^\top C \ge 0` entrywise). Exponential: horizons up to ~20."""
    c = np.asarray(column, float)
    horizon = len(c)
    if horizon > 24:
        raise ValueError("brute force is for horizons up to 24")
    strategy = np.zeros((horizon, horizon))
    for k in range(horizon):
        strategy[k:, k] = c[: horizon - k]
    gram = strategy.T @ strategy
    best = 0.0
    for size in range(1, horizon // separation + 2):
        for pattern in itertools.combinations(range(horizon), size):
            if size > 1 and min(np.diff(pattern)) < separation:
                continue
            idx = list(pattern)
            best = max(best, float(gram[np.ix_(idx, idx)].sum()))
    return float(np.sqrt(best))


@dataclass
class ClippedRun:
    """One configuration of :func:`clipped_regression`.

    ``values``: shape ``(replicates,)``, the excess risk averaged over the measured steps.
    ``max_gradient_norm``: the largest per-record gradient norm that entered a sum (after
    clipping), measured over every step and replicate; ``max_raw_gradient_norm`` the largest
    before clipping; ``clipped_share`` the share of per-record gradients clipped.
    ``sensitivity``: the L2 sensitivity the accounting used (clip norm times the participation
    sensitivity); ``noise_std`` the noise added to the batch sum; ``privacy`` what it buys.
    """

    values: np.ndarray
    max_gradient_norm: float
    max_raw_gradient_norm: float
    clipped_share: float
    sensitivity: float
    noise_std: float
    batch_size: int
    privacy: PrivacySpent


def clipped_regression(
    eigenvalues: np.ndarray,
    step: float,
    beta: np.ndarray,
    noise_multiplier: float,
    clip_norm: float,
    copies: int,
    separation: int,
    epochs: int,
    burn_in: int,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
    accounted_separation: int | None = None,
    applied_filter: np.ndarray | None = None,
    stepwise: bool = False,
) -> ClippedRun:
    r"""Correlated-noise gradient descent on linear regression with clipped per-record gradients.

    The data: ``separation`` disjoint batches, each holding ``copies`` records of each type
    :math:`x_j = \sqrt{d\lambda_j}\,e_j`, :math:`y_j = x_j^\top\theta^*` (so every batch's
    Hessian is :math:`\mathrm{diag}(\lambda)`); batches are visited cyclically for ``epochs``
    passes (T = epochs x separation steps), so each record takes part every ``separation``
    steps. Step t: per-record gradients :math:`x_j x_j^\top(\theta_t - \theta^*)`, clipped to
    norm ``clip_norm``, summed over the batch, plus :math:`s\sum_\tau\beta_\tau w_{t-\tau}`,
    divided by the batch size B = ``copies`` d; :math:`s` = ``noise_multiplier`` x clip norm x
    :func:`participation_sensitivity` of the strategy over T steps (at
    ``accounted_separation``, default the true one). The noise starts ``len(beta)`` steps before
    the run (stationary from the first step; the extra independent noise only adds privacy).
    Accounting: one Gaussian mechanism with the run's noise and the true sensitivity.
    ``applied_filter`` (default ``beta``) is the filter actually applied to the noise, for runs
    whose noise generator disagrees with the strategy they account for.

    While no gradient is clipped, coordinate j follows the linear recursion
    :math:`e_{t+1} = (1 - \eta\lambda_j) e_t - \eta (s/B) z_{t,j}`, run as one IIR filter per
    coordinate (:func:`scipy.signal.lfilter`); the gradients it implies are then checked against
    the clip norm, and if any would have been clipped the run is redone step by step (as with
    ``stepwise=True``), so the result is the clipped recursion's either way (to rounding).
    """
    from scipy.signal import fftconvolve

    lam = common.check_positive_array("eigenvalues", eigenvalues)
    beta = np.asarray(beta, float)
    common.check_positive("noise_multiplier", noise_multiplier)
    common.check_positive("clip_norm", clip_norm)
    for name, value in (("copies", copies), ("separation", separation), ("epochs", epochs)):
        common.check_positive_int(name, value)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    check_delta(delta)
    d, horizon = len(lam), separation * epochs
    if not 0 <= burn_in < horizon:
        raise ValueError(f"burn_in must lie in [0, {horizon}), got {burn_in}")
    column = strategy_column(beta, horizon)
    true_sensitivity = clip_norm * participation_sensitivity(column, separation)
    used = accounted_separation or separation
    noise_std = noise_multiplier * clip_norm * participation_sensitivity(column, used)
    batch = copies * d
    applied = beta if applied_filter is None else np.asarray(applied_filter, float)
    k = len(applied)
    # coordinate-major, so each coordinate's noise is one contiguous block
    noise = np.empty((d, replicates, horizon))
    for j in range(d):  # one coordinate at a time keeps the white noise small
        white = rng.standard_normal((replicates, horizon + k - 1))
        if k == 1:  # independent noise: no convolution to do
            np.multiply(white, applied[0], out=noise[j])
        else:
            noise[j] = fftconvolve(white, applied[None, :], mode="valid", axes=1)
    scale = d * lam  # per-record gradient of type j: d lambda_j (theta_j - theta*_j) e_j
    if not stepwise:
        linear = _unclipped_run(lam, step, noise_std / batch, noise, burn_in, scale, clip_norm)
        if linear is not None:
            values, max_raw = linear
            privacy = privacy_of_noise(noise_std, true_sensitivity, 1.0, 1, delta)
            return ClippedRun(
                values, max_raw, max_raw, 0.0, true_sensitivity, noise_std, batch, privacy
            )
    error = np.zeros((replicates, d))
    total = np.zeros(replicates)
    max_raw, max_used, clipped_count = 0.0, 0.0, 0
    for t in range(horizon):
        grad = scale * error
        magnitude = np.abs(grad)
        max_raw = max(max_raw, float(magnitude.max()))
        clipped_count += int(np.count_nonzero(magnitude > clip_norm))
        clipped = np.clip(grad, -clip_norm, clip_norm)
        max_used = max(max_used, float(np.abs(clipped).max()))  # each gradient lies on one axis
        error -= step * (copies * clipped + noise_std * noise[:, :, t].T) / batch
        if t >= burn_in:
            total += 0.5 * (lam * error**2).sum(axis=1)
    privacy = privacy_of_noise(noise_std, true_sensitivity, 1.0, 1, delta)
    return ClippedRun(
        values=total / (horizon - burn_in),
        max_gradient_norm=max_used,
        max_raw_gradient_norm=max_raw,
        clipped_share=clipped_count / (horizon * replicates * d),
        sensitivity=true_sensitivity,
        noise_std=noise_std,
        batch_size=batch,
        privacy=privacy,
    )


def _unclipped_run(
    lam: np.ndarray,
    step: float,
    noise_scale: float,
    noise: np.ndarray,
    burn_in: int,
    scale: np.ndarray,
    clip_norm: float,
) -> tuple[np.ndarray, float] | None:
    """The excess risk averaged over ``burn_in <= t < T`` and the largest per-record gradient
    norm, if no gradient reaches past ``clip_norm``; None if one does (the linear recursion is
    then not the clipped one)."""
    from scipy.signal import lfilter

    _, replicates, horizon = noise.shape
    total = np.zeros(replicates)
    largest = 0.0
    for j, lam_j in enumerate(lam):
        # after[:, t] is the error after step t; the gradient at step t uses the one before
        after = lfilter([-step * noise_scale], [1.0, -(1 - step * lam_j)], noise[j], axis=1)
        largest = max(largest, float(scale[j] * np.abs(after[:, : horizon - 1]).max(initial=0.0)))
        if largest > clip_norm:
            return None
        total += 0.5 * lam_j * np.einsum("rt,rt->r", after[:, burn_in:], after[:, burn_in:])
    return total / (horizon - burn_in), largest
