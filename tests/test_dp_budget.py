"""Every DP utility experiment spends at most the privacy it claims.

Each utility claim's data carry, per configuration, the (epsilon, delta) it claims and the
(epsilon, delta) that ``dp_accounting`` computes from the noise the simulator actually added.
The test reruns every such claim (quick profile) and fails on any overspending; it also shows
that the check catches the variants that do overspend. Where a simulator measures the
sensitivity it actually had (the largest norm of one record's contribution to a noised sum),
that measurement is checked against the sensitivity the accountant used: trusted, a clipping
mistake would go unseen.
"""

from __future__ import annotations

import numpy as np
import pytest
from dp_accounting.pld import privacy_loss_distribution as PLD

import theorems.dp_correlated_noise as correlated
import theorems.dp_feature_preprocessing as preprocessing
import theorems.dp_lower_bound as lower_bound
import theorems.dp_sgd as dp_sgd
import theorems.dp_utility as utility
import theorems.dp_utility_strongly_convex as strongly_convex
from proofs_checks import RunContext, claims_in
from simulators.dp_sgd import dp_sgd_sharp, sharp_data
from simulators.privacy import privacy_of_noise, spent_epsilon

UTILITY_CLAIMS = [
    c
    for module in (utility, strongly_convex, correlated, preprocessing, lower_bound)
    for c in claims_in(module)
    if c.id != "dp.feature_preprocessing.budget"  # its data are the spent epsilons themselves
] + [c for c in claims_in(dp_sgd) if c.id.startswith("dp.sgd.utility")]
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
        (
            "dp.correlated_noise.linear_regression",
            # the mutant's own parameters: noise accounted as a single participation
            next(m.params for m in correlated.correlated_noise_formula.mutants),
        ),
        ("dp.feature_preprocessing", {"count_preprocessing": False}),
    ],
)
def test_the_budget_check_catches_overspending(claim_id, params):
    data = run(BY_ID[claim_id], **params)
    assert overspending(data), f"{claim_id} with {params} should overspend"


def sensitivity_exceeded(data) -> list[tuple[float, float]]:
    """The (measured, assumed) pairs where one record contributed more than the sensitivity
    the accountant used."""
    sensitivity = data.notes["sensitivity"]
    assert len(sensitivity["measured"]) == len(sensitivity["assumed"]) > 0
    return [
        (measured, assumed)
        for measured, assumed in zip(sensitivity["measured"], sensitivity["assumed"], strict=True)
        if not 0 < measured <= assumed * (1 + 1e-9)
    ]


@pytest.mark.parametrize("claim", [c for c in UTILITY_CLAIMS if c.id.startswith("dp.sgd.")])
def test_measured_sensitivity_is_within_what_the_accountant_used(claim):
    assert sensitivity_exceeded(run(claim)) == []


def test_the_sensitivity_check_catches_clipping_after_averaging():
    """The claim's own run with the batch's mean clipped instead of each example's: the
    excess risk keeps its exponent in n (the utility claim cannot refute the mistake), but
    each record then contributes its unclipped gradient, G = 2 = twice the C the accountant
    used, and the measurement shows it at every n."""
    exceeded = sensitivity_exceeded(run(dp_sgd.utility, clip="after_averaging"))
    assert len(exceeded) == len(dp_sgd.SGD_N)
    for measured, assumed in exceeded:
        assert measured == pytest.approx(dp_sgd.SGD_SCALE) and assumed == dp_sgd.SGD_CLIP


def test_clipping_after_averaging_is_caught_by_the_measurement():
    rng = np.random.default_rng(0)
    data = sharp_data(256, 8, rng)
    args = (2.0, 1.0, 0.01, 4.0, 1.0, 1 / 16, 200, 4, rng, 1e-5)
    per_example = dp_sgd_sharp(data, *args)
    after = dp_sgd_sharp(data, *args, clip="after_averaging")
    assert not per_example.overspends
    # each record contributes its unclipped gradient (norm G = 2): twice the sensitivity used
    assert after.overspends
    assert after.max_contribution == pytest.approx(2.0)
    # and the accountant, given the sensitivity the run really had, charges more
    honest = privacy_of_noise(4.0 * 1.0, after.max_contribution, 1 / 16, 200, 1e-5)
    assert honest.epsilon > 1.5 * after.privacy.epsilon


def test_fixed_size_batches_spend_more_than_their_poisson_accounting():
    """The mutant dp.sgd.amplification/fixed_size_as_poisson, certified: on the pair of data sets
    its docstring builds (the added record displaces one of the batch's, the sum moves by 2C),
    the optimistic privacy-loss distribution, a lower bound on that pair's epsilon up to its
    truncated tail, already exceeds twice the Poisson epsilon the run reports, both under
    add/remove adjacency; so the gap is the sampling scheme's, not the RDP accountant's slack."""
    q, steps = float(dp_sgd.AMPLIFICATION_Q[0]), dp_sgd.AMPLIFICATION_T0
    sigma, delta = dp_sgd.AMPLIFICATION_SIGMA, dp_sgd.DELTA
    reported = spent_epsilon(sigma, q, steps, delta)
    pair = PLD.from_gaussian_mechanism(
        sigma,
        sensitivity=2.0,
        pessimistic_estimate=False,
        use_connect_dots=False,
        sampling_prob=dp_sgd.fixed_size_pair_rate(q),
        value_discretization_interval=1e-5,
    )
    certified = pair.self_compose(steps).get_epsilon_for_delta(delta)
    assert certified > 2 * reported
    # the mutant's own number (RDP accountant on the same pair) is above the certified one
    mutant = dp_sgd.amplification(None, sampling="fixed_size")
    assert certified <= mutant.computed[0] < 1.2 * certified
