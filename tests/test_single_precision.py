"""Noise drawn in single precision and in blocks of steps: the laws, the documented cuts,
reproducibility, and the runs of simulators.last_iterate that use them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulators import single_precision as sp
from simulators.last_iterate import (
    l1_instance,
    l1_quadratic_instance,
    last_iterate_values,
    step_sizes,
)

DRAWS = 1_000_000


def test_uniforms_lie_on_the_documented_grid():
    u = sp.uniform_open(np.random.default_rng(0), DRAWS)
    assert u.dtype == np.float32
    assert u.min() > 0 and u.max() <= 1
    steps = u.astype(np.float64) * 2**23
    np.testing.assert_array_equal(steps, np.round(steps))  # multiples of 2^-23
    assert u.mean() == pytest.approx(0.5, abs=5 * np.sqrt(1 / 12 / DRAWS))
    assert u.var() == pytest.approx(1 / 12, rel=0.01)


def test_normals_have_the_standard_law_up_to_the_cut():
    z = sp.standard_normal(np.random.default_rng(1), (DRAWS // 2, 2))
    assert z.shape == (DRAWS // 2, 2) and z.dtype == np.float32
    flat = z.astype(np.float64).ravel()
    assert abs(flat.mean()) < 5 / np.sqrt(DRAWS)
    assert flat.var() == pytest.approx(1.0, abs=5 * np.sqrt(2 / DRAWS))
    for level in (1.0, 2.0, 3.0):  # two-sided tail masses, within 5 standard errors
        expected = 2 * stats.norm.sf(level)
        se = np.sqrt(expected * (1 - expected) / DRAWS)
        assert np.mean(np.abs(flat) > level) == pytest.approx(expected, abs=5 * se)
    assert np.abs(flat).max() <= np.sqrt(2 * 23 * np.log(2)) + 1e-5  # the documented cut


def test_an_odd_number_of_normals():
    z = sp.standard_normal(np.random.default_rng(2), (3, 5, 1))
    assert z.shape == (3, 5, 1) and np.all(np.isfinite(z))


@pytest.mark.parametrize("tail", [1.6, 2.5])
def test_symmetric_pareto_has_the_lomax_tail(tail):
    xi = sp.symmetric_pareto(np.random.default_rng(3), (DRAWS,), tail).astype(np.float64)
    assert np.all(np.isfinite(xi))
    assert np.abs(xi).max() <= 2 ** (23 / tail) - 1 + 1e-3 * 2 ** (23 / tail)
    assert np.mean(xi > 0) == pytest.approx(0.5, abs=5 * np.sqrt(0.25 / DRAWS))
    for level in (0.5, 3.0, 20.0):  # P(|xi| > s) = (1 + s)^-tail
        expected = (1 + level) ** -tail
        se = np.sqrt(expected * (1 - expected) / DRAWS)
        assert np.mean(np.abs(xi) > level) == pytest.approx(expected, abs=5 * se)


def test_cauchy_quartiles():
    c = sp.standard_cauchy(np.random.default_rng(4), (DRAWS,)).astype(np.float64)
    assert np.all(np.isfinite(c))
    se = np.sqrt(0.25 / DRAWS)
    assert np.mean(np.abs(c) < 1) == pytest.approx(0.5, abs=5 * se)  # quartiles at -1 and 1
    assert np.mean(c > 0) == pytest.approx(0.5, abs=5 * se)


def test_draws_are_reproducible_given_the_seed():
    for draw in (
        lambda rng: sp.standard_normal(rng, (7, 3)),
        lambda rng: sp.symmetric_pareto(rng, (7, 3), 1.6),
        lambda rng: sp.standard_cauchy(rng, (7, 3)),
    ):
        np.testing.assert_array_equal(
            draw(np.random.default_rng(9)), draw(np.random.default_rng(9))
        )
        assert not np.array_equal(draw(np.random.default_rng(9)), draw(np.random.default_rng(8)))


def test_noisy_run_matches_a_step_by_step_loop_to_the_bit():
    # the noise is drawn in blocks of steps; the numbers, and so the run, are those of one draw
    # a step in the textbook update
    grad, value = l1_instance(1.0)
    steps = step_sizes(300, "sqrt", 0.7)
    horizons = np.array([1, 150, 300])
    got = last_iterate_values(
        grad,
        value,
        np.array([3.0, -2.0]),
        steps,
        horizons,
        4,
        np.random.default_rng(12),
        prox="l1",
        prox_weight=0.2,
    )
    rng = np.random.default_rng(12)
    x = np.tile([3.0, -2.0], (4, 1))
    expected = []
    for t in range(1, 301):
        y = x - steps[t - 1] * (np.sign(x - 1.0) + rng.standard_normal(x.shape))
        x = np.sign(y) * np.maximum(np.abs(y) - steps[t - 1] * 0.2, 0.0)
        if t in horizons:
            expected.append(np.abs(x - 1.0).sum(axis=1))
    np.testing.assert_array_equal(got, np.stack(expected, axis=1))


@pytest.mark.parametrize("noise", ["gaussian", "pareto"])
def test_single_precision_run_has_the_closed_form_mean(noise):
    # f = x^2/2, step 1/t: x_{T+1} = -(1/T) sum xi_t, E f = Var(xi)/(2T); the symmetric Lomax
    # variable with tail index 3 has variance 2/((3 - 1)(3 - 2)) = 1
    grad, value = l1_quadratic_instance(0.0, 1.0)
    out = last_iterate_values(
        grad,
        value,
        np.array([5.0]),
        step_sizes(40, "inverse", 1.0),
        np.array([40]),
        200_000,
        np.random.default_rng(4),
        noise=noise,
        noise_scale=2.0,
        tail=3.0,
        dtype=np.float32,
    )
    assert out.dtype == np.float64
    # Gaussian: SE 0.3%; Lomax (fourth moment infinite at tail index 3): a wider margin
    assert out.mean() == pytest.approx(4.0 / (2 * 40), rel=0.02 if noise == "gaussian" else 0.1)


def test_last_iterate_values_rejects_an_unknown_precision():
    grad, value = l1_instance()
    with pytest.raises(ValueError, match="dtype"):
        last_iterate_values(
            grad,
            value,
            np.ones(1),
            np.ones(2),
            np.array([2]),
            2,
            np.random.default_rng(0),
            dtype=np.float16,
        )
