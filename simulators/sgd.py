r"""Stochastic gradient descent on finite sums.

Vectorised over independent replicates: iterates are arrays of shape ``(replicates, d)``.
"""

from __future__ import annotations

import numpy as np

from . import common

# Replicates are independent, so the runs go chunk by chunk: a chunk's iterates, its sampled rows
# and their product (three float64 arrays of ``chunk x d``) stay in a core's L2 cache for all the
# steps instead of streaming the whole ``replicates x d`` state through memory once per step.
# 512 KiB is half of a typical per-core L2 (1 MiB on the machines the benchmarks ran on); any
# value gives the same distribution of results, only the speed changes.
CACHE_BYTES = 1 << 19
# Sampled indices are drawn for a block of steps at a time (one call to the generator, not one a
# step), the block kept under this many bytes: larger index arrays are mapped fresh and
# page-faulted in on every block (measured: 8 faults a step at 2 MiB blocks, a quarter of the
# step's time on the benchmark machine).
INDEX_BLOCK_BYTES = 1 << 16


def replicate_chunk(dimension: int, arrays: int = 3) -> int:
    """Replicates per chunk: ``arrays`` float64 arrays of ``chunk x dimension`` fit in
    :data:`CACHE_BYTES`."""
    return max(1, CACHE_BYTES // (arrays * 8 * max(1, dimension)))


def sgd_least_squares(
    features: np.ndarray,
    targets: np.ndarray,
    x0: np.ndarray,
    step: float,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    r"""SGD on :math:`f(x) = \frac1n \sum_i \frac12 (a_i^\top x - b_i)^2`, one uniformly
    sampled index per step, constant step size.

    Parameters
    ----------
    features
        Shape ``(n, d)``: the rows :math:`a_i`.
    targets
        Shape ``(n,)``: the :math:`b_i`.
    x0
        Shape ``(d,)``: the common starting point.
    step
        The step size :math:`\gamma`.
    horizons
        Increasing iteration counts at which the iterates are recorded (0 allowed).
    replicates
        Independent runs.
    rng
        Source of the sampled indices. Replicates run in chunks of :func:`replicate_chunk`,
        each drawing its indices for blocks of steps (:data:`INDEX_BLOCK_BYTES`), so the
        draws are not those of one call per step (same distribution, different stream).

    Returns
    -------
    numpy.ndarray
        Iterates at the horizons, shape ``(replicates, len(horizons), d)``.
    """
    features, targets = common.check_least_squares(features, targets)
    common.check_positive("step", step)
    horizons = common.check_horizons(horizons, lowest=0)
    replicates = common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    n, d = features.shape
    start = common.check_finite_vector("x0", x0, d)
    features = np.ascontiguousarray(features)
    # step * a_i . x comes out of one matrix-vector product (BLAS) of the elementwise product
    step_vector = np.full(d, float(step))
    scaled_targets = step * targets
    out = np.empty((replicates, len(horizons), d))
    last = int(horizons[-1])
    chunk = min(replicates, replicate_chunk(d))
    iterates, rows, product = np.empty((chunk, d)), np.empty((chunk, d)), np.empty((chunk, d))
    residual = np.empty(chunk)
    for first in range(0, replicates, chunk):
        size = min(chunk, replicates - first)
        x = iterates[:size]
        x[...] = start
        a, ax, r = rows[:size], product[:size], residual[:size]
        r_column = r[:, None]  # a view: follows r's in-place updates
        k = 0
        while k < len(horizons) and horizons[k] == 0:
            out[first : first + size, k] = x
            k += 1
        block_steps = max(1, INDEX_BLOCK_BYTES // (8 * size))
        for block_start in range(1, last + 1, block_steps):
            block = min(block_steps, last + 1 - block_start)
            indices = rng.integers(0, n, size=(block, size))
            block_targets = np.take(scaled_targets, indices, mode="clip")
            for s in range(block):
                # mode="clip" skips numpy's bounds check: the indices are in range by construction
                np.take(features, indices[s], axis=0, out=a, mode="clip")
                np.multiply(a, x, out=ax)
                np.matmul(ax, step_vector, out=r)
                np.subtract(r, block_targets[s], out=r)  # step * (a_i . x - b_i)
                # into the other buffer: written over its own input, a broadcast product is
                # buffered by numpy and runs several times slower
                np.multiply(a, r_column, out=ax)
                np.subtract(x, ax, out=x)
                t = block_start + s
                while k < len(horizons) and horizons[k] == t:
                    out[first : first + size, k] = x
                    k += 1
    return out


def sgd_least_squares_sq_errors(
    features: np.ndarray,
    targets: np.ndarray,
    x0: np.ndarray,
    step: float,
    steps: int,
) -> np.ndarray:
    r""":math:`\mathbb E\|x_t - x^*\|^2` of :func:`sgd_least_squares`, exactly, ``t = 0..steps``.

    With :math:`e_t = x_t - x^*` and :math:`g_i = a_i(a_i^\top x^* - b_i)` (the sampled gradient
    at the least-squares solution :math:`x^*`), one step is
    :math:`e_{t+1} = (I - \gamma a_i a_i^\top) e_t - \gamma g_i`, so the mean
    :math:`m_t = \mathbb E e_t` and the second moment :math:`M_t = \mathbb E e_t e_t^\top`
    follow the linear recursion

    .. math::  m_{t+1} = (I - \gamma H) m_t, \quad
               M_{t+1} = \tfrac1n\textstyle\sum_i P_i M_t P_i
               + \gamma^2 (C_t + C_t^\top) + \gamma^2 G,

    with :math:`P_i = I - \gamma a_i a_i^\top`, :math:`C_t = \frac1n\sum_i a_i (a_i^\top m_t)
    g_i^\top` (the mean of :math:`g_i` is zero) and :math:`G = \frac1n \sum_i g_i g_i^\top`.
    No sampling: the expectation the theorems bound, without Monte Carlo error (which for
    products of random contractions is dominated by rare paths at long horizons).

    Returns
    -------
    numpy.ndarray
        Shape ``(steps + 1,)``: :math:`\operatorname{tr} M_t`.
    """
    features, targets = common.check_least_squares(features, targets)
    common.check_positive("step", step)
    steps = common.check_positive_int("steps", steps)
    n, d = features.shape
    solution = np.linalg.lstsq(features, targets, rcond=None)[0]
    mean = common.check_finite_vector("x0", x0, d) - solution
    second = np.outer(mean, mean)
    hessian = features.T @ features / n
    gradients = features * (features @ solution - targets)[:, None]
    noise = gradients.T @ gradients / n
    projections = np.eye(d)[None] - step * np.einsum("ni,nj->nij", features, features)
    out = np.empty(steps + 1)
    out[0] = np.trace(second)
    for t in range(1, steps + 1):
        cross = np.einsum("ni,n,nj->ij", features, features @ mean, gradients) / n
        second = (
            np.einsum("nij,jk,nkl->il", projections, second, projections) / n
            + step**2 * (cross + cross.T)
            + step**2 * noise
        )
        mean = mean - step * hessian @ mean
        out[t] = np.trace(second)
    return out
