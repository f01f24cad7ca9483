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


#: Runs simulated together: a block's draws and errors (256 x 100 float64, 200 kB each at the
#: claim's 100 modes) stay in cache over all steps, where sweeping 8,000 runs a step streamed
#: 6 MB arrays from memory several times a step (2.6 -> 2.2 CPU-s for the claim's 8,000 runs).
RUN_BLOCK = 256


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

    The runs are simulated in blocks of ``RUN_BLOCK``, each block over all steps, in the
    whitened error ``u = Sigma^(1/2) e``: with ``x = Sigma^(1/2) z``, ``z`` standard normal,
    the residual ``x^T e`` is ``z^T u``, the update ``u <- u - (eta/B) Sigma z (z^T u)`` and the
    loss ``|u|^2 / 2``, so the features are never formed.

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
    start = -np.sqrt(lam) * np.asarray(target, float)
    out = np.empty((replicates, len(horizons)))
    for first in range(0, replicates, RUN_BLOCK):
        runs = min(RUN_BLOCK, replicates - first)
        whitened = np.tile(start, (runs, 1))
        draws = np.empty((runs, batch, len(lam)))
        residual = np.empty((runs, batch))
        column = 0
        for t in range(int(horizons[-1]) + 1):
            if t == horizons[column]:
                out[first : first + runs, column] = 0.5 * np.einsum("rm,rm->r", whitened, whitened)
                column += 1
                if column == len(horizons):
                    break
            rng.standard_normal(out=draws)
            np.einsum("rbm,rm->rb", draws, whitened, out=residual)
            draws *= lam
            whitened -= step / batch * np.einsum("rb,rbm->rm", residual, draws)
    return out
