r"""Exact second moments of stochastic heavy ball: no Monte Carlo, the moments' own recursions.

Two settings. On sampled least squares (Gaussian features, noiseless labels: multiplicative
noise) the diagonal second moments of heavy ball close under one linear map
(:func:`shb_least_squares_operator`), whose powers give the exact risk
(:func:`shb_least_squares_risk`, tested against :func:`shb_least_squares_monte_carlo`) and whose
spectral radius, minimised over the step and the momentum, is the best mean-square rate
(:func:`shb_best_rate`). With additive noise on a diagonal quadratic, each eigendirection's 2x2
covariance evolves exactly (:func:`shb_quadratic_variance`, the variance term of
:func:`simulators.momentum.shb_quadratic_risk` under the same step decay).
"""

from __future__ import annotations

import numpy as np

from . import common
from .momentum import step_decay_lengths


def shb_least_squares_operator(
    eigenvalues: np.ndarray, eta: float, beta: float, batch: float
) -> np.ndarray:
    r"""The linear map of the second moments of heavy ball on sampled least squares.

    Features :math:`x \sim N(0, H)`, :math:`H` diagonal, noiseless labels; the stochastic
    gradient at :math:`w` is :math:`\hat H_b w` with :math:`\hat H_b` the mean of ``batch``
    independent :math:`x x^\top` (multiplicative noise). Heavy ball
    :math:`w_{t+1} = (1+\beta) w_t - \beta w_{t-1} - \eta \hat H_b w_t`. For Gaussian features
    :math:`\mathbb E[x x^\top A x x^\top] = 2HAH + \mathrm{tr}(HA) H`, so the diagonal moments
    :math:`(\mathbb E w_i^2, \mathbb E w_i w_{i,-1}, \mathbb E w_{i,-1}^2)` close:
    :math:`\mathbb E(\hat H_b w)_i^2 = (1 + 1/b)\lambda_i^2 \mathbb E w_i^2 + \lambda_i
    \sum_j \lambda_j \mathbb E w_j^2 / b`. ``batch`` may be any positive number (``inf``:
    exact gradients).

    Returns
    -------
    numpy.ndarray
        Shape ``(3d, 3d)``, acting on ``(ww_1, wp_1, pp_1, ..., ww_d, wp_d, pp_d)``.
    """
    lam = common.check_eigenvalues(eigenvalues)
    common.check_positive("eta", eta)
    common.check_momentum("beta", beta)
    common.check_positive("batch", batch)
    return _operators(lam, np.array([eta], float), np.array([beta], float), batch)[0]


def _operators(lam: np.ndarray, eta: np.ndarray, beta: np.ndarray, batch: float) -> np.ndarray:
    """:func:`shb_least_squares_operator` at each pair ``(eta[k], beta[k])`` (checked by the
    caller), shape ``(k, 3d, 3d)``: a grid of maps built and diagonalised in one call."""
    d = len(lam)
    eta, beta = eta[:, None], beta[:, None]  # pairs down, eigenvalues across
    m = np.zeros((len(eta), 3 * d, 3 * d))
    w, p, q = np.arange(d) * 3, np.arange(d) * 3 + 1, np.arange(d) * 3 + 2
    m[:, w, w] = (1 + beta) ** 2 - 2 * eta * (1 + beta) * lam + eta**2 * lam**2
    m[:, w, p] = -2 * beta * (1 + beta) + 2 * eta * beta * lam
    m[:, w, q] = beta**2
    noise = np.diag(lam**2) + np.outer(lam, lam)
    m[:, w[:, None], w[None, :]] += eta[:, :, None] ** 2 * noise / batch
    m[:, p, w] = 1 + beta - eta * lam
    m[:, p, p] = -beta
    m[:, q, w] = 1.0
    return m


def shb_least_squares_risk(
    eigenvalues: np.ndarray,
    e0: np.ndarray,
    eta: float,
    beta: float,
    batch: float,
    steps: int,
) -> np.ndarray:
    r"""Exact :math:`\mathbb E f(w_t) - f^* = \frac12\sum_i \lambda_i \mathbb E w_i^2`,
    ``t = 0..steps``, of heavy ball on sampled least squares from rest at ``e0``
    (:func:`shb_least_squares_operator`)."""
    lam = common.check_eigenvalues(eigenvalues)
    e0 = common.check_finite_vector("e0", e0, len(lam))
    common.check_positive_int("steps", steps, least=0)
    m = shb_least_squares_operator(lam, eta, beta, batch)
    state = np.repeat(e0**2, 3)
    out = np.empty(steps + 1)
    for k in range(steps + 1):
        out[k] = 0.5 * lam @ state[::3]
        state = m @ state
    return out


def shb_least_squares_monte_carlo(
    eigenvalues: np.ndarray,
    e0: np.ndarray,
    eta: float,
    beta: float,
    batch: int,
    steps: int,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Monte Carlo of :func:`shb_least_squares_risk` (the reference it is tested against):
    ``f(w_steps) - f*`` per replicate."""
    lam = common.check_eigenvalues(eigenvalues)
    common.check_positive_int("batch", batch)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    w = np.broadcast_to(common.check_finite_vector("e0", e0, len(lam)), (replicates, len(lam)))
    w, previous = w.copy(), w.copy()
    for _ in range(steps):
        x = np.sqrt(lam) * rng.standard_normal((replicates, batch, len(lam)))
        gradient = np.einsum("rbd,rb->rd", x, np.einsum("rbd,rd->rb", x, w)) / batch
        w, previous = w - eta * gradient + beta * (w - previous), w
    return 0.5 * (lam * w**2).sum(axis=1)


def shb_best_rate(
    eigenvalues: np.ndarray, batch: float, momentum: bool = True
) -> tuple[float, float, float]:
    r"""The fastest mean-square contraction of heavy ball (or SGD, ``momentum=False``) with a
    constant step on sampled least squares: the smallest spectral radius of
    :func:`shb_least_squares_operator` over :math:`\eta > 0`, :math:`0 \le \beta < 1`.

    A log-spaced grid (48 steps in :math:`[10^{-3}, 4]/\lambda_{\max}`, 48 values of
    :math:`1 - \beta` in :math:`[10^{-4}, 1]`), then Nelder-Mead from the grid's best point in
    :math:`(\log\eta, \log(1-\beta))`.

    Returns
    -------
    tuple
        ``(rho, eta, beta)``: the contraction of :math:`\mathbb E f(w_t) - f^*` per step and the
        parameters attaining it.
    """
    from scipy.optimize import minimize

    lam = common.check_eigenvalues(eigenvalues)
    common.check_positive("batch", batch)

    def parameters(z: np.ndarray) -> tuple[float, float]:
        """(eta, beta) at z = (log(eta lambda_max), log(1 - beta))."""
        return float(np.exp(z[0])) / lam.max(), 1 - float(np.exp(z[1])) if momentum else 0.0

    def radii(pairs: list[tuple[float, float]]) -> np.ndarray:
        """Spectral radius at each (eta, beta); 2 (no contraction) outside 0 <= beta < 1."""
        eta, beta = np.array(pairs).T
        inside = (beta >= 0) & (beta < 1)
        out = np.full(len(pairs), 2.0)
        if inside.any():
            maps = _operators(lam, eta[inside], beta[inside], batch)
            out[inside] = np.abs(np.linalg.eigvals(maps)).max(axis=-1)
        return out

    def radius(z: np.ndarray) -> float:
        return float(radii([parameters(z)])[0])

    log_etas = np.log(np.geomspace(1e-3, 4.0, 48))
    log_gaps = np.log(np.geomspace(1e-4, 1.0, 48)) if momentum else np.array([0.0])
    grid = [(a, b) for a in log_etas for b in log_gaps]
    # the whole grid diagonalised in one stacked call; the first minimum in grid order
    start = grid[int(np.argmin(radii([parameters(np.array(z)) for z in grid])))]
    best = minimize(radius, np.array(start), method="Nelder-Mead",
                    options={"xatol": 1e-6, "fatol": 1e-12, "maxiter": 2000})  # fmt: skip
    z = best.x if best.fun <= radius(np.array(start)) else np.array(start)
    return (
        radius(z),
        float(np.exp(z[0])) / lam.max(),
        (1 - float(np.exp(z[1]))) if momentum else 0.0,
    )


def shb_quadratic_variance(
    eigenvalues: np.ndarray,
    horizons: np.ndarray,
    eta0: float,
    beta: float,
    sigma: float,
    decay: bool = True,
) -> np.ndarray:
    r"""Exact final risk of :func:`shb_quadratic_risk` started at the minimiser (the variance
    term): :math:`\mathbb E f(w_T) - f^*` for each budget ``T``.

    With additive noise :math:`n_t = \sigma H^{1/2} z_t` each eigendirection is a linear
    recursion in :math:`(w_t, w_{t-1})` driven by Gaussian noise, so its 2x2 covariance evolves
    exactly: :math:`C \leftarrow A C A^\top + \eta^2\sigma^2\lambda\, e_1 e_1^\top`.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(horizons),)``.
    """
    lam = common.check_eigenvalues(eigenvalues)
    horizons = common.check_horizons(horizons)
    common.check_positive("eta0", eta0)
    common.check_momentum("beta", beta)
    common.check_positive("sigma", sigma)
    n, last = len(horizons), int(horizons[-1])
    steps = np.zeros((n, last))
    for h, budget in enumerate(horizons):
        lengths = step_decay_lengths(int(budget))
        rates = eta0 * 0.5 ** np.arange(len(lengths)) if decay else np.full(len(lengths), eta0)
        steps[h, :budget] = np.repeat(rates, lengths)
    # covariance entries (ww, wp, pp) per budget and eigenvalue
    ww, wp, pp = (np.zeros((n, len(lam))) for _ in range(3))
    for t in range(last):
        eta = steps[:, t][:, None]
        b = np.where(eta > 0, beta, 0.0)  # a finished budget stays where it is
        a = 1 + b - eta * lam  # w' = a w - b p + noise
        ww, wp, pp = (
            a * a * ww - 2 * a * b * wp + b * b * pp + eta**2 * sigma**2 * lam,
            a * ww - b * wp,
            ww,
        )
    return 0.5 * (lam * ww).sum(axis=-1)
