"""Every DP utility experiment spends at most the privacy it claims.

Each utility claim's data carry, per configuration, the (epsilon, delta) it claims and the
(epsilon, delta) that ``dp_accounting`` computes from the noise the simulator actually added.
The test reruns every such claim (quick profile) and fails on any overspending; it also shows
that the check catches the variants that do overspend.
"""

from __future__ import annotations

import numpy as np
import pytest

import theorems.dp_correlated_noise as correlated
import theorems.dp_feature_preprocessing as preprocessing
import theorems.dp_utility as utility
import theorems.dp_utility_strongly_convex as strongly_convex
from proofs_checks import RunContext, claims_in

UTILITY_CLAIMS = [
    c
    for module in (utility, strongly_convex, correlated, preprocessing)
    for c in claims_in(module)
    if c.id != "dp.feature_preprocessing.budget"  # its data are the spent epsilons themselves
]
BY_ID = {c.id: c for c in UTILITY_CLAIMS}


def run(claim, **params):
    ctx = RunContext(claim.id, 0, "quick", np.random.default_rng(0))
    return claim(ctx, **params)


def overspending(data) -> list[tuple[dict, dict]]:
    """The (claimed, spent) pairs where the run spent more than it claims."""
    ledger = data.notes["privacy"]
    assert len(ledger["claimed"]) == len(ledger["spent"]) > 0
    return [
        (claimed, spent)
        for claimed, spent in zip(ledger["claimed"], ledger["spent"], strict=True)
        if spent["epsilon"] > claimed["epsilon"] * (1 + 1e-9) or spent["delta"] > claimed["delta"]
    ]


@pytest.mark.parametrize("claim", UTILITY_CLAIMS, ids=lambda c: c.id)
def test_no_utility_experiment_spends_more_than_it_claims(claim):
    data = run(claim)
    assert "privacy" in data.notes, f"{claim.id} does not report the privacy it spent"
    assert overspending(data) == []


@pytest.mark.parametrize(
    ("claim_id", "params"),
    [
        ("dp.utility.convex_lipschitz.eps", {"noise": "no_composition"}),
        ("dp.utility.strongly_convex.eps", {"noise": "no_composition"}),
        ("dp.correlated_noise.linear_regression", {"rescale": False}),
        ("dp.feature_preprocessing", {"count_preprocessing": False}),
    ],
)
def test_the_budget_check_catches_overspending(claim_id, params):
    data = run(BY_ID[claim_id], **params)
    assert overspending(data), f"{claim_id} with {params} should overspend"
