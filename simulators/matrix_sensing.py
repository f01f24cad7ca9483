r"""Symmetric low-rank matrix factorisation by GD and by ScaledGD(lambda).

The loss is :math:`\frac14\|XX^\top - M^*\|_F^2` with :math:`X \in \mathbb{R}^{n\times k}` (the
matrix-sensing problem with the identity as measurement operator, RIP constant 0). GD steps
:math:`X \leftarrow X - \eta (XX^\top - M^*) X`; ScaledGD(lambda) right-multiplies the gradient
by :math:`(X^\top X + \lambda I)^{-1}`. Arrays carry replicates first: ``X`` is
``(replicates, n, k)``.
"""

from __future__ import annotations

import numpy as np

from simulators.common import check_positive, check_positive_int


def low_rank_target(rng: np.random.Generator, n: int, eigenvalues: np.ndarray) -> np.ndarray:
    """``U diag(eigenvalues) U^T`` with ``U`` a random ``n x r`` orthonormal frame."""
    frame, _ = np.linalg.qr(rng.standard_normal((n, len(eigenvalues))))
    return (frame * np.asarray(eigenvalues, float)) @ frame.T


def factorization_errors(
    target: np.ndarray, x0: np.ndarray, step: float, horizons: np.ndarray
) -> np.ndarray:
    """``||X_t X_t^T - M*||_F^2`` of GD at the given horizons.

    Parameters
    ----------
    target
        ``M*``, shape ``(n, n)``, symmetric PSD.
    x0
        Initial factors, shape ``(replicates, n, k)``.
    step
        ``eta``.
    horizons
        Increasing iteration counts.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, len(horizons))``.
    """
    step = check_positive("step", step)
    horizons = np.asarray(horizons, int)
    x = np.array(x0, float)
    out = np.empty((x.shape[0], len(horizons)))
    done = 0
    for column, horizon in enumerate(horizons):
        for _ in range(int(horizon) - done):
            residual = x @ x.transpose(0, 2, 1) - target
            x = x - step * residual @ x
        done = int(horizon)
        residual = x @ x.transpose(0, 2, 1) - target
        out[:, column] = np.sum(residual**2, axis=(1, 2))
    return out


def iterations_to_accuracy(
    target: np.ndarray,
    x0: np.ndarray,
    step: float,
    tolerance: float,
    max_iterations: int,
    damping: float | None = None,
) -> np.ndarray:
    """Iterations until ``||XX^T - M*||_F / ||M*||_F < tolerance``, GD or ScaledGD(lambda).

    Parameters
    ----------
    damping
        ``None`` for GD; ``lambda`` for ScaledGD(lambda), whose step is
        ``eta (XX^T - M*) X (X^T X + lambda I)^-1``.

    Returns
    -------
    numpy.ndarray
        One count per replicate; ``max_iterations + 1`` where the accuracy was not reached.
    """
    step, tolerance = check_positive("step", step), check_positive("tolerance", tolerance)
    max_iterations = check_positive_int("max_iterations", max_iterations)
    x = np.array(x0, float)
    scale = np.linalg.norm(target)
    counts = np.full(x.shape[0], max_iterations + 1)
    eye = np.eye(x.shape[2])
    for iteration in range(max_iterations + 1):
        residual = x @ x.transpose(0, 2, 1) - target
        reached = np.linalg.norm(residual, axis=(1, 2)) < tolerance * scale
        counts = np.where(reached & (counts > max_iterations), iteration, counts)
        if np.all(counts <= max_iterations):
            break
        direction = residual @ x
        if damping is not None:
            gram = x.transpose(0, 2, 1) @ x + damping * eye
            direction = np.linalg.solve(gram, direction.transpose(0, 2, 1)).transpose(0, 2, 1)
        x = x - step * direction
    return counts
