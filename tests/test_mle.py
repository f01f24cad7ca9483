"""The misspecified-MLE simulator against independent references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from simulators.mle import (
    RAW_MOMENTS,
    draw,
    gaussian_kl,
    projection_kl,
    sample_mean_and_variance,
    sandwich_constant,
    statistic_covariance,
)


def test_gaussian_kl_matches_numerical_integration():
    p, q = stats.norm(0.3, 1.5), stats.norm(-0.2, 0.7)
    numeric, _ = integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), -30, 30)
    assert gaussian_kl(0.3, 1.5**2, -0.2, 0.7**2) == pytest.approx(numeric, rel=1e-9)


@pytest.mark.parametrize("truth", sorted(RAW_MOMENTS))
def test_raw_moments_match_samples(truth):
    x = draw(truth, (400_000,), np.random.default_rng(1))
    sample = [np.mean(x**k) for k in range(1, 5)]
    np.testing.assert_allclose(sample, RAW_MOMENTS[truth], rtol=0.05, atol=0.05)


def test_statistic_covariance_matches_samples():
    x = draw("exponential", (400_000,), np.random.default_rng(2))
    empirical = np.cov(np.stack([x, x**2]))
    np.testing.assert_allclose(statistic_covariance(RAW_MOMENTS["exponential"]), empirical, 0.05)


def test_sandwich_constant_is_half_the_dimension_for_a_gaussian_truth():
    assert sandwich_constant("gaussian") == pytest.approx(1.0)


def test_projection_kl_of_a_gaussian_truth_matches_the_exact_risk():
    # Gaussian truth: n var_hat / var ~ chi2(n-1) and mean_hat ~ N(0, 1/n), independent, so
    # E KL(N(0,1) || N(m, v)) = 1/2 E[log v + (1 + m^2)/v - 1] in closed form.
    n = 20
    e_log_v = stats.chi2(n - 1).expect(np.log) - np.log(n)
    e_inv_v = n / (n - 3)
    exact = 0.5 * (e_log_v + (1 + 1 / n) * e_inv_v - 1)
    kl = projection_kl("gaussian", n, 200_000, np.random.default_rng(3))
    assert kl.mean() == pytest.approx(exact, rel=3 * kl.std() / np.sqrt(kl.size) / exact + 1e-3)


def test_bad_input_is_named():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="truth"):
        projection_kl("cauchy", 10, 5, rng)
    with pytest.raises(ValueError, match="n must"):
        projection_kl("laplace", 1, 5, rng)
    with pytest.raises(ValueError, match="rng"):
        projection_kl("laplace", 10, 5, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("truth", sorted(RAW_MOMENTS))
def test_fast_sample_moments_have_the_explicit_draws_distribution(truth):
    # the sampler's shortcuts (sufficient statistics, signed exponentials, sum and dot) against
    # np.mean / np.var of the law's own draws: same distribution of both moments (KS tests)
    n, rows = 30, 20_000
    mean, var = sample_mean_and_variance(truth, n, rows, np.random.default_rng(4))
    x = draw(truth, (rows, n), np.random.default_rng(5))
    assert stats.ks_2samp(mean, x.mean(axis=1)).pvalue > 1e-3
    assert stats.ks_2samp(var, x.var(axis=1)).pvalue > 1e-3
    m1, m2 = RAW_MOMENTS[truth][:2]
    assert var.mean() == pytest.approx((n - 1) / n * (m2 - m1**2), rel=0.03)
