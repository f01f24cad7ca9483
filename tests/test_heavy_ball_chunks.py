"""heavy_ball_quadratic run in chunks of replicates: the caller's starting points left alone,
and every replicate's norms those of the replicate run alone."""

from __future__ import annotations

import numpy as np

from simulators.momentum import heavy_ball_quadratic
from simulators.sgd import replicate_chunk


def test_starting_points_are_not_overwritten():
    # one replicate: its transposed chunk is contiguous already, the case a view slipped through
    x0 = np.array([[2.0, -1.0]])
    norms = heavy_ball_quadratic(np.array([0.5, 1.0]), x0, 0.5, 0.6, 30)
    np.testing.assert_array_equal(x0, [[2.0, -1.0]])
    assert norms[0, -1] < 1e-2 * norms[0, 0]


def test_chunked_norms_equal_each_replicate_run_alone():
    d = 20
    largest = replicate_chunk(d, arrays=4)
    replicates = 2 * largest + 1  # three chunks (the old split left a stub of one replicate)
    eigenvalues = np.linspace(0.01, 1.0, d)
    x0 = np.random.default_rng(3).standard_normal((replicates, d))
    kept = x0.copy()
    norms = heavy_ball_quadratic(eigenvalues, x0, 0.5, 0.8, 60)
    np.testing.assert_array_equal(x0, kept)
    for r in (0, largest - 1, largest, replicates - 1):
        alone = heavy_ball_quadratic(eigenvalues, x0[r : r + 1], 0.5, 0.8, 60)
        # the squared norms are BLAS sums, whose order may differ at a chunk's tail by an ulp
        np.testing.assert_allclose(norms[r], alone[0], rtol=1e-14)
