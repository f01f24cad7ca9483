"""DPSGD-F's private centring (simulators.dp_centring) and its instances (simulators.dp_features):
the quantile search against a brute-force reference, the clipped mean against a direct
computation, the calibration against dp_accounting, and bad input."""

from __future__ import annotations

import dp_accounting
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.dp_centring import (
    RADIUS_GRID,
    centring_events,
    centring_multipliers,
    outliers_for,
    private_quantile_radius,
    quantile_center,
    quantile_queries,
)
from simulators.dp_features import (
    centring_run,
    feature_preprocessing_gaps,
    outlier_features,
    preprocessing_errors,
)
from simulators.privacy import event_epsilon

TINY = 1e-9  # a noise multiplier that makes the private steps exact


def reference_radius(norms: np.ndarray, excluded: float) -> float:
    """The smallest grid radius leaving at most ``excluded`` norms strictly outside it."""
    for radius in RADIUS_GRID:
        if (norms > radius).sum() <= excluded:
            return float(radius)
    return float(RADIUS_GRID[-1])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(1e-5, 4000.0), min_size=1, max_size=40),
    # half-integers: at an integer threshold equal to a count, the (tiny) noise's sign decides
    st.integers(0, 39).map(lambda k: k + 0.5),
)
def test_quantile_search_without_noise_finds_the_smallest_radius_that_excludes_enough(
    norms, excluded
):
    norms = np.array(norms)
    found = private_quantile_radius(norms, excluded, TINY, np.random.default_rng(0))
    assert float(found) == reference_radius(norms, excluded)


def test_quantile_search_asks_five_counts():
    assert quantile_queries() == 5 == int(np.log2(len(RADIUS_GRID)))


def test_quantile_center_clips_the_outliers_and_its_error_is_their_excess_over_the_radius():
    n, outliers, distance = 1000, 20, 100.0
    features = outlier_features(n, outliers, np.array([5.0]), distance)
    center, radius, sensitivity = quantile_center(
        features, 2048.0, 4.0, 2 * outliers, (TINY, TINY, TINY), 3, np.random.default_rng(1)
    )
    # measured, per release: a record moves one count per coordinate (sqrt 2), is counted once
    # by a quantile query, and its clipped deviation (norm <= the radius 2) enters the mean / n
    histogram, count, mean = sensitivity[0]
    assert (histogram.measured, histogram.assumed) == pytest.approx((np.sqrt(2), np.sqrt(2)))
    assert (count.measured, count.assumed) == (1.0, 1.0)
    assert (mean.measured, mean.assumed) == pytest.approx((2.0 / n, 2.0 / n))
    # coarse centre (4, 0): the cluster's deviations have norm sqrt(2), so the radius is 2,
    # and the outliers' deviations (101, +-1) are clipped to norm 2
    np.testing.assert_allclose(radius, 2.0)
    deviation = features[0] - np.array([4.0, 0.0])
    norms = np.linalg.norm(deviation, axis=-1, keepdims=True)
    expected = np.array([4.0, 0.0]) + (deviation * np.minimum(1.0, 2.0 / norms)).mean(axis=0)
    np.testing.assert_allclose(center[:, 0], np.broadcast_to(expected, (3, 2)), atol=1e-6)
    error = np.linalg.norm(expected - features[0].mean(axis=0))
    assert error == pytest.approx(outliers * (np.hypot(101.0, 1.0) - 2.0) / n, rel=0.02)


def test_centring_spends_exactly_its_budget_and_overspends_when_the_preprocessing_is_left_out():
    for epsilon in (0.5, 2.0):
        counted = centring_multipliers(epsilon, 1e-5)
        spent = event_epsilon(dp_accounting.ComposedDpEvent(centring_events(counted)), 1e-5)
        assert spent == pytest.approx(epsilon, rel=1e-3)
        uncounted = centring_multipliers(epsilon, 1e-5, count_preprocessing=False)
        spent = event_epsilon(dp_accounting.ComposedDpEvent(centring_events(uncounted)), 1e-5)
        assert spent > 1.5 * epsilon


def test_outlier_count_is_three_times_the_quantile_count_noise():
    multipliers = centring_multipliers(1.0, 1e-5)
    assert outliers_for(multipliers) == round(3 * multipliers[1])
    assert outliers_for(centring_multipliers(0.25, 1e-5)) > 3 * outliers_for(multipliers)


def test_centring_error_is_flat_in_the_offset_and_the_naive_mean_grows():
    features = outlier_features(1000, 44, np.array([1.0, 1446.0]), 100.0)
    rng = np.random.default_rng(2)
    quantile = preprocessing_errors(features, 88, centring_multipliers(1.0, 1e-5), 64, rng)
    naive = preprocessing_errors(
        features, 88, centring_multipliers(1.0, 1e-5), 64, rng, method="naive_mean"
    )
    ratio_quantile = quantile[:, 1].mean() / quantile[:, 0].mean()
    ratio_naive = naive[:, 1].mean() / naive[:, 0].mean()
    assert 0.8 < ratio_quantile < 1.25
    assert ratio_naive > 5


def test_centring_run_reports_the_privacy_it_spent():
    features = outlier_features(500, 10, np.array([3.0, 7.0]), 50.0)
    run = centring_run(features, 1.0, 1e-5, 20, 4, np.random.default_rng(3))
    assert run.values.shape == (4, 2)
    assert [p.epsilon for p in run.privacy] == pytest.approx([1.0, 1.0], rel=1e-3)


def test_dpsgd_f_pipeline_composes_the_quantile_counts_into_its_budget():
    run = feature_preprocessing_gaps(
        200, np.array([1.0, 64.0]), 1.0, 1e-5, 2, np.random.default_rng(4), steps=20
    )
    assert [p.epsilon for p in run.privacy] == pytest.approx([1.0, 1.0], rel=1e-3)
    over = feature_preprocessing_gaps(
        200,
        np.array([1.0]),
        1.0,
        1e-5,
        1,
        np.random.default_rng(4),
        steps=20,
        count_preprocessing=False,
    )
    assert over.privacy[0].epsilon > 1.05


def test_bad_inputs_raise_clear_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="outliers"):
        outlier_features(10, 10, np.array([1.0]), 5.0)
    with pytest.raises(ValueError, match="method"):
        preprocessing_errors(np.zeros((1, 4, 2)), 1.0, (1.0, 1.0, 1.0), 1, rng, method="mean")
    with pytest.raises(ValueError):
        private_quantile_radius(np.ones(4), -1.0, 1.0, rng)
    with pytest.raises(ValueError):
        private_quantile_radius(np.ones(4), 1.0, 1.0, rng, grid=np.array([1.0, -2.0]))


def reference_dp_gd(features, labels, clip_norm, sigma, step, steps, rng):
    """DP-GD with every record's gradient formed and clipped explicitly."""
    reps, m, n, p = features.shape
    augmented = np.concatenate([features, np.ones((reps, m, n, 1))], axis=-1)
    w = np.zeros((reps, m, p + 1))
    average = np.zeros_like(w)
    for _ in range(steps):
        margin = labels * np.einsum("rmnp,rmp->rmn", augmented, w)
        grads = (-labels / (1 + np.exp(margin)))[..., None] * augmented
        norms = np.linalg.norm(grads, axis=-1, keepdims=True)
        grads = grads * np.minimum(1.0, clip_norm / norms)
        noise = (sigma * clip_norm / n)[None, :, None] * rng.standard_normal(w.shape)
        w -= step * (grads.mean(axis=2) + noise)
        w[..., :p] /= np.maximum(1.0, np.linalg.norm(w[..., :p], axis=-1, keepdims=True))
        average += w / steps
    return average[..., :p], average[..., p]


def test_dp_gd_logistic_equals_explicit_per_record_clipping():
    from simulators.dp_features import dp_gd_logistic, offset_features

    features, labels = offset_features(20, np.array([0.5, 3.0]))
    train = np.broadcast_to(features, (4, *features.shape)) + 0.1
    sigma = np.array([0.5, 2.0])
    # clip 0.9: the gradient norms are 0.74 to 1.72 at the start and 0.40 to 0.98 at the
    # fitted model (0, 1): some records are clipped, others not
    theta, bias, _ = dp_gd_logistic(train, labels, 0.9, sigma, 0.5, 25, np.random.default_rng(7))
    ref_theta, ref_bias = reference_dp_gd(
        train, labels, 0.9, sigma, 0.5, 25, np.random.default_rng(7)
    )
    np.testing.assert_allclose(theta, ref_theta, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bias, ref_bias, rtol=1e-10, atol=1e-12)
