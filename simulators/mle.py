r"""Maximum likelihood in a Gaussian model fitted to data that are not Gaussian.

The model is :math:`\{N(\mu, \sigma^2)\}`, an exponential family with sufficient statistic
:math:`T(x) = (x, x^2)`; its MLE is the sample mean and the (biased) sample variance. Under a
true law :math:`q` outside the model the MLE converges to the information projection
:math:`p^* = N(\mathbb{E}_q x, \operatorname{Var}_q x)`, the model member closest to :math:`q`
in :math:`KL(q \,\|\, \cdot)`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from simulators.common import check_generator, check_positive_int

#: Raw moments E x, E x^2, E x^3, E x^4 of the true laws the simulators draw from.
RAW_MOMENTS = {
    "gaussian": (0.0, 1.0, 0.0, 3.0),  # N(0, 1)
    "laplace": (0.0, 2.0, 0.0, 24.0),  # Laplace(0, 1): E|x|^k = k!
    "exponential": (1.0, 2.0, 6.0, 24.0),  # Exp(1): E x^k = k!
}


def draw(truth: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Samples of the named true law (a key of :data:`RAW_MOMENTS`)."""
    if truth == "gaussian":
        return rng.standard_normal(shape)
    if truth == "laplace":
        return rng.laplace(0.0, 1.0, shape)
    if truth == "exponential":
        return rng.exponential(1.0, shape)
    raise ValueError(f"truth must be one of {sorted(RAW_MOMENTS)}, got {truth!r}")


def statistic_covariance(moments: tuple[float, float, float, float]) -> np.ndarray:
    """Covariance of ``T(x) = (x, x^2)`` from the raw moments ``E x .. E x^4``."""
    m1, m2, m3, m4 = moments
    return np.array([[m2 - m1**2, m3 - m1 * m2], [m3 - m1 * m2, m4 - m2**2]])


def sandwich_constant(truth: str) -> float:
    r"""``tr(J^{-1} I) / 2``: the limit of ``n E KL(p* || p_hat)`` for the Gaussian model.

    ``I`` is the covariance of ``T`` under the truth, ``J`` its covariance under the
    information projection ``p* = N(m, v)`` (the Fisher information of the natural parameter
    at ``p*``). Equals ``p / 2 = 1`` exactly when the truth is Gaussian.
    """
    moments = RAW_MOMENTS[truth]
    m, v = moments[0], moments[1] - moments[0] ** 2
    gaussian = (m, v + m**2, m**3 + 3 * m * v, m**4 + 6 * m**2 * v + 3 * v**2)
    information = statistic_covariance(moments)
    fisher = statistic_covariance(gaussian)
    return float(np.trace(np.linalg.solve(fisher, information)) / 2)


def gaussian_kl(mean0: ArrayLike, var0: ArrayLike, mean1: ArrayLike, var1: ArrayLike) -> Any:
    """``KL(N(mean0, var0) || N(mean1, var1))``, elementwise."""
    mean0, var0, mean1, var1 = (np.asarray(v, float) for v in (mean0, var0, mean1, var1))
    return 0.5 * (np.log(var1 / var0) + (var0 + (mean0 - mean1) ** 2) / var1 - 1.0)


def projection_kl(
    truth: str, n: int, replicates: int, rng: np.random.Generator, chunk: int = 2_000_000
) -> np.ndarray:
    """``KL(p* || p_hat_n)`` for ``replicates`` independent samples of size ``n``.

    Parameters
    ----------
    truth
        The true law: ``"gaussian"``, ``"laplace"`` or ``"exponential"``.
    n
        Sample size (at least 2).
    replicates
        Independent samples.
    rng
        The source of randomness.
    chunk
        Draws held in memory at once.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates,)``.
    """
    n = check_positive_int("n", n, least=2)
    replicates = check_positive_int("replicates", replicates)
    rng = check_generator(rng)
    moments = RAW_MOMENTS.get(truth)
    if moments is None:
        raise ValueError(f"truth must be one of {sorted(RAW_MOMENTS)}, got {truth!r}")
    mean_star, var_star = moments[0], moments[1] - moments[0] ** 2
    out = np.empty(replicates)
    rows = max(1, chunk // n)
    for start in range(0, replicates, rows):
        stop = min(replicates, start + rows)
        mean_hat, var_hat = sample_mean_and_variance(truth, n, stop - start, rng)
        out[start:stop] = gaussian_kl(mean_star, var_star, mean_hat, var_hat)
    return out


def sample_mean_and_variance(
    truth: str, n: int, rows: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The Gaussian model's MLE (sample mean, variance dividing by n) of ``rows`` samples of
    size ``n`` from the named true law, each of shape ``(rows,)``.

    Drawn the cheapest exact way: for a Gaussian truth from the sufficient statistics'
    distribution (the mean ``N(0, 1/n)`` and ``n`` times the variance ``chi2(n - 1)``,
    independent); for Laplace(0, 1) as exponential magnitudes with random signs (numpy's
    exponential sampler is several times faster than its Laplace one); the moments as a sum
    and a dot product (a single pass each, where ``var`` makes three).
    """
    if truth == "gaussian":
        return rng.standard_normal(rows) / np.sqrt(n), rng.chisquare(n - 1, rows) / n
    if truth not in ("laplace", "exponential"):
        raise ValueError(f"truth must be one of {sorted(RAW_MOMENTS)}, got {truth!r}")
    x = rng.standard_exponential((rows, n))
    total = x.sum(axis=1)
    if truth == "laplace":
        # the negative draws' sum as a dot product with their indicator (masked numpy
        # operations cost ten times more)
        negative = np.unpackbits(rng.integers(0, 256, (rows, -(-n // 8)), np.uint8), 1, n)
        total -= 2 * np.einsum("ij,ij->i", x, negative.astype(x.dtype))
    mean = total / n
    return mean, np.einsum("ij,ij->i", x, x) / n - mean**2
