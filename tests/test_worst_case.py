"""The WorstCase kind, the PEP layer and the worst-case replay."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from proofs_checks import CONFIRMED, INCONCLUSIVE, REFUTED, JudgeContext
from proofs_checks.kinds.worst_case import WorstCase, WorstCaseData
from proofs_checks.pep import pepit_available
from proofs_checks.resolution import resolve
from simulators.worst_case import SmoothConvexInterpolant, gradient_descent

N, L = sp.symbols("N L", positive=True)
TAU = L / (4 * N + 2)
X = [1, 2, 4, 8]


def ctx() -> JudgeContext:
    return JudgeContext("test.worst_case", np.random.default_rng(0))


def data(scale=1.0, status=None, gap=1e-8, **kwargs) -> WorstCaseData:
    tau = [scale / (4 * n + 2) for n in X]
    return WorstCaseData(
        x=X,
        tau=tau,
        primal=[t * (1 - 1e-8) for t in tau],
        status=status or ["optimal"] * len(X),
        gap=[gap] * len(X),
        seconds=[0.0] * len(X),
        constants={"L": 1.0},
        **kwargs,
    )


def test_tight_claim_on_exact_values_is_confirmed_and_resolves_to_the_solver_tolerance():
    kind = WorstCase(TAU, x=N)
    j = kind.judge(data(), ctx())
    assert j.verdict == CONFIRMED
    res = resolve(kind, data(), j, ctx)
    assert res["meets_target"] and 0.999 < res["refutes_below"] < 1 < res["refutes_above"] < 1.001


def test_an_attained_example_above_an_upper_bound_refutes_it():
    assert WorstCase(TAU / 2, x=N, side="at_most").judge(data(), ctx()).verdict == REFUTED
    assert WorstCase(TAU * 2, x=N, side="at_least").judge(data(), ctx()).verdict == REFUTED


@pytest.mark.parametrize("status, gap", [("optimal_inaccurate", 1e-8), ("optimal", 1e-3)])
def test_an_untrusted_solve_never_confirms(status, gap):
    statuses = ["optimal", "optimal", status, "optimal"]
    d = data(status=statuses)
    d.gap = [1e-8, 1e-8, gap, 1e-8]
    j = WorstCase(TAU, x=N).judge(d, ctx())
    assert j.verdict == INCONCLUSIVE
    assert "untrusted" in j.reason and j.fitted["solves"][2]["trusted"] is False


def test_an_instance_that_does_not_reproduce_tau_pep_withholds_confirmation():
    good = data(replay=[1 / (4 * n + 2) for n in X])
    assert WorstCase(TAU, x=N).judge(good, ctx()).verdict == CONFIRMED
    bad = data(references={"hand-made": [0.9 / (4 * n + 2) for n in X]})
    assert WorstCase(TAU, x=N).judge(bad, ctx()).verdict == INCONCLUSIVE


needs_pepit = pytest.mark.skipif(
    not pepit_available(), reason="pip install 'ratecheck[pep]' (PEPit, Clarabel, cvxpy)"
)


@needs_pepit  # the interpolant solves its small QP with cvxpy and Clarabel
def test_interpolant_passes_through_its_triplets():
    # f(x) = |x|^2 / 2 sampled at three points: an L = 1 smooth convex function
    pts = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, -1.0]])
    f = SmoothConvexInterpolant(pts, pts, 0.5 * (pts**2).sum(axis=1), 1.0)
    for p in pts:
        assert f.value(p) == pytest.approx(0.5 * p @ p, abs=1e-8)
        np.testing.assert_allclose(f.gradient(p), p, atol=1e-6)
    xs = gradient_descent(f.gradient, pts[1], 0.5, 3)
    assert f.value(xs[-1]) <= f.value(xs[0])


@needs_pepit
def test_clarabel_matches_drori_teboulle_and_the_replay_reproduces_tau_pep():
    from proofs_checks.pep import PEPProblem, solve_grid
    from theorems.pep_worst_case import gd_steps, replay_gd

    problem = PEPProblem("test.gd", (("smooth_convex", {"L": 1.0}),), gd_steps, {"step": 1.0})
    solves = solve_grid(problem, [1, 3, 6])
    for s in solves:
        assert s.status == "optimal" and abs(s.gap) < 1e-6
        assert s.tau == pytest.approx(1 / (4 * s.n + 2), rel=1e-6)
    replay = replay_gd(solves, 1.0, 1.0)
    np.testing.assert_allclose(replay, [s.tau for s in solves], rtol=1e-5)


@needs_pepit
def test_gd_claim_replays_its_worst_case_at_every_horizon():
    from theorems.pep_worst_case import gd_smooth_convex

    record = gd_smooth_convex.evaluate()
    assert record.verdict == CONFIRMED and record.passed
    assert record.fitted["instances"]["replayed worst-case instance"] <= 1e-5
    assert all(s["status"] == "optimal" for s in record.fitted["solves"])
    assert all(m.verdict == REFUTED for m in record.mutants)


def test_without_pepit_claims_skip_under_pytest_with_the_install_line(monkeypatch):
    import proofs_checks.pep as pep

    monkeypatch.setattr(pep, "pepit_available", lambda: False)
    with pytest.raises(pytest.skip.Exception, match="pip install pepit clarabel"):
        pep.require_pepit()
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    with pytest.raises(ImportError, match="pip install pepit clarabel"):
        pep.require_pepit()
