r"""Monte Carlo estimates of the sliced 2-Wasserstein distance, plain and with control variates.

For two empirical measures :math:`\mu, \nu` on :math:`\mathbb{R}^d` with the same number of
atoms, a direction :math:`\theta` uniform on the sphere gives
:math:`Z(\theta) = W_2^2(\theta_\#\mu, \theta_\#\nu)` (sorted projections, matched in order),
and :math:`SW_2^2 = \mathbb{E}_\theta Z(\theta)`. Nguyen & Ho's control variates (definitions
from the authors' public code, khainb/CV-SW) are the closed-form :math:`W_2^2` bounds between
Gaussian fits of the projections:

* lower: :math:`G_L(\theta) = (\theta^\top(m_1 - m_2))^2`, with
  :math:`\mathbb{E} G_L = \|m_1 - m_2\|^2 / d`;
* upper: :math:`G_U = G_L + \theta^\top \Sigma_1 \theta + \theta^\top \Sigma_2 \theta`, with
  :math:`\mathbb{E} G_U = (\|m_1 - m_2\|^2 + \operatorname{tr}\Sigma_1 + \operatorname{tr}
  \Sigma_2)/d`,

and the estimate is :math:`\bar Z - \hat\gamma(\bar G - \mathbb{E} G)`,
:math:`\hat\gamma = \widehat{\operatorname{Cov}}(Z, G)/\widehat{\operatorname{Var}}(G)` from
the same draws.
"""

from __future__ import annotations

import numpy as np

from simulators.common import check_generator, check_positive_int

VARIATES = ("lower", "upper")
#: Projected coordinates held in memory at once by the estimators.
CHUNK = 2_000_000


def random_directions(count: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` directions uniform on the unit sphere of ``R^dim``, shape ``(count, dim)``."""
    theta = rng.standard_normal((count, dim))
    return theta / np.linalg.norm(theta, axis=1, keepdims=True)


def projected_w2(x: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``W_2^2`` between the projections of the empirical measures ``x`` and ``y`` (same
    number of atoms, uniform weights) on each row of ``theta``; shape ``theta.shape[:-1]``."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.shape != y.shape or x.ndim != 2:
        raise ValueError(f"x and y must be (atoms, dim) of one shape, got {x.shape}, {y.shape}")
    flat = theta.reshape(-1, theta.shape[-1])  # one 2-d product: BLAS, not a batched loop
    px = np.sort(flat @ x.T, axis=-1)
    py = np.sort(flat @ y.T, axis=-1)
    return np.mean((px - py) ** 2, axis=-1).reshape(theta.shape[:-1])


def control_variate(
    x: np.ndarray, y: np.ndarray, theta: np.ndarray, variate: str
) -> tuple[np.ndarray, float]:
    """The control variate ``G(theta)`` (``"lower"`` or ``"upper"``) and its exact mean over
    directions uniform on the sphere."""
    if variate not in VARIATES:
        raise ValueError(f"variate must be one of {VARIATES}, got {variate!r}")
    dim = x.shape[1]
    gap = x.mean(axis=0) - y.mean(axis=0)
    g = (theta @ gap) ** 2
    mean = float(gap @ gap) / dim
    if variate == "upper":
        cov_x, cov_y = np.cov(x.T, bias=True), np.cov(y.T, bias=True)
        g = g + np.sum((theta @ (cov_x + cov_y)) * theta, axis=-1)
        mean += float(np.trace(cov_x) + np.trace(cov_y)) / dim
    return g, mean


def sliced_w2_estimates(
    x: np.ndarray,
    y: np.ndarray,
    projections: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    variate: str | None = None,
    mean_factor: float = 1.0,
) -> np.ndarray:
    """Estimates of ``SW_2^2(x, y)`` from the first ``L`` of one stream of directions, for each
    ``L`` in ``projections``, over independent replicates.

    Parameters
    ----------
    x, y
        The two empirical measures, ``(atoms, dim)`` each.
    projections
        Increasing numbers of directions ``L`` (at least 3 with a control variate, which
        estimates its coefficient from the same draws).
    replicates
        Independent streams of directions.
    rng
        The source of randomness.
    variate
        None (plain Monte Carlo), ``"lower"`` or ``"upper"``.
    mean_factor
        Multiplies the control variate's mean (1 is correct; anything else biases the
        estimate, a mistake the checks must catch).

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, len(projections))``.
    """
    replicates = check_positive_int("replicates", replicates)
    rng = check_generator(rng)
    counts = np.asarray(projections)
    if counts.ndim != 1 or np.any(np.diff(counts) <= 0) or counts[0] < (3 if variate else 1):
        raise ValueError(f"projections must be increasing positive counts, got {counts}")
    out = np.empty((replicates, len(counts)))
    rows = max(1, CHUNK // (int(counts[-1]) * x.shape[0]))  # replicates per block of memory
    for start in range(0, replicates, rows):
        stop = min(replicates, start + rows)
        theta = random_directions((stop - start) * int(counts[-1]), x.shape[1], rng)
        theta = theta.reshape(stop - start, int(counts[-1]), x.shape[1])
        out[start:stop] = _estimates(x, y, theta, counts, variate, mean_factor)
    return out


def _estimates(
    x: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray,
    counts: np.ndarray,
    variate: str | None,
    mean_factor: float,
) -> np.ndarray:
    """The estimates of one block of replicates (``theta`` of shape (rows, L_max, dim))."""
    z = projected_w2(x, y, theta)
    if variate is None:
        return np.cumsum(z, axis=1)[:, counts - 1] / counts
    g, g_mean = control_variate(x, y, theta, variate)
    out = np.empty((theta.shape[0], len(counts)))
    for j, count in enumerate(counts):
        zs, gs = z[:, :count], g[:, :count]
        zc = zs - zs.mean(axis=1, keepdims=True)
        gc = gs - gs.mean(axis=1, keepdims=True)
        gamma = (zc * gc).sum(axis=1) / (gc * gc).sum(axis=1)
        out[:, j] = zs.mean(axis=1) - gamma * (gs.mean(axis=1) - mean_factor * g_mean)
    return out


def two_cloud_instance(
    atoms: int, dim: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Two empirical measures of ``atoms`` points in ``R^dim``: an anisotropic Gaussian cloud
    (variances from 0.3 to 3) and a bimodal one (modes at +-1.5 e_1, spread 0.8), shifted by
    0.6 in every coordinate, so the means differ and the projections are far from Gaussian."""
    atoms, dim = check_positive_int("atoms", atoms, 2), check_positive_int("dim", dim, 2)
    rng = check_generator(rng)
    x = rng.standard_normal((atoms, dim)) * np.sqrt(np.linspace(0.3, 3.0, dim))
    modes = np.where(rng.random(atoms) < 0.5, -1.5, 1.5)
    y = 0.8 * rng.standard_normal((atoms, dim)) + 0.6
    y[:, 0] += modes
    return x, y
