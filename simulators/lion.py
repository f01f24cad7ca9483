r"""Lion with decoupled weight decay on quadratics, with optional gradient noise.

The update (Chen et al.'s usual form): :math:`c_t = \beta_1 m_t + (1-\beta_1) g_t`,
:math:`x_{t+1} = x_t - \eta(\mathrm{sign}(c_t) + \lambda x_t)`,
:math:`m_{t+1} = \beta_2 m_t + (1-\beta_2) g_t`. With ``coupled=True`` the decay enters the
gradient instead, :math:`g_t \leftarrow g_t + \lambda x_t` (L2 regularisation under the sign).
"""

from __future__ import annotations

import numpy as np

from simulators.common import check_generator, check_positive, check_positive_int


def lion_quadratic(
    hessian: np.ndarray,
    center: np.ndarray,
    x0: np.ndarray,
    step: float,
    decay: float,
    iterations: int,
    rng: np.random.Generator,
    noise: float = 0.0,
    betas: tuple[float, float] = (0.9, 0.99),
    coupled: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Run Lion on ``f(x) = (x - c)^T A (x - c) / 2`` for every row of ``x0``.

    Parameters
    ----------
    hessian, center
        ``A`` (d, d) and ``c`` (d,) or (replicates, d).
    x0
        Starting points, shape ``(replicates, d)``.
    step, decay
        ``eta`` and the weight decay ``lambda`` (``0`` allowed).
    iterations
        Number of steps.
    rng
        Source of the Gaussian gradient noise (standard deviation ``noise`` per coordinate).
    betas
        ``(beta_1, beta_2)``.
    coupled
        Put the decay inside the sign (the mistake) instead of decoupling it.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``||x_t||_inf`` for t = 0..iterations, shape ``(replicates, iterations + 1)``, and the
        iterates, shape ``(replicates, iterations + 1, d)``.
    """
    rng = check_generator(rng)
    step = check_positive("step", step)
    decay = check_positive("decay", decay, allow_zero=True)
    iterations = check_positive_int("iterations", iterations)
    x = np.array(np.atleast_2d(x0), float)
    momentum = np.zeros_like(x)
    path = np.empty((x.shape[0], iterations + 1, x.shape[1]))
    path[:, 0] = x
    beta1, beta2 = betas
    for t in range(iterations):
        grad = (x - center) @ np.asarray(hessian, float).T
        if noise:
            grad = grad + noise * rng.standard_normal(x.shape)
        if coupled:
            grad = grad + decay * x
        direction = np.sign(beta1 * momentum + (1 - beta1) * grad)
        x = x - step * (direction + (0.0 if coupled else decay) * x)
        momentum = beta2 * momentum + (1 - beta2) * grad
        path[:, t + 1] = x
    return np.abs(path).max(axis=2), path
