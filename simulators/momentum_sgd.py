r"""Stochastic momentum methods on linear regression and finite sums: ASGD, SGD with momentum,
and the Handbook's SGD with momentum.

Where an expectation can be computed exactly (linear dynamics whose first and second moments
close), a ``*_moments`` / ``*_expected_*`` function returns it; the Monte Carlo simulators,
vectorised over replicates, are the reference those are tested against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import common

# --- ASGD on Gaussian linear regression ------------------------------------------------------


@dataclass(frozen=True)
class ASGD:
    r"""ASGD in the four-parameter form of Jain, Kakade, Kidambi, Netrapalli & Sidford (2018):

    .. math::
        u_t = \alpha w_t + (1-\alpha) v_t, \quad w_{t+1} = u_t - \delta \hat g(u_t), \quad
        v_{t+1} = \beta u_t + (1-\beta) v_t - \gamma \hat g(u_t),

    from :math:`w_0 = v_0`. ``alpha = 1`` is SGD with step ``delta`` (``v`` never enters).
    """

    delta: float
    gamma: float
    alpha: float
    beta: float

    def __post_init__(self) -> None:
        common.check_positive("delta", self.delta)
        common.check_positive("gamma", self.gamma)
        if not 0 < self.alpha <= 1:
            raise ValueError(f"alpha must lie in (0, 1], got {self.alpha!r}")
        if not 0 <= self.beta <= 1:
            raise ValueError(f"beta must lie in [0, 1], got {self.beta!r}")


def asgd_moments(
    eigenvalues: np.ndarray,
    e0: np.ndarray,
    steps: int,
    method: ASGD,
    label_noise: float = 0.0,
) -> np.ndarray:
    r"""Exact per-direction risk :math:`\lambda_i \mathbb E[(w_N - w^*)_i^2]` of ASGD.

    Linear regression with Gaussian features :math:`x \sim N(0, H)`, :math:`H` diagonal,
    :math:`y = \langle w^*, x\rangle + \epsilon`, :math:`\mathrm{Var}\,\epsilon = s^2`
    (``label_noise`` is ``s``); one sample per step, stochastic gradient
    :math:`\hat g(u) = x(x^\top u - y)`, the update of :class:`ASGD`. For Gaussian features
    :math:`\mathbb E[x x^\top A x x^\top] = 2HAH + \mathrm{tr}(HA) H`, so the diagonal second
    moments of :math:`(w, v)` evolve in closed form (the off-diagonal ones never feed back):
    this is the expectation itself, not an estimate.

    Returns
    -------
    numpy.ndarray
        Shape ``(steps + 1, d)``: the risk in each eigendirection after ``0..steps`` steps.
    """
    lam = common.check_eigenvalues(eigenvalues)
    e0 = common.check_finite_vector("e0", e0, len(lam))
    common.check_positive_int("steps", steps, least=0)
    common.check_positive("label_noise", label_noise, allow_zero=True)
    delta, gamma, alpha, beta = method.delta, method.gamma, method.alpha, method.beta
    ww, wv, vv = e0**2, e0**2, e0**2  # E w_i^2, E w_i v_i, E v_i^2
    out = np.empty((steps + 1, len(lam)))
    out[0] = lam * ww
    for t in range(1, steps + 1):
        uu = alpha**2 * ww + 2 * alpha * (1 - alpha) * wv + (1 - alpha) ** 2 * vv
        uv = alpha * wv + (1 - alpha) * vv
        gg = 2 * lam**2 * uu + lam * (lam @ uu) + label_noise**2 * lam  # E g_i^2
        pp = (
            beta**2 * uu + 2 * beta * (1 - beta) * uv + (1 - beta) ** 2 * vv
        )  # p = beta u+(1-beta)v
        pg = lam * (beta * uu + (1 - beta) * uv)  # E p_i g_i
        ug = lam * uu
        ww_next = uu - 2 * delta * ug + delta**2 * gg
        vv_next = pp - 2 * gamma * pg + gamma**2 * gg
        wv_next = (beta * uu + (1 - beta) * uv) - gamma * ug - delta * pg + delta * gamma * gg
        ww, wv, vv = ww_next, wv_next, vv_next
        out[t] = lam * ww
    return out


def asgd_linear_regression(
    eigenvalues: np.ndarray,
    e0: np.ndarray,
    steps: int,
    method: ASGD,
    label_noise: float,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    r"""Monte Carlo ASGD (same method and instance as :func:`asgd_moments`).

    Returns
    -------
    numpy.ndarray
        Final errors :math:`w_N - w^*`, shape ``(replicates, d)``.
    """
    lam = common.check_eigenvalues(eigenvalues)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    w = np.broadcast_to(
        common.check_finite_vector("e0", e0, len(lam)), (replicates, len(lam))
    ).copy()
    v = w.copy()
    root = np.sqrt(lam)
    m = method
    for _ in range(steps):
        u = m.alpha * w + (1 - m.alpha) * v
        x = root * rng.standard_normal((replicates, len(lam)))
        residual = np.einsum("rd,rd->r", x, u) - label_noise * rng.standard_normal(replicates)
        g = x * residual[:, None]
        w, v = u - m.delta * g, m.beta * u + (1 - m.beta) * v - m.gamma * g
    return w


# --- SGD with momentum against SGD -----------------------------------------------------------


def sgdm_expected_loss(
    eigenvalues: np.ndarray, x0: np.ndarray, eta: float, beta: float, sigma: float, steps: int
) -> float:
    r"""Exact :math:`\mathbb E f(x_K)` for SGD with momentum on a noisy diagonal quadratic.

    :math:`m_{t+1} = \beta m_t + \nabla f(x_t) + \sigma z_t`, :math:`x_{t+1} = x_t - \eta
    m_{t+1}`, :math:`m_0 = 0`, :math:`z_t \sim N(0, I)`. ``beta = 0`` is SGD with step
    ``eta``. The state :math:`(x_i, m_i)` of each coordinate is linear with additive Gaussian
    noise, so its mean and 2x2 covariance evolve exactly.
    """
    lam = common.check_eigenvalues(eigenvalues)
    x0 = common.check_finite_vector("x0", x0, len(lam))
    common.check_positive("eta", eta)
    common.check_momentum("beta", beta)
    common.check_positive("sigma", sigma, allow_zero=True)
    common.check_positive_int("steps", steps, least=0)
    # (x, m) -> (x - eta (beta m + lam x + sigma z), beta m + lam x + sigma z)
    a = np.zeros((len(lam), 2, 2))
    a[:, 0, 0], a[:, 0, 1] = 1 - eta * lam, -eta * beta
    a[:, 1, 0], a[:, 1, 1] = lam, beta
    b = np.stack([-eta * sigma * np.ones_like(lam), sigma * np.ones_like(lam)], axis=-1)
    mean = np.stack([x0, np.zeros_like(x0)], axis=-1)
    cov = np.zeros((len(lam), 2, 2))
    noise = b[:, :, None] * b[:, None, :]
    for _ in range(steps):
        mean = np.einsum("dij,dj->di", a, mean)
        cov = a @ cov @ a.transpose(0, 2, 1) + noise
    return float(0.5 * (lam * (mean[:, 0] ** 2 + cov[:, 0, 0])).sum())


def sgdm_quadratic(
    eigenvalues: np.ndarray,
    x0: np.ndarray,
    eta: float,
    beta: float,
    sigma: float,
    steps: int,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Monte Carlo version of :func:`sgdm_expected_loss`: final ``f(x_K)``, shape
    ``(replicates,)``."""
    lam = common.check_eigenvalues(eigenvalues)
    common.check_positive("eta", eta)
    common.check_momentum("beta", beta)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    x = np.broadcast_to(
        common.check_finite_vector("x0", x0, len(lam)), (replicates, len(lam))
    ).copy()
    m = np.zeros_like(x)
    for _ in range(steps):
        m = beta * m + lam * x + sigma * rng.standard_normal(x.shape)
        x = x - eta * m
    return 0.5 * (lam * x**2).sum(axis=1)


# --- the Handbook's SGD with momentum --------------------------------------------------------


def handbook_shb_least_squares(
    targets: np.ndarray,
    x0: float,
    eta: float,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    r"""SGD with momentum of the Handbook (Garrigos & Gower, Sec. 7) on
    :math:`f_i(x) = \frac12 (x - b_i)^2`:

    .. math:: m_t = \beta_t m_{t-1} + \nabla f_{i_t}(x_t), \quad x_{t+1} = x_t - \gamma_t m_t,
              \quad \gamma_t = \frac{2\eta}{t+3}, \quad \beta_t = \frac{t}{t+2},

    :math:`m_{-1} = 0`, indices uniform i.i.d.

    Returns
    -------
    numpy.ndarray
        :math:`f(x_t) - f^* = \frac12 (x_t - \bar b)^2` at the horizons, shape
        ``(replicates, len(horizons))``.
    """
    b = np.asarray(targets, float)
    if b.ndim != 1 or len(b) < 2:
        raise ValueError(f"targets must be a 1-d array of at least 2 numbers, got {b}")
    common.check_positive("eta", eta)
    horizons, x, m, out = _start(horizons, replicates, rng, x0)
    k = 0
    for t in range(int(horizons[-1]) + 1):
        while k < len(horizons) and horizons[k] == t:
            out[:, k] = 0.5 * (x - b.mean()) ** 2
            k += 1
        i = rng.integers(0, len(b), size=replicates)
        m = t / (t + 2) * m + (x - b[i])
        x = x - 2 * eta / (t + 3) * m
    return out


def handbook_shb_two_huber(
    shifts: tuple[float, float],
    curvatures: tuple[float, float],
    threshold: float,
    x0: float,
    eta: float,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    r"""The Handbook's SGD with momentum (see :func:`handbook_shb_least_squares`) on two Huber
    functions :math:`f_i(x) = L_i h_\delta(x - b_i)`, :math:`i \in \{1, 2\}` sampled uniformly,
    :math:`h_\delta` the unit-curvature Huber function with threshold :math:`\delta`
    (:func:`simulators.common.huber`).

    Equal shifts and curvatures give one deterministic function (every replicate the same);
    opposite shifts add gradient noise at the minimiser; a zero curvature makes the samples
    interpolate with different smoothness.

    Returns
    -------
    numpy.ndarray
        The iterates :math:`x_t` at the horizons, shape ``(replicates, len(horizons))``.
    """
    b = np.asarray(shifts, float)
    lip = np.asarray(curvatures, float)
    if b.shape != (2,) or lip.shape != (2,) or np.any(lip < 0) or not np.any(lip > 0):
        raise ValueError("shifts and curvatures must be pairs, curvatures >= 0 and not both 0")
    common.check_positive("threshold", threshold)
    common.check_positive("eta", eta)
    horizons, x, m, out = _start(horizons, replicates, rng, x0)
    k = 0
    for t in range(int(horizons[-1]) + 1):
        while k < len(horizons) and horizons[k] == t:
            out[:, k] = x
            k += 1
        i = rng.integers(0, 2, size=replicates)
        m = t / (t + 2) * m + common.huber_gradient(x - b[i], threshold, lip[i])
        x = x - 2 * eta / (t + 3) * m
    return out


def _start(
    horizons: Any, replicates: int, rng: np.random.Generator, x0: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Checked horizons, and the iterate, momentum and output arrays of a 1-D momentum run."""
    horizons = common.check_horizons(horizons, lowest=0)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    x = np.full(replicates, float(x0))
    return horizons, x, np.zeros(replicates), np.empty((replicates, len(horizons)))
