"""The last-iterate simulators: Harvey et al.'s constructions and proximal SGD."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators import harvey
from simulators.last_iterate import (
    huber_instance,
    known_horizon_steps,
    l1_instance,
    l1_quadratic_instance,
    last_iterate_values,
    proximal_map,
    sample_noise,
    step_sizes,
)

# --- Harvey, Liaw, Plan & Randhawa ---------------------------------------------------------------


@pytest.mark.parametrize("kind", harvey.KINDS)
@pytest.mark.parametrize("horizon", [2, 3, 17, 200])
def test_harvey_iterates_equal_the_closed_form(kind, horizon):
    run = harvey.run(horizon, kind, keep_iterates=True)
    for t in range(1, horizon + 2):
        expected = harvey.closed_form_iterate(horizon, t, kind)
        np.testing.assert_allclose(run.iterates[t - 1], expected, rtol=0, atol=1e-12)
    assert run.projections == 0  # Lemma 5.4 / Section 6: the iterates stay in the unit ball


def test_harvey_convex_iterates_with_a_larger_step_constant():
    run = harvey.run(150, "convex", c=2.5, keep_iterates=True)
    for t in (1, 2, 75, 151):
        expected = harvey.closed_form_iterate(150, t, "convex", c=2.5)
        np.testing.assert_allclose(run.iterates[t - 1], expected, rtol=0, atol=1e-12)


def test_harvey_last_value_matches_the_closed_form_at_large_T():
    for kind in harvey.KINDS:
        run = harvey.run(2048, kind)
        assert run.f_last == pytest.approx(harvey.closed_form_last_value(2048, kind), abs=1e-12)


def test_harvey_convex_bounds_of_section_6():
    # 1/(4 sqrt T) <= z_{t,j} <= 1/(2 sqrt T) for j < t, and f increases for the first T steps
    T = 300
    z = harvey.closed_form_iterate(T, T + 1, "convex")
    assert np.all(z >= 1 / (4 * np.sqrt(T)) - 1e-15)
    assert np.all(z <= 1 / (2 * np.sqrt(T)) + 1e-15)
    run = harvey.run(T, "convex")
    assert np.all(np.diff(run.f_path[:-1]) > 0)
    assert run.f_last >= np.log(T) / (32 * np.sqrt(T))


def test_harvey_objective_is_the_max_of_the_pieces():
    T = 7
    a, b = harvey.coefficients(T, "convex")
    H = np.zeros((T + 1, T))
    for i in range(T + 1):
        H[i, :i] = a[:i]
        if i < T:
            H[i, i] = -b[i]
    x = np.random.default_rng(0).standard_normal(T) / 5
    np.testing.assert_allclose(harvey.piece_values(x, a, b), H @ x, rtol=1e-14, atol=1e-15)
    assert harvey.objective(x, "strongly_convex", a, b) == pytest.approx(
        np.max(H @ x) + 0.5 * x @ x
    )


def test_harvey_tie_breaking_changes_the_path():
    low, high = harvey.run(64, "convex", tie="min"), harvey.run(64, "convex", tie="max")
    assert high.f_last < 0.5 * low.f_last


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"horizon": 1}, "horizon"),
        ({"horizon": 10.0}, "horizon"),
        ({"horizon": 10, "kind": "concave"}, "kind"),
        ({"horizon": 10, "tie": "random"}, "tie"),
        ({"horizon": 10, "c": 0.5}, "c >= 1"),
        ({"horizon": 10, "c": float("nan")}, "c >= 1"),
        ({"horizon": 10, "suffix": 0}, "suffix"),
        ({"horizon": 10, "suffix": 12}, "suffix"),
    ],
)
def test_harvey_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        harvey.run(**kwargs)


def test_harvey_closed_form_rejects_bad_t():
    with pytest.raises(ValueError, match="t must lie"):
        harvey.closed_form_iterate(10, 12)


# --- proximal SGD ---------------------------------------------------------------------------------


def test_step_sizes_follow_the_schedules():
    np.testing.assert_allclose(step_sizes(4, "sqrt", 2.0), 2 / np.sqrt([1, 2, 3, 4]))
    np.testing.assert_allclose(step_sizes(3, "constant", 0.3), [0.3] * 3)
    np.testing.assert_allclose(step_sizes(3, "inverse", 0.5), [0.5, 0.25, 0.5 / 3])
    np.testing.assert_allclose(step_sizes(2, "power", 1.0, power=0.25), [1, 2**-0.25])
    np.testing.assert_allclose(step_sizes(4, "sqrt", 1.0, cap=0.6), [0.6, 0.6, 3**-0.5, 0.5])


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((0, "sqrt", 1.0), {}, "horizon"),
        ((5, "cosine", 1.0), {}, "schedule"),
        ((5, "sqrt", -1.0), {}, "eta"),
        ((5, "power", 1.0), {"power": 1.5}, "power"),
        ((5, "sqrt", 1.0), {"cap": 0.0}, "cap"),
    ],
)
def test_step_sizes_reject_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        step_sizes(*args, **kwargs)


def test_noise_rejects_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="noise must be one of"):
        sample_noise(rng, (2,), "laplace", 1.0)
    with pytest.raises(ValueError, match="scale"):
        sample_noise(rng, (2,), "gaussian", -1.0)
    with pytest.raises(ValueError, match="tail index"):
        sample_noise(rng, (2,), "pareto", 1.0, tail=1.0)


def test_pareto_noise_has_the_lomax_tail():
    # P(|xi| > s) = (1 + s)^(-alpha) for the symmetric Lomax variable
    xi = sample_noise(np.random.default_rng(3), (400_000,), "pareto", 1.0, tail=1.6)
    for s in (1.0, 10.0):
        assert np.mean(np.abs(xi) > s) == pytest.approx((1 + s) ** -1.6, rel=0.03)
    assert abs(np.mean(np.sign(xi))) < 0.01  # symmetric


def test_pareto_noise_is_the_one_expression_reference():
    # the in-place sampler is scale * copysign((1 - |2u - 1|)^(-1/tail) - 1, 2u - 1), with the
    # power taken as exp(-log(.)/tail): equal up to rounding, and finite at the floor u = 0
    u = np.random.default_rng(8).random((500, 3))
    u[0, 0] = 0.0
    centred = 2.0 * u - 1.0
    reference = 0.7 * np.copysign(
        np.maximum(1.0 - np.abs(centred), np.finfo(float).tiny) ** (-1.0 / 1.6) - 1.0, centred
    )

    class Fixed:  # hands the sampler these uniforms, so the comparison is draw for draw
        def random(self, shape):
            return u.copy().reshape(shape)

    xi = sample_noise(Fixed(), (500, 3), "pareto", 0.7, tail=1.6)
    np.testing.assert_allclose(xi, reference, rtol=1e-12)
    assert np.all(np.isfinite(sample_noise(Fixed(), (500, 3), "pareto", 1.0, tail=1.0001)))


@settings(max_examples=40, deadline=None)
@given(
    y=st.floats(-5, 5),
    step=st.floats(0.01, 2),
    weight=st.floats(0.01, 3),
)
def test_proximal_maps_minimise_their_objectives(y, step, weight):
    grid = np.linspace(-6, 6, 24_001)
    objectives = {
        "l1": step * weight * np.abs(grid) + 0.5 * (grid - y) ** 2,
        "squared": step * weight / 2 * grid**2 + 0.5 * (grid - y) ** 2,
        "box": np.where(np.abs(grid) <= weight, 0.5 * (grid - y) ** 2, np.inf),
    }
    for prox, values in objectives.items():
        got = proximal_map(np.array([y]), step, prox, weight)[0]
        assert got == pytest.approx(grid[np.argmin(values)], abs=1e-3)


def test_deterministic_run_matches_a_scalar_loop():
    # noise scale 0: the vectorised run is plain (proximal) subgradient descent
    grad, value = l1_instance(1.0)
    steps = step_sizes(50, "sqrt", 0.7)
    horizons = np.array([1, 7, 50])
    got = last_iterate_values(
        grad,
        value,
        np.array([3.0, -2.0]),
        steps,
        horizons,
        3,
        np.random.default_rng(0),
        noise_scale=0.0,
        prox="l1",
        prox_weight=0.2,
    )
    x = np.array([3.0, -2.0])
    expected = []
    for t in range(1, 51):
        eta = steps[t - 1]
        y = x - eta * np.sign(x - 1.0)
        x = np.sign(y) * np.maximum(np.abs(y) - eta * 0.2, 0)
        if t in horizons:
            expected.append(np.abs(x - 1.0).sum())
    np.testing.assert_allclose(got, np.tile(expected, (3, 1)), rtol=1e-14)


def test_strongly_convex_quadratic_variance_matches_the_closed_form():
    # f = x^2/2 (weight 0, mu 1), step 1/t: x_{T+1} = -(1/T) sum xi_t, so E f = sigma^2/(2T)
    grad, value = l1_quadratic_instance(0.0, 1.0)
    out = last_iterate_values(
        grad,
        value,
        np.array([5.0]),
        step_sizes(40, "inverse", 1.0),
        np.array([40]),
        200_000,
        np.random.default_rng(4),
        noise_scale=2.0,
    )
    assert out.mean() == pytest.approx(4.0 / (2 * 40), rel=0.02)  # 200k draws: SE 0.3%


def test_huber_instance_gradient_is_the_derivative():
    grad, value = huber_instance(np.array([0.5, 2.0]), 1.0)
    x = np.array([[0.3, -2.5], [1.7, 0.9]])
    h = 1e-6
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        numeric = (value(x + e) - value(x - e)) / (2 * h)
        np.testing.assert_allclose(grad(x)[:, j], numeric, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x0": np.zeros((2, 2))}, "x0"),
        ({"x0": np.array([np.nan])}, "x0"),
        ({"steps": np.array([0.1, -0.1])}, "steps"),
        ({"steps": np.array([])}, "steps"),
        ({"horizons": np.array([2, 2])}, "horizons"),
        ({"horizons": np.array([0, 1])}, "horizons"),
        ({"horizons": np.array([1, 3])}, "horizons"),
        ({"horizons": np.array([1.0, 2.0])}, "horizons"),
        ({"replicates": 0}, "replicates"),
        ({"replicates": 2.5}, "replicates"),
        ({"prox": "l2"}, "prox"),
        ({"prox": "box", "prox_weight": 0.0}, "half-width"),
        ({"prox_weight": -1.0}, "prox_weight"),
        ({"noise": "uniform"}, "noise"),
        ({"noise": "pareto", "tail": 0.9}, "tail index"),
    ],
)
def test_last_iterate_values_rejects_bad_input(kwargs, match):
    grad, value = l1_instance()
    args = {
        "x0": np.array([1.0]),
        "steps": np.array([0.1, 0.1]),
        "horizons": np.array([1, 2]),
        "replicates": 2,
    }
    options = {k: v for k, v in kwargs.items() if k not in args}
    args.update({k: v for k, v in kwargs.items() if k in args})
    with pytest.raises(ValueError, match=match):
        last_iterate_values(
            grad,
            value,
            args["x0"],
            args["steps"],
            args["horizons"],
            args["replicates"],
            np.random.default_rng(0),
            **options,
        )


def test_instances_reject_bad_parameters():
    with pytest.raises(ValueError):
        l1_quadratic_instance(0.1, 0.0)
    with pytest.raises(ValueError):
        huber_instance(np.array([-1.0]), 1.0)


def test_runs_are_reproducible():
    grad, value = l1_instance()

    def run():
        return last_iterate_values(
            grad,
            value,
            np.ones(3),
            step_sizes(30, "sqrt", 0.5),
            np.array([10, 30]),
            5,
            np.random.default_rng(11),
            noise="pareto",
            tail=1.6,
            prox="box",
            prox_weight=1.0,
        )

    np.testing.assert_array_equal(run(), run())


def test_known_horizon_steps_halve_with_the_remaining_horizon():
    # T = 16: phases end at T_1 = 8, T_2 = 12, T_3 = 14, T_4 = 15, then T
    steps = known_horizon_steps(16, 2.0) * 4 / 2.0
    np.testing.assert_allclose(steps, [1.0] * 8 + [0.5] * 4 + [0.25] * 2 + [0.125, 0.0625])
    assert known_horizon_steps(1000, 1.0).size == 1000
    with pytest.raises(ValueError):
        known_horizon_steps(10, 0.0)


def test_harvey_run_with_its_own_steps_passed_explicitly_is_unchanged():
    horizon, c = 200, 1.5
    own = harvey.run(horizon, "convex", c)
    explicit = harvey.run(horizon, "convex", c, steps=c / np.sqrt(np.arange(1, horizon + 1)))
    assert explicit.f_last == own.f_last
    strongly = harvey.run(horizon, "strongly_convex", steps=1.0 / np.arange(1, horizon + 1))
    assert strongly.f_last == harvey.run(horizon, "strongly_convex").f_last
    with pytest.raises(ValueError):
        harvey.run(horizon, "convex", steps=np.ones(horizon - 1))


def test_noisy_harvey_without_noise_is_the_deterministic_run():
    for horizon in (17, 200):
        values = harvey.noisy_last_values(horizon, 1.0, 0.0, 3, np.random.default_rng(0))
        np.testing.assert_array_equal(values, harvey.run(horizon).f_last)


def test_noise_inside_harvey_construction_breaks_its_log_factor():
    # noiseless: sqrt(T) f(x_{T+1}) = (3/64)(ln T + 1), up by (3/64) ln 4 = 0.065 from T = 64
    # to 256; with N(0, 0.1^2 I/T) noise on the oracle the ties break and it barely moves
    rng = np.random.default_rng(5)
    scaled = [np.sqrt(T) * harvey.noisy_last_values(T, 1.0, 0.1, 20, rng).mean() for T in (64, 256)]
    noiseless = [np.sqrt(T) * harvey.closed_form_last_value(T) for T in (64, 256)]
    assert noiseless[1] - noiseless[0] == pytest.approx(3 / 64 * np.log(4), rel=0.02)
    assert scaled[1] - scaled[0] < 0.03
    assert scaled[1] < 0.5 * noiseless[1]


def test_noisy_harvey_rejects_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="sigma"):
        harvey.noisy_last_values(10, 1.0, -1.0, 2, rng)
    with pytest.raises(ValueError, match="c >= 1"):
        harvey.noisy_last_values(10, 0.5, 0.1, 2, rng)


def test_linear_plus_quadratic_gap_is_the_closed_form():
    # f = <1, x>, h = x^2/2 by its prox, step 1/t, x_1 = 0: y = x + 1 follows
    # y_{t+1} = (y_t - xi_t/t) t/(t+1), so E[F - F*] = (1 + sigma^2 T)/(2 (T+1)^2) per coordinate
    horizons = np.array([10, 40])
    out = last_iterate_values(
        lambda x: np.ones_like(x),
        lambda x: 0.5 * ((x + 1.0) ** 2).sum(axis=1),
        np.zeros(1),
        step_sizes(40, "inverse", 1.0),
        horizons,
        200_000,
        np.random.default_rng(6),
        prox="squared",
        prox_weight=1.0,
    )
    expected = (1 + horizons) / (2 * (horizons + 1.0) ** 2)
    np.testing.assert_allclose(out.mean(axis=0), expected, rtol=0.02)  # 200k draws: SE 0.3%
