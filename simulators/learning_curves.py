r"""Online SGD on Gaussian features with a power-law spectrum: Monte Carlo and the exact recursion.

Features :math:`x \sim N(0, \Sigma)`, :math:`\Sigma = \mathrm{diag}(\lambda_k)`, a noiseless linear
target :math:`w^*`, online SGD with batch :math:`B` and step :math:`\eta`; the test loss is
:math:`L = \tfrac12 e^\top \Sigma e`, :math:`e = w - w^*`. By Isserlis,
:math:`E[xx^\top C xx^\top] = 2\Sigma C\Sigma + \Sigma\,\mathrm{tr}(\Sigma C)`, so the diagonal
:math:`c_k = E[e_k^2]` obeys a closed recursion (``loss_recursion``):

.. math::  c_k(t+1) = (1 - \eta\lambda_k)^2 c_k(t)
           + \frac{\eta^2}{B}\Big[\lambda_k^2 c_k(t) + \lambda_k \sum_j \lambda_j c_j(t)\Big].

The last term is SGD's noise; without it the recursion is full-batch GD's.
"""

from __future__ import annotations

import numpy as np

from simulators.common import check_generator, check_positive, check_positive_int


def power_law_spectrum(modes: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`\lambda_k = k^{-b}` and :math:`w^{*2}_k` with :math:`\lambda_k w^{*2}_k = k^{-a}`."""
    modes = check_positive_int("modes", modes)
    k = np.arange(1, modes + 1, dtype=float)
    return k**-b, k ** (b - a)


def _horizons(horizons: np.ndarray) -> np.ndarray:
    horizons = np.asarray(horizons, int)
    if horizons.ndim != 1 or horizons[0] < 0 or np.any(np.diff(horizons) <= 0):
        raise ValueError("horizons must be increasing non-negative integers")
    return horizons


def loss_recursion(
    eigenvalues: np.ndarray,
    initial: np.ndarray,
    step: float,
    batch: int,
    horizons: np.ndarray,
    noise_term: bool = True,
) -> np.ndarray:
    """Expected test loss at each horizon from the exact second-moment recursion.

    Parameters
    ----------
    eigenvalues
        ``lambda_k``, shape ``(M,)``.
    initial
        ``c_k(0) = E[e_k(0)^2]`` (``w*_k^2`` from ``w_0 = 0``), shape ``(M,)``.
    step, batch
        ``eta`` and ``B``.
    horizons
        Increasing non-negative ints ``t``.
    noise_term
        Keep SGD's ``eta^2/B`` term (``False``: the gradient-flow/GD mistake).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(horizons),)``.
    """
    step = check_positive("step", step)
    batch = check_positive_int("batch", batch)
    horizons = _horizons(horizons)
    lam = np.asarray(eigenvalues, float)
    c = np.array(initial, float)
    factor = (1 - step * lam) ** 2 + (step**2 / batch * lam**2 if noise_term else 0.0)
    coupling = step**2 / batch * lam if noise_term else np.zeros_like(lam)
    out = np.empty(len(horizons))
    column = 0
    for t in range(int(horizons[-1]) + 1):
        if t == horizons[column]:
            out[column] = 0.5 * lam @ c
            column += 1
            if column == len(horizons):
                break
        mixed = lam @ c
        c *= factor
        c += coupling * mixed
    return out


def sgd_test_loss(
    eigenvalues: np.ndarray,
    target: np.ndarray,
    step: float,
    batch: int,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Test loss ``e^T Sigma e / 2`` of online SGD from ``w_0 = 0``, per replicate and horizon.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, len(horizons))``.
    """
    rng = check_generator(rng)
    step = check_positive("step", step)
    batch = check_positive_int("batch", batch)
    replicates = check_positive_int("replicates", replicates)
    horizons = _horizons(horizons)
    lam = np.asarray(eigenvalues, float)
    error = -np.broadcast_to(np.asarray(target, float), (replicates, len(lam))).copy()
    scale = np.sqrt(lam)
    out = np.empty((replicates, len(horizons)))
    column = 0
    for t in range(int(horizons[-1]) + 1):
        if t == horizons[column]:
            out[:, column] = 0.5 * (error**2) @ lam
            column += 1
            if column == len(horizons):
                break
        features = rng.standard_normal((replicates, batch, len(lam)))
        features *= scale
        residual = np.einsum("rbm,rm->rb", features, error, optimize=False)
        error -= step / batch * np.einsum("rb,rbm->rm", residual, features, optimize=False)
    return out
