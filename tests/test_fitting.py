"""The fitters recover known exponents, rates and orders, and their verdicts have power.

Synthetic data: y[r, i] = C n_i^a (log n_i)^b * exp(s Z - s^2/2) with Z standard normal, so the
replicate mean is exactly C n^a (log n)^b in expectation and the noise is multiplicative, as it is
for a gap averaged over runs.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs_checks import (
    AT_LEAST,
    AT_MOST,
    CONFIRMED,
    INCONCLUSIVE,
    REFUTED,
    ErrorSequence,
    Geometric,
    JudgeContext,
    Order,
    PowerLaw,
    Samples,
)


def synthetic_power_law(rng, horizons, exponent, log_power, noise, replicates=64):
    n = np.asarray(horizons, float)
    truth = 2.0 * n**exponent * np.log(n) ** log_power
    z = rng.standard_normal((replicates, len(n)))
    return Samples(n, truth * np.exp(noise * z - noise**2 / 2))


HORIZONS = np.unique(np.geomspace(10, 10_000, 12).astype(int))


@settings(max_examples=40, deadline=None)
@given(
    exponent=st.floats(-2.0, 0.5),
    log_power=st.sampled_from([0, 1, 2]),
    noise=st.floats(0.0, 0.3),
    lo=st.integers(3, 50),
    decades=st.floats(2.0, 4.0),
    seed=st.integers(0, 2**31),
)
def test_power_law_fit_recovers_exponent(exponent, log_power, noise, lo, decades, seed):
    rng = np.random.default_rng(seed)
    horizons = np.unique(np.geomspace(lo, lo * 10**decades, 12).astype(int))
    data = synthetic_power_law(rng, horizons, exponent, log_power, noise)
    j = PowerLaw(exponent=exponent, log_power=log_power, tolerance=0.1).judge(
        data, JudgeContext("t", rng)
    )
    assert abs(j.fitted["estimate"] - exponent) < 0.05
    assert j.fitted["ci"][0] <= j.fitted["estimate"] <= j.fitted["ci"][1]
    assert j.verdict == CONFIRMED


def test_deterministic_power_law_is_exact():
    n = np.geomspace(10, 1e5, 10)
    j = PowerLaw(exponent=-1.5, tolerance=0.01).judge(
        Samples(n, 3 * n**-1.5), JudgeContext("t", None)
    )
    assert j.fitted["estimate"] == pytest.approx(-1.5, abs=1e-12)
    assert j.verdict == CONFIRMED


def _rates(exponent_true, prediction, seeds=200, noise=0.5):
    verdicts = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        data = synthetic_power_law(rng, HORIZONS, exponent_true, 1, noise)
        verdicts.append(prediction.judge(data, JudgeContext("t", rng)).verdict)
    return {v: verdicts.count(v) / seeds for v in (CONFIRMED, REFUTED, INCONCLUSIVE)}


def test_true_exponent_confirmed_in_95_percent_of_seeds():
    rates = _rates(-0.5, PowerLaw(exponent=-0.5, log_power=1, tolerance=0.1))
    assert rates[CONFIRMED] >= 0.95, rates


def test_wrong_exponent_refuted_in_95_percent_of_seeds():
    # off by 0.2 with a tolerance of 0.1: the band [-0.8, -0.6] excludes the truth -0.5
    rates = _rates(-0.5, PowerLaw(exponent=-0.7, log_power=1, tolerance=0.1))
    assert rates[REFUTED] >= 0.95, rates


def test_one_sided_upper_bound_refutes_a_plateau():
    rng = np.random.default_rng(0)
    data = synthetic_power_law(rng, HORIZONS, 0.0, 0, 0.3)
    j = PowerLaw(exponent=-0.5, tolerance=0.1, side=AT_MOST).judge(data, JudgeContext("t", rng))
    assert j.verdict == REFUTED
    faster = synthetic_power_law(rng, HORIZONS, -1.0, 0, 0.3)
    assert PowerLaw(exponent=-0.5, tolerance=0.1, side=AT_MOST).judge(
        faster, JudgeContext("t", rng)
    ).verdict == (CONFIRMED)
    assert PowerLaw(exponent=-0.5, tolerance=0.1, side=AT_LEAST).judge(
        faster, JudgeContext("t", rng)
    ).verdict == (REFUTED)


def test_too_noisy_for_its_horizons_is_inconclusive():
    # less than half a decade of horizons: the slope's interval is far wider than the band
    verdicts = []
    for seed in range(200):
        rng = np.random.default_rng(seed)
        data = synthetic_power_law(rng, np.arange(10, 32, 3), -0.5, 0, noise=0.5)
        verdicts.append(
            PowerLaw(exponent=-0.5, tolerance=0.1).judge(data, JudgeContext("t", rng)).verdict
        )
    assert verdicts.count(CONFIRMED) == 0
    assert verdicts.count(INCONCLUSIVE) >= 0.95 * len(verdicts)


def test_pre_asymptotic_drift_is_never_confirmed():
    # y = 1/n + 100/n^1.5: local slope about -1.4 at n = 10, -1.01 at n = 1e6
    n = np.geomspace(10, 1e6, 16)
    data = Samples(n, 1 / n + 100 / n**1.5)
    j = PowerLaw(exponent=-1.0, tolerance=0.1).judge(data, JudgeContext("t", None))
    assert j.verdict == INCONCLUSIVE
    assert "not settled" in j.reason
    # a slope moving away from the prediction is refuted by the tail alone
    assert (
        PowerLaw(exponent=-1.5, tolerance=0.1).judge(data, JudgeContext("t", None)).verdict
        == REFUTED
    )


def test_known_log_factor_matters():
    # log T / sqrt T: the naive slope over [1e2, 1e4] is about -0.35; divided out it is -0.5
    n = np.geomspace(100, 10_000, 10)
    data = Samples(n, np.log(n) / np.sqrt(n))
    assert PowerLaw(exponent=-0.5, log_power=1, tolerance=0.02).judge(
        data, JudgeContext("t", None)
    ).verdict == (CONFIRMED)
    naive = PowerLaw(exponent=-0.5, log_power=0, tolerance=0.02).judge(
        data, JudgeContext("t", None)
    )
    assert naive.fitted["estimate"] == pytest.approx(-0.35, abs=0.01)
    assert naive.verdict != CONFIRMED and "not settled" in naive.reason


def test_diverged_run_is_inconclusive_with_reason():
    rng = np.random.default_rng(1)
    data = synthetic_power_law(rng, HORIZONS, -0.5, 0, 0.1)
    data.y[3, 5:] = np.inf
    j = PowerLaw(exponent=-0.5, tolerance=0.1).judge(data, JudgeContext("t", rng))
    assert j.verdict == INCONCLUSIVE
    assert "diverged" in j.reason and "1 of 64" in j.reason


@settings(max_examples=25, deadline=None)
@given(rho=st.floats(0.3, 0.995), poly=st.sampled_from([0, 1]), seed=st.integers(0, 2**31))
def test_geometric_fit_recovers_rho(rho, poly, seed):
    rng = np.random.default_rng(seed)
    steps = int(min(2000, 25 / -math.log(rho)))  # about 25 e-folds: far above underflow
    k = np.arange(steps)
    truth = (k + 1.0) ** poly * rho**k
    y = truth * np.exp(0.2 * rng.standard_normal((32, steps)) - 0.02)
    j = Geometric(rho=rho, tolerance=0.05, poly_power=poly).judge(
        Samples(k, y), JudgeContext("t", rng)
    )
    assert j.fitted["estimate"] == pytest.approx(rho, rel=0.01 * (1 - rho) + 1e-3)
    assert j.verdict == CONFIRMED


def test_geometric_ignoring_the_polynomial_factor_biases_rho():
    k = np.arange(60)
    rho = 0.8
    data = Samples(k, (k + 1.0) * rho**k)
    assert (
        Geometric(rho=rho, tolerance=0.02, poly_power=1)
        .judge(data, JudgeContext("t", None))
        .verdict
        == CONFIRMED
    )
    assert (
        Geometric(rho=rho, tolerance=0.02, poly_power=0)
        .judge(data, JudgeContext("t", None))
        .verdict
        != CONFIRMED
    )


def _newton_like(order: float, steps: int, dps: int = 200):
    with mpmath.workdps(dps):
        e = [mpmath.mpf("0.3")]
        for _ in range(steps):
            e.append(mpmath.mpf("0.8") * e[-1] ** mpmath.mpf(order))
        return e


@pytest.mark.parametrize("order", [1.0, 1.618, 2.0, 3.0])
def test_order_fit_in_high_precision(order):
    steps = 40 if order == 1.0 else 8
    with mpmath.workdps(200):
        errors = _newton_like(order, steps)
        j = Order(order=order, tolerance=0.05).judge(ErrorSequence(errors), JudgeContext("t", None))
    assert j.fitted["estimate"] == pytest.approx(order, abs=1e-6)
    assert j.verdict == CONFIRMED


def test_order_drops_points_at_the_precision_floor_and_says_so():
    errors = [0.3, 0.05, 2e-3, 4e-6, 1.6e-11, 1e-16, 1e-16, 1e-16]
    j = Order(order=2.0, tolerance=0.3).judge(ErrorSequence(errors), JudgeContext("t", None))
    assert j.fitted["dropped_at_floor"] == 3
    assert "3 at the precision floor dropped" in j.reason


def test_order_with_too_few_points_above_floor_is_inconclusive():
    errors = [0.3, 1e-3, 1e-15, 1e-16, 1e-16]
    j = Order(order=2.0, tolerance=0.3).judge(ErrorSequence(errors), JudgeContext("t", None))
    assert j.verdict == INCONCLUSIVE


def test_geometric_growth_rates_and_their_sides():
    k = np.arange(80)
    data = Samples(k, 1.05**k * np.exp(0.05 * np.random.default_rng(0).standard_normal((64, 80))))
    rng = np.random.default_rng(1)
    assert (
        Geometric(rho=1.05, tolerance=0.05).judge(data, JudgeContext("t", rng)).verdict == CONFIRMED
    )
    assert (
        Geometric(rho=1.10, tolerance=0.05).judge(data, JudgeContext("t", rng)).verdict == REFUTED
    )
    # "grows at most like 1.10^k" holds; "at most like 1.02^k" does not
    assert Geometric(rho=1.10, tolerance=0.05, side=AT_MOST).judge(
        data, JudgeContext("t", rng)
    ).verdict == (CONFIRMED)
    assert (
        Geometric(rho=1.02, tolerance=0.05, side=AT_MOST)
        .judge(data, JudgeContext("t", rng))
        .verdict
        == REFUTED
    )


def test_bootstrap_of_the_mean_matches_resampling_rows():
    from proofs_checks.fitting import bootstrap_summaries

    y = np.random.default_rng(3).exponential(size=(400, 5))
    fast = bootstrap_summaries(y, "mean", np.random.default_rng(4))
    idx = np.random.default_rng(5).integers(0, 400, size=(2000, 400))
    slow = y[idx].mean(axis=1)
    # same distribution: the spreads agree to the Monte Carlo error of 2000 resamples
    np.testing.assert_allclose(fast.std(axis=0), slow.std(axis=0), rtol=0.1)
    np.testing.assert_allclose(fast.mean(axis=0), y.mean(axis=0), rtol=0.01)


def test_one_sided_drift_in_either_direction_blocks_confirmation():
    # the local slope steepens from about -1.45 to -1.15 over the window: an upper bound "at most
    # n^-0.5" is far from the data, but a drift toward the strict side is no more evidence of the
    # asymptotic rate than one away from it (no benefit of the doubt)
    n = np.geomspace(10, 1e6, 16)
    data = Samples(n, 1 / n + 100 / n**1.5)
    for exponent in (-0.5, -1.1):
        j = PowerLaw(exponent=exponent, side=AT_MOST).judge(data, JudgeContext("t", None))
        assert j.verdict == INCONCLUSIVE
        assert "not settled" in j.reason and "margin" in j.reason
    # settled data (a pure 1/n: no drift) confirm the same bound
    settled = PowerLaw(exponent=-0.5, side=AT_MOST).judge(
        Samples(n, 1 / n), JudgeContext("t", None)
    )
    assert settled.verdict == CONFIRMED
