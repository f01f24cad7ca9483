"""The package's calibration path against the accounting libraries' published test vectors.

Sources (inputs and expected values as the libraries' own tests state them):
google/differential-privacy ``dp_accounting`` RDP and PLD accountant tests, TensorFlow Privacy's
``compute_dp_sgd_privacy_test.py``, Opacus' ``accountants_test.py``.
"""

from __future__ import annotations

import math
import warnings

import dp_accounting
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from simulators.privacy import (
    CALIBRATION_RTOL,
    EPSILON_SWEEP,
    EPSILON_SWEEP_DELTA,
    AccountingWarning,
    PrivacySpent,
    calibrate_noise_multiplier,
    check_budget,
    dp_sgd_event,
    dp_sgd_schedule,
    privacy_of_noise,
    privacy_spent,
    rdp_gaussian,
    rdp_poisson_gaussian,
    spent_epsilon,
)

TF_ORDERS = [1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 3.5, 4.0, 4.5, *range(5, 64), 128, 256, 512]
OPACUS_ORDERS = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64))


def test_rdp_poisson_sampled_gaussian_vector():
    # dp_accounting rdp_privacy_accountant_test: q = 0.01, sigma = 2.5, 50 steps (rtol 1e-4)
    orders = [1.5, 2.5, 5, 50, 100, np.inf]
    expected = [6.70579741e-04, 1.08548710e-03, 2.18075656e-03, 2.38460375e-02, 1.67416308e02]
    per_step = np.array(rdp_poisson_gaussian(0.01, 2.5, orders))
    np.testing.assert_allclose(50 * per_step[:-1], expected, rtol=1e-4)
    assert per_step[-1] == np.inf


def test_rdp_gaussian_closed_form():
    # dp_accounting test_compute_rdp_gaussian: alpha = 3.14159, sigma = 2.71828
    assert rdp_gaussian(2.71828, [3.14159])[0] == pytest.approx(3.14159 / (2 * 2.71828**2))


def test_gaussian_epsilon_is_one():
    # dp_accounting test_compute_epsilon_delta_gaussian: q = 1, sigma = 4.530877117, delta = 1e-6
    orders = np.arange(1000, 100_000) / 1000.0
    eps = spent_epsilon(4.530877117, 1.0, 1, 1e-6, orders=orders)
    assert eps == pytest.approx(1.0, abs=1e-7)


@pytest.mark.parametrize(
    ("n", "batch", "sigma", "epochs", "delta", "expected"),
    [
        (60_000, 150, 1.3, 15, 1e-5, 0.7242234026109595),
        (100_000, 100, 1.0, 30, 1e-7, 1.4154988495444842),
    ],
)
def test_tensorflow_privacy_dp_sgd_vectors(n, batch, sigma, epochs, delta, expected):
    # compute_dp_sgd_privacy_test: Poisson rate batch / n, steps = ceil(epochs n / batch)
    steps = math.ceil(epochs * n / batch)
    eps = spent_epsilon(sigma, batch / n, steps, delta, orders=TF_ORDERS)
    assert eps == pytest.approx(expected, abs=1e-7)


def test_tensorflow_privacy_calibration_round_trip():
    # the inverse problem: the noise for the first vector's epsilon is 1.3 again
    sigma = calibrate_noise_multiplier(0.7242234026109595, 1e-5, 150 / 60_000, 6000)
    assert sigma == pytest.approx(1.3, rel=1e-5)
    assert spent_epsilon(sigma, 150 / 60_000, 6000, 1e-5) <= 0.7242234026109595 * (1 + 1e-9)


def test_mnist_example_rdp_and_pld():
    # TF-Privacy MNIST tutorial run: N = 60000, batch 256, sigma 1.1, 60 epochs, delta 1e-5
    steps, q = 14_063, 256 / 60_000
    assert spent_epsilon(1.1, q, steps, 1e-5) == pytest.approx(2.596655529521983, abs=1e-9)
    assert spent_epsilon(1.1, q, steps, 1e-5, accountant="pld") == pytest.approx(2.3818, abs=1e-3)


def test_opacus_vector_and_noise_multiplier():
    # Opacus accountants_test: q = 0.04, sigma = 1.5, 2250 steps, delta = 1e-5 gives 7.32911117
    # with Opacus' signed fractional series; dp_accounting sums absolute values (conservative)
    # and differs in the 4th digit: 7.329334702.
    eps = spent_epsilon(1.5, 0.04, 2250, 1e-5, orders=OPACUS_ORDERS)
    assert eps == pytest.approx(7.329334702, abs=1e-8)
    assert eps == pytest.approx(7.32911117143, rel=1e-4)
    # integer orders only: the libraries agree
    integer = spent_epsilon(1.5, 0.04, 2250, 1e-5, orders=list(range(2, 64)))
    assert integer == pytest.approx(7.3298768, abs=1e-6)
    # get_noise_multiplier(target_eps=8, delta=1e-5, q=0.04, epochs=90) -> 1.416 (rdp)
    assert calibrate_noise_multiplier(8.0, 1e-5, 0.04, 2250) == pytest.approx(1.416, abs=1e-3)


def test_pld_vectors():
    # pld_privacy_accountant_test: Gaussian sigma = sqrt(3) three times: delta(1) = 0.126936;
    # Poisson q = 0.2, sigma = 0.5, 3 steps: delta(1) = 0.15594 (delta tolerance 1e-3)
    assert spent_epsilon(math.sqrt(3), 1.0, 3, 0.126936, "pld") == pytest.approx(1.0, abs=2e-3)
    assert spent_epsilon(0.5, 0.2, 3, 0.15594, "pld") == pytest.approx(1.0, abs=2e-3)


def test_rdp_bound_never_beats_the_exact_gaussian():
    # Balle-Wang exact delta(eps) of the Gaussian with mu = 1/sigma; the RDP epsilon at that
    # delta must be at least eps (a valid upper bound cannot beat the exact privacy curve).
    for sigma in (0.8, 1.0, 2.0):
        mu = 1 / sigma
        for eps in (0.5, 1.0, 2.0):
            delta = norm.cdf(-eps / mu + mu / 2) - math.exp(eps) * norm.cdf(-eps / mu - mu / 2)
            assert spent_epsilon(sigma, 1.0, 1, delta) >= eps
    assert privacy_spent(1.0, 1.0, 1, 0.126937).epsilon >= 1.0


@settings(max_examples=12, deadline=None)
@given(
    sigma=st.floats(0.6, 5.0),
    q=st.floats(0.001, 0.5),
    steps=st.integers(1, 500),
)
def test_epsilon_is_monotone(sigma, q, steps):
    eps = spent_epsilon(sigma, q, steps, 1e-5)
    assert spent_epsilon(sigma * 1.2, q, steps, 1e-5) <= eps + 1e-12
    assert spent_epsilon(sigma, min(1.0, q * 1.5), steps, 1e-5) >= eps - 1e-12
    assert spent_epsilon(sigma, q, steps + 10, 1e-5) >= eps - 1e-12


def test_privacy_of_noise_is_the_multiplier_ratio():
    spent = privacy_of_noise(0.3, 0.1, 1.0, 20, 1e-5)
    assert isinstance(spent, PrivacySpent)
    assert spent.noise_multiplier == pytest.approx(3.0)
    assert spent.epsilon == pytest.approx(spent_epsilon(3.0, 1.0, 20, 1e-5))
    assert spent.within(spent.epsilon, 1e-5)
    assert not spent.within(0.9 * spent.epsilon, 1e-5)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("epsilon", [-1.0, 0.0, math.inf, math.nan])
def test_bad_epsilon(epsilon):
    with pytest.raises(ValueError, match="epsilon"):
        calibrate_noise_multiplier(epsilon, 1e-5, 0.01, 100)


@pytest.mark.parametrize("delta", [0.0, 1.0, -1e-5, 1.5])
def test_bad_delta(delta):
    with pytest.raises(ValueError, match="delta"):
        calibrate_noise_multiplier(1.0, delta, 0.01, 100)
    with pytest.raises(ValueError, match="delta"):
        spent_epsilon(1.0, 0.01, 100, delta)
    with pytest.raises(ValueError, match="delta"):
        check_budget(1.0, delta)


@pytest.mark.parametrize("q", [0.0, -0.1, 1.01])
def test_bad_sampling_rate(q):
    with pytest.raises(ValueError, match="sampling rate"):
        spent_epsilon(1.0, q, 100, 1e-5)
    with pytest.raises(ValueError, match="sampling rate"):
        calibrate_noise_multiplier(1.0, 1e-5, q, 100)


@pytest.mark.parametrize("sigma", [0.0, -1.0, math.inf])
def test_bad_noise_multiplier(sigma):
    with pytest.raises(ValueError, match="noise multiplier"):
        spent_epsilon(sigma, 0.01, 100, 1e-5)
    with pytest.raises(ValueError, match="noise multiplier"):
        dp_sgd_event(sigma, 0.01, 100)


def test_bad_steps_and_accountant():
    with pytest.raises(ValueError, match="steps"):
        spent_epsilon(1.0, 0.01, 0, 1e-5)
    with pytest.raises(ValueError, match="accountant"):
        spent_epsilon(1.0, 0.01, 10, 1e-5, accountant="moments")
    with pytest.raises(ValueError, match="sensitivity"):
        privacy_of_noise(1.0, 0.0, 1.0, 10, 1e-5)


def test_epsilon_sweep_has_the_noise_follow_one_over_epsilon():
    """On EPSILON_SWEEP at its delta the calibrated multiplier's fitted exponent in epsilon is
    within 0.03 of -1 (the accountant's log factors are small there), and not at delta = 1e-5."""

    def exponent(delta: float) -> float:
        sigma = [calibrate_noise_multiplier(float(e), delta, 1.0, 256) for e in EPSILON_SWEEP]
        return float(np.polyfit(np.log(EPSILON_SWEEP), np.log(sigma), 1)[0])

    assert abs(exponent(EPSILON_SWEEP_DELTA) + 1) < 0.03
    assert abs(exponent(1e-5) + 1) > 0.05


# --- library findings: schedules, numpy counts, calibration, dp_accounting's warnings ----------


def test_mnist_example_through_the_helpers_matches_dp_accounting():
    # TF-Privacy MNIST tutorial: sigma 1.1, batch 256, 60000 examples, 60 epochs, delta 1e-5
    q, steps = dp_sgd_schedule(60_000, 256, 60)
    assert (q, steps) == (256 / 60_000, 14_063)
    event = dp_accounting.SelfComposedDpEvent(
        dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(1.1)), 14_063
    )
    rdp = dp_accounting.rdp.RdpAccountant().compose(event).get_epsilon(1e-5)
    pld = dp_accounting.pld.PLDAccountant().compose(event).get_epsilon(1e-5)
    assert privacy_spent(1.1, q, steps, 1e-5).epsilon == pytest.approx(rdp, rel=1e-12)
    assert privacy_spent(1.1, q, steps, 1e-5, "pld").epsilon == pytest.approx(pld, rel=1e-12)
    # and back: each accountant's calibration returns 1.1 for its own epsilon
    assert calibrate_noise_multiplier(rdp, 1e-5, q, steps) == pytest.approx(1.1, rel=1e-5)
    assert calibrate_noise_multiplier(pld, 1e-5, q, steps, "pld") == pytest.approx(1.1, rel=1e-4)


def test_numpy_integers_are_step_counts_and_bools_are_not():
    q, steps = dp_sgd_schedule(60_000, 256, 1)
    eps = spent_epsilon(1.1, q, steps, 1e-5)
    for count in (np.int64(steps), np.int32(steps), np.uint16(steps)):
        assert spent_epsilon(1.1, q, count, 1e-5) == eps
        assert privacy_spent(np.float32(1.1), np.float64(q), count, 1e-5).steps == steps
    assert calibrate_noise_multiplier(1.0, 1e-5, q, np.int64(steps)) == pytest.approx(
        calibrate_noise_multiplier(1.0, 1e-5, q, steps)
    )
    for bad in (True, np.bool_(True), 3.0):
        with pytest.raises(ValueError, match="steps"):
            spent_epsilon(1.1, q, bad, 1e-5)
    with pytest.raises(ValueError, match="sampling rate"):
        spent_epsilon(1.1, True, 10, 1e-5)


@pytest.mark.parametrize(
    ("n", "batch", "epochs", "expected"),
    [(60_000, 150, 15, 6000), (100_000, 100, 30, 30_000), (1000, 300, 1, 4), (10, 10, 0.25, 1)],
)
def test_dp_sgd_schedule_counts_steps_as_tf_privacy(n, batch, epochs, expected):
    q, steps = dp_sgd_schedule(n, batch, epochs)
    assert q == batch / n
    assert steps == expected
    assert steps == max(1, math.ceil(epochs * n / batch))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((100, 200, 1), "batch_size"),
        ((0, 1, 1), "n"),
        ((100, 10, 0), "epochs"),
        ((100, 10.0, 1), "batch_size"),
    ],
)
def test_dp_sgd_schedule_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        dp_sgd_schedule(*args)


@pytest.mark.parametrize(
    ("epsilon", "sampling_rate", "steps"),
    [(1e-10, 1.0, 1), (1e-6, 1.0, 1), (0.05, 0.01, 100), (0.7, 1.0, 50), (8.0, 0.04, 2250)],
)
def test_calibration_tolerance_is_relative_to_the_answer(epsilon, sampling_rate, steps):
    sigma = calibrate_noise_multiplier(epsilon, 1e-5, sampling_rate, steps)
    assert spent_epsilon(sigma, sampling_rate, steps, 1e-5) <= epsilon
    # a multiplier smaller by twice the relative tolerance overspends: sigma is the smallest
    below = sigma * (1 - 2 * CALIBRATION_RTOL)
    assert spent_epsilon(below, sampling_rate, steps, 1e-5) > epsilon


def test_pld_calibration_stays_within_memory_and_is_tight():
    # it used to evaluate the PLD accountant at 1e-4 of the guess (MemoryError)
    sigma = calibrate_noise_multiplier(1.0, 1e-5, 0.01, 1000, "pld")
    assert spent_epsilon(sigma, 0.01, 1000, 1e-5, "pld") <= 1.0
    assert spent_epsilon(sigma * (1 - 1e-4), 0.01, 1000, 1e-5, "pld") > 1.0
    # PLD is tighter than RDP: it needs less noise for the same budget
    assert sigma < calibrate_noise_multiplier(1.0, 1e-5, 0.01, 1000)


def test_dp_accounting_warnings_are_passed_on():
    # q = 0.5, sigma = 0.3: the fractional orders' series fail to converge in dp_accounting
    with pytest.warns(AccountingWarning, match="Excluding this order"):
        spent = privacy_spent(0.3, 0.5, 10, 1e-5)
    assert spent.excluded_orders
    assert all(1 < order < 2 for order in spent.excluded_orders)
    assert math.isfinite(spent.epsilon)


def test_no_warning_and_no_exclusion_when_the_accountant_converges():
    with warnings.catch_warnings():
        warnings.simplefilter("error", AccountingWarning)
        assert privacy_spent(1.1, 0.01, 100, 1e-5).excluded_orders == ()
