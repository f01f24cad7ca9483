r"""Stochastic gradient descent on finite sums.

Vectorised over independent replicates: iterates are arrays of shape ``(replicates, d)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from . import common

# Replicates are independent, so the runs go chunk by chunk: a chunk's iterates (and, on the
# numpy path, its sampled rows and their product) stay in a core's L2 cache for all the steps
# instead of streaming the whole ``replicates x d`` state through memory once per step.
# 512 KiB is half of a typical per-core L2 (1 MiB on the machines the benchmarks ran on); any
# value gives the same distribution of results, only the speed changes.
CACHE_BYTES = 1 << 19
# Sampled indices are drawn for a block of steps at a time (one call to the generator, not one a
# step), the block kept under this many bytes: larger index arrays are mapped fresh and
# page-faulted in on every block (measured: 8 faults a step at 2 MiB blocks, a quarter of the
# step's time on the benchmark machine).
INDEX_BLOCK_BYTES = 1 << 16

# One step on a chunk, in place: (iterates, sampled indices, gamma b_i of each, overwritten).
Step = Callable[[np.ndarray, np.ndarray, np.ndarray], None]


def replicate_chunk(dimension: int, arrays: int = 3) -> int:
    """Replicates per chunk: ``arrays`` float64 arrays of ``chunk x dimension`` fit in
    :data:`CACHE_BYTES`."""
    return max(1, CACHE_BYTES // (arrays * 8 * max(1, dimension)))


def balanced_chunk(replicates: int, largest: int) -> int:
    """The chunk size that splits ``replicates`` into as few chunks of at most ``largest`` as
    possible, of nearly equal sizes: 4096 replicates at most 819 a chunk run as five of 820,
    not five of 819 and a sixth of one (a step's calls for one replicate's work), and at most
    3276 a chunk as two of 2048 (each smaller in cache than 3276)."""
    chunks = -(-replicates // max(1, largest))
    return -(-replicates // chunks)


@functools.cache
def _sparse_kernels() -> tuple[Callable[..., None], Callable[..., None]] | None:
    """scipy's compiled sparse-times-dense loops ``bsr_matvec`` and ``csr_matvecs``, or None
    where this scipy does not have them (the step then runs on numpy alone).

    They live in a private module of scipy.sparse (under these names and signatures since scipy
    0.14); only their arithmetic is used, checked against the numpy step by the tests."""
    try:
        from scipy.sparse import _sparsetools
    except ImportError:  # pragma: no cover - every supported scipy has it
        return None
    residual_product = getattr(_sparsetools, "bsr_matvec", None)
    update_product = getattr(_sparsetools, "csr_matvecs", None)
    if residual_product is None or update_product is None:  # pragma: no cover
        return None
    return residual_product, update_product


def compiled_step_available() -> bool:
    """Whether :func:`sgd_least_squares` runs its steps on scipy's compiled kernels (else on
    numpy alone)."""
    return _sparse_kernels() is not None


def _compiled_step(features: np.ndarray, step: float, size: int) -> Step | None:
    r"""One SGD step on ``size`` replicates as two compiled passes over the iterates, or None
    without scipy's kernels.

    The step takes ``(x, indices, descent)`` with ``descent`` holding :math:`\gamma b_{i_r}` for
    each replicate :math:`r` and is the step's scratch. The sampled rows are never gathered
    into an array: :math:`-\gamma a_{i_r}^\top x_r` is added to ``descent`` as the product of a
    block-sparse matrix, whose row :math:`r` holds the iterate :math:`x_r` as one ``1 x d``
    block in block column :math:`i_r`, with the flattened features scaled by
    :math:`-\gamma` (``bsr_matvec``), leaving
    :math:`-\gamma(a_{i_r}^\top x_r - b_{i_r})`; then :math:`x_r \mathrel{+}=
    \mathrm{descent}_r\, a_{i_r}` is the product of a sparse matrix with that one entry in
    column :math:`i_r` of row :math:`r` with the features, accumulated into the iterates
    (``csr_matvecs``). Each kernel reads the iterates once, where gathering, multiplying,
    reducing, scaling and subtracting with numpy took five passes (and numpy's row-wise
    broadcast of the residual over ``d = 20`` columns alone cost as much as both kernels).
    Float64 throughout; a dot product is summed in order along the row instead of in BLAS's
    order, a difference of rounding only. (Carrying the projections :math:`A x_r` instead,
    updated through :math:`A A^\top`, would make the residual a lookup but the update touch
    ``n`` numbers a replicate instead of ``d``: a gain only where ``n < d``.)
    """
    kernels = _sparse_kernels()
    if kernels is None:  # pragma: no cover
        return None
    residual_product, update_product = kernels
    n, d = features.shape
    flat_features = features.reshape(-1)
    descending_features = -float(step) * flat_features
    pointers = np.arange(size + 1, dtype=np.int64)  # one stored entry (block) per replicate

    def advance(x: np.ndarray, indices: np.ndarray, descent: np.ndarray) -> None:
        flat_x = x.reshape(-1)  # a view: x is a contiguous prefix of the chunk's buffer
        residual_product(size, n, 1, d, pointers, indices, flat_x, descending_features, descent)
        update_product(size, n, d, pointers, indices, descent, flat_features, flat_x)

    return advance


def _numpy_step(features: np.ndarray, step: float, size: int) -> Step:
    r"""One SGD step on ``size`` replicates with numpy alone (the same arguments as
    :func:`_compiled_step`'s): the sampled rows gathered, :math:`-\gamma a_i^\top x` as one
    BLAS matrix-vector product, the update in place into preallocated buffers."""
    d = features.shape[1]
    rows, product = np.empty((size, d)), np.empty((size, d))
    descending = np.full(d, -float(step))

    def advance(x: np.ndarray, indices: np.ndarray, descent: np.ndarray) -> None:
        # mode="clip" skips numpy's bounds check: the indices are in range by construction
        np.take(features, indices, axis=0, out=rows, mode="clip")
        np.multiply(rows, x, out=product)
        descent += product @ descending
        # into the other buffer: written over its own input, a broadcast product is buffered by
        # numpy and runs several times slower
        np.multiply(rows, descent[:, None], out=product)
        np.add(x, product, out=x)

    return advance


def sgd_least_squares(
    features: np.ndarray,
    targets: np.ndarray,
    x0: np.ndarray,
    step: float,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    *,
    compiled: bool = True,
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
        Source of the sampled indices. Replicates run in chunks (:func:`balanced_chunk` of
        :func:`replicate_chunk` for one array), each drawing its indices for blocks of steps
        (:data:`INDEX_BLOCK_BYTES`), so the draws are not those of one call per step (same
        distribution, different stream).
    compiled
        Run each step as two passes of scipy's compiled sparse-times-dense loops (see
        :func:`_compiled_step`; about twice as fast); False runs it on numpy alone. Both draw
        the same indices and compute the same float64 numbers up to rounding.

    Returns
    -------
    numpy.ndarray
        Iterates at the horizons, shape ``(replicates, len(horizons), d)``, float64.
    """
    features, targets = common.check_least_squares(features, targets)
    common.check_positive("step", step)
    horizons = common.check_horizons(horizons, lowest=0)
    replicates = common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    n, d = features.shape
    start = common.check_finite_vector("x0", x0, d)
    features = np.ascontiguousarray(features, dtype=float)
    scaled_targets = step * np.asarray(targets, dtype=float)
    out = np.empty((replicates, len(horizons), d))
    last = int(horizons[-1])
    chunk = balanced_chunk(replicates, replicate_chunk(d, arrays=1))
    iterates = np.empty((chunk, d))
    steps: dict[int, Step] = {}  # one step (its buffers) per chunk size: at most two sizes
    for first in range(0, replicates, chunk):
        size = min(chunk, replicates - first)
        if size not in steps:
            fast = _compiled_step(features, step, size) if compiled else None
            steps[size] = fast or _numpy_step(features, step, size)
        advance = steps[size]
        x = iterates[:size]
        x[...] = start
        k = 0
        while k < len(horizons) and horizons[k] == 0:
            out[first : first + size, k] = x
            k += 1
        block_steps = max(1, INDEX_BLOCK_BYTES // (8 * size))
        for block_start in range(1, last + 1, block_steps):
            block = min(block_steps, last + 1 - block_start)
            indices = rng.integers(0, n, size=(block, size))
            # gamma b_i of every sampled index: each step's descent coefficients start from it
            descents = np.take(scaled_targets, indices, mode="clip")
            for s in range(block):
                advance(x, indices[s], descents[s])
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
