r"""DoG (distance over gradients) and constant-step SGD on a noisy scaled l1 distance.

The instance: :math:`f(x) = \|x - x^*\|_1/\sqrt d` on :math:`\mathbb R^d`, :math:`x_0 = 0`,
:math:`x^* = D u` for a fixed unit vector u, so :math:`\|x_0 - x^*\| = D` and :math:`f^* = 0`;
the oracle returns :math:`\mathrm{sign}(x - x^*)/\sqrt d + \sigma \xi`, :math:`\xi` standard
Gaussian (unbiased, and :math:`E\|g\|^2 \le 1 + d\sigma^2`).

DoG (Ivgi, Hinder & Carmon 2023, as in the authors' code ``formll/dog``):
:math:`\eta_t = \bar r_t/\sqrt{\sum_{i \le t}\|g_i\|^2}`,
:math:`\bar r_t = \max(r_\epsilon, \max_{i \le t}\|x_i - x_0\|)`, output the
:math:`\bar r`-weighted average :math:`\bar x_T = \sum_t \bar r_t x_t/\sum_t \bar r_t`.
SGD: a constant step, output the uniform average of the iterates.

Both methods are equivariant under scaling: with :math:`x^* \to s x^*` and the SGD step
:math:`\eta \to s\eta`, the iterates scale by s on the same noise (the subgradient does not
change). DoG's only scale is :math:`r_\epsilon`, so its gap divided by D depends on D only
through :math:`D/r_\epsilon`: that is the dependence the parameter-free claim is about.
"""

from __future__ import annotations

import numpy as np

from simulators.common import (
    check_generator,
    check_positive,
    check_positive_array,
    check_positive_int,
)

METHODS = ("dog", "sgd")


def l1_gap(x: np.ndarray, optimum: np.ndarray) -> np.ndarray:
    r""":math:`f(x) - f^* = \|x - x^*\|_1/\sqrt d` over the last axis."""
    return np.abs(x - optimum).sum(axis=-1) / np.sqrt(x.shape[-1])


def averaged_gaps(
    distances: np.ndarray,
    horizon: int,
    replicates: int,
    rng: np.random.Generator,
    method: str = "dog",
    steps: np.ndarray | None = None,
    dim: int = 10,
    noise: float = 1.0,
    r_epsilon: float = 1e-6,
) -> np.ndarray:
    r"""The averaged iterate's gap :math:`f(\bar x_T) - f^*` at every distance (and step).

    Parameters
    ----------
    distances
        :math:`D = \|x_0 - x^*\|`, shape ``(m,)``; every distance sees the same noise (common
        random numbers), so differences between distances are not sampling noise.
    horizon
        T, the number of stochastic subgradients.
    replicates
        Independent runs.
    rng
        Source of the noise.
    method
        ``"dog"`` (the :math:`\bar r`-weighted average) or ``"sgd"`` (constant steps, the
        uniform average).
    steps
        For ``"sgd"``: absolute constant steps, shape ``(m, s)`` (a grid per distance) or
        ``(s,)`` (the same steps at every distance). Ignored by DoG.
    dim, noise
        d and :math:`\sigma`.
    r_epsilon
        DoG's initial movement :math:`r_\epsilon` (the authors' default
        :math:`10^{-6}(1 + \|x_0\|)` with :math:`x_0 = 0`).

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, m)`` for DoG, ``(replicates, m, s)`` for SGD.
    """
    distances = check_positive_array("distances", distances)
    if distances.ndim != 1:
        raise ValueError("distances must be one-dimensional")
    horizon = check_positive_int("horizon", horizon)
    replicates = check_positive_int("replicates", replicates)
    rng = check_generator(rng)
    dim = check_positive_int("dim", dim)
    noise = check_positive("noise", noise, allow_zero=True)
    r_epsilon = check_positive("r_epsilon", r_epsilon)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    direction = np.ones(dim) / np.sqrt(dim)
    if method == "dog":
        shape: tuple[int, ...] = (replicates, distances.size, dim)
        optimum = distances[:, None] * direction
    else:
        if steps is None:
            raise ValueError("SGD needs steps")
        step_grid = np.broadcast_to(np.asarray(steps, float), (distances.size, np.shape(steps)[-1]))
        if np.any(step_grid <= 0):
            raise ValueError("steps must be positive")
        shape = (replicates, distances.size, step_grid.shape[1], dim)
        optimum = distances[:, None, None] * direction
        eta = step_grid[None, :, :, None]
    x = np.zeros(shape)
    total = np.zeros(shape)
    weight = np.zeros((*shape[:-1], 1))
    r_bar = np.full((*shape[:-1], 1), r_epsilon)
    squares = np.zeros((*shape[:-1], 1))
    scale = 1.0 / np.sqrt(dim)
    # one draw per replicate and iteration, broadcast over distances and steps
    noise_shape = (replicates,) + (1,) * (len(shape) - 2) + (dim,)
    for _ in range(horizon):
        g = np.sign(x - optimum) * scale + noise * rng.standard_normal(noise_shape)
        if method == "dog":
            # weight x_t by r̄_t before stepping: the average is over x_0 .. x_{T-1}
            total += r_bar * x
            weight += r_bar
            squares += (g * g).sum(axis=-1, keepdims=True)
            x = x - r_bar / np.sqrt(squares) * g
            r_bar = np.maximum(r_bar, np.sqrt((x * x).sum(axis=-1, keepdims=True)))
        else:
            total += x
            x = x - eta * g
    average = total / (weight if method == "dog" else horizon)
    return l1_gap(average, optimum)
