"""Claim specs: validation, evaluation, mutants, seeds; and the non-fitted kinds."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy
from hypothesis import strategies as st

from proofs_checks import (
    AT_LEAST,
    CONFIRMED,
    INCONCLUSIVE,
    REFUTED,
    Agreement,
    Bound,
    ClaimError,
    Comparison,
    Geometric,
    Identity,
    Implication,
    Mutant,
    Paper,
    PowerLaw,
    Samples,
    Search,
    Symbolic,
    claim,
)
from proofs_checks.results import build, strip_timings

PAPER = Paper("A paper", "A. Author, B. Author", 2024, arxiv="2401.00001")
REF = PAPER.theorem("Theorem 1")
GOOD_MUTANT = Mutant("wrong", "a wrong exponent", predicted=PowerLaw(exponent=-2.0))


def make(id="test.claim.ok", predicted=None, mutants=None, func=None, **kw):
    predicted = predicted if predicted is not None else PowerLaw(exponent=-1.0, tolerance=0.05)
    mutants = [GOOD_MUTANT] if mutants is None else mutants

    def default(ctx, scale: float = 1.0):
        n = np.geomspace(10, 1e4, 8)
        noise = np.exp(0.1 * ctx.rng.standard_normal((32, 8)) - 0.005)
        return Samples(n, scale / n * noise)

    return claim(
        id, paper=REF, statement="y decays as 1/n", predicted=predicted, mutants=mutants, **kw
    )(func or default)


def test_a_good_claim_confirms_and_refutes_its_mutant():
    result = make().evaluate(seed=3)
    assert result.verdict == CONFIRMED
    assert [m.verdict for m in result.mutants] == [REFUTED]
    assert result.passed


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mutants": []}, "mutants"),
        ({"predicted": PowerLaw(exponent=-1.0, tolerance=0.0)}, "tolerance"),
        ({"predicted": PowerLaw(exponent=-1.0, tolerance=-0.1)}, "tolerance"),
        ({"predicted": PowerLaw(exponent=-1.0, tolerance=float("nan"))}, "tolerance"),
        ({"predicted": PowerLaw(exponent=-1.0, window=(100, 10))}, "window"),
        ({"predicted": PowerLaw(exponent=-1.0, side="sideways")}, "side"),
        ({"predicted": {"kind": "hyperbolic", "exponent": 1}}, "kind"),
        ({"predicted": {"kind": "power_law", "slope": 1}}, "predicted"),
        ({"id": "NoDots"}, "id"),
        ({"expect": "maybe"}, "expect"),
        ({"mutants": [Mutant("nothing", "changes nothing")]}, "mutants.nothing"),
        ({"mutants": [Mutant("p", "unknown param", params={"speed": 2})]}, "mutants.p.params"),
        ({"mutants": [GOOD_MUTANT, GOOD_MUTANT]}, "mutants"),
    ],
)
def test_malformed_specs_raise_claim_error_naming_claim_and_field(kwargs, field):
    with pytest.raises(ClaimError) as err:
        make(**kwargs)
    assert err.value.field == field
    assert repr(kwargs.get("id", "test.claim.ok")) in str(err.value)


def _data_claim(x, y):
    return make(func=lambda ctx: Samples(x, y))


@pytest.mark.parametrize(
    ("x", "y", "field"),
    [
        ([10, 100, 50, 1000], [1, 1, 1, 1], "data.x"),  # not increasing
        ([10, 100, 1000], [1, 1, 1], "data.x"),  # fewer than 4 fit points
        ([10, np.nan, 1000, 1e4], [1, 1, 1, 1], "data.x"),  # NaN horizon
        ([10, 100, 1000, 1e4], np.ones((5, 3)), "data.y"),  # inconsistent shape
        ([10, 100, 1000, 1e4], np.ones((2, 3, 4)), "data.y"),
    ],
)
def test_malformed_data_raises_claim_error(x, y, field):
    with pytest.raises(ClaimError) as err:
        _data_claim(np.asarray(x, float), np.asarray(y, float)).evaluate()
    assert err.value.field == field
    assert err.value.claim_id == "test.claim.ok"


def test_wrong_data_type_for_the_kind():
    c = make(func=lambda ctx: [1, 2, 3])
    with pytest.raises(ClaimError, match="must return Samples"):
        c.evaluate()


def test_bound_that_is_nan_is_a_claim_error():
    c = make(
        predicted=Bound(sympy.log(sympy.Symbol("t") - 3), x="t"),
        mutants=[Mutant("m", "m", predicted=Bound(sympy.Integer(0), x="t"))],
        func=lambda ctx: Samples(np.arange(1, 6), np.ones(5)),
    )
    with pytest.raises(ClaimError) as err:
        c.evaluate()
    assert err.value.field == "expression" and "x = 1" in str(err.value)


def test_diverged_simulation_is_inconclusive_and_fails_the_claim():
    def diverging(ctx):
        n = np.geomspace(10, 1e4, 8)
        y = np.tile(1 / n, (16, 1))
        y[0, -1] = np.inf
        return Samples(n, y)

    result = make(func=diverging).evaluate()
    assert result.verdict == INCONCLUSIVE
    assert "diverged" in result.reason
    assert not result.passed


def test_failure_message_names_claim_prediction_fit_and_surviving_mutant():
    c = make(
        predicted=PowerLaw(exponent=-0.5, tolerance=0.05),
        mutants=[Mutant("also_right", "the true exponent", predicted=PowerLaw(exponent=-1.0))],
    )
    result = c.evaluate()
    msg = result.failure_message()
    assert "test.claim.ok" in msg and "n^-0.5" in msg and "fitted exponent -1" in msg
    assert "mutant 'also_right'" in msg and "survived" in msg


def test_mutant_params_rerun_with_common_random_numbers():
    seen = []

    def func(ctx, scale: float = 1.0):
        draw = ctx.rng.standard_normal()
        seen.append(draw)
        n = np.geomspace(10, 1e4, 8)
        return Samples(n, scale * n**-1.0 * (1 + 0 * draw))

    c = make(
        func=func, mutants=[Mutant("scaled", "constant x3", params={"scale": 3.0}), GOOD_MUTANT]
    )
    c.evaluate(seed=5)
    assert len(seen) == 2 and seen[0] == seen[1]


def test_same_seed_same_results_different_seed_different_numbers():
    c = make()
    a = build([c.evaluate(seed=1)], 1, "quick", 0.0)
    b = build([c.evaluate(seed=1)], 1, "quick", 0.0)
    d = build([c.evaluate(seed=2)], 2, "quick", 0.0)
    assert json.dumps(strip_timings(a)) == json.dumps(strip_timings(b))
    assert a["claims"][0]["fitted"]["estimate"] != d["claims"][0]["fitted"]["estimate"]


def test_bound_kind_with_monte_carlo_bands():
    def func(ctx):
        t = np.arange(1, 21)
        noise = 0.1 * ctx.rng.standard_normal((2000, 20))
        return Samples(t, (1 + noise) / t, constants={"c": 1.0})

    t, c = sympy.symbols("t c", positive=True)
    ok = Bound(sympy.Rational(11, 10) * c / t, x=t)
    low = ok.scaled(sympy.Rational(8, 11))
    result = make(
        predicted=ok, mutants=[Mutant("low", "bound too low", predicted=low)], func=func
    ).evaluate()
    assert result.verdict == CONFIRMED
    assert result.mutants[0].verdict == REFUTED
    assert result.predicted["bound"] == sympy.latex(sympy.Rational(11, 10) * c / t)
    # a bound that the mean touches within noise cannot be decided
    tight = Bound(c / t * (1 + sympy.Rational(1, 10_000)), x="t")
    close = make(
        predicted=tight, mutants=[Mutant("low", "low", predicted=low)], func=func
    ).evaluate()
    assert close.verdict == INCONCLUSIVE
    lower = Bound(sympy.Rational(1, 2) / t, x=t, side=AT_LEAST)
    assert make(
        predicted=lower, mutants=[Mutant("l", "l", predicted=low)], func=func
    ).evaluate().verdict == (CONFIRMED)


def test_bound_attained_exactly_by_deterministic_data_is_confirmed():
    t = sympy.Symbol("t", positive=True)
    bound = Bound(1 / (3 * t), x=t)

    def func(ctx):
        n = np.arange(1.0, 40.0)
        return Samples(n, 1 / (3 * n))  # equal to B up to rounding

    result = make(
        predicted=bound, mutants=[Mutant("low", "1/(4t)", predicted=bound.scaled(0.75))], func=func
    ).evaluate()
    assert result.verdict == CONFIRMED, result.reason
    assert result.mutants[0].verdict == REFUTED
    assert result.fitted["exact"] is True and "ci" not in result.fitted


def test_bound_missing_constant_is_a_claim_error_naming_samples_constants():
    t, sigma = sympy.symbols("t sigma", positive=True)

    def func(ctx):
        n = np.arange(1.0, 10.0)
        return Samples(n, 1 / n, constants={"D": 1.0})

    c = make(
        predicted=Bound(sigma / t, x=t),
        mutants=[Mutant("low", "low", predicted=Bound(sigma / (2 * t), x=t))],
        func=func,
    )
    with pytest.raises(ClaimError) as err:
        c.evaluate()
    assert err.value.field == "data.constants" and "'sigma'" in str(err.value)


def test_mutant_records_carry_their_kind():
    result = make(
        mutants=[Mutant("geo", "geometric instead", predicted=Geometric(rho=0.5)), GOOD_MUTANT]
    ).evaluate()
    assert result.kind == "power_law"
    assert [m.kind for m in result.mutants] == ["geometric", "power_law"]
    assert all(m["kind"] for m in result.to_json()["mutants"])


def test_a_prediction_accepts_exactly_its_own_parameters():
    with pytest.raises(TypeError):
        Geometric(rho=0.5, exponent=7)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Geometric(rho=0.5, kind="bound")  # type: ignore[call-arg]


def test_agreement_kind():
    def func(ctx, error: float = 0.0):
        ref = np.array([1.0, 2.0, 3.0])
        return Comparison(ref * (1 + error), ref, ["a", "b", "c"])

    c = make(
        predicted=Agreement(rtol=1e-9),
        mutants=[Mutant("off", "off by 1e-6", params={"error": 1e-6})],
        func=func,
    )
    result = c.evaluate()
    assert result.verdict == CONFIRMED and result.mutants[0].verdict == REFUTED


def test_implication_kind_finds_and_shrinks_a_counterexample():
    def func(ctx, bound: float = 100.0):
        return Search(
            st.integers(0, 1000),
            premise=lambda k: k % 2 == 0,
            conclusion=lambda k: k < bound,
            describe=lambda k: {"k": k},
        )

    c = make(
        predicted=Implication(max_examples=300),
        mutants=[Mutant("small", "claims every even number is below 10", params={"bound": 10})],
        func=func,
        expect=REFUTED,
    )
    result = c.evaluate()
    assert result.verdict == REFUTED  # 100 and up are even counterexamples
    assert result.counterexample == {"k": 100}
    assert result.mutants[0].fitted["counterexample"] == {"k": 10}

    never = make(
        id="test.claim.never",
        predicted=Implication(max_examples=100),
        mutants=[Mutant("small", "small", params={"bound": 10})],
        func=lambda ctx, bound=2000: func(ctx, bound),
    ).evaluate()
    assert never.verdict == CONFIRMED
    assert never.fitted["instances"] >= 50


def test_symbolic_kind_proves_and_refutes():
    a, b = sympy.symbols("a b", positive=True)

    def func(ctx, factor: int = 1):
        return Identity(
            (a + b) ** 2,
            a**2 + factor * 2 * a * b + b**2,
            steps=[("expand", sympy.expand((a + b) ** 2))],
            test_points=[{a: 1, b: 2}],
        )

    c = make(
        predicted=Symbolic(),
        mutants=[Mutant("factor", "cross term doubled", params={"factor": 2})],
        func=func,
    )
    result = c.evaluate()
    assert result.verdict == CONFIRMED
    assert result.mutants[0].verdict == REFUTED
    assert result.mutants[0].fitted["counterexample"] == {"a": "1", "b": "2"}


def test_constants_and_notes_are_recorded_in_results():
    def func(ctx, scale: float = 1.0):
        n = np.geomspace(10, 1e4, 8)
        return Samples(n, scale / n, constants={"L": 4.0}, notes={"instance": "1/n", "runs": 3})

    c = make(func=func, mutants=[Mutant("scaled", "x3", params={"scale": 3.0}), GOOD_MUTANT])
    entry = c.evaluate().to_json()
    assert entry["constants"] == {"L": 4.0}
    assert entry["notes"] == {"instance": "1/n", "runs": 3}
    assert entry["mutants"][0]["notes"] == {"instance": "1/n", "runs": 3}


def test_agreement_interval_contains_its_estimate():
    def func(ctx):
        ref = np.array([1.0, 2.0])
        return Comparison(ref * (1 + 0.01 * ctx.rng.standard_normal((400, 2))), ref, ["a", "b"])

    c = make(
        predicted=Agreement(rtol=0.01),
        mutants=[Mutant("tight", "tight", predicted=Agreement(rtol=1e-6))],
        func=func,
    )
    fitted = c.evaluate().fitted
    assert fitted["ci"][0] <= fitted["estimate"] <= fitted["ci"][1]


def test_order_floor_of_zero_is_a_claim_error():
    from proofs_checks import ErrorSequence, Order

    c = make(
        predicted=Order(order=2.0),
        mutants=[Mutant("linear", "linear", predicted=Order(order=1.0))],
        func=lambda ctx: ErrorSequence([0.1, 0.01, 1e-4, 1e-8, 1e-16], floor=10.0**-400),
    )
    with pytest.raises(ClaimError) as err:
        c.evaluate()
    assert err.value.field == "data.floor"


def test_claim_with_an_unknown_or_missing_field_is_a_claim_error_naming_it():
    with pytest.raises(ClaimError) as err:
        claim(
            "test.claim.typo",
            paper=REF,
            statement="s",
            predicted=PowerLaw(),
            mutants=[GOOD_MUTANT],
            tolerence=0.1,
        )
    assert err.value.field == "tolerence" and "not a claim field" in str(err.value)
    with pytest.raises(ClaimError) as err:
        claim("test.claim.nomutants", paper=REF, statement="s", predicted=PowerLaw())
    assert err.value.field == "mutants" and "required" in str(err.value)
