r"""Clipping bias, error feedback and correlated noise: the noise side of private SGD.

Koloskova et al.'s clipped SGD on a quadratic with skewed noise, DiceSGD's error feedback, and
gradient descent with correlated (matrix-mechanism) noise on linear regression. Vectorized over
replicates and configurations, as in :mod:`simulators.dp`.
"""

from __future__ import annotations

import numpy as np

from . import common
from .dp import DPRun
from .privacy import check_delta, privacy_of_noise

# --- clipping bias (Koloskova et al.) and error feedback (DiceSGD) ------------------------------


def clip(values: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    """Clip scalars (elementwise) to ``[-threshold, threshold]`` (one threshold, or one per
    coordinate)."""
    return np.clip(values, -threshold, threshold)


#: The share of steps on which the symmetric noise is large enough to be clipped.
SYMMETRIC_CLIPPED_SHARE = 0.2


def clipped_sgd_quadratic(
    clip_norm: np.ndarray,
    step: np.ndarray,
    sigma: float,
    steps: int,
    burn_in: int,
    replicates: int,
    rng: np.random.Generator,
    noise: str = "two_point",
    control_variate: bool = False,
) -> np.ndarray:
    r"""Clipped SGD on :math:`f(x) = x^2/2` with zero-mean gradient noise of variance
    :math:`\sigma^2`: :math:`x_{t+1} = x_t - \eta\,\mathrm{clip}_c(x_t + \xi_t)`, from 0.

    ``noise="two_point"``: :math:`\xi = -2c` with probability p and :math:`+2cp/(1-p)` otherwise,
    :math:`p/(1-p) = \sigma^2/(4c^2)` (Koloskova et al.'s lower-bound noise, skewed: the rare
    large negative value is clipped). ``noise="symmetric"``: :math:`\xi = \pm 3c` with
    probability 1/5 (clipped on every such step) and :math:`\pm\sigma` otherwise: symmetric,
    clipped often, and so, by Chen, Wu & Hong's argument, unbiased.

    Parameters
    ----------
    clip_norm, step
        Shape ``(m,)``: per configuration, the threshold c and the step :math:`\eta`.
    control_variate
        Add the martingale control variate of :class:`MartingaleCorrection` (same mean, far
        less variance).

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, m)``: the gradient :math:`f'(x) = x` averaged over
        ``burn_in <= t < steps``, sign-flipped so that a bias towards negative x is positive.
    """
    c = common.check_positive_array("clip_norm", clip_norm)
    eta = common.check_positive_array("step", step)
    if c.shape != eta.shape:
        raise ValueError("clip_norm and step need one entry per configuration")
    common.check_positive("sigma", sigma)
    if noise not in ("two_point", "symmetric"):
        raise ValueError(f"noise must be 'two_point' or 'symmetric', got {noise!r}")
    common.check_positive_int("steps", steps)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    if not 0 <= burn_in < steps:
        raise ValueError(f"burn_in must lie in [0, steps), got {burn_in}")
    odds = sigma**2 / (4 * c**2)
    p = odds / (1 + odds)
    if noise == "two_point":
        atoms, weights = np.stack([-2 * c, 2 * c * odds]), np.stack([p, 1 - p])
    else:
        share = SYMMETRIC_CLIPPED_SHARE
        sizes = np.stack([3 * c, -3 * c, np.full_like(c, sigma), np.full_like(c, -sigma)])
        atoms, weights = sizes, np.array([share / 2, share / 2, (1 - share) / 2, (1 - share) / 2])
        weights = np.broadcast_to(weights[:, None], atoms.shape)
    x = np.zeros((replicates, len(c)))
    total = np.zeros_like(x)
    correction = MartingaleCorrection(atoms, weights, c) if control_variate else None
    for t in range(steps):
        if noise == "two_point":
            rare = rng.random(x.shape) < p
            xi = np.where(rare, -2 * c, 2 * c * odds)
        else:
            # symmetric and clipped: +-sigma, or +-3c (always clipped) one step in five
            size = np.where(rng.random(x.shape) < SYMMETRIC_CLIPPED_SHARE, 3 * c, sigma)
            xi = size * (2.0 * (rng.random(x.shape) < 0.5) - 1.0)
        update = clip(x + xi, c)
        if correction is not None and t >= burn_in:
            correction.add(x, update)
        x -= eta * update
        if t >= burn_in:
            total += x
    if correction is not None:
        total += correction.total()
    return -total / (steps - burn_in)


class MartingaleCorrection:
    r"""A control variate for the time average of clipped SGD on :math:`f(x) = x^2/2`.

    :math:`M_t = \mathrm{clip}_c(x_t + \xi_t) - \mathbb{E}_\xi\,\mathrm{clip}_c(x_t + \xi)`,
    the conditional expectation computed exactly from the noise's atoms, has mean zero at
    every step whatever :math:`x_t`, so adding :math:`\kappa \sum_t M_t` to
    :math:`\sum_t x_{t+1}` keeps the estimate's mean for any fixed :math:`\kappa`. With
    :math:`\kappa = 1/b`, b the probability that the noise is not clipped, it cancels the noise:
    where :math:`\mathbb{E}_\xi\,\mathrm{clip}_c(x + \xi) = a + b x` (near the optimum),
    :math:`e_t = x_t + a/b` obeys :math:`e_{t+1} = (1 - \eta b) e_t - \eta M_t`, and summing over
    the window, :math:`\sum_t e_{t+1} = -\sum_t M_t / b + (1 - \eta b)(e_B - e_T)/(\eta b)`:
    the corrected sum keeps only the boundary term, whose standard deviation is about
    :math:`\sigma_M / (b^{3/2} \sqrt\eta)` instead of the sum's
    :math:`\sigma_M \sqrt{T - B} / b`.

    Parameters
    ----------
    atoms, weights
        Shape ``(k, m)``: the noise's values and their probabilities, per configuration.
    clip_norm
        Shape ``(m,)``: the threshold per configuration.
    """

    def __init__(self, atoms: np.ndarray, weights: np.ndarray, clip_norm: np.ndarray) -> None:
        self.atoms, self.weights, self.clip_norm = atoms, weights, clip_norm
        self.kappa = 1 / np.sum(weights * (np.abs(atoms) < clip_norm), axis=0)
        self.sum: np.ndarray | float = 0.0

    def add(self, x: np.ndarray, update: np.ndarray) -> None:
        """Accumulate :math:`M_t` for iterates ``x`` (replicates, m) and their clipped steps."""
        expected = np.zeros_like(x)
        for value, weight in zip(self.atoms, self.weights, strict=True):
            expected += weight * clip(x + value, self.clip_norm)
        self.sum = self.sum + (update - expected)

    def total(self) -> np.ndarray:
        r""":math:`\kappa \sum_t M_t`, shape (replicates, m)."""
        return self.kappa * self.sum


def asymmetric_noise(
    shift: np.ndarray, clip_norm: float = 1.0, outer_share: float = 0.6
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Zero-mean gradient noise asymmetric by a controlled amount, and its nearest symmetric
    distribution (Chen, Wu & Hong's decomposition :math:`p = \tilde p + (p - \tilde p)`).

    The symmetric part :math:`\tilde p` puts mass :math:`(1-w)/2` on :math:`\pm c/8` (never
    clipped near the optimum) and :math:`w/2` on :math:`\pm 3c` (always clipped), w =
    ``outer_share``. The noise p moves the atom at :math:`+c/8` to :math:`c/8 + D` (inside the
    clipping ball) and the atom at :math:`-3c` outward by :math:`D(1-w)/w` (outside it, the
    same first moment :math:`mD`, :math:`m = (1-w)/2`): the mean stays 0 and the clipped mean
    moves by :math:`mD`.

    Parameters
    ----------
    shift
        Shape ``(k,)``: the displacement D per configuration, in ``[0, c/4]``.

    Returns
    -------
    noise_values, noise_probs, symmetric_values, symmetric_probs
        Shapes ``(k, 4)`` each: the atoms and weights of p and of :math:`\tilde p`.
    """
    shift = common.check_positive_array("shift", shift, allow_zero=True)
    c = common.check_positive("clip_norm", clip_norm)
    if not 0 < outer_share < 1:
        raise ValueError(f"outer_share must lie in (0, 1), got {outer_share!r}")
    if np.any(shift > c / 4):
        raise ValueError("shift must be at most clip_norm / 4 (the moved atom stays unclipped)")
    inner, outer = c / 8, 3 * c
    half_in, half_out = (1 - outer_share) / 2, outer_share / 2
    symmetric = np.array([-outer, -inner, inner, outer])
    probs = np.array([half_out, half_in, half_in, half_out])
    k = len(shift)
    noise = np.tile(symmetric, (k, 1))
    noise[:, 0] -= shift * half_in / half_out
    noise[:, 2] += shift
    return noise, np.tile(probs, (k, 1)), np.tile(symmetric, (k, 1)), np.tile(probs, (k, 1))


def clipped_sgd_discrete_noise(
    values: np.ndarray,
    probs: np.ndarray,
    clip_norm: float,
    step: float,
    steps: int,
    burn_in: int,
    replicates: int,
    rng: np.random.Generator,
    control_variate: bool = False,
) -> np.ndarray:
    r"""Clipped SGD on :math:`f(x) = x^2/2` with i.i.d. gradient noise drawn from a discrete
    distribution per configuration: :math:`x_{t+1} = x_t - \eta\,\mathrm{clip}_c(x_t +
    \xi_t)`, from 0.

    Parameters
    ----------
    values, probs
        Shape ``(m, k)``: the atoms of the noise and their weights, per configuration.
    control_variate
        Add the martingale control variate of :class:`MartingaleCorrection` (same mean, far
        less variance).

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, m)``: :math:`x_t = f'(x_t)` averaged over ``burn_in <= t < steps``
        (signed).
    """
    values = np.asarray(values, float)
    probs = np.asarray(probs, float)
    if values.ndim != 2 or values.shape != probs.shape:
        raise ValueError("values and probs must be (m, k) arrays of the same shape")
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0):
        raise ValueError("each row of probs must be a probability vector")
    c = common.check_positive("clip_norm", clip_norm)
    eta = common.check_positive("step", step)
    common.check_positive_int("steps", steps)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    if not 0 <= burn_in < steps:
        raise ValueError(f"burn_in must lie in [0, steps), got {burn_in}")
    m = len(values)
    cumulative = np.cumsum(probs, axis=1)
    cumulative[:, -1] = 1.0
    rows = np.arange(m)[None, :]
    # one weight vector for every configuration: one sorted search per step instead of k
    # comparisons per draw (the same atom for the same uniform: index = #{cumulative < u})
    shared = bool(np.all(cumulative == cumulative[0]))
    x = np.zeros((replicates, m))
    total = np.zeros_like(x)
    correction = MartingaleCorrection(values.T, probs.T, np.full(m, c)) if control_variate else None
    for t in range(steps):
        u = rng.random(x.shape)
        if shared:
            index = np.searchsorted(cumulative[0], u, side="left")
        else:
            index = (u[..., None] > cumulative[None]).sum(axis=-1)
        update = clip(x + values[rows, index], c)
        if correction is not None and t >= burn_in:
            correction.add(x, update)
        x -= eta * update
        if t >= burn_in:
            total += x
    if correction is not None:
        total += correction.total()
    return total / (steps - burn_in)


def dice_sgd_mean_estimation(
    targets: np.ndarray,
    clip_gradient: float,
    clip_error: np.ndarray,
    step: float,
    steps: int,
    error_update: str = "unclipped",
) -> np.ndarray:
    r"""Full-batch DiceSGD (noise-free) on :math:`f(x) = \frac1n\sum_i (x - a_i)^2/2`:

    .. math::  v_t = \frac1n\sum_i \mathrm{clip}_{C_1}(x_t - a_i) + \mathrm{clip}_{C_2}(e_t),\quad
               x_{t+1} = x_t - \eta v_t,\quad e_{t+1} = e_t + \frac1n\sum_i (x_t - a_i) - v_t.

    ``error_update="clipped"`` feeds back the clipped gradient instead of the true one (then
    ``e`` stays 0 and the method is clipped GD); ``"none"`` drops the feedback term.

    Returns
    -------
    numpy.ndarray
        Shape ``(m,)``: :math:`x_T` for each ``clip_error`` :math:`C_2`.
    """
    a = np.asarray(targets, float)
    if a.ndim != 1 or len(a) < 1 or not np.all(np.isfinite(a)):
        raise ValueError("targets must be a non-empty finite vector")
    c2 = common.check_positive_array("clip_error", clip_error)
    c1 = common.check_positive("clip_gradient", clip_gradient)
    common.check_positive("step", step)
    if error_update not in ("unclipped", "clipped", "none"):
        raise ValueError(f"error_update must be unclipped, clipped or none; got {error_update!r}")
    common.check_positive_int("steps", steps)
    x, e = np.zeros(len(c2)), np.zeros(len(c2))
    for _ in range(steps):
        per_record = x[:, None] - a[None, :]
        clipped = clip(per_record, c1).mean(axis=1)
        feedback = clip(e, c2) if error_update != "none" else 0.0
        v = clipped + feedback
        fed = per_record.mean(axis=1) if error_update == "unclipped" else clipped
        x, e = x - step * v, e + fed - v
    return x


# --- correlated noise (nu-DP-FTRL) on linear regression -----------------------------------------


def nu_ftrl_coefficients(nu: float, size: int) -> np.ndarray:
    r"""Noise coefficients :math:`\beta_\tau = (-1)^\tau\binom{1/2}{\tau}(1-\nu)^\tau` (the power
    series of :math:`\sqrt{1-(1-\nu)z}`), ``size`` of them."""
    if not 0 <= nu < 1:
        raise ValueError(f"nu must lie in [0, 1), got {nu!r}")
    common.check_positive_int("size", size)
    k = np.arange(1, size)
    ratio = (k - 1.5) / k * (1 - nu)  # beta_k / beta_{k-1}
    return np.concatenate([[1.0], np.cumprod(ratio)])


def inverse_coefficients(beta: np.ndarray, size: int | None = None) -> np.ndarray:
    """First ``size`` (default ``len(beta)``) coefficients of the power series ``1 / B(z)`` (the
    strategy column): the impulse response of the all-pole filter ``1 / B``, whose recursion
    ``c_k = -(beta_1 c_{k-1} + ... + beta_k c_0) / beta_0`` scipy runs in C."""
    from scipy.signal import lfilter

    beta = np.asarray(beta, float)
    if beta.ndim != 1 or beta[0] == 0:
        raise ValueError("beta must be a vector with beta[0] != 0")
    impulse = np.zeros(len(beta) if size is None else common.check_positive_int("size", size))
    impulse[0] = 1.0
    return lfilter([1.0], beta, impulse)


def stationary_excess_formula(
    eigenvalues: np.ndarray, step: float, beta: np.ndarray, noise_std: float, grid: int = 2**17
) -> float:
    r"""The stationary excess risk of correlated-noise GD on a quadratic with Hessian
    eigenvalues :math:`\lambda_i`:
    :math:`\frac{\eta^2 s^2}{2}\sum_i \lambda_i \frac{1}{2\pi}\int_{-\pi}^{\pi}
    \frac{|B(e^{i\omega})|^2}{|1 - (1 - \eta\lambda_i)e^{i\omega}|^2}\,d\omega`,
    the integral as a mean over ``grid`` equispaced frequencies (exact for the trigonometric
    numerator, spectrally accurate for the smooth denominator)."""
    lam = common.check_positive_array("eigenvalues", eigenvalues)
    if np.any(np.abs(1 - step * lam) >= 1):
        raise ValueError("step * eigenvalue must lie in (0, 2) for a stationary regime")
    omega = 2 * np.pi * np.arange(grid) / grid
    power = np.abs(np.fft.fft(np.asarray(beta, float), grid)) ** 2
    z = np.exp(1j * omega)
    integral = [np.mean(power / np.abs(1 - (1 - step * li) * z) ** 2) for li in lam]
    return float(0.5 * step**2 * noise_std**2 * np.sum(lam * np.array(integral)))


def correlated_noise_regression(
    eigenvalues: np.ndarray,
    step: float,
    beta: np.ndarray,
    noise_std: float,
    sensitivity: float,
    steps: int,
    burn_in: int,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
) -> DPRun:
    r"""Gradient descent with correlated noise on
    :math:`F(\theta) = \frac12(\theta-\theta^*)^\top H(\theta-\theta^*)`, H diagonal:
    :math:`\theta_{t+1} = \theta_t - \eta(\nabla F(\theta_t) + s\sum_\tau \beta_\tau w_{t-\tau})`,
    :math:`w \sim N(0, I)`. The noise sequence starts ``len(beta)`` steps before the run, so it is
    stationary from the first step.

    The mechanism releases :math:`C x + s w` with :math:`C = B^{-1}`; a record that takes part in
    one step changes :math:`Cx` by at most ``sensitivity`` (its gradient bound times
    :math:`\|c\|_2`), so the run is one Gaussian mechanism with noise multiplier
    ``noise_std / sensitivity``, accounted by ``dp_accounting``.

    Returns
    -------
    DPRun
        ``values`` of shape ``(replicates, 1)``: :math:`F(\theta_t) - F^*` averaged over
        ``burn_in <= t < steps``.
    """
    from scipy.signal import fftconvolve, lfilter

    lam = common.check_positive_array("eigenvalues", eigenvalues)
    beta = np.asarray(beta, float)
    common.check_positive("noise_std", noise_std)
    common.check_positive_int("steps", steps)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    if not 1 <= burn_in < steps:
        raise ValueError(f"burn_in must lie in [1, steps), got {burn_in}")
    check_delta(delta)
    k = len(beta)
    total = np.zeros(replicates)
    for li in lam:
        w = rng.standard_normal((replicates, steps + k - 1))
        z = fftconvolve(w, beta[None, :], mode="valid", axes=1)  # (R, steps)
        # e_{t+1} = (1 - eta lambda) e_t - eta s z_t, e_0 = 0
        e = lfilter([-step * noise_std], [1.0, -(1 - step * li)], z, axis=1)
        total += 0.5 * li * (e[:, burn_in - 1 : steps - 1] ** 2).mean(axis=1)
    privacy = [privacy_of_noise(noise_std, sensitivity, 1.0, 1, delta)]
    return DPRun(total[:, None], privacy)
