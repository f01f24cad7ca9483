r"""Polyak's step on non-smooth convex functions, and the instances its bound is checked on.

The subgradient method with Polyak's step,
:math:`x_{t+1} = x_t - \frac{f(x_t) - \hat f^*}{\|g_t\|^2}\, g_t`, :math:`g_t \in \partial f(x_t)`,
where :math:`\hat f^*` is the optimal value the method is told (the true :math:`f^*`, or a
misspecified one). An instance is a pair of callables acting on one point: the value and a
subgradient (the oracle's choice among subgradients is part of the instance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulators.common import check_generator, check_positive, check_positive_int


@dataclass(frozen=True)
class Instance:
    """A convex function with a subgradient oracle, its optimal value and a start.

    ``distance`` is :math:`\\mathrm{dist}(x_0, \\arg\\min f)`, the ``D`` of the bounds.
    """

    value: Callable[[np.ndarray], float]
    subgradient: Callable[[np.ndarray], np.ndarray]
    optimum: float
    start: np.ndarray
    distance: float


def max_type_instance(dim: int, lipschitz: float = 1.0, distance: float = 1.0) -> Instance:
    r""":math:`f(x) = G \max(0, x_1, \dots, x_d)` from :math:`x_0 = (D/\sqrt d)(1, \dots, 1)`.

    :math:`\arg\min f` is the non-positive orthant, :math:`f^* = 0`,
    :math:`\mathrm{dist}(x_0, \arg\min f) = D`. The oracle returns :math:`G e_i` for the first
    index of the maximum (Nesterov's resisting oracle for max-type functions): Polyak's step
    then zeroes one coordinate per step, so :math:`f(x_t) - f^* = G D/\sqrt d` for every
    :math:`t < d` and :math:`x_d = 0`.
    """
    dim = check_positive_int("dim", dim)
    lipschitz = check_positive("lipschitz", lipschitz)
    distance = check_positive("distance", distance)

    def value(x: np.ndarray) -> float:
        return lipschitz * max(0.0, float(np.max(x)))

    def subgradient(x: np.ndarray) -> np.ndarray:
        g = np.zeros_like(x)
        if np.max(x) > 0:
            g[int(np.argmax(x))] = lipschitz
        return g

    start = np.full(dim, distance / np.sqrt(dim))
    return Instance(value, subgradient, 0.0, start, distance)


def l1_regression_instance(
    rows: int, dim: int, rng: np.random.Generator, distance: float = 1.0
) -> Instance:
    r""":math:`f(x) = \|Ax - b\|_1` with Gaussian ``A`` and :math:`b = A x^*`: sharp, so Polyak's
    step converges linearly on it (the bound holds with much room)."""
    rng = check_generator(rng)
    matrix = rng.standard_normal((check_positive_int("rows", rows), check_positive_int("dim", dim)))
    direction = rng.standard_normal(dim)
    solution = distance * direction / np.linalg.norm(direction)
    target = matrix @ solution

    def value(x: np.ndarray) -> float:
        return float(np.abs(matrix @ x - target).sum())

    def subgradient(x: np.ndarray) -> np.ndarray:
        return matrix.T @ np.sign(matrix @ x - target)

    # A has full column rank almost surely, so x* is the unique minimiser
    return Instance(value, subgradient, 0.0, np.zeros(dim), distance)


def polyak_run(
    instance: Instance, iterations: int, optimum_offset: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gaps :math:`f(x_t) - f^*` and subgradient norms :math:`\|g_t\|`, ``t = 0..iterations-1``.

    Parameters
    ----------
    instance
        The function, its oracle, :math:`f^*` and :math:`x_0`.
    iterations
        Number of subgradient evaluations ``T``.
    optimum_offset
        The method is told :math:`\hat f^* = f^* + \text{offset}` (0: Polyak's step as stated).

    Returns
    -------
    tuple of numpy.ndarray
        ``(gaps, norms)``, each shape ``(iterations,)``. A zero subgradient (an optimal point)
        stops the method: the remaining entries repeat the last gap and norm 0.
    """
    iterations = check_positive_int("iterations", iterations)
    told = instance.optimum + float(optimum_offset)
    x = np.array(instance.start, float)
    gaps, norms = np.empty(iterations), np.zeros(iterations)
    for t in range(iterations):
        value = instance.value(x)
        gaps[t] = value - instance.optimum
        g = instance.subgradient(x)
        squared = float(g @ g)
        if squared == 0.0:
            gaps[t:] = gaps[t]
            break
        norms[t] = np.sqrt(squared)
        x = x - (value - told) / squared * g
    return gaps, norms


def normalised_best_gaps(
    instance: Instance, horizons: np.ndarray, optimum_offset: float = 0.0
) -> np.ndarray:
    r""":math:`\min_{t<T}(f(x_t) - f^*) / (G_T D)` at each horizon ``T``, with
    :math:`G_T = \max_{t<T}\|g_t\|` (the Lipschitz constant the run needed) and
    :math:`D = \mathrm{dist}(x_0, \arg\min f)`: the classical bound says at most
    :math:`1/\sqrt T`."""
    horizons = np.asarray(horizons, int)
    gaps, norms = polyak_run(instance, int(horizons.max()), optimum_offset)
    best = np.minimum.accumulate(gaps)[horizons - 1]
    lipschitz = np.maximum.accumulate(norms)[horizons - 1]
    return best / (np.where(lipschitz > 0, lipschitz, np.inf) * instance.distance)
