r"""An adaptive majority-vote attack on statistical queries answered from a sample.

Data: :math:`n` points :math:`(x, y)`, :math:`x \in \{\pm1\}^k` uniform and a label
:math:`y \in \{\pm1\}` independent of :math:`x`. The analyst asks the :math:`k` queries
:math:`q_j = x_j y` (true answer 0), takes the signs :math:`s_j` of the answers, and asks
:math:`q^* = y\,\mathrm{sign}(\sum_j s_j x_j)` (true answer 0 as well). The mechanism answers
with the empirical mean, plus independent :math:`N(0, \sigma^2)` noise per answer.
"""

from __future__ import annotations

import numpy as np

from simulators.common import check_generator, check_positive, check_positive_int


def final_query_errors(
    n: int,
    k: int,
    replicates: int,
    rng: np.random.Generator,
    noise: float = 0.0,
    chunk: int = 8_000_000,
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
    n, k = check_positive_int("n", n), check_positive_int("k", k)
    replicates = check_positive_int("replicates", replicates)
    noise = check_positive("noise", noise, allow_zero=True)
    rng = check_generator(rng)
    out = np.empty(replicates)
    rows = max(1, chunk // (n * k))
    for start in range(0, replicates, rows):
        stop = min(replicates, start + rows)
        # z_ij = x_ij y_i is uniform on {-1, 1} and independent across i and j
        z = rng.integers(0, 2, size=(stop - start, n, k), dtype=np.int8) * 2.0 - 1.0
        answers = z.mean(axis=1) + noise * rng.standard_normal((stop - start, k))
        signs = np.where(answers >= 0, 1.0, -1.0)
        votes = np.einsum("rnk,rk->rn", z, signs)
        final = np.where(votes >= 0, 1.0, -1.0).mean(axis=1)  # k odd keeps ties away
        out[start:stop] = np.abs(final + noise * rng.standard_normal(stop - start))
    return out
