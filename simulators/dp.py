r"""Differentially private gradient methods and their problem instances.

Every simulator here adds Gaussian noise of a standard deviation the caller chooses and reports
the ``(epsilon, delta)`` that noise actually buys, computed by ``dp_accounting`` through
:mod:`simulators.privacy` (add/remove adjacency; per-record gradients bounded by ``L``, so the
sum over a batch has sensitivity ``L`` and its average over ``n`` records ``L / n``).
Iterates are arrays of shape ``(replicates, configurations, d)``: one run advances several
noise levels or step sizes at once, on common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

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


def _check_run(steps: int, replicates: int) -> None:
    if not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not isinstance(replicates, int | np.integer) or replicates < 1:
        raise ValueError(f"replicates must be a positive integer, got {replicates!r}")


def _positive(name: str, values: np.ndarray, allow_zero: bool = False) -> np.ndarray:
    values = np.atleast_1d(np.asarray(values, float))
    bad = ~np.isfinite(values) | ((values < 0) if allow_zero else (values <= 0))
    if bad.any():
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be {kind} and finite, got {values[bad].tolist()}")
    return values


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
        noise standard deviation :math:`s` on the averaged gradient, the sensitivity of that
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
    step = _positive("step", step)
    noise_std = _positive("noise_std", noise_std)
    sensitivity = _positive("sensitivity", sensitivity)
    horizons = np.atleast_1d(np.asarray(steps))
    dims = np.atleast_1d(np.asarray(dims))
    if not step.shape == noise_std.shape == sensitivity.shape == horizons.shape == dims.shape:
        raise ValueError("dims, step, noise_std, sensitivity, steps: one entry per configuration")
    for name, arr in (("steps", horizons), ("dims", dims)):
        if not np.issubdtype(arr.dtype, np.integer) or arr.min() < 1:
            raise ValueError(f"{name} must be positive integers, got {arr.tolist()}")
    if np.any(np.diff(horizons) < 0):
        raise ValueError(f"steps must be non-decreasing over configurations, got {horizons}")
    _check_run(int(horizons[0]), replicates)
    _check_run(every, replicates)
    check_delta(delta)
    if not (np.isfinite(distance) and distance >= 0):
        raise ValueError(f"distance must be non-negative and finite, got {distance!r}")
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
        privacy_of_noise(sk, dk, 1.0, int(tk), delta)
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
    if not (np.isfinite(mu) and mu > 0):
        raise ValueError(f"mu must be positive and finite, got {mu!r}")
    noise_std = _positive("noise_std", noise_std)
    sensitivity = _positive("sensitivity", sensitivity)
    if noise_std.shape != sensitivity.shape:
        raise ValueError("noise_std and sensitivity must have one entry per configuration")
    _check_run(steps, replicates)
    check_delta(delta)
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


# --- clipping bias (Koloskova et al.) and error feedback (DiceSGD) ------------------------------


def clip(values: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Clip scalars (elementwise) to ``[-threshold, threshold]``."""
    return np.clip(values, -threshold, threshold)


def clipped_sgd_quadratic(
    clip_norm: np.ndarray,
    step: np.ndarray,
    sigma: float,
    steps: int,
    burn_in: int,
    replicates: int,
    rng: np.random.Generator,
    noise: str = "two_point",
) -> np.ndarray:
    r"""Clipped SGD on :math:`f(x) = x^2/2` with zero-mean gradient noise of variance
    :math:`\sigma^2`: :math:`x_{t+1} = x_t - \eta\,\mathrm{clip}_c(x_t + \xi_t)`, from 0.

    ``noise="two_point"``: :math:`\xi = -2c` with probability p and :math:`+2cp/(1-p)` otherwise,
    :math:`p/(1-p) = \sigma^2/(4c^2)` (Koloskova et al.'s lower-bound noise, skewed: the rare
    large negative value is clipped). ``noise="symmetric"``: :math:`\xi = \pm\sigma`.

    Parameters
    ----------
    clip_norm, step
        Shape ``(m,)``: per configuration, the threshold c and the step :math:`\eta`.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, m)``: the gradient :math:`f'(x) = x` averaged over
        ``burn_in <= t < steps``, sign-flipped so that a bias towards negative x is positive.
    """
    c = _positive("clip_norm", clip_norm)
    eta = _positive("step", step)
    if c.shape != eta.shape:
        raise ValueError("clip_norm and step need one entry per configuration")
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be positive and finite, got {sigma!r}")
    if noise not in ("two_point", "symmetric"):
        raise ValueError(f"noise must be 'two_point' or 'symmetric', got {noise!r}")
    _check_run(steps, replicates)
    if not 0 <= burn_in < steps:
        raise ValueError(f"burn_in must lie in [0, steps), got {burn_in}")
    odds = sigma**2 / (4 * c**2)
    p = odds / (1 + odds)
    x = np.zeros((replicates, len(c)))
    total = np.zeros_like(x)
    for t in range(steps):
        if noise == "two_point":
            rare = rng.random(x.shape) < p
            xi = np.where(rare, -2 * c, 2 * c * odds)
        else:
            xi = sigma * (2.0 * (rng.random(x.shape) < 0.5) - 1.0)
        x -= eta * clip(x + xi, c)
        if t >= burn_in:
            total += x
    return -total / (steps - burn_in)


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
    c2 = _positive("clip_error", clip_error)
    c1 = float(_positive("clip_gradient", clip_gradient)[0])
    float(_positive("step", step)[0])
    if error_update not in ("unclipped", "clipped", "none"):
        raise ValueError(f"error_update must be unclipped, clipped or none; got {error_update!r}")
    _check_run(steps, 1)
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
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    k = np.arange(1, size)
    ratio = (k - 1.5) / k * (1 - nu)  # beta_k / beta_{k-1}
    return np.concatenate([[1.0], np.cumprod(ratio)])


def inverse_coefficients(beta: np.ndarray) -> np.ndarray:
    """First ``len(beta)`` coefficients of the power series ``1 / B(z)`` (the strategy column)."""
    beta = np.asarray(beta, float)
    if beta.ndim != 1 or beta[0] == 0:
        raise ValueError("beta must be a vector with beta[0] != 0")
    c = np.zeros_like(beta)
    c[0] = 1 / beta[0]
    for k in range(1, len(beta)):
        c[k] = -(beta[1 : k + 1] @ c[k - 1 :: -1]) / beta[0]
    return c


def stationary_excess_formula(
    eigenvalues: np.ndarray, step: float, beta: np.ndarray, noise_std: float, grid: int = 2**17
) -> float:
    r"""The stationary excess risk of correlated-noise GD on a quadratic with Hessian
    eigenvalues :math:`\lambda_i`:
    :math:`\frac{\eta^2 s^2}{2}\sum_i \lambda_i \frac{1}{2\pi}\int_{-\pi}^{\pi}
    \frac{|B(e^{i\omega})|^2}{|1 - (1 - \eta\lambda_i)e^{i\omega}|^2}\,d\omega`,
    the integral as a mean over ``grid`` equispaced frequencies (exact for the trigonometric
    numerator, spectrally accurate for the smooth denominator)."""
    lam = _positive("eigenvalues", eigenvalues)
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

    lam = _positive("eigenvalues", eigenvalues)
    beta = np.asarray(beta, float)
    _positive("noise_std", noise_std)
    _check_run(steps, replicates)
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
