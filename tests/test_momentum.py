"""The momentum simulators against closed forms, plain loops and Monte Carlo."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.momentum import (
    heavy_ball_exact,
    heavy_ball_quadratic,
    lessard_gradient,
    shb_noiseless_gaps,
    shb_quadratic_risk,
    step_decay_lengths,
    step_decay_stages,
)
from simulators.momentum_sgd import (
    ASGD,
    asgd_linear_regression,
    asgd_moments,
    handbook_shb_least_squares,
    sgdm_expected_loss,
    sgdm_quadratic,
)
from simulators.tunings import polyak_parameters
from theorems.heavy_ball import (
    LRP_ALPHA,
    LRP_BETA,
    LRP_CYCLE,
    heavy_ball_spectral_derivation,
    period3_orbit,
)

# --- deterministic heavy ball ----------------------------------------------------------------


def test_hb_matches_powers_of_the_iteration_matrix():
    rng = np.random.default_rng(0)
    lam = np.array([0.01, 0.2, 1.0])
    alpha, beta = polyak_parameters(0.01, 1.0)
    x0 = rng.standard_normal((3, 3))
    norms = heavy_ball_quadratic(lam, x0, alpha, beta, 40)
    for t in (0, 1, 7, 40):
        x_t = np.empty_like(x0)
        for i, value in enumerate(lam):
            m = np.array([[1 + beta - alpha * value, -beta], [1.0, 0.0]])
            p = np.linalg.matrix_power(m, t)
            x_t[:, i] = (p[0, 0] + p[0, 1]) * x0[:, i]  # started at rest: x_{-1} = x_0
        np.testing.assert_allclose(norms[:, t], np.linalg.norm(x_t, axis=1), rtol=1e-10)


@given(kappa=st.floats(1.5, 1e4))
@settings(max_examples=30, deadline=None)
def test_hb_polyak_tuning_gives_spectral_radius_rho(kappa):
    alpha, beta = polyak_parameters(1.0, kappa)
    rho = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    radii = [
        max(abs(np.linalg.eigvals(np.array([[1 + beta - alpha * lam, -beta], [1.0, 0.0]]))))
        for lam in np.linspace(1.0, kappa, 7)
    ]
    # double roots at the ends: eigvals of a Jordan block are accurate to sqrt(eps) only
    np.testing.assert_allclose(radii, rho, rtol=1e-6)


def test_hb_lrp_iterates_start_as_published():
    xs = heavy_ball_exact(
        lessard_gradient, Fraction(33, 10), Fraction(33, 10), LRP_ALPHA, LRP_BETA, 3
    )
    assert xs[:3] == [Fraction(33, 10), Fraction(-16, 5), Fraction(14, 5)]  # 3.3, -3.2, 2.8


def test_hb_lrp_exact_run_agrees_with_floating_point():
    exact = heavy_ball_exact(
        lessard_gradient, Fraction(33, 10), Fraction(33, 10), LRP_ALPHA, LRP_BETA, 60
    )
    prev = x = 3.3
    for k in range(1, 61):
        g = 25 * x if x < 1 else (x + 24 if x < 2 else 25 * x - 24)
        prev, x = x, x - g / 9 + 4 / 9 * (x - prev)
        assert x == pytest.approx(float(exact[k]), abs=1e-9)


def test_hb_period3_orbit_recovers_the_published_cycle():
    from simulators.momentum import lessard_branch

    orbit, consistent = period3_orbit(list(LRP_CYCLE), lessard_branch, LRP_ALPHA, LRP_BETA)
    assert tuple(orbit) == LRP_CYCLE and consistent


def test_hb_discriminant_factors_as_alpha_squared_times_interval():
    steps, radius, rho, invariance = heavy_ball_spectral_derivation()
    disc = dict(steps)["its discriminant in z (factored)"]
    lam = sp.Symbol("lambda")
    root_mu, root_l = sp.symbols("s S", positive=True)
    alpha = 4 / (root_l + root_mu) ** 2
    assert sp.simplify(disc - alpha**2 * (lam - root_mu**2) * (lam - root_l**2)) == 0
    assert sp.simplify(invariance) == 0
    assert sp.simplify(radius - rho) == 0


# --- stochastic heavy ball with step decay ---------------------------------------------------


@given(horizon=st.integers(1, 10**6))
def test_shb_step_decay_lengths_sum_to_the_budget(horizon):
    lengths = step_decay_lengths(horizon)
    assert lengths.sum() == horizon
    assert len(lengths) == step_decay_stages(horizon) == max(1, int(np.log2(horizon)))
    assert lengths.max() - lengths.min() <= 1


def _shb_loop(lam, e0, horizon, eta0, beta):
    w = prev = e0.copy()
    for stage, length in enumerate(step_decay_lengths(horizon)):
        for _ in range(length):
            w, prev = w - eta0 * 0.5**stage * lam * w + beta * (w - prev), w
    return 0.5 * np.sum(lam * w**2)


@pytest.mark.parametrize("beta", [0.0, 0.81])
def test_shb_noiseless_gaps_match_a_plain_loop(beta):
    lam = np.geomspace(0.01, 1, 6)
    e0 = np.linspace(1, 2, 6)
    horizons = np.array([1, 5, 37, 128, 1000])
    gaps = shb_noiseless_gaps(lam, e0, horizons, 1.0, beta)
    expected = [_shb_loop(lam, e0, int(t), 1.0, beta) for t in horizons]
    np.testing.assert_allclose(gaps, expected, rtol=1e-9)


def test_shb_noisy_stationary_risk_matches_theory():
    # constant step, beta = 0: each mode is AR(1), stationary E e^2 = eta sigma^2 / (2 - eta lam)
    lam, eta, sigma = np.array([0.2, 0.5, 1.0]), 0.5, 1.0
    rng = np.random.default_rng(1)
    risk = shb_quadratic_risk(lam, np.array([400]), eta, 0.0, sigma, 4000, rng, decay=False)
    theory = 0.5 * np.sum(lam * eta * sigma**2 / (2 - eta * lam))
    se = risk.std() / np.sqrt(risk.size)
    assert abs(risk.mean() - theory) < 4 * se


def test_shb_noisy_without_noise_equals_the_noiseless_evaluation():
    lam, e0 = np.geomspace(0.01, 1, 5), np.ones(5)
    horizons = np.array([16, 100, 300])
    rng = np.random.default_rng(2)
    noisy = shb_quadratic_risk(lam, horizons, 1.0, 0.81, 1e-300, 2, rng, e0=e0)
    np.testing.assert_allclose(noisy[0], shb_noiseless_gaps(lam, e0, horizons, 1.0, 0.81))


@pytest.mark.parametrize(("replicates", "decay"), [(3, True), (200, False)])
def test_shb_noisy_block_run_equals_the_step_by_step_reference(replicates, decay, monkeypatch):
    # the simulator draws the noise for blocks of steps and updates in place; the reference is
    # one draw and one expression a step: equal to the bit, the generator left in one state
    from simulators import momentum

    monkeypatch.setattr(momentum, "NOISE_BLOCK_BYTES", 8 * replicates * 3 * 7)  # 7 steps
    lam, horizons, eta0, beta, sigma = (
        np.array([1.0, 0.3, 0.02]),
        np.array([5, 16, 50]),
        0.7,
        0.6,
        0.9,
    )
    e0 = np.array([1.0, -2.0, 0.5])
    rng = np.random.default_rng(8)
    got = shb_quadratic_risk(lam, horizons, eta0, beta, sigma, replicates, rng, decay=decay, e0=e0)

    reference_rng = np.random.default_rng(8)
    steps = np.zeros((len(horizons), 50))
    for h, budget in enumerate(horizons):
        lengths = momentum.step_decay_lengths(int(budget))
        rates = eta0 * 0.5 ** np.arange(len(lengths)) if decay else np.full(len(lengths), eta0)
        steps[h, :budget] = np.repeat(rates, lengths)
    w = np.broadcast_to(e0, (replicates, len(horizons), 3)).copy()
    previous = w.copy()
    for t in range(50):
        eta = steps[:, t][None, :, None]
        momentum_t = np.where(eta > 0, beta, 0.0)
        noise = sigma * np.sqrt(lam) * reference_rng.standard_normal((replicates, 1, 3))
        w, previous = w - eta * (lam * w + noise) + momentum_t * (w - previous), w
    np.testing.assert_array_equal(got, 0.5 * (lam * w**2).sum(axis=-1))
    assert rng.random() == reference_rng.random()


# --- ASGD and SGDM: exact moments against Monte Carlo ----------------------------------------


def test_asgd_moments_match_monte_carlo():
    lam = np.arange(1, 9) ** -2.0
    e0 = np.linspace(1, -1, 8)
    method = ASGD(delta=0.15, gamma=2.0, alpha=0.9, beta=0.1)
    exact = asgd_moments(lam, e0, 60, method, label_noise=0.5)[-1]
    w = asgd_linear_regression(lam, e0, 60, method, 0.5, 40_000, np.random.default_rng(3))
    samples = lam * w**2
    se = samples.std(axis=0) / np.sqrt(len(samples))
    assert np.all(np.abs(samples.mean(axis=0) - exact) < 4.5 * se)


def test_asgd_with_alpha_one_is_sgd():
    lam = np.array([1.0, 0.3, 0.05])
    e0 = np.ones(3)
    a = asgd_moments(lam, e0, 50, ASGD(0.2, 5.0, 1.0, 0.3))
    b = asgd_moments(lam, e0, 50, ASGD(0.2, 0.01, 1.0, 0.9))  # v never enters u when alpha = 1
    np.testing.assert_allclose(a, b)


def test_sgdm_expected_loss_matches_monte_carlo():
    lam, x0 = np.array([0.5, 0.2]), np.ones(2)
    exact = sgdm_expected_loss(lam, x0, 0.05, 0.9, 1.0, 80)
    sims = sgdm_quadratic(lam, x0, 0.05, 0.9, 1.0, 80, 40_000, np.random.default_rng(4))
    assert abs(sims.mean() - exact) < 4 * sims.std() / np.sqrt(len(sims))


def test_sgdm_without_noise_or_momentum_is_gradient_descent():
    lam, x0 = np.array([0.5, 0.2]), np.array([1.0, -2.0])
    value = sgdm_expected_loss(lam, x0, 0.1, 0.0, 0.0, 30)
    assert value == pytest.approx(0.5 * np.sum(lam * ((1 - 0.1 * lam) ** 30 * x0) ** 2))


# --- the Handbook's SHB ---------------------------------------------------------------------


def test_handbook_shb_equals_its_heavy_ball_form():
    # Lemma 7.2: x_{t+1} = x_t - gamma_t g_t + (gamma_t beta_t / gamma_{t-1}) (x_t - x_{t-1})
    b = np.linspace(-1, 1, 5)
    eta, horizon = 0.25, 30
    out = handbook_shb_least_squares(b, 2.0, eta, np.array([horizon]), 3, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    x_prev = x = np.full(3, 2.0)
    for t in range(horizon):
        i = rng.integers(0, len(b), size=3)
        gamma = 2 * eta / (t + 3)
        momentum = gamma * (t / (t + 2)) / (2 * eta / (t + 2)) if t > 0 else 0.0
        x_prev, x = x, x - gamma * (x - b[i]) + momentum * (x - x_prev)
    np.testing.assert_allclose(out[:, 0], 0.5 * (x - b.mean()) ** 2, rtol=1e-10)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: heavy_ball_quadratic(np.array([-1.0]), np.ones((1, 1)), 0.1, 0.5, 5),
        lambda: heavy_ball_quadratic(np.array([1.0]), np.ones((1, 2)), 0.1, 0.5, 5),
        lambda: heavy_ball_quadratic(np.array([1.0]), np.ones((1, 1)), 0.1, 1.0, 5),
        lambda: polyak_parameters(1.0, 0.5),
        lambda: shb_noiseless_gaps(np.ones(2), np.ones(2), np.array([5, 3]), 1.0, 0.5),
        lambda: shb_noiseless_gaps(np.ones(2), np.ones(3), np.array([5]), 1.0, 0.5),
        lambda: shb_quadratic_risk(
            np.ones(2), np.array([4]), 1.0, 0.5, 0.0, 3, np.random.default_rng()
        ),
        lambda: ASGD(0.1, 1.0, 1.5, 0.1),
        lambda: asgd_moments(np.ones(2), np.ones(2), 3, ASGD(0.1, 1.0, 1.0, 0.1), -1.0),
        lambda: sgdm_expected_loss(np.ones(2), np.ones(2), 0.0, 0.5, 1.0, 3),
        lambda: handbook_shb_least_squares(np.ones(1), 0.0, 0.25, [1], 2, np.random.default_rng()),
        lambda: step_decay_stages(0),
    ],
)
def test_hb_shb_asgd_sgdm_bad_input_is_a_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_handbook_shb_two_huber_with_a_large_threshold_is_least_squares():
    from simulators.momentum_sgd import handbook_shb_two_huber

    horizons = [0, 1, 5, 40]
    x = handbook_shb_two_huber(
        (0.5, -0.5), (1.0, 1.0), 1e9, 2.0, 0.2, horizons, 300, np.random.default_rng(3)
    )
    gaps = handbook_shb_least_squares(
        np.array([0.5, -0.5]), 2.0, 0.2, horizons, 300, np.random.default_rng(3)
    )
    np.testing.assert_allclose(0.5 * x**2, gaps, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("eta", [0.1, 0.25])
def test_handbook_shb_pep_worst_case_is_the_closed_form(eta):
    # the loose reason of handbook.shb.last_iterate: sup_f f(x_N) - f* = L D^2/(8/3 eta L N + 2)
    pytest.importorskip("PEPit")
    from proofs_checks.pep import PEPProblem, solve

    def handbook_momentum(funcs, x0, n, step):
        f, x, m, xs = funcs[0], x0, None, [x0]
        for k in range(n):
            g = f.gradient(x)
            m = g if m is None else k / (k + 2) * m + g
            x = x - 2 * step / (k + 3) * m
            xs.append(x)
        return xs

    problem = PEPProblem(
        "handbook.shb.test",
        (("smooth_convex", {"L": 1.0}),),
        handbook_momentum,
        {"step": eta},
        initial="distance",
        metric="function_value",
    )
    for n in (1, 2, 4, 8):
        s = solve(problem, n)
        assert s.status == "optimal" and s.gap < 1e-5
        assert s.tau == pytest.approx(1 / (8 / 3 * eta * n + 2), rel=1e-5)


# --- stochastic heavy ball on sampled least squares, and the exact variance term -------------


def test_shb_least_squares_risk_matches_monte_carlo():
    from simulators.momentum_moments import shb_least_squares_monte_carlo, shb_least_squares_risk

    lam, e0 = np.array([1.0, 0.1, 0.02]), np.array([1.0, -2.0, 3.0])
    exact = shb_least_squares_risk(lam, e0, 0.3, 0.5, 2, 15)[-1]
    sample = shb_least_squares_monte_carlo(
        lam, e0, 0.3, 0.5, 2, 15, 40_000, np.random.default_rng(1)
    )
    assert exact == pytest.approx(sample.mean(), rel=4 * sample.std() / sample.mean() / 200)


def test_shb_best_rate_at_a_huge_batch_is_polyaks():
    # exact gradients: the best mean-square contraction is Polyak's ((sqrt k - 1)/(sqrt k + 1))^2
    from simulators.momentum_moments import shb_best_rate

    kappa = 400.0
    rho, _, _ = shb_best_rate(np.array([1.0, 1 / kappa]), 1e12)
    polyak = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    assert rho == pytest.approx(polyak, rel=1e-4)
    sgd, step, _ = shb_best_rate(np.array([1.0, 1 / kappa]), 1e12, momentum=False)
    assert sgd == pytest.approx(((kappa - 1) / (kappa + 1)) ** 2, rel=1e-4)
    assert step == pytest.approx(2 / (1 + 1 / kappa), rel=1e-3)


def test_shb_quadratic_variance_matches_monte_carlo():
    from simulators.momentum_moments import shb_quadratic_variance

    lam, horizons = np.geomspace(0.05, 1, 6), np.array([16, 64])
    exact = shb_quadratic_variance(lam, horizons, 1.0, 0.6, 1.0)
    sample = shb_quadratic_risk(lam, horizons, 1.0, 0.6, 1.0, 20_000, np.random.default_rng(2))
    np.testing.assert_allclose(exact, sample.mean(axis=0), rtol=0.03)
