r"""Least squares on points from the projection DPP of a Legendre space, by quadrature and sampling.

:math:`V_m` is spanned by the orthonormal Legendre polynomials
:math:`\varphi_j = \sqrt{2j+1}\,P_j` (:math:`j < m`) in :math:`L^2(\mu)`, :math:`\mu = dx/2` on
:math:`[-1, 1]`. The projection DPP with kernel :math:`K_m(x, y) = \sum_{j<m}
\varphi_j(x)\varphi_j(y)` draws exactly :math:`m` points with (unordered) density
:math:`\det\Phi(x)^2 / m!` with respect to :math:`\mu^{\otimes m}`, where
:math:`\Phi_{ij} = \varphi_j(x_i)`. On :math:`n = m` points least squares is interpolation:
:math:`\hat f = \sum_j \hat c_j \varphi_j` with :math:`\Phi \hat c = f(x)`, whatever the weights.

Writing :math:`f = P_m f + r` (:math:`r \perp V_m`), :math:`\|f - \hat f\|^2 = \|r\|^2 +
\|\Phi^{-1} r(x)\|^2` (Parseval), and :math:`\det\Phi^2 \|\Phi^{-1} r\|^2 =
\|\operatorname{adj}\Phi\, r\|^2` is a smooth integrand: the DPP expectation is

.. math::  \mathbb{E}\|f - \hat f\|^2 = \|r\|^2 + \frac{1}{m!}\int
           \|\operatorname{adj}\Phi(x)\, r(x)\|^2 \, d\mu^{\otimes m}(x),

computed here by tensor Gauss-Legendre quadrature (Cramer's rule for the adjugate, so the
coincident nodes of the tensor grid need no special case).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.polynomial import legendre

from simulators.common import check_generator, check_positive_int

Function = Callable[[np.ndarray], np.ndarray]
SAMPLINGS = ("dpp", "iid")
#: Gauss-Legendre nodes for one-dimensional integrals (coefficients, best error): exact for
#: polynomials of degree 399, so an entire f is integrated to rounding.
LINE_NODES = 200
#: Tensor-grid points evaluated at once by the quadrature (bounds memory to ~100 MB).
CHUNK = 200_000


def features(x: np.ndarray, m: int) -> np.ndarray:
    """``phi_j(x) = sqrt(2j + 1) P_j(x)`` for ``j < m``: shape ``x.shape + (m,)``."""
    m = check_positive_int("m", m)
    x = np.asarray(x, float)
    values = legendre.legvander(x, m - 1)
    return values * np.sqrt(2 * np.arange(m) + 1.0)


def gauss_nodes(count: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights for ``mu = dx/2`` on ``[-1, 1]`` (weights sum to 1)."""
    nodes, weights = legendre.leggauss(check_positive_int("count", count))
    return nodes, weights / 2


def projection(f: Function, m: int) -> tuple[np.ndarray, float]:
    """The coefficients of ``P_m f`` and the best approximation error ``||f - P_m f||^2``.

    The error is integrated from the residual itself, not as ``||f||^2 - sum c_j^2``, which
    would cancel most of its digits when it is small.
    """
    nodes, weights = gauss_nodes(LINE_NODES)
    phi = features(nodes, m)
    coefficients = phi.T @ (weights * f(nodes))
    residual = f(nodes) - phi @ coefficients
    return coefficients, float(weights @ residual**2)


def dpp_error_quadrature(f: Function, m: int, nodes: int) -> tuple[float, float]:
    r"""``E ||f - f_hat||^2`` over the projection DPP, and the DPP's total mass (1 if exact).

    Tensor Gauss-Legendre quadrature with ``nodes`` points per coordinate of
    :math:`\|r\|^2 + \int \|\operatorname{adj}\Phi\, r\|^2 d\mu^m / m!`; the total mass is
    :math:`\int \det\Phi^2 d\mu^m / m!` on the same grid.
    """
    m = check_positive_int("m", m)
    coefficients, best = projection(f, m)
    x, w = gauss_nodes(nodes)
    grid = np.stack(np.meshgrid(*([np.arange(nodes)] * m), indexing="ij"), -1).reshape(-1, m)
    excess = mass = 0.0
    for start in range(0, len(grid), CHUNK):
        index = grid[start : start + CHUNK]
        points, weight = x[index], np.prod(w[index], axis=1)
        phi = features(points, m)  # (batch, m points, m features)
        r = f(points) - phi @ coefficients
        det = np.linalg.det(phi)
        # Cramer: (adj Phi r)_j = det(Phi with column j replaced by r)
        adjugate_r = np.empty_like(r)
        for j in range(m):
            replaced = phi.copy()
            replaced[:, :, j] = r
            adjugate_r[:, j] = np.linalg.det(replaced)
        excess += float(weight @ np.sum(adjugate_r**2, axis=1))
        mass += float(weight @ det**2)
    factorial = math.factorial(m)
    return best + excess / factorial, mass / factorial


def projection_dpp_points(m: int, replicates: int, rng: np.random.Generator) -> np.ndarray:
    r"""Draws of the projection DPP of ``V_m``: shape ``(replicates, m)``.

    The chain rule of Hough, Krishnapur, Peres & Virag: given points :math:`x_1..x_k`, the next
    has density :math:`\|(I - Q Q^\top)\varphi(x)\|^2 / (m - k)` with respect to :math:`\mu`,
    :math:`Q` an orthonormal basis of :math:`\varphi(x_1), .., \varphi(x_k)`. Each is drawn by
    rejection: a proposal from :math:`\rho_m = K_m(x, x)/m\, d\mu` (itself by rejection from
    :math:`\mu`, as :math:`K_m(x, x) \le m^2`), kept with probability
    :math:`\|(I - QQ^\top)\varphi(x)\|^2 / \|\varphi(x)\|^2`.
    """
    m = check_positive_int("m", m)
    replicates = check_positive_int("replicates", replicates)
    rng = check_generator(rng)
    points = np.empty((replicates, m))
    basis = np.zeros((replicates, m, m))  # columns 0..k-1 hold Q
    for k in range(m):
        pending = np.arange(replicates)
        while pending.size:
            x = rng.uniform(-1.0, 1.0, pending.size)
            phi = features(x, m)
            norm2 = np.sum(phi**2, axis=1)
            inside = np.einsum("rjk,rj->rk", basis[pending, :, :k], phi)
            residual2 = norm2 - np.sum(inside**2, axis=1)
            # accept with K(x,x)/m^2 (the proposal rho_m) times residual2/K(x,x)
            keep = rng.uniform(0.0, m * m, pending.size) < residual2
            chosen = pending[keep]
            points[chosen, k] = x[keep]
            # Gram-Schmidt: the new basis vector is the normalised residual
            resid = phi[keep] - np.einsum("rjk,rk->rj", basis[chosen, :, :k], inside[keep])
            basis[chosen, :, k] = resid / np.linalg.norm(resid, axis=1, keepdims=True)
            pending = pending[~keep]
    return points


def christoffel_points(m: int, count: int, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """I.i.d. draws from ``rho_m = K_m(x, x)/m dmu`` (optimal weighted least squares' law):
    shape ``(replicates, count)``."""
    m, count = check_positive_int("m", m), check_positive_int("count", count)
    replicates = check_positive_int("replicates", replicates)
    rng = check_generator(rng)
    out = np.empty(replicates * count)
    filled = 0
    while filled < out.size:
        x = rng.uniform(-1.0, 1.0, 2 * m * (out.size - filled))
        kept = x[rng.uniform(0.0, m * m, x.size) < np.sum(features(x, m) ** 2, axis=1)]
        take = min(kept.size, out.size - filled)
        out[filled : filled + take] = kept[:take]
        filled += take
    return out.reshape(replicates, count)


def interpolation_error_ratios(
    f: Function, m: int, replicates: int, rng: np.random.Generator, sampling: str = "dpp"
) -> np.ndarray:
    """``||f - f_hat||^2 / ||f - P_m f||^2`` for ``f_hat`` the least-squares fit in ``V_m`` on
    ``n = m`` points from the projection DPP (``"dpp"``) or i.i.d. from ``rho_m`` (``"iid"``;
    with ``n = m`` the weights do not change the fit): shape ``(replicates,)``."""
    if sampling not in SAMPLINGS:
        raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
    if sampling == "dpp":
        points = projection_dpp_points(m, replicates, rng)
    else:
        points = christoffel_points(m, m, replicates, rng)
    coefficients, best = projection(f, m)
    phi = features(points, m)
    r = f(points) - phi @ coefficients
    excess = np.sum(np.linalg.solve(phi, r[..., None])[..., 0] ** 2, axis=1)
    return (best + excess) / best
