r"""An adaptive majority-vote attack on statistical queries answered from a sample.

Data: :math:`n` points :math:`(x, y)`, :math:`x \in \{\pm1\}^k` uniform and a label
:math:`y \in \{\pm1\}` independent of :math:`x`. The analyst asks the :math:`k` queries
:math:`q_j = x_j y` (true answer 0), takes the signs :math:`s_j` of the answers, and asks
:math:`q^* = y\,\mathrm{sign}(\sum_j s_j x_j)` (true answer 0 as well). The mechanism answers
with the empirical mean, plus independent :math:`N(0, \sigma^2)` noise per answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import ndtr

from simulators.common import check_generator, check_positive, check_positive_int


def expected_abs_gaussian(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    r""":math:`\mathbb{E}|m + s Z|` for :math:`Z \sim N(0, 1)`, elementwise (``|m|`` where s = 0).

    The folded normal's mean, :math:`s \sqrt{2/\pi}\, e^{-m^2/2s^2} + m (1 - 2\Phi(-m/s))`.

    Parameters
    ----------
    mean, sd
        Broadcastable arrays; ``sd >= 0``.
    """
    mean, sd = np.asarray(mean, float), np.asarray(sd, float)
    positive = sd > 0
    t = mean / np.where(positive, sd, 1.0)
    folded = sd * np.sqrt(2 / np.pi) * np.exp(-0.5 * t * t) + mean * (1 - 2 * ndtr(-t))
    return np.where(positive, folded, np.abs(mean))


def _as_words(columns: np.ndarray) -> np.ndarray:
    """Boolean ``(replicates, width, points)`` packed along ``width`` in the byte order of
    :func:`numpy.unpackbits`, as ``(replicates, points, words)`` 64-bit words."""
    width = columns.shape[1]
    packed = np.packbits(columns, axis=1)
    padded = np.zeros((columns.shape[0], 8 * -(-width // 64), columns.shape[2]), np.uint8)
    padded[:, : packed.shape[1]] = packed
    return np.ascontiguousarray(padded.transpose(0, 2, 1)).view(np.uint64)


def final_query_error_sweep(
    n: int,
    ks: Sequence[int] | np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    noises: Sequence[float] | np.ndarray,
    conditional: bool = True,
    chunk: int = 4_000_000,
) -> np.ndarray:
    """The final query's absolute error for each number of queries in ``ks``, shape
    ``(replicates, len(ks))``.

    All points of a replicate share one data set of ``max(ks)`` columns (the attack with k
    queries uses its first k) and one standard normal per answer, scaled by that point's
    ``noise``: each point has the attack's distribution, and the common random numbers make
    the points' errors move together, so a slope across ``ks`` is far less noisy than with
    independent data per point.

    Parameters
    ----------
    n
        Sample size.
    ks
        Numbers of attacking queries, positive.
    replicates
        Independent data sets (and noise draws).
    rng
        The source of randomness.
    noises
        The Gaussian mechanism's standard deviation at each point of ``ks`` (0: empirical
        answers).
    conditional
        If true, the error is averaged exactly over the noise added to the final answer
        (:func:`expected_abs_gaussian`): the conditional expectation given the data and the
        first k answers, with the same mean as the error and less variance. If false, that
        noise is drawn (one standard normal per replicate, shared by the points).
    chunk
        Matrix entries held in memory at once.
    """
    n = check_positive_int("n", n)
    replicates = check_positive_int("replicates", replicates)
    rng = check_generator(rng)
    ks = np.asarray([check_positive_int("k", int(k)) for k in np.atleast_1d(ks)])
    sds = np.asarray([check_positive("noise", float(s), allow_zero=True) for s in noises])
    if sds.shape != ks.shape:
        raise ValueError(f"noises must give one value per k: {len(sds)} for {len(ks)}")
    width = int(ks.max())
    words = -(-width // 64)  # a row's bits as 64-bit words, for popcounts
    # the columns a point asks: the attack with k queries votes with its first k only
    asked = np.arange(width)[:, None] < ks[None, :]
    asked_words = _as_words(asked[None])[0]  # (points, words)
    # counts up to n (or width) in 16 bits where they fit: numpy sums narrow integers faster
    counter = np.uint16 if max(n, width) < 2**16 else np.int64
    out = np.empty((replicates, len(ks)))
    rows = max(1, chunk // (n * width))
    for start in range(0, replicates, rows):
        stop = min(replicates, start + rows)
        # bits b_ij = (x_ij y_i + 1)/2: uniform and independent across i and j; 8 per byte
        packed = rng.integers(0, 256, size=(stop - start, n, 8 * words), dtype=np.uint8)
        bits = np.unpackbits(packed, axis=2, count=width)
        column_means = 2 * bits.sum(axis=1, dtype=counter) / n - 1  # empirical answers
        normals = rng.standard_normal((stop - start, width, 1))
        positive = (column_means[:, :, None] + normals * sds >= 0) & asked  # s_j = +1
        # s_j (2 b_ij - 1) is +1 where b_ij agrees with [s_j = +1], so the vote of row i is
        # k - 2 (disagreements among the asked columns): popcounts of 64 columns at a time
        flips = packed.view(np.uint64)[:, None, :, :] ^ _as_words(positive)[:, :, None, :]
        flips &= asked_words[None, :, None, :]
        disagree = np.bitwise_count(flips).sum(axis=-1, dtype=counter)
        ayes = (2 * disagree <= ks[None, :, None]).mean(axis=-1)  # vote >= 0; k odd: no ties
        final = 2 * ayes - 1
        if conditional:
            out[start:stop] = expected_abs_gaussian(final, sds)
        else:
            out[start:stop] = np.abs(final + sds * rng.standard_normal((stop - start, 1)))
    return out


def final_query_errors(
    n: int,
    k: int,
    replicates: int,
    rng: np.random.Generator,
    noise: float = 0.0,
    chunk: int = 4_000_000,
) -> np.ndarray:
    """``|answer to q* - 0|`` for independent data sets, shape ``(replicates,)``.

    Parameters
    ----------
    n, k
        Sample size and number of attacking queries.
    replicates
        Independent data sets (and noise draws).
    rng
        The source of randomness.
    noise
        The Gaussian mechanism's standard deviation (0: empirical answers).
    chunk
        Matrix entries held in memory at once.
    """
    k = check_positive_int("k", k)
    noise = check_positive("noise", noise, allow_zero=True)
    errors = final_query_error_sweep(
        n, [k], replicates, rng, [noise], conditional=False, chunk=chunk
    )
    return errors[:, 0]
