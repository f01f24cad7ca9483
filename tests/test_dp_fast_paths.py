"""The DP-GD simulators' fast paths against plain step-by-step references.

:func:`simulators.dp.dp_gd_random_iterate` draws its noise in chunks, evaluates the risk of a
chunk's iterates in one pass and skips the replicates of a run without noise;
:func:`simulators.dp_strongly_convex.dp_gd_strongly_convex_huber` works on the distinct records
with their counts. The references below are the direct loops (one draw, one risk evaluation
and one gradient over every record per step): the sharp simulator must agree to the bit, the
Huber one to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulators.dp import AbsoluteLoss, dp_gd_random_iterate, symmetric_sharp_values
from simulators.dp_strongly_convex import (
    dp_gd_strongly_convex_huber,
    dp_sgd_strongly_convex_linear,
    huber_ridge_gradient,
    huber_ridge_minimum,
    huber_ridge_risk,
    unit_records,
)


def reference_sharp_run(
    loss, distance, dims, step, noise_std, steps, replicates, rng, every, common
):
    """Noisy subgradient descent one step at a time: (mean risk over evaluated steps, largest)."""
    m, width = len(step), int(dims.max())
    mask = (np.arange(width)[None, :] < dims[:, None]).astype(float)[None]
    scale = (1.0 / np.sqrt(dims))[None, :, None]
    theta = np.broadcast_to(distance * scale[0] * mask, (replicates, m, width)).copy()
    total, largest = np.zeros((replicates, m)), np.zeros(m)
    eta, s = step[None, :, None], noise_std[None, :, None]
    first = 0
    for t in range(int(steps[-1])):
        while steps[first] <= t:
            first += 1
        th, mk, sc = theta[:, first:], mask[:, first:], scale[:, first:]
        if t % every == 0:
            total[:, first:] += (loss.coordinate_excess(th) * mk).sum(axis=-1) * sc[..., 0]
        one = np.sqrt(((loss.largest_record_gradient(th) * sc * mk) ** 2).sum(axis=-1))
        largest[first:] = np.maximum(largest[first:], one.max(axis=0))
        shape = (th.shape[0], 1, th.shape[2]) if common else th.shape
        below = np.searchsorted(loss.sorted_values, th, side="left")
        above = loss.n - np.searchsorted(loss.sorted_values, th, side="right")
        gradient = loss.scale * (below - above) / loss.n
        th -= eta[:, first:] * (gradient * sc + s[:, first:] * rng.standard_normal(shape)) * mk
    return total / ((steps + every - 1) // every), largest


@pytest.mark.parametrize("common", [False, True])
@pytest.mark.parametrize("every", [1, 3, 4])
@pytest.mark.parametrize(
    "values, dims, steps",
    [
        (symmetric_sharp_values(4), [4, 6, 16], [300, 300, 300]),  # d = 4 starts on a value
        (symmetric_sharp_values(8), [4, 16, 2], [17, 256, 1000]),  # configurations stop early
        (np.array([-1.0, 0.3, 0.3, 2.0, 5.0]), [3], [700]),  # asymmetric values, ties
        (np.zeros(4), [3, 5], [100, 200]),  # every value equal: measured step by step
    ],
)
def test_sharp_run_equals_the_step_by_step_reference_to_the_bit(values, dims, steps, every, common):
    loss = AbsoluteLoss(values)
    dims, steps = np.array(dims), np.array(steps)
    step, noise = np.linspace(0.01, 0.03, len(dims)), np.linspace(0.5, 2.0, len(dims))
    expected, largest = reference_sharp_run(
        loss, 1.0, dims, step, noise, steps, 3, np.random.default_rng(7), every, common
    )
    run = dp_gd_random_iterate(
        loss, 1.0, dims, step, noise, np.full(len(dims), 0.1), steps, 3,
        np.random.default_rng(7), 1e-5, every, common_noise=common,
    )  # fmt: skip
    np.testing.assert_array_equal(run.values, expected)
    assert [e.measured for e in run.sensitivity] == (largest / loss.n).tolist()


def test_sharp_run_without_noise_runs_once_and_matches_the_reference():
    loss = AbsoluteLoss(symmetric_sharp_values(4))
    dims, steps, step = np.array([4, 16]), np.array([300, 500]), np.array([0.01, 0.02])
    expected, _ = reference_sharp_run(
        loss, 1.0, dims, step, np.zeros(2), steps, 5, np.random.default_rng(0), 4, False
    )
    run = dp_gd_random_iterate(
        loss, 1.0, dims, step, np.zeros(2), np.full(2, 0.1), steps, 5,
        np.random.default_rng(0), 1e-5, 4,
    )  # fmt: skip
    np.testing.assert_array_equal(run.values, expected)
    assert all(p.epsilon == np.inf for p in run.privacy)


def test_absolute_loss_gradient_counts_ties_as_the_two_sided_search():
    loss = AbsoluteLoss(np.array([-0.5, 0.0, 0.0, 0.5, 0.5, 2.0]))
    t = np.array([-1.0, -0.5, -0.2, 0.0, 0.1, 0.5, 1.0, 2.0, 3.0, -0.0])
    below = np.searchsorted(loss.sorted_values, t, side="left")
    above = loss.n - np.searchsorted(loss.sorted_values, t, side="right")
    np.testing.assert_array_equal(loss.coordinate_gradient(t), (below - above) / loss.n)


def test_huber_run_on_distinct_records_matches_the_run_over_every_record():
    """n / 16 copies of 16 records: the weighted distinct records give the same iterates, risk
    and largest contribution as a reference that sums every record's gradient."""
    base = np.concatenate([2 * np.eye(8), -2 * np.eye(8)])
    base[0, 1] = 0.4  # not symmetric: the optimum is not the start
    data = np.tile(base, (4, 1))
    noise, mu, steps, reps = np.array([0.05, 0.3]), 0.5, 60, 6
    run = dp_gd_strongly_convex_huber(
        data, mu, noise, np.full(2, 1 / 64), steps, reps, np.random.default_rng(2), 1e-5
    )
    rng = np.random.default_rng(2)
    theta = np.zeros((reps, 2, 8))
    for t in range(1, steps + 1):
        noisy = huber_ridge_gradient(data, mu, theta) + noise[None, :, None] * rng.standard_normal(
            theta.shape
        )
        theta -= noisy / (mu * t)
    best = huber_ridge_risk(data, mu, huber_ridge_minimum(data, mu))
    np.testing.assert_allclose(run.values, huber_ridge_risk(data, mu, theta) - best, rtol=1e-9)
    np.testing.assert_allclose(
        huber_ridge_gradient(data, mu, huber_ridge_minimum(data, mu)), 0, atol=1e-12
    )
    assert [e.measured for e in run.sensitivity] == pytest.approx([1 / 64] * 2)


def test_linear_run_with_common_noise_scales_one_draw_by_each_configuration():
    """Common noise over configurations of different dimension: configuration k's deviation from
    the optimum is its s times the first d_k coordinates of one draw, so the excess per unit s^2
    of a smaller dimension is a partial sum of a larger one's."""
    data = [unit_records(np.full(d, 0.1), 4) for d in (2, 4, 4)]
    noise = np.array([0.3, 0.3, 0.6])
    run = dp_sgd_strongly_convex_linear(
        data, 0.5, noise, np.full(3, 0.25), 40, 5, np.random.default_rng(1), 1e-5, True
    )
    per_unit = run.values / noise**2
    np.testing.assert_allclose(per_unit[:, 1], per_unit[:, 2], rtol=1e-9)
    assert np.all(per_unit[:, 0] < per_unit[:, 1])


@pytest.mark.parametrize("common", [False, True])
def test_identical_configurations_under_common_noise_equal_the_reference(common):
    """Configurations that differ in n alone are one run under common noise (run once), and
    independent runs otherwise: either way the reference's numbers, to the bit."""
    loss = AbsoluteLoss(symmetric_sharp_values(4))
    dims, steps = np.array([4, 4, 16, 16, 16]), np.array([200, 200, 300, 300, 300])
    step, noise = np.array([0.02, 0.02, 0.01, 0.01, 0.03]), np.array([1.0, 1.0, 0.5, 0.5, 0.5])
    expected, _ = reference_sharp_run(
        loss, 1.0, dims, step, noise, steps, 4, np.random.default_rng(3), 4, common
    )
    run = dp_gd_random_iterate(
        loss, 1.0, dims, step, noise, 1 / np.array([4, 8, 4, 8, 16]), steps, 4,
        np.random.default_rng(3), 1e-5, 4, records=np.array([4, 8, 4, 8, 16]), common_noise=common,
    )  # fmt: skip
    np.testing.assert_array_equal(run.values, expected)
    assert [e.measured for e in run.sensitivity] == pytest.approx(
        [1 / 4, 1 / 8, 1 / 4, 1 / 8, 1 / 16]
    )
