"""Worst-case search over instance families, and the implication search's guidance to the edge."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import strategies as st

from proofs_checks import (
    AT_MOST,
    CONFIRMED,
    REFUTED,
    Bound,
    ClaimError,
    Implication,
    Mutant,
    Paper,
    PowerLaw,
    Samples,
    Search,
    claim,
)
from proofs_checks.search import Family

REF = Paper("A paper", "A. Author", 2024).theorem("Theorem 1")
T, C = sympy.symbols("t c")
HORIZONS = np.arange(1.0, 21.0)


def quadratic_instance(ctx, a: float, b: float):
    """y / B = 1 - (a - 2)^2 / 8 - (b - 0.3)^2 / 4 at every horizon: hardest at a = 2, the
    box's upper edge, and b = 0.3, inside it."""
    ratio = 1 - (a - 2) ** 2 / 8 - (b - 0.3) ** 2 / 4
    return Samples(HORIZONS, ratio * 3 / HORIZONS, constants={"c": 3.0})


def quadratic_family(ctx, box_hi: float = 2.0):
    return Family(quadratic_instance, box={"a": (0.0, box_hi), "b": (-1.0, 1.0)})


def make(predicted, func, mutants):
    return claim("test.search.claim", paper=REF, statement="s", predicted=predicted,
                 mutants=mutants)(func)  # fmt: skip


def test_worst_case_search_finds_a_boundary_maximum_and_judges_on_it():
    # a bound 3% too small is refuted only by instances within about 0.5 of the worst case
    understated = Mutant("understated", "c/t times 0.97", predicted=Bound(expression=0.97 * C / T))
    record = make(Bound(expression=C / T, x=T), quadratic_family, [understated]).evaluate(seed=4)
    worst = record.worst_case
    assert worst["parameters"]["a"] == pytest.approx(2.0, abs=1e-3)
    assert worst["parameters"]["b"] == pytest.approx(0.3, abs=2e-2)
    assert worst["score"] == pytest.approx(1.0, abs=1e-4) and worst["score_statistic"] == "max y/B"
    assert worst["evaluations"] == worst["search_evaluations"] + worst["refine_evaluations"]
    assert worst["search_evaluations"] == 40 and 0 < worst["refine_evaluations"] <= 60
    # judged on the hardest instance: confirmed, tight, and the resolution meets its target
    assert record.verdict == CONFIRMED and record.passed
    assert record.tightness == pytest.approx(1.0, abs=1e-4)
    assert record.resolution["meets_target"]
    assert record.mutants[0].verdict == REFUTED


def test_a_mutant_that_changes_the_family_is_searched_for_its_own_worst_case():
    # the mutant runs a wider family (a up to 3) against a bound with c understated by 1.2:
    # the mutant's own search finds its worst case (still a = 2, now inside the box)
    widened = Mutant(
        "understated_constant",
        "the bound with c/1.2",
        predicted=Bound(expression=C / (1.2 * T), x=T),
        params={"box_hi": 3.0},
    )
    record = make(Bound(expression=C / T, x=T), quadratic_family, [widened]).evaluate(seed=4)
    mutant = record.mutants[0]
    assert mutant.verdict == REFUTED
    assert mutant.notes["worst_case"]["parameters"]["a"] == pytest.approx(2.0, abs=1e-2)


def test_one_sided_rate_family_finds_its_slowest_member():
    # y = n^-(1 + s) for s in [0, 1]: "at most n^-1" is hardest at s = 0 (the box's lower edge)
    def member(ctx, s: float):
        n = np.geomspace(10, 1e4, 10)
        return Samples(n, n ** -(1 + s))

    def family(ctx, scale: float = 1.0):
        return Family(member, box={"s": (0.0, 1.0)}, examples=20, refine=30)

    plateau = Mutant("plateau", "no decay claimed", predicted=PowerLaw(exponent=-2.5, side=AT_MOST))
    record = make(PowerLaw(exponent=-1.0, side=AT_MOST), family, [plateau]).evaluate()
    assert record.worst_case["parameters"]["s"] == pytest.approx(0.0, abs=1e-3)
    assert record.verdict == CONFIRMED and record.resolution["meets_target"]


def test_a_family_needs_a_box_or_a_strategy():
    def no_box(ctx):
        return Family(quadratic_instance)

    halved = Mutant("halved", "c/2t", predicted=Bound(expression=C / (2 * T), x=T))
    record_claim = make(Bound(expression=C / T, x=T), no_box, [halved])
    with pytest.raises(ClaimError) as err:
        record_claim.evaluate()
    assert err.value.field == "data.box"


def test_implication_search_is_guided_to_the_edge_of_its_premise():
    # "x <= 5 implies x^2 <= 25" over x in [0, 1000] (steps of 1e-6): the near statement
    # "x <= 5 (1 + d) implies x^2 <= 25" is false for every d > 0, but only instances just past
    # 5 show it. The slack drives the search there (hypothesis.target climbs well on integers).
    values = st.integers(0, 10**9).map(lambda k: k / 10**6)

    def statement(d: float, guided: bool) -> Search:
        return Search(
            values,
            premise=lambda x: x <= 5 * (1 + d),
            conclusion=lambda x: x * x <= 25 * (1 + 1e-12),
            slack=(lambda x: 5 - x) if guided else None,
            near=lambda e: statement(e, guided),
        )

    wider = Mutant("doubled", "x <= 10 claimed", params={"wide": True})
    edges = {}
    for guided in (True, False):

        def func(ctx, wide: bool = False, guided: bool = guided):
            return statement(1.0 if wide else 0.0, guided)

        record = make(Implication(max_examples=300), func, [wider]).evaluate(seed=1)
        assert record.verdict == CONFIRMED and record.mutants[0].verdict == REFUTED
        edges[guided] = record.resolution["refutes_above"]
    assert 1 < edges[True] <= 1.001
    assert edges[False] is None or edges[False] > edges[True]
