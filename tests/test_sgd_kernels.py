"""The SGD simulator's two steps (scipy's compiled kernels, numpy alone) against a plain loop
that replays the same index draws, and its chunking."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators import sgd
from simulators.sgd import balanced_chunk, replicate_chunk, sgd_least_squares


def reference_sgd(features, targets, x0, step, horizons, indices):
    """x <- x - step (a_i . x - b_i) a_i, one replicate at a time, on given indices
    (shape ``(steps, replicates)``)."""
    replicates = indices.shape[1]
    out = np.empty((replicates, len(horizons), len(x0)))
    for r in range(replicates):
        x = np.array(x0, float)
        recorded = {0: x.copy()}
        for t in range(1, int(horizons[-1]) + 1):
            a = features[indices[t - 1, r]]
            x = x - step * (a @ x - targets[indices[t - 1, r]]) * a
            recorded[t] = x.copy()
        out[r] = [recorded[int(h)] for h in horizons]
    return out


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize(("n", "d"), [(5, 3), (8, 1), (3, 12)])
def test_steps_match_a_plain_loop_on_the_same_draws(compiled, n, d):
    rng = np.random.default_rng(n * d)
    features, targets = rng.standard_normal((n, d)), rng.standard_normal(n)
    x0, step, horizons, replicates = rng.standard_normal(d), 0.07, np.array([0, 1, 4, 30]), 9
    # one chunk and one block of draws at this size: the simulator's first call to the
    # generator is indices of shape (steps, replicates)
    assert replicate_chunk(d, arrays=1) >= replicates
    assert sgd.INDEX_BLOCK_BYTES // (8 * replicates) >= horizons[-1]
    indices = np.random.default_rng(5).integers(0, n, size=(int(horizons[-1]), replicates))
    expected = reference_sgd(features, targets, x0, step, horizons, indices)
    rng = np.random.default_rng(5)
    x = sgd_least_squares(features, targets, x0, step, horizons, replicates, rng, compiled=compiled)
    np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-12)


def test_compiled_and_numpy_steps_agree_over_chunks_and_blocks():
    # d = 200: chunks of at most 327 replicates, so 700 run as three chunks of two sizes
    # (234, 233, 233), each drawing its indices in several blocks of steps
    rng = np.random.default_rng(11)
    n, d, replicates = 40, 200, 700
    features, targets = rng.standard_normal((n, d)) / np.sqrt(d), rng.standard_normal(n)
    assert -(-replicates // replicate_chunk(d, arrays=1)) == 3
    horizons = np.array([0, 7, 300])
    runs = [
        sgd_least_squares(
            features, targets, np.zeros(d), 0.3, horizons, replicates,
            np.random.default_rng(4), compiled=compiled,
        )
        for compiled in (True, False)
    ]  # fmt: skip
    assert np.all(np.isfinite(runs[0]))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-10, atol=1e-12)
    # chunks are independent runs: no two replicates share a path
    assert len(np.unique(runs[0][:, -1, 0])) == replicates


@settings(max_examples=200, deadline=None)
@given(replicates=st.integers(1, 100_000), largest=st.integers(1, 5000))
def test_balanced_chunks_are_few_and_even(replicates, largest):
    chunk = balanced_chunk(replicates, largest)
    chunks = -(-replicates // chunk)
    assert chunk <= largest
    assert chunks == -(-replicates // largest)  # as few chunks as the largest size allows
    assert replicates - (chunks - 1) * chunk >= chunk - chunks + 1  # the last one is not a stub
