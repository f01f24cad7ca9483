"""benchmarks.cost: the resolution reached per CPU-second, from a results document."""

from __future__ import annotations

import math

from benchmarks.cost import claim_cost, edge, suite_cost


def entry(cid: str, cpu: float, sides: dict | None) -> dict:
    resolution = None if sides is None else {"edge_over_target": sides, "meets_target": True}
    return {"id": cid, "cpu_seconds": cpu, "seconds": cpu, "resolution": resolution}


def test_the_edge_is_the_worst_side_and_inf_when_a_side_refutes_nothing():
    assert edge({"edge_over_target": {"below": 0.4, "above": 0.8}}) == 0.8
    assert math.isinf(edge({"edge_over_target": {"below": 0.4, "above": None}}))
    assert edge({"edge_over_target": {"above": 0.0}}) is None  # the claim itself refuted
    assert edge(None) is None and edge({"applicable": False}) is None


def test_sharpness_per_cpu_second_and_efficiency():
    cost = claim_cost(entry("a.b", 2.0, {"below": 0.5, "above": 0.25}))
    assert cost["sharpness"] == 2.0  # twice finer than the target
    assert cost["sharpness_per_cpu_second"] == 1.0
    assert cost["efficiency"] == 2.0
    # four times the work for half the edge (a Monte Carlo interval): the same efficiency
    finer = claim_cost(entry("a.b", 8.0, {"below": 0.25, "above": 0.125}))
    assert finer["efficiency"] == cost["efficiency"]
    assert finer["sharpness_per_cpu_second"] < cost["sharpness_per_cpu_second"]


def test_the_suite_lists_the_most_expensive_claims_first():
    doc = {
        "claims": [
            entry("a.cheap", 0.5, {"above": 0.5}),
            entry("a.dear", 9.0, {"above": 0.9}),
            entry("a.search", 3.0, None),
        ]
    }
    cost = suite_cost(doc, top=2)
    assert [c["id"] for c in cost["most_expensive"]] == ["a.dear", "a.search"]
    assert cost["cpu_seconds"] == 12.5 and cost["claims_with_resolution"] == 2
    assert "sharpness" not in cost["per_claim"]["a.search"]
