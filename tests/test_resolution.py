"""Resolution, targets, tightness and loose claims: the engine's own tests on synthetic claims.

Synthetic data: y[r, i] = n_i^a * exp(s Z - s^2/2), so the replicate mean is n^a in expectation.
"""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import strategies as st

from proofs_checks import (
    AT_LEAST,
    AT_MOST,
    CONFIRMED,
    INCONCLUSIVE,
    REFUTED,
    Agreement,
    Bound,
    ClaimError,
    Comparison,
    ErrorSequence,
    Geometric,
    Identity,
    Implication,
    JudgeContext,
    Mutant,
    Order,
    Paper,
    PowerLaw,
    RunRecord,
    Samples,
    Search,
    Symbolic,
    claim,
)
from proofs_checks.resolution import edge_step

REF = Paper("A paper", "A. Author", 2024).theorem("Theorem 1")
HORIZONS = np.geomspace(10, 1e4, 12)


def decaying(exponent: float, noise: float = 0.1, replicates: int = 64):
    def simulate(ctx, scale: float = 1.0):
        z = ctx.rng.standard_normal((replicates, len(HORIZONS)))
        return Samples(HORIZONS, scale * HORIZONS**exponent * np.exp(noise * z - noise**2 / 2))

    return simulate


def make(predicted, simulate, mutants=None, **kw):
    mutants = mutants or [Mutant("plateau", "no decay", predicted=PowerLaw(exponent=0.0))]
    return claim("test.resolution.claim", paper=REF, statement="s", predicted=predicted,
                 mutants=mutants, **kw)(simulate)  # fmt: skip


UPPER = PowerLaw(exponent=-0.5, side=AT_MOST)


def test_one_sided_claim_on_a_faster_instance_fails_its_target():
    # "at most n^-1/2" on an instance decaying as 1/n: true and confirmed, but the check would
    # confirm "at most n^-0.9" as well: it cannot tell the claim from one 0.4 stronger
    record = make(UPPER, decaying(-1.0)).evaluate(seed=1)
    assert record.verdict == CONFIRMED
    res = record.resolution
    assert res["parameter"] == "exponent" and res["sides"] == ["below"]
    assert res["meets_target"] is False
    assert res["refutes_below"] < -0.9 and res["refutes_above"] is None
    assert not record.passed
    message = record.failure_message()
    assert "cannot tell exponent -0.5 from -0.6" in message and "loose=" in message
    assert record.tightness == pytest.approx(0.5, abs=0.05)


def test_the_same_claim_on_an_attaining_instance_meets_its_target():
    record = make(UPPER, decaying(-0.5)).evaluate(seed=1)
    assert record.verdict == CONFIRMED and record.passed
    res = record.resolution
    assert res["meets_target"] is True
    assert -0.6 <= res["refutes_below"] < -0.5
    assert abs(record.tightness) < 0.05


def test_two_sided_resolution_brackets_the_claim_and_is_cheap():
    record = make(PowerLaw(exponent=-1.0, tolerance=0.03), decaying(-1.0)).evaluate(seed=2)
    res = record.resolution
    assert res["sides"] == ["below", "above"] and res["meets_target"]
    assert -1.1 < res["refutes_below"] < -1.03 < -0.97 < res["refutes_above"] < -0.9
    assert "outside [" in res["summary"]
    # the bisection re-judges the cached window fit: no bootstrap per step
    assert res["seconds"] < 0.05
    # the edges are where the near predictions start to be refuted: checked by re-judging
    data = decaying(-1.0)(_ctx(2))
    for exponent, verdict in ((res["refutes_above"] + 0.01, REFUTED), (-0.99, CONFIRMED)):
        near = PowerLaw(exponent=exponent, tolerance=0.03)
        assert near.judge(data, JudgeContext("t", np.random.default_rng(0))).verdict == verdict


def _ctx(seed):
    from proofs_checks.context import RunContext

    return RunContext("t", seed, "quick", np.random.default_rng(seed))


def test_a_loose_claim_passes_is_counted_apart_and_says_why():
    why = "no instance attaining n^-1/2 is known for this method"
    record = make(UPPER, decaying(-1.0), loose=why).evaluate(seed=1)
    assert record.passed and record.loose == why and record.confirmed_loose
    assert record.resolution["meets_target"] is False
    doc = RunRecord(seed=1, profile="quick", claims=[record]).to_json()
    assert doc["counts"]["confirmed"] == 1 and doc["counts"]["confirmed_loose"] == 1
    assert doc["counts"]["target_missed"] == 1
    back = RunRecord.from_json(json.loads(json.dumps(doc))).claims[0]
    assert back.loose == why and back.resolution == record.resolution
    assert back.tightness == pytest.approx(record.tightness)


def test_a_claim_may_set_its_own_target_with_a_reason():
    reason = "the theorem only separates n^-1/2 from n^-1"
    record = make(UPPER, decaying(-1.0), resolution_target=0.6, resolution_reason=reason).evaluate(
        seed=1
    )
    assert record.passed and record.resolution["target"] == 0.6
    assert record.resolution["target_reason"] == reason
    with pytest.raises(ClaimError) as err:
        make(UPPER, decaying(-1.0), resolution_target=0.6)
    assert err.value.field == "resolution_reason"
    for bad in ({"resolution_target": -1, "resolution_reason": "r"}, {"loose": " "}):
        with pytest.raises(ClaimError):
            make(UPPER, decaying(-1.0), **bad)


def test_one_sided_margin_is_the_lenient_side_and_is_reported():
    # an instance 0.04 slower than claimed: inside the default margin 0.05, outside 0.01
    data = decaying(-0.46, noise=0.02)(_ctx(3))
    ctx = JudgeContext("t", np.random.default_rng(0))
    assert PowerLaw(exponent=-0.5, side=AT_MOST).judge(data, ctx).verdict == CONFIRMED
    tight_margin = PowerLaw(exponent=-0.5, side=AT_MOST, margin=0.01).judge(data, ctx)
    assert tight_margin.verdict == REFUTED and "margin 0.01" in tight_margin.reason
    record = make(PowerLaw(exponent=-0.5, side=AT_MOST, margin=0.02), decaying(-0.5)).evaluate()
    assert record.resolution["margin"] == 0.02 and record.predicted["margin"] == 0.02


def test_bound_attained_exactly_is_confirmed_with_resolution_and_tightness():
    t = sympy.Symbol("t")

    def exact(ctx, scale: float = 1.0):
        n = np.arange(1.0, 30.0)
        return Samples(n, scale * 3 / n, constants={"c": 3.0})

    c = sympy.Symbol("c")
    record = make(
        Bound(expression=c / t, x=t),
        exact,
        [Mutant("halved", "constant halved", predicted=Bound(expression=c / (2 * t), x=t))],
    ).evaluate()
    assert record.verdict == CONFIRMED and record.passed
    assert record.tightness == pytest.approx(1.0) and record.tightness_statistic == "max y/B"
    assert record.resolution["meets_target"] and record.resolution["refutes_below"] > 0.999
    # the same bound where the data reach a fifth of it: confirmed, but misses the target 1.5
    loose = make(Bound(expression=5 * c / t, x=t), exact).evaluate()
    assert loose.verdict == CONFIRMED and not loose.passed
    assert loose.tightness == pytest.approx(0.2)
    assert "cannot tell B from 0.667 B" in loose.resolution["shortfall"]


def test_geometric_resolution_is_in_rho_and_one_sided_on_the_strict_side():
    def linear(ctx):
        k = np.arange(0, 60, 4.0)
        return Samples(k, 0.5**k)

    slower = [Mutant("slower", "rho 0.7", predicted=Geometric(rho=0.7))]
    two = make(Geometric(rho=0.5, tolerance=0.02), linear, slower).evaluate()
    res = two.resolution
    assert res["parameter"] == "rho" and res["meets_target"]
    assert res["refutes_below"] < 0.5 < res["refutes_above"]
    # "contracts at least as fast as 0.8" on data contracting at 0.5: true, far from tight
    one = make(Geometric(rho=0.8, side=AT_MOST), linear, slower).evaluate()
    assert one.verdict == CONFIRMED and one.resolution["sides"] == ["below"]
    assert one.resolution["meets_target"] is False and one.tightness > 1
    # the strict side is searched toward rho^10: the edge is where the data's rate lies, at
    # the margin (0.8^(q / 0.95) with 0.8^q = 0.5)
    assert one.resolution["refutes_below"] == pytest.approx(0.5 ** (1 / 0.95), rel=1e-3)


def test_agreement_and_symbolic_resolution():
    def comparison(ctx):
        return Comparison(computed=[1.0, 2.0 + 1e-8], reference=[1.0, 2.0])

    wrong = [Mutant("doubled", "reference doubled", predicted=Agreement(reference_factor=2.0))]
    res = make(Agreement(rtol=1e-6), comparison, wrong).evaluate().resolution
    assert res["meets_target"] and 1 - 2e-6 < res["refutes_below"] < 1 < res["refutes_above"]
    x = sympy.Symbol("x", positive=True)

    def identity(ctx, power: int = 2):
        lhs, rhs = (x + 1) ** power, sympy.expand((x + 1) ** 2)
        return Identity(lhs=lhs, rhs=rhs, test_points=[{x: 1}])

    sym = make(Symbolic(), identity, [Mutant("cube", "cube", params={"power": 3})]).evaluate()
    assert sym.passed and sym.resolution["applicable"] is False
    assert sym.resolution["meets_target"] is True and "not applicable" in sym.resolution["note"]


def test_order_on_unsettled_data_is_inconclusive_never_refuted():
    # local order 1.4 at the start rising to 2: superlinear convergence not yet quadratic
    logs, p = [-1.0], 1.4
    for _ in range(7):
        logs.append(p * logs[-1])
        p = min(2.0, p + 0.1)
    with mpmath.workdps(60):
        errors = [mpmath.mpf(10) ** mpmath.mpf(v) for v in logs]
    ctx = JudgeContext("t", None)
    for order in (1.0, 2.0):
        j = Order(order=order, tolerance=0.1).judge(ErrorSequence(errors), ctx)
        assert j.verdict == INCONCLUSIVE
        assert "local order still drifts from" in j.reason and "more iterations" in j.reason
        assert j.fitted["settled"] is False
    # settled quadratic data: confirmed, and the resolution brackets 2
    quad = [mpmath.mpf(10) ** (-(2**k)) for k in range(8)]
    linear = [Mutant("linear", "order 1", predicted=Order(order=1.0))]
    record = make(
        Order(order=2.0, tolerance=0.05), lambda ctx: ErrorSequence(quad), linear
    ).evaluate()
    assert record.verdict == CONFIRMED and record.resolution["meets_target"]
    assert 1.9 < record.resolution["refutes_below"] < 2 < record.resolution["refutes_above"] < 2.1
    # an at-least claim is judged on its strict side only
    one = Order(order=1.5, side=AT_LEAST).judge(ErrorSequence(quad), ctx)
    assert one.verdict == CONFIRMED


def test_implication_resolution_rechecks_the_instances_drawn():
    # "x <= 2 implies x^2 <= 4": the near statement "x <= 2 (1 + d) implies x^2 <= 4" is false
    # for every d > 0, and the instances drawn beyond 2 show it
    def search(ctx, threshold: float = 2.0):
        def at(d: float) -> Search:
            return Search(
                st.floats(0, 4), lambda x: x <= threshold * (1 + d), lambda x: x * x <= 4 + 1e-12
            )

        base = at(0.0)
        base.near = at
        return base

    record = make(
        Implication(max_examples=200),
        search,
        [Mutant("wider", "x <= 3", params={"threshold": 3.0})],
    ).evaluate()
    assert record.verdict == CONFIRMED
    res = record.resolution
    assert res["parameter"] == "threshold factor" and res["meets_target"], res
    assert 1 < res["refutes_above"] <= 1.1

    # without near statements there is no resolution, and the target is missed
    def no_near(ctx, threshold: float = 2.0):
        return Search(st.floats(0, 4), lambda x: x <= threshold, lambda x: x * x <= 4 + 1e-12)

    missing = make(Implication(max_examples=50), no_near,
                   [Mutant("wider", "x <= 3", params={"threshold": 3.0})]).evaluate()  # fmt: skip
    assert missing.resolution["applicable"] is False and missing.meets_target is False
    assert "Search(near=" in missing.resolution["note"]

    # a claim the search refutes is told from the truth, family or not
    def false_claim(ctx, threshold: float = 3.0):
        return no_near(ctx, threshold)

    wider = [Mutant("wider", "x <= 4", params={"threshold": 4.0})]
    refuted = make(Implication(max_examples=50), false_claim, wider, expect=REFUTED)
    record = refuted.evaluate()
    assert record.verdict == REFUTED and record.meets_target and record.passed


def test_edge_step_brackets_and_bisects():
    for edge in (0.0, 1e-7, 0.03, 0.1, 0.7, 1.9):
        found = edge_step(lambda t, e=edge: t >= e, 0.1, 2.0, 1e-3)
        assert found == pytest.approx(edge, rel=2e-3, abs=1e-12)
    assert edge_step(lambda t: t >= 3.0, 0.1, 2.0, 1e-3) is None
