"""The vectorised DP-SGD sweep against DP-SGD written out record by record.

The reference below is the textbook loop (Poisson batch, per-record gradient, per-record
clipping, Gaussian noise on the sum, the sum over the expected batch size) on the same random
numbers as the simulator (batches and noise on the two streams spawned from ``rng``), so the
level-count step, the tie fallback, the shared batches and the coinciding points must all
reproduce it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from simulators.dp import AbsoluteLoss
from simulators.dp_sgd import dp_sgd_sharp, dp_sgd_sharp_sweep, sharp_data
from simulators.dp_sgd_batches import (
    BLOCK,
    LevelCounter,
    geometric,
    integer_segment_sums,
    level_codes,
    poisson_batches,
    segment_sums,
)

SCALE, CLIP, RATE, DELTA = 2.0, 1.0, 1 / 16, 1e-5


def reference(data, step, sigma, steps, replicates, seed, clip="per_example", every=4):
    """Mean excess over the evaluated steps and the largest one-record contribution."""
    n, d = data.shape
    batch_rng, noise_rng = np.random.default_rng(seed).spawn(2)
    loss = AbsoluteLoss(np.sort(data[:, 0]))
    theta = np.full((replicates, d), 1.0 / np.sqrt(d))
    total, largest = np.zeros(replicates), 0.0
    for first in range(0, steps, BLOCK):
        block = min(BLOCK, steps - first)
        batches = poisson_batches(n, RATE, replicates, block, batch_rng)
        noise = sigma * CLIP * noise_rng.standard_normal((block, replicates, d))
        for k in range(block):
            if (first + k) % every == 0:
                total += SCALE * loss.coordinate_excess(theta).sum(axis=1) / np.sqrt(d)
            _, records, bounds = batches.step(k)
            summed = np.zeros((replicates, d))
            for r in range(replicates):
                batch = records[bounds[r] : bounds[r + 1]]
                grads = SCALE * np.sign(theta[r] - data[batch]) / np.sqrt(d)
                norms = np.linalg.norm(grads, axis=1)
                if clip == "per_example":
                    grads *= np.minimum(1.0, CLIP / np.maximum(norms, 1e-300))[:, None]
                    norms = np.minimum(norms, CLIP)
                summed[r] = grads.sum(axis=0)
                if clip == "after_averaging" and len(batch):
                    factor = min(1.0, CLIP / max(np.linalg.norm(summed[r]) / len(batch), 1e-300))
                    summed[r] *= factor
                    norms = norms * factor
                largest = max(largest, norms.max(initial=0.0))
            theta -= step / (RATE * n) * (summed + noise[k])
    return total / ((steps + every - 1) // every), largest


@pytest.mark.parametrize("clip", ["per_example", "after_averaging"])
@pytest.mark.parametrize(("d", "sigma"), [(4, 2.0), (16, 2.0), (16, 0.0), (8, 2.0)])
def test_one_point_is_dp_sgd_record_by_record(d, sigma, clip):
    # d = 4 starts on the level 1/2 (ties at the first step); sigma = 0 moves on a dyadic grid
    # and ties often; d = 8 has a clipped gradient that is not dyadic
    data = sharp_data(64, d, np.random.default_rng(1))
    run = dp_sgd_sharp(
        data, SCALE, 1.0, 0.02, sigma, CLIP, RATE, 300, 5, np.random.default_rng(3), DELTA, clip
    )
    values, largest = reference(data, 0.02, sigma, 300, 5, 3, clip)
    np.testing.assert_allclose(run.values, values, rtol=1e-9)
    assert run.max_contribution == pytest.approx(largest)
    assert run.max_contribution == pytest.approx(CLIP if clip == "per_example" else SCALE)


def test_a_sweep_is_its_points_run_alone():
    """Shared batches (equal n), shared normals (equal d), shared columns (the d sweep draws
    the larger data set's first columns as the smaller one's) and coinciding points."""
    big = sharp_data(128, 8, np.random.default_rng(2))
    datasets = [big, big[:, :4], sharp_data(64, 8, np.random.default_rng(2)), big]
    steps, sigmas = [0.02, 0.02, 0.03, 0.02], [1.5, 1.5, 0.0, 1.5]
    runs = dp_sgd_sharp_sweep(
        datasets, SCALE, 1.0, steps, sigmas, CLIP, RATE, 300, 4, np.random.default_rng(5), DELTA
    )
    for data, step, sigma, run in zip(datasets, steps, sigmas, runs, strict=True):
        alone = dp_sgd_sharp(
            data, SCALE, 1.0, step, sigma, CLIP, RATE, 300, 4, np.random.default_rng(5), DELTA
        )
        np.testing.assert_allclose(run.values, alone.values, rtol=1e-12)
        np.testing.assert_array_equal(run.batch_sizes, alone.batch_sizes)
        assert run.max_contribution == alone.max_contribution
        assert run.privacy == alone.privacy
    np.testing.assert_array_equal(runs[0].values, runs[3].values)


def test_level_counts_count_the_batch():
    rng = np.random.default_rng(0)
    data = sharp_data(64, 3, rng)
    levels = np.unique(data)
    batches = poisson_batches(64, 0.3, 4, 7, rng)
    signed = LevelCounter(level_codes(data, levels), len(levels)).signed_sums(batches)
    counts = np.diff(signed, axis=-1) // 2
    for k in range(7):
        _, records, bounds = batches.step(k)
        for r in range(4):
            batch = data[records[bounds[r] : bounds[r + 1]]]
            expected = (batch[:, :, None] == levels).sum(axis=0)
            np.testing.assert_array_equal(counts[k, r], expected)
            # a point just above level i: records below minus records above
            for i, point in enumerate([-1.0, -0.25, 0.25, 1.0]):
                diff = np.sign(point - batch).sum(axis=0)
                np.testing.assert_array_equal(signed[k, r, :, i], diff)


def test_segment_sums_with_empty_segments_anywhere():
    values = np.arange(12.0).reshape(6, 2)
    bounds = np.array([0, 0, 2, 2, 5, 6, 6, 6])
    expected = [values[a:b].sum(axis=0) for a, b in itertools.pairwise(bounds)]
    np.testing.assert_array_equal(segment_sums(values, bounds), expected)
    integers = values.astype(np.uint64)
    np.testing.assert_array_equal(integer_segment_sums(integers, bounds), expected)
    empty = integer_segment_sums(integers[:0], np.zeros(3, int))
    np.testing.assert_array_equal(empty, np.zeros((2, 2)))


@pytest.mark.parametrize("rate", [1 / 32, 0.2, 0.5])
def test_geometric_is_numpys_geometric(rate):
    ours = geometric(rate, (50, 7), np.random.default_rng(4))
    np.testing.assert_array_equal(ours, np.random.default_rng(4).geometric(rate, (50, 7)))


def test_level_codes_reject_values_off_the_levels():
    with pytest.raises(ValueError, match="levels"):
        level_codes(np.array([[0.0, 0.3]]), np.array([0.0, 0.5]))


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"step": [0.1, 0.1]}, "one entry per point"),
        ({"noise_multiplier": [-1.0]}, "noise_multiplier"),
        ({"clip": "per_batch"}, "clip"),
        ({"datasets": [np.zeros((3, 2))]}, "data"),
    ],
)
def test_sweep_bad_input(change, match):
    args = {
        "datasets": [sharp_data(8, 2, np.random.default_rng(0))],
        "scale": SCALE,
        "distance": 1.0,
        "step": [0.1],
        "noise_multiplier": [1.0],
        "clip_norm": CLIP,
        "sampling_rate": RATE,
        "steps": 10,
        "replicates": 2,
        "rng": np.random.default_rng(0),
        "delta": DELTA,
    } | change
    with pytest.raises(ValueError, match=match):
        dp_sgd_sharp_sweep(**args)
