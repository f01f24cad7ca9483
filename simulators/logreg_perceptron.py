r"""Logistic regression by GD with large steps, and the batch perceptron it tends to.

Data are rows :math:`a_i` with labels :math:`y_i = \pm 1`, folded into :math:`z_i = y_i a_i`.
LR+GD: :math:`\theta_{t+1} = \theta_t + \frac{\gamma}{n}\sum_i \sigma(-z_i^\top\theta_t) z_i`
(:math:`\sigma` the logistic function), :math:`\theta_0 = 0`; the normalized variant multiplies
the step by :math:`\beta_t = ((1/n)\sum_i \sigma(-z_i^\top\theta_t))^{-1}`. Batch perceptron:
:math:`\hat\theta_1 = \frac{1}{2n}\sum_i z_i`, then :math:`\hat\theta_{t+1} = \hat\theta_t +
\frac1n\sum_{i \in S_t} z_i` with :math:`S_t = \{i : z_i^\top\hat\theta_t \le 0\}`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from simulators.common import check_positive_int


def lr_gd_path(
    signed_features: np.ndarray, steps: np.ndarray, iterations: int, normalized: bool = False
) -> np.ndarray:
    """LR+GD iterates for several step sizes at once.

    Parameters
    ----------
    signed_features
        ``z_i = y_i a_i``, shape ``(n, d)``.
    steps
        Step sizes ``gamma``, shape ``(replicates,)``.
    iterations
        Number of steps.
    normalized
        Normalized LR+GD (Tyurin's Thm 6.1) instead of LR+GD.

    Returns
    -------
    numpy.ndarray
        ``theta_t`` for t = 0..iterations, shape ``(replicates, iterations + 1, d)``.
    """
    iterations = check_positive_int("iterations", iterations)
    z = np.asarray(signed_features, float)
    steps = np.atleast_1d(np.asarray(steps, float))
    theta = np.zeros((len(steps), z.shape[1]))
    path = np.empty((len(steps), iterations + 1, z.shape[1]))
    path[:, 0] = theta
    for t in range(iterations):
        weights = expit(-(theta @ z.T))  # sigma(-z_i^T theta), shape (replicates, n)
        step = steps[:, None]
        if normalized:
            step = step / weights.mean(axis=1, keepdims=True)
        theta = theta + step * (weights @ z) / len(z)
        path[:, t + 1] = theta
    return path


def batch_perceptron_path(
    signed_features: np.ndarray, iterations: int, half_first_step: bool = True
) -> np.ndarray:
    """Batch perceptron iterates ``theta_hat_t``, t = 0..iterations (constant once separated)."""
    iterations = check_positive_int("iterations", iterations)
    z = np.asarray(signed_features, float)
    theta = np.zeros(z.shape[1])
    path = np.empty((iterations + 1, z.shape[1]))
    path[0] = theta
    for t in range(iterations):
        if t == 0 and half_first_step:
            theta = theta + z.sum(axis=0) / (2 * len(z))
        else:
            theta = theta + z[z @ theta <= 0].sum(axis=0) / len(z)
        path[t + 1] = theta
    return path


def iterations_to_separate(
    signed_features: np.ndarray,
    method: str,
    step: float = 1.0,
    max_iterations: int = 100_000,
) -> int:
    """The first t with ``z_i^T theta_t > 0`` for every i (``max_iterations + 1`` if none).

    ``method`` is ``"perceptron"``, ``"normalized_perceptron"`` (step ``(1/|S_t|) sum_{S_t}
    z_i``, no half step), ``"lr_gd"`` or ``"normalized_lr_gd"``.
    """
    z = np.asarray(signed_features, float)
    theta = np.zeros(z.shape[1])
    for t in range(max_iterations + 1):
        margins = z @ theta
        if np.all(margins > 0):
            return t
        if method == "perceptron":
            half = 0.5 if t == 0 else 1.0
            theta = theta + half * z[margins <= 0].sum(axis=0) / len(z)
        elif method == "normalized_perceptron":
            theta = theta + z[margins <= 0].mean(axis=0)
        elif method in ("lr_gd", "normalized_lr_gd"):
            weights = expit(-margins)
            scale = step / weights.mean() if method == "normalized_lr_gd" else step
            theta = theta + scale * (weights @ z) / len(z)
        else:
            raise ValueError(f"unknown method {method!r}")
    return max_iterations + 1


def tyurin_hard_dataset(n: int) -> np.ndarray:
    """Tyurin's Thm 5.1 dataset, signed: ``(0.5, -1) -> +1`` and n - 1 copies of
    ``(-0.5, -1) -> -1``, i.e. ``z = (0.5, -1)`` once and ``(0.5, 1)`` n - 1 times."""
    n = check_positive_int("n", n, least=2)
    return np.vstack([[0.5, -1.0], np.tile([0.5, 1.0], (n - 1, 1))])
